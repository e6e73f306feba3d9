"""Answers: what can be asked about each field of the fact model, and reading what a person typed.

Nothing here knows about the session; a question's field spec comes from the one walk over the
fact model (facts/walker.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from ..facts.model import parse_partial_date
from ..facts.walker import field_at

UNKNOWN_WORDS = {"unknown", "u", "don't know", "dont know"}
YES = {"yes", "y", "true", "t"}
NO = {"no", "n", "false", "f"}
LIST_QUESTIONS = {
    "partners": "Who are the partners?",
    "funders": "Who funds the partnership (their names; shares are asked separately)?",
}


class AnswerError(ValueError):
    """An answer that does not fit its question; the message is one short sentence."""


@dataclass(frozen=True)
class FieldSpec:
    """One answerable field of the fact model, by template (`partners[].sector`)."""

    template: str
    kind: str  # bool, number, integer, choice, choices, names, texts, text, date
    question: str
    choices: tuple[str, ...] = ()
    minimum: Optional[float] = None
    maximum: Optional[float] = None


def field_spec(template: str) -> Optional[FieldSpec]:
    """The type, allowed answers and question of a field template; None if the model has no such field."""
    f = field_at(template)
    if f is None or f.kind == "section":
        return None
    if f.kind == "items":
        return FieldSpec(template, "names", LIST_QUESTIONS.get(template, f.question))
    return FieldSpec(template, f.kind, f.question, f.choices, f.minimum, f.maximum)


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
        return split_names(raw)
    if kind == "date":
        try:
            return parse_partial_date(raw)
        except ValueError:
            raise AnswerError("Please give a date as YYYY, YYYY-MM or YYYY-MM-DD, or unknown.") from None
    if not raw:
        raise AnswerError("Please type an answer, or unknown.")
    return " ".join(raw.split())


def split_names(raw: str) -> list[str]:
    """Names typed separated by ';' (spaces tidied); none, nobody or '-' for an empty list."""
    if raw.lower() in ("none", "nobody", "-"):
        return []
    items = [" ".join(p.split()) for p in raw.split(";") if p.strip()]
    if not items:
        raise AnswerError("Please give the names separated by ';', or answer none or unknown.")
    return items


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
    if lo is not None and hi is not None and hi < 10_000:
        return f"{what} from {lo:g} to {hi:g}"
    if lo is not None:
        return f"{what} of at least {lo:g}"
    if hi is not None:
        return f"{what} of at most {hi:g}"
    return what
