"""Charts as inline SVG, drawn from data by a small element builder that escapes every text and attribute.

Each chart is an accessible image (role="img", a <title> and an aria-label that states the figures),
writes its figures as text beside the marks so colour is never the only signal, and sizes itself
from its viewBox. Charts return Markup: the builder has escaped everything that went into it.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Optional, Sequence, Union

from markupsafe import Markup, escape

from ..facts.vocabulary import SEVERITIES

SEVERITY_FILL = {"critical": "#8e1b1b", "high": "#c4471b", "medium": "#d99a16", "low": "#5b7fa6"}
NEUTRAL_FILL = "#4c6a88"
TRACK_FILL = "#e9ecef"
# A rating gap of two points or more is what the rules on perception gaps flag (PROC-09 and its kin).
PERCEPTION_GAP = 2
WIDTH = 640
# A presentation attribute, not a style attribute: the page's Content-Security-Policy forbids inline styles.
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"

Child = Union[str, Markup, None]


def el(tag: str, *children: Child, **attrs) -> Markup:
    """One SVG element: keyword `class_` becomes `class`, `font_size` becomes `font-size`; None is left out."""
    parts = [tag]
    for key, value in attrs.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        if isinstance(value, float):
            value = f"{value:.2f}".rstrip("0").rstrip(".")
        parts.append(f'{name}="{escape(value)}"')
    inner = Markup("").join(escape(c) for c in children if c is not None)
    if not inner and tag not in ("text", "title", "desc", "tspan"):
        return Markup(f"<{' '.join(parts)}/>")
    return Markup(f"<{' '.join(parts)}>") + inner + Markup(f"</{tag}>")


def svg(title: str, summary: str, width: float, height: float, *children: Child) -> Markup:
    """The outer element: an image named by its title, its figures stated in the aria-label."""
    return el(
        "svg",
        el("title", title),
        el("desc", summary),
        *children,
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {width:g} {height:g}",
        width=f"{width:g}",
        height=f"{height:g}",
        role="img",
        aria_label=f"{title}. {summary}",
        class_="chart",
        font_family=FONT_FAMILY,
    )


def shorten(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def percent(value: float) -> str:
    return f"{value:.0f}%" if float(value).is_integer() else f"{value:.1f}%"


def number(value: float) -> str:
    return f"{value:g}"


# --- one partnership ------------------------------------------------------------------------------


def findings_by_area(counts: Mapping[str, Mapping[str, int]], areas: Sequence[str]) -> Markup:
    """Horizontal bars, one per area, stacked by severity, with the total written at the end of each bar."""
    label_w, row_h, top, legend_h = 110, 26, 8, 30
    totals = {a: sum(counts.get(a, {}).values()) for a in areas}
    most = max(totals.values(), default=0) or 1
    bar_w = WIDTH - label_w - 60
    height = top + row_h * len(areas) + legend_h
    marks = []
    for i, area in enumerate(areas):
        y = top + i * row_h
        marks.append(el("text", area, x=label_w - 8, y=y + 17, text_anchor="end", font_size=13, fill="#222"))
        marks.append(el("rect", x=label_w, y=y + 4, width=bar_w, height=row_h - 8, fill=TRACK_FILL))
        x = float(label_w)
        for sev in SEVERITIES:
            n = counts.get(area, {}).get(sev, 0)
            if not n:
                continue
            w = bar_w * n / most
            marks.append(el("rect", el("title", f"{area}: {n} {sev}"), x=x, y=y + 4, width=w, height=row_h - 8,
                            fill=SEVERITY_FILL[sev], class_=f"sev-{sev}"))
            x += w
        marks.append(el("text", str(totals[area]), x=x + 6, y=y + 17, font_size=13, fill="#222", font_weight="bold"))
    marks.append(_severity_legend(label_w, top + row_h * len(areas) + 18))
    summary = "; ".join(
        f"{a}: {totals[a]}" + (" (" + ", ".join(f"{counts[a][s]} {s}" for s in SEVERITIES if counts.get(a, {}).get(s)) + ")" if totals[a] else "")
        for a in areas
    )
    return svg("Findings by area", summary, WIDTH, height, *marks)


def _severity_legend(x: float, y: float) -> Markup:
    items = []
    for sev in SEVERITIES:
        items.append(el("rect", x=x, y=y - 10, width=12, height=12, fill=SEVERITY_FILL[sev]))
        items.append(el("text", sev, x=x + 16, y=y, font_size=12, fill="#222"))
        x += 90
    return el("g", *items, class_="legend")


def funding_shares(funders: Sequence[tuple[str, Optional[float], Optional[str]]]) -> Markup:
    """One bar per funder on a 0-100% scale, largest first, with the share (or 'share unknown') written out.

    `funders` holds (name, share in percent or None, kind or None). Money that no funder accounts
    for is shown as its own bar when the known shares add up to less than 100%.
    """
    rows = [(name, share, kind, False) for name, share, kind in sorted(funders, key=lambda f: (f[1] is None, -(f[1] or 0)))]
    known = [f[1] for f in funders if f[1] is not None]
    rest = 100 - sum(known)
    if known and len(known) == len(funders) and rest > 0.5:
        rows.append(("not accounted for", rest, None, True))
    label_w, row_h, top = 240, 26, 8
    bar_w = WIDTH - label_w - 60
    height = top + row_h * len(rows) + 22
    marks = []
    for i, (name, share, kind, remainder) in enumerate(rows):
        y = top + i * row_h
        marks.append(el("g", el("title", name), el("text", shorten(name, 32), x=label_w - 8, y=y + 17, text_anchor="end", font_size=12, fill="#222")))
        marks.append(el("rect", x=label_w, y=y + 4, width=bar_w, height=row_h - 8, fill=TRACK_FILL))
        if share is None:
            marks.append(el("text", "share unknown", x=label_w + 6, y=y + 17, font_size=12, fill="#555", font_style="italic"))
            continue
        w = bar_w * share / 100
        fill = "#adb5bd" if remainder else NEUTRAL_FILL
        tip = f"{name}: {percent(share)}" + (f" ({kind.replace('_', ' ')})" if kind else "")
        marks.append(el("rect", el("title", tip), x=label_w, y=y + 4, width=w, height=row_h - 8, fill=fill))
        marks.append(el("text", percent(share), x=label_w + w + 6, y=y + 17, font_size=13, fill="#222", font_weight="bold"))
    axis_y = top + row_h * len(rows) + 14
    for tick in (0, 50, 100):
        marks.append(el("text", f"{tick}%", x=label_w + bar_w * tick / 100, y=axis_y, font_size=11, fill="#555", text_anchor="middle"))
    summary = "; ".join(f"{n}: {percent(s) if s is not None else 'share unknown'}" for n, s, _, _ in rows)
    return svg("Funding shares by funder", summary, WIDTH, height, *marks)


def partner_ratings(dimensions: Sequence[str], partners: Sequence[tuple[str, Mapping[str, Optional[float]]]]) -> Markup:
    """Per rating dimension, one bar per partner on the 1-5 scale; a gap of two points or more is named."""
    label_w, row_h, head_h, gap_h = 240, 20, 24, 10
    bar_w = WIDTH - label_w - 50
    marks, y, summary = [], 6.0, []
    for dim in dimensions:
        rated = [(name, r[dim]) for name, r in partners if r.get(dim) is not None]
        if not rated:
            continue
        words = dim.replace("_", " ")
        values = [v for _, v in rated]
        spread = max(values) - min(values)
        head = words
        if len(rated) > 1:
            head += f": gap of {number(spread)} point{'s' if spread != 1 else ''}"
            if spread >= PERCEPTION_GAP:
                head += " (perception gap)"
        marks.append(el("text", head, x=8, y=y + 16, font_size=13, font_weight="bold",
                        fill=SEVERITY_FILL["high"] if spread >= PERCEPTION_GAP else "#222"))
        y += head_h
        for name, value in rated:
            marks.append(el("g", el("title", name), el("text", shorten(name, 32), x=label_w - 8, y=y + 14, text_anchor="end", font_size=12, fill="#222")))
            marks.append(el("rect", x=label_w, y=y + 3, width=bar_w, height=row_h - 6, fill=TRACK_FILL))
            w = bar_w * (value - 1) / 4 if value > 1 else 2.0
            low = spread >= PERCEPTION_GAP and value == min(values)
            marks.append(el("rect", el("title", f"{name}, {words}: {number(value)} of 5"), x=label_w, y=y + 3, width=w,
                            height=row_h - 6, fill=SEVERITY_FILL["high"] if low else NEUTRAL_FILL))
            marks.append(el("text", f"{number(value)}", x=label_w + w + 6, y=y + 14, font_size=12, fill="#222", font_weight="bold"))
            y += row_h
        y += gap_h
        summary.append(f"{words}: " + ", ".join(f"{n} {number(v)}" for n, v in rated))
    for tick in (1, 3, 5):
        marks.append(el("text", str(tick), x=label_w + bar_w * (tick - 1) / 4, y=y + 4, font_size=11, fill="#555", text_anchor="middle"))
    height = y + 12
    return svg("Partners' own ratings (1 very poor to 5 very good)", "; ".join(summary), WIDTH, height, *marks)


# --- a portfolio ----------------------------------------------------------------------------------


def heat_map(rows: Sequence[str], columns: Sequence[tuple[str, str, int]], cells: Mapping[tuple[str, str], int]) -> Markup:
    """Rows (areas) by columns (key, label, partnerships in that column); each cell the share with a count.

    A cell is shaded by its share and always carries the share as text; an empty column shows a dash.
    """
    label_w, head_h, row_h = 110, 40, 30
    col_w = min(130.0, (WIDTH - label_w) / max(len(columns), 1))
    width = label_w + col_w * len(columns) + 4
    height = head_h + row_h * len(rows) + 6
    marks, summary = [], []
    for j, (_, label, of) in enumerate(columns):
        cx = label_w + col_w * j + col_w / 2
        marks.append(el("text", label, x=cx, y=16, text_anchor="middle", font_size=12, font_weight="bold", fill="#222"))
        marks.append(el("text", f"n = {of}", x=cx, y=32, text_anchor="middle", font_size=11, fill="#555"))
    for i, row in enumerate(rows):
        y = head_h + i * row_h
        marks.append(el("text", row, x=label_w - 8, y=y + 19, text_anchor="end", font_size=13, fill="#222"))
        parts = []
        for j, (key, label, of) in enumerate(columns):
            x = label_w + col_w * j
            n = cells.get((row, key), 0)
            share = 100.0 * n / of if of else None
            fill = "#f8f9fa" if share is None else _shade(share)
            tip = f"{row}, {label}: " + (f"{n} of {of} ({percent(round(share, 1))})" if share is not None else "no partnerships")
            marks.append(el("rect", el("title", tip), x=x + 1, y=y + 1, width=col_w - 2, height=row_h - 2, fill=fill, stroke="#fff"))
            text = "–" if share is None else percent(round(share))
            marks.append(el("text", text, x=x + col_w / 2, y=y + 19, text_anchor="middle", font_size=12,
                            fill="#fff" if share is not None and share >= 50 else "#222"))
            if share is not None:
                parts.append(f"{label} {percent(round(share))}")
        summary.append(f"{row}: " + (", ".join(parts) or "no partnerships"))
    return svg("Share of partnerships with a high or critical finding, by area and phase", "; ".join(summary), width, height, *marks)


def _shade(share: float) -> str:
    """From pale yellow (0%) to deep red (100%)."""
    a, b = (255, 243, 205), (142, 27, 27)
    t = max(0.0, min(1.0, share / 100))
    return "#%02x%02x%02x" % tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def severity_counts(counts: Mapping[str, int], labels: Iterable[str]) -> Markup:
    """Bars of how many partnerships have each worst severity (and none)."""
    labels = list(labels)
    label_w, row_h, top = 110, 26, 8
    most = max(counts.values(), default=0) or 1
    bar_w = WIDTH - label_w - 70
    marks = []
    for i, key in enumerate(labels):
        y = top + i * row_h
        n = counts.get(key, 0)
        marks.append(el("text", key, x=label_w - 8, y=y + 17, text_anchor="end", font_size=13, fill="#222"))
        w = bar_w * n / most
        marks.append(el("rect", el("title", f"{key}: {n}"), x=label_w, y=y + 4, width=max(w, 1.0), height=row_h - 8,
                        fill=SEVERITY_FILL.get(key, "#adb5bd")))
        marks.append(el("text", str(n), x=label_w + w + 6, y=y + 17, font_size=13, fill="#222", font_weight="bold"))
    summary = "; ".join(f"{k}: {counts.get(k, 0)}" for k in labels)
    return svg("Partnerships by their most severe finding", summary, WIDTH, top + row_h * len(labels) + 6, *marks)
