"""The fact model of one partnership: what an advisor can know about it, every fact optional.

A field left out is unknown, which is not the same as false, zero or empty. Each field's
description is phrased as the question a person would answer, so the consult session and the
list of gaps can ask it as it stands.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator

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


class Contribution(str, Enum):
    funding = "funding"
    staff = "staff"
    expertise = "expertise"
    technology = "technology"
    network = "network"
    in_kind = "in_kind"
    data = "data"
    access = "access"


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
    ratings: Optional[Ratings] = Field(None, description="This partner's own ratings of the partnership.")


class Funder(_Facts):
    name: str = Field(min_length=1, max_length=200, description="What is the funder's name?")
    kind: Optional[FundingKind] = Field(None, description="What kind of money does this funder provide?")
    share: Optional[Percent] = Field(None, description="What share of the partnership's budget does this funder provide (percent)?")
    expectations_transparent: Flag = Field(
        None, description="Were this funder's expectations attached to its money made transparent to all partners from the outset?"
    )


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


class Secretariat(_Facts):
    exists: Flag = Field(None, description="Does the partnership have a secretariat or backbone organisation?")
    neutral: Flag = Field(None, description="Does the secretariat act neutrally, not for one partner's interests?")
    funded: Flag = Field(None, description="Is the secretariat funded for the work it has to do?")
    dedicated_coordinator: Flag = Field(
        None, description="Is at least one person solely responsible for coordination and process management?"
    )
    staff: Optional[Annotated[int, Field(ge=0, le=100000)]] = Field(None, description="How many people work in the secretariat?")
    hosted_by: Optional[str] = Field(None, max_length=200, description="Which organisation hosts the secretariat?")


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
    end_date: Optional[dt.date] = Field(None, description="When is the partnership planned to end?")


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
    impact_area: Optional[ImpactArea] = Field(None, description="Which area does the partnership work in?")
    started: Optional[dt.date] = Field(None, description="When did the partnership start?")
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

    @field_validator("funders")
    @classmethod
    def _shares_add_up(cls, funders):
        total = sum(f.share for f in funders or [] if f.share is not None)
        # Half a point of slack allows for rounding in reported shares.
        if total > SHARE_TOTAL_LIMIT:
            raise ValueError(f"the funders' shares add up to {total:g}%, expected at most 100%")
        return funders
