"""Admin forms for categories and models."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange


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
