"""Certificate pages: the public verification page, the PDF, a manager's correction, the
compliance report and disposal batches."""
from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.auth.access import requires
from app.auth.roles import Permission
from app.certificates import batches, reports, service
from app.errors import DomainError
from app.extensions import db
from app.forms import NumberField, form_status, show_error
from app.org import service as org

bp = Blueprint("certificates", __name__)


@bp.get("/verify/<number>")
def verify(number):
    """Public: anyone can check that a certificate exists and holds; its facts are shown to
    whoever holds it (the link it prints carries a key) and to signed-in users, so numbers
    in sequence cannot be read one after another."""
    cert = db.session.scalar(db.select(service.Certificate).where(
        service.Certificate.number == number))
    if cert is None:
        return render_template("certificates/verify.html", number=number, cert=None), 404
    actual = service.stored_sha256(cert)
    return render_template("certificates/verify.html", number=number, cert=cert,
                           actual=actual, tampered=actual != cert.sha256,
                           superseded_by=cert.superseded_by,
                           full=service.may_see(cert, request.args.get("k", ""), current_user),
                           methods=service.METHODS, techniques=service.TECHNIQUES,
                           disposal_methods=service.DISPOSAL_METHODS)


def send_pdf(number: str) -> Response:
    cert = service.find(number)
    return Response(service.pdf_bytes(cert), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{cert.number}.pdf"'})


@bp.get("/certificates/<number>.pdf")
@requires(Permission.VIEW)
def pdf(number):
    return send_pdf(number)


@bp.get("/admin/certificates/<number>")
@requires(Permission.VIEW)
def detail(number):
    cert = service.find(number)
    return render_template("certificates/detail.html", cert=cert, batch=cert.batch,
                           superseded_by=cert.superseded_by,
                           fields=service.CORRECTABLE[cert.kind])


@bp.post("/admin/certificates/<number>/correct")
@requires(Permission.MANAGE)
def correct(number):
    cert = service.find(number)
    try:
        new = service.correct(cert, request.form.to_dict(), actor=current_user,
                              reason=request.form.get("reason", ""))
    except DomainError as exc:
        db.session.rollback()
        flash(f"Not corrected: {exc.message}")
        return redirect(url_for(".detail", number=number))
    db.session.commit()
    flash(f"{new.number} issued; it supersedes {number}.")
    return redirect(url_for(".detail", number=new.number))


@bp.get("/admin/certificates/report")
@requires(Permission.VIEW)
def report():
    return render_template("certificates/report.html", **reports.summary())


class BatchForm(FlaskForm):
    tags = TextAreaField("Asset tags, one per line", validators=[DataRequired()])
    vendor = StringField("Vendor", validators=[DataRequired(), Length(max=200)])
    vendor_certification = SelectField("Vendor certification",
                                       choices=list(service.VENDOR_CERTIFICATIONS))
    method = SelectField("Method", choices=list(service.DISPOSAL_METHODS.items()))
    weight_kg = NumberField("Total weight (kg)",
                             validators=[Optional(), NumberRange(min=0, max=1_000_000)])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=10_000)])
    operator = StringField("Handed over by", validators=[Optional(), Length(max=200)])
    witness = StringField("Received by (the vendor's driver)",
                          validators=[Optional(), Length(max=200)])
    signature_operator = HiddenField()
    signature_witness = HiddenField()


@bp.get("/admin/certificates/batches")
@requires(Permission.MANAGE)
def batch_index():
    return render_template("certificates/batches.html", batches=batches.recent())


@bp.route("/admin/certificates/batches/new", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def batch_new():
    form = BatchForm()
    if form.validate_on_submit():
        try:
            batch = batches.create_batch(
                form.tags.data.splitlines(), vendor=form.vendor.data,
                vendor_certification=form.vendor_certification.data, method=form.method.data,
                actor=current_user, notes=form.notes.data or "",
                weight_kg=float(form.weight_kg.data) if form.weight_kg.data is not None else None,
                operator=form.operator.data or "", witness=form.witness.data or "",
                signatures=batches.signatures(operator=form.signature_operator.data,
                                              witness=form.signature_witness.data))
        except DomainError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"Batch {batch.number}: {len(batch.certificate.facts['assets'])} assets "
                  f"disposed of; certificate {batch.certificate.number} issued.")
            return redirect(url_for(".batch_index"))
    return render_template("certificates/batch_new.html", form=form,
                           people=org.people_to_pick()), form_status(form)
