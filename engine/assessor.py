"""The Assessor: one rule base compiled into the engine, ready to assess partnerships; one per rule base.

Compiling a rule base registers a durable-rules ruleset, which lives until it is deleted. `Assessor.of`
keeps one Assessor per rule base for as long as the rule base lives (then frees its ruleset), so
calling the API again and again with the same rule base never builds a second engine.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, Sequence, Union

from ..facts.loader import validate_partnership
from ..facts.model import Partnership
from .assessment import Assessment, Builder, assess_partnerships
from .rulebase import RuleBase
from .runner import Engine, Ledger


_KEY = "_assessor"  # where a rule base keeps its Assessor (never pickled: see RuleBase.__getstate__)
_lock = threading.RLock()


class Assessor:
    """A compiled rule base ready to assess partnerships; get one with `Assessor.of(rulebase)`."""

    def __init__(self, rulebase: RuleBase):
        self.rulebase = rulebase
        self.engine = Engine(rulebase)
        self.builder = Builder(rulebase)

    @classmethod
    def of(cls, rulebase: RuleBase) -> "Assessor":
        """The one Assessor of `rulebase`, built at the first call; its engine is freed with the rule base."""
        with _lock:
            assessor = rulebase.__dict__.get(_KEY)
            if assessor is None:
                assessor = cls(rulebase)
                setattr(rulebase, _KEY, assessor)
                # The finalizer holds the ruleset only, never the rule base, so the rule base can die.
                weakref.finalize(rulebase, assessor.engine.ruleset.close)
            return assessor

    def ledgers(self, flats: Sequence[dict[str, Any]]) -> list[Ledger]:
        """What the engine fired for each set of flat facts, in order."""
        return self.engine.run(list(flats))

    def assess_many(self, partnerships: Sequence[Partnership], detail: bool = True) -> list[Assessment]:
        """Assess several partnerships; results in the same order. `detail=False`: findings and problems
        only, without evidence, gaps, top actions or concerns (what a portfolio summary shows)."""
        return assess_partnerships(self.engine, self.builder, list(partnerships), detail)

    def assess(self, partnership: Union[Partnership, dict[str, Any]]) -> Assessment:
        if not isinstance(partnership, Partnership):
            partnership = validate_partnership(partnership, "(partnership)")
        return self.assess_many([partnership])[0]
