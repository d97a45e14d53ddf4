"""Domain errors and the error responses: one JSON envelope under /api, one HTML page elsewhere."""
from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, SecurityError


class DomainError(Exception):
    """A request the domain refuses; the message is for a person."""

    status_code = 409
    code = "conflict"

    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class ValidationFailed(DomainError):
    status_code = 422
    code = "invalid"


class BadRequest(DomainError):
    status_code = 400
    code = "bad_request"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class NotAllowed(DomainError):
    status_code = 403
    code = "forbidden"


class InvalidTransition(DomainError):
    status_code = 409
    code = "invalid_transition"


class Duplicate(DomainError):
    status_code = 409
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
            return json_error(exc.status_code, exc.code, exc.message, exc.details)
        return render_template("errors.html", code=exc.status_code,
                               message=exc.message), exc.status_code

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
