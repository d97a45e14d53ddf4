"""What the sync benchmark and the sync reliability tests share: the real app under gunicorn as
a child process, a phone-like HTTP client for POST /api/v1/sync, and a maker of valid mixed
events (repairs, transfers, check-out/check-in cycles) over many assets."""
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READY_HOOK = Path(__file__).with_name("gunicorn_ready.py")


def gunicorn_path() -> str:
    beside = Path(sys.executable).with_name("gunicorn")
    return str(beside if beside.exists() else ROOT / ".venv" / "bin" / "gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`gunicorn --workers N --bind 127.0.0.1:PORT wsgi:app` in its own process group, so that
    kill() takes the master and every worker down at once, like a power cut."""

    def __init__(self, database_url: str, instance_path: str | Path, workers: int = 2,
                 port: int | None = None, log_path: str | Path | None = None,
                 timeout: int | None = None):
        self.database_url, self.instance_path = database_url, str(instance_path)
        # timeout: gunicorn's worker timeout in seconds; None keeps gunicorn's default (30).
        self.workers, self.port, self.timeout = workers, port or free_port(), timeout
        self.log_path = Path(log_path) if log_path else Path(
            tempfile.mkstemp(prefix="gunicorn-", suffix=".log")[1])
        self.proc: subprocess.Popen | None = None
        self._ready_dir: str | None = None

    def start(self, ready_timeout: float = 30) -> "Server":
        self._ready_dir = tempfile.mkdtemp(prefix="tagtrail-ready-")
        env = os.environ | {
            "DATABASE_URL": self.database_url, "SECRET_KEY": "sync-reliability-secret",
            "TAGTRAIL_INSTANCE_PATH": self.instance_path, "TAGTRAIL_ENV": "development",
            "TAGTRAIL_READY_DIR": self._ready_dir}
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [gunicorn_path(), "--workers", str(self.workers),
                 "--bind", f"127.0.0.1:{self.port}", "-c", str(READY_HOOK)]
                + (["--timeout", str(self.timeout)] if self.timeout else []) + ["wsgi:app"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        deadline = time.monotonic() + ready_timeout
        while len(os.listdir(self._ready_dir)) < self.workers:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n"
                                   + self.log_tail())
            if time.monotonic() > deadline:
                self.kill()
                raise TimeoutError(f"gunicorn not ready in {ready_timeout} s:\n"
                                   + self.log_tail())
            time.sleep(0.05)
        status, body = get(self.port, "/healthz", timeout=10)
        if status != 200:
            self.kill()
            raise RuntimeError(f"/healthz said {status} {body}:\n" + self.log_tail())
        return self

    def kill(self) -> None:
        """SIGKILL the whole process group: no worker finishes its request, none cleans up."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        finally:
            self.proc = None
            self._forget_ready_dir()

    def stop(self) -> None:
        """A graceful stop (SIGTERM), then SIGKILL if it takes more than a few seconds."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            pass
        # Whatever is left of the group (workers outliving the master) goes too.
        self.kill()

    def _forget_ready_dir(self) -> None:
        if self._ready_dir:
            shutil.rmtree(self._ready_dir, ignore_errors=True)
            self._ready_dir = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def __enter__(self) -> "Server":
        return self.start() if self.proc is None else self

    def __exit__(self, *exc) -> None:
        self.stop()


def get(port: int, path: str, timeout: float = 10) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def sync_body(device: str, events: list[dict]) -> bytes:
    return json.dumps({"device_id": device, "events": events}).encode()


def post_sync(port: int, token: str, device: str, events: list[dict],
              timeout: float = 120) -> tuple[int, dict]:
    """One POST /api/v1/sync on a connection of its own, as a phone sends it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", "/api/v1/sync", sync_body(device, events), _headers(token))
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, {"raw": raw.decode(errors="replace")}


def _headers(token: str) -> dict:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


class InFlight(threading.Thread):
    """A sync request in a thread of its own. `sent` is set once the whole body has left;
    then `status`/`reply` on an answer, or `error` when the connection broke."""

    def __init__(self, port: int, token: str, device: str, events: list[dict],
                 timeout: float = 60):
        super().__init__(daemon=True)
        self.port, self.token, self.device, self.events = port, token, device, events
        self.timeout = timeout
        self.sent = threading.Event()
        self.status: int | None = None
        self.reply: dict | None = None
        self.error: BaseException | None = None
        self.sent_at: float | None = None
        self.answered_at: float | None = None

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.request("POST", "/api/v1/sync", sync_body(self.device, self.events),
                         _headers(self.token))
            self.sent_at = time.monotonic()
            self.sent.set()
            response = conn.getresponse()
            raw = response.read()
            self.answered_at = time.monotonic()
            self.status = response.status
            self.reply = json.loads(raw) if raw else {}
        except (OSError, http.client.HTTPException, ValueError) as exc:
            self.error = exc
        finally:
            self.sent.set()
            conn.close()


class EventMaker:
    """Valid events for assets that start `in_stock` at locations[0], cycling per asset
    through repair (a log entry), transfer, check_out and check_in.

    Every transfer and check-in of an asset goes to the next location in `locations`, so as
    long as an asset gets fewer than len(locations) of them, no destination is ever where the
    asset already is, whatever order the events are applied in: check_in, check_out, repair and
    transfer are all allowed from both in_stock and deployed. Overlapping or reordered batches
    then still apply every event."""

    def __init__(self, tags: list[str], locations: list[str], people: list[str],
                 start: datetime | None = None, seed: int = 7):
        self.tags, self.locations, self.people = list(tags), list(locations), list(people)
        self.rng = random.Random(seed)
        self.step = dict.fromkeys(self.tags, 0)
        self.moves = dict.fromkeys(self.tags, 0)
        # Past, never future: the pipeline refuses events from a clock running ahead.
        now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        self.clock = start or now - timedelta(days=30)
        self.per_asset: dict[str, int] = dict.fromkeys(self.tags, 0)

    def event(self, tag: str) -> dict:
        step = self.step[tag]
        self.step[tag] += 1
        kind = ("repair", "transfer", "check_out", "check_in")[step % 4]
        if kind == "repair":
            data = {"symptom": f"fan noise #{step}", "work_done": "cleaned", "minutes": 15}
        elif kind == "check_out":
            data = {"assignee": self.rng.choice(self.people)}
        else:
            self.moves[tag] += 1
            where = self.locations[self.moves[tag] % len(self.locations)]
            data = {"to_location": where} if kind == "transfer" else {"location": where}
        self.clock += timedelta(seconds=1)
        self.per_asset[tag] += 1
        return {"id": str(uuid.uuid4()), "type": kind, "asset": tag, "data": data,
                "occurred_at": self.clock.isoformat() + "Z", "base_version": None}

    def batch(self, size: int, tags: list[str] | None = None) -> list[dict]:
        """`size` events over `tags` (default all), the assets drawn at random."""
        pool = tags or self.tags
        return [self.event(self.rng.choice(pool)) for _ in range(size)]

    def spread(self, size: int, tags: list[str] | None = None) -> list[dict]:
        """`size` events over `tags`, round robin: every asset gets its share."""
        pool = tags or self.tags
        return [self.event(pool[i % len(pool)]) for i in range(size)]
