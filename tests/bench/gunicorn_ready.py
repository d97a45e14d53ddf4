"""A gunicorn config file (`gunicorn -c tests/bench/gunicorn_ready.py ...`) for the sync
benchmark and reliability tests: each worker, once it has loaded the app, leaves a file named
by its pid in $TAGTRAIL_READY_DIR, so a caller knows when every worker can take a request."""
import os
from pathlib import Path


def post_worker_init(worker):
    ready = os.environ.get("TAGTRAIL_READY_DIR")
    if ready:
        Path(ready, str(os.getpid())).touch()
