"""HTML to PDF with WeasyPrint: labels, reports and certificates all go through here."""
from flask import current_app
from PIL import ImageFile


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy (Pango): load it only when printing

    # Importing WeasyPrint makes Pillow accept truncated images process-wide; uploads must
    # still be refused when cut short (app/images.py), so switch that back off.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    # Relative links in the templates resolve from static/ on disk: no HTTP round trip.
    return HTML(string=html, base_url=current_app.static_folder).write_pdf()
