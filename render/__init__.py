"""Renderers: each output format is a small module that only turns assessments into text."""

from __future__ import annotations

from typing import Callable

from . import html, jsonfmt, markdown, table

RENDERERS: dict[str, Callable] = {
    "table": table.render,
    "json": jsonfmt.render,
    "markdown": markdown.render,
    "html": html.render,
}


def get_renderer(fmt: str) -> Callable:
    """The renderer of `fmt`; every one is called as render(assessments, single=..., rulebase=...)."""
    try:
        return RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(RENDERERS)}") from None
