"""Stock-take reports: a CSV with one row per asset, and a PDF with the figures and lists."""
import csv
import io

from flask import Response, current_app, render_template

from app.csvsafe import cell
from app.pdf import html_to_pdf
from app.stocktakes import progress
from app.stocktakes.models import Stocktake
from app.timeutil import isoformat, utcnow

CSV_HEADER = ["tag", "name", "expected location", "seen location", "result", "how counted",
              "why not scanned", "photos", "counted by", "counted at"]
PDF_ROWS = 1000  # per list in the PDF; the CSV has every asset


def csv_text(stocktake: Stocktake) -> str:
    """Every asset the stock-take expected or counted, then every unknown code scanned."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    seen = progress.seen(stocktake)
    for row in progress.lines(stocktake):
        why = seen.get(row.asset_id)
        writer.writerow([cell(v) for v in (
            row.tag, row.name, row.expected_at, row.seen_at, row.result, row.how,
            why.reason if why else "", len(why.photos) if why else "", row.counted_by,
            isoformat(row.counted_at))])
    for code, room, by, at in progress.unknown(stocktake):
        writer.writerow([cell(v) for v in (code, "", "", room, "unknown", "scanned", "", "",
                                           by, isoformat(at))])
    return out.getvalue()


def pdf(stocktake: Stocktake) -> bytes:
    total, rooms = progress.progress(stocktake)
    lists = {name: progress.lines(stocktake, name, limit=PDF_ROWS + 1)
             for name in ("missing", "misplaced", "unexpected")}
    seen = progress.seen(stocktake)
    counted_seen = [row for row in progress.lines(stocktake) if row.asset_id in seen]
    html = render_template("stocktakes/report_pdf.html", stocktake=stocktake, total=total,
                           rooms=[r for r in rooms if r.expected or r.unexpected],
                           lists=lists, limit=PDF_ROWS, generated_at=utcnow(),
                           seen=[(row, seen[row.asset_id]) for row in counted_seen[:PDF_ROWS]],
                           unknown=progress.unknown(stocktake)[:PDF_ROWS],
                           organisation=current_app.config["ORGANISATION"])
    return html_to_pdf(html)


def pdf_response(stocktake: Stocktake) -> Response:
    return Response(pdf(stocktake), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="stocktake-{stocktake.id}.pdf"'})


def csv_response(stocktake: Stocktake) -> Response:
    return Response(csv_text(stocktake), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="stocktake-{stocktake.id}.csv"'})
