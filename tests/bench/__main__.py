"""Run every benchmark and print its figures: python -m tests.bench [--quick] [--explain]."""
import argparse
import subprocess
import sys

from tests.bench import bench_register


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("--quick", action="store_true", help="only 100,000 assets")
    parser.add_argument("--explain", action="store_true",
                        help="print the slowest SQL of the list and detail pages, with plans")
    args = parser.parse_args()
    status = bench_register.main(quick=args.quick, explain=args.explain)
    # Each in its own process: decoding pins itself to one core, the others start servers.
    modules = ["bench_decode", "bench_decode_cv", "bench_labels", "bench_phone", "bench_sync",
               "bench_meters", "bench_planner", "bench_depreciation", "bench_books"]
    if not args.quick:
        modules.append("bench_stocktake")  # about 15 minutes: 50,000 expected, 48,000 scans
    for module in modules:
        print(f"\n{module}:", flush=True)
        command = [sys.executable, "-m", f"tests.bench.{module}"]
        if args.quick and module in ("bench_sync", "bench_meters", "bench_planner",
                                     "bench_depreciation", "bench_books"):
            command.append("--quick")
        status = subprocess.run(command).returncode or status
    return status


if __name__ == "__main__":
    sys.exit(main())
