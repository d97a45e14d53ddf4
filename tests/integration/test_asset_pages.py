"""The asset page's action buttons: each one it shows can be completed on the page."""
import re

import pytest

from app.assets import service
from app.auth.roles import Role
from app.extensions import db
from app.lifecycle import types
from app.lifecycle.states import AssetStatus
from tests.factories import make_asset, make_person, make_user

# How to bring a new (in stock) asset to each later status.
ROUTE = {"deployed": [("check_out", {"assignee": "P-PAT"})],
         "in_repair": [("repair", {"symptom": "no power", "status": "open"})],
         "missing": [("mark_lost", {})],
         "retired": [("retire", {"reason": "old"})],
         "wiped": [("retire", {"reason": "old"}),
                   ("wipe", {"method": "purge", "technique": "cryptographic_erase",
                             "verified": True, "witness": "Wanda Witness"})]}


def asset_in(status: str):
    early = status in ("requested", "approved", "ordered")
    asset = make_asset(status=status if early else "in_stock")
    make_person("P-PAT")
    for event_type, data in ROUTE.get(status, []):
        service.record(asset.tag, event_type, data, actor=make_user(Role.ADMIN))
    db.session.commit()
    assert asset.status == status
    return asset


def shown(page: str) -> list[str]:
    return re.findall(r'name="type" value="([a-z_]+)"', page)


@pytest.mark.parametrize("status", [s for s in AssetStatus if s != AssetStatus.DISPOSED])
def test_every_action_shown_has_its_fields_on_the_page(app, login, status):
    asset = asset_in(str(status))
    page = login(Role.ADMIN).get(f"/admin/assets/{asset.tag}").get_data(as_text=True)
    actions = shown(page)
    on_page = {name for name, kind in types.REGISTERED.items() if types.PAGE in kind.offered}
    assert "attach_code" in actions and set(actions) <= on_page, actions
    assert "stocktake_scan" not in actions  # counted in a stock-take, not from this page
    for phone_only in ("wipe", "dispose"):
        assert phone_only not in actions
    if status == AssetStatus.RETIRED:
        assert f'href="/scan?tag={asset.tag}">on the phone app' in page
        assert "Record wipe and dispose: with photos" in page  # a reading has its own panel


def test_a_label_is_attached_from_the_asset_page(app, login):
    asset = make_asset()
    client = login(Role.TECHNICIAN)
    assert "attach_code" in shown(client.get(f"/admin/assets/{asset.tag}").get_data(as_text=True))
    reply = client.post(f"/admin/assets/{asset.tag}/events", data={
        "type": "attach_code", "code": "OLD-0042", "base_version": str(asset.version)})
    assert reply.status_code == 302
    assert client.get("/t/old-0042").headers["Location"] == f"/admin/assets/{asset.tag}"


def test_found_needs_no_place_but_check_in_does(app, login):
    asset = asset_in("missing")
    page = login(Role.ADMIN).get(f"/admin/assets/{asset.tag}").get_data(as_text=True)
    found = page[page.index('value="mark_found"'):]
    found = found[:found.index("</form>")]
    assert 'name="location"' in found and "required" not in found.split('name="location"')[1]



def test_history_reads_as_text_with_the_certificate_linked(app, login):
    asset = asset_in("wiped")
    page = login(Role.AUDITOR).get(f"/admin/assets/{asset.tag}").get_data(as_text=True)
    number = re.search(r"DD-\d{4}-\d{6}", page).group(0)
    assert f'certificate: <a href="/admin/certificates/{number}">{number}</a>' in page
    assert "verified: yes" in page
    assert "{" not in page[page.index("<h2>History</h2>"):]  # no Python dicts or lists


def test_the_history_shows_evidence_as_pictures_and_who_in_words(app, login):
    import hashlib
    import io

    from PIL import Image

    from app.files import store
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), "red").save(out, "JPEG")
    photo = store.put(out.getvalue(), hashlib.sha256(out.getvalue()).hexdigest()).sha256
    asset = asset_in("deployed")
    service.record(asset.tag, "repair", {"symptom": "cracked", "photos": [photo]},
                   actor=make_user(Role.TECHNICIAN), device="3f2a9c1e-aaaa-bbbb-cccc-d41f8e2b7c60")
    db.session.commit()
    viewer = login(Role.AUDITOR)
    page = viewer.get(f"/admin/assets/{asset.tag}").get_data(as_text=True)
    assert f'src="/api/v1/blobs/{photo}/thumbnail"' in page
    assert f'href="/api/v1/blobs/{photo}"' in page and photo not in page.replace(
        f"/api/v1/blobs/{photo}", "")  # no bare hashes
    assert "on a phone (…7c60)" in page and "on the web" in page
    thumb = viewer.get(f"/api/v1/blobs/{photo}/thumbnail", buffered=True)
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.data)).size) <= 320
    assert app.test_client().get(f"/api/v1/blobs/{photo}/thumbnail").status_code == 401


def test_desk_person_fields_offer_people_as_one_types(app, login):
    """The check-out form, the new-asset form and the disposal batch take a person's code;
    each offers the people (a datalist by code, with the name and e-mail to type by)."""
    asset = make_asset()
    make_person("P-OLGA", name="Olga Novak", email="olga@example.org")
    client = login(Role.MANAGER)
    for path, field in [(f"/admin/assets/{asset.tag}", "check_out-assignee"),
                        ("/admin/assets/new", "assignee"),
                        ("/admin/certificates/batches/new", "operator")]:
        page = client.get(path).get_data(as_text=True)
        assert re.search(rf'<input[^>]*id="{field}"[^>]*list="people-list"', page), path
        assert '<option value="P-OLGA">Olga Novak · olga@example.org</option>' in page, path
