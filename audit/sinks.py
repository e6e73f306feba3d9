"""Where an audit's results go as it runs: streaming JSON, JSON Lines and CSV writers, and the summaries.

A sink receives results in input order as the audit runs and the summary at the end. Streaming
formats write through one `Output` (a temporary file beside --output, renamed into place at the
end, so a reader never sees half a file; a FIFO or device as a stream; or standard output);
nothing is kept per partnership. The summary formats (table, markdown, html) write at the end.
"""

from __future__ import annotations

import csv
import io
import sys
import tempfile
from pathlib import Path
from typing import Optional

import orjson

from ..facts.vocabulary import SEVERITIES
from ..output import Output, check_output, write_output
from ..render.audit import render_markdown, render_table
from ..render.text import one_line
from .readers import count_records
from .results import AuditSummary, Brief

FORMATS = ["table", "json", "jsonl", "csv", "markdown", "html"]
# A row per finding; the partnership's urgency, its problems by severity and its most urgent problem
# are repeated on each of its rows, so that a spreadsheet can sort the findings by urgency.
CSV_HEADER = ["partnership", "name", "phase", "rule", "severity", "priority", "title", "message",
              "urgency", "critical_items", "high_items", "medium_items", "low_items", "first_item"]
SHOWN_ERRORS = 20
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell) -> str:
    """A CSV cell that a spreadsheet will not run as a formula: a leading = + - @ tab or CR gets a quote."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_START) else text


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def status_line(summary: AuditSummary) -> str:
    text = f"partnerwise: audited {_count(summary.assessed, 'partnership')}; {_count(summary.bad_records, 'bad record')}"
    if summary.failed_records:
        text += f"; {_count(summary.failed_records, 'record')} failed"
    if summary.interrupted:
        text += f"; stopped by the user after {_count(summary.records_read, 'record')}"
    return text


def error_record(problems, failed: bool) -> dict:
    """A bad record as data: its first problem's place and message, and every problem when there are more."""
    doc = {**problems[0].to_dict(), "failed": failed}
    if len(problems) > 1:
        doc["problems"] = [p.to_dict() for p in problems]
    return doc


class _Sink:
    """Shared by every format: bad records go to stderr (the first few), and are kept for the summary."""

    def __init__(self) -> None:
        self.shown: list = []
        self.more = 0

    def error(self, problems, failed: bool) -> None:
        if len(self.shown) < SHOWN_ERRORS:
            self.shown.extend(problems)
            for problem in problems:
                _err(f"partnerwise: error: {one_line(str(problem))}")
        else:
            self.more += 1

    def _errors_tail(self) -> None:
        if self.more:
            _err(f"partnerwise: ... and {self.more} more bad records (all are listed with --format json or jsonl)")

    def abort(self) -> None:
        pass


class SummarySink(_Sink):
    """table, markdown and html: nothing per partnership, the summary at the end."""

    def __init__(self, fmt: str, output: Optional[Path], rulebase=None):
        super().__init__()
        check_output(output)
        self.output = output
        self.page = None
        if fmt == "html":
            from ..render.html import PortfolioPage

            self.page = PortfolioPage(rulebase)
        self.render = render_markdown if fmt == "markdown" else render_table

    def result(self, brief: Brief, full) -> None:
        if self.page is not None:
            self.page.add(brief)

    def finish(self, summary: AuditSummary) -> None:
        self._errors_tail()
        text = self.page.render(summary, self.shown) if self.page is not None else self.render(summary, self.shown)
        write_output(text, self.output)


class _StreamSink(_Sink):
    """Results written as they come into one Output; the bad records kept aside and written at the end."""

    def __init__(self, output: Optional[Path]):
        super().__init__()
        self.target = Output(output)
        self.errors = tempfile.TemporaryFile()

    def _finish(self, summary: AuditSummary) -> None:
        self.target.commit()
        if summary.bad_records or summary.failed_records or summary.interrupted:
            _err(status_line(summary))

    def abort(self) -> None:
        self.errors.close()
        self.target.abort()


class JsonlSink(_StreamSink):
    """One assess-shaped result per line, then one {"error": ...} line per bad record."""

    def result(self, brief: Brief, full: bytes) -> None:
        self.target.write(full + b"\n")

    def error(self, problems, failed: bool) -> None:
        super().error(problems, failed)
        self.errors.write(orjson.dumps({"error": error_record(problems, failed)}) + b"\n")

    def finish(self, summary: AuditSummary) -> None:
        self._errors_tail()
        self.errors.seek(0)
        for line in self.errors:
            self.target.write(line)
        self.errors.close()
        self._finish(summary)


class JsonSink(_StreamSink):
    """{"results": [...], "errors": [...], "summary": {...}}: results stream first, the summary comes last."""

    def __init__(self, output: Optional[Path]):
        super().__init__(output)
        self.count = 0
        self.target.write(b'{"results": [')

    def result(self, brief: Brief, full: bytes) -> None:
        self.target.write((b",\n" if self.count else b"\n") + full)
        self.count += 1

    def error(self, problems, failed: bool) -> None:
        super().error(problems, failed)
        self.errors.write(orjson.dumps(error_record(problems, failed)) + b"\n")

    def finish(self, summary: AuditSummary) -> None:
        self._errors_tail()
        self.target.write(b"\n],\n" if self.count else b"],\n")
        self.target.write(b'"errors": [')
        self.errors.seek(0)
        first = True
        for line in self.errors:
            self.target.write((b"\n" if first else b",\n") + line.rstrip(b"\n"))
            first = False
        self.errors.close()
        self.target.write(b"],\n" if first else b"\n],\n")
        self.target.write(b'"summary": ' + orjson.dumps(summary.to_dict(), option=orjson.OPT_INDENT_2) + b"\n}\n")
        self._finish(summary)


class CsvSink(_StreamSink):
    """One row per finding: partnership id, name, phase, the finding, then the partnership's urgency and its parts."""

    def __init__(self, output: Optional[Path]):
        super().__init__(output)
        self.text = io.StringIO()
        self.writer = csv.writer(self.text)
        self._row(CSV_HEADER)

    def _row(self, cells) -> None:
        self.writer.writerow(cells)
        self.target.write(self.text.getvalue())
        self.text.seek(0)
        self.text.truncate()

    def result(self, brief: Brief, full) -> None:
        first = brief.first_item
        urgency = (brief.urgency, *(brief.item_counts[s] for s in SEVERITIES), first.title if first else "")
        for f in brief.findings:
            self._row([neutralise(x) for x in (brief.id, brief.name, brief.phase or "", f.rule, f.severity, f.priority,
                                              f.title, f.message, *urgency)])

    def finish(self, summary: AuditSummary) -> None:
        self._errors_tail()
        self._finish(summary)


def open_sink(fmt: str, output: Optional[Path], rulebase=None):
    """The sink of an output format, opened (an output that cannot be written is refused here, before any work)."""
    if fmt in ("table", "markdown", "html"):
        return SummarySink(fmt, output, rulebase)
    if fmt == "jsonl":
        return JsonlSink(output)
    if fmt == "json":
        return JsonSink(output)
    if fmt == "csv":
        return CsvSink(output)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


# --- progress -------------------------------------------------------------------------------------


class Progress:
    """The audit's progress on stderr (count, rate, time left), drawn by tqdm; only on a terminal."""

    def __init__(self, total: Optional[int], stream=None):
        from tqdm import tqdm

        self.bar = tqdm(total=total, file=stream or sys.stderr, unit=" partnerships", desc="audit", leave=False)

    @staticmethod
    def wanted(stream=None) -> bool:
        stream = stream or sys.stderr
        return hasattr(stream, "isatty") and stream.isatty()

    def __call__(self, done: int) -> None:
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        self.bar.close()


def progress_bar(sources) -> Optional[Progress]:
    """A progress bar for an audit of `sources` when stderr is a terminal, else None."""
    if not Progress.wanted():
        return None
    return Progress(count_records(sources))
