"""The runner that owns the durable-rules ruleset and its sessions, and drives them synchronously.

We call the engine's C layer directly rather than through `durable.lang`'s host: the host starts
background threads (which crashed with many sessions), swallows exceptions raised in actions, and
loses a batch's actions when one fact in it matches no rule. Here every action runs in the calling
thread, errors propagate, and each session's state is deleted when its partnerships are done.
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Optional

import durable_rules_engine as dre
import orjson

from .compiler import MARKER_FIELD, MARKER_RULE, Compiled, Target, compile_cached
from .rulebase import RuleBase

# Result codes of the C layer's assert calls.
_OK, _NOT_HANDLED, _OBSERVED = 0, 1, 2

_ruleset_names = itertools.count(1)
_lock = threading.Lock()


class EngineError(RuntimeError):
    """The inference engine failed; this is a bug or a broken rule base, never bad input."""


@dataclass
class Ledger:
    """What fired for one partnership: rule outcomes, alternatives that matched, derived values."""

    seen: bool = False
    fired: dict[tuple[str, bool], list[int]] = field(default_factory=dict)
    derived: dict[str, bool] = field(default_factory=dict)
    derived_by: dict[str, str] = field(default_factory=dict)

    def outcome(self, rule_id: str) -> Optional[bool]:
        if (rule_id, True) in self.fired:
            return True
        if (rule_id, False) in self.fired:
            return False
        return None


# A number in exponent form with no fraction ("1e-06", "2e+20", as Python and orjson write some
# floats): the engine's JSON reader takes only its leading digits as an integer and then corrupts
# memory on the rest (the process aborts). It reads "1.0e-06" right.
_BARE_EXPONENT = re.compile(r"(?<![0-9.])(-?[0-9]+)([eE][-+]?[0-9]+)")
_MAYBE_EXPONENT = re.compile(r"[0-9][eE]")  # cheap test of orjson's text: could a float be in exponent form?


def _number(value: float) -> str:
    return _BARE_EXPONENT.sub(r"\1.0\2", repr(value))


def _encode(obj: Any) -> str:
    if isinstance(obj, dict):
        return "{" + ",".join(f"{_encode(str(k))}:{_encode(v)}" for k, v in obj.items()) + "}"
    if isinstance(obj, (list, tuple)):
        return "[" + ",".join(_encode(v) for v in obj) + "]"
    if isinstance(obj, float):
        return _number(obj)
    return orjson.dumps(obj).decode()


def _dumps(obj: Any) -> str:
    """JSON for the engine. orjson writes it; where a float came out in exponent form (its text has
    a digit before an 'e'), the value is written again with every float in a form the engine reads."""
    text = orjson.dumps(obj).decode()
    return _encode(obj) if _MAYBE_EXPONENT.search(text) else text


class Ruleset:
    """A compiled ruleset in the C engine, by its handle; freed by `close` (it is never freed otherwise)."""

    def __init__(self, handle: int):
        self.handle: Optional[int] = handle

    def close(self) -> None:
        with _lock:
            if self.handle is not None:
                dre.delete_ruleset(self.handle)
                self.handle = None


class Engine:
    """One compiled ruleset in this process; `run` evaluates a batch of partnerships in one session."""

    def __init__(self, rb: RuleBase):
        self.rulebase = rb
        self.compiled: Compiled = compile_cached(rb)
        self.targets: dict[str, Target] = self.compiled.targets
        self.sections = self.compiled.sections()
        self._name = f"partnerwise_{next(_ruleset_names)}"
        self._sessions = itertools.count(1)
        self._facts = itertools.count(1)
        try:
            self.ruleset = Ruleset(dre.create_ruleset(self._name, _dumps(self.compiled.definition)))
        except Exception as e:  # the C layer raises plain exceptions for definitions it rejects
            raise EngineError(f"the engine rejected the compiled rule base: {e}") from None

    @property
    def _handle(self) -> Optional[int]:
        return self.ruleset.handle

    def close(self) -> None:
        self.ruleset.close()

    def _facts_of(self, sid: str, flat: dict[str, Any]) -> list[dict[str, Any]]:
        """The section facts of one partnership: the core fact always, the others when they hold a value.

        Every fact carries a unique key `k`: the engine refuses a fact identical to one it has seen.
        """
        facts = [{"sid": sid, MARKER_FIELD: 1, "k": next(self._facts)}]
        for section, keys in self.sections.items():
            fact = facts[0] if section == "core" else {"sid": sid}
            for name, key, known_flag in keys:
                value = flat.get(name)
                if value is not None and not isinstance(value, list):
                    fact[key] = value
                if known_flag is not None:
                    fact[known_flag] = value is not None
            if section != "core" and len(fact) > 1:
                fact["k"] = next(self._facts)
                facts.append(fact)
        return facts

    def _assert(self, fact: dict) -> None:
        code = dre.assert_fact(self._handle, _dumps(fact))[0]
        if code == _OBSERVED:
            raise EngineError(f"the engine took fact {fact.get('k')} for one it had seen before")

    def run(self, flats: list[dict[str, Any]]) -> list[Ledger]:
        """Evaluate partnerships (flat facts), each in a session of its own; one ledger each, in order."""
        with _lock:
            return [self._run_one(flat) for flat in flats]

    def _run_one(self, flat: dict[str, Any]) -> Ledger:
        sid = str(next(self._sessions))
        ledger = Ledger()
        try:
            for fact in self._facts_of(sid, flat):
                self._assert(fact)
            self._drain(sid, ledger)
            if not ledger.seen:
                raise EngineError("the engine lost the actions of a partnership")
        finally:
            dre.delete_state(self._handle, sid)
        return ledger

    def _drain(self, sid: str, ledger: Ledger) -> None:
        while True:
            started = dre.start_action(self._handle)
            if not started:
                return
            handle = started[2]
            message = orjson.loads(started[1])
            while message:
                for name in message:
                    self._act(sid, name, ledger)
                following = dre.complete_and_start_action(self._handle, handle)
                message = orjson.loads(following) if following else None

    def _act(self, sid: str, name: str, ledger: Ledger) -> None:
        if name == MARKER_RULE:
            ledger.seen = True
            return
        target = self.targets[name]
        rule = target.rule
        ledger.fired.setdefault((rule.id, target.outcome), []).append(target.alternative)
        ref = self.compiled.finding_refs.get(rule.id)
        if ref is not None and target.outcome is True and ref not in ledger.derived:
            # A finding that a diagnosis reads enters the engine as a fact of its own, once.
            ledger.derived[ref] = True
            ledger.derived_by[ref] = rule.id
            self._assert({"sid": sid, "n": ref, "v": True, "k": next(self._facts)})
        if rule.rule.type == "derive":
            derived = rule.rule.derives
            if derived not in ledger.derived:
                ledger.derived[derived] = target.outcome
                ledger.derived_by[derived] = rule.id
                fact = {"sid": sid, "n": derived, "v": target.outcome, "k": next(self._facts)}
                self._assert(fact)
