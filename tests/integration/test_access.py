"""Who may reach what: every route for every role, CSRF, sign-in throttling, cookies."""
import re

import pytest

from app import create_app
from app.auth.roles import GRANTS, Role
from app.extensions import db
from tests.factories import PASSWORD, make_asset, make_token, make_user

# Sign-in, health, and the phone app's shells (no data in them; their API calls need a user).
PUBLIC = {"static", "health.healthz", "auth.login", "auth.logout", "pwa.home", "pwa.scan",
          "pwa.stocktake", "pwa.offline", "pwa.work", "pwa.receive", "pwa.manifest",
          "pwa.service_worker", "openapi.openapi", "certificates.verify"}


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def fill(rule, tag):
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(rf"<(?:[a-z]+:)?{name}>", tag if name == "tag" else "1", url)
    return url


def test_every_route_declares_its_permission(app):
    missing = [r.endpoint for r, _ in routes(app)
               if not hasattr(app.view_functions[r.endpoint], "permission")]
    assert missing == []


@pytest.mark.parametrize("role", [*Role, None])
def test_role_matrix_over_every_route(app, role):
    asset = make_asset()
    client = app.test_client(user=make_user(role)) if role else app.test_client()
    wrong = []
    for rule, method in routes(app):
        url = fill(rule, asset.tag)
        reply = client.open(url, method=method, data={})
        db.session.rollback()
        needed = app.view_functions[rule.endpoint].permission
        if role is None:
            expected = {401} if url.startswith("/api/") else {302}
            ok = reply.status_code in expected
        elif needed in GRANTS[role]:
            ok = reply.status_code not in (401, 403) and reply.status_code < 500
        else:
            ok = reply.status_code == 403
        if not ok:
            wrong.append((method, url, reply.status_code))
    assert wrong == []


def test_api_accepts_a_bearer_token_and_refuses_a_bad_one(app):
    asset = make_asset()
    token = make_token(make_user(Role.AUDITOR))
    client = app.test_client()
    ok = client.get(f"/api/v1/assets/{asset.tag}", headers={"Authorization": f"Bearer {token}"})
    bad = client.get(f"/api/v1/assets/{asset.tag}", headers={"Authorization": "Bearer nope"})
    assert ok.status_code == 200 and ok.json["tag"] == asset.tag
    assert bad.status_code == 401 and bad.json["error"]["code"] == "unauthorized"


def test_tokens_are_stored_hashed(app):
    token = make_token(make_user())
    stored = db.session.execute(db.text("SELECT token_hash FROM api_token")).scalar()
    assert token not in stored and len(stored) == 64


def test_bearer_tokens_do_not_open_pages(app):
    token = make_token(make_user())
    reply = app.test_client().get("/admin/assets/", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 302


def test_forms_refuse_posts_without_csrf_token(csrf_app):
    user = make_user(Role.ADMIN)
    client = csrf_app.test_client()
    login = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert login.status_code == 400
    page = client.get("/auth/login")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.data).group(1)
    ok = client.post("/auth/login", data={"email": user.email, "password": PASSWORD,
                                          "csrf_token": token.decode()})
    assert ok.status_code == 302
    refused = client.post("/admin/assets/new", data={"tag": "X1", "name": "No token"})
    assert refused.status_code == 400


def test_session_api_calls_need_the_csrf_header_but_token_calls_do_not(csrf_app):
    user = make_user(Role.ADMIN)
    token = make_token(user)
    session_client = csrf_app.test_client()
    with session_client.session_transaction() as s:
        s["_user_id"] = user.get_id()
        s["_fresh"] = True
    refused = session_client.post("/api/v1/assets", json={"tag": "C1", "name": "Chair"})
    assert refused.status_code == 400 and refused.json["error"]["code"] == "csrf_failed"
    ok = csrf_app.test_client().post("/api/v1/assets", json={"tag": "C1", "name": "Chair"},
                                     headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 201


def test_sign_in_is_throttled_after_repeated_failures(app):
    user = make_user(Role.TECHNICIAN)
    client = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        reply = client.post("/auth/login", data={"email": user.email, "password": "wrong"})
        assert reply.status_code == 401 and b"Wrong e-mail or password" in reply.data
    blocked = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429 and b"Too many failed sign-ins" in blocked.data


def test_sign_in_and_out(app):
    user = make_user(Role.TECHNICIAN)
    client = app.test_client()
    reply = client.post("/auth/login?next=/admin/assets/",
                        data={"email": user.email.upper(), "password": PASSWORD})
    assert reply.status_code == 302 and reply.headers["Location"] == "/admin/assets/"
    cookie = reply.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/admin/assets/").status_code == 200
    client.post("/auth/logout")
    assert client.get("/admin/assets/").status_code == 302


def test_sign_in_never_redirects_to_another_site(app):
    user = make_user(Role.MANAGER)
    reply = app.test_client().post("/auth/login?next=//evil.example/x",
                                   data={"email": user.email, "password": PASSWORD})
    assert reply.headers["Location"] == "/admin/"


@pytest.mark.parametrize("role, home", [(Role.TECHNICIAN, "/scan"), (Role.MANAGER, "/admin/"),
                                        (Role.AUDITOR, "/admin/"), (Role.ADMIN, "/admin/"),
                                        (Role.FINANCE, "/admin/")])
def test_sign_in_and_the_front_page_land_where_the_role_works(app, role, home):
    user = make_user(role)
    client = app.test_client()
    reply = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert reply.headers["Location"] == home
    assert client.get("/auth/login").headers["Location"] == home  # signed in already
    assert client.get("/").headers["Location"] == home
    assert app.test_client().get("/").headers["Location"] == "/scan"  # nobody signed in


def test_production_refuses_the_default_secret_key(config):
    settings = {k: v for k, v in config.items() if k != "SECRET_KEY"}
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(settings | {"ENV_NAME": "production"})


def test_production_cookies_are_secure(config, monkeypatch):
    monkeypatch.setenv("TAGTRAIL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    monkeypatch.setenv("TAGTRAIL_AUDIT_KEY", "a-long-random-production-audit-key")
    app = create_app({k: v for k, v in config.items() if k != "SECRET_KEY"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SECRET_KEY"] == "a-long-random-production-secret"


# The README's role table as data: what each route needs, written out by hand, so a route
# that quietly changes its permission (or a new one with none) fails here.
V, F, M, A, FI = "view", "field", "manage", "admin", "finance"
ROUTE_PERMISSIONS = {
    **dict.fromkeys(["assets.detail", "assets.index", "assets_api.detail", "assets_api.index",
                     "catalog.categories", "catalog.models", "catalog_api.categories",
                     "catalog_api.models", "certificates.detail",
                     "certificates.pdf", "certificates.report", "certificates_api.index",
                     "certificates_api.pdf", "conflicts.index", "conflicts_api.index",
                     "dashboard.index", "files_api.get_blob", "finance_api.preview",
                     "maintenance.detail",
                     "maintenance.index", "maintenance_api.detail", "maintenance_api.index",
                     "files_api.get_thumbnail",
                     "org.departments", "org.location",
                     "org.person",
                     "org.locations", "org.people", "org_api.locations", "org_api.people",
                     "scanning.tag", "scanning_api.scan", "stocktakes.detail", "stocktakes.index",
                     "meters.stale", "meters_api.readings", "stocktakes.not_seen",
                     "stocktakes.report_csv", "stocktakes.report_pdf",
                     "stocktakes_api.detail", "stocktakes_api.index", "stocktakes_api.report_csv",
                     "stocktakes_api.report_pdf", "sync_api.offline_catalog",
                     "warranty.index", "warranty_api.detail", "warranty.claims", "warranty.claim",
                     "warranty.claim_pdf", "decision_api.detail",
                     "reliability.index", "reliability_api.detail",
                     "sync_api.session_info", "trail.index", "schedules_api.index",
                     "schedules.list_schedules", "schedules.calendar", "schedules.backlog",
                     "procurement.index", "procurement.detail", "procurement_api.index",
                     "procurement_api.detail", "orders_api.orders_index",
                     "orders_api.orders_detail", "purchase_orders.index",
                     "purchase_orders.detail", "purchase_orders.pdf",
                     "licences.index", "licences.detail", "licences_api.index",
                     "licences_api.detail",
                     "books_api.value",
                     "books_api.depreciation_report", "books_api.depreciation_report_csv",
                     "finance.schedule_csv", "finance.depreciation", "tco_api.asset_tco",
                     "tco_api.report", "tco.index", "tco_api.models_report",
                     "tco.planning_page",
                     # approving: managers and finance, as the request's levels say
                     "procurement.decide", "procurement_api.approve", "procurement_api.reject"],
                    V),
    **dict.fromkeys(["assets.record", "decision.replace", "files_api.put_blob", "labels.index",
                     "labels.blank_pdf", "maintenance.act", "maintenance.follow_up",
                     "maintenance.new", "maintenance_api.create", "meters.record",
                     "meters_api.store_readings", "scanning.attach",
                     "scanning_api.decode_photo", "stocktakes.start", "stocktakes_api.start",
                     "stocktakes_api.unknown", "procurement.new", "procurement_api.create",
                     "orders_api.receipts",
                     # receiving; sending and cancelling check for manage themselves
                     "purchase_orders.act",
                     "sync_api.sync"], F),
    **dict.fromkeys(["assets.create", "assets.edit", "assets_api.create",
                     "catalog.create_category", "catalog.create_model", "catalog.edit_category",
                     "catalog.edit_model", "catalog_api.create_category",
                     "catalog_api.create_model", "certificates.batch_index",
                     "certificates.batch_new",
                     "certificates.correct", "certificates_api.request_certificate",
                     "conflicts.resolve", "conflicts_api.resolve", "meters.create",
                     "meters_api.create_meter", "org.create_department",
                     "org.create_location", "org.create_person", "org.edit_department",
                     "org.edit_location", "org.edit_person", "org_api.create_location",
                     "org_api.create_person", "stocktakes.cancel", "stocktakes.finish",
                     "stocktakes.reconcile", "stocktakes_api.finish", "warranty.raise_claim",
                     "warranty.move_claim", "schedules_api.create", "schedules.new_schedule",
                     "orders_api.orders_create", "orders_api.orders_send",
                     "purchase_orders.new", "licences.create", "licences.edit",
                     "licences.assign", "licences.release", "licences_api.create",
                     "licences_api.assign"], M),
    **dict.fromkeys(["finance.profiles", "finance.create_book", "finance.new_profile",
                     "finance.edit_profile", "finance.delete_profile",
                     "finance.write_down"], FI),
    **dict.fromkeys(["admin.create_user", "admin.edit_user", "admin.revoke_token",
                     "admin.tokens", "admin.unlock", "admin.users"], A),
}
ROLE_GRANTS = {Role.ADMIN: {V, F, M, A, FI}, Role.MANAGER: {V, F, M},
               Role.TECHNICIAN: {V, F}, Role.AUDITOR: {V}, Role.FINANCE: {V, FI}}


def test_each_route_needs_what_the_role_table_says(app):
    declared = {rule.endpoint: str(app.view_functions[rule.endpoint].permission)
                for rule, _ in routes(app)}
    assert declared == ROUTE_PERMISSIONS


def test_each_role_holds_what_the_role_table_says():
    assert {role: {str(p) for p in granted} for role, granted in GRANTS.items()} == ROLE_GRANTS
