"""Text for the rule-maintenance commands: the rule list, one rule as documentation, coverage."""

from __future__ import annotations

import json
import textwrap

import yaml
from tabulate import tabulate

from ..engine.catalogue import summary
from ..engine.conditions import to_text


def render_list(rb, fmt: str) -> str:
    rows = [summary(rb, r) for r in rb.rules]
    if fmt == "json":
        keys = ("id", "title", "type", "severity", "area", "phases", "sources", "reads", "derives")
        return json.dumps([{k: row[k] for k in keys} for row in rows], indent=2) + "\n"
    table = [
        [row["id"], row["type"], row["severity"] or (row["gate"] and f"entry to {row['gate'].replace('_', ' ')}") or "-", row["area"], row["title"]]
        for row in rows
    ]
    return tabulate(table, headers=["id", "type", "severity", "area", "title"], maxcolwidths=[None, None, 12, None, 33]) + "\n"


def render_rule(rb, r) -> str:
    rule = r.rule
    s = summary(rb, r)
    out = [f"{rule.id}  {rule.title}", "=" * min(80, len(rule.id) + 2 + len(rule.title)), ""]
    out.append(f"name: {rule.name}   type: {rule.type}   kind: {rule.kind}   area: {rule.area}")
    if rule.type in ("finding", "diagnosis"):
        out.append(f"severity: {s['severity']}   priority: {s['priority']}")
    if rule.gate:
        out.append(f"criterion for entering: {rule.gate.replace('_', ' ')}")
    out.append(f"phases: {', '.join(rule.phases) if rule.phases else 'all'}")
    out.append(f"file: {r.path}")
    out += ["", "When:", textwrap.indent(" ".join(rule.when.split()), "  ")]
    if rule.unless:
        label = (
            "Does not apply (left out of the next-phase criteria) only when this is known to be true:"
            if rule.type == "gate" else "Unless (stays quiet only when this is known to be true):"
        )
        out += ["", label, "  " + " ".join(rule.unless.split())]
    if len(r.reads) > 0:
        out += ([""] if rule.unless else []) + ["  (normalised: " + to_text(r.condition) + ")"]
    if rule.severity_if:
        out += ["", "Severity instead (the first that holds):"]
        out += [f"  {step.severity:<8} when {' '.join(step.when.split())}" for step in rule.severity_if]
    if rule.gathers:
        out += ["", "Gathers (the findings it explains):", textwrap.indent(textwrap.fill(", ".join(rule.gathers), 76), "  ")]
    if rule.derives:
        out += ["", f"Derives: {rule.derives}"]
    if rule.message:
        out += ["", "Message:", textwrap.indent(textwrap.fill(rule.message, 76), "  ")]
    out += ["", "Why it matters:", textwrap.indent(textwrap.fill(" ".join(rule.rationale.split()), 76), "  ")]
    if rule.actions:
        out += ["", "Actions:"] + [textwrap.fill(a, 76, initial_indent="  - ", subsequent_indent="    ") for a in rule.actions]
    out += ["", "Sources:"]
    for sid in rule.sources:
        src = rb.sources.get(sid)
        out.append(f"  {sid}  {src.title if src else '(unknown source)'}")
    out += ["", "Examples (merged over a baseline partnership):"]
    for expect in ("fire", "quiet"):
        for ex in getattr(rule.examples, expect):
            text = yaml.safe_dump(ex, default_flow_style=True, sort_keys=False, width=1000).strip()
            out.append(f"  must {expect:<5} {text}")
    return "\n".join(out) + "\n"


def render_coverage(rb, report: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report, indent=2) + "\n"
    rows = []
    for sid, rules in report["items"].items():
        if rules:
            status, detail = "covered", ", ".join(rules)
        elif sid in report["priority_only"]:
            status, detail = "priority-only", report["priority_only"][sid]
        else:
            status, detail = "UNCOVERED", ""
        rows.append([sid, status, detail])
    total = len(report["items"])
    covered = total - len(report["uncovered"]) - len(report["priority_only"])
    text = tabulate(rows, headers=["item", "status", "rules / reason"], maxcolwidths=[None, None, 52])
    footer = (
        f"\n{covered} of {total} items covered by rules, {len(report['priority_only'])} priority-only, "
        f"{len(report['uncovered'])} uncovered\n"
    )
    return text + footer
