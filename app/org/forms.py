"""Admin forms for locations, departments and people."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.org.models import LocationKind
from app.org.schemas import CODE_PATTERN, EMAIL_PATTERN

CODE = [Length(max=64), Regexp(CODE_PATTERN, message="A code has no spaces.")]


def strip(value):
    return value.strip() if isinstance(value, str) else value


def lower(value):
    return value.strip().lower() if isinstance(value, str) else value


class LocationForm(FlaskForm):
    code = StringField("Code", filters=[strip], validators=[DataRequired(), *CODE])
    name = StringField("Name", filters=[strip], validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", default=LocationKind.ROOM.value,
                       choices=[(k.value, k.value.title()) for k in LocationKind])
    parent = SelectField("Inside", choices=[], validate_choice=False)


class DepartmentForm(FlaskForm):
    code = StringField("Code", filters=[strip], validators=[DataRequired(), *CODE])
    name = StringField("Name", filters=[strip], validators=[DataRequired(), Length(max=200)])


class PersonForm(FlaskForm):
    code = StringField("Code", filters=[strip], validators=[Optional(), *CODE])
    name = StringField("Name", filters=[strip], validators=[DataRequired(), Length(max=200)])
    email = EmailField("E-mail", filters=[lower], validators=[
        Optional(), Length(max=254), Regexp(EMAIL_PATTERN, message="Enter an e-mail address.")])
    department = SelectField("Department", choices=[], validate_choice=False)
    active = BooleanField("Active", default=True)
