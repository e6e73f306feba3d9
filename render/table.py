"""Terminal output: the answer first, then tables (via tabulate) and wrapped text, in 80 columns."""

from __future__ import annotations

import textwrap

from tabulate import tabulate

from .answer import (
    CONCERNS, DETAILS, WHAT_IS_WRONG, WHAT_TO_DO, Problem, answer, gathered_ids, more_line, numbers, phase_note, problems,
    kind_note, no_findings_line, works_on,
)
from .text import MET_LABEL, SEVERITY_LABEL, clean, evidence_lines, phase_words, readiness, value_text

WIDTH = 80
MAX_GAPS = 8


def _wrap(text: str, indent: str = "   ", first: str | None = None) -> list[str]:
    start = indent if first is None else first
    # Never break at a hyphen: rule ids (STEER-06) and hyphenated words stay whole on one line.
    lines = textwrap.wrap(text, WIDTH, initial_indent=start, subsequent_indent=indent, break_on_hyphens=False)
    return lines or [start]


def _header(a) -> list[str]:
    ps = a.phase_status
    title = f"{clean(a.name)} ({clean(a.id)})"
    lines = [f"phase: {phase_words(a.phase)}{clean(phase_note(ps))}"]
    if ps.next:
        following = f"next: {phase_words(ps.next)} ({readiness(ps.ready_for_next)})"
        # An assumed phase says why on a line of its own, so the next phase starts a line too.
        if ps.assumed:
            lines.append(following)
        else:
            lines[0] += "; " + following
    counts = {}
    for f in a.findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in counts.items()) or "none"
    head = textwrap.wrap(title, WIDTH) or [title]
    rule = "=" * min(max(len(x) for x in head), WIDTH)
    note = kind_note(a)
    if note:
        lines.append(note)
    out = head + [rule]
    for line in lines:
        out += _wrap(line, "  ", "")
    return out + [f"findings: {summary}; strengths: {len(a.strengths)}"]


def _ids(p: Problem) -> str:
    gathered = gathered_ids(p)
    return p.item.rule + (f"; findings {', '.join(gathered)}" if gathered else "")


def _what_is_wrong(a, found: list[Problem]) -> list[str]:
    shown, more = answer(found)
    if not shown:
        return ["", WHAT_IS_WRONG, *_wrap(no_findings_line(a), "", "")]
    out = ["", f"{WHAT_IS_WRONG} ({len(shown)} of {len(found)} problems, most urgent first)" if more else f"{WHAT_IS_WRONG} (most urgent first)"]
    for p in shown:
        sentence = f"{p.number}. [{SEVERITY_LABEL[p.item.severity]}] {clean(p.item.title)} ({_ids(p)})."
        out += _wrap(sentence, "   ", "")
    if more:
        out.append(more_line(more))
    return out


def _what_to_do(a, found: list[Problem]) -> list[str]:
    if not a.top_actions:
        return []
    number = numbers(found)
    out = ["", WHAT_TO_DO]
    for i, t in enumerate(a.top_actions, 1):
        out += _wrap(f"{i}. {clean(t.action)}", "   ", "")
        if t.resolves:
            out += _wrap(f"{works_on(t, number)} {'; '.join(clean(x) for x in t.resolves_titles)}.")
    return out


def _body(result, evidence: list[dict]) -> list[str]:
    """The message, why, actions, evidence and sources of a finding or a diagnosis."""
    out = _wrap(clean(result.message))
    out += _wrap("Why: " + clean(result.rationale))
    if result.actions:
        out.append("   Do:")
        for action in result.actions:
            out += _wrap(clean(action), "     ", "   - ")
    out.append("   Because:")
    for line in evidence_lines(evidence):
        pad = "     " + " " * (len(line) - len(line.lstrip()))
        out += _wrap(line.strip(), pad + "    ", pad)
    out += _wrap("Sources: " + ", ".join(result.sources))
    return out


def _details(found: list[Problem]) -> list[str]:
    out = ["", DETAILS]
    for p in found:
        if p.diagnosis is not None:
            d = p.diagnosis
            out.append("")
            out += _wrap(f"{p.number}. [{SEVERITY_LABEL[d.severity]}] {d.rule} {clean(d.title)}", "", "")
            out += _body(d, d.evidence)
            if p.findings:
                out += _wrap(f"Its {len(p.findings)} finding{'s' if len(p.findings) > 1 else ''} follow{'' if len(p.findings) > 1 else 's'}.")
            for j, f in enumerate(p.findings, 1):
                out.append("")
                out += _wrap(f"{p.number}.{j} [{SEVERITY_LABEL[f.severity]}] {f.rule} {clean(f.title)}", "", "")
                out += _body(f, f.evidence)
        else:
            for f in p.findings:
                out.append("")
                out += _wrap(f"{p.number}. [{SEVERITY_LABEL[f.severity]}] {f.rule} {clean(f.title)}", "", "")
                out += _body(f, f.evidence)
    return out


def _concerns(a) -> list[str]:
    if not a.possibilities:
        return []
    out = ["", f"{CONCERNS} ({len(a.possibilities)})"]
    for c in a.possibilities:
        line = f"Not established: {clean(c.fact)} = {value_text(c.value)}"
        if c.note:
            line += f" ({clean(c.note)})"
        out += _wrap(line + ".", "  ", "~ ")
        if c.findings:
            out += _wrap("If borne out, it would bring:", "  ")
            for rule, title, severity in c.findings:
                out += _wrap(f"[{SEVERITY_LABEL[severity]}] {rule} {clean(title)}", "      ", "  - ")
        else:
            out += _wrap("If borne out, it would bring no further finding.", "  ")
    return out


def render_one(a) -> str:
    found = problems(a)
    out = _header(a)
    out += _what_is_wrong(a, found)
    out += _what_to_do(a, found)
    if a.strengths:
        out += ["", "Strengths"]
        for s in a.strengths:
            out += _wrap(f"{s.rule} {clean(s.message)}", "  ", "+ ")
    ps = a.phase_status
    if ps.criteria:
        out += ["", f"Ready for {phase_words(ps.next)}? {readiness(ps.ready_for_next)}"]
        rows = [[c.id, MET_LABEL[c.met], clean(c.title)] for c in ps.criteria]
        out.append(tabulate(rows, headers=["criterion", "status", "what"], tablefmt="simple", maxcolwidths=[None, None, 56]))
        if ps.next_actions:
            out.append("Next-phase actions:")
            for action in ps.next_actions:
                out += _wrap(clean(action), "  ", "- ")
    if found:
        out += _details(found)
    out += _concerns(a)
    if a.gaps:
        shown = a.gaps[:MAX_GAPS]
        out += ["", f"Unknown facts that could change this advice ({len(a.gaps)}; most consequential first)"]
        for g in shown:
            out += _wrap(f"{g.fact}: {g.question}", "  ", "? ")
        if len(a.gaps) > len(shown):
            out.append(f"  ... and {len(a.gaps) - len(shown)} more (see --format json)")
    return "\n".join(out) + "\n"


def render(assessments, single: bool = True, rulebase=None) -> str:
    return "\n\n".join(render_one(a) for a in assessments)
