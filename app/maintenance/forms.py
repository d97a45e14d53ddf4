"""Desk forms for work orders. They check shapes and carry the CSRF token; the event types'
schemas and the pipeline check the rules."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.dbtypes import MAX_MONEY
from app.forms import NumberField
from app.maintenance.models import Priority, WorkOrderKind


class OpenForm(FlaskForm):
    kind = SelectField("Kind", default=WorkOrderKind.CORRECTIVE.value,
                       choices=[(k.value, k.value.title()) for k in WorkOrderKind])
    title = StringField("Title (what is wrong, or what to do)",
                        validators=[DataRequired(), Length(max=200)])
    priority = SelectField("Priority", default="", choices=[
        ("", "From the asset's criticality"), *[(p.value, p.value.title()) for p in Priority]])
    due = DateField("Due", validators=[Optional()])
    assignee = StringField("Assignee (a user's e-mail)", validators=[Optional(), Length(max=254)])
    out_of_service = BooleanField("Out of service while the order is open")
    checklist = TextAreaField("Checklist (one item a line)",
                              validators=[Optional(), Length(max=50_000)])
    estimate = NumberField("Repair estimate (optional: weighed against replacing it)", places=2,
                           validators=[Optional(), NumberRange(min=0, max=MAX_MONEY)])

    def data_for_event(self) -> dict:
        data = {"kind": self.kind.data, "title": (self.title.data or "").strip(),
                "out_of_service": bool(self.out_of_service.data)}
        if self.priority.data:
            data["priority"] = self.priority.data
        if self.due.data:
            data["due"] = self.due.data.isoformat()
        if (self.assignee.data or "").strip():
            data["assignee"] = self.assignee.data.strip()
        lines = [line.strip() for line in (self.checklist.data or "").splitlines()]
        if any(lines):
            data["checklist"] = [line for line in lines if line]
        if self.estimate.data is not None:
            data["estimate"] = str(self.estimate.data)
        return data


class ActionForm(FlaskForm):
    """The envelope of a step on an order's page (and its CSRF token); the step's fields are
    read from the posted form by the view."""
