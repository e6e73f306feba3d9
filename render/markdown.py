"""Markdown output: the plain-text report for wikis and pull requests."""

from __future__ import annotations

import re

from .text import MET_LABEL, clean, evidence_lines, phase_words, readiness

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


def render_one(a, known=None) -> str:
    ps = a.phase_status
    out = [f"# {md(a.name)}", ""]
    out.append(f"- **Partnership id:** `{clean(a.id)}`")
    out.append(f"- **Phase:** {phase_words(a.phase)}")
    if a.area:
        out.append(f"- **Impact area:** {phase_words(a.area)}")
    if ps.next:
        out.append(f"- **Next phase:** {phase_words(ps.next)} ({readiness(ps.ready_for_next)})")
    out.append(f"- **Findings:** {len(a.findings)}; **strengths:** {len(a.strengths)}")
    out += _glance(a)
    out += ["", "## Findings", ""]
    if not a.findings:
        out.append("No findings.")
    for i, f in enumerate(a.findings, 1):
        out += [f"### {i}. {md(f.title)}", "", f"**{f.severity.upper()}** · `{f.rule}` · area: {f.area}", ""]
        out += [md(f.message), "", f"*Why it matters:* {md(f.rationale)}", "", "**Actions**", ""]
        out += [f"- {md(x)}" for x in f.actions]
        out += ["", "<details><summary>Evidence</summary>", "", "```text"]
        out += [line.replace("```", "'''") for line in evidence_lines(f.evidence)]
        out += ["```", "", "</details>", "", "**Sources**", ""] + _sources(f.sources, known) + [""]
    out += ["## Strengths", ""]
    out += [f"- `{s.rule}` {md(s.message)}" for s in a.strengths] or ["None recorded."]
    if ps.criteria:
        out += ["", f"## Ready for {phase_words(ps.next)}?", "", f"**{readiness(ps.ready_for_next)}**", ""]
        out += ["| criterion | status | what |", "|---|---|---|"]
        out += [f"| `{c.id}` | {MET_LABEL[c.met]} | {md(c.title)} |" for c in ps.criteria]
        if ps.next_actions:
            out += ["", "**Next-phase actions**", ""] + [f"1. {md(x)}" for x in ps.next_actions]
    out += ["", "## Open questions", ""]
    out += [f"- [ ] {md(g.question)} (`{g.fact}`)" for g in a.gaps] or ["None."]
    return "\n".join(out) + "\n"


def render(assessments, rulebase=None, single: bool = True) -> str:
    """One report per assessment; sources carry their titles from `rulebase`'s catalogue (default: built-in)."""
    from .html import catalogue

    known = catalogue(rulebase)
    return "\n---\n\n".join(render_one(a, known) for a in assessments)
