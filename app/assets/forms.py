"""Admin forms for the register. They check shapes; the pipeline checks the rules."""
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.assets.models import Criticality
from app.dbtypes import MAX_MONEY
from app.forms import NumberField
from app.lifecycle.states import CREATE_STATUSES
from app.lifecycle.types import EventType, describe

OPTIONAL = [Optional()]


class AssetForm(FlaskForm):
    tag = StringField("Tag", validators=[DataRequired(), Length(max=64)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    serial = StringField("Serial number", validators=[Optional(), Length(max=100)])
    model = SelectField("Model", choices=[], validate_choice=False)
    category = SelectField("Category", choices=[], validate_choice=False)
    location = SelectField("Location", choices=[], validate_choice=False)
    department = SelectField("Department", choices=[], validate_choice=False)
    assignee = StringField("Assignee (person code or e-mail)",
                           validators=[Optional(), Length(max=254)])
    criticality = SelectField("Criticality", default=Criticality.MEDIUM.value,
                              choices=[(c.value, c.value.title()) for c in Criticality])
    status = SelectField("Status", default="in_stock",
                         choices=[(s, s.replace("_", " ")) for s in sorted(CREATE_STATUSES)])
    purchase_date = DateField("Purchase date", validators=OPTIONAL)
    purchase_cost = NumberField("Purchase cost", places=2, validators=[Optional(), NumberRange(
        min=0, max=MAX_MONEY, message=f"Enter a cost from 0 to {MAX_MONEY:,}.")])
    supplier = StringField("Supplier", validators=[Optional(), Length(max=200)])
    warranty_end = DateField("Warranty ends", validators=OPTIONAL)
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=10_000)])
    base_version = HiddenField()

    REFS = ("model", "category", "location", "department", "assignee")
    EDITABLE = ("name", "serial", "model", "category", "department", "criticality",
                "purchase_date", "purchase_cost", "supplier", "warranty_end", "notes")

    def values(self, names) -> dict:
        """The form as pipeline data: blanks become None, references stay codes."""
        data = {}
        for name in names:
            value = getattr(self, name).data
            if isinstance(value, str):
                value = value.strip() or None
            data[name] = value
        if data.get("purchase_cost") is not None:
            data["purchase_cost"] = str(data["purchase_cost"])
        for name in ("purchase_date", "warranty_end"):
            if data.get(name) is not None:
                data[name] = data[name].isoformat()
        return data


class EventForm(FlaskForm):
    """The envelope of every action on the asset page (and its CSRF token). The fields each
    action asks for come from its event type, the same description the phone is sent."""

    type = HiddenField(validators=[DataRequired()])
    base_version = HiddenField()


def event_data(kind: EventType, form) -> dict:
    """An action's posted fields as event data: blanks left out, a box as yes or no, a list
    from its commas. The event type's own schema then checks it."""
    data = {}
    for name, entry in describe(kind.schema).items():
        if entry["kind"] == "check":
            data[name] = name in form
            continue
        value = (form.get(name) or "").strip()
        if value:
            data[name] = ([v.strip() for v in value.split(",") if v.strip()]
                          if entry["kind"] == "list" else value)
    return data
