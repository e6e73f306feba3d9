"""Audit output: the summary as a table or Markdown, and streaming JSON, JSON Lines and CSV writers.

A sink receives results in input order as the audit runs and the summary at the end. Streaming
formats write straight into a temporary file beside --output (renamed into place at the end, so
a reader never sees half a file) or to standard output; nothing is kept per partnership.
"""

from __future__ import annotations

import csv
import io
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import IO, Optional

import orjson
from tabulate import tabulate

from ..output import Output, check_output, write_output
from .markdown import md
from .text import SEVERITY_LABEL, clean, one_line, phase_words

FORMATS = ["table", "json", "jsonl", "csv", "markdown"]
CSV_HEADER = ["partnership", "name", "phase", "rule", "severity", "priority", "title", "message"]
SHOWN_ERRORS = 20
TOP_PER_GROUP = 3
WIDTH = 80
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell) -> str:
    """A CSV cell that a spreadsheet will not run as a formula: a leading = + - @ tab or CR gets a quote."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_START) else text


# --- sinks ----------------------------------------------------------------------------------------


class _Sink:
    """Shared by every format: bad records go to stderr (the first few), and are kept for the summary."""

    def __init__(self) -> None:
        self.shown: list = []
        self.more = 0

    def error(self, problem, failed: bool) -> None:
        if len(self.shown) < SHOWN_ERRORS:
            self.shown.append(problem)
            click_echo_err(f"partnerwise: error: {one_line(str(problem))}")
        else:
            self.more += 1

    def _errors_tail(self) -> None:
        if self.more:
            click_echo_err(f"partnerwise: ... and {self.more} more bad records (all are listed with --format json or jsonl)")

    def abort(self) -> None:
        pass


def click_echo_err(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _status_line(summary: dict) -> str:
    text = f"partnerwise: audited {_count(summary['assessed'], 'partnership')}; {_count(summary['bad_records'], 'bad record')}"
    if summary["failed_records"]:
        text += f"; {_count(summary['failed_records'], 'record')} failed"
    if summary["interrupted"]:
        text += f"; stopped by the user after {_count(summary['records_read'], 'record')}"
    return text


class SummarySink(_Sink):
    """table and markdown: nothing per partnership, the summary at the end."""

    def __init__(self, fmt: str, output: Optional[Path]):
        super().__init__()
        self.fmt = fmt
        self.output = output
        check_output(output)

    def result(self, brief, full) -> None:
        pass

    def finish(self, summary: dict) -> None:
        self._errors_tail()
        render = render_markdown if self.fmt == "markdown" else render_table
        write_output(render(summary, self.shown), self.output)


class JsonlSink(_Sink):
    """One assess-shaped result per line, then one {"error": ...} line per bad record."""

    def __init__(self, output: Optional[Path]):
        super().__init__()
        self.target = Output(output)
        self.errors = tempfile.TemporaryFile()

    def result(self, brief, full: bytes) -> None:
        self.target.write(full + b"\n")

    def error(self, problem, failed: bool) -> None:
        super().error(problem, failed)
        self.errors.write(orjson.dumps({"error": {**problem.to_dict(), "failed": failed}}) + b"\n")

    def finish(self, summary: dict) -> None:
        self._errors_tail()
        self.errors.seek(0)
        for line in self.errors:
            self.target.write(line)
        self.errors.close()
        self.target.commit()
        if summary["bad_records"] or summary["failed_records"] or summary["interrupted"]:
            click_echo_err(_status_line(summary))

    def abort(self) -> None:
        self.target.abort()


class JsonSink(JsonlSink):
    """{"results": [...], "errors": [...], "summary": {...}}: results stream first, the summary comes last."""

    def __init__(self, output: Optional[Path]):
        super().__init__(output)
        self.count = 0
        self.target.write(b'{"results": [')

    def result(self, brief, full: bytes) -> None:
        self.target.write((b",\n" if self.count else b"\n") + full)
        self.count += 1

    def error(self, problem, failed: bool) -> None:
        _Sink.error(self, problem, failed)
        self.errors.write(orjson.dumps({**problem.to_dict(), "failed": failed}) + b"\n")

    def finish(self, summary: dict) -> None:
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
        self.target.write(b'"summary": ' + orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n}\n")
        self.target.commit()
        if summary["bad_records"] or summary["failed_records"] or summary["interrupted"]:
            click_echo_err(_status_line(summary))


class CsvSink(_Sink):
    """One row per finding: partnership id, name, phase, rule, severity, priority, title, message."""

    def __init__(self, output: Optional[Path]):
        super().__init__()
        self.target = Output(output)
        self.text = io.TextIOWrapper(self.target.stream, encoding="utf-8", newline="", write_through=True)
        self.writer = csv.writer(self.text)
        self.writer.writerow(CSV_HEADER)

    def result(self, brief, full) -> None:
        for rule, title, severity, priority, message in brief.findings:
            self.writer.writerow(
                [neutralise(x) for x in (brief.id, brief.name, brief.phase or "", rule, severity, priority, title, message)]
            )

    def finish(self, summary: dict) -> None:
        self._errors_tail()
        self.text.flush()
        self.text.detach()
        self.target.commit()
        if summary["bad_records"] or summary["failed_records"] or summary["interrupted"]:
            click_echo_err(_status_line(summary))

    def abort(self) -> None:
        self.target.abort()


def open_sink(fmt: str, output: Optional[Path]):
    if fmt in ("table", "markdown"):
        return SummarySink(fmt, output)
    if fmt == "jsonl":
        return JsonlSink(output)
    if fmt == "json":
        return JsonSink(output)
    if fmt == "csv":
        return CsvSink(output)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


# --- the summary as text --------------------------------------------------------------------------


def _n(x: int) -> str:
    return f"{x:,}"


def _pct(x: float) -> str:
    return f"{x:.1f}%"


def _headline(s: dict) -> list[str]:
    lines = [
        f"Partnerships assessed: {_n(s['assessed'])}",
        f"Bad records: {_n(s['bad_records'])}" + (f"; failed records: {_n(s['failed_records'])}" if s["failed_records"] else ""),
    ]
    if s["interrupted"]:
        lines.append(f"Stopped by the user after {_n(s['records_read'])} records: the figures cover those records only.")
    if s["assessed"]:
        worst = s["by_worst_severity"]
        parts = [f"{sev} {_n(worst[sev])} ({_pct(100.0 * worst[sev] / s['assessed'])})" for sev in worst]
        lines.append("Worst finding per partnership: " + ", ".join(parts))
        if s["fail_on"] != "none":
            lines.append(f"With a finding at or above {s['fail_on']}: {_n(s['at_or_above_fail_on'])}")
    return lines


def _group_rows(groups: list[dict], kind: str) -> list[list]:
    rows = []
    for g in groups:
        top = ", ".join(f"{f['rule']} {f['percent']:.0f}%" for f in g["findings"][:TOP_PER_GROUP]) or "-"
        rows.append([phase_words(g[kind]) if g[kind] != "unknown" else "unknown", _n(g["assessed"]), _n(g["with_findings"]), top])
    return rows


def render_table(s: dict, errors: list = ()) -> str:
    out = ["Portfolio audit", "==============="]
    for line in _headline(s):
        out += textwrap.wrap(line, WIDTH, subsequent_indent="  ")
    if s["most_urgent"]:
        out += ["", "Most urgent partnerships"]
        for i, u in enumerate(s["most_urgent"], 1):
            t = u["top_finding"]
            head = f"{i:>2}. {clean(u['name'])} ({clean(u['id'])}), {phase_words(u['phase'])}, {u['findings']} finding{'' if u['findings'] == 1 else 's'}"
            out += textwrap.wrap(head, WIDTH, subsequent_indent="    ")
            out += textwrap.wrap(f"{SEVERITY_LABEL[t['severity']]} {t['rule']}: {clean(t['title'])}", WIDTH,
                                 initial_indent="    ", subsequent_indent="      ")
    if s["common_findings"]:
        rows = [[f["rule"], SEVERITY_LABEL[f["severity"]], _n(f["count"]), _pct(f["percent"]), clean(f["title"])]
                for f in s["common_findings"][:10]]
        out += ["", f"Most common findings (share of {_n(s['assessed'])} partnerships)"]
        out.append(tabulate(rows, headers=["rule", "severity", "count", "share", "finding"], maxcolwidths=[None, None, None, None, 40],
                            colalign=("left", "left", "right", "right", "left")))
    for title, key, kind in (("By phase", "by_phase", "phase"), ("By impact area", "by_impact_area", "impact_area")):
        if s[key]:
            out += ["", f"{title} (most common findings, share of the group)"]
            out.append(tabulate(_group_rows(s[key], kind), headers=[kind.replace("_", " "), "assessed", "with findings", "most common findings"],
                                colalign=("left", "right", "right", "left"), maxcolwidths=[None, None, None, 30]))
    if errors:
        out += ["", f"Bad records ({len(errors)} shown of {_n(s['bad_records'] + s['failed_records'])})"]
        out += [f"- {clean(str(p))}" for p in errors]
    return "\n".join(out) + "\n"


def render_markdown(s: dict, errors: list = ()) -> str:
    out = ["# Portfolio audit", ""]
    out += [f"- {line}" for line in _headline(s)]
    if s["most_urgent"]:
        out += ["", "## Most urgent partnerships", "", "| # | partnership | phase | severity | rule | top finding | findings |",
                "|---|---|---|---|---|---|---|"]
        for i, u in enumerate(s["most_urgent"], 1):
            t = u["top_finding"]
            out.append(f"| {i} | {md(u['name'])} (`{clean(u['id'])}`) | {phase_words(u['phase'])} | {t['severity']} | "
                       f"`{t['rule']}` | {md(t['title'])} | {u['findings']} |")
    if s["common_findings"]:
        out += ["", "## Most common findings", "", "| rule | severity | partnerships | share | finding |", "|---|---|---:|---:|---|"]
        for f in s["common_findings"][:10]:
            out.append(f"| `{f['rule']}` | {f['severity']} | {_n(f['count'])} | {_pct(f['percent'])} | {md(f['title'])} |")
    for title, key, kind in (("By phase", "by_phase", "phase"), ("By impact area", "by_impact_area", "impact_area")):
        if s[key]:
            out += ["", f"## {title}", "", f"| {kind.replace('_', ' ')} | assessed | with findings | most common findings |",
                    "|---|---:|---:|---|"]
            out += [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} |" for r in _group_rows(s[key], kind)]
    if errors:
        out += ["", "## Bad records", ""] + [f"- {md(str(p))}" for p in errors]
    return "\n".join(out) + "\n"


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
    from ..facts.portfolio import count_records

    return Progress(count_records(sources))
