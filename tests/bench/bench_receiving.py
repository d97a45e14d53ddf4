"""Receiving one receipt of many serials on a purchase order (issue 15: 500 in one receipt,
target under 2 s), each unit an asset through the event pipeline, on SQLite and PostgreSQL.

    python -m tests.bench.bench_receiving [--quick]"""
import argparse
import time
import uuid
from functools import partial

from flask_migrate import upgrade

from app.auth.models import ApiToken, User
from app.auth.roles import Role
from app.catalog import service as catalog
from app.extensions import db
from app.org import service as org
from tests.bench.databases import make_app, on_each, print_figures

TARGET_S = 2.0


def run(backend: str, url: str, folder: str, units: int) -> list[tuple]:
    app = make_app(url, folder)
    with app.app_context():
        upgrade()
        admin = User(email="admin@bench.example", role=Role.ADMIN, password_hash="-")
        db.session.add(admin)
        token = ApiToken.issue(admin, "bench")[1]
        org.create_location(code="DOCK", name="Dock")
        category = catalog.create_category(name="Laptops", holds_data=True)
        catalog.create_model(name="Latitude", manufacturer="Dell", model_number="5440",
                             category=category)
        db.session.commit()
        db.engine.dispose()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    order = client.post("/api/v1/purchase-orders", headers=headers, json={
        "supplier": "Acme", "freight": "100.00",
        "lines": [{"model": "Latitude", "quantity": units, "unit_cost": "900.00"}]}).get_json()
    client.post(f"/api/v1/purchase-orders/{order['number']}/send", headers=headers)
    body = {"id": str(uuid.uuid4()), "location": "DOCK", "lines": [
        {"line": 1, "units": [{"serial": f"SN{n:06d}"} for n in range(units)]}]}
    began = time.perf_counter()
    reply = client.post(f"/api/v1/purchase-orders/{order['number']}/receipts", json=body,
                        headers=headers)
    took = time.perf_counter() - began
    assert reply.status_code == 201, reply.get_json()
    assert len(reply.get_json()["assets"]) == units
    mark = "ok" if took < TARGET_S else "OVER TARGET"
    figures = [(backend, f"one receipt of {units} serials", f"{took:.2f} s ({mark}; "
                f"{units / took:,.0f} assets/s)")]
    print(figures[-1], flush=True)
    with app.app_context():
        db.engine.dispose()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 serials instead of 500")
    units = 100 if parser.parse_args().quick else 500
    figures = []
    try:
        on_each("tagtrail-bench-receiving-", partial(run, units=units), figures)
    finally:
        print_figures(figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
