"""Markdown output: the plain-text report for wikis and pull requests, the answer first."""

from __future__ import annotations

import re

from .answer import (
    CONCERNS, DETAILS, WHAT_IS_WRONG, WHAT_TO_DO, Problem, answer, gathered_ids, gathering, more_line, numbers, phase_note,
    kind_note, no_findings_line, problems, works_on,
)
from .text import MET_LABEL, clean, evidence_lines, phase_words, readiness, value_text

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")


def md(value) -> str:
    """Escape text from fact files so Markdown shows it literally (no links, HTML or emphasis)."""
    return _SPECIAL.sub(r"\\\1", clean(value))


def _cell(value) -> str:
    return md(value).replace("\n", " ")


def _glance(a) -> list[str]:
    """The figures the HTML report draws as charts, as tables."""
    from .html import figures

    out = ["", "## At a glance"]
    for fig in figures(a, draw=False):
        out += ["", f"**{fig['caption']}**", "", "| " + " | ".join(fig["headers"]) + " |", "|" + "---|" * len(fig["headers"])]
        out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in fig["rows"]]
    return out


def _sources(ids, known) -> list[str]:
    from .html import source_items

    out = []
    for s in source_items(ids, known):
        line = f"- `{s['id']}`"
        if s["title"]:
            line += f" {md(s['title'])}" + (f" ({md(s['document'])})" if s["document"] else "")
        out.append(line)
    return out


def _item_line(p: Problem) -> str:
    gathered = gathered_ids(p)
    ids = f"`{p.item.rule}`" + (f"; findings {', '.join(f'`{i}`' for i in gathered)}" if gathered else "")
    return f"{p.number}. **{p.item.severity.upper()}** {md(p.item.title)} ({ids})."


def _answer(a, found: list[Problem]) -> list[str]:
    shown, more = answer(found)
    out = ["", f"## {WHAT_IS_WRONG}", ""]
    if not shown:
        return out + [md(no_findings_line(a))]
    out += [f"Most urgent first; {len(shown)} of {len(found)} problems." if more else "Most urgent first.", ""]
    out += [_item_line(p) for p in shown]
    if more:
        out += ["", more_line(more)]
    if a.top_actions:
        number = numbers(found)
        out += ["", f"## {WHAT_TO_DO}", ""]
        for i, t in enumerate(a.top_actions, 1):
            out.append(f"{i}. {md(t.action)}")
            if t.resolves:
                out.append(f"   {works_on(t, number)} {'; '.join(md(x) for x in t.resolves_titles)}.")
    return out


def _block(result, known, heading: str, meta: str) -> list[str]:
    """A finding or a diagnosis in full: message, why, actions, evidence (folded) and sources."""
    out = [heading, "", meta, "", md(result.message), "", f"*Why it matters:* {md(result.rationale)}", ""]
    if result.actions:
        out += ["**Actions**", ""] + [f"- {md(x)}" for x in result.actions] + [""]
    out += ["<details><summary>Evidence</summary>", "", "```text"]
    out += [line.replace("```", "'''") for line in evidence_lines(result.evidence)]
    out += ["```", "", "</details>", "", "**Sources**", ""] + _sources(result.sources, known) + [""]
    return out


def _details(found: list[Problem], known) -> list[str]:
    out = ["", f"## {DETAILS}", ""]
    if not found:
        return out + ["No findings.", ""]
    for p in found:
        d = p.diagnosis
        if d is not None:
            out += _block(d, known, f"### {p.number}. {md(d.title)}", f"**{d.severity.upper()}** · `{d.rule}` · {gathering(p)}")
            for j, f in enumerate(p.findings, 1):
                out += _block(f, known, f"#### {p.number}.{j} {md(f.title)}", _finding_meta(f))
        else:
            for f in p.findings:
                out += _block(f, known, f"### {p.number}. {md(f.title)}", _finding_meta(f))
    return out


def _finding_meta(f) -> str:
    return f"**{f.severity.upper()}** · `{f.rule}` · area: {f.area}"


def _concerns(a) -> list[str]:
    if not a.possibilities:
        return []
    out = ["", f"## {CONCERNS}", ""]
    for c in a.possibilities:
        line = f"- **Not established:** `{clean(c.fact)}` = {md(value_text(c.value))}"
        if c.note:
            line += f" ({md(c.note)})"
        out.append(line + ".")
        if c.findings:
            out.append("  If borne out, it would bring:")
            out += [f"  - **{sev.upper()}** `{rule}` {md(title)}" for rule, title, sev in c.findings]
        else:
            out.append("  If borne out, it would bring no further finding.")
    return out


def render_one(a, known=None) -> str:
    ps = a.phase_status
    found = problems(a)
    out = [f"# {md(a.name)}", ""]
    out.append(f"- **Partnership id:** `{clean(a.id)}`")
    out.append(f"- **Phase:** {phase_words(a.phase)}{md(phase_note(ps))}")
    if a.area:
        out.append(f"- **Impact area:** {phase_words(a.area)}")
    if ps.next:
        out.append(f"- **Next phase:** {phase_words(ps.next)} ({readiness(ps.ready_for_next)})")
    note = kind_note(a)
    if note:
        out.append(f"- **Kind:** {md(note.removeprefix('kind: '))}")
    out.append(f"- **Findings:** {len(a.findings)}; **strengths:** {len(a.strengths)}")
    out += _answer(a, found)
    out += ["", "## Strengths", ""]
    out += [f"- `{s.rule}` {md(s.message)}" for s in a.strengths] or ["None recorded."]
    if ps.criteria:
        out += ["", f"## Ready for {phase_words(ps.next)}?", "", f"**{readiness(ps.ready_for_next)}**", ""]
        out += ["| criterion | status | what |", "|---|---|---|"]
        out += [f"| `{c.id}` | {MET_LABEL[c.met]} | {md(c.title)} |" for c in ps.criteria]
        if ps.next_actions:
            out += ["", "**Next-phase actions**", ""] + [f"1. {md(x)}" for x in ps.next_actions]
    out += _glance(a)
    out += _details(found, known)
    out += _concerns(a)
    out += ["", "## Open questions", ""]
    out += [f"- [ ] {md(g.question)} (`{g.fact}`)" for g in a.gaps] or ["None."]
    # Sections end and start with a blank line; one is enough (no blank line lies inside evidence).
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)) + "\n"


def render(assessments, rulebase=None, single: bool = True) -> str:
    """One report per assessment; sources carry their titles from `rulebase`'s catalogue (default: built-in)."""
    from .html import catalogue

    known = catalogue(rulebase)
    return "\n---\n\n".join(render_one(a, known) for a in assessments)
