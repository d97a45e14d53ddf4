"""Admin forms for categories and models."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.dbtypes import MAX_MONEY
from app.forms import NumberField


def strip(value):
    return value.strip() if isinstance(value, str) else value


class CategoryForm(FlaskForm):
    name = StringField("Name", filters=[strip], validators=[DataRequired(), Length(max=100)])
    holds_data = BooleanField("Holds data (must be wiped before disposal)")


class ModelForm(FlaskForm):
    name = StringField("Name", filters=[strip], validators=[DataRequired(), Length(max=200)])
    manufacturer = StringField("Manufacturer", filters=[strip],
                               validators=[DataRequired(), Length(max=100)])
    model_number = StringField("Model number", filters=[strip],
                               validators=[DataRequired(), Length(max=100)])
    category = SelectField("Category", coerce=int, choices=[],
                           validators=[DataRequired(message="Choose a category.")])
    useful_life_months = IntegerField("Useful life (months)", default=48, validators=[
        InputRequired(), NumberRange(min=1, max=600, message="Enter 1 to 600 months.")])
    replacement_cost = NumberField("Replacement cost (a new one today)", places=2, validators=[
        Optional(), NumberRange(min=0, max=MAX_MONEY,
                                message=f"Enter a cost from 0 to {MAX_MONEY:,}.")])
    warranty_months = IntegerField("Warranty (months from purchase)", validators=[
        Optional(), NumberRange(min=1, max=600, message="Enter 1 to 600 months.")])
    warranty_provider = StringField("Warranty provider (blank: the supplier)", filters=[strip],
                                    validators=[Optional(), Length(max=200)])
    warranty_usage_limit = NumberField("Warranty usage limit (such as 100000)", places=2,
                                       validators=[Optional(), NumberRange(
                                           min=0, max=10**12, message="Enter a limit from 0 "
                                           "to 1,000,000,000,000.")])
    warranty_usage_meter = StringField("Meter that counts it (such as odometer or hours)",
                                       filters=[strip], validators=[Optional(), Length(max=100)])
