"""The one walk over the fact model: every field, with its template, kind, question, choices and bounds.

Everything that needs to know the model's shape asks here: the rule base's fact names
(facts/derive.py), the loader's hints for unknown keys and choices, the consult session's
questions and counts. A field inside a list of partners or funders has a template such as
`partners[].ratings.trust`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any, Iterator, Optional, Union, get_args, get_origin

from pydantic import BaseModel

from .model import Partnership, is_partial_date


def unwrap(annotation):
    """Strip Optional[...] and Annotated[...] to reach the underlying type."""
    while True:
        origin = get_origin(annotation)
        if origin is Union:
            annotation = [a for a in get_args(annotation) if a is not type(None)][0]
        elif origin is not None and getattr(annotation, "__metadata__", None) is not None:
            annotation = get_args(annotation)[0]
        else:
            return annotation


def bounds(info) -> tuple[Optional[float], Optional[float]]:
    """The (ge, le) limits of a numeric field, wherever pydantic keeps them."""
    lo = hi = None
    for meta in getattr(info, "metadata", []) or []:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    for arg in get_args(info.annotation):  # bounds may sit inside Optional[Annotated[...]]
        for meta in getattr(arg, "__metadata__", ()) or ():
            for m in getattr(meta, "metadata", [meta]):
                lo = getattr(m, "ge", lo)
                hi = getattr(m, "le", hi)
    return lo, hi


def _is_model(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, BaseModel)


def _is_enum(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, Enum)


@dataclass(frozen=True)
class ModelField:
    """One field of the fact model.

    kind: 'section' (a group of fields), 'items' (a list of partners or funders), 'choices' (a list of
    choices), 'texts' (a list of texts), or one value: 'bool', 'integer', 'number', 'choice', 'date', 'text'.
    """

    template: str
    kind: str
    question: str
    choices: tuple[str, ...] = ()
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    model: Optional[type[BaseModel]] = None  # the fields' model of a section or of each item
    in_list: bool = False

    @property
    def is_value(self) -> bool:
        """A field a person answers (not a group of others)."""
        return self.kind != "section"


def _field(template: str, info, in_list: bool) -> ModelField:
    base = unwrap(info.annotation)
    question = info.description or template.rsplit(".", 1)[-1]
    if get_origin(base) is list:
        item = unwrap(get_args(base)[0])
        if _is_model(item):
            return ModelField(template, "items", question, model=item, in_list=in_list)
        if _is_enum(item):
            return ModelField(template, "choices", question, tuple(m.value for m in item), in_list=in_list)
        return ModelField(template, "texts", question, in_list=in_list)
    if _is_model(base):
        return ModelField(template, "section", question, model=base, in_list=in_list)
    if _is_enum(base):
        return ModelField(template, "choice", question, tuple(m.value for m in base), in_list=in_list)
    if base is bool:
        return ModelField(template, "bool", question, in_list=in_list)
    if base in (int, float):
        lo, hi = bounds(info)
        return ModelField(template, "integer" if base is int else "number", question, minimum=lo, maximum=hi, in_list=in_list)
    if base is dt.date or is_partial_date(info.annotation):
        return ModelField(template, "date", question, in_list=in_list)
    return ModelField(template, "text", question, in_list=in_list)


def walk(model: type[BaseModel] = Partnership, prefix: str = "", in_list: bool = False) -> Iterator[ModelField]:
    """Every field of `model`, depth first in the model's order; a section's or list's fields follow it."""
    for name, info in model.model_fields.items():
        f = _field(prefix + name, info, in_list)
        yield f
        if f.kind == "section":
            yield from walk(f.model, f.template + ".", in_list)
        elif f.kind == "items":
            yield from walk(f.model, f.template + "[].", True)


@lru_cache(maxsize=None)
def fields() -> dict[str, ModelField]:
    """Every field of the partnership model by template."""
    return {f.template: f for f in walk()}


def field_at(template: str) -> Optional[ModelField]:
    return fields().get(template)


def template_of_loc(loc: tuple) -> str:
    """A validation error's location (('partners', 0, 'sector')) as a template ('partners[].sector')."""
    out = ""
    for key in loc:
        if isinstance(key, int):
            out += "[]"
        else:
            out += f".{key}" if out else str(key)
    return out


def model_at(loc: tuple) -> Optional[type[BaseModel]]:
    """The model that holds the last key of `loc`, for suggesting the keys it does have."""
    parent = template_of_loc(tuple(loc[:-1])).removesuffix("[]")
    if not parent:
        return Partnership
    f = field_at(parent)
    return f.model if f is not None else None


def answerable_count() -> int:
    """Fields a person answers, each list's item fields counted once (a questionnaire of every field)."""
    return sum(1 for f in fields().values() if f.is_value)


def questionnaire_length(data: dict) -> int:
    """How many questions a questionnaire asking every field would put to this partnership's data.

    A list of partners or funders is one question (their names), then each item's other fields.
    """
    total = 0
    for f in fields().values():
        if not f.is_value or f.in_list:
            continue
        total += 1
        if f.kind == "items":
            items = _value(data, f.template) or []
            per_item = sum(1 for g in fields().values() if g.is_value and g.template.startswith(f.template + "[]."))
            total += len(items) * (per_item - 1)  # the item's name comes with the list
    return total


def _value(data: dict, template: str) -> Any:
    node: Any = data
    for part in template.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node
