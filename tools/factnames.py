"""The generated list of fact names in rules/README.md, and the command that refreshes it.

Run `python -m partnerwise.tools.factnames` after changing the fact model or the derive rules;
a test fails while the list in the README is stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ..engine.rulebase import BUILTIN_DIR, load_rulebase
from ..facts.derive import FACTS

README = BUILTIN_DIR / "README.md"
START, END = "<!-- generated: fact names -->", "<!-- end generated -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def fact_names_markdown() -> str:
    rows = ["| fact | type | values | question |", "|---|---|---|---|"]
    for spec in FACTS.values():
        if spec.choices:
            values = ", ".join(spec.choices)
        elif spec.type == "number":
            lo = "" if spec.minimum is None else f"{spec.minimum:g}"
            hi = "" if spec.maximum is None else f"{spec.maximum:g}"
            values = f"{lo} to {hi}".strip() if (lo or hi) else "any number"
        elif spec.type == "bool":
            values = "true, false"
        elif spec.type == "names":
            values = "names (for messages only)"
        else:
            values = "text"
        kind = spec.type + (" (computed)" if spec.computed else "")
        rows.append(f"| `{spec.name}` | {kind} | {_cell(values)} | {_cell(spec.question)} |")
    rb = load_rulebase()
    derived = ["", "Derived facts (true or false; read them bare, e.g. `funder_dominance`):", ""]
    derived += ["| derived fact | derived by | meaning |", "|---|---|---|"]
    for name, r in sorted(rb.deriving.items()):
        derived.append(f"| `{name}` | `{r.id}` | {_cell(r.rule.title)} |")
    return "\n".join(rows + derived)


def refreshed(text: str) -> str:
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    return pattern.sub(lambda m: f"{START}\n{fact_names_markdown()}\n{END}", text)


def main(argv=None) -> int:
    path = Path(README)
    text = path.read_text(encoding="utf-8")
    new = refreshed(text)
    if new != text:
        path.write_text(new, encoding="utf-8")
        print(f"updated the fact names in {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
