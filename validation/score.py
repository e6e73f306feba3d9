#!/usr/bin/env python3
"""How good is the advice? Scores partnerwise on real partnerships documented by evaluators.

For each `facts/NN.yaml` with an `expect/NN.yaml` in a validation folder, it assesses the facts and
compares the result with what the evaluators found:
- a documented problem is *found in the top five* when one of the first five findings cites one of
  the problem's inventory IDs, and *found* when any finding does (the same lenient match the
  development set's scorer uses; read the hits with --verbose);
- a *must-not* guard is breached when a finding carries one of its words and, where given, one of its
  IDs above the allowed severity; `kind: no_high` is breached by any high or critical finding,
  `kind: no_strength` (or `not_strength`) by a strength with one of the words;
- a healthy input is *alarmed* when it gets any high or critical finding;
- an evaluators' next-phase action is *covered* when a criterion for the next phase that is not yet
  met (unmet or unknown), or one of the first five findings, cites one of its IDs (as the
  development set's scorer counts it);
- the first five findings are *distinct* when each answers a different item of "what is wrong".

`--first-model` strips every fact the first fact model did not have, to show how the advice holds
on files written before the model grew; `--facts first-model` scores the files written afresh in
the first fact model for every case, from the same text as their `facts/` files. Exit 0 when
the floors hold (recall@5 at least 90%, no breach, no alarmed healthy input), 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import lru_cache
from pathlib import Path

import yaml

from partnerwise.api import default_assessor
from partnerwise.facts.loader import load_partnership, validate_partnership

HERE = Path(__file__).resolve().parent
RANK = {"none": -1, "low": 1, "medium": 2, "high": 3, "critical": 4}
TOP = 5
FIRST_MODEL = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "v1" / "first-model-fields.json"


def _text(f: dict) -> str:
    return f"{f.get('title', '')} {f.get('message', '')}".lower()


def _cites(f: dict, ids: set) -> bool:
    return bool(ids & set(f.get("sources", [])))


def breaches(guard: dict, result: dict) -> list[str]:
    """The findings (or strengths) that break one must-not guard, as 'RULE:severity'."""
    kind = guard.get("kind")
    words = [w.lower() for w in guard.get("words") or []]
    ids = set(guard.get("ids") or [])
    if kind == "no_high":
        bad = [f for f in result["findings"] if RANK[f["severity"]] >= RANK["high"]]
    elif kind in ("no_strength", "not_strength"):
        bad = [dict(s, severity="strength") for s in result["strengths"]
               if any(w in _text(s) for w in words) and (not ids or _cites(s, ids))]
    else:
        cap = RANK[str(guard.get("max_severity", "none"))]
        bad = [f for f in result["findings"]
               if any(w in _text(f) for w in words) and (not ids or _cites(f, ids)) and RANK[f["severity"]] > cap]
    return [f"{f['rule']}:{f['severity']}" for f in bad]


@lru_cache(maxsize=1)
def first_model_fields() -> dict:
    """The first fact model's fields, read once."""
    return json.loads(FIRST_MODEL.read_text(encoding="utf-8"))


def strip_to_first_model(data: dict, fields: dict) -> dict:
    """Only the keys the first fact model had, at every level."""
    out = {}
    for key, value in data.items():
        if key not in fields:
            continue
        sub = fields[key]
        if isinstance(sub, dict) and isinstance(value, dict):
            out[key] = strip_to_first_model(value, sub)
        elif isinstance(sub, dict) and isinstance(value, list):
            out[key] = [strip_to_first_model(v, sub) if isinstance(v, dict) else v for v in value]
        else:
            out[key] = value
    return out


def score_case(nn: str, folder: Path, first_model: bool, facts: str = "facts") -> dict:
    expect = yaml.safe_load((folder / "expect" / f"{nn}.yaml").read_text(encoding="utf-8"))
    path = folder / facts / f"{nn}.yaml"
    p = load_partnership(path)
    if first_model:
        p = validate_partnership(
            strip_to_first_model(p.model_dump(exclude_none=True, mode="json"), first_model_fields()), str(path)
        )
    result = default_assessor().assess(p).to_dict()
    findings = result["findings"]
    top = findings[:TOP]
    problems = []
    for prob in expect.get("problems") or []:
        ids = set(prob.get("ids") or [])
        rank = next((i + 1 for i, f in enumerate(findings) if _cites(f, ids)), None)
        # Stricter: one of the first five findings cites two of the problem's ids (one if it has one).
        need = min(2, len(ids))
        strict = any(len(ids & set(f.get("sources", []))) >= need for f in top)
        problems.append({"text": prob["text"], "severity": prob.get("severity"), "rank": rank, "strict": strict,
                         "by": [f["rule"] for f in findings if _cites(f, ids)][:4]})
    # The next-phase criteria still open, and the first five findings, are what the report asks to be done.
    criteria = (result.get("phase") or {}).get("criteria") or []
    asked = {i for c in criteria if c.get("met") is not True for i in c.get("sources", [])}
    asked |= {i for f in top for i in f.get("sources", [])}
    actions = [{"text": a["text"], "covered": bool(set(a.get("ids") or []) & asked)} for a in expect.get("actions") or []]
    guards = []
    for g in expect.get("must_not") or []:
        bad = breaches(g, result)
        if bad:
            guards.append({"text": g.get("text", ""), "by": bad[:6]})
    items = result["what_is_wrong"]["items"]
    lead_of = {}
    for n, item in enumerate(items):
        for fid in item["findings"]:
            lead_of[fid] = n
    # Only as many different problems as there are items can open the list.
    top = top[: min(TOP, len(items))] if items else top
    distinct = len({lead_of.get(f["rule"], f["rule"]) for f in top})
    severities: dict[str, int] = {}
    for f in findings:
        severities[f["severity"]] = severities.get(f["severity"], 0) + 1
    return {
        "input": nn, "name": expect.get("name", nn), "verdict": expect.get("verdict"), "kind": expect.get("kind"),
        "findings": len(findings), "severities": severities, "problems": problems, "breaches": guards,
        "actions": actions,
        "alarmed": expect.get("verdict") == "healthy" and any(RANK[f["severity"]] >= RANK["high"] for f in findings),
        "top": [f"{f['rule']}:{f['severity']}" for f in top], "distinct_top": distinct, "top_count": len(top),
        "phase_assumed": result["partnership"]["phase_assumed"],
    }


def totals(rows: list[dict]) -> dict:
    problems = [p for r in rows for p in r["problems"]]
    at_top = sum(1 for p in problems if p["rank"] is not None and p["rank"] <= TOP)
    anywhere = sum(1 for p in problems if p["rank"] is not None)
    healthy = [r for r in rows if r["verdict"] == "healthy"]
    return {
        "inputs": len(rows),
        "problems": len(problems),
        "found_top5": at_top,
        "found_anywhere": anywhere,
        "found_top5_strict": sum(1 for p in problems if p["strict"]),
        "actions": sum(len(r["actions"]) for r in rows),
        "actions_covered": sum(1 for r in rows for a in r["actions"] if a["covered"]),
        "recall_top5": at_top / len(problems) if problems else 0.0,
        "recall_anywhere": anywhere / len(problems) if problems else 0.0,
        "breaches": sum(len(r["breaches"]) for r in rows),
        "healthy": len(healthy),
        "healthy_alarmed": sum(1 for r in healthy if r["alarmed"]),
        "top5_not_distinct": sum(1 for r in rows if r["distinct_top"] < r["top_count"]),
        "findings_per_input": sum(r["findings"] for r in rows) / len(rows) if rows else 0.0,
    }


def holds(t: dict) -> bool:
    return t["recall_top5"] >= 0.9 and t["breaches"] == 0 and t["healthy_alarmed"] == 0


def _case_order(name: str) -> tuple:
    """Cases in number order (9, 10, 100), a letter after the number (13a, 13b) kept in place."""
    digits = len(name) - len(name.lstrip("0123456789"))
    return (int(name[:digits]) if digits else -1, name)


def score(folder: Path = HERE, first_model: bool = False, facts: str = "facts") -> tuple[list[dict], dict]:
    names = sorted(
        (p.stem for p in (folder / "expect").glob("*.yaml") if (folder / facts / f"{p.stem}.yaml").exists()),
        key=_case_order,
    )
    rows = [score_case(nn, folder, first_model, facts) for nn in names]
    return rows, totals(rows)


def report(rows: list[dict], t: dict, verbose: bool) -> str:
    lines = []
    for r in rows:
        n = len(r["problems"])
        k = sum(1 for p in r["problems"] if p["rank"] is not None and p["rank"] <= TOP)
        a = sum(1 for p in r["problems"] if p["rank"] is not None)
        flags = (" ALARMED" if r["alarmed"] else "") + (" phase assumed" if r["phase_assumed"] else "")
        lines.append(f"{r['input']:>4} {r['verdict']:<8} {r['kind'] or '':<20} top5 {k}/{n}  anywhere {a}/{n}  "
                     f"breaches {len(r['breaches'])}  findings {r['findings']:>2}{flags}")
        if verbose:
            lines.append(f"       first five: {' '.join(r['top'])}")
            for p in r["problems"]:
                mark = "+" if p["rank"] is not None and p["rank"] <= TOP else ("~" if p["rank"] else "-")
                lines.append(f"       {mark} [{p['severity']}] {p['text'][:78]} (rank {p['rank']}; {', '.join(p['by'])})")
            for b in r["breaches"]:
                lines.append(f"       ! {b['text'][:70]} <- {', '.join(b['by'])}")
            for a in r["actions"]:
                lines.append(f"       {'>' if a['covered'] else '.'} action: {a['text'][:78]}")
    lines.append(
        f"{t['inputs']} inputs: recall@5 {t['found_top5']}/{t['problems']} ({t['recall_top5']:.0%}), anywhere "
        f"{t['found_anywhere']}/{t['problems']} ({t['recall_anywhere']:.0%}), strictly among the first five "
        f"{t['found_top5_strict']}, must-not breaches {t['breaches']}, "
        f"healthy with a high finding {t['healthy_alarmed']}/{t['healthy']}, first five not distinct "
        f"{t['top5_not_distinct']}, findings {t['findings_per_input']:.1f} per input, next-phase actions "
        f"covered {t['actions_covered']}/{t['actions']}"
    )
    lines.append("floors " + ("hold" if holds(t) else "not met") + ": recall@5 >= 90%, no breach, no alarmed healthy input")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", type=Path, default=HERE, help="a folder with facts/ and expect/ (default: this one)")
    ap.add_argument("--first-model", action="store_true", help="keep only the facts the first fact model had")
    ap.add_argument("--facts", default="facts", metavar="FOLDER",
                    help="the folder of fact files to score, beside expect/ (default: facts; first-model holds files "
                         "written in the first fact model for every case)")
    ap.add_argument("--verbose", "-v", action="store_true", help="show the first five findings and each problem")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    a = ap.parse_args(argv)
    rows, t = score(a.dir, a.first_model, a.facts)
    if not rows:
        print(f"no scored inputs in {a.dir}", file=sys.stderr)
        return 2
    sys.stdout.write(report(rows, t, a.verbose))
    if a.json:
        a.json.write_text(json.dumps({"rows": rows, "totals": t}, indent=1), encoding="utf-8")
    return 0 if holds(t) else 1


if __name__ == "__main__":
    sys.exit(main())
