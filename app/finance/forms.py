"""The form finance edits a depreciation profile with, the one that adds a book, and the
asset page's write-down form."""
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app.finance.books import PROFILE_METHODS
from app.finance.depreciation import CONVENTIONS, MAX_LIFE_MONTHS
from app.finance.models import StartFrom
from app.forms import NumberField


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _more_than_zero(_form, field):
    if field.data is not None and field.data <= 0:
        raise ValidationError("A declining-balance factor is more than 0 (2 is double "
                              "declining, 1.5 is 150%).")


class ProfileForm(FlaskForm):
    book = SelectField("Book", choices=[])
    applies_to = SelectField("Applies to (a category or a model)", choices=[])
    asset = StringField("…or one asset: its tag (filled: the profile is that asset's own)",
                        filters=[_strip], validators=[Optional(), Length(max=64)])
    method = SelectField("Method", choices=[(m, m.replace("_", " ")) for m in PROFILE_METHODS])
    factor = NumberField("Factor (declining balance: 2 is 200%, 1.5 is 150%; blank: 2)",
                         places=4, validators=[Optional(), _more_than_zero, NumberRange(
                             max=10, message="A factor is at most 10.")])
    life_months = IntegerField("Useful life (months)", validators=[
        InputRequired(message="Enter the useful life in months."),
        NumberRange(min=1, max=MAX_LIFE_MONTHS,
                    message=f"A useful life is 1 to {MAX_LIFE_MONTHS} months.")])
    salvage_percent = NumberField("Salvage (percent of cost, 0 to 100)", places=2, default=0,
                                  validators=[InputRequired(message="Enter a percent (0: none)."),
                                              NumberRange(min=0, max=100, message=(
                                                  "Salvage is 0 to 100 percent of cost: it "
                                                  "cannot be more than the cost."))])
    convention = SelectField("Convention", choices=[(c, c.replace("_", " "))
                                                    for c in CONVENTIONS])
    start_from = SelectField("Depreciation starts from", choices=[
        (StartFrom.PURCHASE.value, "the purchase date"),
        (StartFrom.IN_SERVICE.value, "the day it entered the register"),
        (StartFrom.FIRST_DEPLOYMENT.value, "its first check-out (else the purchase date)")])


class BookForm(FlaskForm):
    name = StringField("New book (such as tax)", filters=[_strip],
                       validators=[InputRequired(), Length(max=40)])


class WriteDownForm(FlaskForm):
    book = StringField("Book", default="company", filters=[_strip],
                       validators=[InputRequired(), Length(max=40)])
    kind = SelectField("Kind", choices=[("write_down", "write-down"),
                                        ("impairment", "impairment")])
    amount = NumberField("Amount", places=2, validators=[
        InputRequired(message="Enter the amount written off.")])
    on = DateField("On", validators=[InputRequired(message="Enter the day (such as "
                                                           "2026-06-30).")])
    reason = StringField("Reason", filters=[_strip],
                         validators=[InputRequired(message="Say why."), Length(max=2000)])
