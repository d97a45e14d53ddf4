"""The OpenAPI description is generated from the routes, so it lists every API call."""
from openapi_spec_validator import validate


def test_spec_lists_every_api_route_with_its_body(app, client):
    spec = client.get("/api/openapi.json").json
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = rule.rule.replace("<int:", "<").replace("<", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method.lower()) in documented
    create = spec["paths"]["/api/v1/assets"]["post"]
    schema = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    asset_in = spec["components"]["schemas"][schema.rsplit("/", 1)[1]]
    assert {"tag", "name"} <= set(asset_in["required"])
    assert "multipart/form-data" in spec["paths"]["/api/v1/decode"]["post"]["requestBody"][
        "content"]
    validate(spec)
