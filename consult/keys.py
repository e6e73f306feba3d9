"""Addressing one value in a partnership's data: `partners[2].sector`, and its template `partners[].sector`."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Union

_KEY = re.compile(r"^([a-z_]+)\[(\d+)\]\.(.+)$")


@lru_cache(maxsize=4096)
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


@lru_cache(maxsize=4096)
def _split(key: str) -> tuple[Union[str, int], ...]:
    out: list[Union[str, int]] = []
    for part in key.split("."):
        m = re.fullmatch(r"([A-Za-z_]+)\[(\d+)\]", part)
        if m:
            out += [m.group(1), int(m.group(2))]
        else:
            out.append(part)
    return tuple(out)
