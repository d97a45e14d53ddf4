"""JSON shapes of locations and people: what the API accepts and returns."""
from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from app.org.models import LocationKind

CODE_PATTERN = r"^\S{1,64}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+$"


def code_field(**kwargs) -> fields.Str:
    return fields.Str(validate=validate.Regexp(
        CODE_PATTERN, error="A code is 1 to 64 characters without spaces."), **kwargs)


def name_field() -> fields.Str:
    return fields.Str(required=True, validate=[
        validate.Length(min=1, max=200), validate.Regexp(r"^\s*\S", error="Give a name.")])


class LocationIn(Schema):
    class Meta:
        unknown = RAISE

    code = code_field(required=True)
    name = name_field()
    parent = fields.Str(allow_none=True, validate=validate.Length(max=64))
    kind = fields.Str(load_default=LocationKind.ROOM.value,
                      validate=validate.OneOf([k.value for k in LocationKind]))


class LocationOut(Schema):
    code = fields.Str()
    name = fields.Str()
    kind = fields.Str()
    parent = fields.Function(lambda loc: loc.parent.code if loc.parent else None)


class PersonIn(Schema):
    class Meta:
        unknown = RAISE

    code = code_field(allow_none=True)
    email = fields.Str(allow_none=True, validate=[
        validate.Length(max=254), validate.Regexp(EMAIL_PATTERN, error="Not an e-mail address.")])
    name = name_field()
    department = fields.Str(allow_none=True, validate=validate.Length(min=1, max=64))

    @validates_schema
    def _code_or_email(self, data, **kwargs):
        if not data.get("code") and not data.get("email"):
            raise ValidationError("Give a code or an e-mail address.", field_name="code")


class PersonOut(Schema):
    code = fields.Str()
    name = fields.Str()
    email = fields.Str(allow_none=True)
    department = fields.Function(lambda p: p.department.code if p.department else None)
    active = fields.Bool()
