"""Benchmark of start-up: one `partnerwise assess` of one file against importing partnerwise's dependencies.

Each figure is the median of whole-process runs (a fresh interpreter each time), timed with a
monotonic clock around the child process:

- floor: `python -c "import durable_rules_engine, pydantic, click, tabulate, yaml, orjson, jinja2, tqdm"`,
  every runtime dependency that pyproject.toml declares;
- assess, warm: `partnerwise assess FILE` with the rule-file cache filled and the package's bytecode
  written (every run after the first);
- assess, cold: the same with the cache turned off (PARTNERWISE_CACHE_DIR=off), as the first run is.

The target is assess (warm) within 2 times the floor. Run:
`.venv/bin/python bench/startup_bench.py [--runs 11] [FILE]`
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPENDENCIES = "import durable_rules_engine, pydantic, click, tabulate, yaml, orjson, jinja2, tqdm"


def timed(argv: list[str], env: dict, runs: int) -> float:
    """The median wall time of `runs` whole-process runs of `argv`, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", default=str(ROOT / "examples" / "early-initiation.yaml"))
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args(argv)
    command = [str(Path(sys.executable).parent / "partnerwise"), "assess", args.file, "--fail-on", "none"]
    # Python writes each module's compiled bytecode once and reads it afterwards, as on a user's
    # machine; a PYTHONDONTWRITEBYTECODE inherited from the shell would make every run compile the
    # package from source again (the dependencies were compiled when pip installed them).
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as cache:
        warm_env = {**base, "PARTNERWISE_CACHE_DIR": cache}
        cold_env = {**base, "PARTNERWISE_CACHE_DIR": "off"}
        subprocess.run(command, env=warm_env, stdout=subprocess.DEVNULL, check=False)  # fills the cache
        floor = timed([sys.executable, "-c", DEPENDENCIES], base, args.runs)
        warm = timed(command, warm_env, args.runs)
        cold = timed(command, cold_env, args.runs)
    print(f"median of {args.runs} whole-process runs, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"floor (import the dependencies)   {floor * 1000:7.1f} ms   1.00x")
    print(f"assess, rule-file cache warm      {warm * 1000:7.1f} ms   {warm / floor:.2f}x")
    print(f"assess, no cache (first run)      {cold * 1000:7.1f} ms   {cold / floor:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
