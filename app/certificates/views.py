"""Certificate pages: the public verification page, the PDF, a manager's correction and the
compliance report."""
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

from app.auth.access import requires
from app.auth.roles import Permission
from app.certificates import reports, service
from app.errors import DomainError
from app.extensions import db

bp = Blueprint("certificates", __name__)


@bp.get("/verify/<number>")
def verify(number):
    """Public: anyone holding a certificate can check it, no sign-in needed."""
    cert = db.session.scalar(db.select(service.Certificate).where(
        service.Certificate.number == number))
    if cert is None:
        return render_template("certificates/verify.html", number=number, cert=None), 404
    actual = service.stored_sha256(cert)
    return render_template("certificates/verify.html", number=number, cert=cert,
                           actual=actual, tampered=actual != cert.sha256,
                           superseded_by=cert.superseded_by)


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
    return render_template("certificates/detail.html", cert=cert,
                           superseded_by=cert.superseded_by, fields=service.CORRECTABLE)


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
