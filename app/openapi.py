"""GET /api/openapi.json: the API's OpenAPI description, generated from the routes themselves
(their paths, methods, permissions, docstrings and the marshmallow schemas they read)."""
import re
from decimal import Decimal

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app

bp = Blueprint("openapi", __name__)

ERROR = {"type": "object", "properties": {"error": {"type": "object", "properties": {
    "code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}}}}}
BODIES = {"PUT": {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}},
          "multipart": {"content": {"multipart/form-data": {"schema": {
              "type": "object", "properties": {"image": {"type": "string",
                                                         "format": "binary"}}}}}}}


def build_spec(app) -> dict:
    spec = APISpec(title="Tagtrail API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", ERROR)
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/v1"):
            continue
        view = app.view_functions[rule.endpoint]
        path = re.sub(r"<(?:[a-z]+:)?(\w+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, method, view)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    for schema in document["components"]["schemas"].values():
        for prop in schema.get("properties", {}).values():
            for bound in ("minimum", "maximum"):  # Decimal fields give Decimal bounds
                if isinstance(prop.get(bound), Decimal):
                    prop[bound] = float(prop[bound])
    return document


def _operation(rule, method: str, view) -> dict:
    doc = (view.__doc__ or "").strip()
    summary = doc.splitlines()[0] if doc else rule.endpoint.split(".")[-1].replace("_", " ")
    operation = {
        "operationId": f"{rule.endpoint}.{method.lower()}", "summary": summary,
        "security": [{"bearer": []}],
        "parameters": [{"name": name, "in": "path", "required": True,
                        "schema": {"type": "string"}} for name in sorted(rule.arguments)],
        "responses": {"200": {"description": "Done"},
                      "default": {"description": "An error",
                                  "content": {"application/json": {"schema": "Error"}}}},
    }
    if getattr(view, "permission", None):
        operation["description"] = f"Needs the '{view.permission}' permission."
    body = getattr(view, "body_schema", None)
    if isinstance(body, str):
        operation["requestBody"] = BODIES[body]
    elif body is not None:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": body}}}
    return operation


@bp.get("/api/openapi.json")
def openapi():
    return build_spec(current_app)
