"""HTML output: one self-contained page (no network, works without JavaScript, prints) per report.

The page is built by Jinja2 templates with autoescaping on, from plain view data made here; every
value that came from a fact file reaches the page escaped. Charts are inline SVG from `charts`.
A Content-Security-Policy in the page allows only its own inline style and script (by hash), so
a browser refuses any request to the network even if a future template asked for one.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Optional

import jinja2
from markupsafe import Markup

from ..facts.derive import RATING_DIMENSIONS
from ..audit.results import AuditSummary, MostUrgent
from ..facts.model import PHASE_ORDER
from ..facts.vocabulary import FACTOR_AREAS, SEVERITIES
from . import charts
from .answer import (
    CONCERNS, DETAILS, WHAT_IS_WRONG, WHAT_TO_DO, Problem, answer, gathered_ids, gathering, more_line, numbers, phase_note,
    kind_note, no_findings_line, problems, works_on,
)
from .text import MET_LABEL, clean, phase_words, readiness, value_text

TEMPLATES = Path(__file__).resolve().parent / "templates"
AREAS = list(FACTOR_AREAS)  # rules about skipped phase steps (PHASE_AREA) are shown only when something is found
SEVERITY_WORD = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}
URGENT = ("critical", "high")
GAPS_SHOWN = 10
MAX_SECTIONS = 200  # partnerships an audit page describes one by one; the rest are in json, jsonl, csv


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["phase"] = phase_words
    env.filters["words"] = lambda v: "unknown" if v is None else str(v).replace("_", " ")
    env.globals.update(SEVERITY_WORD=SEVERITY_WORD, MET_LABEL=MET_LABEL, readiness=readiness,
                       WHAT_IS_WRONG=WHAT_IS_WRONG, WHAT_TO_DO=WHAT_TO_DO, CONCERNS=CONCERNS, DETAILS=DETAILS)
    return env


@lru_cache(maxsize=1)
def assets() -> dict[str, Any]:
    """The page's own style and script, and a Content-Security-Policy that allows exactly those two."""
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    js = (TEMPLATES / "report.js").read_text(encoding="utf-8")

    def digest(text: str) -> str:
        return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")

    csp = (
        "default-src 'none'; "
        f"style-src '{digest(css)}'; script-src '{digest(js)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    # Our own static files, not data: marking them safe keeps `>` in CSS selectors and JS intact.
    return {"css": Markup(css), "js": Markup(js), "csp": csp}


# --- sources --------------------------------------------------------------------------------------


def catalogue(rulebase=None) -> Optional[tuple[dict, dict]]:
    """The sources catalogue (items, documents) of `rulebase`, else the built-in one, else None."""
    if rulebase is not None:
        return rulebase.sources, rulebase.documents
    try:
        from ..engine.rulebase import BUILTIN_DIR, load_sources

        return load_sources(BUILTIN_DIR / "sources.yaml")
    except Exception:  # the report still names every source by its id
        return None


def source_items(ids: Iterable[str], known) -> list[dict]:
    """Each source id with its title and document from the catalogue `known`, where it has them."""
    out = []
    for sid in ids:
        item = {"id": sid, "title": None, "document": None}
        if known is not None:
            sources, documents = known
            s = sources.get(sid)
            if s is not None:
                item["title"] = s.title
                doc = documents.get(s.source) or {}
                item["document"] = doc.get("title") or s.source or None
        out.append(item)
    return out


# --- one partnership ------------------------------------------------------------------------------


def _evidence(items: list[dict]) -> list[dict]:
    out = []
    for item in items:
        if "fact" in item:
            out.append({"kind": "fact", "name": item["fact"], "value": value_text(item["value"]), "rule": None,
                        "title": None, "because": []})
        elif "finding" in item:  # a diagnosis rests on findings as well as facts
            out.append({"kind": "finding", "name": item["finding"], "value": value_text(item["value"]), "rule": item["finding"],
                        "title": clean(item["title"]), "because": []})
        else:
            out.append({
                "kind": "derived",
                "name": item["derived"],
                "value": value_text(item["value"]),
                "rule": item["rule"],
                "title": clean(item["title"]),
                "because": _evidence(item.get("because", [])),
            })
    return out


def _area_counts(findings) -> tuple[list[str], dict[str, Counter]]:
    counts: dict[str, Counter] = {}
    for f in findings:
        counts.setdefault(f.area, Counter())[f.severity] += 1
    areas = list(AREAS) + [a for a in sorted(counts) if a not in AREAS]
    return areas, counts


def figures(a, draw: bool = True) -> list[dict]:
    """The charts of one assessment, each with its data as a table (for print, screen readers and Markdown).

    With draw=False the SVG is left out: the Markdown report shows the same figures as tables.
    """
    out = []
    areas, counts = _area_counts(a.findings)
    out.append({
        "key": "areas",
        "caption": "Findings by success-factor area, by severity",
        "svg": charts.findings_by_area(counts, areas) if draw else None,
        "headers": ["area", *SEVERITIES, "total"],
        "rows": [[area] + [counts.get(area, {}).get(s, 0) for s in SEVERITIES] + [sum(counts.get(area, {}).values())]
                 for area in areas],
    })
    p = getattr(a, "partnership", None)
    if p is not None and p.funders:
        funders = [(clean(f.name), f.share, f.kind) for f in p.funders]
        out.append({
            "key": "funding",
            "caption": "Share of the budget by funder",
            "svg": charts.funding_shares(funders) if draw else None,
            "headers": ["funder", "share", "kind"],
            "rows": [[n, charts.percent(s) if s is not None else "unknown", (k or "unknown").replace("_", " ")] for n, s, k in funders],
        })
    if p is not None and p.partners:
        rated = [
            (clean(x.name), {d: getattr(x.ratings, d) for d in RATING_DIMENSIONS})
            for x in p.partners
            if x.ratings is not None and any(getattr(x.ratings, d) is not None for d in RATING_DIMENSIONS)
        ]
        dims = [d for d in RATING_DIMENSIONS if any(r[d] is not None for _, r in rated)]
        if rated and dims:
            out.append({
                "key": "ratings",
                "caption": "How each partner rates the partnership (1 very poor to 5 very good)",
                "svg": charts.partner_ratings(dims, rated) if draw else None,
                "headers": ["partner"] + [d.replace("_", " ") for d in dims],
                "rows": [[n] + [charts.number(r[d]) if r[d] is not None else "–" for d in dims] for n, r in rated],
            })
    return out


def _anchor(text: str, taken: set) -> str:
    base = "p-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in text)[:80]
    anchor, n = base, 2
    while anchor in taken:
        anchor, n = f"{base}-{n}", n + 1
    taken.add(anchor)
    return anchor


def _because(items: list[dict]) -> str:
    """The evidence in one line, for print: each fact, finding or derived fact it rests on directly."""
    parts = []
    for item in items:
        if "fact" in item:
            parts.append(f"{item['fact']} = {value_text(item['value'])}")
        elif "finding" in item:
            found = item["value"] is True
            parts.append(f"{item['finding']} found" if found else f"{item['finding']} = {value_text(item['value'])}")
        else:
            parts.append(f"{item['derived']} = {value_text(item['value'])} ({item['rule']})")
    return "; ".join(parts)


def _result(r, sources, anchor: str, number: str) -> dict:
    """A finding or a diagnosis as the template shows it in full."""
    return {
        "number": number,
        "anchor": f"{anchor}-{r.rule}",
        "rule": r.rule,
        "title": clean(r.title),
        "severity": r.severity,
        "priority": r.priority,
        "area": getattr(r, "area", None),
        "kind": getattr(r, "kind", "diagnosis"),
        "message": clean(r.message),
        "rationale": clean(r.rationale),
        "actions": [clean(x) for x in r.actions],
        "evidence": _evidence(r.evidence),
        "because": clean(_because(r.evidence)),
        "sources": source_items(r.sources, sources),
    }


def _problem(p: Problem, sources, anchor: str) -> dict:
    return {
        "number": p.number,
        "anchor": f"{anchor}-{p.item.rule}",
        "rule": p.item.rule,
        "title": clean(p.item.title),
        "severity": p.item.severity,
        "gathers": gathered_ids(p),
        "gathering": gathering(p),
        "diagnosis": _result(p.diagnosis, sources, anchor, f"{p.number}.") if p.diagnosis is not None else None,
        "findings": [
            _result(f, sources, anchor, f"{p.number}.{j}" if p.diagnosis is not None else f"{p.number}.")
            for j, f in enumerate(p.findings, 1)
        ],
    }


def view(a, sources, anchor: str) -> dict:
    """What the template shows of one assessment: plain data, no markup."""
    ps = a.phase_status
    by_sev = Counter(f.severity for f in a.findings)
    found = problems(a)
    shown, more = answer(found)
    number = numbers(found)
    views = [_problem(p, sources, anchor) for p in found]  # the answer shows the first of these again
    return {
        "anchor": anchor,
        "id": clean(a.id),
        "name": clean(a.name),
        "phase": a.phase,
        "assumed": clean(phase_note(ps)).strip(),
        "kind_note": clean(kind_note(a)),
        "impact_area": a.area,
        "next": ps.next,
        "ready": ps.ready_for_next,
        "worst": a.worst_severity(),
        "by_severity": [(s, by_sev[s]) for s in SEVERITIES if by_sev[s]],
        "findings_total": len(a.findings),
        "answer": views[:len(shown)],
        "more": more,
        "more_line": more_line(more),
        "no_findings": clean(no_findings_line(a)),
        "problems_total": len(found),
        "top_actions": [
            {"action": clean(t.action), "works_on": works_on(t, number),
             "on": [{"title": clean(title), "anchor": f"{anchor}-{rule}"} for rule, title in zip(t.resolves, t.resolves_titles)]}
            for t in a.top_actions
        ],
        "problems": views,
        "concerns": [
            {"fact": clean(c.fact), "value": value_text(c.value), "note": clean(c.note) if c.note else None,
             "findings": [{"rule": r, "title": clean(t), "severity": sev} for r, t, sev in c.findings]}
            for c in a.possibilities
        ],
        "strengths": [
            {"rule": s.rule, "title": clean(s.title), "area": s.area, "message": clean(s.message),
             "sources": source_items(s.sources, sources)}
            for s in a.strengths
        ],
        "criteria": [{"id": c.id, "title": clean(c.title), "met": c.met} for c in ps.criteria],
        "next_actions": [clean(x) for x in ps.next_actions],
        "gaps": [{"fact": g.fact, "question": clean(g.question)} for g in a.gaps],
        "gaps_shown": GAPS_SHOWN,
        "figures": figures(a),
        "source": clean(a.source) if a.source else None,
    }


def render(assessments, rulebase=None, single: bool = True) -> str:
    """One page for one or more assessments; with several, a contents table leads to each."""
    assessments = list(assessments)
    known = catalogue(rulebase)
    taken: set = set()
    reports = [view(a, known, _anchor(a.id, taken)) for a in assessments]
    single = len(reports) == 1
    title = f"{reports[0]['name']}: partnership report" if single else f"Partnership reports ({len(reports)})"
    return environment().get_template("assessment.html.j2").render(
        title=title, reports=reports, single=single, level=1 if single else 2, **assets()
    )


# --- a portfolio audit ----------------------------------------------------------------------------


class PortfolioPage:
    """Collects what the audit page needs as results stream past: bounded by the rule base and MAX_SECTIONS."""

    def __init__(self, rulebase=None, sections: int = MAX_SECTIONS):
        self.rule_area = {r.id: r.rule.area for r in rulebase.rules} if rulebase is not None else {}
        self.sections = sections
        self.index = 0
        self.ranked = MostUrgent(sections)
        self.phase_total: Counter = Counter()
        self.hurting: Counter = Counter()  # (area, phase) -> partnerships with a high or critical finding there
        self.areas_seen: set = set()

    def add(self, brief) -> None:
        phase = brief.phase or "unknown"
        self.phase_total[phase] += 1
        areas = {self.rule_area.get(f.rule, "other") for f in brief.findings if f.severity in URGENT}
        for area in areas:
            self.hurting[(area, phase)] += 1
        self.areas_seen |= areas
        if brief.first_item is not None:
            self.ranked.add(brief, self.index)
        self.index += 1

    def heat_map(self) -> dict:
        rows = list(AREAS) + sorted(a for a in self.areas_seen if a not in AREAS)
        keys = [p for p in PHASE_ORDER if self.phase_total[p]] + (["unknown"] if self.phase_total["unknown"] else [])
        columns = [(k, phase_words(k), self.phase_total[k]) for k in keys]
        cells = {(area, k): self.hurting[(area, k)] for area in rows for k in keys}
        return {
            "svg": charts.heat_map(rows, columns, cells),
            "headers": ["area"] + [f"{label} (n = {n})" for _, label, n in columns],
            "rows": [[area] + [f"{cells[(area, k)]} ({charts.percent(round(100.0 * cells[(area, k)] / n))})" for k, _, n in columns]
                     for area in rows],
        }

    def render(self, summary: AuditSummary, errors: list) -> str:
        taken: set = set()
        ranked = []
        for rank, b in enumerate(self.ranked.best(), 1):
            first = b.first_item
            ranked.append({
                "rank": rank,
                "anchor": _anchor(b.id, taken),
                "id": clean(b.id),
                "name": clean(b.name),
                "phase": b.phase,
                "impact_area": b.area,
                "place": clean(f"{b.source} {b.location}".strip()),
                "urgency": b.urgency,
                "worst": b.worst,
                "by_severity": [b.item_counts[s] for s in SEVERITIES],
                "first": {"rule": first.rule, "title": clean(first.title)},
                "findings": [
                    {"rule": f.rule, "title": clean(f.title), "severity": f.severity, "message": clean(f.message)}
                    for f in b.findings
                ],
            })
        worst = summary.by_worst_severity
        return environment().get_template("portfolio.html.j2").render(
            title="Portfolio audit",
            s=summary,
            ranked=ranked,
            more=max(0, summary.with_findings - len(ranked)),
            worst_chart=charts.severity_counts(worst, list(worst)),
            heat=self.heat_map() if summary.assessed else None,
            common=[{**f, "title": clean(f["title"])} for f in summary.common_findings[:15]],
            groups=[
                {"title": "By phase", "kind": "phase", "rows": summary.by_phase},
                {"title": "By impact area", "kind": "impact_area", "rows": summary.by_impact_area},
            ],
            errors=[clean(str(p)) for p in errors],
            errors_total=summary.errors_total,
            **assets(),
        )
