"""Real-browser fixtures: the system Chromium through Playwright, a live server on a thread,
and a fake camera whose picture each test chooses."""
import shutil
import threading
import time

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.browser import fakecam
from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
# The machine has no internet: keep Chromium from trying to reach Google at start-up.
CLOSED_NETWORK = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]


@pytest.fixture(scope="session")
def camera_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("camera")
    fakecam.write_y4m(folder / "camera.y4m", fakecam.blank_frame())
    return folder


@pytest.fixture
def camera(camera_dir):
    """camera(image): what the fake camera shows from the next getUserMedia() on."""
    def show(image):
        fakecam.write_y4m(camera_dir / "next.y4m", image)
        shutil.move(camera_dir / "next.y4m", camera_dir / "camera.y4m")
    yield show
    show(fakecam.blank_frame())


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, camera_dir):
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": CLOSED_NETWORK + [
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={camera_dir / 'camera.y4m'}"]}


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.hits: list[str] = []
        app.before_request(self._record)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _record(self):
        from flask import request
        self.hits.append(request.path)


@pytest.fixture(scope="session")
def live_server(database_url, tmp_path_factory):
    # Trusted as `flask serve` trusts the address it prints: certificates link back here.
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "browser-tests",
                      "INSTANCE_PATH": str(tmp_path_factory.mktemp("live-instance")),
                      "TRUSTED_HOSTS": ["127.0.0.1", "localhost"]})
    server = LiveServer(app)
    server.thread.start()
    yield server
    server.server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {**browser_context_args, "base_url": live_server.url}


@pytest.fixture
def sign_in(page, live_server):
    """sign_in(user, then="/scan"): sign in through the real form, land on `then`."""
    def go(user, then="/scan"):
        page.goto(f"/auth/login?next={then}")
        page.fill("#email", user.email)
        page.fill("#password", PASSWORD)
        page.click("button.primary")
        page.wait_for_url(f"**{then}")
    return go


def wait_for(page, expression: str, timeout_s: float = 30) -> None:
    """Poll a JavaScript expression until it is truthy. (Playwright's wait_for_function
    compiles its predicate with eval, which the app's Content-Security-Policy forbids.)
    A navigation in between only means asking again on the new page."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if page.evaluate(f"(async () => Boolean({expression}))()"):
                return
        except PlaywrightError as exc:
            if "context was destroyed" not in str(exc):
                raise
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout_s} s: {expression}")
        page.wait_for_timeout(50)


def ready(page) -> None:
    """The phone app is loaded, its service worker controls the page, and its start-up is done."""
    wait_for(page, "globalThis.tagtrail && navigator.serviceWorker.controller")
    page.evaluate("tagtrail.ready")


def show(page, tag: str) -> None:
    """Type `tag` into the scan screen's code field and wait for its card."""
    page.fill("#code", tag)
    page.keyboard.press("Enter")
    expect(page.locator('.asset-card [data-f="tag"]')).to_have_text(tag)


def record(page, action: str, fields: dict | None = None, photo=None, sign=()) -> None:
    """Fill and save the phone's form for `action` on the asset card shown: field values by
    name (True ticks a box), an optional photo, and signatures drawn on the named pads."""
    page.click(f'.asset-card button[data-action="{action}"]')
    for name, value in (fields or {}).items():
        control = page.locator(f"#f-{name}")
        if value is True:
            control.check()
        elif control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    if photo:
        page.set_input_files("#action-photos", str(photo))
    for wobble, pad in enumerate(sign, start=4):  # a different hand for each person
        draw_signature(page, pad, wobble * 4)
    page.click('#action-form button[value="save"]')


def draw_signature(page, pad: str, wobble: int) -> None:
    canvas = page.locator(f'canvas[data-signature="{pad}"]')
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + step * 20, y + (wobble if step % 2 else -wobble))
    page.mouse.up()
