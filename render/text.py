"""Making text that came from fact files safe to show, and shared wording for renderers."""

from __future__ import annotations

import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

SEVERITY_LABEL = {"critical": "CRITICAL", "high": "HIGH", "medium": "medium", "low": "low"}
MET_LABEL = {True: "met", False: "NOT MET", None: "unknown"}


def clean(value: Any) -> str:
    """Text with control characters (ANSI escapes among them) shown as visible codes, never obeyed."""
    text = "" if value is None else str(value)
    return _CONTROL.sub(lambda m: "\\x%02x" % ord(m.group()) if ord(m.group()) < 256 else "\\u%04x" % ord(m.group()), text)


def one_line(value: Any) -> str:
    """An error message safe for a terminal and kept to one line: control characters, newlines and
    tabs (which may come from a file's name or keys) shown as visible codes."""
    return clean(value).replace("\n", "\\n").replace("\t", "\\t")


def value_text(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(clean(v) for v in value) or "(none)"
    return clean(value)


def evidence_lines(evidence: list[dict], indent: str = "") -> list[str]:
    """The facts, findings and chain of derived facts behind a result, one line each, indented by depth."""
    out = []
    for item in evidence:
        if "fact" in item:
            out.append(f"{indent}{item['fact']} = {value_text(item['value'])}")
        elif "finding" in item:  # a diagnosis rests on findings as well as facts
            out.append(f"{indent}finding {item['finding']} = {value_text(item['value'])}  ({clean(item['title'])})")
        else:
            out.append(
                f"{indent}{item['derived']} = {value_text(item['value'])}"
                f"  (derived by {item['rule']}: {clean(item['title'])})"
            )
            out.extend(evidence_lines(item.get("because", []), indent + "  "))
    return out


def phase_words(phase: Any) -> str:
    return "unknown" if phase is None else str(phase).replace("_", " ")


def readiness(ready: Any) -> str:
    return {True: "ready", False: "not ready", None: "readiness unknown"}[ready]
