"""Renderers: each output format is a small module that only turns assessments into text.

Each format's module is imported when it is asked for: the HTML renderer brings Jinja2 with it,
which a table for the terminal does not need.
"""

from __future__ import annotations

import importlib
from typing import Callable

RENDERERS: dict[str, str] = {"table": "table", "json": "jsonfmt", "markdown": "markdown", "html": "html"}


def get_renderer(fmt: str) -> Callable:
    """The renderer of `fmt`; every one is called as render(assessments, single=..., rulebase=...)."""
    try:
        module = RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(RENDERERS)}") from None
    return importlib.import_module(f"{__name__}.{module}").render
