"""The interview's state: the facts so far, the questions closed, the answer log, and which question comes next.

The next question comes from the rule base itself. After every answer the partial partnership is
assessed by the engine (durable-rules decides every finding, as in `assess`); its gaps (the unknown
facts that can still decide an undecided finding or next-phase criterion, weighted by that rule's
priority) say what is still worth asking. A person meets the partnership's basics first (name,
phase, impact area, partners and their sectors, funders and their shares), then the most
consequential gap. Nothing here reads from or writes to a terminal (consult/terminal.py does).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from pydantic import ValidationError

from ..engine.assessment import Assessment, Gap
from ..engine.rulebase import GATE_POINTS, SEVERITY_POINTS, RuleBase
from ..engine.runner import Ledger
from ..facts.derive import FACTS, flatten
from ..facts.loader import describe_error
from ..facts.model import Partnership
from .answers import UNKNOWN_WORDS, AnswerError, FieldSpec, field_spec, parse_answer
from .keys import _KEY, get_value, set_value, template_of

UNNAMED = "Unnamed partnership"
PLACEHOLDER_NAME = "(not yet named)"
# Asked of every partnership, whatever the rules read: they name it and place it.
FIXED_BASICS = ("name", "phase", "impact_area")
# Asked before anything else whenever the rules need them, in this order.
BASIC_ORDER = ("partners", "partners[].sector", "funders", "funders[].share")


@dataclass
class Question:
    """One question to put to the person, and why it is asked.

    A question about a field of each partner or funder (`partners[].role_defined`) is asked once for
    all of them that are still open: `instances` are their concrete fields (`partners[0].role_defined`)
    and `subjects` their names, in the same order.
    """

    key: str
    spec: FieldSpec
    instances: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    gap: Optional[Gap] = None
    basic: bool = False

    @property
    def group(self) -> bool:
        return "[]" in self.key

    @property
    def text(self) -> str:
        q = self.spec.question
        if self.group:
            who = "partner" if self.key.startswith("partners") else "funder"
            return f"For each {who}: " + q[0].lower() + q[1:]
        return q


@dataclass
class Snapshot:
    """The partial partnership evaluated: facts, what fired, the assessment, and what is worth asking."""

    partnership: Partnership
    flat: dict[str, Any]
    ledger: Ledger
    assessment: Assessment
    known: dict[str, Any]
    gaps: list[Gap]


@dataclass
class LogEntry:
    """One answered question: the values it set (with what they replaced) and the fields it closed."""

    key: str
    outcome: str  # "answer", "unknown" or "skip"
    values: dict[str, Any] = field(default_factory=dict)
    previous: dict[str, Any] = field(default_factory=dict)
    closed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"key": self.key, "outcome": self.outcome, "values": self.values, "previous": self.previous,
                "closed": self.closed}

    @classmethod
    def from_dict(cls, d: dict) -> "LogEntry":
        return cls(str(d["key"]), str(d["outcome"]), dict(d.get("values") or {}), dict(d.get("previous") or {}),
                   [str(k) for k in d.get("closed") or []])


# How much of the advice a session settles: every finding, or only what can decide a finding at
# least this severe or a criterion for the next phase (gap weights are rule priorities).
FOCUS_WEIGHT = {"all": 0, "high": GATE_POINTS, "critical": SEVERITY_POINTS["critical"]}


class Consultation:
    """The state of one interview: the facts so far, the questions closed as unknown or skipped, the log."""

    def __init__(self, assessor, data: Optional[dict] = None, focus: str = "all"):
        self.assessor = assessor
        self.focus = focus if focus in FOCUS_WEIGHT else "all"
        self.rb: RuleBase = assessor.rulebase
        self.data: dict = copy.deepcopy(data or {})
        self.unknown: list[str] = []
        self.skipped: list[str] = []
        self.log: list[LogEntry] = []
        self._snapshot: Optional[Snapshot] = None

    # state
    def closed(self, key: str) -> bool:
        return key in self.unknown or key in self.skipped

    def known(self, key: str) -> bool:
        return get_value(self.data, key) is not None

    @property
    def name(self) -> Optional[str]:
        return self.data.get("name")

    def partnership(self) -> Partnership:
        data = self.data if self.data.get("name") else {**self.data, "name": PLACEHOLDER_NAME}
        return Partnership.model_validate(data)

    def snapshot(self) -> Snapshot:
        """The current facts assessed (cached until the next change)."""
        if self._snapshot is None:
            p = self.partnership()
            flat = flatten(p)
            ledger = self.assessor.ledgers([flat])[0]
            assessment = self.assessor.builder.build(p, flat, ledger)
            known = dict(flat)
            known.update(ledger.derived)
            gaps = assessment.gaps
            provisional = self.provisional(flat)
            if provisional:
                settled = {k: v for k, v in flat.items() if k not in provisional}
                ledger2 = self.assessor.ledgers([settled])[0]
                known2 = dict(settled)
                known2.update(ledger2.derived)
                phase = self.assessor.builder.phase_status(p.phase, ledger2)
                gaps = self.assessor.builder.gaps(known2, phase)
            self._snapshot = Snapshot(p, flat, ledger, assessment, known, gaps)
        return self._snapshot

    def provisional(self, flat: dict[str, Any]) -> set[str]:
        """Computed numbers and names that more answers could still change.

        True/false summaries over partners or funders (all roles defined, any business partner) only
        ever get decided, never reversed, by more answers. A number computed over the partners who
        have answered so far (the gap between their ratings) can still move while any of them is
        open, so for choosing questions it counts as unknown until its inputs are all answered.
        """
        out = set()
        for name, value in flat.items():
            spec = FACTS.get(name)
            if spec is None or not spec.computed or spec.type in ("bool", "names") or isinstance(value, list):
                continue
            if any(self.instances(ask) for ask in spec.asks if "[]" in ask):
                out.add(name)
        return out

    def assessment(self) -> Assessment:
        return self.snapshot().assessment

    def final_assessment(self) -> Assessment:
        """The assessment of record, from the engine, exactly as 'assess' makes it from the fact file."""
        return self.assessor.assess(Partnership.model_validate(self.fact_document()))

    # choosing
    def instances(self, template: str) -> list[str]:
        """The concrete, still open fields a gap template stands for, in file order."""
        if "[]" not in template:
            if self.known(template) or self.closed(template) or field_spec(template) is None:
                return []
            return [template]
        list_name, rest = template.split("[].", 1)
        items = self.data.get(list_name)
        if items is None:
            return self.instances(list_name)
        keys = [f"{list_name}[{i}].{rest}" for i in range(len(items))]
        return [k for k in keys if not self.known(k) and not self.closed(k)]

    def question(self, template: str, gap: Optional[Gap] = None, basic: bool = False) -> Optional[Question]:
        """The question for a gap template: about a list itself, one field, or a field of each item."""
        keys = self.instances(template)
        if not keys:
            return None
        key = template if "[]" in template and _KEY.match(keys[0]) else keys[0]
        spec = field_spec(template_of(key))
        if spec is None:
            return None
        subjects = []
        for k in keys:
            m = _KEY.match(k)
            if m:
                subjects.append(self.data[m.group(1)][int(m.group(2))]["name"])
        return Question(key, spec, keys, subjects, gap, basic)

    def next_question(self) -> Optional[Question]:
        """The question whose answer can change the advice most, basics first; None when nothing can."""
        floor = FOCUS_WEIGHT[self.focus]
        gaps = [g for g in self.snapshot().gaps if g.weight >= floor]
        by_fact = {g.fact: g for g in gaps}
        for key in FIXED_BASICS:
            if not self.known(key) and not self.closed(key):
                return self.question(key, by_fact.get(key), basic=True)
        for template in BASIC_ORDER:
            if template in by_fact:
                q = self.question(template, by_fact[template], basic=True)
                if q is not None:
                    q.gap = self.gap_for(q.key) or q.gap
                    return q
        for gap in gaps:
            q = self.question(gap.fact, gap)
            if q is not None:
                q.gap = self.gap_for(q.key) or gap
                return q
        return None

    def gap_for(self, key: str) -> Optional[Gap]:
        """The gap a question serves (a question about a list serves the gaps of its items too)."""
        template = template_of(key)
        merged: Optional[Gap] = None
        for g in self.snapshot().gaps:
            if g.fact == template or ("[]" not in template and g.fact.startswith(template + "[].")):
                if merged is None:
                    merged = Gap(template, g.question, list(g.rules), g.weight)
                else:
                    merged.rules = sorted(set(merged.rules) | set(g.rules))
                    merged.weight = max(merged.weight, g.weight)
        return merged

    # answering
    def answer(self, q: Question, text: str) -> dict[str, Any]:
        """Apply a typed answer; AnswerError (and nothing changed) if it does not fit."""
        if not q.group:
            value = parse_answer(q.spec, text)
            if q.spec.kind == "names":
                value = [{"name": n} for n in value]
            return self.apply(q.key, {q.key: value})
        # Between names ';'; for one-word answers (yes, 4.5, business) ',' will do as well.
        separators = ";" if q.spec.kind in ("choices", "texts") else "[;,]"
        parts = [p.strip() for p in re.split(separators, text) if p.strip()]
        if len(parts) == 1:
            parts = parts * len(q.instances)
        if len(parts) != len(q.instances):
            raise AnswerError(f"Please give {len(q.instances)} answers separated by ';' (one per name, in order), or one for all.")
        values: dict[str, Any] = {}
        closed = []
        for key, subject, part in zip(q.instances, q.subjects, parts):
            if part.lower() in UNKNOWN_WORDS:
                closed.append(key)
                continue
            try:
                values[key] = parse_answer(q.spec, part)
            except AnswerError as e:
                raise AnswerError(f"{subject}: {e}") from None
        return self.apply(q.key, values, closed)

    def apply(self, key: str, values: dict[str, Any], closed: Sequence[str] = ()) -> dict[str, Any]:
        """Set several fields at once, validated together; AnswerError (nothing changed) if the model refuses."""
        data = copy.deepcopy(self.data)
        previous = {k: copy.deepcopy(get_value(self.data, k)) for k in values}
        for k, v in values.items():
            set_value(data, k, v)
        try:
            p = Partnership.model_validate(data if data.get("name") else {**data, "name": PLACEHOLDER_NAME})
        except ValidationError as e:
            message = describe_error(e.errors()[0])
            raise AnswerError(message[0].upper() + message[1:] + ".") from None
        clean = p.model_dump(mode="json", exclude_none=True)
        if not data.get("name"):
            clean.pop("name", None)
        self.data = clean
        self.unknown.extend(k for k in closed if k not in self.unknown)
        stored = {k: copy.deepcopy(get_value(clean, k)) for k in values}
        self.log.append(LogEntry(key, "answer", stored, previous, list(closed)))
        self._changed()
        return stored

    def close(self, q: Question, skipped: bool = False) -> None:
        """Record 'unknown' (or 'skip') for a question's fields so they are not asked again."""
        if q.key == "name" and not skipped:
            # The fact file needs a name; an unknown one gets a plain label.
            self.apply("name", {"name": UNNAMED})
            return
        target = self.skipped if skipped else self.unknown
        target.extend(k for k in q.instances if k not in target)
        self.log.append(LogEntry(q.key, "skip" if skipped else "unknown", closed=list(q.instances)))
        self._changed()

    def undo(self) -> Optional[LogEntry]:
        """Take back the last answer (or unknown, or skip); None when there is nothing to take back."""
        if not self.log:
            return None
        entry = self.log.pop()
        for k, previous in entry.previous.items():
            set_value(self.data, k, copy.deepcopy(previous))
            if k in ("partners", "funders") and previous is None:
                # What was closed about the list's items went with it.
                prefix = k + "["
                self.unknown = [x for x in self.unknown if not x.startswith(prefix)]
                self.skipped = [x for x in self.skipped if not x.startswith(prefix)]
        target = self.skipped if entry.outcome == "skip" else self.unknown
        for k in entry.closed:
            if k in target:
                target.remove(k)
        self._changed()
        return entry

    def _changed(self) -> None:
        self._snapshot = None

    def origin(self, key: str) -> str:
        """Whether a fact was answered in this session, closed as unknown or skipped, or came from the file."""
        if key in self.skipped:
            return "skipped"
        if key in self.unknown:
            return "answered unknown"
        if any(key in entry.values for entry in self.log):
            return "answered"
        return "from the fact file" if self.known(key) else "not asked"

    # the fact file
    def fact_document(self) -> dict:
        """The facts so far as a fact file's content (name first, the model's own order)."""
        data = dict(self.data)
        if not data.get("name"):
            data["name"] = UNNAMED
        return Partnership.model_validate(data).model_dump(mode="json", exclude_none=True)
