"""`partnerwise audit`: a whole portfolio, every record assessed, the most urgent first, a summary.

readers.py reads the sources a record at a time; run.py assesses them in worker processes and hands
results on in input order; tally.py counts them into the summary (results.py holds the result types)
and decides the exit code; urgency.py scores and ranks the partnerships; sinks.py writes results
and summaries as they come.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

from typing import TYPE_CHECKING

from .errors import AuditError

if TYPE_CHECKING:
    from ..engine.rulebase import RuleBase
    from .results import AuditSummary


def __getattr__(name: str):
    # The result types load with the first audit, not with the package (the API imports AuditError).
    if name in ("AuditSummary", "Brief", "FindingBrief", "ItemBrief"):
        from . import results

        return getattr(results, name)
    raise AttributeError(name)


def audit(
    sources: Sequence[Path], rulebase: "RuleBase", fmt: str = "json", output: Optional[Path] = None,
    jobs: Optional[int] = None, fail_on: str = "high", progress: bool = False,
) -> "AuditSummary":
    """Audit every record of `sources` into `output` (None: standard output) in `fmt`; the summary.

    Sources and output are checked before any record is read (FactError, OutputError). The worker
    machinery is imported here, at the first audit, not with the package.
    """
    from .readers import check_sources
    from .run import audit as _run
    from .sinks import open_sink, progress_bar

    check_sources(sources)
    sink = open_sink(fmt, output, rulebase)
    bar = progress_bar(sources) if progress else None
    return _run(sources, rulebase, sink, jobs=jobs, full=fmt in ("json", "jsonl"), fail_on=fail_on, progress=bar)


__all__ = ["AuditError", "AuditSummary", "Brief", "FindingBrief", "ItemBrief", "audit"]
