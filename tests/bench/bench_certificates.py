"""Certificate issuing time: one verified wipe through the pipeline, and a batch of 200 in one
transaction. `python -m tests.bench.bench_certificates`"""
import statistics
import tempfile
import time

import app.models  # noqa: F401  (complete metadata)
from app import create_app
from app.assets import service as assets
from app.auth.roles import Role
from app.extensions import db
from tests.factories import make_asset, make_user


def _wipe(tag, actor):
    assets.record(tag, "wipe", {"method": "purge", "technique": "overwrite", "verified": True,
                                "witness": "W", "media_serials": ["S1"]}, actor=actor)


def main(runs: int = 5, batch: int = 200) -> None:
    tmp = tempfile.mkdtemp()
    app = create_app({"TESTING": True, "INSTANCE_PATH": tmp,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db"})
    with app.app_context(), app.test_request_context():
        db.create_all()
        actor = make_user(Role.MANAGER)
        tags = [make_asset(actor, tag=f"B{n:05d}").tag for n in range(runs + runs * batch)]
        for tag in tags:
            assets.record(tag, "retire", {"reason": "bench"}, actor=actor)
        db.session.commit()
        singles, batches = [], []
        for tag in tags[:runs]:
            start = time.perf_counter()
            _wipe(tag, actor)
            db.session.commit()
            singles.append(time.perf_counter() - start)
        rest = tags[runs:]
        for n in range(runs):
            start = time.perf_counter()
            for tag in rest[n * batch:(n + 1) * batch]:
                _wipe(tag, actor)
            db.session.commit()
            batches.append(time.perf_counter() - start)
    print(f"one certificate: median {statistics.median(singles) * 1000:.0f} ms")
    print(f"batch of {batch}: median {statistics.median(batches):.1f} s")


if __name__ == "__main__":
    main(runs=3)
