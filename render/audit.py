"""The audit's summary as text: a table for the terminal and Markdown for wikis."""

from __future__ import annotations

import textwrap

from tabulate import tabulate

from ..audit.results import AuditSummary
from ..facts.vocabulary import SEVERITIES
from .markdown import md
from .text import SEVERITY_LABEL, clean, phase_words

TOP_PER_GROUP = 3
WIDTH = 80
URGENCY_NOTE = ("Ranked by urgency: the most critical problems first, then the most high, medium and low ones "
                "(the score gives each severity two digits); ties go to the first problem the practitioners rank "
                "higher, then to the id.")


def _n(x: int) -> str:
    return f"{x:,}"


def _pct(x: float) -> str:
    return f"{x:.1f}%"


def _headline(s: AuditSummary) -> list[str]:
    lines = [
        f"Partnerships assessed: {_n(s.assessed)}",
        f"Bad records: {_n(s.bad_records)}" + (f"; failed records: {_n(s.failed_records)}" if s.failed_records else ""),
    ]
    if s.interrupted:
        lines.append(f"Stopped by the user after {_n(s.records_read)} records: the figures cover those records only.")
    if s.assessed:
        worst = s.by_worst_severity
        parts = [f"{sev} {_n(worst[sev])} ({_pct(100.0 * worst[sev] / s.assessed)})" for sev in worst]
        lines.append("Worst finding per partnership: " + ", ".join(parts))
        if s.fail_on != "none":
            lines.append(f"With a finding at or above {s.fail_on}: {_n(s.at_or_above_fail_on)}")
    return lines


def _group_rows(groups: list[dict], kind: str) -> list[list]:
    rows = []
    for g in groups:
        top = ", ".join(f"{f['rule']} {f['percent']:.0f}%" for f in g["findings"][:TOP_PER_GROUP]) or "-"
        rows.append([phase_words(g[kind]) if g[kind] != "unknown" else "unknown", _n(g["assessed"]), _n(g["with_findings"]), top])
    return rows


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _parts(u: dict) -> str:
    """A partnership's problems by severity, in words: '1 critical, 6 high, 9 medium, 5 low'."""
    return ", ".join(f"{u['urgency']['items'][sev]} {sev}" for sev in SEVERITIES)


def render_table(s: AuditSummary, errors: list = ()) -> str:
    out = ["Portfolio audit", "==============="]
    for line in _headline(s):
        out += textwrap.wrap(line, WIDTH, subsequent_indent="  ")
    if s.most_urgent:
        out += ["", "Most urgent partnerships"] + textwrap.wrap(URGENCY_NOTE, WIDTH)
        for u in s.most_urgent:
            urgency, first = u["urgency"], u["urgency"]["first_item"]
            problems = sum(urgency["items"].values())
            head = f"{u['rank']:>2}. {clean(u['name'])} ({clean(u['id'])}), {phase_words(u['phase'])}"
            out += textwrap.wrap(head, WIDTH, subsequent_indent="    ")
            parts = (f"urgency {urgency['score']}: {_parts(u)} ({_plural(problems, 'problem')}, "
                     f"{_plural(u['findings'], 'finding')})")
            out += textwrap.wrap(parts, WIDTH, initial_indent="    ", subsequent_indent="      ")
            out += textwrap.wrap(f"first: {SEVERITY_LABEL[first['severity']]} {first['rule']}: {clean(first['title'])}",
                                 WIDTH, initial_indent="    ", subsequent_indent="      ")
    if s.common_findings:
        rows = [[f["rule"], SEVERITY_LABEL[f["severity"]], _n(f["count"]), _pct(f["percent"]), clean(f["title"])]
                for f in s.common_findings[:10]]
        out += ["", f"Most common findings (share of {_n(s.assessed)} partnerships)"]
        out.append(tabulate(rows, headers=["rule", "severity", "count", "share", "finding"], maxcolwidths=[None, None, None, None, 40],
                            colalign=("left", "left", "right", "right", "left")))
    for title, key, kind in (("By phase", "by_phase", "phase"), ("By impact area", "by_impact_area", "impact_area")):
        if getattr(s, key):
            out += ["", f"{title} (most common findings, share of the group)"]
            out.append(tabulate(_group_rows(getattr(s, key), kind), headers=[kind.replace("_", " "), "assessed", "with findings", "most common findings"],
                                colalign=("left", "right", "right", "left"), maxcolwidths=[None, None, None, 30]))
    if errors:
        out += ["", f"Bad records ({len(errors)} shown of {_n(s.errors_total)})"]
        out += [f"- {clean(str(p))}" for p in errors]
    return "\n".join(out) + "\n"


def render_markdown(s: AuditSummary, errors: list = ()) -> str:
    out = ["# Portfolio audit", ""]
    out += [f"- {line}" for line in _headline(s)]
    if s.most_urgent:
        out += ["", "## Most urgent partnerships", "", URGENCY_NOTE, "",
                "| # | partnership | phase | urgency | critical | high | medium | low | first problem | findings |",
                "|---:|---|---|---:|---:|---:|---:|---:|---|---:|"]
        for u in s.most_urgent:
            urgency, first = u["urgency"], u["urgency"]["first_item"]
            counts = " | ".join(str(urgency["items"][sev]) for sev in SEVERITIES)
            out.append(f"| {u['rank']} | {md(u['name'])} (`{clean(u['id'])}`) | {phase_words(u['phase'])} | {urgency['score']} | "
                       f"{counts} | {first['severity']} `{first['rule']}` {md(first['title'])} | {u['findings']} |")
    if s.common_findings:
        out += ["", "## Most common findings", "", "| rule | severity | partnerships | share | finding |", "|---|---|---:|---:|---|"]
        for f in s.common_findings[:10]:
            out.append(f"| `{f['rule']}` | {f['severity']} | {_n(f['count'])} | {_pct(f['percent'])} | {md(f['title'])} |")
    for title, key, kind in (("By phase", "by_phase", "phase"), ("By impact area", "by_impact_area", "impact_area")):
        if getattr(s, key):
            out += ["", f"## {title}", "", f"| {kind.replace('_', ' ')} | assessed | with findings | most common findings |",
                    "|---|---:|---:|---|"]
            out += [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} |" for r in _group_rows(getattr(s, key), kind)]
    if errors:
        out += ["", "## Bad records", ""] + [f"- {md(str(p))}" for p in errors]
    return "\n".join(out) + "\n"
