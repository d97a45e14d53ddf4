"""Phone app benchmark, in the system Chromium: what the app shell weighs, how fast it starts
on a throttled mobile profile, and how a 50,000-asset register downloads and answers scans
from IndexedDB. Run: python -m tests.bench.bench_phone [--assets N]"""
import argparse
import gzip
import logging
import statistics
import tempfile
import threading
import time
from pathlib import Path

from flask_migrate import upgrade
from playwright.sync_api import sync_playwright
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from app import create_app
from app.auth.models import User
from app.auth.roles import Role
from app.extensions import db
from tests.bench.bench_register import generate
from tests.browser.conftest import CHROMIUM, CLOSED_NETWORK, wait_for

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "bench-password"
# Chrome DevTools' "Slow 4G" preset, and a mid-range phone's CPU (4x slower than this one).
SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1.6 * 1024 * 1024 / 8,
           "uploadThroughput": 750 * 1024 / 8}
CPU_SLOWDOWN = 4


def shell_weight() -> tuple[int, int, int]:
    """Raw and gzip bytes of our own JS and CSS, and gzip bytes of the vendored decoder."""
    ours = [*ROOT.glob("static/js/**/*.js"), *ROOT.glob("static/css/*.css"), ROOT / "static/sw.js"]
    vendor = [*ROOT.glob("static/vendor/**/*.js"), *ROOT.glob("static/vendor/**/*.wasm")]
    packed = lambda files: sum(len(gzip.compress(f.read_bytes(), 9)) for f in files)  # noqa: E731
    return sum(f.stat().st_size for f in ours), packed(ours), packed(vendor)


def serve(n: int):
    folder = tempfile.mkdtemp(prefix="tagtrail-phone-bench-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                      "INSTANCE_PATH": folder, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        db.engine.dispose()
        user = User(email="tech@bench.example", role=Role.TECHNICIAN,
                    password_hash=generate_password_hash(PASSWORD))
        db.session.add(user)
        db.session.commit()
        started = time.perf_counter()
        generate(n, "sqlite", user.id)
        print(f"{n:,} assets generated in {time.perf_counter() - started:.1f} s")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def sign_in(page, url):
    page.goto(f"{url}/auth/login?next=/scan")
    page.fill("#email", "tech@bench.example")
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/scan")


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=50_000)
    n = parser.parse_args().assets
    raw, packed, vendor = shell_weight()
    print(f"app shell JS+CSS: {raw / 1024:.1f} kB raw, {packed / 1024:.1f} kB gzip "
          f"(decoder polyfill, loaded only without a native BarcodeDetector: "
          f"{vendor / 1024:.0f} kB gzip)")
    server, url = serve(n)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CLOSED_NETWORK)
        context = browser.new_context()
        page = context.new_page()
        sign_in(page, url)
        started = time.perf_counter()
        wait_for(page, "globalThis.tagtrail", timeout_s=120)
        page.evaluate("tagtrail.ready")
        took = time.perf_counter() - started
        count = page.evaluate("tagtrail.catalog.assetCount()")
        usage = page.evaluate("navigator.storage.estimate().then(e => e.usage)")
        print(f"register download: {count:,} assets into IndexedDB in {took:.1f} s "
              f"(storage used {usage / 1024 / 1024:.1f} MB)")
        lookups = page.evaluate("""async (n) => {
            const times = [];
            for (let i = 0; i < 300; i++) {
              const tag = 'AST-' + String(1 + Math.floor(Math.random() * n)).padStart(6, '0');
              const t = performance.now();
              await tagtrail.lookup(tag, t);
              times.push(performance.now() - t);
            }
            return times;
        }""", n)
        print(f"scan to card from IndexedDB ({len(lookups)} tags): median "
              f"{statistics.median(lookups):.1f} ms, p95 "
              f"{statistics.quantiles(lookups, n=20)[18]:.1f} ms")
        wait_for(page, "navigator.serviceWorker.controller")
        for label, warm in (("first visit", False), ("repeat visit (service worker)", True)):
            tab = (context if warm else browser.new_context()).new_page()
            cdp = tab.context.new_cdp_session(tab)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW_4G)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
            started = time.perf_counter()
            tab.goto(f"{url}/scan", wait_until="commit")
            wait_for(tab, "document.readyState === 'complete' && globalThis.tagtrail "
                          "&& !document.querySelector('#start').disabled", timeout_s=60)
            print(f"time to interactive, Slow 4G + {CPU_SLOWDOWN}x CPU, {label}: "
                  f"{(time.perf_counter() - started) * 1000:.0f} ms")
            tab.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
