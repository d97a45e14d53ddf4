"""The asset page's meter forms: add a meter, record a reading."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.forms import NumberField
from app.meters.models import MeterKind
from app.meters.service import LIMIT


class MeterForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=64)])
    kind = SelectField("Kind", choices=[(MeterKind.COUNTER.value, "Counter (hours, km, pages)"),
                                        (MeterKind.GAUGE.value, "Gauge (temperature, vibration)")])
    unit = StringField("Unit", validators=[Optional(), Length(max=32)])
    target = NumberField("Service at (a counter's value)",
                         validators=[Optional(), NumberRange(min=-LIMIT, max=LIMIT)])
    stale_after_days = IntegerField("Stale after days without a reading",
                                    validators=[Optional(), NumberRange(min=1, max=3650)])


class ReadingForm(FlaskForm):
    meter = SelectField("Meter", validators=[DataRequired()])
    value = NumberField("Reading", validators=[InputRequired(message="Give the value read."),
                                               NumberRange(min=-LIMIT, max=LIMIT)])
    at = DateTimeLocalField("Read at (UTC; blank: now)", format="%Y-%m-%dT%H:%M",
                            validators=[Optional()])
    reset = BooleanField("The meter was reset")
