"""The rule catalogue as data: summaries of rules and which rules cover each source item."""

from __future__ import annotations

import difflib

from .rulebase import LoadedRule, RuleBase


def summary(rb: RuleBase, r: LoadedRule) -> dict:
    derived = set(rb.deriving)
    return {
        "id": r.id,
        "name": r.rule.name,
        "type": r.rule.type,
        "title": r.rule.title,
        "severity": rb.severity(r),
        "priority": rb.priority(r) if r.rule.type in ("finding", "gate") else None,
        "area": r.rule.area,
        "kind": r.rule.kind,
        "phases": list(r.rule.phases or []),
        "gate": r.rule.gate,
        "sources": list(r.rule.sources),
        "reads": [n for n in r.reads if n not in derived and n != "phase"] + (["phase"] if "phase" in r.reads else []),
        "reads_derived": [n for n in r.reads if n in derived],
        "derives": [r.rule.derives] if r.rule.derives else [],
        "file": r.path,
    }


def coverage(rb: RuleBase) -> dict:
    """Every source item, the rules citing it, what is marked priority-only, what is uncovered."""
    items: dict[str, list[str]] = {sid: [] for sid in rb.sources}
    for r in rb.rules:
        for s in r.rule.sources:
            if s in items:
                items[s].append(r.id)
    priority_only = {sid: s.priority_only for sid, s in rb.sources.items() if s.priority_only and not items[sid]}
    uncovered = [sid for sid, rules in items.items() if not rules and sid not in priority_only]
    return {"items": items, "priority_only": priority_only, "uncovered": uncovered}


def suggest_id(rb: RuleBase, rule_id: str) -> str:
    close = difflib.get_close_matches(rule_id.upper(), list(rb.by_id), n=1, cutoff=0.5)
    return f"; did you mean {close[0]!r}?" if close else ""
