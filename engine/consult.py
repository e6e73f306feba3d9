"""The consultation: which question to ask next, applying answers, explaining, and keeping the session safe.

The next question comes from the rule base itself. After every answer the partial partnership is
assessed; its gaps (engine/assessment.py: the unknown facts that can still decide an undecided finding
or next-phase criterion, weighted by that rule's priority) say what is still worth asking. A person
meets the partnership's basics first (name, phase, impact area, partners and their sectors, funders
and their shares), then the most consequential gap. Nothing here reads from or writes to a terminal;
render/consult_io.py does that.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Optional, Sequence, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from ..facts.derive import FACTS, _bounds, _unwrap, flatten
from ..facts.loader import FactError, describe_error, load_partnership
from ..facts.model import Partnership
from ..output import write_output
from . import conditions as cond
from .assessment import Assessment, Gap, slug
from .rulebase import GATE_POINTS, SEVERITY_POINTS, RuleBase, load_rulebase
from .runner import Ledger

UNNAMED = "Unnamed partnership"
PLACEHOLDER_NAME = "(not yet named)"
# Asked of every partnership, whatever the rules read: they name it and place it.
FIXED_BASICS = ("name", "phase", "impact_area")
# Asked before anything else whenever the rules need them, in this order.
BASIC_ORDER = ("partners", "partners[].sector", "funders", "funders[].share")
SESSION_FORMAT = "partnerwise-consult-session"
SESSION_SUFFIX = ".partnerwise-session.json"
LIST_QUESTIONS = {
    "partners": "Who are the partners?",
    "funders": "Who funds the partnership (their names; shares are asked separately)?",
}
UNKNOWN_WORDS = {"unknown", "u", "don't know", "dont know"}
YES = {"yes", "y", "true", "t"}
NO = {"no", "n", "false", "f"}


class ConsultError(ValueError):
    """A session that cannot start or resume; the message says what to do instead."""


class AnswerError(ValueError):
    """An answer that does not fit its question; the message is one short sentence."""


# --- what can be asked -------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """One answerable field of the fact model, by template (`partners[].sector`)."""

    template: str
    kind: str  # bool, number, integer, choice, choices, names, texts, text, date
    question: str
    choices: tuple[str, ...] = ()
    minimum: Optional[float] = None
    maximum: Optional[float] = None


def _list_item(annotation) -> Optional[Any]:
    base = _unwrap(annotation)
    if get_origin(base) is list:
        return _unwrap(get_args(base)[0])
    return None


def field_spec(template: str) -> Optional[FieldSpec]:
    """The type, allowed answers and question of a field template; None if the model has no such field."""
    model: Any = Partnership
    parts = template.split(".")
    for i, part in enumerate(parts):
        name = part[:-2] if part.endswith("[]") else part
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or name not in model.model_fields:
            return None
        info = model.model_fields[name]
        item = _list_item(info.annotation)
        last = i == len(parts) - 1
        if part.endswith("[]"):
            if item is None or last:
                return None
            model = item
            continue
        base = _unwrap(info.annotation)
        if not last:
            model = base
            continue
        question = info.description or name
        if item is not None:
            if isinstance(item, type) and issubclass(item, BaseModel):
                return FieldSpec(template, "names", LIST_QUESTIONS.get(template, question))
            if isinstance(item, type) and issubclass(item, Enum):
                return FieldSpec(template, "choices", question, tuple(m.value for m in item))
            return FieldSpec(template, "texts", question)
        if isinstance(base, type) and issubclass(base, BaseModel):
            return None
        if isinstance(base, type) and issubclass(base, Enum):
            return FieldSpec(template, "choice", question, tuple(m.value for m in base))
        if base is bool:
            return FieldSpec(template, "bool", question)
        if base in (int, float):
            lo, hi = _bounds(info)
            return FieldSpec(template, "integer" if base is int else "number", question, minimum=lo, maximum=hi)
        if base is dt.date:
            return FieldSpec(template, "date", question)
        return FieldSpec(template, "text", question)
    return None


def model_field_count() -> int:
    """Answerable fields of the fact model, each list's item fields counted once (a full questionnaire)."""

    def count(model: type[BaseModel]) -> int:
        n = 0
        for info in model.model_fields.values():
            base = _unwrap(info.annotation)
            item = _list_item(info.annotation)
            if isinstance(item, type) and issubclass(item, BaseModel):
                n += 1 + count(item)
            elif isinstance(base, type) and issubclass(base, BaseModel):
                n += count(base)
            else:
                n += 1
        return n

    return count(Partnership)


def questionnaire_length(data: dict) -> int:
    """How many questions a questionnaire asking every field would put to this partnership."""

    def count(model: type[BaseModel], value: Any) -> int:
        n = 0
        for name, info in model.model_fields.items():
            base = _unwrap(info.annotation)
            item = _list_item(info.annotation)
            if isinstance(item, type) and issubclass(item, BaseModel):
                items = (value or {}).get(name) or []
                n += 1 + sum(count(item, x) - 1 for x in items)  # the item's name comes with the list
            elif isinstance(base, type) and issubclass(base, BaseModel):
                n += count(base, (value or {}).get(name))
            else:
                n += 1
        return n

    return count(Partnership, data)


_KEY = re.compile(r"^([a-z_]+)\[(\d+)\]\.(.+)$")


def template_of(key: str) -> str:
    """`partners[2].sector` -> `partners[].sector`."""
    return re.sub(r"\[\d+\]", "[]", key)


def get_value(data: dict, key: str) -> Any:
    node: Any = data
    for part in _split(key):
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return None
    return node


def set_value(data: dict, key: str, value: Any) -> None:
    """Set (or, with None, remove) the value at `key`, creating the mappings on the way."""
    parts = _split(key)
    node: Any = data
    for part, following in zip(parts, parts[1:]):
        if isinstance(part, int):
            node = node[part]
        else:
            if not isinstance(node.get(part), (dict, list)):
                node[part] = [] if isinstance(following, int) else {}
            node = node[part]
    last = parts[-1]
    if value is None:
        node.pop(last, None)
    else:
        node[last] = value


def _split(key: str) -> list[Union[str, int]]:
    out: list[Union[str, int]] = []
    for part in key.split("."):
        m = re.fullmatch(r"([A-Za-z_]+)\[(\d+)\]", part)
        if m:
            out += [m.group(1), int(m.group(2))]
        else:
            out.append(part)
    return out


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


def parse_answer(spec: FieldSpec, text: str) -> Any:
    """A typed value from what a person typed; AnswerError saying what is expected otherwise."""
    raw = text.strip()
    low = raw.lower()
    kind = spec.kind
    if kind == "bool":
        if low in YES:
            return True
        if low in NO:
            return False
        raise AnswerError("Please answer yes, no or unknown.")
    if kind in ("number", "integer"):
        try:
            value: Any = float(low.rstrip("%").strip())
        except ValueError:
            raise AnswerError(f"Please give {range_words(spec)}.") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise AnswerError(f"Please give {range_words(spec)}.")
        if kind == "integer":
            if not value.is_integer():
                raise AnswerError(f"Please give {range_words(spec)}.")
            value = int(value)
        if (spec.minimum is not None and value < spec.minimum) or (spec.maximum is not None and value > spec.maximum):
            raise AnswerError(f"{raw} is out of range; please give {range_words(spec)}.")
        return value
    if kind == "choice":
        return _choose(spec.choices, low)
    if kind == "choices":
        if low in ("none", "nothing", "-"):
            return []
        picked = [_choose(spec.choices, part.strip().lower()) for part in re.split(r"[,;]", low) if part.strip()]
        if not picked:
            raise AnswerError("Please name at least one, or answer none or unknown.")
        return list(dict.fromkeys(picked))
    if kind in ("names", "texts"):
        if low in ("none", "nobody", "-"):
            return []
        items = [" ".join(p.split()) for p in raw.split(";") if p.strip()]
        if not items:
            raise AnswerError("Please give the names separated by ';', or answer none or unknown.")
        return items
    if kind == "date":
        try:
            return dt.date.fromisoformat(raw).isoformat()
        except ValueError:
            raise AnswerError("Please give a date as YYYY-MM-DD, or unknown.") from None
    if not raw:
        raise AnswerError("Please type an answer, or unknown.")
    return " ".join(raw.split())


def _choose(choices: tuple[str, ...], low: str) -> str:
    norm = re.sub(r"[\s-]+", "_", low)
    if norm in choices:
        return norm
    if norm.isdigit() and 1 <= int(norm) <= len(choices):
        return choices[int(norm) - 1]
    close = [c for c in choices if c.startswith(norm)] if norm else []
    if len(close) == 1:
        return close[0]
    raise AnswerError(f"Please answer one of: {', '.join(choices)} (or unknown).")


def range_words(spec: FieldSpec) -> str:
    what = "a whole number" if spec.kind == "integer" else "a number"
    lo, hi = spec.minimum, spec.maximum
    if lo is not None and hi is not None:
        return f"{what} from {lo:g} to {hi:g}"
    if lo is not None:
        return f"{what} of at least {lo:g}"
    if hi is not None:
        return f"{what} of at most {hi:g}"
    return what


# --- evaluating between answers ----------------------------------------------------------------


class Evaluator:
    """The rule base's three-valued Python back-end, filling the same ledger the engine fills.

    Between answers the interview needs only what is decided and what is open; evaluating the parsed
    conditions directly gives what the engine gives (a Kleene-true condition is one whose disjunctive
    normal form has an all-true alternative, which is what the engine matches) without a round trip
    through it. The assessment shown at the end comes from the engine itself.
    """

    def __init__(self, rb: RuleBase):
        self.rb = rb
        self.derives = [r for r in rb.rules if r.rule.type == "derive"]
        self.alternatives: list[tuple[str, bool, list[tuple[cond.Leaf, ...]]]] = []
        for r in rb.rules:
            outcomes = (True, False) if r.rule.type in ("derive", "gate") else (True,)
            for outcome in outcomes:
                node = r.condition if outcome else cond.Not(r.condition)
                self.alternatives.append((r.id, outcome, cond.dnf(node)))

    def ledger(self, flat: dict[str, Any]) -> Ledger:
        ledger = Ledger()
        known = {k: v for k, v in flat.items() if not isinstance(v, list)}
        changed = True
        while changed:
            changed = False
            for r in self.derives:
                name = r.rule.derives
                if name in ledger.derived:
                    continue
                value = cond.evaluate(r.condition, known)
                if value is not None:
                    ledger.derived[name] = known[name] = value
                    ledger.derived_by[name] = r.id
                    changed = True
        for rid, outcome, conjuncts in self.alternatives:
            hits = [i for i, conj in enumerate(conjuncts) if all(cond.test_leaf(leaf, known.get(leaf.name)) is True for leaf in conj)]
            if hits:
                ledger.fired[(rid, outcome)] = hits
        return ledger


# --- the consultation --------------------------------------------------------------------------


@dataclass
class Snapshot:
    """The partial partnership evaluated: facts, what fired, the assessment, and what is worth asking."""

    partnership: Partnership
    flat: dict[str, Any]
    ledger: Any
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
        self.evaluator = Evaluator(self.rb)

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
            ledger = self.evaluator.ledger(flat)
            assessment = self.assessor.builder.build(p, flat, ledger)
            known = dict(flat)
            known.update(ledger.derived)
            gaps = assessment.gaps
            provisional = self.provisional(flat)
            if provisional:
                settled = {k: v for k, v in flat.items() if k not in provisional}
                ledger2 = self.evaluator.ledger(settled)
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

    # explaining
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

    # the fact file
    def fact_document(self) -> dict:
        """The facts so far as a fact file's content (name first, the model's own order)."""
        data = dict(self.data)
        if not data.get("name"):
            data["name"] = UNNAMED
        return Partnership.model_validate(data).model_dump(mode="json", exclude_none=True)


def dump_facts(doc: dict) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


# --- keeping the session on disk ---------------------------------------------------------------


def side_path(fact_path: Path) -> Path:
    return fact_path.parent / f".{fact_path.name}{SESSION_SUFFIX}"


class SessionFiles:
    """The fact file the session writes and its side file (unknown and skipped answers, the answer log).

    Both are written atomically after every answer, the fact file first: whatever moment the process
    dies, the fact file on disk holds every answer given, and a resumed session asks none of them again.
    """

    def __init__(self, fact_path: Optional[Path], started_from: Optional[Path] = None):
        self.fact_path = fact_path
        self.started_from = started_from

    @property
    def side(self) -> Optional[Path]:
        return side_path(self.fact_path) if self.fact_path else None

    def save(self, c: Consultation, finished: bool = False) -> bool:
        """Write both files; False while the path is not yet known (the partnership has no name yet)."""
        if self.fact_path is None:
            return False
        write_output(dump_facts(c.fact_document()), self.fact_path)
        state = {
            "format": SESSION_FORMAT,
            "version": 1,
            "facts": self.fact_path.name,
            "started_from": str(self.started_from) if self.started_from else None,
            "unknown": c.unknown,
            "skipped": c.skipped,
            "log": [e.to_dict() for e in c.log],
            "focus": c.focus,
            "finished": finished,
            "updated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }
        write_output(json.dumps(state, indent=1, ensure_ascii=False) + "\n", self.side)
        return True

    def save_copy(self, c: Consultation, path: Path) -> None:
        write_output(dump_facts(c.fact_document()), path)


def default_fact_path(name: str, folder: Path, avoid: Optional[Path] = None) -> Path:
    """A new file in `folder` named after the partnership; never an existing file other than `avoid`."""
    stem = slug(name)
    candidate = folder / f"{stem}.yaml"
    n = 2
    while candidate.exists() and not (avoid is not None and _same(candidate, avoid)):
        candidate = folder / f"{stem}-{n}.yaml"
        n += 1
    return candidate


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def read_side(path: Path) -> dict:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ConsultError(f"{path}: cannot read the session file ({e})") from None
    if not isinstance(state, dict) or state.get("format") != SESSION_FORMAT:
        raise ConsultError(f"{path}: not a consult session file")
    return state


def find_unfinished(folder: Path) -> Optional[Path]:
    """The most recently updated unfinished session's side file in `folder`."""
    found = []
    for side in folder.glob(f".*{SESSION_SUFFIX}"):
        try:
            state = read_side(side)
        except ConsultError:
            continue
        if not state.get("finished"):
            found.append((str(state.get("updated", "")), side.stat().st_mtime, side))
    return max(found)[2] if found else None


def load_data(path: Path) -> dict:
    return load_partnership(path).model_dump(mode="json", exclude_none=True)


@dataclass
class Start:
    """How a session begins: its consultation, its files, and what to tell the person."""

    consultation: Consultation
    files: SessionFiles
    resumed: bool = False
    notes: list[str] = field(default_factory=list)


def start(
    assessor, file: Optional[Path], save: Optional[Path], resume: bool, folder: Path, focus: Optional[str] = None
) -> Start:
    """Open a new session (from nothing or from a fact file) or resume the last unfinished one.

    A resumed session keeps the focus it was started with unless another is given.
    """
    if resume:
        if save is not None:
            side = side_path(save)
        elif file is not None:
            side = side_path(file)
        else:
            side = find_unfinished(folder)
            if side is None:
                raise ConsultError("no unfinished consult session in this folder; start one with 'partnerwise consult'")
        if not side.exists():
            raise ConsultError(f"no consult session to resume for {save or file}; start one without --resume")
        state = read_side(side)
        fact_path = side.parent / state["facts"]
        if not fact_path.exists():
            raise ConsultError(f"{fact_path}: the session's fact file is missing; start a new session")
        try:
            data = load_data(fact_path)
        except FactError as e:
            raise ConsultError(str(e)) from None
        c = Consultation(assessor, data, focus or str(state.get("focus") or "all"))
        c.unknown = [str(k) for k in state.get("unknown") or []]
        c.skipped = [str(k) for k in state.get("skipped") or []]
        c.log = [LogEntry.from_dict(e) for e in state.get("log") or []]
        started = state.get("started_from")
        notes = []
        if state.get("finished"):
            notes.append("That session had finished; any question still open is asked now.")
        return Start(c, SessionFiles(fact_path, Path(started) if started else None), True, notes)
    data: dict = {}
    if file is not None:
        try:
            data = load_data(file)
        except FactError as e:
            raise ConsultError(str(e)) from None
    notes = []
    if save is not None:
        if save.exists() and not (file is not None and _same(save, file)):
            raise ConsultError(
                f"{save} already exists; continue it with 'partnerwise consult {save} --save {save}', or choose another --save"
            )
        if save.suffix.lower() not in (".yaml", ".yml", ".json"):
            raise ConsultError(f"{save}: expected a fact file name ending in .yaml, .yml or .json")
        fact_path: Optional[Path] = save
    elif data.get("name"):
        fact_path = default_fact_path(data["name"], folder, avoid=file)
    else:
        fact_path = None  # named after the partnership once its name is known
    if fact_path is not None and side_path(fact_path).exists():
        try:
            if not read_side(side_path(fact_path)).get("finished"):
                notes.append(f"An unfinished session for {fact_path} was replaced; use --resume to continue one.")
        except ConsultError:
            pass
    return Start(Consultation(assessor, data, focus or "all"), SessionFiles(fact_path, file), False, notes)


def load_assessor(rules_dirs=(), weights: Optional[Path] = None, builtin: bool = True):
    """An assessor for the built-in rules plus extra folders, or (builtin=False) for the extra folders only."""
    from ..api import Assessor, assessor

    if builtin:
        return assessor(rules_dirs, weights)
    folders = [Path(d) for d in rules_dirs]
    sources = next((d / "sources.yaml" for d in folders if (d / "sources.yaml").exists()), None)
    if not folders or sources is None:
        raise ConsultError("--no-builtin needs --rules FOLDER with a sources.yaml")
    return Assessor(load_rulebase(folders, weights_path=weights, builtin=False, sources_path=sources))
