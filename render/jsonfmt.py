"""JSON output: the contract other tools build on (one object, or a list for several files)."""

from __future__ import annotations

import json


def render(assessments, single: bool = True, rulebase=None) -> str:
    data = [a.to_dict() for a in assessments]
    doc = data[0] if single and len(data) == 1 else data
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
