"""The WSGI entry point: `gunicorn wsgi:app`, and what `flask --app wsgi` loads."""
import gc

from app import create_app

app = create_app()
# What is loaded by now (modules, mappers, schemas, templates) lives as long as the process.
# Freezing it keeps the collector's full passes from rescanning it again and again during a
# big sync batch, which made them a fifth of the batch's time.
gc.freeze()
