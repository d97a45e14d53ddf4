"""Run every benchmark and print its figures: python -m tests.bench [--quick] [--explain]."""
import argparse
import subprocess
import sys
from pathlib import Path

from tests.bench import bench_register


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("--quick", action="store_true", help="only 100,000 assets")
    parser.add_argument("--explain", action="store_true",
                        help="print the slowest SQL of the list and detail pages, with plans")
    args = parser.parse_args()
    status = bench_register.main(quick=args.quick, explain=args.explain)
    # In its own process: it pins itself to one core.
    decode = Path(__file__).with_name("bench_decode.py")
    print(f"\n{decode.name}:", flush=True)
    return status or subprocess.run([sys.executable, str(decode)]).returncode


if __name__ == "__main__":
    sys.exit(main())
