"""Flattening a partnership into named facts, and the quantities computed from them.

This is the one place where aggregates (the largest funder's share, how many sectors are at the
table, gaps between partners' ratings) are computed. Every computed fact is unknown when the facts
it rests on are unknown, so that an absent answer is never read as "no".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Optional

from pydantic import BaseModel

from .model import PHASE_ORDER, FundingKind, Partner, Partnership, Setback, years_of
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


def _computed(name: str, type_: str, question: str, asks: tuple, **more: Any) -> FactSpec:
    """A fact the rules read that is worked out from others (`asks`: what a person answers instead)."""
    return FactSpec(name, type_, question, computed=True, asks=asks, **more)


def _partner_question(fieldname: str) -> str:
    q = Partner.model_fields[fieldname].description or fieldname
    return "For each partner: " + q[0].lower() + q[1:]


_COMPUTED: list[FactSpec] = [
    _computed("phase_index", "number", "Which phase is the partnership in?", ("phase",), minimum=1, maximum=4),
    _computed("partners.count", "number", "Who are the partners?", ("partners",), minimum=0),
    _computed(
        "partners.sector_count", "number", "Which sector does each partner come from?", ("partners[].sector",),
        minimum=0,
    ),
    _computed(
        "partners.core_group_count", "number", "Which partners form the core group?", ("partners[].core_group",),
        minimum=0,
    ),
    _computed("partners.names", "names", "Who are the partners?", ("partners",)),
]
for _sector in SECTORS:
    _COMPUTED.append(
        _computed(
            f"partners.has_{_sector}", "bool", "Which sector does each partner come from?", ("partners[].sector",),
        )
    )

# Per-partner flags, summarised: all_<flag> is true when every partner says yes, false when any says
# no; <flag>_missing lists the partners that say no.
PARTNER_FLAGS = {
    "role_defined": ("all_roles_defined", "without_defined_role"),
    "management_support": ("all_management_support", "without_management_support"),
    "capacity_matches_role": ("all_capacity_matches_role", "overstretched"),
    "role_fits_competence": ("all_roles_fit_competence", "roles_misfit"),
    "obligations_met": ("all_obligations_met", "defaulting"),
    "in_decisions": ("all_in_decisions", "kept_out_of_decisions"),
}
# Flags asked only of partner organisations, not of the people served who take part through their voice
# (see _voice_only); whether a partner only voices them is read from these facts.
ORGANISATION_FLAGS = frozenset({"role_defined"})
_VOICE_ASKS = ("partners[].sector", "partners[].directly_affected", "partners[].core_group", "partners[].contributions")
for _flag, (_all, _names) in PARTNER_FLAGS.items():
    _asks = (f"partners[].{_flag}",) + (_VOICE_ASKS if _flag in ORGANISATION_FLAGS else ())
    _COMPUTED.append(_computed(f"partners.{_all}", "bool", _partner_question(_flag), _asks))
    _COMPUTED.append(_computed(f"partners.{_names}", "names", _partner_question(_flag), _asks))
_COMPUTED += [
    _computed("partners.any_low_commitment", "bool", _partner_question("commitment"), ("partners[].commitment",)),
    _computed("partners.low_commitment", "names", _partner_question("commitment"), ("partners[].commitment",)),
    _computed(
        "partners.affected_represented", "bool", _partner_question("directly_affected"),
        ("partners[].directly_affected",),
    ),
    _computed(
        "partners.all_contribute", "bool", "For each partner: what does it contribute?",
        ("partners[].contributions",),
    ),
    _computed(
        "partners.contributing_nothing", "names", "For each partner: what does it contribute?",
        ("partners[].contributions",),
    ),
    _computed(
        "partners.any_cost_exceeds_benefit", "bool",
        "For each partner: is the cost of taking part heavier than what it gains?",
        ("partners[].benefit", "partners[].cost_of_taking_part"),
    ),
    _computed(
        "partners.burdened", "names", "For each partner: is the cost of taking part heavier than what it gains?",
        ("partners[].benefit", "partners[].cost_of_taking_part"),
    ),
    _computed(
        "partners.business_contributes", "bool",
        "For each business partner: what does it contribute (money, staff, expertise, technology, data, networks, goods)?",
        ("partners[].sector", "partners[].contributions"),
    ),
    _computed("partners.any_leaving", "bool", _partner_question("status"), ("partners[].status",)),
    _computed("partners.leaving", "names", _partner_question("status"), ("partners[].status",)),
    _computed(
        "partnership_age", "number", "How many years has the partnership been running (from started to as_of)?",
        ("started", "as_of"), minimum=0,
    ),
    _computed(
        "exit.years_to_end", "number", "How many years are left until the planned end (from as_of to exit.end_date)?",
        ("exit.end_date", "as_of"),
    ),
    _computed("funding.funder_count", "number", "Who funds the partnership?", ("funders",), minimum=0),
    _computed(
        "funding.largest_share", "number", "What share of the budget does each funder provide?", ("funders[].share",),
        minimum=0, maximum=100,
    ),
    _computed(
        "funding.largest_funder", "text", "What share of the budget does each funder provide?", ("funders[].share",),
    ),
    _computed(
        "funding.largest_funder_kind", "choice", "For the largest funder: what kind of money does it provide?",
        ("funders[].share", "funders[].kind"), choices=tuple(k.value for k in FundingKind),
    ),
    _computed(
        "funding.largest_funder_transparent", "bool",
        "For the largest funder: were its expectations made transparent to all partners from the outset?",
        ("funders[].share", "funders[].expectations_transparent"),
    ),
    _computed(
        "funding.total_share", "number", "What share of the budget does each funder provide?", ("funders[].share",),
        minimum=0, maximum=100,
    ),
    _computed(
        "funding.kind_count", "number", "What kind of money does each funder provide?", ("funders[].kind",),
        minimum=0,
    ),
    _computed("funding.has_private", "bool", "What kind of money does each funder provide?", ("funders[].kind",)),
    _computed("funding.has_grant", "bool", "What kind of money does each funder provide?", ("funders[].kind",)),
    _computed(
        "funding.has_public_budget", "bool", "What kind of money does each funder provide (is any a public budget)?",
        ("funders[].kind",),
    ),
    _computed(
        "funding.private_sector_mobilised", "bool",
        "Does any business partner or private investor put money, staff, technology or goods into the partnership?",
        ("funders[].kind", "partners[].contributions"),
    ),
    _computed(
        "funding.all_expectations_transparent", "bool",
        "For each funder: were its expectations made transparent to all partners from the outset?",
        ("funders[].expectations_transparent",),
    ),
    _computed(
        "funding.opaque_expectations", "names",
        "For each funder: were its expectations made transparent to all partners from the outset?",
        ("funders[].expectations_transparent",),
    ),
    _computed(
        "funding.conditions_attached", "bool",
        "For each funder: does it tie its money to conditions the partners did not choose?",
        ("funders[].conditions_attached",),
    ),
    _computed(
        "funding.conditional_funders", "names",
        "For each funder: does it tie its money to conditions the partners did not choose?",
        ("funders[].conditions_attached",),
    ),
    _computed(
        "funding.years_to_next_end", "number",
        "For each funder: when does its commitment end (years from as_of to the next end still to come)?",
        ("funders[].ends", "as_of"),
    ),
    _computed("funding.grant_only", "bool", "What kind of money does each funder provide?", ("funders[].kind",)),
    _computed(
        "secretariat.hosted_by_partner", "bool",
        "Is the secretariat hosted by one of the partners (from secretariat.host_is_partner, or its host's name)?",
        ("secretariat.host_is_partner", "secretariat.hosted_by"),
    ),
    _computed(
        "governance.organisations_excluded", "bool",
        "Is a partner organisation, other than those that speak for the people served, kept out of decisions "
        "(each partner's part in decisions, or whether every partner has access to them)?",
        ("partners[].in_decisions", "partners[].sector", "partners[].directly_affected",
         "governance.all_partners_in_decisions"),
    ),
    _computed(
        "governance.affected_excluded", "bool",
        "Are the partners that speak for the people served kept out of decisions?",
        ("partners[].in_decisions", "partners[].sector", "partners[].directly_affected"),
    ),
    _computed(
        "secretariat.hosted_by_government", "bool",
        "Is the secretariat run by a government body that is one of the partners (its host's name and sector)?",
        ("secretariat.hosted_by", "secretariat.host_is_partner", "partners[].sector"),
    ),
    _computed(
        "government.leads", "bool",
        "Is this government's own programme: does government lead it (its kind), or, where the kind is not "
        "stated, sponsor it and either run its secretariat or make up its core group?",
        ("kind", "context.government_stance", "secretariat.hosted_by", "partners[].sector", "partners[].core_group"),
    ),
    _computed(
        "monitoring.results_shown", "bool",
        "Does an evaluation or an independent check show the work delivering its intended results?",
        ("monitoring.evidence_of_results", "monitoring.evaluation", "monitoring.independent_verification"),
    ),
    _computed(
        "government.leads_and_pays", "bool",
        "Does government lead or sponsor the work and pay for most of it from a public budget?",
        ("kind", "context.government_stance", "funders[].share", "funders[].kind"),
    ),
    _computed("risk.setback_names", "names", "What has gone wrong so far?", ("risk.setbacks",)),
    _computed("risk.setback_count", "number", "What has gone wrong so far?", ("risk.setbacks",), minimum=0),
]
for _setback in Setback:
    _COMPUTED.append(
        _computed(
            f"risk.had_{_setback.value}", "bool",
            f"Has this gone wrong so far: {_setback.value.replace('_', ' ')}?", ("risk.setbacks",),
        )
    )
for _dim in RATING_DIMENSIONS:
    _q = f"For each partner: how does it rate {_dim.replace('_', ' ')} in the partnership (1 to 5)?"
    _asks = (f"partners[].ratings.{_dim}",)
    _COMPUTED += [
        _computed(f"ratings.{_dim}_gap", "number", _q, _asks, minimum=0, maximum=4),
        _computed(f"ratings.{_dim}_min", "number", _q, _asks, minimum=1, maximum=5),
        _computed(f"ratings.{_dim}_mean", "number", _q, _asks, minimum=1, maximum=5),
        _computed(f"ratings.{_dim}_lowest", "text", _q, _asks),
        _computed(f"ratings.{_dim}_highest", "text", _q, _asks),
    ]
_q = "For each partner: how does it rate the partnership (1 to 5)?"
_asks = tuple(f"partners[].ratings.{d}" for d in RATING_DIMENSIONS)
_COMPUTED += [
    _computed("ratings.largest_gap", "number", _q, _asks, minimum=0, maximum=4),
    _computed("ratings.largest_gap_dimension", "text", _q, _asks),
    _computed("ratings.rated_partners", "number", _q, _asks, minimum=0),
    _computed("ratings.lowest_mean", "number", _q, _asks, minimum=1, maximum=5),
    _computed("ratings.lowest_mean_dimension", "text", _q, _asks),
]


def _build_catalogue() -> dict[str, FactSpec]:
    catalogue = {s.name: s for s in _input_specs()}
    for spec in _COMPUTED:
        catalogue[spec.name] = spec
    return dict(sorted(catalogue.items()))


FACTS: dict[str, FactSpec] = _build_catalogue()


def possible_value(name: str) -> Any:
    """A value the named input fact can take (for examples and generated test data)."""
    spec = FACTS[name]
    if spec.type == "choice":
        return spec.choices[0]
    if spec.type == "number":
        return spec.minimum if spec.minimum is not None else 0
    return False if spec.type == "bool" else "text"


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
    organisations = [x for x in partners if not _voice_only(x)]
    for flag, (all_name, names_name) in PARTNER_FLAGS.items():
        counted = organisations if flag in ORGANISATION_FLAGS else partners
        values = [getattr(x, flag) for x in counted]
        _set(out, f"partners.{all_name}", _tri_all(values))
        out[f"partners.{names_name}"] = [x.name for x in counted if getattr(x, flag) is False]
    commitment = [None if x.commitment is None else x.commitment == "low" for x in partners]
    _set(out, "partners.any_low_commitment", _tri_any(commitment))
    out["partners.low_commitment"] = [x.name for x in partners if x.commitment == "low"]
    _set(out, "partners.affected_represented", _tri_any([x.directly_affected for x in partners]))
    contributes = [None if x.contributions is None else bool(x.contributions) for x in partners]
    _set(out, "partners.all_contribute", _tri_all(contributes))
    out["partners.contributing_nothing"] = [x.name for x in partners if x.contributions == []]
    business = [x for x in partners if x.sector == "business"]
    if business:
        _set(out, "partners.business_contributes", _tri_any([None if x.contributions is None else bool(x.contributions) for x in business]))
    levels = {"low": 1, "medium": 2, "high": 3}
    burden = [
        None if x.cost_of_taking_part is None or x.benefit is None else levels[x.cost_of_taking_part] > levels[x.benefit]
        for x in partners
    ]
    _set(out, "partners.any_cost_exceeds_benefit", _tri_any(burden))
    out["partners.burdened"] = [x.name for x, b in zip(partners, burden) if b]
    leaving = [None if x.status is None else x.status in ("leaving", "left") for x in partners]
    _set(out, "partners.any_leaving", _tri_any(leaving))
    out["partners.leaving"] = [x.name for x, b in zip(partners, leaving) if b]
    _ratings(partners, out)


def _ratings(partners: list[Partner], out: dict[str, Any]) -> None:
    best_gap = None
    lowest_mean = None
    rated_partners = [x for x in partners if x.ratings and any(getattr(x.ratings, d) is not None for d in RATING_DIMENSIONS)]
    if rated_partners:
        out["ratings.rated_partners"] = len(rated_partners)
    for dim in RATING_DIMENSIONS:
        rated = [(getattr(x.ratings, dim), x.name) for x in partners if x.ratings and getattr(x.ratings, dim) is not None]
        if rated:
            mean = round(sum(r for r, _ in rated) / len(rated), 2)
            out[f"ratings.{dim}_mean"] = mean
            if lowest_mean is None or mean < lowest_mean:
                lowest_mean = mean
                out["ratings.lowest_mean"] = mean
                out["ratings.lowest_mean_dimension"] = dim.replace("_", " ")
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
            _set(out, "funding.largest_funder_kind", top.kind)
    kinds = [f.kind for f in funders]
    known_kinds = {k for k in kinds if k is not None}
    if all(k is not None for k in kinds):
        out["funding.kind_count"] = len(known_kinds)
    for name, kind in (("has_private", "private_investment"), ("has_grant", "grant"), ("has_public_budget", "public_budget")):
        _set(out, f"funding.{name}", _tri_any([None if k is None else k == kind for k in kinds]))
    if funders and all(k is not None for k in kinds):
        out["funding.grant_only"] = all(k == "grant" for k in kinds)
    _set(out, "funding.all_expectations_transparent", _tri_all([f.expectations_transparent for f in funders]))
    out["funding.opaque_expectations"] = [f.name for f in funders if f.expectations_transparent is False]
    _set(out, "funding.conditions_attached", _tri_any([f.conditions_attached for f in funders]))
    out["funding.conditional_funders"] = [f.name for f in funders if f.conditions_attached]
    if p.as_of is not None:
        # A commitment that has already ended is history: what weighs is the next end still to come.
        ahead = [years_of(f.ends) - years_of(p.as_of) for f in funders if f.ends is not None]
        ahead = [y for y in ahead if y >= 0]
        if ahead:
            out["funding.years_to_next_end"] = round(min(ahead), 1)


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


def _dates(p: Partnership, out: dict[str, Any]) -> None:
    """Durations between the dates of the file; the assessment date is as_of, never today's date."""
    if p.as_of is None:
        return
    now = years_of(p.as_of)
    if p.started is not None:
        out["partnership_age"] = max(0.0, round(now - years_of(p.started), 1))
    if p.exit is not None and p.exit.end_date is not None:
        out["exit.years_to_end"] = round(years_of(p.exit.end_date) - now, 1)


def _host(p: Partnership, out: dict[str, Any]) -> None:
    """Whether a partner hosts the secretariat: as stated, or when the host's name names a partner;
    and whether that partner is a government body."""
    s = p.secretariat
    if s is None:
        return
    hosts = [x for x in p.partners or [] if s.hosted_by and _names_same(s.hosted_by, x.name)]
    if s.host_is_partner is not None:
        out["secretariat.hosted_by_partner"] = s.host_is_partner
    elif hosts:
        out["secretariat.hosted_by_partner"] = True
    if s.host_is_partner is not False and hosts:
        sectors = [x.sector for x in hosts]
        if any(sector == "government" for sector in sectors):
            out["secretariat.hosted_by_government"] = True
        elif all(sector is not None for sector in sectors):
            out["secretariat.hosted_by_government"] = False


def _served(x: Partner) -> bool:
    """A partner that speaks for the people the partnership serves: a community, or one marked affected."""
    return x.sector == "community" or x.directly_affected is True


def _voice_only(x: Partner) -> bool:
    """The people served, listed as a partner outside the core group and bringing nothing known: they take
    part through their voice, not a role, so that they have no defined role is not a gap in the partners'
    roles (the findings on the affected and on access to decisions read their voice)."""
    return _served(x) and x.core_group is not True and not x.contributions


def _decisions(p: Partnership, out: dict[str, Any]) -> None:
    """Who takes part in decisions. Every partner has access when each is said to take part, and not
    when one is said not to, unless the file states it for the whole; an exclusion is then told apart
    by whom it leaves out: partner organisations, or those that speak for the people served
    (after _partners, which works out whether all partners take part)."""
    partners = p.partners or []
    stated = p.governance.all_partners_in_decisions if p.governance is not None else None
    if stated is None and "partners.all_in_decisions" in out:
        stated = out["governance.all_partners_in_decisions"] = out["partners.all_in_decisions"]
    organisations = [x.in_decisions for x in partners if not _served(x)]
    served = [x.in_decisions for x in partners if _served(x)]
    if served:
        _set(out, "governance.affected_excluded", _tri_any([None if v is None else not v for v in served]))
    if any(v is False for v in organisations):
        excluded: Optional[bool] = True
    elif organisations and all(v is True for v in organisations):
        excluded = False
    elif stated is False and any(v is False for v in served):
        excluded = None  # the exclusion stated may be only theirs
    else:
        excluded = None if stated is None else not stated
    _set(out, "governance.organisations_excluded", excluded)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.casefold())


def _run_in(words: list[str], text_words: list[str]) -> bool:
    n = len(words)
    return bool(n) and any(text_words[i:i + n] == words for i in range(len(text_words) - n + 1))


def _names_same(host: str, partner: str) -> bool:
    """A host named like a partner: the partner's name, or its acronym in brackets ('WHO'), among
    the host's words; or the host's name (two words or more, brackets aside) at the start of the
    partner's ('Federal Ministry of Health' for 'Federal Ministry of Health, National Programme')."""
    host_words = _words(host)
    names = [partner] + re.findall(r"\(([^)]+)\)", partner)
    for name in names:
        words = _words(re.sub(r"\([^)]*\)", " ", name)) if name == partner else _words(name)
        if _run_in(words, host_words):
            return True
    host_main = _words(re.sub(r"\([^)]*\)", " ", host))
    partner_words = _words(re.sub(r"\([^)]*\)", " ", partner))
    return len(host_main) >= 2 and partner_words[:len(host_main)] == host_main


def _results_shown(p: Partnership, out: dict[str, Any]) -> None:
    """Evidence of results that an evaluation or an independent check stands behind."""
    m = p.monitoring
    if m is None:
        return
    checked = _tri_any([m.evaluation, m.independent_verification])
    _set(out, "monitoring.results_shown", _tri_all([m.evidence_of_results, checked]))


def _government_leads(p: Partnership, out: dict[str, Any]) -> None:
    """Government runs the partnership as its own programme: the kind says so; where the kind is not
    stated, government sponsors the work and either one of its bodies runs the secretariat (after
    _host) or the partners named as the core group are all government bodies."""
    if p.kind is not None:
        out["government.leads"] = p.kind == "government_programme"
        return
    stance = p.context.government_stance if p.context is not None else None
    if stance != "sponsor":
        return
    core = [x.sector for x in p.partners or [] if x.core_group]
    if out.get("secretariat.hosted_by_government") or (core and all(s == "government" for s in core)):
        out["government.leads"] = True


def _government_pays(p: Partnership, out: dict[str, Any]) -> None:
    """Government's own programme: it leads (government.leads) or sponsors the work and a public budget
    pays most of it (after _funding, which works out the largest funder's kind, and _government_leads)."""
    stance = p.context.government_stance if p.context is not None else None
    leads = _tri_any([out.get("government.leads"), None if stance is None else stance == "sponsor"])
    kind = out.get("funding.largest_funder_kind")
    pays = None if kind is None else kind == "public_budget"
    _set(out, "government.leads_and_pays", _tri_all([leads, pays]))


def _setbacks(p: Partnership, out: dict[str, Any]) -> None:
    if p.risk is None or p.risk.setbacks is None:
        return
    happened = set(p.risk.setbacks)
    out["risk.setback_count"] = len(happened)
    out["risk.setback_names"] = [s.value.replace("_", " ") for s in Setback if s.value in happened]
    for setback in Setback:
        out[f"risk.had_{setback.value}"] = setback.value in happened


# In this order: each step may read what an earlier one computed.
_STEPS: list[Callable[[Partnership, dict[str, Any]], None]] = [
    _partners, _decisions, _funding, _private_sector, _dates, _host, _government_leads, _results_shown,
    _government_pays, _setbacks,
]


# What shows that a partnership has reached a phase: the work of that phase, or of a later one, in
# the sources' terms (P2030's four phases). Each entry: a fact, the value that shows it, and how
# the reason reads.
_PHASE_SIGNS: dict[str, list[tuple[str, Any, str]]] = {
    "further_development": [
        ("exit.continuation_agreed", True, "the partners have agreed what is needed to continue"),
        ("scaling.direction_from_evaluation", True, "the direction of further work was chosen from evaluation"),
        ("exit.criteria_status", "met", "the agreed exit criteria are met"),
    ],
    "implementation": [
        ("monitoring.evidence_of_results", True, "there is evidence of results"),
        ("monitoring.evidence_of_results", False, "results are being looked for and not found"),
        ("monitoring.results_chain_working", None, "monitoring shows how the results chain works"),
        ("oversight.contracted_services", True, "a partner delivers contracted services"),
        ("viability.revenue_covers_costs", None, "revenues are being compared with costs"),
        ("risk.setbacks", None, "setbacks of the joint work are reported"),
        ("secretariat.exists", True, "a secretariat is running"),
        ("monitoring.results_monitoring", True, "results are monitored"),
    ],
    "design": [
        ("agreement.exists", True, "a written agreement exists"),
        ("strategy.roadmap", True, "a common roadmap exists"),
        ("strategy.common_objectives", True, "common objectives are agreed"),
        ("strategy.success_indicators", True, "success indicators are agreed"),
        ("governance.decision_rules_agreed", True, "decision rules are agreed"),
    ],
}


def infer_phase(p: Partnership) -> tuple[str, list[str]]:
    """The likely phase of a partnership that does not say its phase, and what shows it.

    The latest phase whose work is visible in the facts; with nothing to go on, initiation. Two signs
    are needed for further development, since some of its work (handover, continuation) can be
    planned earlier. A partnership running for two years or more is assumed to be implementing at
    least.
    """
    flat = flatten(p)
    data = p.model_dump(exclude_none=True)

    def shows(name: str, value: Any) -> bool:
        if name == "risk.setbacks":
            return bool((data.get("risk") or {}).get("setbacks"))
        got = flat.get(name)
        return got is not None if value is None else got == value

    for phase in ("further_development", "implementation", "design"):
        reasons = [why for name, value, why in _PHASE_SIGNS[phase] if shows(name, value)]
        if phase == "implementation" and flat.get("partnership_age", 0) >= 2:
            reasons.append(f"it has been running for {flat['partnership_age']:g} years")
        if reasons and (phase != "further_development" or len(reasons) >= 2):
            return phase, reasons
    return "initiation", ["nothing in the facts shows the work of a later phase"]


def flatten(p: Partnership) -> dict[str, Any]:
    """All known facts of a partnership by name, computed ones included; unknown ones are absent."""
    out: dict[str, Any] = {}
    _flatten(p, "", out)
    if p.phase is not None:
        out["phase_index"] = PHASE_ORDER.index(p.phase) + 1
    for step in _STEPS:
        step(p, out)
    return out


__all__ = ["FACTS", "FactSpec", "flatten", "infer_phase", "possible_value", "RATING_DIMENSIONS"]
