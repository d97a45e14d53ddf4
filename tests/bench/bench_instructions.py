"""Instructions, not seconds: a probe to run under callgrind, so that two versions of the code
can be compared on a busy machine. N sync batches of 100 mixed events, then 100·N tag lookups,
on SQLite through the test client.

    valgrind --tool=callgrind python -m tests.bench.bench_instructions 2
    valgrind --tool=callgrind python -m tests.bench.bench_instructions 6

The difference between the two totals is the cost of 400 events and 400 lookups with the
start-up (imports, migrations, seeding) taken out; run the pair in each tree and compare."""
import sys
import tempfile

from tests.bench import bench_sync
from tests.bench.databases import make_app

ASSETS = 300


def main(batches: int) -> int:
    bench_sync.ASSETS = ASSETS
    folder = tempfile.mkdtemp(prefix="tagtrail-bench-instructions-")
    app = make_app(f"sqlite:///{folder}/bench.db", folder)
    maker, tokens = bench_sync.seed(app, 1)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {tokens[0]}"}
    for _ in range(batches):
        reply = client.post("/api/v1/sync", headers=headers,
                            json={"device_id": "bench-phone", "events": maker.batch(100)})
        assert reply.status_code == 200, reply.status_code
    for i in range(100 * batches):
        reply = client.get(f"/api/v1/assets/B{i % ASSETS:05d}", headers=headers)
        assert reply.status_code == 200, reply.status_code
    print(f"{batches} batches of 100 events and {100 * batches} lookups done")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2))
