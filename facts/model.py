"""The fact model of one partnership: what an advisor can know about it, every fact optional.

A field left out is unknown, which is not the same as false, zero or empty. Each field's
description is phrased as the question a person would answer, so the consult session and the
list of gaps can ask it as it stands.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Any, Optional, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from .vocabulary import IMPACT_AREAS, PHASES, SECTORS

Flag = Optional[bool]


# The vocabulary's lists, as the enums the fact model validates against (facts/vocabulary.py).
Phase = Enum("Phase", {p: p for p in PHASES}, type=str)
PHASE_ORDER = list(PHASES)
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"  # a partnership's id
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
    completed = "completed"  # its agreed part ended as planned (a grant or contract that ran its term)


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


def ask(question: str) -> Any:
    """An optional fact whose description is the question that asks it (absent means unknown)."""
    return Field(None, description=question)


class _Facts(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True, validate_default=False)


Rating = Annotated[float, Field(ge=1, le=5)]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class Ratings(_Facts):
    """One partner's own rating of the partnership, from 1 (very poor) to 5 (very good)."""

    trust: Optional[Rating] = ask("How far does this partner trust the others (1 to 5)?")
    fairness: Optional[Rating] = ask("How fair does this partner find the sharing of benefits and burdens (1 to 5)?")
    role_clarity: Optional[Rating] = ask("How clear is this partner about who does what (1 to 5)?")
    communication: Optional[Rating] = ask(
        "How well does this partner rate communication in the partnership (1 to 5)?"
    )
    raters: Optional[Annotated[int, Field(ge=1, le=1_000_000)]] = ask(
        "How many people from this partner gave these ratings?"
    )


class Partner(_Facts):
    name: str = Field(min_length=1, max_length=200, description="What is the partner's name?")
    sector: Optional[Sector] = ask("Which sector does this partner come from?")
    roles: Optional[list[Annotated[str, Field(max_length=200)]]] = ask(
        "Which roles does this partner hold (for example convener, funder, implementer)?"
    )
    role_defined: Flag = ask("Is this partner's role clearly defined and agreed?")
    core_competence: Optional[str] = Field(None, max_length=500, description="What is this partner's core competence?")
    role_fits_competence: Flag = ask("Does this partner's role use its core competence?")
    contributions: Optional[list[Contribution]] = ask("What does this partner contribute?")
    commitment: Optional[Level] = ask("How committed is this partner (low, medium, high)?")
    management_support: Flag = ask("Does this partner's own senior management actively back the partnership?")
    capacity_matches_role: Flag = ask(
        "Does this partner have the staff and capacity its role in the partnership demands?"
    )
    core_group: Flag = ask("Is this partner part of the core group that drives the partnership?")
    directly_affected: Flag = ask("Does this partner represent people directly affected by the problem?")
    in_decisions: Flag = ask("Does this partner take part in the partnership's decisions?")
    obligations_met: Flag = ask(
        "Does this partner deliver what it committed to (money, works, services, payments), on time?"
    )
    benefit: Optional[Level] = ask("How much does this partner gain from taking part (low, medium, high)?")
    cost_of_taking_part: Optional[Level] = ask(
        "How heavy is the cost of taking part (time, money, risk) for this partner (low, medium, high)?"
    )
    status: Optional[PartnerStatus] = ask(
        "Is this partner active, joining, leaving, has it left, or did its agreed part end as planned "
        "(active, joining, leaving, left, completed)?"
    )
    ratings: Optional[Ratings] = ask("This partner's own ratings of the partnership.")


class Funder(_Facts):
    name: str = Field(min_length=1, max_length=200, description="What is the funder's name?")
    kind: Optional[FundingKind] = ask("What kind of money does this funder provide?")
    share: Optional[Percent] = ask("What share of the partnership's budget does this funder provide (percent)?")
    expectations_transparent: Flag = ask(
        "Were this funder's expectations attached to its money made transparent to all partners from the outset?"
    )
    conditions_attached: Flag = ask(
        "Does this funder tie its money to conditions the partners did not choose (for example a reform it requires)?"
    )
    ends: Optional[PartialDate] = ask("When does this funder's commitment end (YYYY, YYYY-MM or YYYY-MM-DD)?")


class AgreementCoverage(_Facts):
    roles: Flag = ask("Does the written agreement set out each partner's role?")
    responsibilities: Flag = ask("Does the written agreement set out who is responsible for what?")
    resources: Flag = ask("Does the written agreement set out what resources each partner contributes?")
    decision_rules: Flag = ask("Does the written agreement set out how decisions are made?")
    conflict_resolution: Flag = ask("Does the written agreement say how disputes are resolved?")
    timelines: Flag = ask("Does the written agreement set timelines?")
    exit: Flag = ask("Does the written agreement say how a partner leaves or the partnership ends?")


class Agreement(_Facts):
    exists: Flag = ask("Have the partners signed a written agreement (contract or memorandum of understanding)?")
    form: Optional[AgreementForm] = ask("What form does the agreement take (contract, mou, letter, verbal)?")
    signed_by_all: Flag = ask("Have all partners signed the agreement?")
    covers: Optional[AgreementCoverage] = ask("What the written agreement covers.")
    binding: Flag = ask("Is the agreement binding on those who signed it, rather than a statement of intent?")
    several_bilateral: Flag = ask(
        "Is the partnership held together by several bilateral agreements rather than one agreement among all partners?"
    )
    commitments_tracked: Flag = ask("Are the commitments partners made in the agreement tracked and followed up?")
    public: Flag = ask(
        "Is the agreement open to those who hold the partnership to account (published, or shown to parliament or users)?"
    )
    adaptable: Flag = ask(
        "Can the agreement be revised when conditions change (review or renegotiation clauses that work)?"
    )
    disputed: Flag = ask("Is a party contesting the agreement's terms or demanding to renegotiate them?")


class Strategy(_Facts):
    problem_understood: Flag = ask("Have the partners analysed the problem in detail together?")
    partnership_fit_checked: Flag = ask(
        "Did the initiators check that a partnership is the right way to tackle the problem?"
    )
    common_objectives: Flag = ask("Have the partners agreed common objectives?")
    shared_vision: Flag = ask("Have the partners agreed a shared vision of what the partnership can change?")
    mutual_benefits_clear: Flag = ask("Is each partner clear what it gains from the partnership?")
    results_chain: Flag = ask("Is there an agreed results chain linking activities to outcomes?")
    milestones: Flag = ask("Are there agreed milestones?")
    success_indicators: Flag = ask("Are there agreed indicators of success?")
    roadmap: Flag = ask("Is there a common roadmap for the partnership?")
    project_plan: Flag = ask("Is there a firm business or project plan?")
    timelines_agreed: Flag = ask("Have the partners agreed timelines?")
    plan_communicated: Flag = ask("Has the plan been communicated to all partners and stakeholders?")
    discovery_period: Flag = ask(
        "Did the partners take a discovery period to agree outcomes and targets and build relationships before committing?"
    )
    sdg_contribution_assessed: Flag = ask(
        "Was the partnership's contribution to the Sustainable Development Goals assessed in advance?"
    )
    shared_value_programme: Flag = ask(
        "Is the work designed as a deliberate shared-value programme, with each partner doing what it does best?"
    )
    capacity_investment_planned: Flag = ask(
        "Have the partners worked out what investment in institutional capacity their objectives need?"
    )


class Leadership(_Facts):
    leader_identified: Flag = ask("Is there a recognised project leader or leaders?")
    core_group_formed: Flag = ask("Is there a committed core group that drives the partnership?")
    conveners_identified: Flag = ask("Has the partnership identified its core convener or conveners?")
    risks_shared: Flag = ask("Do the partners share the risks of the joint work?")
    external_champions: Flag = ask(
        "Do influential people or institutions outside the partnership publicly champion it?"
    )
    political_backing: Flag = ask("Does the partnership have political backing at a high level?")
    relies_on_key_individuals: Flag = ask(
        "Does the partnership depend mainly on good relations between a few key individuals?"
    )
    embedded_in_organisations: Flag = ask(
        "Is the partnership embedded in the partner organisations' own structures and plans?"
    )
    champion_left: Flag = ask(
        "Has a leader or champion who drove the partnership left without a successor taking up the role?"
    )


class Secretariat(_Facts):
    exists: Flag = ask("Does the partnership have a secretariat or backbone organisation?")
    neutral: Flag = ask("Does the secretariat act neutrally, not for one partner's interests?")
    funded: Flag = ask("Is the secretariat funded for the work it has to do?")
    dedicated_coordinator: Flag = ask(
        "Is at least one person solely responsible for coordination and process management?"
    )
    staff: Optional[Annotated[int, Field(ge=0, le=100000)]] = ask("How many people work in the secretariat?")
    hosted_by: Optional[str] = Field(None, max_length=200, description="Which organisation hosts the secretariat?")
    host_is_partner: Flag = ask("Is the secretariat hosted by one of the partners?")
    independent_of_host: Flag = ask(
        "Does the secretariat answer to the partnership rather than to its host (its own governance, staff and budget decisions)?"
    )


class Governance(_Facts):
    decision_rules_agreed: Flag = ask("Have the partners agreed how decisions are made?")
    all_partners_in_decisions: Flag = ask("Does every partner have access to all decision-making?")
    information_shared: Flag = ask("Do all partners get the information they need to take part in decisions?")
    equal_terms: Flag = ask("Are all partners treated as equals, whatever money or time they bring?")
    power_imbalances_addressed: Flag = ask("Have power imbalances between partners been made visible and discussed?")
    conflict_of_interest_policy: Flag = ask("Is there a mechanism to detect and handle conflicts of interest?")
    conflict_resolution: Flag = ask("Is there an agreed way to resolve disputes between partners?")
    communication_channels: Flag = ask(
        "Are there regular, working communication channels between the partners and the coordinators?"
    )
    communication_skills: Flag = ask("Do the people representing the partners communicate well with each other?")
    stakeholder_engagement: Flag = ask("Does the partnership do public relations and manage its wider stakeholders?")
    judges_its_funders: Flag = ask(
        "Does the partnership monitor, certify, rate or regulate organisations that fund it?"
    )
    conflicting_roles: Flag = ask(
        "Does a partner hold two roles in the partnership that pull against each other, such as adviser "
        "and investor, shareholder and lender, or overseer and recipient of the same money?"
    )
    interests_oppose_aim: Flag = ask(
        "Does a partner or funder profit from what the partnership works against, without having committed "
        "through the partnership to change it (a soft-drink maker paying for advice on diet or for a charity "
        "that campaigns for soda taxes)?"
    )


class Resources(_Facts):
    total_budget: Optional[Annotated[float, Field(ge=0, allow_inf_nan=False)]] = ask(
        "What is the partnership's total budget (in its own currency)?"
    )
    budget_clear: Flag = ask("Is there a clear budget that all partners know?")
    budget_reviewed: Flag = ask("Is the budget checked regularly against the partnership's activities and ambitions?")
    staff_time_budgeted: Flag = ask("Have the partners budgeted staff time, not only money, for the partnership?")
    financing_secured: Flag = ask("Is financing secured for the current phase of work?")
    needs_new_grants: Flag = ask(
        "Does continuing the work depend on raising new grants or donations, project by project, year by year "
        "or phase by phase, rather than on secured or recurrent income?"
    )
    resources_pooled: Flag = ask("Do the partners pool their resources for the joint work?")
    knowledge_shared: Flag = ask("Do the partners bring their knowledge into the joint work and share it?")
    skills_blended: Flag = ask("Does the partnership combine finance with the different skill sets of its partners?")


class Exit(_Facts):
    exit_mechanism: Flag = ask(
        "Have the partners agreed in advance how a partner can leave or the partnership wind up?"
    )
    completion_timeline: Flag = ask("Is there an agreed timeline for wind-up or completion?")
    expansion_timeline: Flag = ask("Is there an agreed timeline for expansion?")
    handover_plan: Flag = ask("Is there a plan to hand responsibility over to others (local partners, government)?")
    continuation_agreed: Flag = ask(
        "Have the partners agreed what must happen for the partnership's work to continue?"
    )
    local_capacity_building: Flag = ask(
        "Does the partnership strengthen local partners' capacities to carry the work?"
    )
    open_to_new_partners: Flag = ask("Can new partners join the partnership?")
    end_date: Optional[PartialDate] = ask("When is the partnership planned to end (YYYY, YYYY-MM or YYYY-MM-DD)?")
    mandate: Optional[Mandate] = ask(
        "Is the partnership time-bound by design or open-ended by design (time_bound, open_ended)?"
    )
    exit_criteria: Flag = ask(
        "Are there agreed criteria for when the partnership's work is done or can be handed over?"
    )
    criteria_status: Optional[CriteriaStatus] = ask(
        "Have the agreed exit criteria been met, not met, or are they contested (met, unmet, contested)?"
    )
    successor_identified: Flag = ask(
        "Has someone (government, a local organisation, a successor body) been named to take the work over?"
    )
    successor_capacity: Flag = ask("Do those who are to take the work over have the staff and skills to carry it?")
    successor_budget: Flag = ask("Do those who are to take the work over have a budget line for it?")


class Trust(_Facts):
    level: Optional[Level] = ask("How would you describe trust between the partners (low, medium, high)?")
    prior_collaboration: Flag = ask("Have the core partners worked together successfully before?")
    due_diligence: Flag = ask(
        "Was due diligence done on prospective partners' intentions and commitment before they joined?"
    )
    expectations_discussed: Flag = ask(
        "Have the partners stated and discussed what each expects from the partnership?"
    )
    unmet_expectations: Flag = ask("Do any partners feel their expectations have not been met?")
    open_disagreements: Flag = ask("Are there differences of opinion between partners that have not been addressed?")
    respectful_culture: Flag = ask("Do partners discuss issues constructively and respectfully, as equals?")
    culture_differences_discussed: Flag = ask(
        "Have differences in organisational culture, operating logic and language been recognised and discussed?"
    )
    mutual_understanding: Flag = ask(
        "Do the partners understand each other's interests, constraints and ways of working?"
    )
    transparency: Flag = ask("Do the partners share information openly with each other?")
    dispute_escalated: Flag = ask(
        "Has a dispute between partners escalated (withheld payments, formal claims, public accusations, arbitration)?"
    )


class Monitoring(_Facts):
    results_monitoring: Flag = ask("Are the partnership's results monitored continuously?")
    process_monitoring: Flag = ask(
        "Is the partnership's own functioning (cooperation, communication, steering) monitored?"
    )
    roi_measured: Flag = ask("Is there a mechanism to measure return on investment or value for money?")
    evaluation: Flag = ask("Is the partnership evaluated?")
    reporting_tailored: Flag = ask(
        "Are results reported in forms suited to each audience (donors, partners, the public)?"
    )
    reporting_public: Flag = ask("Are results reported openly to the public?")
    learning_institutionalised: Flag = ask("Are lessons from monitoring used in regular, built-in learning sessions?")
    capacity_gaps_addressed: Flag = ask("Are missing capacities identified and addressed by capacity development?")
    evidence_of_results: Flag = ask("Is there evidence that the resources spent lead to the intended results?")
    contribution_established: Flag = ask(
        "Has it been shown that the results come from the partnership's own work (against a comparison group, "
        "a counterfactual or a credible baseline), not only that things improved where it works?"
    )
    results_chain_working: Flag = ask("Do monitoring results show the results chain working as planned?")
    targets_on_track: Flag = ask(
        "Is the partnership meeting the targets and milestones it agreed (coverage, results, deadlines), on time?"
    )
    independent_verification: Flag = ask(
        "Are results verified by someone independent of the partners who deliver them?"
    )
    outputs_only: Flag = ask(
        "Does monitoring count outputs (activities, meetings, plans, people trained) rather than outcomes for people?"
    )
    acted_on: Flag = ask("Do monitoring results lead to corrective action in time?")
    standard_controlled_by_partner: Flag = ask(
        "Is the standard or scheme that judges the partners' performance owned or controlled by one of the partners it judges?"
    )


class Context(_Facts):
    context_analysis: Flag = ask("Was a context analysis done (social, political, other actors)?")
    stakeholder_views_analysed: Flag = ask("Were the views of the relevant stakeholders analysed?")
    target_groups_involved: Flag = ask("Are target groups and the people affected involved?")
    demand_confirmed: Flag = ask(
        "Have local stakeholders confirmed that they want and need what the partnership offers?"
    )
    strategy_localised: Flag = ask("Has the strategy been adapted to local conditions?")
    government_stance: Optional[GovernmentStance] = ask(
        "How does government relate to the partnership (sponsor, endorses, permits, indifferent, opposed)?"
    )
    regulation_mapped: Flag = ask("Have relevant laws, regulations and coming reforms been charted?")
    policy_environment_assessed: Flag = ask("Has the policy environment been assessed?")
    global_standards_considered: Flag = ask("Does the partnership take account of relevant global standards?")
    other_initiatives_mapped: Flag = ask("Are other initiatives working in the same field known?")
    overlap_with_other_initiatives: Flag = ask(
        "Does the partnership duplicate or compete with other initiatives in the same field?"
    )
    aligned_with_other_initiatives: Flag = ask(
        "Is the partnership's strategy aligned with other initiatives to avoid duplication?"
    )
    meta_platform_exchange: Flag = ask("Does the partnership exchange with meta-platforms or other partnerships?")
    ecosystem_mapped: Flag = ask("Has the partnership mapped its ecosystem of actors and broadened it?")
    key_stakeholders_missing: Flag = ask(
        "Are stakeholders missing whose resources, knowledge or stake the partnership needs?"
    )
    conditions_changed: Flag = ask("Have conditions changed significantly since the partnership was planned?")
    replanned_after_change: Flag = ask("Has the partnership revisited its plan since conditions changed?")
    global_local_balance: Flag = ask("Does the partnership balance a global strategy with local implementation?")


class Scaling(_Facts):
    plans_to_scale: Flag = ask("Does the partnership aim to scale up or replicate its work?")
    replication_model: Flag = ask("Is the approach documented so that others can replicate it?")
    uses_technology: Flag = ask("Does the partnership use technology to reach more people or cut costs?")
    tools_and_methods: Flag = ask(
        "Does the partnership use established tools, methodologies and models for its work?"
    )
    economy_of_scale: Flag = ask("Can the partnership achieve economies of scale?")
    community_depth: Flag = ask("Does the partnership deepen its reach within the communities it already serves?")
    reach_matches_aim: Flag = ask(
        "Does the partnership's work reach the whole of what it sets out to change (the supply chain, industry, "
        "region or eligible population it names), not only a part of it while the rest is untouched?"
    )
    poorest_reached: Flag = ask(
        "Do the partnership's benefits reach the poorest and most disadvantaged of the people it means to serve, "
        "not only the better-off?"
    )
    flexibility: Flag = ask("Is the plan flexible enough to adapt when things change?")
    risk_plan: Flag = ask("Has the partnership planned for things going wrong (risk and contingency plan)?")
    direction_from_evaluation: Flag = ask(
        "Was the direction of further development chosen from monitoring, evaluation and lessons learned?"
    )


class Oversight(_Facts):
    """Oversight of services or infrastructure that a partner delivers under contract (a concession, lease or PPP)."""

    contracted_services: Flag = ask(
        "Does a partner deliver services or infrastructure under a contract with a public body (concession, lease, PPP)?"
    )
    monitor_exists: Flag = ask("Is there a regulator or contract monitor that oversees the contracted services?")
    monitor_independent: Flag = ask(
        "Is the regulator or contract monitor independent of the parties to the contract?"
    )
    monitor_powers: Flag = ask(
        "Does the regulator or contract monitor have the powers it needs (to demand information, enforce, sanction)?"
    )
    monitor_capacity: Flag = ask(
        "Does the regulator or contract monitor have the staff, skills and money to do its job?"
    )
    operator_data_verified: Flag = ask(
        "Are the operator's performance and financial data verified by someone other than the operator?"
    )


class Viability(_Facts):
    """Whether the partnership's model can be paid for, by its users and its funders, now and later."""

    users_can_pay: Flag = ask("Can the intended users afford what they are charged for the partnership's services?")
    affordability_analysed: Flag = ask(
        "Was affordability (for users and for the public purse) analysed before commitments were made?"
    )
    public_budget_share: Optional[Percent] = ask(
        "What share of the relevant public budget (a ministry's or a city's) does the partnership take each year (percent)?"
    )
    revenue_covers_costs: Flag = ask(
        "Do the partnership's own revenues (tariffs, fees, sales) cover its running costs as planned?"
    )
    survives_main_funder_exit: Flag = ask("Would the partnership's work go on if its main funder left?")
    crowds_out_other_services: Flag = ask(
        "Does the partnership's cost squeeze other services paid from the same budget?"
    )


class BusinessCase(_Facts):
    """How far the plan and the deal were checked before commitments were made: due diligence on proposals."""

    baseline_data_reliable: Flag = ask(
        "Were the baseline data the plan rests on (users, volumes, costs, losses) checked and found reliable?"
    )
    plan_independently_reviewed: Flag = ask(
        "Were the bids, business plan and financial projections checked for realism by someone independent of their authors?"
    )
    value_for_money_assessed: Flag = ask(
        "Was value for money assessed against the alternatives (for example public delivery) before the deal?"
    )
    tender: Optional[Tender] = ask(
        "How was the private partner chosen (competitive, single_bid, direct_negotiation)?"
    )
    currency_mismatch: Flag = ask(
        "Does the partnership earn in one currency while its debts or main costs are in another, without cover?"
    )
    risks_allocated: Flag = ask(
        "Are the main risks (demand, costs, currency, construction) allocated to the party best able to manage them?"
    )


class SocialLicence(_Facts):
    """Acceptance by the people the partnership affects, beyond those at its table."""

    accepted_by_affected: Flag = ask(
        "Do the people affected by the partnership's work, outside the partnership, accept it?"
    )
    organised_opposition: Flag = ask(
        "Is there organised opposition to the partnership (protests, campaigns, legal challenges)?"
    )
    public_controversy: Flag = ask(
        "Is the partnership the subject of sustained public controversy or critical media coverage?"
    )
    grievance_channel: Flag = ask("Can affected people raise complaints through a channel that answers them?")
    land_or_resources_at_stake: Flag = ask(
        "Are local people's land, water, forests or other resources at stake in the partnership's work?"
    )
    consent_obtained: Flag = ask(
        "Was the free, prior and informed consent of those whose land or resources are at stake obtained?"
    )
    harm_caused: Flag = ask("Has the partnership's own work caused harm (to people, livelihoods or the environment)?")


class Government(_Facts):
    """Government's part beyond its overall stance (the stance itself is context.government_stance)."""

    party_to_agreement: Flag = ask("Is government a party to the partnership's agreement?")
    bodies_disagree: Flag = ask(
        "Do different government bodies (ministries, levels of government) take different stances towards the partnership?"
    )
    support_trend: Optional[Trend] = ask(
        "Is government support for the partnership growing, stable or eroding (growing, stable, eroding)?"
    )
    capacity: Flag = ask(
        "Does government have the staff, skills and information to play its role in the partnership?"
    )
    owns_agenda: Flag = ask(
        "Does government own the partnership's agenda, rather than following conditions set by funders or lenders?"
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
    response_effective: Flag = ask("Did the partnership respond to what went wrong promptly and effectively?")


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

    id: Optional[Annotated[str, Field(min_length=1, max_length=100, pattern=ID_PATTERN)]] = ask(
        "A short identifier (letters, digits, dot, dash, underscore); made from the name if left out."
    )
    name: str = Field(min_length=1, max_length=200, description="What is the partnership called?")
    description: Optional[str] = Field(None, max_length=5000, description="What does the partnership do, in a sentence or two?")
    phase: Optional[Phase] = ask(
        "Which phase is the partnership in (initiation, design, implementation, further_development)?"
    )
    kind: Optional[PartnershipKind] = Field(
        None,
        description=(
            "What kind of partnership is it (bilateral, alliance, contractual_ppp, global_platform, "
            "government_programme)?"
        ),
    )
    impact_area: Optional[ImpactArea] = ask("Which area does the partnership work in?")
    started: Optional[PartialDate] = ask("When did the partnership start (YYYY, YYYY-MM or YYYY-MM-DD)?")
    as_of: Optional[PartialDate] = ask(
        "When were these facts true, the date of this assessment (YYYY, YYYY-MM or YYYY-MM-DD)?"
    )
    partners: Optional[list[Partner]] = ask("Who are the partners?")
    funders: Optional[list[Funder]] = ask("Who funds the partnership, and with what share of the budget?")
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
    concerns: Optional[list[Concern]] = ask(
        "Which facts are in question: concerns raised but not established either way?"
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
