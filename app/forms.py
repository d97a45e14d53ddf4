"""Helpers every admin form view shares: a number field, showing a refusal on the form, and
its status code."""
from flask_wtf import FlaskForm
from wtforms import DecimalField

from app.errors import DomainError
from app.extensions import db


def show_error(form: FlaskForm, exc: DomainError) -> None:
    """Put the service's refusal next to the field it names, else above the form."""
    db.session.rollback()
    per_field = exc.details.get("fields")
    if isinstance(per_field, dict):  # schema messages, one list per field
        placed = [name for name in per_field if name in form]
        for name in placed:
            problem = per_field[name]
            form[name].errors = [*form[name].errors,
                                 *(problem if isinstance(problem, list) else [str(problem)])]
        if placed:
            return
    name = next((key for key in exc.details if key in form), None)
    if name:
        form[name].errors = [*form[name].errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def form_status(form: FlaskForm) -> int:
    return 422 if form.errors or form.form_errors else 200


class NumberField(DecimalField):
    """A DecimalField for finite numbers only: Decimal also reads "NaN" and "Infinity", which
    no range check can compare and no certificate should print."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Enter a number."))
