"""Forms for user administration (the sign-up shape is app.auth.forms.UserForm)."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.auth.forms import ROLE_CHOICES, UserForm
from app.auth.roles import Role

PASSWORD_LENGTH = Length(min=8, max=200, message="A password needs 8 to 200 characters.")


class NewUserForm(UserForm):
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.TECHNICIAN.value)
    password = PasswordField("Password", validators=[DataRequired(), PASSWORD_LENGTH])


class EditUserForm(FlaskForm):
    name = StringField("Name", validators=[Optional(), Length(max=200)])
    role = SelectField("Role", choices=ROLE_CHOICES)
    active = BooleanField("Active")
    password = PasswordField("New password", validators=[Optional(), PASSWORD_LENGTH])


class TokenForm(FlaskForm):
    name = StringField("What the token is for", validators=[DataRequired(), Length(max=100)])
