"""Flattening a partnership into named facts, and the quantities computed from them.

This is the one place where aggregates (the largest funder's share, how many sectors are at the
table, gaps between partners' ratings) are computed. Every computed fact is unknown when the facts
it rests on are unknown, so that an absent answer is never read as "no".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Optional

from pydantic import BaseModel

from .model import PHASE_ORDER, Partnership, Partner
from .vocabulary import SECTORS
from .walker import walk

RATING_DIMENSIONS = ("trust", "fairness", "role_clarity", "communication")


@dataclass(frozen=True)
class FactSpec:
    """What the rule base may read: one named fact, its type and the question that asks it."""

    name: str
    type: str  # "bool", "number", "choice", "text", "names"
    question: str
    choices: tuple[str, ...] = ()
    computed: bool = False
    asks: tuple[str, ...] = ()  # for a computed fact: the input facts a person answers instead
    minimum: Optional[float] = None
    maximum: Optional[float] = None


# The fact model's kinds of value as the rule base reads them (lists are read through computed facts).
_FACT_TYPE = {"bool": "bool", "integer": "number", "number": "number", "choice": "choice", "date": "text", "text": "text"}


def _input_specs() -> list[FactSpec]:
    return [
        FactSpec(f.template, _FACT_TYPE[f.kind], f.question, f.choices, minimum=f.minimum, maximum=f.maximum)
        for f in walk()
        if not f.in_list and f.kind in _FACT_TYPE
    ]


def _partner_question(fieldname: str) -> str:
    q = Partner.model_fields[fieldname].description or fieldname
    return "For each partner: " + q[0].lower() + q[1:]


_COMPUTED: list[FactSpec] = [
    FactSpec("phase_index", "number", "Which phase is the partnership in?", computed=True, asks=("phase",), minimum=1, maximum=4),
    FactSpec("partners.count", "number", "Who are the partners?", computed=True, asks=("partners",), minimum=0),
    FactSpec(
        "partners.sector_count", "number", "Which sector does each partner come from?",
        computed=True, asks=("partners[].sector",), minimum=0,
    ),
    FactSpec(
        "partners.core_group_count", "number", "Which partners form the core group?",
        computed=True, asks=("partners[].core_group",), minimum=0,
    ),
    FactSpec("partners.names", "names", "Who are the partners?", computed=True, asks=("partners",)),
]
for _sector in SECTORS:
    _COMPUTED.append(
        FactSpec(
            f"partners.has_{_sector}", "bool", "Which sector does each partner come from?",
            computed=True, asks=("partners[].sector",),
        )
    )

# Per-partner flags, summarised: all_<flag> is true when every partner says yes, false when any says
# no; <flag>_missing lists the partners that say no.
PARTNER_FLAGS = {
    "role_defined": ("all_roles_defined", "without_defined_role"),
    "management_support": ("all_management_support", "without_management_support"),
    "capacity_matches_role": ("all_capacity_matches_role", "overstretched"),
    "role_fits_competence": ("all_roles_fit_competence", "roles_misfit"),
}
for _flag, (_all, _names) in PARTNER_FLAGS.items():
    _COMPUTED.append(
        FactSpec(f"partners.{_all}", "bool", _partner_question(_flag), computed=True, asks=(f"partners[].{_flag}",))
    )
    _COMPUTED.append(
        FactSpec(f"partners.{_names}", "names", _partner_question(_flag), computed=True, asks=(f"partners[].{_flag}",))
    )
_COMPUTED += [
    FactSpec(
        "partners.any_low_commitment", "bool", _partner_question("commitment"),
        computed=True, asks=("partners[].commitment",),
    ),
    FactSpec(
        "partners.low_commitment", "names", _partner_question("commitment"),
        computed=True, asks=("partners[].commitment",),
    ),
    FactSpec(
        "partners.affected_represented", "bool", _partner_question("directly_affected"),
        computed=True, asks=("partners[].directly_affected",),
    ),
    FactSpec(
        "partners.all_contribute", "bool", "For each partner: what does it contribute?",
        computed=True, asks=("partners[].contributions",),
    ),
    FactSpec(
        "partners.contributing_nothing", "names", "For each partner: what does it contribute?",
        computed=True, asks=("partners[].contributions",),
    ),
    FactSpec("funding.funder_count", "number", "Who funds the partnership?", computed=True, asks=("funders",), minimum=0),
    FactSpec(
        "funding.largest_share", "number", "What share of the budget does each funder provide?",
        computed=True, asks=("funders[].share",), minimum=0, maximum=100,
    ),
    FactSpec(
        "funding.largest_funder", "text", "What share of the budget does each funder provide?",
        computed=True, asks=("funders[].share",),
    ),
    FactSpec(
        "funding.largest_funder_transparent", "bool",
        "For the largest funder: were its expectations made transparent to all partners from the outset?",
        computed=True, asks=("funders[].share", "funders[].expectations_transparent"),
    ),
    FactSpec(
        "funding.total_share", "number", "What share of the budget does each funder provide?",
        computed=True, asks=("funders[].share",), minimum=0, maximum=100,
    ),
    FactSpec(
        "funding.kind_count", "number", "What kind of money does each funder provide?",
        computed=True, asks=("funders[].kind",), minimum=0,
    ),
    FactSpec(
        "funding.has_private", "bool", "What kind of money does each funder provide?",
        computed=True, asks=("funders[].kind",),
    ),
    FactSpec(
        "funding.private_sector_mobilised", "bool",
        "Does any business partner or private investor put money, staff, technology or goods into the partnership?",
        computed=True, asks=("funders[].kind", "partners[].contributions"),
    ),
    FactSpec(
        "funding.all_expectations_transparent", "bool",
        "For each funder: were its expectations made transparent to all partners from the outset?",
        computed=True, asks=("funders[].expectations_transparent",),
    ),
    FactSpec(
        "funding.opaque_expectations", "names",
        "For each funder: were its expectations made transparent to all partners from the outset?",
        computed=True, asks=("funders[].expectations_transparent",),
    ),
]
for _dim in RATING_DIMENSIONS:
    _q = f"For each partner: how does it rate {_dim.replace('_', ' ')} in the partnership (1 to 5)?"
    _asks = (f"partners[].ratings.{_dim}",)
    _COMPUTED += [
        FactSpec(f"ratings.{_dim}_gap", "number", _q, computed=True, asks=_asks, minimum=0, maximum=4),
        FactSpec(f"ratings.{_dim}_min", "number", _q, computed=True, asks=_asks, minimum=1, maximum=5),
        FactSpec(f"ratings.{_dim}_lowest", "text", _q, computed=True, asks=_asks),
        FactSpec(f"ratings.{_dim}_highest", "text", _q, computed=True, asks=_asks),
    ]
_COMPUTED += [
    FactSpec(
        "ratings.largest_gap", "number", "For each partner: how does it rate the partnership (1 to 5)?",
        computed=True, asks=tuple(f"partners[].ratings.{d}" for d in RATING_DIMENSIONS), minimum=0, maximum=4,
    ),
    FactSpec(
        "ratings.largest_gap_dimension", "text", "For each partner: how does it rate the partnership (1 to 5)?",
        computed=True, asks=tuple(f"partners[].ratings.{d}" for d in RATING_DIMENSIONS),
    ),
]


def _build_catalogue() -> dict[str, FactSpec]:
    catalogue = {s.name: s for s in _input_specs()}
    for spec in _COMPUTED:
        catalogue[spec.name] = spec
    return dict(sorted(catalogue.items()))


FACTS: dict[str, FactSpec] = _build_catalogue()


# --- computing the flat facts -------------------------------------------------------------------


def _flatten(model: BaseModel, prefix: str, out: dict[str, Any]) -> None:
    for name in type(model).model_fields:
        value = getattr(model, name)
        if value is None:
            continue
        path = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            _flatten(value, path + ".", out)
        elif isinstance(value, list):
            continue
        elif isinstance(value, Enum):
            out[path] = value.value
        elif isinstance(value, (bool, int, float, str)):
            out[path] = value
        else:  # dates
            out[path] = value.isoformat()


def _tri_all(values: list[Optional[bool]]) -> Optional[bool]:
    """True when every value is true, false when any is false, unknown otherwise."""
    if any(v is False for v in values):
        return False
    if all(v is True for v in values):
        return True
    return None


def _tri_any(values: list[Optional[bool]]) -> Optional[bool]:
    """True when any value is true, false when every value is false, unknown otherwise."""
    if any(v is True for v in values):
        return True
    if all(v is False for v in values):
        return False
    return None


def _set(out: dict[str, Any], name: str, value: Any) -> None:
    if value is not None:
        out[name] = value


def _partners(p: Partnership, out: dict[str, Any]) -> None:
    partners = p.partners
    if partners is None:
        return
    out["partners.count"] = len(partners)
    out["partners.names"] = [x.name for x in partners]
    sectors = [x.sector for x in partners]
    known = {s for s in sectors if s is not None}
    if all(s is not None for s in sectors):
        out["partners.sector_count"] = len(known)
    for sector in SECTORS:
        _set(out, f"partners.has_{sector}", _tri_any([None if s is None else s == sector for s in sectors]))
    core = [x.core_group for x in partners]
    if all(c is not None for c in core):
        out["partners.core_group_count"] = sum(1 for c in core if c)
    for flag, (all_name, names_name) in PARTNER_FLAGS.items():
        values = [getattr(x, flag) for x in partners]
        _set(out, f"partners.{all_name}", _tri_all(values))
        out[f"partners.{names_name}"] = [x.name for x in partners if getattr(x, flag) is False]
    commitment = [None if x.commitment is None else x.commitment == "low" for x in partners]
    _set(out, "partners.any_low_commitment", _tri_any(commitment))
    out["partners.low_commitment"] = [x.name for x in partners if x.commitment == "low"]
    _set(out, "partners.affected_represented", _tri_any([x.directly_affected for x in partners]))
    contributes = [None if x.contributions is None else bool(x.contributions) for x in partners]
    _set(out, "partners.all_contribute", _tri_all(contributes))
    out["partners.contributing_nothing"] = [x.name for x in partners if x.contributions == []]
    _ratings(partners, out)


def _ratings(partners: list[Partner], out: dict[str, Any]) -> None:
    best_gap = None
    for dim in RATING_DIMENSIONS:
        rated = [(getattr(x.ratings, dim), x.name) for x in partners if x.ratings and getattr(x.ratings, dim) is not None]
        if len(rated) < 2:
            continue
        # Ties resolve by partner order in the file, so the output is stable.
        low = min(rated, key=lambda r: r[0])
        high = max(rated, key=lambda r: r[0])
        gap = high[0] - low[0]
        out[f"ratings.{dim}_gap"] = gap
        out[f"ratings.{dim}_min"] = low[0]
        out[f"ratings.{dim}_lowest"] = low[1]
        out[f"ratings.{dim}_highest"] = high[1]
        if best_gap is None or gap > best_gap:
            best_gap = gap
            out["ratings.largest_gap"] = gap
            out["ratings.largest_gap_dimension"] = dim.replace("_", " ")


def _funding(p: Partnership, out: dict[str, Any]) -> None:
    funders = p.funders
    if funders is None:
        return
    out["funding.funder_count"] = len(funders)
    shares = [f.share for f in funders]
    known = [(f.share, f.name) for f in funders if f.share is not None]
    if funders and len(known) == len(funders):
        out["funding.total_share"] = sum(s for s, _ in known)
    if known:
        top_share, top_name = max(known, key=lambda r: r[0])
        unaccounted = 100 - sum(s for s, _ in known)
        # An unknown share could still be the largest unless the known largest already exceeds
        # whatever is left over.
        if len(known) == len(shares) or top_share >= unaccounted:
            out["funding.largest_share"] = top_share
            out["funding.largest_funder"] = top_name
            top = next(f for f in funders if f.name == top_name)
            _set(out, "funding.largest_funder_transparent", top.expectations_transparent)
    kinds = [f.kind for f in funders]
    known_kinds = {k for k in kinds if k is not None}
    if all(k is not None for k in kinds):
        out["funding.kind_count"] = len(known_kinds)
    _set(out, "funding.has_private", _tri_any([None if k is None else k == "private_investment" for k in kinds]))
    _set(out, "funding.all_expectations_transparent", _tri_all([f.expectations_transparent for f in funders]))
    out["funding.opaque_expectations"] = [f.name for f in funders if f.expectations_transparent is False]


def _private_sector(p: Partnership, out: dict[str, Any]) -> None:
    resource_kinds = {"funding", "staff", "technology", "in_kind"}
    evidence: list[Optional[bool]] = []
    if p.funders is not None:
        evidence += [None if f.kind is None else f.kind == "private_investment" for f in p.funders]
    else:
        evidence.append(None)
    if p.partners is not None:
        for x in p.partners:
            if x.sector is None:
                evidence.append(None)
            elif x.sector == "business":
                evidence.append(None if x.contributions is None else bool(resource_kinds & set(x.contributions)))
    else:
        evidence.append(None)
    _set(out, "funding.private_sector_mobilised", _tri_any(evidence))


_STEPS: list[Callable[[Partnership, dict[str, Any]], None]] = [_partners, _funding, _private_sector]


def flatten(p: Partnership) -> dict[str, Any]:
    """All known facts of a partnership by name, computed ones included; unknown ones are absent."""
    out: dict[str, Any] = {}
    _flatten(p, "", out)
    if p.phase is not None:
        out["phase_index"] = PHASE_ORDER.index(p.phase) + 1
    for step in _STEPS:
        step(p, out)
    return out


__all__ = ["FACTS", "FactSpec", "flatten", "RATING_DIMENSIONS"]
