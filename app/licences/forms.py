"""Desk forms for licences and their seats."""
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.catalog.forms import strip
from app.dbtypes import MAX_MONEY
from app.forms import NumberField
from app.licences.models import Contract, LicenceKind


def _choices(enum) -> list[tuple[str, str]]:
    return [(m.value, m.value.replace("_", " ")) for m in enum]


class LicenceForm(FlaskForm):
    name = StringField("Name", filters=[strip], validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=_choices(LicenceKind))
    contract = SelectField("Contract", choices=_choices(Contract))
    seats = IntegerField("Seats (blank: unlimited)", validators=[
        Optional(), NumberRange(min=0, max=10_000_000, message="Enter 0 to 10,000,000.")])
    cost = NumberField("Cost for the whole term", places=2, validators=[
        InputRequired(), NumberRange(min=0, max=MAX_MONEY,
                                     message=f"Enter a cost from 0 to {MAX_MONEY:,}.")])
    term_start = DateField("Term starts", validators=[InputRequired()])
    term_end = DateField("Term ends", validators=[InputRequired()])
    notice_days = IntegerField("Notice (days before the end)", default=30, validators=[
        InputRequired(), NumberRange(min=0, max=3650, message="Enter 0 to 3,650 days.")])
    vendor = StringField("Vendor", filters=[strip], validators=[Optional(), Length(max=200)])

    def as_data(self) -> dict:
        """The form as the service takes it (LicenceIn)."""
        return {"name": self.name.data, "kind": self.kind.data, "contract": self.contract.data,
                "seats": self.seats.data, "cost": self.cost.data,
                "term_start": self.term_start.data.isoformat(),
                "term_end": self.term_end.data.isoformat(),
                "notice_days": self.notice_days.data, "vendor": self.vendor.data or ""}


class AssignForm(FlaskForm):
    person = StringField("Person (code or e-mail)", filters=[strip],
                         validators=[Optional(), Length(max=254)])
    asset = StringField("Asset (tag)", filters=[strip], validators=[Optional(), Length(max=64)])


class ReleaseForm(FlaskForm):
    reason = StringField("Why", filters=[strip], validators=[Optional(), Length(max=200)])
