"""The questions of an interview: topics that keep together what belongs together, and the parts a person answers.

A question is one topic (trust between the partners, the agreement, each partner's details); it is
put as one or more parts, each answered on one line:

- a value: one field (`trust.level`);
- a checklist: several yes/no fields of one section as one multiple choice ("which of these hold?");
- a list: the partners' names, or the funders' names with their shares;
- a record: one partner's or funder's fields in one line (a partner's details, a partner's ratings).

Which fields a part holds is decided afresh before each part from what is still at stake, so an
answer that settles the rest of a topic ("there is no secretariat") ends the topic there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Optional

from ..facts.walker import field_at, fields
from .answers import UNKNOWN_WORDS, AnswerError, FieldSpec, field_spec, parse_answer, split_names
from .keys import get_value, template_of


@dataclass(frozen=True)
class Topic:
    """What one question is about: the fields it may ask, by the start of their templates."""

    name: str
    title: str
    prefixes: tuple[str, ...]


# The model's sections grouped the way an advisor talks them through. A section not named here is a
# topic of its own.
TOPICS: tuple[Topic, ...] = (
    Topic("name", "The partnership's name", ("name",)),
    Topic("phase", "Phase and dates", ("phase", "as_of", "started")),
    Topic("kind", "Kind of partnership and its field", ("kind", "impact_area")),
    Topic("partners", "The partners", ("partners",)),
    Topic("partner-details", "Each partner's details", ("partners[].",)),
    Topic("ratings", "How each partner rates the partnership", ("partners[].ratings.",)),
    Topic("funders", "The funders and their shares", ("funders",)),
    Topic("funder-details", "Each funder's money", ("funders[].",)),
    Topic("trust", "Trust between the partners", ("trust.",)),
    Topic("strategy", "Strategy and plans", ("strategy.",)),
    Topic("leadership", "Leadership and the secretariat", ("leadership.", "secretariat.")),
    Topic("governance", "Governance and communication", ("governance.",)),
    Topic("agreement", "The agreement", ("agreement.",)),
    Topic("money", "Money: budget, viability and the business case", ("resources.", "viability.", "business_case.")),
    Topic("results", "Monitoring and results", ("monitoring.",)),
    Topic("context", "Context and other initiatives", ("context.",)),
    Topic("public", "Government and the people affected", ("government.", "social_licence.")),
    Topic("future", "Exit, continuation and scaling", ("exit.", "scaling.")),
    Topic("contracts", "Contracted services and setbacks", ("oversight.", "risk.")),
)
TOPIC_BY_NAME = {t.name: t for t in TOPICS}
# Screening questions: an answer that makes other fields meaningless ("there is no secretariat" leaves
# nothing to say about its neutrality). Such a field is asked before the fields it screens, and when
# its answer is the screening one they are not asked: they stay unknown, as a fact file leaves them.
SCREENS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "agreement.exists": (False, ("agreement.",)),
    "secretariat.exists": (False, ("secretariat.",)),
    "oversight.contracted_services": (False, ("oversight.",)),
    "oversight.monitor_exists": (False, ("oversight.monitor_",)),
    "exit.exit_criteria": (False, ("exit.criteria_status",)),
    "exit.successor_identified": (False, ("exit.successor_",)),
    "context.conditions_changed": (False, ("context.replanned_after_change",)),
    "social_licence.land_or_resources_at_stake": (False, ("social_licence.consent_obtained",)),
    "risk.setbacks": ([], ("risk.response_effective",)),
}


def screened(key: str, screen: str) -> bool:
    """Whether `screen` screens the field `key` (a concrete or template key)."""
    if key == screen:
        return False
    template = template_of(key)
    return any(template.startswith(prefix) for prefix in SCREENS[screen][1])


BASICS = ("name", "phase", "kind")  # asked first, in this order, of every partnership
ALWAYS = ("name", "phase", "kind", "impact_area")  # asked whether or not a rule needs them
LISTS = {"partners": "partner", "funders": "funder"}


def topic_of(key: str) -> Topic:
    """The topic of a concrete or template key (`partners[2].ratings.trust`, `trust.level`): the longest prefix wins."""
    return _topic(template_of(key))


@lru_cache(maxsize=None)
def _topic(template: str) -> Topic:
    best: Optional[tuple[int, Topic]] = None
    for t in TOPICS:
        for prefix in t.prefixes:
            if template == prefix or (prefix.endswith(".") and template.startswith(prefix)):
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), t)
    if best is not None:
        return best[1]
    section = template.split(".", 1)[0]
    return Topic(section, section.replace("_", " ").capitalize(), (section + ".",))


def model_order() -> dict[str, int]:
    """Each field template's place in the fact model, for asking fields in the order a file lists them."""
    return {t: i for i, t in enumerate(fields())}


_ORDER: dict[str, int] = {}


def order_of(key: str) -> int:
    if not _ORDER:
        _ORDER.update(model_order())
    return _ORDER.get(template_of(key), len(_ORDER))


# --- parts -----------------------------------------------------------------------------------------


@dataclass
class Part:
    """One line a person answers: which fields it sets, how it is asked, how the answer is read."""

    kind: str  # "value", "checklist", "list", "record"
    key: str  # what the part is called on screen: a field, a section (`trust`), a list, a subject (`partners[0]`)
    keys: list[str]  # the concrete fields it sets
    text: str  # the question
    specs: list[FieldSpec] = field(default_factory=list)  # value: one; record: one per field (checklists apart)
    items: list[str] = field(default_factory=list)  # checklist: its yes/no fields; record: its checklist's fields
    subject: Optional[str] = None  # a line of a table: the partner's or funder's name
    with_shares: bool = False  # list of funders: names with their shares
    table: tuple = ()  # a line of a table: the field templates every line of its question answers

    # --- how it reads --------------------------------------------------------------------------------

    def labels(self) -> list[str]:
        """A record's answers in the order they are given: its fields' names, its checklist last ('which hold')."""
        out = [short_label(k) for k in self.keys if k not in self.items]
        if self.items:
            out.append("which hold")
        return out

    def hint(self) -> str:
        if self.kind == "checklist":
            return ("the numbers of those that hold, e.g. 1, 3 (the rest count as no); 'all' when all hold, "
                    "with -N for one that does not and ?N for one you do not know; none; or unknown")
        if self.kind == "list":
            if self.with_shares:
                return "name: share for each funder, separated by ';' (e.g. Big Co: 60; City Fund: 40); none; or unknown"
            return "names separated by ';' (e.g. Alpha Ltd; Beta Trust); none; or unknown"
        if self.kind == "record":
            sep = "';'" if self._has_lists() else "';' or ','"
            return f"one answer for each, in this order, separated by {sep}; 'unknown' for any of them or for all"
        return value_hint(self.specs[0])

    def _has_lists(self) -> bool:
        return bool(self.items) or any(s.kind in ("choices", "texts", "names") for s in self.specs)

    # --- reading an answer -----------------------------------------------------------------------------

    def parse(self, text: str) -> tuple[dict[str, Any], list[str]]:
        """The values an answer sets and the fields it leaves unknown; AnswerError if it does not fit."""
        raw = text.strip()
        if self.kind == "value":
            value = parse_answer(self.specs[0], raw)
            if self.specs[0].kind == "names":
                value = [{"name": n} for n in value]
            return {self.keys[0]: value}, []
        if self.kind == "checklist":
            return parse_checklist(self.items, raw)
        if self.kind == "list":
            return self._parse_list(raw)
        return self._parse_record(raw)

    def _parse_list(self, raw: str) -> tuple[dict[str, Any], list[str]]:
        items = split_names(raw)
        if not items:
            return {self.key: []}, []
        if not self.with_shares:
            return {self.key: [{"name": n} for n in items]}, []
        out, closed = [], []
        spec = field_spec("funders[].share")
        for i, item in enumerate(items):
            name, _, share = item.rpartition(":")
            entry: dict[str, Any] = {"name": item}
            if name.strip() and share.strip():
                word = share.strip().lower()
                if word in UNKNOWN_WORDS:
                    entry = {"name": name.strip()}
                    closed.append(f"funders[{i}].share")
                else:
                    try:
                        entry = {"name": name.strip(), "share": parse_answer(spec, word)}
                    except AnswerError as e:
                        raise AnswerError(f"{name.strip()}: {e}") from None
            out.append(entry)
        return {self.key: out}, closed

    def _parse_record(self, raw: str) -> tuple[dict[str, Any], list[str]]:
        names = self.labels()
        if raw.lower() in UNKNOWN_WORDS:
            return {}, list(self.keys)
        parts = [p.strip() for p in re.split(";" if self._has_lists() else "[;,]", raw)]
        if parts and parts[-1] == "" and len(parts) == len(names) + 1:
            parts = parts[:-1]
        if len(parts) != len(names):
            raise AnswerError(f"Please give {len(names)} answers separated by ';' ({', '.join(names)}), or unknown.")
        values: dict[str, Any] = {}
        closed: list[str] = []
        value_keys = [k for k in self.keys if k not in self.items]
        for key, spec, part in zip(value_keys, self.specs, parts):
            if part.lower() in UNKNOWN_WORDS or part == "":
                closed.append(key)
                continue
            try:
                values[key] = parse_answer(spec, part)
            except AnswerError as e:
                raise AnswerError(f"{short_label(key)}: {e}") from None
        if self.items:
            v, c = parse_checklist(self.items, parts[-1] or "unknown")
            values.update(v)
            closed += c
        return values, closed

def short_label(key: str) -> str:
    """A field's own name, as words: `partners[0].ratings.role_clarity` -> `role clarity`."""
    return key.rsplit(".", 1)[-1].replace("_", " ")


def value_hint(spec: FieldSpec) -> str:
    from .answers import range_words

    if spec.kind == "bool":
        return "yes / no / unknown"
    if spec.kind in ("number", "integer"):
        return f"{range_words(spec)}, or unknown"
    if spec.kind == "choice":
        return "one of: " + ", ".join(spec.choices) + "; or unknown"
    if spec.kind == "choices":
        return "any of: " + ", ".join(spec.choices) + " (separate with commas); none; or unknown"
    if spec.kind == "names":
        return "names separated by ';' (e.g. Alpha Ltd; Beta Trust); none; or unknown"
    if spec.kind == "texts":
        return "items separated by ';'; none; or unknown"
    if spec.kind == "date":
        return "a date as YYYY, YYYY-MM or YYYY-MM-DD, or unknown"
    return "text, or unknown"


def legend_hint(spec: FieldSpec) -> str:
    """A field's allowed answers, in brief, for the legend of a table."""
    from .answers import range_words

    if spec.kind == "bool":
        return "yes or no"
    if spec.kind in ("number", "integer"):
        return range_words(spec)
    if spec.kind == "choice":
        return ", ".join(spec.choices)
    if spec.kind == "choices":
        return "any of " + ", ".join(spec.choices) + " (separated by commas), or none"
    if spec.kind == "date":
        return "YYYY, YYYY-MM or YYYY-MM-DD"
    return "text"


def parse_checklist(items: list[str], raw: str) -> tuple[dict[str, Any], list[str]]:
    """Which of `items` hold: numbers of those that do (the rest do not), or 'all' with -N and ?N exceptions."""
    low = raw.strip().lower()
    if low in UNKNOWN_WORDS:
        return {}, list(items)
    if low in ("none", "nothing", "no", "-"):
        return {k: False for k in items}, []
    tokens = [t for t in re.split(r"[,\s]+", low) if t]
    rest = False
    marks: dict[str, Optional[bool]] = {}
    leaves = [short_label(k).replace(" ", "_") for k in items]
    for token in tokens:
        if token in ("all", "yes"):
            rest = True
            continue
        sign: Optional[bool] = True
        if token[0] in "?-":
            sign = None if token[0] == "?" else False
            token = token[1:]
        if token.isdigit() and 1 <= int(token) <= len(items):
            key = items[int(token) - 1]
        elif token in leaves:
            key = items[leaves.index(token)]
        else:
            raise AnswerError(f"Please answer with numbers from 1 to {len(items)} (or 'all', -N, ?N), none or unknown.")
        marks[key] = sign
    values = {k: marks.get(k, rest) for k in items}
    return {k: v for k, v in values.items() if v is not None}, [k for k, v in values.items() if v is None]


# --- what a fact file would answer ----------------------------------------------------------------


def typed_answer(part: Part, data: dict) -> str:
    """What a person would type to give the values `data` holds for this part: the inverse of `Part.parse`."""
    if part.kind == "value":
        return _one(get_value(data, part.keys[0]))
    if part.kind == "checklist":
        return _checklist([get_value(data, k) for k in part.items])
    if part.kind == "list":
        value = get_value(data, part.key)
        if value is None:
            return "unknown"
        if not value:
            return "none"
        if part.with_shares:
            return "; ".join(f"{x['name']}: {_one(x.get('share'))}" for x in value)
        return "; ".join(x["name"] for x in value)
    values = [get_value(data, k) for k in part.keys if k not in part.items]
    if all(v is None for v in values) and all(get_value(data, k) is None for k in part.items):
        return "unknown"
    out = [_one(v) for v in values]
    if part.items:
        out.append(_checklist([get_value(data, k) for k in part.items]))
    return "; ".join(out)


def _one(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "; ".join(item["name"] for item in value)
        return ", ".join(value) if value else "none"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _checklist(values: list[Optional[bool]]) -> str:
    if all(v is None for v in values):
        return "unknown"
    listed = [str(i) for i, v in enumerate(values, 1) if v is True] + [f"?{i}" for i, v in enumerate(values, 1) if v is None]
    excepted = ["all"] + [f"-{i}" for i, v in enumerate(values, 1) if v is False] + [
        f"?{i}" for i, v in enumerate(values, 1) if v is None
    ]
    if not any(v is True for v in values) and not any(v is None for v in values):
        return "none"
    return ", ".join(excepted if len(excepted) < len(listed) else listed)


__all__ = [
    "ALWAYS", "BASICS", "LISTS", "Part", "SCREENS", "legend_hint", "screened", "TOPICS", "TOPIC_BY_NAME", "Topic", "field_at", "order_of", "parse_checklist",
    "short_label", "topic_of", "typed_answer", "value_hint",
]
