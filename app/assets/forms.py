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
    """One form for every action button on the asset page; `type` picks the fields used."""

    type = HiddenField(validators=[DataRequired()])
    base_version = HiddenField()
    location = SelectField("Location", choices=[], validate_choice=False)
    to_location = SelectField("To", choices=[], validate_choice=False)
    assignee = StringField("Person (code or e-mail)", validators=[Optional(), Length(max=254)])
    reason = StringField("Reason", validators=[Optional(), Length(max=2000)])
    symptom = StringField("Symptom", validators=[Optional(), Length(max=2000)])
    work_done = StringField("Work done", validators=[Optional(), Length(max=10_000)])
    code = StringField("Code on the label", validators=[Optional(), Length(max=200)])
    note = StringField("Note", validators=[Optional(), Length(max=10_000)])

    # The actions this form can record, with the fields each asks for besides the note.
    # Wipes and disposals take photos and signatures: the phone app records those.
    FIELDS = {"check_in": ("location",), "receive": ("location",),
              "check_out": ("assignee",), "transfer": ("to_location",),
              "retire": ("reason",), "repair": ("symptom", "work_done"),
              "mark_found": ("location",), "mark_lost": (), "approve": (), "order": (),
              "attach_code": ("code",)}
    OPTIONAL = frozenset({("repair", "work_done"), ("mark_found", "location")})

    def data_for(self, event_type: str, in_repair: bool) -> dict:
        data = {}
        for name in self.FIELDS.get(event_type, ()) + ("note",):
            value = (getattr(self, name).data or "").strip()
            if value:
                data[name] = value
        if event_type == "repair":
            # Work done on an asset in repair closes it; a fault without work done opens one.
            if not data.get("work_done"):
                data["status"] = "open"
            elif in_repair:
                data["status"] = "closed"
        return data
