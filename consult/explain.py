"""Explanations during an interview: why a question is asked, and how a finding or fact stands so far."""

from __future__ import annotations

import textwrap

from ..engine.assessment import format_value
from ..facts.derive import FACTS
from .answers import field_spec
from .interview import Consultation, Prompt
from .keys import get_value, template_of

# What the rules a question can decide are called, one and many, in the order 'why' names them.
WHAT = {"diagnosis": ("diagnosis", "diagnoses"), "finding": ("finding", "findings"),
        "gate": ("next-phase criterion", "next-phase criteria")}
BASICS_WHY = (
    "Every consultation starts with the partnership's name, phase, kind and field: the phase and kind "
    "decide which rules apply and what is expected."
)


class Explanations:
    """Answers to 'why' and 'how X' about one consultation, from its current snapshot."""

    def __init__(self, consultation: Consultation):
        self.c = consultation

    @property
    def rb(self):
        return self.c.rb

    @property
    def assessor(self):
        return self.c.assessor

    @property
    def data(self) -> dict:
        return self.c.data

    def snapshot(self):
        return self.c.snapshot()


    def origin(self, key: str) -> str:
        return self.c.origin(key)

    def why(self, prompt: Prompt) -> dict:
        """Every rule this part's answer can still decide, how it reaches them, and their sources."""
        snap = self.snapshot()
        templates = [template_of(k) for k in prompt.part.keys]
        rules = []
        for rid in prompt.rules:
            r = self.rb.by_id[rid]
            via: list = []
            for template in templates:
                via.extend(self._via(r, template, set()))
            rules.append(
                {
                    "rule": rid,
                    "type": r.rule.type,
                    "gate": r.rule.gate,
                    "severity": self.rb.severity(r),
                    "priority": self.assessor.builder.max_priority[rid],
                    "title": r.rule.title,
                    "when": r.rule.when.strip(),
                    "via": list(dict.fromkeys(via)),
                    "sources": [(s, self.rb.sources[s].title if s in self.rb.sources else "") for s in r.rule.sources],
                }
            )
        return {"key": prompt.part.key, "basic": prompt.basic, "weight": prompt.weight, "rules": rules,
                "phase": snap.assessment.phase}

    def why_lines(self, prompt: Prompt, width: int, most: int, budget: int = 10) -> list[str]:
        """Why this part is asked, in at most `budget` lines: what it can change, the heaviest rules first."""
        lines: list[str] = []
        if prompt.basic:
            lines += textwrap.wrap(BASICS_WHY, width)
        rules = prompt.rules
        if not rules:
            if not prompt.basic:
                lines.append("No undecided rule of the answer reads this any more.")
            return lines
        rules = sorted(rules, key=lambda rid: list(WHAT).index(self.rb.by_id[rid].rule.type)
                       if self.rb.by_id[rid].rule.type in WHAT else len(WHAT))  # stable: heaviest first within each
        counts = {t: sum(1 for rid in rules if self.rb.by_id[rid].rule.type == t) for t in WHAT}
        counted = format_value([f"{n} {WHAT[t][n > 1]}" for t, n in counts.items() if n])
        lines += textwrap.wrap(f"Your answer can still decide {counted}; the first:", width)
        shown = max(1, min(most, budget - len(lines) - 1, len(rules)))
        for rid in rules[:shown]:
            r = self.rb.by_id[rid]
            label = f"criterion for {r.rule.gate.replace('_', ' ')}" if r.rule.type == "gate" else (
                f"{r.rule.type}, {self.rb.severity(r)}")
            line = f"- {rid} ({label}): {' '.join(r.rule.title.split())}"
            lines.append(line if len(line) <= width else line[: width - 3].rstrip() + "...")
        more = len(rules) - shown
        lines.append(("and " + str(more) + " more; " if more > 0 else "") + "'why more' shows each rule's condition and sources.")
        return lines

    def settled_words(self) -> str:
        """What the end of the interview means: what nothing more could change, and what may be left open."""
        snap = self.snapshot()
        focus = self.c.focus
        if focus == "critical":
            what = "a finding or diagnosis of critical severity"
        elif focus == "high":
            what = "the diagnoses, the first five findings, or a finding of high or critical severity"
        else:
            what = "the diagnoses, the items of what is wrong, the serious findings or the next-phase criteria"
        open_findings = sum(
            1 for r in self.rb.rules if r.rule.type == "finding" and snap.stakes.rule(r).outcome_open
        )
        text = f"Nothing more that I could ask can change {what}."
        if open_findings:
            text += (f" {open_findings} lesser finding(s) could still be decided by facts not asked; they cannot "
                     "change the answer.")
        if focus != "all":
            text += " To settle more: partnerwise consult --resume --focus all"
        return text

    def _reads(self, leaf_name: str, template: str) -> bool:
        if leaf_name == template:
            return True
        spec = FACTS.get(leaf_name)
        if spec is not None and spec.computed:
            return any(a == template or a.startswith(template + "[].") for a in spec.asks)
        return False

    def _via(self, r, template: str, seen: set) -> list[tuple[str, str, str]]:
        """The facts of `r`'s condition through which `template` reaches it: (fact, derived-by rule, title)."""
        out = []
        for name in r.reads:
            if name in self.rb.deriving and name not in seen:
                seen.add(name)
                by = self.rb.deriving[name]
                inner = self._via(by, template, seen)
                if inner or any(self._reads(n, template) for n in by.reads):
                    out.append((name, by.id, by.rule.title))
                    out.extend(inner)
            elif name not in self.rb.deriving and self._reads(name, template) and name != template:
                out.append((name, "", ""))
        return list(dict.fromkeys(out))

    def how(self, target: str) -> dict:
        """How a finding, criterion, strength, derived or computed fact, or answered fact stands so far."""
        snap = self.snapshot()
        a = snap.assessment
        t = target.strip()
        if t.isdigit() and 1 <= int(t) <= len(a.findings):
            t = a.findings[int(t) - 1].rule
        r = self.rb.by_id.get(t.upper())
        if r is not None:
            outcome = snap.ledger.outcome(r.id)
            out = {"kind": r.rule.type, "name": r.id, "title": r.rule.title, "when": r.rule.when.strip(), "outcome": outcome}
            if outcome is not None:
                out["evidence"] = self.assessor.builder.evidence(r, outcome, snap.ledger, snap.flat)
            else:
                out["undecided"] = self._open_facts(r)
            return out
        if t in self.rb.deriving:
            by = self.rb.deriving[t]
            value = snap.ledger.derived.get(t)
            out = {"kind": "derived", "name": t, "rule": by.id, "title": by.rule.title, "when": by.rule.when.strip(), "outcome": value}
            if value is not None:
                out["evidence"] = self.assessor.builder.evidence(by, value, snap.ledger, snap.flat)
            else:
                out["undecided"] = self._open_facts(by)
            return out
        spec = FACTS.get(t)
        if spec is not None and spec.computed:
            inputs = []
            for ask in spec.asks:
                if "[]" in ask:
                    list_name, rest = ask.split("[].", 1)
                    for i, item in enumerate(self.data.get(list_name) or []):
                        key = f"{list_name}[{i}].{rest}"
                        inputs.append((key, item.get("name"), get_value(self.data, key), self.origin(key)))
                else:
                    value = self.data.get(ask)
                    shown = [x.get("name") for x in value] if isinstance(value, list) else value
                    inputs.append((ask, None, shown, self.origin(ask)))
            return {"kind": "computed", "name": t, "value": snap.flat.get(t), "asks": list(spec.asks), "inputs": inputs}
        if field_spec(template_of(t)) is not None or t in FACTS:
            value = get_value(self.data, t)
            if isinstance(value, list) and value and isinstance(value[0], dict):
                value = [x.get("name") for x in value]
            return {"kind": "fact", "name": t, "value": value, "origin": self.origin(t)}
        return {"kind": "none", "name": t}

    def _open_facts(self, r) -> list[str]:
        return self.snapshot().stakes.open_facts(r)

    def how_topics(self) -> list[str]:
        """What `how` can explain right now: fired findings and criteria, derived facts."""
        snap = self.snapshot()
        out = [f.rule for f in snap.assessment.findings]
        out += [c.id for c in snap.assessment.phase_status.criteria]
        out += sorted(snap.ledger.derived)
        return out
