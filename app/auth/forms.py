"""Sign-in and user administration forms."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.auth.roles import Role

ROLE_CHOICES = [(r.value, r.value.title()) for r in Role]


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in on this device")


class UserForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254), Regexp(
        r"^[^@\s]+@[^@\s]+$", message="Enter an e-mail address.")])
    name = StringField("Name", validators=[Optional(), Length(max=200)])
    role = SelectField("Role", choices=ROLE_CHOICES)
    password = PasswordField("Password", validators=[Optional(), Length(min=8, max=200)])
    active = BooleanField("Active", default=True)
