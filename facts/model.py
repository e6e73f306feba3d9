"""The fact model of one partnership: what an advisor can know about it, every fact optional.

A field left out is unknown, which is not the same as false, zero or empty. Each field's
description is phrased as the question a person would answer, so the consult session and the
list of gaps can ask it as it stands.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Optional, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from .vocabulary import IMPACT_AREAS, PHASES, SECTORS

Flag = Optional[bool]


# The vocabulary's lists, as the enums the fact model validates against (facts/vocabulary.py).
Phase = Enum("Phase", {p: p for p in PHASES}, type=str)
PHASE_ORDER = list(PHASES)
SHARE_TOTAL_LIMIT = 100.5
Sector = Enum("Sector", {s: s for s in SECTORS}, type=str)
ImpactArea = Enum("ImpactArea", {a: a for a in IMPACT_AREAS}, type=str)


class FundingKind(str, Enum):
    grant = "grant"
    loan = "loan"
    in_kind = "in_kind"
    private_investment = "private_investment"
    public_budget = "public_budget"


class Level(str, Enum):
    low = "low"
    medium = "medium"
    high = "high"


class GovernmentStance(str, Enum):
    sponsor = "sponsor"
    endorses = "endorses"
    permits = "permits"
    indifferent = "indifferent"
    opposed = "opposed"


class AgreementForm(str, Enum):
    contract = "contract"
    mou = "mou"
    letter = "letter"
    verbal = "verbal"


class PartnershipKind(str, Enum):
    """What kind of partnership it is; what the sources expect of it depends on this."""

    bilateral = "bilateral"  # two organisations working together
    alliance = "alliance"  # a multi-party alliance or programme (a city or regional partnership included)
    contractual_ppp = "contractual_ppp"  # a contractual public-private partnership, concession or lease
    global_platform = "global_platform"  # a global platform, network or movement with many members
    government_programme = "government_programme"  # a programme led by government with other partners


class PartnerStatus(str, Enum):
    active = "active"
    joining = "joining"
    leaving = "leaving"
    left = "left"


class Mandate(str, Enum):
    time_bound = "time_bound"
    open_ended = "open_ended"


class CriteriaStatus(str, Enum):
    met = "met"
    unmet = "unmet"
    contested = "contested"


class Trend(str, Enum):
    growing = "growing"
    stable = "stable"
    eroding = "eroding"


class Tender(str, Enum):
    competitive = "competitive"
    single_bid = "single_bid"
    direct_negotiation = "direct_negotiation"


class Setback(str, Enum):
    funder_withdrew = "funder_withdrew"
    partner_left = "partner_left"
    champion_left = "champion_left"
    scandal = "scandal"
    dispute = "dispute"
    payment_default = "payment_default"
    service_failure = "service_failure"
    safety_incident = "safety_incident"
    cost_overrun = "cost_overrun"
    political_change = "political_change"


class Contribution(str, Enum):
    funding = "funding"
    staff = "staff"
    expertise = "expertise"
    technology = "technology"
    network = "network"
    in_kind = "in_kind"
    data = "data"
    access = "access"


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _partial_date(value):
    """A date known to the day, the month or only the year, kept as 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'."""
    if isinstance(value, bool):
        raise ValueError("expected a date as YYYY, YYYY-MM or YYYY-MM-DD")
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and 1000 <= value <= 9999:
        return str(value)
    if isinstance(value, str):
        m = _PARTIAL_DATE.match(value.strip())
        if m:
            year, month, day = m.groups()
            try:
                if day is not None:
                    dt.date(int(year), int(month), int(day))
                elif month is not None and not 1 <= int(month) <= 12:
                    raise ValueError
            except ValueError:
                raise ValueError(f"{value!r} is not a real date; expected YYYY, YYYY-MM or YYYY-MM-DD") from None
            return value.strip()
    raise ValueError("expected a date as YYYY, YYYY-MM or YYYY-MM-DD")


PartialDate = Annotated[
    str,
    BeforeValidator(_partial_date),
    Field(json_schema_extra={"pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$", "format": "partial-date"}),
]


def is_partial_date(annotation) -> bool:
    """Whether a field's annotation is a PartialDate (possibly inside Optional)."""
    stack = [annotation]
    while stack:
        a = stack.pop()
        if any(getattr(m, "func", None) is _partial_date for m in getattr(a, "__metadata__", ())):
            return True
        stack.extend(get_args(a))
    return False


def parse_partial_date(text: str) -> str:
    """A partial date typed or written as text, in its canonical form; ValueError otherwise."""
    return _partial_date(text)


def years_of(value: str) -> float:
    """A partial date as a year with a fraction; a missing month or day counts as the middle of it."""
    parts = [int(x) for x in value.split("-")]
    if len(parts) == 1:
        return parts[0] + 0.5
    if len(parts) == 2:
        return parts[0] + (parts[1] - 0.5) / 12
    return parts[0] + (parts[1] - 1) / 12 + (parts[2] - 0.5) / 365


class _Facts(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True, validate_default=False)


Rating = Annotated[float, Field(ge=1, le=5)]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class Ratings(_Facts):
    """One partner's own rating of the partnership, from 1 (very poor) to 5 (very good)."""

    trust: Optional[Rating] = Field(None, description="How far does this partner trust the others (1 to 5)?")
    fairness: Optional[Rating] = Field(
        None, description="How fair does this partner find the sharing of benefits and burdens (1 to 5)?"
    )
    role_clarity: Optional[Rating] = Field(None, description="How clear is this partner about who does what (1 to 5)?")
    communication: Optional[Rating] = Field(
        None, description="How well does this partner rate communication in the partnership (1 to 5)?"
    )
    raters: Optional[Annotated[int, Field(ge=1, le=1_000_000)]] = Field(
        None, description="How many people from this partner gave these ratings?"
    )


class Partner(_Facts):
    name: str = Field(min_length=1, max_length=200, description="What is the partner's name?")
    sector: Optional[Sector] = Field(None, description="Which sector does this partner come from?")
    roles: Optional[list[Annotated[str, Field(max_length=200)]]] = Field(
        None, description="Which roles does this partner hold (for example convener, funder, implementer)?"
    )
    role_defined: Flag = Field(None, description="Is this partner's role clearly defined and agreed?")
    core_competence: Optional[str] = Field(None, max_length=500, description="What is this partner's core competence?")
    role_fits_competence: Flag = Field(None, description="Does this partner's role use its core competence?")
    contributions: Optional[list[Contribution]] = Field(None, description="What does this partner contribute?")
    commitment: Optional[Level] = Field(None, description="How committed is this partner (low, medium, high)?")
    management_support: Flag = Field(
        None, description="Does this partner's own senior management actively back the partnership?"
    )
    capacity_matches_role: Flag = Field(
        None, description="Does this partner have the staff and capacity its role in the partnership demands?"
    )
    core_group: Flag = Field(None, description="Is this partner part of the core group that drives the partnership?")
    directly_affected: Flag = Field(
        None, description="Does this partner represent people directly affected by the problem?"
    )
    obligations_met: Flag = Field(
        None,
        description="Does this partner deliver what it committed to (money, works, services, payments), on time?",
    )
    benefit: Optional[Level] = Field(
        None, description="How much does this partner gain from taking part (low, medium, high)?"
    )
    cost_of_taking_part: Optional[Level] = Field(
        None, description="How heavy is the cost of taking part (time, money, risk) for this partner (low, medium, high)?"
    )
    status: Optional[PartnerStatus] = Field(
        None, description="Is this partner active, joining, leaving, or has it left (active, joining, leaving, left)?"
    )
    ratings: Optional[Ratings] = Field(None, description="This partner's own ratings of the partnership.")


class Funder(_Facts):
    name: str = Field(min_length=1, max_length=200, description="What is the funder's name?")
    kind: Optional[FundingKind] = Field(None, description="What kind of money does this funder provide?")
    share: Optional[Percent] = Field(None, description="What share of the partnership's budget does this funder provide (percent)?")
    expectations_transparent: Flag = Field(
        None, description="Were this funder's expectations attached to its money made transparent to all partners from the outset?"
    )
    conditions_attached: Flag = Field(
        None,
        description="Does this funder tie its money to conditions the partners did not choose (for example a reform it requires)?",
    )
    ends: Optional[PartialDate] = Field(None, description="When does this funder's commitment end (YYYY, YYYY-MM or YYYY-MM-DD)?")


class AgreementCoverage(_Facts):
    roles: Flag = Field(None, description="Does the written agreement set out each partner's role?")
    responsibilities: Flag = Field(None, description="Does the written agreement set out who is responsible for what?")
    resources: Flag = Field(None, description="Does the written agreement set out what resources each partner contributes?")
    decision_rules: Flag = Field(None, description="Does the written agreement set out how decisions are made?")
    conflict_resolution: Flag = Field(None, description="Does the written agreement say how disputes are resolved?")
    timelines: Flag = Field(None, description="Does the written agreement set timelines?")
    exit: Flag = Field(None, description="Does the written agreement say how a partner leaves or the partnership ends?")


class Agreement(_Facts):
    exists: Flag = Field(None, description="Have the partners signed a written agreement (contract or memorandum of understanding)?")
    form: Optional[AgreementForm] = Field(None, description="What form does the agreement take (contract, mou, letter, verbal)?")
    signed_by_all: Flag = Field(None, description="Have all partners signed the agreement?")
    covers: Optional[AgreementCoverage] = Field(None, description="What the written agreement covers.")
    binding: Flag = Field(None, description="Is the agreement binding on those who signed it, rather than a statement of intent?")
    several_bilateral: Flag = Field(
        None, description="Is the partnership held together by several bilateral agreements rather than one agreement among all partners?"
    )
    commitments_tracked: Flag = Field(
        None, description="Are the commitments partners made in the agreement tracked and followed up?"
    )
    public: Flag = Field(
        None, description="Is the agreement open to those who hold the partnership to account (published, or shown to parliament or users)?"
    )
    adaptable: Flag = Field(
        None, description="Can the agreement be revised when conditions change (review or renegotiation clauses that work)?"
    )
    disputed: Flag = Field(None, description="Is a party contesting the agreement's terms or demanding to renegotiate them?")


class Strategy(_Facts):
    problem_understood: Flag = Field(None, description="Have the partners analysed the problem in detail together?")
    partnership_fit_checked: Flag = Field(
        None, description="Did the initiators check that a partnership is the right way to tackle the problem?"
    )
    common_objectives: Flag = Field(None, description="Have the partners agreed common objectives?")
    shared_vision: Flag = Field(None, description="Have the partners agreed a shared vision of what the partnership can change?")
    mutual_benefits_clear: Flag = Field(None, description="Is each partner clear what it gains from the partnership?")
    results_chain: Flag = Field(None, description="Is there an agreed results chain linking activities to outcomes?")
    milestones: Flag = Field(None, description="Are there agreed milestones?")
    success_indicators: Flag = Field(None, description="Are there agreed indicators of success?")
    roadmap: Flag = Field(None, description="Is there a common roadmap for the partnership?")
    project_plan: Flag = Field(None, description="Is there a firm business or project plan?")
    timelines_agreed: Flag = Field(None, description="Have the partners agreed timelines?")
    plan_communicated: Flag = Field(None, description="Has the plan been communicated to all partners and stakeholders?")
    discovery_period: Flag = Field(
        None, description="Did the partners take a discovery period to agree outcomes and targets and build relationships before committing?"
    )
    sdg_contribution_assessed: Flag = Field(
        None, description="Was the partnership's contribution to the Sustainable Development Goals assessed in advance?"
    )
    shared_value_programme: Flag = Field(
        None, description="Is the work designed as a deliberate shared-value programme, with each partner doing what it does best?"
    )
    capacity_investment_planned: Flag = Field(
        None, description="Have the partners worked out what investment in institutional capacity their objectives need?"
    )


class Leadership(_Facts):
    leader_identified: Flag = Field(None, description="Is there a recognised project leader or leaders?")
    core_group_formed: Flag = Field(None, description="Is there a committed core group that drives the partnership?")
    conveners_identified: Flag = Field(None, description="Has the partnership identified its core convener or conveners?")
    risks_shared: Flag = Field(None, description="Do the partners share the risks of the joint work?")
    external_champions: Flag = Field(
        None, description="Do influential people or institutions outside the partnership publicly champion it?"
    )
    political_backing: Flag = Field(None, description="Does the partnership have political backing at a high level?")
    relies_on_key_individuals: Flag = Field(
        None, description="Does the partnership depend mainly on good relations between a few key individuals?"
    )
    embedded_in_organisations: Flag = Field(
        None, description="Is the partnership embedded in the partner organisations' own structures and plans?"
    )
    champion_left: Flag = Field(
        None, description="Has a leader or champion who drove the partnership left without a successor taking up the role?"
    )


class Secretariat(_Facts):
    exists: Flag = Field(None, description="Does the partnership have a secretariat or backbone organisation?")
    neutral: Flag = Field(None, description="Does the secretariat act neutrally, not for one partner's interests?")
    funded: Flag = Field(None, description="Is the secretariat funded for the work it has to do?")
    dedicated_coordinator: Flag = Field(
        None, description="Is at least one person solely responsible for coordination and process management?"
    )
    staff: Optional[Annotated[int, Field(ge=0, le=100000)]] = Field(None, description="How many people work in the secretariat?")
    hosted_by: Optional[str] = Field(None, max_length=200, description="Which organisation hosts the secretariat?")
    host_is_partner: Flag = Field(None, description="Is the secretariat hosted by one of the partners?")
    independent_of_host: Flag = Field(
        None, description="Does the secretariat answer to the partnership rather than to its host (its own governance, staff and budget decisions)?"
    )


class Governance(_Facts):
    decision_rules_agreed: Flag = Field(None, description="Have the partners agreed how decisions are made?")
    all_partners_in_decisions: Flag = Field(None, description="Does every partner have access to all decision-making?")
    information_shared: Flag = Field(
        None, description="Do all partners get the information they need to take part in decisions?"
    )
    equal_terms: Flag = Field(
        None, description="Are all partners treated as equals, whatever money or time they bring?"
    )
    power_imbalances_addressed: Flag = Field(
        None, description="Have power imbalances between partners been made visible and discussed?"
    )
    conflict_of_interest_policy: Flag = Field(
        None, description="Is there a mechanism to detect and handle conflicts of interest?"
    )
    conflict_resolution: Flag = Field(None, description="Is there an agreed way to resolve disputes between partners?")
    communication_channels: Flag = Field(
        None, description="Are there regular, working communication channels between the partners and the coordinators?"
    )
    communication_skills: Flag = Field(
        None, description="Do the people representing the partners communicate well with each other?"
    )
    stakeholder_engagement: Flag = Field(
        None, description="Does the partnership do public relations and manage its wider stakeholders?"
    )
    judges_its_funders: Flag = Field(
        None, description="Does the partnership monitor, certify, rate or regulate organisations that fund it?"
    )


class Resources(_Facts):
    total_budget: Optional[Annotated[float, Field(ge=0, allow_inf_nan=False)]] = Field(
        None, description="What is the partnership's total budget (in its own currency)?"
    )
    budget_clear: Flag = Field(None, description="Is there a clear budget that all partners know?")
    budget_reviewed: Flag = Field(
        None, description="Is the budget checked regularly against the partnership's activities and ambitions?"
    )
    staff_time_budgeted: Flag = Field(
        None, description="Have the partners budgeted staff time, not only money, for the partnership?"
    )
    financing_secured: Flag = Field(None, description="Is financing secured for the current phase of work?")
    resources_pooled: Flag = Field(None, description="Do the partners pool their resources for the joint work?")
    knowledge_shared: Flag = Field(None, description="Do the partners bring their knowledge into the joint work and share it?")
    skills_blended: Flag = Field(
        None, description="Does the partnership combine finance with the different skill sets of its partners?"
    )


class Exit(_Facts):
    exit_mechanism: Flag = Field(None, description="Have the partners agreed in advance how a partner can leave or the partnership wind up?")
    completion_timeline: Flag = Field(None, description="Is there an agreed timeline for wind-up or completion?")
    expansion_timeline: Flag = Field(None, description="Is there an agreed timeline for expansion?")
    handover_plan: Flag = Field(None, description="Is there a plan to hand responsibility over to others (local partners, government)?")
    continuation_agreed: Flag = Field(
        None, description="Have the partners agreed what must happen for the partnership's work to continue?"
    )
    local_capacity_building: Flag = Field(
        None, description="Does the partnership strengthen local partners' capacities to carry the work?"
    )
    open_to_new_partners: Flag = Field(None, description="Can new partners join the partnership?")
    end_date: Optional[PartialDate] = Field(
        None, description="When is the partnership planned to end (YYYY, YYYY-MM or YYYY-MM-DD)?"
    )
    mandate: Optional[Mandate] = Field(
        None, description="Is the partnership time-bound by design or open-ended by design (time_bound, open_ended)?"
    )
    exit_criteria: Flag = Field(
        None, description="Are there agreed criteria for when the partnership's work is done or can be handed over?"
    )
    criteria_status: Optional[CriteriaStatus] = Field(
        None, description="Have the agreed exit criteria been met, not met, or are they contested (met, unmet, contested)?"
    )
    successor_identified: Flag = Field(
        None, description="Has someone (government, a local organisation, a successor body) been named to take the work over?"
    )
    successor_capacity: Flag = Field(
        None, description="Do those who are to take the work over have the staff and skills to carry it?"
    )
    successor_budget: Flag = Field(None, description="Do those who are to take the work over have a budget line for it?")


class Trust(_Facts):
    level: Optional[Level] = Field(None, description="How would you describe trust between the partners (low, medium, high)?")
    prior_collaboration: Flag = Field(None, description="Have the core partners worked together successfully before?")
    due_diligence: Flag = Field(
        None, description="Was due diligence done on prospective partners' intentions and commitment before they joined?"
    )
    expectations_discussed: Flag = Field(
        None, description="Have the partners stated and discussed what each expects from the partnership?"
    )
    unmet_expectations: Flag = Field(None, description="Do any partners feel their expectations have not been met?")
    open_disagreements: Flag = Field(None, description="Are there differences of opinion between partners that have not been addressed?")
    respectful_culture: Flag = Field(
        None, description="Do partners discuss issues constructively and respectfully, as equals?"
    )
    culture_differences_discussed: Flag = Field(
        None, description="Have differences in organisational culture, operating logic and language been recognised and discussed?"
    )
    mutual_understanding: Flag = Field(
        None, description="Do the partners understand each other's interests, constraints and ways of working?"
    )
    transparency: Flag = Field(None, description="Do the partners share information openly with each other?")
    dispute_escalated: Flag = Field(
        None,
        description="Has a dispute between partners escalated (withheld payments, formal claims, public accusations, arbitration)?",
    )


class Monitoring(_Facts):
    results_monitoring: Flag = Field(None, description="Are the partnership's results monitored continuously?")
    process_monitoring: Flag = Field(
        None, description="Is the partnership's own functioning (cooperation, communication, steering) monitored?"
    )
    roi_measured: Flag = Field(None, description="Is there a mechanism to measure return on investment or value for money?")
    evaluation: Flag = Field(None, description="Is the partnership evaluated?")
    reporting_tailored: Flag = Field(
        None, description="Are results reported in forms suited to each audience (donors, partners, the public)?"
    )
    reporting_public: Flag = Field(None, description="Are results reported openly to the public?")
    learning_institutionalised: Flag = Field(
        None, description="Are lessons from monitoring used in regular, built-in learning sessions?"
    )
    capacity_gaps_addressed: Flag = Field(
        None, description="Are missing capacities identified and addressed by capacity development?"
    )
    evidence_of_results: Flag = Field(
        None, description="Is there evidence that the resources spent lead to the intended results?"
    )
    results_chain_working: Flag = Field(None, description="Do monitoring results show the results chain working as planned?")
    independent_verification: Flag = Field(
        None, description="Are results verified by someone independent of the partners who deliver them?"
    )
    outputs_only: Flag = Field(
        None, description="Does monitoring count outputs (activities, meetings, plans, people trained) rather than outcomes for people?"
    )
    acted_on: Flag = Field(None, description="Do monitoring results lead to corrective action in time?")
    standard_controlled_by_partner: Flag = Field(
        None, description="Is the standard or scheme that judges the partners' performance owned or controlled by one of the partners it judges?"
    )


class Context(_Facts):
    context_analysis: Flag = Field(None, description="Was a context analysis done (social, political, other actors)?")
    stakeholder_views_analysed: Flag = Field(None, description="Were the views of the relevant stakeholders analysed?")
    target_groups_involved: Flag = Field(None, description="Are target groups and the people affected involved?")
    demand_confirmed: Flag = Field(
        None, description="Have local stakeholders confirmed that they want and need what the partnership offers?"
    )
    strategy_localised: Flag = Field(None, description="Has the strategy been adapted to local conditions?")
    government_stance: Optional[GovernmentStance] = Field(
        None, description="How does government relate to the partnership (sponsor, endorses, permits, indifferent, opposed)?"
    )
    regulation_mapped: Flag = Field(None, description="Have relevant laws, regulations and coming reforms been charted?")
    policy_environment_assessed: Flag = Field(None, description="Has the policy environment been assessed?")
    global_standards_considered: Flag = Field(
        None, description="Does the partnership take account of relevant global standards?"
    )
    other_initiatives_mapped: Flag = Field(None, description="Are other initiatives working in the same field known?")
    overlap_with_other_initiatives: Flag = Field(
        None, description="Does the partnership duplicate or compete with other initiatives in the same field?"
    )
    aligned_with_other_initiatives: Flag = Field(
        None, description="Is the partnership's strategy aligned with other initiatives to avoid duplication?"
    )
    meta_platform_exchange: Flag = Field(
        None, description="Does the partnership exchange with meta-platforms or other partnerships?"
    )
    ecosystem_mapped: Flag = Field(None, description="Has the partnership mapped its ecosystem of actors and broadened it?")
    key_stakeholders_missing: Flag = Field(
        None, description="Are stakeholders missing whose resources, knowledge or stake the partnership needs?"
    )
    conditions_changed: Flag = Field(
        None, description="Have conditions changed significantly since the partnership was planned?"
    )
    replanned_after_change: Flag = Field(
        None, description="Has the partnership revisited its plan since conditions changed?"
    )
    global_local_balance: Flag = Field(
        None, description="Does the partnership balance a global strategy with local implementation?"
    )


class Scaling(_Facts):
    plans_to_scale: Flag = Field(None, description="Does the partnership aim to scale up or replicate its work?")
    replication_model: Flag = Field(None, description="Is the approach documented so that others can replicate it?")
    uses_technology: Flag = Field(None, description="Does the partnership use technology to reach more people or cut costs?")
    tools_and_methods: Flag = Field(
        None, description="Does the partnership use established tools, methodologies and models for its work?"
    )
    economy_of_scale: Flag = Field(None, description="Can the partnership achieve economies of scale?")
    community_depth: Flag = Field(
        None, description="Does the partnership deepen its reach within the communities it already serves?"
    )
    flexibility: Flag = Field(None, description="Is the plan flexible enough to adapt when things change?")
    risk_plan: Flag = Field(None, description="Has the partnership planned for things going wrong (risk and contingency plan)?")
    direction_from_evaluation: Flag = Field(
        None, description="Was the direction of further development chosen from monitoring, evaluation and lessons learned?"
    )


class Oversight(_Facts):
    """Oversight of services or infrastructure that a partner delivers under contract (a concession, lease or PPP)."""

    contracted_services: Flag = Field(
        None, description="Does a partner deliver services or infrastructure under a contract with a public body (concession, lease, PPP)?"
    )
    monitor_exists: Flag = Field(
        None, description="Is there a regulator or contract monitor that oversees the contracted services?"
    )
    monitor_independent: Flag = Field(
        None, description="Is the regulator or contract monitor independent of the parties to the contract?"
    )
    monitor_powers: Flag = Field(
        None, description="Does the regulator or contract monitor have the powers it needs (to demand information, enforce, sanction)?"
    )
    monitor_capacity: Flag = Field(
        None, description="Does the regulator or contract monitor have the staff, skills and money to do its job?"
    )
    operator_data_verified: Flag = Field(
        None, description="Are the operator's performance and financial data verified by someone other than the operator?"
    )


class Viability(_Facts):
    """Whether the partnership's model can be paid for, by its users and its funders, now and later."""

    users_can_pay: Flag = Field(
        None, description="Can the intended users afford what they are charged for the partnership's services?"
    )
    affordability_analysed: Flag = Field(
        None, description="Was affordability (for users and for the public purse) analysed before commitments were made?"
    )
    public_budget_share: Optional[Percent] = Field(
        None, description="What share of the relevant public budget (a ministry's or a city's) does the partnership take each year (percent)?"
    )
    revenue_covers_costs: Flag = Field(
        None, description="Do the partnership's own revenues (tariffs, fees, sales) cover its running costs as planned?"
    )
    survives_main_funder_exit: Flag = Field(
        None, description="Would the partnership's work go on if its main funder left?"
    )
    crowds_out_other_services: Flag = Field(
        None, description="Does the partnership's cost squeeze other services paid from the same budget?"
    )


class BusinessCase(_Facts):
    """How far the plan and the deal were checked before commitments were made: due diligence on proposals."""

    baseline_data_reliable: Flag = Field(
        None, description="Were the baseline data the plan rests on (users, volumes, costs, losses) checked and found reliable?"
    )
    plan_independently_reviewed: Flag = Field(
        None, description="Were the bids, business plan and financial projections checked for realism by someone independent of their authors?"
    )
    value_for_money_assessed: Flag = Field(
        None, description="Was value for money assessed against the alternatives (for example public delivery) before the deal?"
    )
    tender: Optional[Tender] = Field(
        None, description="How was the private partner chosen (competitive, single_bid, direct_negotiation)?"
    )
    currency_mismatch: Flag = Field(
        None, description="Does the partnership earn in one currency while its debts or main costs are in another, without cover?"
    )
    risks_allocated: Flag = Field(
        None, description="Are the main risks (demand, costs, currency, construction) allocated to the party best able to manage them?"
    )


class SocialLicence(_Facts):
    """Acceptance by the people the partnership affects, beyond those at its table."""

    accepted_by_affected: Flag = Field(
        None, description="Do the people affected by the partnership's work, outside the partnership, accept it?"
    )
    organised_opposition: Flag = Field(
        None, description="Is there organised opposition to the partnership (protests, campaigns, legal challenges)?"
    )
    public_controversy: Flag = Field(
        None, description="Is the partnership the subject of sustained public controversy or critical media coverage?"
    )
    grievance_channel: Flag = Field(
        None, description="Can affected people raise complaints through a channel that answers them?"
    )
    land_or_resources_at_stake: Flag = Field(
        None, description="Are local people's land, water, forests or other resources at stake in the partnership's work?"
    )
    consent_obtained: Flag = Field(
        None, description="Was the free, prior and informed consent of those whose land or resources are at stake obtained?"
    )
    harm_caused: Flag = Field(
        None, description="Has the partnership's own work caused harm (to people, livelihoods or the environment)?"
    )


class Government(_Facts):
    """Government's part beyond its overall stance (the stance itself is context.government_stance)."""

    party_to_agreement: Flag = Field(None, description="Is government a party to the partnership's agreement?")
    bodies_disagree: Flag = Field(
        None, description="Do different government bodies (ministries, levels of government) take different stances towards the partnership?"
    )
    support_trend: Optional[Trend] = Field(
        None, description="Is government support for the partnership growing, stable or eroding (growing, stable, eroding)?"
    )
    capacity: Flag = Field(
        None, description="Does government have the staff, skills and information to play its role in the partnership?"
    )
    owns_agenda: Flag = Field(
        None, description="Does government own the partnership's agenda, rather than following conditions set by funders or lenders?"
    )


class Risk(_Facts):
    """What has gone wrong so far, and how the partnership responded."""

    setbacks: Optional[list[Setback]] = Field(
        None,
        description=(
            "What has gone wrong so far (funder_withdrew, partner_left, champion_left, scandal, dispute, payment_default, "
            "service_failure, safety_incident, cost_overrun, political_change); an empty list means nothing has?"
        ),
    )
    response_effective: Flag = Field(
        None, description="Did the partnership respond to what went wrong promptly and effectively?"
    )


def _concern_fact_names() -> list[str]:
    from .derive import FACTS  # built from this model, so looked up when the schema is made

    return [n for n, spec in FACTS.items() if not spec.computed and spec.type in ("bool", "choice", "number")]


class Concern(_Facts):
    """A concern someone raised about one fact, which has not been established either way."""

    fact: str = Field(
        min_length=1,
        max_length=100,
        description="Which fact is in question (its name, for example secretariat.neutral)?",
        json_schema_extra=lambda schema: schema.update(enum=_concern_fact_names()),
    )
    value: bool | str | float = Field(
        description="What would the fact be if the concern is borne out (for example false)?"
    )
    note: Optional[str] = Field(None, max_length=1000, description="Who raised the concern, and on what grounds?")


class Partnership(_Facts):
    """Everything known about one partnership. Every field except the name may be left out."""

    id: Optional[Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]] = Field(
        None, description="A short identifier (letters, digits, dot, dash, underscore); made from the name if left out."
    )
    name: str = Field(min_length=1, max_length=200, description="What is the partnership called?")
    description: Optional[str] = Field(None, max_length=5000, description="What does the partnership do, in a sentence or two?")
    phase: Optional[Phase] = Field(
        None, description="Which phase is the partnership in (initiation, design, implementation, further_development)?"
    )
    kind: Optional[PartnershipKind] = Field(
        None,
        description=(
            "What kind of partnership is it (bilateral, alliance, contractual_ppp, global_platform, "
            "government_programme)?"
        ),
    )
    impact_area: Optional[ImpactArea] = Field(None, description="Which area does the partnership work in?")
    started: Optional[PartialDate] = Field(
        None, description="When did the partnership start (YYYY, YYYY-MM or YYYY-MM-DD)?"
    )
    as_of: Optional[PartialDate] = Field(
        None, description="When were these facts true, the date of this assessment (YYYY, YYYY-MM or YYYY-MM-DD)?"
    )
    partners: Optional[list[Partner]] = Field(None, description="Who are the partners?")
    funders: Optional[list[Funder]] = Field(None, description="Who funds the partnership, and with what share of the budget?")
    agreement: Optional[Agreement] = None
    strategy: Optional[Strategy] = None
    leadership: Optional[Leadership] = None
    secretariat: Optional[Secretariat] = None
    governance: Optional[Governance] = None
    resources: Optional[Resources] = None
    exit: Optional[Exit] = None
    trust: Optional[Trust] = None
    monitoring: Optional[Monitoring] = None
    context: Optional[Context] = None
    scaling: Optional[Scaling] = None
    oversight: Optional[Oversight] = None
    viability: Optional[Viability] = None
    business_case: Optional[BusinessCase] = None
    social_licence: Optional[SocialLicence] = None
    government: Optional[Government] = None
    risk: Optional[Risk] = None
    concerns: Optional[list[Concern]] = Field(
        None, description="Which facts are in question: concerns raised but not established either way?"
    )

    @field_validator("partners", "funders")
    @classmethod
    def _names_unique(cls, items):
        if items:
            seen = set()
            for item in items:
                key = item.name.strip().casefold()
                if key in seen:
                    raise ValueError(f"the name {item.name!r} appears twice, expected each name once")
                seen.add(key)
        return items

    @field_validator("concerns")
    @classmethod
    def _concerns_name_facts(cls, concerns):
        from .derive import FACTS  # the catalogue is built from this model, so it is looked up late

        for c in concerns or []:
            spec = FACTS.get(c.fact)
            if spec is None or spec.computed or spec.type not in ("bool", "choice", "number"):
                raise ValueError(f"concern about {c.fact!r}: expected the name of a true/false, choice or number fact")
            ok = (
                (spec.type == "bool" and isinstance(c.value, bool))
                or (spec.type == "choice" and c.value in spec.choices)
                or (spec.type == "number" and isinstance(c.value, (int, float)) and not isinstance(c.value, bool))
            )
            if not ok:
                want = {"bool": "true or false", "number": "a number"}.get(spec.type) or "one of " + ", ".join(spec.choices)
                raise ValueError(f"concern about {c.fact!r}: value {c.value!r} is not possible; expected {want}")
        return concerns

    @field_validator("funders")
    @classmethod
    def _shares_add_up(cls, funders):
        total = sum(f.share for f in funders or [] if f.share is not None)
        # Half a point of slack allows for rounding in reported shares.
        if total > SHARE_TOTAL_LIMIT:
            raise ValueError(f"the funders' shares add up to {total:g}%, expected at most 100%")
        return funders
