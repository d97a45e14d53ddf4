"""Finance's desk pages: books and depreciation profiles, an asset's schedule as CSV, and the
depreciation report; the asset page's schedule comes from here too (a context processor), so
the register does not import finance."""
import csv
import io

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from app.auth.access import requires
from app.auth.roles import Permission
from app.catalog.models import AssetModel, Category
from app.csvsafe import cell
from app.errors import DomainError, ValidationFailed
from app.extensions import db
from app.finance import books, report
from app.finance.forms import BookForm, ProfileForm, WriteDownForm
from app.finance.models import DEFAULT_BOOK, Book, DepreciationProfile
from app.forms import form_status, show_error
from app.timeutil import utcnow

bp = Blueprint("finance", __name__, url_prefix="/admin/finance")


@bp.get("/profiles")
@requires(Permission.FINANCE)
def profiles():
    all_books = books.all_books()
    db.session.commit()  # the default book, if it had to be made
    rows = db.session.scalars(sa.select(DepreciationProfile).join(Book)
                              .order_by(Book.name, DepreciationProfile.id)).all()
    return render_template("finance/profiles.html", books=all_books, rows=rows,
                           book_form=BookForm())


@bp.post("/books")
@requires(Permission.FINANCE)
def create_book():
    form = BookForm()
    if form.validate_on_submit():
        try:
            book = books.add_book(form.name.data)
        except DomainError as exc:
            db.session.rollback()
            flash(f"Not added: {exc.message}")
        else:
            db.session.commit()
            flash(f"Book {book.name} added.")
    else:
        flash("Not added: give the book a name.")
    return redirect(url_for(".profiles"))


@bp.route("/profiles/new", methods=["GET", "POST"])
@requires(Permission.FINANCE)
def new_profile():
    return _profile_form(None)


@bp.route("/profiles/<int:profile_id>/edit", methods=["GET", "POST"])
@requires(Permission.FINANCE)
def edit_profile(profile_id):
    return _profile_form(db.get_or_404(DepreciationProfile, profile_id))


@bp.post("/profiles/<int:profile_id>/delete")
@requires(Permission.FINANCE)
def delete_profile(profile_id):
    profile = db.get_or_404(DepreciationProfile, profile_id)
    if FlaskForm().validate_on_submit():  # its CSRF token
        flash(f"The profile of {profile.target} in {profile.book.name} is removed.")
        db.session.delete(profile)
        db.session.commit()
    return redirect(url_for(".profiles"))


def _profile_form(profile: DepreciationProfile | None):
    form = ProfileForm(obj=profile)
    form.book.choices = [(b.name, b.name) for b in books.all_books()]
    form.applies_to.choices = [("", "—")] + [
        (f"category:{c.id}", f"Category {c.name}")
        for c in db.session.scalars(sa.select(Category).order_by(Category.name))] + [
        (f"model:{m.id}", f"Model {m.name}")
        for m in db.session.scalars(sa.select(AssetModel).order_by(AssetModel.name))]
    if profile is not None and request.method == "GET":
        form.book.data = profile.book.name
        form.start_from.data = profile.start_from.value
        if profile.asset_id:
            form.asset.data = profile.asset.tag
        else:
            form.applies_to.data = (f"model:{profile.model_id}" if profile.model_id
                                    else f"category:{profile.category_id}")
    if form.validate_on_submit():
        fields = {name: form[name].data for name in ("method", "factor", "life_months",
                                                     "salvage_percent", "convention",
                                                     "start_from")}
        try:
            target = _target(form)
            book = books.book_for_writing(form.book.data)
            profile = books.save_profile(profile, book=book, target=target, fields=fields)
        except DomainError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"Profile saved: {profile.target} in the book {book.name}.")
            return redirect(url_for(".profiles"))
    title = (f"Edit the profile of {profile.target}" if profile and profile.id
             else "New depreciation profile")
    return render_template("admin/form.html", form=form, title=title,
                           cancel=url_for(".profiles")), form_status(form)


def _target(form: ProfileForm) -> tuple[str, int]:
    if form.asset.data:
        return "asset", books.asset_by_tag(form.asset.data).id
    kind, _, number = (form.applies_to.data or "").partition(":")
    if kind not in ("category", "model") or not number.isdigit():
        raise ValidationFailed("Choose the category or model the profile applies to, or give "
                               "an asset's tag.", {"applies_to": "required"})
    return kind, int(number)


@bp.get("/assets/<tag>/schedule.csv")
@requires(Permission.VIEW)
def schedule_csv(tag):
    """The asset's schedule in one book (`book`, default company), month by month or by
    fiscal year (`period`)."""
    asset = books.asset_by_tag(tag)
    book_name = request.args.get("book", DEFAULT_BOOK)
    period = request.args.get("period", "month")
    if period not in ("month", "year"):
        period = "month"
    plan = books.schedule(asset, books.find_book(book_name), period)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["asset", "book", "method", "start", "end", "amount", "written_down",
                     "accumulated", "book_value"])
    method = plan.profile.method if plan.profile else "none"
    for row in plan.rows:
        writer.writerow([cell(asset.tag), cell(plan.book), method, row.start.isoformat(),
                         row.end.isoformat(), f"{row.amount:.2f}", f"{row.written_down:.2f}",
                         f"{row.accumulated:.2f}",
                         f"{row.book_value:.2f}"])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="schedule-{asset.id}-{plan.book}.csv"'})


@bp.post("/assets/<tag>/write-down")
@requires(Permission.FINANCE)
def write_down(tag):
    """The asset page's write-down form: a `write_down` event through the pipeline."""
    from app.assets import service as assets
    form = WriteDownForm()
    if not form.validate_on_submit():
        problems = [m for messages in form.errors.values() for m in messages]
        flash(f"Not written down: {' '.join(map(str, problems)) or 'reload the page.'}")
        return redirect(url_for("assets.detail", tag=tag))
    data = {"book": form.book.data, "kind": form.kind.data, "amount": str(form.amount.data),
            "on": form.on.data.isoformat(), "reason": form.reason.data}
    try:
        assets.record(tag, "write_down", data, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(f"Not written down: {exc.message}")
    else:
        db.session.commit()
        flash(f"{tag}: written down by {form.amount.data:.2f} in the book {data['book']}.")
    return redirect(url_for("assets.detail", tag=tag))


@bp.get("/depreciation")
@requires(Permission.VIEW)
def depreciation():
    """The depreciation report as a page: the same numbers as the API and its CSV."""
    year = request.args.get("fiscal_year") or str(utcnow().year)
    group = request.args.get("group", "department")
    book = request.args.get("book", DEFAULT_BOOK)
    try:
        result = report.depreciation_report(report.fiscal_year_arg(year),
                                            report.group_arg(group), book)
    except DomainError as exc:
        return render_template("finance/depreciation.html", result=None, error=exc.message,
                               args={"fiscal_year": year, "group": group, "book": book}), 422
    return render_template("finance/depreciation.html", result=result.as_json(), error=None,
                           args={"fiscal_year": year, "group": group, "book": book})


@bp.app_context_processor
def _for_asset_pages():
    # The asset page shows its schedule in each book without the register importing finance.
    def depreciation_schedules(asset):
        found = db.session.scalars(sa.select(Book).order_by(Book.id)).all()
        if not found:
            found = [None]
        return [books.schedule(asset, book, "year") for book in found]
    return {"depreciation_schedules": depreciation_schedules, "WriteDownForm": WriteDownForm}
