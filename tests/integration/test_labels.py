"""Label PDFs, read back: page counts, where each label sits, and the QR codes decoded."""
import io
import re
import threading

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from app.assets import series
from app.auth.roles import Role
from app.extensions import db
from app.labels import service
from app.labels.layouts import STOCKS
from app.lifecycle.pipeline import EventIn, apply_event
from tests.factories import PASSWORD, make_asset, make_location, make_user

MM = 72 / 25.4
BASE = "https://tags.example.org"


def pdf_for(labels, stock="avery-l7651", **kw) -> bytes:
    html = service.render_html(labels, STOCKS[stock], base_url=BASE, **kw)
    return service.render_pdf(html)


def text_positions(page) -> dict[str, tuple[float, float]]:
    """Each label code on the page -> its (x, y) from the top-left corner, in mm."""
    found = {}
    height = float(page.mediabox.height)

    def visit(text, cm, tm, font, size):
        if text.strip().startswith("AST-"):
            x, y = cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3]
            found[text.strip()] = (x / MM, (height - y) / MM)
    page.extract_text(visitor_text=visit)
    return found


def decode_page(pdf: bytes, index: int = 0, dpi: int = 200):
    page = pypdfium2.PdfDocument(pdf)[index]
    image = page.render(scale=dpi / 72).to_pil()
    return {r.text: r for r in zxingcpp.read_barcodes(image)}, dpi / 25.4


def test_sheet_labels_sit_in_their_slots_across_pages(app):
    labels = service.blank(1, 70)
    reader = PdfReader(io.BytesIO(pdf_for(labels)))
    stock = STOCKS["avery-l7651"]
    assert len(reader.pages) == 2
    assert [round(float(v) / MM) for v in reader.pages[0].mediabox[2:]] == [210, 297]
    first, second = text_positions(reader.pages[0]), text_positions(reader.pages[1])
    assert len(first) == 65 and sorted(second) == [f"AST-0000{n}" for n in range(66, 71)]
    for number, (x, y) in list(first.items()) + list(second.items()):
        _, left, top = stock.position(int(number[4:]) - 1)
        assert left + stock.label[1] - 1 < x < left + stock.label[0]  # right of the QR
        assert top < y < top + stock.label[1] / 2  # in the upper half of its own label


def test_start_offset_reuses_a_partly_used_sheet(app):
    labels = service.blank(1, 56)
    reader = PdfReader(io.BytesIO(pdf_for(labels, offset=10)))
    assert len(reader.pages) == 2  # 10 used + 56 = 66 slots
    positions = text_positions(reader.pages[0])
    _, left, top = STOCKS["avery-l7651"].position(10)
    x, y = positions["AST-000001"]
    assert abs(x - positions["AST-000006"][0]) < 0.5  # 1 and 6 share a column
    assert left < x < left + 38.1 and top < y < top + 21.2


def test_qr_codes_decode_back_to_tag_urls_in_place(app):
    pdf = pdf_for(service.blank(1, 65))
    codes, px_per_mm = decode_page(pdf)
    assert set(codes) == {f"{BASE}/t/AST-{n:06d}" for n in range(1, 66)}
    stock = STOCKS["avery-l7651"]
    for n in (1, 33, 65):
        result = codes[f"{BASE}/t/AST-{n:06d}"]
        _, left, top = stock.position(n - 1)
        centre_x = (result.position.top_left.x + result.position.bottom_right.x) / 2 / px_per_mm
        centre_y = (result.position.top_left.y + result.position.bottom_right.y) / 2 / px_per_mm
        assert left < centre_x < left + stock.label[1]  # the QR is the left square
        assert top < centre_y < top + stock.label[1]


def test_code128_option_adds_a_readable_barcode(app):
    pdf = pdf_for(service.blank(7, 9), stock="thermal-62x29", code128=True)
    codes, _ = decode_page(pdf, index=2, dpi=300)
    assert "AST-000009" in codes and codes["AST-000009"].format == zxingcpp.BarcodeFormat.Code128
    assert f"{BASE}/t/AST-000009" in codes


@pytest.mark.parametrize(("stock", "pages", "size_mm"), [
    ("thermal-62x29", 3, (62, 29)), ("thermal-2x1", 3, (51, 25)),
    ("avery-5160", 1, (216, 279))])
def test_each_stock_has_its_page_size(app, stock, pages, size_mm):
    reader = PdfReader(io.BytesIO(pdf_for(service.blank(1, 3), stock=stock)))
    assert len(reader.pages) == pages
    assert tuple(round(float(v) / MM) for v in reader.pages[0].mediabox[2:]) == size_mm


def test_labels_for_assets_carry_their_names(app):
    make_asset(tag="AST-000042", name="Forklift")
    reader = PdfReader(io.BytesIO(pdf_for(service.for_tags(["AST-000042"]))))
    text = reader.pages[0].extract_text()
    assert "AST-000042" in text and "Forklift" in text and app.config["ORGANISATION"] in text


def test_label_page_makes_a_pdf_for_a_technician_not_an_auditor(app, login):
    make_asset(tag="AST-000001")
    reply = login(Role.TECHNICIAN).post("/admin/labels/", data={
        "source": "tags", "tags": "AST-000001\n", "stock": "avery-5160", "position": "1"})
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    assert reply.data.startswith(b"%PDF")
    assert login(Role.AUDITOR).get("/admin/labels/").status_code == 403


@pytest.mark.parametrize(("form", "message"), [
    ({"source": "tags", "tags": "NOPE-1"}, b"No asset has the tag"),
    ({"source": "tags", "tags": ""}, b"no labels to print"),
    ({"source": "tags", "tags": "AST-000001", "position": "66"}, b"from 1 to 65"),
    ({"source": "blank", "count": "6000"}, b"Number must be between"),
    ({"source": "blank", "count": "5", "stock": "napkin"}, b"Not a valid choice"),
])
def test_bad_label_requests_are_explained(app, login, form, message):
    make_asset(tag="AST-000001")
    data = {"stock": "avery-l7651", "position": "1"} | form
    reply = login(Role.MANAGER).post("/admin/labels/", data=data)
    assert reply.status_code == 422 and message in reply.data


def test_a_host_header_never_reaches_a_printed_label(app):
    make_asset(tag="AST-000002")
    user, client, evil = make_user(Role.TECHNICIAN), app.test_client(), "http://evil.example"
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD}, base_url=evil)
    reply = client.post("/admin/labels/", base_url=evil, data={
        "source": "tags", "tags": "AST-000002", "stock": "avery-5160", "position": "1"})
    assert reply.mimetype == "application/pdf"
    codes, _ = decode_page(reply.data)
    assert list(codes) == ["http://localhost/t/AST-000002"]


def print_blank(client, count: int, **extra):
    page = client.post("/admin/labels/", data={"source": "blank", "count": str(count),
                                               "stock": "avery-5160", "position": "1"} | extra)
    assert page.status_code == 200, page.data
    text = page.get_data(as_text=True)
    first, last = re.search(r"Reserved (AST-\d{6}) to (AST-\d{6})", text).groups()
    pdf_link = re.search(r'href="(/admin/labels/blank/\d+\.pdf[^"]*)"', text).group(1)
    return first, last, client.get(pdf_link.replace("&amp;", "&"))


def printed_codes(pdf) -> list[str]:
    codes, _ = decode_page(pdf.data)
    return sorted(code.rsplit("/", 1)[1] for code in codes)


def test_blank_labels_take_numbers_no_asset_code_or_earlier_batch_has(app, login):
    make_asset(tag="AST-000005")
    other = make_asset(tag="X-1")
    apply_event(EventIn("attach_code", other.tag, {"code": "ast-000007"}), actor=make_user())
    db.session.commit()
    client = login(Role.TECHNICIAN)
    first, last, pdf = print_blank(client, 3)
    assert (first, last) == ("AST-000008", "AST-000010")
    assert printed_codes(pdf) == ["AST-000008", "AST-000009", "AST-000010"]
    again = print_blank(client, 2)[:2]
    assert again == ("AST-000011", "AST-000012")  # never the same numbers twice
    assert series.next_tag() == "AST-000013"  # nor to a new asset registered at the desk


def test_a_batch_prints_again_with_the_same_numbers(app, login):
    client = login(Role.TECHNICIAN)
    _, _, first_print = print_blank(client, 3)
    [batch] = series.recent()
    again = client.get(f"/admin/labels/blank/{batch.id}.pdf?stock=avery-5160")
    assert printed_codes(again) == printed_codes(first_print)
    assert "Print again" in client.get("/admin/labels/").get_data(as_text=True)
    assert client.get("/admin/labels/blank/999.pdf").status_code == 404


def test_two_print_runs_at_once_never_overlap(app):
    users = [make_user(Role.TECHNICIAN) for _ in range(4)]
    ranges, errors = [], []

    def run(user):
        try:
            with app.app_context():
                client = app.test_client(user=db.session.merge(user))
                ranges.append(print_blank(client, 40)[:2])
                db.session.remove()
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and len(ranges) == 4
    numbers = [n for first, last in ranges for n in range(int(first[4:]), int(last[4:]) + 1)]
    assert len(numbers) == len(set(numbers)) == 160


def test_the_series_says_when_it_runs_out(app, login):
    make_asset(tag="AST-999998")
    reply = login(Role.TECHNICIAN).post("/admin/labels/", data={
        "source": "blank", "count": "5", "stock": "avery-5160", "position": "1"})
    assert reply.status_code == 422 and b"has no 5 numbers left" in reply.data


def test_room_and_shelf_labels_carry_their_codes_for_the_stocktake(app, login):
    from app.org.models import LocationKind
    site = make_location("SITE-9", "North site", kind=LocationKind.SITE)
    room = make_location("ROOM-9", "Store room", parent=site)
    make_location("SHELF-9A", "Shelf A", parent=room)
    client = login(Role.TECHNICIAN)
    assert 'href="/admin/labels/?place=ROOM-9"' in client.get(
        f"/admin/locations/{room.id}").get_data(as_text=True)
    form = client.get("/admin/labels/?place=ROOM-9").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="places"', form)
    reply = client.post("/admin/labels/", data={"source": "places", "place": "ROOM-9",
                                                "stock": "avery-5160", "position": "1"})
    assert reply.mimetype == "application/pdf"
    codes, _ = decode_page(reply.data)
    assert sorted(codes) == ["ROOM-9", "SHELF-9A"]  # the place and what is in it, not above
    unknown = client.post("/admin/labels/", data={"source": "places", "place": "NOWHERE",
                                                  "stock": "avery-5160", "position": "1"})
    assert unknown.status_code == 422 and b"no location with the code" in unknown.data
