"""The form that starts a stock-take."""
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class StartForm(FlaskForm):
    location = SelectField("Location to count (with everything under it)",
                           validators=[DataRequired()])
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])
