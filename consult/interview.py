"""The interview's state: the facts so far, the fields closed, the answer log, and which question comes next.

After every answer the partial partnership is assessed by the engine, exactly as `assess` would assess
the fact file saved so far (durable-rules decides every finding). Then the three-valued analysis of
consult/stakes.py says what further answers could still change in the answer: the diagnoses, the
first findings, the serious findings and, for a full session, the rest of the answer's items and the
next-phase criteria. The open fields that decide those are what is worth asking; the question is the
topic of the heaviest of them (consult/questions.py), put part by part. When nothing open can change
the answer, the interview ends. Nothing here reads from or writes to a terminal (consult/terminal.py does).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Optional

from pydantic import ValidationError

from ..engine.assessment import ANSWER_ITEMS, Assessment, prepare
from ..engine.rulebase import RuleBase
from ..engine.runner import Ledger
from ..facts import derive
from ..facts.derive import FACTS
from ..facts.loader import describe_error
from ..facts.model import PHASE_ORDER, Partnership
from .answers import field_spec
from .keys import _KEY, get_value, set_value, template_of
from .questions import ALWAYS, BASICS, LISTS, SCREENS, TOPIC_BY_NAME, Part, Topic, order_of, screened, short_label, topic_of
from .stakes import SETTLED_WHEN, Stake, Stakes, at_stake, needed, screens

UNNAMED = "Unnamed partnership"
PLACEHOLDER_NAME = "(not yet named)"
FOCUSES = ("all", "high", "critical")
PHASE_SIGN_WEIGHT = 10_000  # while the phase is assumed, what could change the assumption comes first


@dataclass
class Prompt:
    """One part of one question, as it is put: the question's number and topic, and the part."""

    number: int
    topic: Topic
    part: Part
    first: bool  # the question's first part: its topic is introduced
    weight: Optional[int] = None
    rules: list[str] = field(default_factory=list)  # the rules at stake its answer can decide

    @property
    def basic(self) -> bool:
        return self.topic.name in BASICS


@dataclass
class Snapshot:
    """The partial partnership assessed, and what is still at stake."""

    partnership: Partnership  # as assessed: with the assumed phase when none is given
    flat: dict[str, Any]
    ledger: Ledger
    assessment: Assessment
    known: dict[str, Any]
    stakes: Stakes
    at_stake: list[Stake]
    needed: dict[str, tuple[int, list[str]]]  # open field templates -> (weight, rules at stake they decide)


@dataclass
class LogEntry:
    """One answered part: the values it set (with what they replaced) and the fields it closed."""

    key: str
    outcome: str  # "answer", "unknown" or "skip"
    values: dict[str, Any] = field(default_factory=dict)
    previous: dict[str, Any] = field(default_factory=dict)
    closed: list[str] = field(default_factory=list)
    question: int = 0  # the number of the question it belongs to
    topic: str = ""

    def to_dict(self) -> dict:
        return {"key": self.key, "outcome": self.outcome, "values": self.values, "previous": self.previous,
                "closed": self.closed, "question": self.question, "topic": self.topic}

    @classmethod
    def from_dict(cls, d: dict, index: int = 0) -> "LogEntry":
        key = str(d["key"])
        return cls(key, str(d["outcome"]), dict(d.get("values") or {}), dict(d.get("previous") or {}),
                   [str(k) for k in d.get("closed") or []], int(d.get("question") or index + 1),
                   str(d.get("topic") or topic_of(key).name))


class Consultation:
    """The state of one interview: the facts so far, the fields closed as unknown or skipped, the log."""

    def __init__(self, assessor, data: Optional[dict] = None, focus: str = "all"):
        self.assessor = assessor
        self.focus = focus if focus in FOCUSES else "all"
        self.rb: RuleBase = assessor.rulebase
        self.data: dict = copy.deepcopy(data or {})
        self.unknown: list[str] = []
        self.skipped: list[str] = []
        self.log: list[LogEntry] = []
        self._snapshot: Optional[Snapshot] = None
        self._screens = screens(self.rb)
        self._table: Optional[tuple[int, str, tuple]] = None  # the fields of the table question being asked
        self._closed: Optional[set[str]] = None  # unknown and skipped fields, while nothing changes
        self._screening: list[str] = []  # the screens whose answer leaves the fields they screen out

    # state
    def closed(self, key: str) -> bool:
        """Whether a field is settled as unknown: answered unknown, skipped, or screened out."""
        if self._closed is None:
            self._closed = set(self.unknown) | set(self.skipped)
            self._screening = []
            for screen in sorted(SCREENS, key=order_of):  # a screen may itself be screened out by an earlier one
                value = SCREENS[screen][0]
                if get_value(self.data, screen) == value or self.closed(screen):
                    self._screening.append(screen)
        return key in self._closed or self.screened_out(key)

    def screened_out(self, key: str) -> bool:
        """A field a screening answer made meaningless (nothing to say about a secretariat there is not, or
        about one nobody knows of)."""
        if self._closed is None:
            self.closed(key)
        return any(screened(key, screen) for screen in self._screening)

    def known(self, key: str) -> bool:
        return get_value(self.data, key) is not None

    @property
    def name(self) -> Optional[str]:
        return self.data.get("name")

    @property
    def questions_asked(self) -> int:
        """How many questions have been put (a question of several parts counts once)."""
        return len({e.question for e in self.log})

    def partnership(self) -> Partnership:
        data = self.data if self.data.get("name") else {**self.data, "name": PLACEHOLDER_NAME}
        return Partnership.model_validate(data)

    def snapshot(self) -> Snapshot:
        """The current facts assessed as `assess` assesses the saved file, and what is at stake (cached until the next change)."""
        if self._snapshot is None:
            p, assumed, flat = prepare(self.partnership())
            ledger = self.assessor.ledgers([flat])[0]
            assessment = self.assessor.builder.build(p, flat, ledger, assumed)
            known = self.assessor.builder.known(flat, ledger)
            signs = self._phase_signs(p.phase) if assumed is not None and self.closed("phase") else []
            # Unknown signs (None) leave the assumed phase open: nothing phase-bound is taken as settled.
            phase_open = not self.known("phase") and (not self.closed("phase") or signs is None or bool(signs))
            stakes = Stakes(self.rb, known, lambda name: self._is_open(name, flat, phase_open), ledger)
            at = at_stake(stakes, assessment, self.assessor.builder, self.focus, ANSWER_ITEMS)
            need = {t: v for t, v in needed(stakes, at).items() if self.instances(t)}
            if signs:
                need = {**{name: (PHASE_SIGN_WEIGHT, []) for name in signs}, **need}
            self._snapshot = Snapshot(p, flat, ledger, assessment, known, stakes, at, need)
        return self._snapshot

    def _is_open(self, name: str, flat: dict[str, Any], phase_open: bool) -> bool:
        """Whether a fact the rules read can still change with the answers to come."""
        if name in ("phase", "phase_index"):
            return phase_open
        spec = FACTS.get(name)
        if spec is None:
            return False
        if spec.computed:
            if name in SETTLED_WHEN and flat.get(name) is SETTLED_WHEN[name]:
                return False
            return any(self.instances(ask) for ask in spec.asks)
        return flat.get(name) is None and bool(self.instances(name))

    def _phase_signs(self, assumed: str) -> Optional[list[str]]:
        """Open fields that show a later phase than the one assumed: their answers could change the assumption
        (None when the fact model does not say which fields show a phase)."""
        signs: Optional[dict[str, list]] = getattr(derive, "_PHASE_SIGNS", None)
        if signs is None:
            return None
        later = PHASE_ORDER[PHASE_ORDER.index(assumed):]
        out = []
        for phase in later:
            for name, _, _ in signs.get(phase, []):
                if name in FACTS and not FACTS[name].computed and self.instances(name):
                    out.append(name)
        if PHASE_ORDER.index(assumed) < PHASE_ORDER.index("implementation"):
            out += [n for n in ("started", "as_of") if self.instances(n)]
        return list(dict.fromkeys(out))

    def assessment(self) -> Assessment:
        return self.snapshot().assessment

    def final_assessment(self) -> Assessment:
        """The assessment of record, from the engine, exactly as 'assess' makes it from the fact file."""
        return self.assessor.assess(Partnership.model_validate(self.fact_document()))

    # choosing
    def instances(self, template: str) -> list[str]:
        """The concrete, still open fields a template stands for, in file order (the list itself while it is unknown)."""
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

    def open_keys(self) -> dict[str, int]:
        """The concrete open fields worth asking, each with the heaviest weight it carries."""
        out: dict[str, int] = {}
        for template, (weight, _) in self.snapshot().needed.items():
            for key in self.instances(template):
                out[key] = max(out.get(key, 0), weight)
        return out

    def next_prompt(self) -> Optional[Prompt]:
        """The next part to put: the rest of the current question, then the basics, then the heaviest topic."""
        open_keys = self.open_keys()
        last = self.log[-1] if self.log else None
        number = max((e.question for e in self.log), default=0)
        if last is not None:
            topic = TOPIC_BY_NAME.get(last.topic) or topic_of(last.key)
            table = self._table[2] if self._table and self._table[:2] == (last.question, last.topic) else None
            part = self._part(topic, open_keys, table)
            if part is not None:
                return self._prompt(last.question, topic, part, False, open_keys)
        for name in BASICS:
            topic = TOPIC_BY_NAME[name]
            part = self._part(topic, open_keys)
            if part is not None:
                return self._prompt(number + 1, topic, part, True, open_keys)
        by_topic: dict[str, tuple[int, int, int, Topic]] = {}
        names = [t.name for t in TOPIC_BY_NAME.values()]
        for key, weight in open_keys.items():
            t = topic_of(key)
            w, n, rank, _ = by_topic.get(t.name, (0, 0, names.index(t.name) if t.name in names else len(names), t))
            by_topic[t.name] = (max(w, weight), n + 1, rank, t)
        for _, _, _, topic in sorted(by_topic.values(), key=lambda v: (-v[0], v[2], v[3].name)):
            part = self._part(topic, open_keys)
            if part is not None:
                return self._prompt(number + 1, topic, part, True, open_keys)
        return None

    def _prompt(self, number: int, topic: Topic, part: Part, first: bool, open_keys: dict[str, int]) -> Prompt:
        if part.table:
            self._table = (number, topic.name, part.table)
        weights = [open_keys[k] for k in part.keys if k in open_keys]
        return Prompt(number, topic, part, first, max(weights) if weights else None, self.rules_for(part))

    def rules_for(self, part: Part) -> list[str]:
        """The rules at stake that this part's answer can decide, heaviest first."""
        snap = self.snapshot()
        templates = {template_of(k) for k in part.keys}
        rules: dict[str, None] = {}
        for template, (_, ids) in snap.needed.items():
            if template in templates or (part.kind == "list" and template.startswith(part.key + "[].")):
                rules.update(dict.fromkeys(ids))
        weight = self.assessor.builder.max_priority
        return sorted(rules, key=lambda rid: (-weight.get(rid, 0), rid))

    def _part(self, topic: Topic, open_keys: dict[str, int], table: Optional[tuple] = None) -> Optional[Part]:
        """The next part of a topic: what of it is open and worth asking, grouped as the topic asks it.

        A table's fields (`table`) are those of its question's first line, so that every line of one
        question answers the same fields.
        """
        keys = [k for k in open_keys if topic_of(k).name == topic.name]
        for k in ALWAYS:
            if topic_of(k).name == topic.name and k not in keys and self.instances(k) == [k]:
                keys.append(k)
        if not keys:
            return None
        keys.sort(key=lambda k: (order_of(k), k))
        if topic.name in LISTS:
            return Part("list", topic.name, [topic.name], list_question(topic.name), with_shares=topic.name == "funders")
        if _KEY.match(keys[0]):
            # A table: one line per partner or funder, the same fields for all of them in one question.
            subject = min((_KEY.match(k) for k in keys), key=lambda m: int(m.group(2)))
            subject = f"{subject.group(1)}[{subject.group(2)}]"
            if table is None:
                table = tuple(dict.fromkeys(template_of(k) for k in keys))
                if topic.name == "ratings":
                    table += ("partners[].ratings.raters",)  # how many people rated goes with the ratings
            fields = [subject + "." + t.split("[].", 1)[1] for t in table]
            fields += [k for k in keys if k.startswith(subject + ".") and k not in fields]  # needed since the table began
            return self._record(subject, [k for k in fields if not self.known(k) and not self.closed(k)], table)
        screen = self._screen(keys)
        if screen is not None:
            return value_part(screen)
        first = keys[0]
        spec = field_spec(template_of(first))
        if spec is not None and spec.kind == "bool":
            section = first.rsplit(".", 1)[0]
            same = [k for k in keys if k.rsplit(".", 1)[0] == section and field_spec(template_of(k)).kind == "bool"]
            if len(same) > 1:
                return checklist_part(section, same)
        return value_part(first)

    def _screen(self, keys: list[str]) -> Optional[str]:
        """A field to ask on its own before `keys`: a screening question for some of them, else the one
        whose answer can settle most of the others by the rules (at least two)."""
        for screen in sorted(SCREENS, key=order_of):
            if self.instances(screen) == [screen] and any(screened(k, screen) for k in keys):
                return screen
        best, most = None, 1
        for s in keys:
            settles = sum(1 for x in keys if x != s and s in self._screens.get(template_of(x), ()))
            if settles > most:
                best, most = s, settles
        return best

    def _record(self, subject: str, keys: list[str], table: tuple = ()) -> Part:
        list_name, index = subject.split("[")
        name = self.data[list_name][int(index.rstrip("]"))]["name"]
        keys = sorted(keys, key=lambda k: (order_of(k), k))
        bools = [k for k in keys if field_spec(template_of(k)).kind == "bool"]
        if len(keys) == 1 and len(table) == 1:
            part = value_part(keys[0])
            part.subject, part.table = name, table
            part.text = f"{name}: " + part.text[0].lower() + part.text[1:]
            return part
        items = bools if len(bools) > 1 else []
        ordered = [k for k in keys if k not in items] + items
        specs = [field_spec(template_of(k)) for k in ordered if k not in items]
        return Part("record", subject, ordered, f"{name}:", specs=specs, items=items, subject=name, table=table)

    # answering
    def answer(self, prompt: Prompt, text: str) -> dict[str, Any]:
        """Apply a typed answer to a part; AnswerError (and nothing changed) if it does not fit."""
        values, closed = prompt.part.parse(text)
        return self.apply(values, closed, prompt)

    def apply(self, values: dict[str, Any], closed=(), prompt: Optional[Prompt] = None, key: Optional[str] = None) -> dict[str, Any]:
        """Set several fields at once, validated together; AnswerError (nothing changed) if the model refuses."""
        from .answers import AnswerError

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
        number, topic, label = self._entry_of(prompt, key or next(iter(values), "") or next(iter(closed), ""))
        outcome = "answer" if values else "unknown"
        self.log.append(LogEntry(label, outcome, stored, previous, list(closed), number, topic))
        self._changed()
        return stored

    def _entry_of(self, prompt: Optional[Prompt], key: str) -> tuple[int, str, str]:
        if prompt is not None:
            return prompt.number, prompt.topic.name, prompt.part.key
        number = max((e.question for e in self.log), default=0) + 1
        return number, topic_of(key).name, key

    def close(self, prompt: Prompt, skipped: bool = False) -> None:
        """Record 'unknown' (or 'skip') for a part's fields so they are not asked again."""
        part = prompt.part
        if part.keys == ["name"] and not skipped:
            # The fact file needs a name; an unknown one gets a plain label.
            self.apply({"name": UNNAMED}, (), prompt)
            return
        target = self.skipped if skipped else self.unknown
        target.extend(k for k in part.keys if k not in target)
        self.log.append(LogEntry(part.key, "skip" if skipped else "unknown", closed=list(part.keys),
                                 question=prompt.number, topic=prompt.topic.name))
        self._changed()

    def pass_topic(self, prompt: Prompt) -> list[str]:
        """Leave the rest of a question's topic unknown: every field it would still ask; the fields closed."""
        closed: list[str] = []
        table = prompt.part.table or None
        part: Optional[Part] = prompt.part
        while part is not None:
            new = [k for k in part.keys if k not in self.unknown]
            if not new:
                break
            self.unknown.extend(new)
            closed += new
            self._changed()
            part = self._part(prompt.topic, self.open_keys(), table)
        self.log.append(LogEntry(prompt.topic.name, "unknown", closed=closed, question=prompt.number,
                                 topic=prompt.topic.name))
        self._changed()
        return closed

    def undo(self) -> Optional[LogEntry]:
        """Take back the last answer (or unknown, or skip); None when there is nothing to take back."""
        if not self.log:
            return None
        entry = self.log.pop()
        for k, previous in entry.previous.items():
            set_value(self.data, k, copy.deepcopy(previous))
            if k in LISTS and previous is None:
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
        self._closed = None

    def origin(self, key: str) -> str:
        """Whether a fact was answered in this session, closed as unknown or skipped, or came from the file."""
        if key in self.skipped:
            return "skipped"
        if key in self.unknown:
            return "answered unknown"
        if any(k == key or key.startswith((k + "[", k + ".")) for entry in self.log for k in entry.values):
            return "answered"
        return "from the fact file" if self.known(key) else "not asked"

    # the fact file
    def fact_document(self) -> dict:
        """The facts so far as a fact file's content (name first, the model's own order)."""
        data = dict(self.data)
        if not data.get("name"):
            data["name"] = UNNAMED
        return Partnership.model_validate(data).model_dump(mode="json", exclude_none=True)


def list_question(name: str) -> str:
    if name == "funders":
        return "Who funds the partnership, and what share of the budget does each provide?"
    return "Who are the partners?"


def value_part(key: str) -> Part:
    spec = field_spec(template_of(key))
    return Part("value", key, [key], spec.question, specs=[spec])


def checklist_part(section: str, keys: list[str]) -> Part:
    from ..facts.walker import field_at

    f = field_at(template_of(section))
    described = f is not None and f.question not in (section.rsplit(".", 1)[-1], short_label(section))
    text = f"{f.question} Which of these hold?" if described else f"{short_label(section).capitalize()}: which of these hold?"
    return Part("checklist", section, list(keys), text, items=list(keys))
