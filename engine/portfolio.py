"""Running a portfolio audit: records in batches through worker processes, results in input order, a tally.

Each worker process compiles the rule base once (in its initialiser) and assesses a batch of records
in one engine session (`Assessor.assess_many`); durable-rules holds the GIL, so processes, not
threads, give the speed-up. The parent reads the input, keeps a bounded number of batches in
flight, hands results to a sink in input order and keeps a tally that does not grow with the
portfolio. A worker that dies takes its batch with it: every record of every batch that was in
flight is then retried once, alone, in a fresh pool; a record that stops a worker again is
reported as failed and the audit goes on.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, NamedTuple, Optional, Protocol

import orjson

from ..facts.model import PHASE_ORDER, ImpactArea
from ..facts.portfolio import Item, Problem, Record, RecordError, read_sources, to_partnership
from .rulebase import SEVERITIES, RuleBase
from .runner import EngineError

SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
FIRST_BATCH, MAX_BATCH = 8, 256  # batches grow from 8 records so that every worker has work early
IN_FLIGHT_PER_JOB = 4
MAX_CONSECUTIVE_BREAKS = 3
FAILED_MESSAGE = "the process assessing this record stopped twice (killed, or out of memory); it was not assessed"
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


class AuditError(RuntimeError):
    """The audit cannot go on (the worker processes cannot run the rule base); exit code 2."""


class Brief(NamedTuple):
    """What the tally and the CSV rows need of one assessment; findings as (rule, title, severity, priority, message)."""

    id: str
    name: str
    phase: Optional[str]
    area: Optional[str]
    source: str
    location: str
    findings: tuple


class Sink(Protocol):
    def result(self, brief: Brief, full: Optional[bytes]) -> None: ...
    def error(self, problem: Problem, failed: bool) -> None: ...
    def finish(self, summary: dict) -> None: ...


# --- the work of one batch (in a worker process, or here with jobs=0) ------------------------------


def _brief(a, record: Record) -> Brief:
    findings = tuple((f.rule, f.title, f.severity, f.priority, f.message) for f in a.findings)
    return Brief(a.id, a.name, a.phase, a.area, record.source, record.location, findings)


def assess_batch(assessor, items: list[Item], full: bool) -> list[tuple]:
    """One outcome per item, in order: ('ok', brief, json bytes or None), ('bad', problem) or ('failed', problem)."""
    out: list[Any] = [None] * len(items)
    good: list[tuple[int, Record, Any]] = []
    for i, item in enumerate(items):
        if isinstance(item, Problem):
            out[i] = ("bad", item)
            continue
        try:
            good.append((i, item, to_partnership(item)))
        except RecordError as e:
            out[i] = ("bad", e.problem)
    try:
        results = assessor.assess_many([p for _, _, p in good])
    except EngineError:
        # One record upset the engine: assess each alone so that the others still count.
        results = []
        for _, record, p in good:
            try:
                results.append(assessor.assess_many([p])[0])
            except EngineError as e:
                results.append(Problem(record.source, record.location, f"the engine failed on this record ({e})"))
    for (i, record, _), a in zip(good, results):
        if isinstance(a, Problem):
            out[i] = ("failed", a)
        else:
            out[i] = ("ok", _brief(a, record), orjson.dumps(a.to_dict()) if full else None)
    return out


_worker: dict[str, Any] = {}


def _init_worker(rulebase: RuleBase, full: bool) -> None:
    # Ctrl-C reaches the whole process group: the parent decides what to do, workers carry on.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from ..api import Assessor

    _worker["full"] = full
    try:
        _worker["assessor"] = Assessor(rulebase)
    except Exception as e:  # reported by the parent as "the rules cannot run"
        _worker["error"] = f"{type(e).__name__}: {e}"
    # The compiled rule base lives as long as the process: keep the collector from rescanning it.
    gc.freeze()


def _work(items: list[Item]) -> list[tuple]:
    if "error" in _worker:
        return [("init-error", _worker["error"])]
    return assess_batch(_worker["assessor"], items, _worker["full"])


def _failed(item: Item) -> tuple:
    return ("failed", Problem(item.source, item.location, FAILED_MESSAGE))


# --- the tally ------------------------------------------------------------------------------------


class Tally:
    """Counts for the summary; its size depends on the rule base, never on the number of partnerships."""

    def __init__(self, fail_on: str = "high", top: int = 10):
        self.fail_on = fail_on
        self.limit = None if fail_on == "none" else SEVERITY_RANK[fail_on]
        self.top = top
        self.assessed = self.bad = self.failed = self.read = self.with_findings = self.failing = 0
        self.worst: Counter = Counter()
        self.rules: Counter = Counter()
        self.rule_info: dict[str, tuple[str, str]] = {}
        self.groups: dict[str, dict[str, list]] = {"phase": {}, "impact_area": {}}
        self.urgent: list[tuple] = []
        self.interrupted = False

    def add(self, b: Brief) -> None:
        index = self.read
        self.read += 1
        self.assessed += 1
        findings = b.findings
        worst = findings[0][2] if findings else "none"
        self.worst[worst] += 1
        rules = {f[0] for f in findings}
        for rule, title, severity, _, _ in findings:
            self.rules[rule] += 1
            self.rule_info.setdefault(rule, (title, severity))
        for kind, key in (("phase", b.phase), ("impact_area", b.area)):
            group = self.groups[kind].setdefault(key or "unknown", [0, 0, Counter()])
            group[0] += 1
            group[1] += bool(findings)
            group[2].update(rules)
        if findings:
            self.with_findings += 1
            if self.limit is not None and SEVERITY_RANK[worst] <= self.limit:
                self.failing += 1
            counts = Counter(f[2] for f in findings)
            top = findings[0]
            key = (SEVERITY_RANK[top[2]], -top[3], *(-counts[s] for s in SEVERITIES), index)
            self.urgent.append((key, b, dict(counts)))
            if len(self.urgent) >= 4 * self.top:
                self.urgent.sort(key=lambda u: u[0])
                del self.urgent[self.top :]

    def add_problem(self, failed: bool) -> None:
        self.read += 1
        if failed:
            self.failed += 1
        else:
            self.bad += 1

    def _percent(self, count: int, of: int) -> float:
        return round(100.0 * count / of, 1) if of else 0.0

    def _findings(self, counter: Counter, of: int) -> list[dict]:
        ranked = sorted(counter.items(), key=lambda kv: (-kv[1], SEVERITY_RANK[self.rule_info[kv[0]][1]], kv[0]))
        return [
            {
                "rule": rule,
                "title": self.rule_info[rule][0],
                "severity": self.rule_info[rule][1],
                "count": n,
                "percent": self._percent(n, of),
            }
            for rule, n in ranked
        ]

    def _groups(self, kind: str, order: list[str]) -> list[dict]:
        groups = self.groups[kind]
        keys = [k for k in order if k in groups] + sorted(k for k in groups if k not in order)
        return [
            {
                kind: key,
                "assessed": groups[key][0],
                "with_findings": groups[key][1],
                "findings": self._findings(groups[key][2], groups[key][0]),
            }
            for key in keys
        ]

    def to_dict(self) -> dict:
        self.urgent.sort(key=lambda u: u[0])
        urgent = [
            {
                "id": b.id,
                "name": b.name,
                "phase": b.phase,
                "impact_area": b.area,
                "source": b.source,
                "location": b.location,
                "findings": len(b.findings),
                "by_severity": {s: counts.get(s, 0) for s in SEVERITIES},
                "top_finding": {"rule": b.findings[0][0], "title": b.findings[0][1], "severity": b.findings[0][2],
                                "priority": b.findings[0][3], "message": b.findings[0][4]},
            }
            for _, b, counts in self.urgent[: self.top]
        ]
        return {
            "assessed": self.assessed,
            "bad_records": self.bad,
            "failed_records": self.failed,
            "records_read": self.read,
            "complete": not self.interrupted,
            "interrupted": self.interrupted,
            "with_findings": self.with_findings,
            "fail_on": self.fail_on,
            "at_or_above_fail_on": self.failing,
            "by_worst_severity": {s: self.worst.get(s, 0) for s in SEVERITIES + ["none"]},
            "most_urgent": urgent,
            "common_findings": self._findings(self.rules, self.assessed),
            "by_phase": self._groups("phase", PHASE_ORDER + ["unknown"]),
            "by_impact_area": self._groups("impact_area", [a.value for a in ImpactArea] + ["unknown"]),
        }


def exit_code(summary: dict, strict: bool = False) -> int:
    """130 if stopped by the user; 2 for a failed record (or, with strict, a bad one); 1 for findings at or above --fail-on."""
    if summary["interrupted"]:
        return EXIT_INTERRUPTED
    if summary["failed_records"] or (strict and summary["bad_records"]):
        return EXIT_ERROR
    return EXIT_FINDINGS if summary["at_or_above_fail_on"] else EXIT_OK


# --- the audit ------------------------------------------------------------------------------------


class _Batch:
    __slots__ = ("items", "future", "outcomes")

    def __init__(self, items: list[Item]):
        self.items = items
        self.future = None
        self.outcomes: Optional[list] = None


def batches(items: Iterable[Item], first: int = FIRST_BATCH, largest: int = MAX_BATCH) -> Iterator[list[Item]]:
    size, batch = first, []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch, size = [], min(largest, size * 2)
    if batch:
        yield batch


class _StopOnInterrupt:
    """Ctrl-C once: finish cleanly after the records already written. Twice: stop at once."""

    def __init__(self) -> None:
        self.stopped = False
        self._previous = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame) -> None:
        if self.stopped:
            raise KeyboardInterrupt
        self.stopped = True

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


class Audit:
    """Assess a stream of records with a rule base: `jobs` worker processes (0: in this process)."""

    def __init__(self, rulebase: RuleBase, jobs: int = 1, full: bool = True, fail_on: str = "high", top: int = 10):
        self.rulebase = rulebase
        self.jobs = jobs
        self.full = full
        self.tally = Tally(fail_on, top)
        self.progress: Optional[Callable[[int], None]] = None
        self.on_pool: Optional[Callable[[ProcessPoolExecutor], None]] = None
        self._stop: Optional[_StopOnInterrupt] = None

    def run(self, items: Iterable[Item], sink: Sink, progress: Optional[Callable[[int], None]] = None) -> dict:
        """Feed every outcome to `sink` in input order; return the summary (also given to sink.finish)."""
        self.progress = progress
        with _StopOnInterrupt() as stop:
            self._stop = stop
            if self.jobs <= 0:
                self._run_here(items, sink)
            else:
                self._run_pool(items, sink)
            self.tally.interrupted = stop.stopped
        summary = self.tally.to_dict()
        sink.finish(summary)
        return summary

    def _emit(self, outcomes: list, sink: Sink) -> None:
        for outcome in outcomes:
            kind = outcome[0]
            if kind == "ok":
                self.tally.add(outcome[1])
                sink.result(outcome[1], outcome[2])
            elif kind == "init-error":
                raise AuditError(f"the rule base cannot run in a worker process ({outcome[1]})")
            else:
                self.tally.add_problem(kind == "failed")
                sink.error(outcome[1], kind == "failed")
        if self.progress is not None:
            self.progress(self.tally.read)

    def _run_here(self, items: Iterable[Item], sink: Sink) -> None:
        from ..api import Assessor

        assessor = Assessor(self.rulebase)
        for batch in batches(items):
            if self._stop.stopped:
                return
            self._emit(assess_batch(assessor, batch, self.full), sink)

    def _new_pool(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            max_workers=self.jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self.rulebase, self.full),
        )
        if self.on_pool is not None:
            self.on_pool(pool)
        return pool

    def _run_pool(self, items: Iterable[Item], sink: Sink) -> None:
        stop = self._stop
        pool = self._new_pool()
        pending: deque[_Batch] = deque()
        source = batches(items)
        window = self.jobs * IN_FLIGHT_PER_JOB
        exhausted = False
        try:
            while not stop.stopped:
                while not exhausted and len(pending) < window:
                    batch = next(source, None)
                    if batch is None:
                        exhausted = True
                        break
                    b = _Batch(batch)
                    try:
                        b.future = pool.submit(_work, batch)
                    except BrokenProcessPool:
                        b.future = None
                    pending.append(b)
                    if stop.stopped:
                        break
                if not pending:
                    return
                head = pending[0]
                try:
                    if head.future is None:
                        raise BrokenProcessPool("the pool was broken before this batch was sent")
                    head.outcomes = head.future.result(timeout=0.2)
                except FutureTimeout:
                    continue
                except BrokenProcessPool:
                    pool = self._recover(pool, pending)
                while pending and pending[0].outcomes is not None:
                    self._emit(pending.popleft().outcomes, sink)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _recover(self, pool: ProcessPoolExecutor, pending: deque) -> ProcessPoolExecutor:
        """A worker died: keep the batches that finished, retry every record of the others once, alone."""
        pool.shutdown(wait=True, cancel_futures=True)
        pool = self._new_pool()
        breaks = 0
        for b in pending:
            if self._stop.stopped:
                break
            if b.outcomes is not None:
                continue
            f = b.future
            if f is not None and f.done() and not f.cancelled() and f.exception() is None:
                b.outcomes = f.result()
                continue
            outcomes: list = []
            for item in b.items:
                if isinstance(item, Problem):
                    outcomes.append(("bad", item))
                    continue
                try:
                    outcomes.extend(pool.submit(_work, [item]).result())
                    breaks = 0
                except BrokenProcessPool:
                    breaks += 1
                    if breaks >= MAX_CONSECUTIVE_BREAKS:
                        raise AuditError(
                            "the worker processes keep stopping (out of memory, or the engine crashes); "
                            "try fewer --jobs"
                        ) from None
                    outcomes.append(_failed(item))
                    pool.shutdown(wait=True, cancel_futures=True)
                    pool = self._new_pool()
            b.outcomes = outcomes
        return pool


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def audit(
    sources: Iterable[Path],
    rulebase: RuleBase,
    sink: Sink,
    jobs: Optional[int] = None,
    full: bool = True,
    fail_on: str = "high",
    progress: Optional[Callable[[int], None]] = None,
) -> dict:
    """Audit every record of `sources` into `sink`; the summary. `full`: sink wants each result's JSON."""
    runner = Audit(rulebase, jobs=default_jobs() if jobs is None else jobs, full=full, fail_on=fail_on)
    try:
        return runner.run(read_sources(sources), sink, progress)
    except BaseException:
        abort = getattr(sink, "abort", None)
        if abort is not None:
            abort()
        raise
    finally:
        close = getattr(progress, "close", None)
        if close is not None:
            close()
