from tests.factories import make_asset


def test_health_reports_database(client):
    reply = client.get("/healthz")
    assert reply.status_code == 200
    assert reply.json == {"status": "ok", "database": "ok"}


def test_asset_page_shows_created_asset(app, login):
    asset = make_asset(name="Dock")
    reply = login().get(f"/admin/assets/{asset.tag}")
    assert reply.status_code == 200
    assert b"Dock" in reply.data


def test_every_response_carries_the_security_headers(client):
    headers = client.get("/auth/login").headers
    assert "script-src 'self' 'wasm-unsafe-eval'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
