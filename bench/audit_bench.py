"""Benchmarks of the portfolio audit, all in one run on one machine, reported as ratios.

What it measures (the figures and how to read them are in bench/README.md):
1. Where the time goes, per partnership, in this process on a sample of the 10,000 portfolio:
   the floor (JSON parsed and validated, no rules), flattening, the engine as shipped (orjson,
   one session per partnership), the same engine used naively (stdlib json), building the result
   (findings, evidence, gaps) with and without the gaps memo, the audit's brief of it (problems
   counted, urgency), and serialising it as the audit writes it.
2. The audit end to end, as a user runs it (`partnerwise audit FILE`), on the 10,000 portfolio with
   --jobs 1 and --jobs 2, writing every result (jsonl) and the summary only (table).
3. Peak memory of the whole audit (the command and its worker processes together) on 1,000 and on
   100,000 partnerships.

Usage: python bench/audit_bench.py [--workdir DIR] [--skip-memory] [--sample N]
Portfolios are generated once into DIR (default: bench/out, which git ignores) and reused.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/generate.py)


def portfolio(workdir: Path, count: int, seed: int = 1) -> Path:
    path = workdir / f"portfolio-{count}.jsonl"
    if not path.exists():
        generate.write_jsonl(path, count, seed)
    return path


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model or platform.processor(), "python": platform.python_version()}


# --- 1. stages, in this process -------------------------------------------------------------------


def _per_record(seconds: float, n: int) -> float:
    return seconds / n * 1e6


def stages(path: Path, sample: int, batch: int = 256) -> dict:
    from partnerwise.api import default_assessor
    from partnerwise.audit.results import Brief
    from partnerwise.audit.run import result_json
    from partnerwise.engine import assessment, runner
    from partnerwise.facts.derive import flatten
    from partnerwise.facts.loader import validate_partnership

    lines = path.read_bytes().splitlines()[:sample]
    n = len(lines)
    a = default_assessor()
    # A worker keeps one batch at a time, so the collector never scans much; here every stage's
    # output is kept for the next stage, so the collector is switched off to keep that fair.
    gc.collect()
    gc.disable()
    out: dict[str, float] = {}

    def timed(name, fn):
        start = time.perf_counter()
        result = fn()
        out[name] = _per_record(time.perf_counter() - start, n)
        return result

    # Each stage runs over the sample in batches, as a worker does, so that memory stays as small as in an audit.
    chunks = [lines[i : i + batch] for i in range(0, n, batch)]
    parts = timed("floor: parse and validate", lambda: [[validate_partnership(orjson.loads(x), "b") for x in c] for c in chunks])
    flats = timed("flatten", lambda: [[flatten(p) for p in c] for c in parts])
    ledgers = timed("engine, as shipped (orjson)", lambda: [a.engine.run(f) for f in flats])
    results = timed(
        "build: findings, evidence, gaps",
        lambda: [[a.builder.build(p, f, led) for p, f, led in zip(pc, fc, lc)] for pc, fc, lc in zip(parts, flats, ledgers)],
    )
    briefs = timed("brief: problems counted, urgency", lambda: [[Brief.of(r, "b", "") for r in c] for c in results])
    timed("serialise (to_dict + orjson)", lambda: [[result_json(r, b) for r, b in zip(rc, bc)] for rc, bc in zip(results, briefs)])

    # The same engine used naively: stdlib json both ways.
    saved = (runner._dumps, runner.orjson)

    class _StdJson:
        loads = staticmethod(json.loads)
        dumps = staticmethod(lambda o: json.dumps(o).encode())

    runner._dumps, runner.orjson = (lambda o: json.dumps(o)), _StdJson
    try:
        timed("engine, naive (stdlib json)", lambda: [a.engine.run(f) for f in flats])
    finally:
        runner._dumps, runner.orjson = saved

    # Building without the gaps memo: a memo of one entry is no memo.
    from partnerwise.api import Assessor

    fresh = Assessor(a.rulebase)
    limit = assessment._MEMO_LIMIT
    assessment._MEMO_LIMIT = 1
    try:
        timed(
            "build without the gaps memo",
            lambda: [[fresh.builder.build(p, f, led) for p, f, led in zip(pc, fc, lc)] for pc, fc, lc in zip(parts, flats, ledgers)],
        )
    finally:
        assessment._MEMO_LIMIT = limit
    gc.enable()
    out["records"] = n
    return out


# --- 2 and 3. the command, end to end -------------------------------------------------------------


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KB, from /proc."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                stack.extend(int(c) for c in children)
        except (OSError, ValueError):
            continue
    return total


def run_audit(path: Path, jobs: int, fmt: str, out: Path) -> dict:
    cmd = [sys.executable, "-m", "partnerwise.cli", "audit", str(path), "--jobs", str(jobs), "--format", fmt,
           "-o", str(out), "--fail-on", "none"]
    peak = 0
    load = os.getloadavg()[0]
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def watch():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"audit failed ({proc.returncode}): {err.decode()[-2000:]}")
    return {"jobs": jobs, "format": fmt, "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
            "peak_mb": round(peak / 1024, 1), "load_before": round(load, 2)}


def floor_end_to_end(path: Path) -> float:
    """Seconds to read and validate the whole file in a fresh process (the floor, with the same start-up)."""
    code = (
        "import sys, orjson\n"
        "from partnerwise.facts.loader import validate_partnership\n"
        "with open(sys.argv[1], 'rb') as f:\n"
        "    for line in f:\n"
        "        validate_partnership(orjson.loads(line), 'x')\n"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=HERE / "out")
    parser.add_argument("--sample", type=int, default=3000, help="records for the in-process stage breakdown")
    parser.add_argument("--skip-memory", action="store_true", help="leave out the 100,000 run")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    report: dict = {"machine": machine(), "load_at_start": os.getloadavg()}
    print(f"machine: {report['machine']}; load average at start: {report['load_at_start']}", flush=True)

    p10k = portfolio(args.workdir, 10_000)
    st = stages(p10k, args.sample)
    report["stages_us_per_record"] = st
    floor = st["floor: parse and validate"]
    print(f"\nPer partnership, one process, {st['records']} records of the 10,000 portfolio:")
    for name, us in st.items():
        if name != "records":
            print(f"  {name:34s} {us:8.1f} us  {us / floor:5.1f}x floor")
    shipped = sum(st[k] for k in ("floor: parse and validate", "flatten", "engine, as shipped (orjson)",
                                  "build: findings, evidence, gaps", "brief: problems counted, urgency",
                                  "serialise (to_dict + orjson)"))
    naive = sum(st[k] for k in ("floor: parse and validate", "flatten", "engine, naive (stdlib json)",
                                "build without the gaps memo", "brief: problems counted, urgency",
                                "serialise (to_dict + orjson)"))
    report["per_record_us"] = {"floor": floor, "audit_one_process": shipped, "naive_one_process": naive}
    print(f"  audit, one process (sum)            {shipped:8.1f} us  {shipped / floor:5.1f}x floor")
    print(f"  naive, one process (sum)            {naive:8.1f} us  {naive / floor:5.1f}x floor")

    out = args.workdir / "audit-out"
    floor_s = floor_end_to_end(p10k)
    runs = [run_audit(p10k, jobs, fmt, out) for fmt in ("jsonl", "table") for jobs in (1, 2)]
    report["end_to_end_10k"] = {"floor_seconds": round(floor_s, 3), "runs": runs}
    print(f"\nEnd to end, 10,000 partnerships (floor: read and validate in a fresh process, {floor_s:.2f} s):")
    for r in runs:
        print(f"  audit --jobs {r['jobs']} --format {r['format']:5s} {r['seconds']:7.2f} s  "
              f"{10_000 / r['seconds']:7.0f}/s  {r['seconds'] / floor_s:5.1f}x floor  cpu {r['cpu_seconds']:.2f} s  "
              f"peak {r['peak_mb']} MB  (load before: {r['load_before']})")
    by = {(r["jobs"], r["format"]): r["seconds"] for r in runs}
    for fmt in ("jsonl", "table"):
        print(f"  --jobs 2 against --jobs 1 ({fmt}): {by[(1, fmt)] / by[(2, fmt)]:.2f}x")

    if not args.skip_memory:
        p1k = portfolio(args.workdir, 1_000)
        p100k = portfolio(args.workdir, 100_000)
        small = run_audit(p1k, 2, "jsonl", out)
        big = run_audit(p100k, 2, "jsonl", out)
        report["memory"] = {"1000": small, "100000": big}
        print("\nPeak memory of the audit (command and workers together), --jobs 2 --format jsonl:")
        print(f"  1,000 partnerships:   {small['peak_mb']} MB ({small['seconds']} s)")
        print(f"  100,000 partnerships: {big['peak_mb']} MB ({big['seconds']} s, {100_000 / big['seconds']:.0f}/s)")
        print(f"  difference: {big['peak_mb'] - small['peak_mb']:+.1f} MB")
    if out.exists():
        out.unlink()
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
