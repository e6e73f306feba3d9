"""Terminal output: tables (via tabulate) and wrapped text that fit an 80-column terminal."""

from __future__ import annotations

import textwrap

from tabulate import tabulate

from .text import MET_LABEL, SEVERITY_LABEL, clean, evidence_lines, phase_words, readiness

WIDTH = 80
MAX_GAPS = 8


def _wrap(text: str, indent: str = "   ") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent) or [indent]


def _header(a) -> list[str]:
    ps = a.phase_status
    title = f"{clean(a.name)} ({clean(a.id)})"
    line = f"phase: {phase_words(a.phase)}"
    if ps.next:
        line += f"; next: {phase_words(ps.next)} ({readiness(ps.ready_for_next)})"
    counts = {}
    for f in a.findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in counts.items()) or "none"
    head = textwrap.wrap(title, WIDTH) or [title]
    return head + ["=" * min(max(len(x) for x in head), WIDTH), line, f"findings: {summary}; strengths: {len(a.strengths)}"]


def render_one(a) -> str:
    out = _header(a)
    if a.findings:
        rows = [[i, SEVERITY_LABEL[f.severity], f.rule, clean(f.title)] for i, f in enumerate(a.findings, 1)]
        out += ["", tabulate(rows, headers=["#", "severity", "rule", "finding"], tablefmt="simple", maxcolwidths=[None, None, None, 52])]
        out += ["", "Details"]
        for i, f in enumerate(a.findings, 1):
            out.append("")
            out += _wrap(f"{i}. [{SEVERITY_LABEL[f.severity]}] {f.rule} {clean(f.title)}", "")
            out += _wrap(clean(f.message))
            out += _wrap("Why: " + clean(f.rationale))
            out.append("   Do:")
            for action in f.actions:
                out += textwrap.wrap(clean(action), WIDTH, initial_indent="   - ", subsequent_indent="     ")
            out.append("   Because:")
            for line in evidence_lines(f.evidence):
                pad = "     " + " " * (len(line) - len(line.lstrip()))
                out += textwrap.wrap(line.strip(), WIDTH, initial_indent=pad, subsequent_indent=pad + "    ")
            out += _wrap("Sources: " + ", ".join(f.sources))
    else:
        out += ["", "No findings."]
    if a.strengths:
        out += ["", "Strengths"]
        for s in a.strengths:
            out += textwrap.wrap(f"{s.rule} {clean(s.message)}", WIDTH, initial_indent="+ ", subsequent_indent="  ")
    ps = a.phase_status
    if ps.criteria:
        out += ["", f"Ready for {phase_words(ps.next)}? {readiness(ps.ready_for_next)}"]
        rows = [[c.id, MET_LABEL[c.met], clean(c.title)] for c in ps.criteria]
        out.append(tabulate(rows, headers=["criterion", "status", "what"], tablefmt="simple", maxcolwidths=[None, None, 56]))
        if ps.next_actions:
            out.append("Next-phase actions:")
            for action in ps.next_actions:
                out += textwrap.wrap(clean(action), WIDTH, initial_indent="- ", subsequent_indent="  ")
    if a.gaps:
        shown = a.gaps[:MAX_GAPS]
        out += ["", f"Unknown facts that could change this advice ({len(a.gaps)}; most consequential first)"]
        for g in shown:
            out += textwrap.wrap(f"{g.fact}: {g.question}", WIDTH, initial_indent="? ", subsequent_indent="  ")
        if len(a.gaps) > len(shown):
            out.append(f"  ... and {len(a.gaps) - len(shown)} more (see --format json)")
    return "\n".join(out) + "\n"


def render(assessments, single: bool = True, rulebase=None) -> str:
    return "\n\n".join(render_one(a) for a in assessments)
