"""The label printing form."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import NumberRange, Optional

from app.labels.layouts import STOCKS


class LabelForm(FlaskForm):
    source = RadioField("Print", default="tags", choices=[
        ("tags", "These assets"), ("search", "The assets matching a search"),
        ("blank", "Blank pre-numbered tags"),
        ("places", "Room and shelf labels: a place and everything in it")])
    place = SelectField("Place", choices=[], validate_choice=False)
    tags = TextAreaField("Asset tags, one per line", validators=[Optional()])
    q = TextAreaField("Search", validators=[Optional()])
    count = IntegerField("How many", default=65,
                         validators=[Optional(), NumberRange(min=1, max=5000)])
    stock = SelectField("Label stock", choices=[(s.key, s.name) for s in STOCKS.values()])
    position = IntegerField("Start at label position", default=1,
                            validators=[NumberRange(min=1, max=200)])
    code128 = BooleanField("Add a Code 128 barcode (for 1D-only scanners)")
