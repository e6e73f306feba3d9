"""The Python API: load a rule base, assess partnerships. The command line only wraps these."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence, Union

from .engine.assessment import Assessment, Builder, assess_partnerships
from .engine.rulebase import RuleBase
from .engine.rulebase import load_rulebase as _load_rulebase
from .engine.runner import Engine
from .facts.loader import load_partnership, validate_partnership  # noqa: F401  (part of the API)
from .facts.model import Partnership

PathLike = Union[str, Path]


class Assessor:
    """A compiled rule base ready to assess partnerships; build one and reuse it."""

    def __init__(self, rulebase: RuleBase):
        self.rulebase = rulebase
        self.engine = Engine(rulebase)
        self.builder = Builder(rulebase)

    def assess_many(self, partnerships: Sequence[Partnership]) -> list[Assessment]:
        """Assess several partnerships; results in the same order."""
        return assess_partnerships(self.engine, self.builder, list(partnerships))

    def assess(self, partnership: Union[Partnership, dict[str, Any]]) -> Assessment:
        if not isinstance(partnership, Partnership):
            partnership = validate_partnership(partnership, "(partnership)")
        return self.assess_many([partnership])[0]


def load_rulebase(rules: Iterable[PathLike] = (), weights: Optional[PathLike] = None) -> RuleBase:
    """The built-in rule base plus extra rule folders (same id replaces) and a weights file."""
    return _load_rulebase(extra_dirs=[Path(r) for r in rules], weights_path=Path(weights) if weights else None)


@lru_cache(maxsize=1)
def default_assessor() -> Assessor:
    return Assessor(load_rulebase())


def assessor(rules: Iterable[PathLike] = (), weights: Optional[PathLike] = None) -> Assessor:
    rules = list(rules)
    if not rules and not weights:
        return default_assessor()
    return Assessor(load_rulebase(rules, weights))


def assess(partnership: Union[Partnership, dict[str, Any]], rulebase: Optional[RuleBase] = None) -> Assessment:
    """Assess one partnership (a model or plain data) with the built-in or a given rule base."""
    a = default_assessor() if rulebase is None else Assessor(rulebase)
    return a.assess(partnership)


def assess_file(path: PathLike, rulebase: Optional[RuleBase] = None) -> Assessment:
    result = assess(load_partnership(path), rulebase)
    result.source = str(path)
    return result
