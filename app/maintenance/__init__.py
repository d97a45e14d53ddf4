"""Maintenance: what keeps an asset working, and when mending it stops being worth it."""
