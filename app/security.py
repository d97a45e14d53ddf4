"""The request hooks that keep every page and API call safe: input the databases cannot hold
refused at the door, who an API call is, CSRF, and the response headers."""
from flask import Flask, current_app, g, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.routing import IntegerConverter

from app import inputs
from app.dbtypes import MAX_INT
from app.errors import BadRequest, json_error, wants_json
from app.extensions import csrf, login_manager

# Scripts only from this server ('wasm-unsafe-eval' lets the barcode decoder compile its
# WebAssembly); photos and camera frames are blob: URLs; nothing may frame the app.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        "media-src 'self' blob: mediastream:; connect-src 'self'; worker-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
}
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class IdConverter(IntegerConverter):
    """`<int:...>` in a route: only ids the databases can hold match; a larger number is a
    page that does not exist (404), not an overflow in the query."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INT)
        super().__init__(map, *args, **kwargs)


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer` header (the scheme ignores case), or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _refuse_bad_input():
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.mimetype in FORM_TYPES:
        values += [*request.form.keys(), *request.form.values()]
    reason = inputs.problem(values)
    if reason:
        raise BadRequest(f"The address or form cannot be taken: {reason}.", {"input": reason})


def _api_identity():
    # Under /api a bearer header is the whole identity: a valid token signs its user in and
    # the session cookie is never read, so a forged page cannot borrow the session; any other
    # value signs nobody in.
    token = bearer_token() if request.path.startswith("/api/") else None
    if token is not None:
        from app.auth.access import user_for_token
        g._login_user = user_for_token(token) or login_manager.anonymous_user()


def _csrf():
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    # A token call carries no cookie to forge; an API call with nobody signed in is answered
    # 401 by its view. Everything else that writes with the session needs the CSRF token.
    if request.path.startswith("/api/") and (
            bearer_token() is not None or not current_user.is_authenticated):
        return
    csrf.protect()


def _csrf_error(_exc):
    message = "The form expired or came from elsewhere. Reload the page and try again."
    if wants_json():
        return json_error(400, "csrf_failed", message)
    return render_template("errors.html", code=400, message=message), 400


def _headers(response):
    response.headers.update(SECURITY_HEADERS)
    return response


def init(app: Flask) -> None:
    """Before any blueprint: the id converter applies to routes as they are added."""
    app.url_map.converters["int"] = IdConverter
    for hook in (_refuse_bad_input, _api_identity, _csrf):
        app.before_request(hook)
    app.register_error_handler(CSRFError, _csrf_error)
    app.after_request(_headers)
