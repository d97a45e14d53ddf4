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
