"""Domain errors and the error responses: one JSON envelope under /api, one HTML page elsewhere."""
from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, SecurityError

# Every code a DomainError carries, and the HTTP status it answers with: the one place a
# status is decided. A refusal inside the pipeline travels on as its code alone (Outcome.code),
# so whoever raises it again (apply_or_raise, a disposal batch) finds the same status here.
STATUS = {
    "bad_request": 400, "invalid_sha256": 400, "empty": 400,
    "forbidden": 403,
    "not_found": 404, "unknown_payload": 404,
    "conflict": 409, "invalid_transition": 409, "duplicate": 409, "id_reused": 409,
    "already_resolved": 409, "not_applied": 409,
    "too_large": 413, "image_too_large": 413, "too_many_pixels": 413,
    "not_an_image": 415,
    "invalid": 422, "invalid_blob": 422, "hash_mismatch": 422, "bad_image": 422,
    "corrupt_image": 422,
    "too_many_attempts": 429,
    "certificate_failed": 500,
    "no_public_address": 503,
}


class DomainError(Exception):
    """A request the domain refuses; the message is for a person. A subclass names its code;
    its status comes from STATUS. `code=` gives one refusal another code (and so its status),
    `status=` overrides the status alone."""

    code = "conflict"
    status = STATUS[code]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.status = STATUS[cls.code]  # a KeyError here: add the new code to STATUS

    def __init__(self, message: str, details: dict | None = None, *, code: str | None = None,
                 status: int | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code:
            self.code = code
        self.status = status or STATUS.get(self.code, DomainError.status)


class ValidationFailed(DomainError):
    code = "invalid"


class BadRequest(DomainError):
    code = "bad_request"


class NotFound(DomainError):
    code = "not_found"


class NotAllowed(DomainError):
    code = "forbidden"


class InvalidTransition(DomainError):
    code = "invalid_transition"


class Duplicate(DomainError):
    code = "duplicate"


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, details: dict | None = None):
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return jsonify(body), status


def _slug(exc: HTTPException) -> str:
    return (exc.name or "error").lower().replace(" ", "_").replace("'", "")


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if wants_json():
            return json_error(exc.status, exc.code, exc.message, exc.details)
        return render_template("errors.html", code=exc.status, message=exc.message), exc.status

    @app.errorhandler(SecurityError)
    def untrusted_host(_exc):
        # Flask refused the Host header (TRUSTED_HOSTS), so it made no URL adapter: no page
        # that links anywhere can be rendered. A plain answer instead.
        message = "This server does not answer to that host name."
        if wants_json():
            return json_error(400, "untrusted_host", message)
        return message, 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        message = exc.description or exc.name
        if exc.code == 413:
            limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
            message = f"The request body is larger than the {limit} MB limit."
        if wants_json():
            response, status = json_error(exc.code or 500, _slug(exc), message)
            if exc.code == 405 and exc.valid_methods:
                response.headers["Allow"] = ", ".join(exc.valid_methods)
            return response, status
        return render_template("errors.html", code=exc.code, message=message), exc.code

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        message = "Something went wrong on our side; nothing was saved. Please try again."
        if wants_json():
            return json_error(500, "internal_error", message)
        return render_template("errors.html", code=500, message=message), 500
