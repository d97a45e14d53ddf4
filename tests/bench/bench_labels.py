"""Label PDF benchmark: a 1,000-label sheet run, and thermal labels, through WeasyPrint.
Run: python -m tests.bench.bench_labels"""
import tempfile
import time

from app import create_app
from app.labels import service
from app.labels.layouts import STOCKS

RUNS = [("avery-l7651", 1000, False), ("avery-l7651", 1000, True), ("avery-5160", 1000, False),
        ("thermal-62x29", 200, False)]


def main() -> None:
    folder = tempfile.mkdtemp(prefix="tagtrail-label-bench-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/x.db",
                      "INSTANCE_PATH": folder, "SECRET_KEY": "bench"})
    with app.test_request_context():
        service.render_pdf(service.render_html(service.blank_range(1, 1), STOCKS["avery-l7651"],
                                               base_url="https://tags.example"))  # warm up
        for stock, count, code128 in RUNS:
            started = time.perf_counter()
            html = service.render_html(service.blank_range(1, count), STOCKS[stock],
                                       base_url="https://tags.example", code128=code128)
            laid_out = time.perf_counter()
            pdf = service.render_pdf(html)
            done = time.perf_counter()
            print(f"{count:>5} labels {stock:<14} code128={'yes' if code128 else 'no ':<3}  "
                  f"symbols+HTML {laid_out - started:5.2f} s  PDF {done - laid_out:5.2f} s  "
                  f"total {done - started:5.2f} s  {len(pdf) / 1024:,.0f} kB")


if __name__ == "__main__":
    main()
