"""Run every benchmark script in this folder, one after the other.

``python benchmarks/run_all.py --quick`` (``make bench``) runs the quick
version of each script that offers one; without ``--quick`` (``make
bench-full``) the full ones. Each script writes its JSON to
``benchmarks/results/`` and prints a table; a failing script makes the run
fail, after the others have run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="quick versions")
    parser.add_argument("names", nargs="*", help="only these bench_NAME.py scripts")
    args = parser.parse_args()
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.names:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in args.names]
    failed = []
    for script in scripts:
        command = [sys.executable, str(script)]
        if args.quick and "--quick" in script.read_text():
            command.append("--quick")
        print(f"=== {script.name} {' '.join(command[2:])}", flush=True)
        start = time.perf_counter()
        if subprocess.run(command, cwd=HERE).returncode != 0:
            failed.append(script.name)
        print(f"=== {script.name}: {time.perf_counter() - start:.0f} s\n", flush=True)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
