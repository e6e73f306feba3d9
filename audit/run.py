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
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, Protocol

import orjson

from ..engine.assessor import Assessor
from ..engine.rulebase import RuleBase
from ..engine.runner import EngineError
from ..facts.problems import Problem
from .readers import Item, Record, RecordError, Rejected, read_sources, to_partnership
from .results import AuditSummary, Brief
from .tally import Tally
FIRST_BATCH, MAX_BATCH = 8, 256  # batches grow from 8 records so that every worker has work early
IN_FLIGHT_PER_JOB = 4
MAX_CONSECUTIVE_BREAKS = 3
FAILED_MESSAGE = "the process assessing this record stopped twice (killed, or out of memory); it was not assessed"


from .errors import AuditError  # noqa: E402


class Sink(Protocol):
    def result(self, brief: Brief, full: Optional[bytes]) -> None: ...
    def error(self, problems: tuple[Problem, ...], failed: bool) -> None: ...
    def finish(self, summary: AuditSummary) -> None: ...


# --- the work of one batch (in a worker process, or here with jobs=0) ------------------------------


def result_json(a, brief: Brief) -> bytes:
    """One result as the json and jsonl outputs give it: the `assess` object, with the urgency after the partnership."""
    doc = a.to_dict()
    doc = {"partnership": doc.pop("partnership"), "urgency": brief.urgency_dict(), **doc}
    return orjson.dumps(doc)


def assess_batch(assessor, items: list[Item], full: bool) -> list[tuple]:
    """One outcome per item, in order: ('ok', brief, json bytes or None), ('bad', problems) or ('failed', problems)."""
    out: list[Any] = [None] * len(items)
    good: list[tuple[int, Record, Any]] = []
    for i, item in enumerate(items):
        if isinstance(item, Rejected):
            out[i] = ("bad", item.problems)
            continue
        try:
            good.append((i, item, to_partnership(item)))
        except RecordError as e:
            out[i] = ("bad", e.problems)
    try:
        results = assessor.assess_many([p for _, _, p in good], detail=full)
    except EngineError:
        # One record upset the engine: assess each alone so that the others still count.
        results = []
        for _, record, p in good:
            try:
                results.append(assessor.assess_many([p], detail=full)[0])
            except EngineError as e:
                results.append(record.problem(f"the engine failed on this record ({e})"))
    for (i, record, _), a in zip(good, results):
        if isinstance(a, Problem):
            out[i] = ("failed", (a,))
        else:
            brief = Brief.of(a, record.source, record.location)
            out[i] = ("ok", brief, result_json(a, brief) if full else None)
    return out


_worker: dict[str, Any] = {}


def _init_worker(rulebase: RuleBase, full: bool) -> None:
    # Ctrl-C reaches the whole process group: the parent decides what to do, workers carry on.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
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


def _failed(item: Record) -> tuple:
    return ("failed", (item.problem(FAILED_MESSAGE),))


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

    def run(self, items: Iterable[Item], sink: Sink, progress: Optional[Callable[[int], None]] = None) -> AuditSummary:
        """Feed every outcome to `sink` in input order; return the summary (also given to sink.finish)."""
        self.progress = progress
        with _StopOnInterrupt() as stop:
            self._stop = stop
            if self.jobs <= 0:
                self._run_here(items, sink)
            else:
                self._run_pool(items, sink)
            self.tally.interrupted = stop.stopped
        summary = self.tally.summary()
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
        assessor = Assessor.of(self.rulebase)
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
                if isinstance(item, Rejected):
                    outcomes.append(("bad", item.problems))
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
) -> AuditSummary:
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
