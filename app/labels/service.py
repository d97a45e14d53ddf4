"""Which labels to print, and the label PDF itself (HTML laid out in mm, rendered by
WeasyPrint with the symbols as inline SVG)."""
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, render_template

from app import symbols
from app.assets import series
from app.assets.models import Asset
from app.errors import ValidationFailed
from app.extensions import db
from app.labels.layouts import STOCKS, Stock
from app.org import service as org
from app.org.models import Location
from app.pdf import html_to_pdf

MAX_LABELS = 5000


@dataclass(frozen=True)
class Label:
    code: str
    title: str = ""
    # What the QR code holds when it is not the asset's /t/<tag> address: a room's label
    # holds its code, which the stock-take screen and the place fields read.
    payload: str | None = None


def for_tags(tags: list[str]) -> list[Label]:
    """Labels for these assets, in the order given; unknown tags are an error."""
    rows = {tag: name for tag, name in db.session.execute(
        sa.select(Asset.tag, Asset.name).where(Asset.tag.in_(tags)))}
    unknown = [t for t in tags if t not in rows]
    if unknown:
        raise ValidationFailed(f"No asset has the tag {unknown[0]!r}.", {"tags": unknown[:20]})
    return [Label(t, rows[t]) for t in tags]


def blank(first: int, last: int) -> list[Label]:
    """Pre-numbered tags of the series, printed before their assets exist (a reserved range:
    app/assets/series.py)."""
    return [Label(series.format_tag(n)) for n in range(first, last + 1)]


def for_place(code: str) -> list[Label]:
    """Labels for a place and every room and shelf in it, the place first."""
    place = org.find_location(code, "place")
    inside = db.session.scalars(sa.select(Location).where(
        Location.id.in_(org.descendant_ids(place))).order_by(Location.path)).all()
    return [Label(p.code, p.name, payload=p.code) for p in inside]


def stock(key: str) -> Stock:
    if key not in STOCKS:
        raise ValidationFailed(f"Unknown label stock {key!r}.", {"stock": sorted(STOCKS)})
    return STOCKS[key]


def render_html(labels: list[Label], stock: Stock, *, base_url: str, offset: int = 0,
                code128: bool = False) -> str:
    if not labels:
        raise ValidationFailed("There are no labels to print.")
    if len(labels) > MAX_LABELS:
        raise ValidationFailed(f"Print at most {MAX_LABELS:,} labels at a time.",
                               {"count": len(labels)})
    if not 0 <= offset < stock.per_page:
        raise ValidationFailed(f"The start position must be from 1 to {stock.per_page}.",
                               {"offset": offset + 1})
    pages: list[list[dict]] = []
    for slot, label in enumerate(labels, start=offset):
        page, x, y = stock.position(slot)
        while len(pages) <= page:
            pages.append([])
        pages[page].append({"label": label, "x": x, "y": y,
                            "qr": symbols.qr(label.payload or
                                             f"{base_url.rstrip('/')}/t/{label.code}"),
                            "bars": symbols.code128(label.code) if code128 else None})
    longest = max(len(label.code) for label in labels)
    return render_template("labels/sheet.html", pages=pages, stock=stock,
                           box=_box(stock, longest),
                           code128=code128, organisation=current_app.config["ORGANISATION"])


def _box(stock: Stock, longest_code: int) -> dict:
    """Where things sit inside one label (mm): the QR square on the left, text beside it,
    and the optional Code 128 under the text."""
    width, height = stock.label
    pad = min(1.5, height * 0.07)
    side = height - 2 * pad
    text_x = pad + side + pad
    text_w = width - text_x - pad
    # Monospace glyphs are 0.6 em wide: the longest code must fit on one line.
    code_size = min(height * 0.15, 4.2, text_w / (longest_code * 0.61))
    return {"pad": pad, "side": side, "text_x": text_x, "text_w": text_w,
            "code_size": code_size, "small_size": min(height * 0.085, 2.6, code_size * 0.8),
            "bars_h": height * 0.28, "bars_y": height - pad - height * 0.28}


def render_pdf(html: str) -> bytes:
    return html_to_pdf(html)
