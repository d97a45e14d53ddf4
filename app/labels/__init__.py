"""Printable labels: QR (and optional Code 128) tags on sheet and thermal label stock."""
