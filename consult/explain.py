"""Explanations during an interview: why a question is asked, and how a finding or fact stands so far."""

from __future__ import annotations

from ..facts.derive import FACTS
from .answers import field_spec
from .interview import Consultation, Question
from .keys import get_value, template_of


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

    def gap_for(self, key: str):
        return self.c.gap_for(key)

    def origin(self, key: str) -> str:
        return self.c.origin(key)

    def why(self, q: Question) -> dict:
        """The rules this question's answer can change, how they reach it, and their sources."""
        snap = self.snapshot()
        gap = self.gap_for(q.key) or q.gap
        template = template_of(q.key)
        rules = []
        for rid in (gap.rules if gap else []):
            r = self.rb.by_id[rid]
            rules.append(
                {
                    "rule": rid,
                    "type": r.rule.type,
                    "gate": r.rule.gate,
                    "severity": self.rb.severity(r),
                    "priority": self.rb.priority(r),
                    "title": r.rule.title,
                    "when": r.rule.when.strip(),
                    "via": self._via(r, template, set()),
                    "sources": [(s, self.rb.sources[s].title if s in self.rb.sources else "") for s in r.rule.sources],
                }
            )
        rules.sort(key=lambda x: (-x["priority"], x["rule"]))
        return {"key": q.key, "basic": q.basic, "weight": gap.weight if gap else None, "rules": rules,
                "phase": snap.assessment.phase}

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
        snap = self.snapshot()
        return list(dict.fromkeys(self.assessor.builder._base_unknowns(r, snap.known, set())))

    def how_topics(self) -> list[str]:
        """What `how` can explain right now: fired findings and criteria, derived facts."""
        snap = self.snapshot()
        out = [f.rule for f in snap.assessment.findings]
        out += [c.id for c in snap.assessment.phase_status.criteria]
        out += sorted(snap.ledger.derived)
        return out
