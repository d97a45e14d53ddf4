"""One DomainError, one map from its code to the status the API answers with."""
import re
from pathlib import Path

import pytest

from app.errors import STATUS, DomainError, NotFound, ValidationFailed
from app.lifecycle.pipeline import EventIn, apply_or_raise
from tests.factories import make_asset, make_user

APP = Path(__file__).resolve().parents[2] / "app"


def every_subclass(cls=DomainError) -> list[type[DomainError]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *every_subclass(sub)]
    return found


def answer(app, error: DomainError, path="/api/v1/raise"):
    """What the app answers when a view raises `error`."""
    endpoint = f"raise{len(app.view_functions)}"

    def view():
        raise error
    app.add_url_rule(path, endpoint, view)
    return app.test_client().get(path)


def test_every_subclass_takes_its_status_from_the_one_map(app):
    subclasses = every_subclass()  # create_app has imported every domain
    names = {cls.__name__ for cls in subclasses}
    assert {"ValidationFailed", "BlobRefused", "ImageRefused", "CertificateFailed",
            "Throttled", "NoPublicAddress", "AlreadyResolved"} <= names, names
    for cls in subclasses:
        assert cls.status == STATUS[cls.code], cls
        assert cls("refused").status == STATUS[cls.code], cls


@pytest.mark.parametrize("code", sorted(STATUS))
def test_every_code_answers_its_status_in_the_envelope(app, code):
    reply = answer(app, DomainError("Refused, for a person.", {"field": "why"}, code=code))
    assert reply.status_code == STATUS[code]
    assert reply.json == {"error": {"code": code, "message": "Refused, for a person.",
                                    "details": {"field": "why"}}}


def test_pages_answer_the_same_status(app):
    reply = answer(app, NotFound("No such thing."), path="/not-api/raise")
    assert reply.status_code == 404 and "No such thing." in reply.get_data(as_text=True)


def test_a_code_given_at_construction_brings_its_status_and_status_overrides(app):
    assert ValidationFailed("too big", code="too_large").status == 413
    assert NotFound("gone", code="unknown_payload").code == "unknown_payload"
    assert DomainError("x").status == 409 and DomainError("x", code="").code == "conflict"
    assert DomainError("x", code="not_in_the_map").status == 409  # a conflict, as the base
    assert answer(app, DomainError("x", code="invalid", status=400)).status_code == 400


def test_a_subclass_with_a_code_missing_from_the_map_is_refused_at_import():
    with pytest.raises(KeyError):
        type("Unlisted", (DomainError,), {"code": "no_such_code"})


def test_every_code_the_app_names_is_in_the_map():
    named = set()
    for path in APP.rglob("*.py"):
        text = path.read_text()
        named |= set(re.findall(r'\bcode="([a-z_]+)"', text))
        named |= set(re.findall(r'^    code = "([a-z_]+)"', text, re.MULTILINE))
    assert named and named <= set(STATUS), named - set(STATUS)


@pytest.mark.parametrize(("event", "code", "status"), [
    (EventIn("transfer", "NOPE", {"to_location": "X"}), "not_found", 404),
    (EventIn("check_in", "A1", {}), "invalid", 422),
    (EventIn("repair", "A1", {"symptom": "x" * 2_000_000}), "too_large", 413),
    (EventIn("wipe", "A1", {"method": "clear", "technique": "overwrite", "verified": True,
                            "witness": "W"}), "invalid_transition", 409),
])
def test_a_refusal_through_the_pipeline_keeps_its_code_and_status(app, event, code, status):
    make_asset(tag="A1")
    with pytest.raises(DomainError) as refused:
        apply_or_raise(event, actor=make_user())
    assert (refused.value.code, refused.value.status) == (code, status)
