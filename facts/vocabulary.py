"""The words partnerwise reasons in, defined once: severities, rule areas and types, phases, sectors, impact areas.

Every layer may import this module (it imports nothing of the package); the fact model's enums,
the rule schema, the renderers and the audit all take their lists from here.
"""

from __future__ import annotations

SEVERITIES = ("critical", "high", "medium", "low")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
SEVERITY_POINTS = {"critical": 400, "high": 300, "medium": 200, "low": 100}
FAIL_ON = SEVERITIES + ("none",)


def reaches(severity: str, fail_on: str) -> bool:
    """Whether a finding of `severity` is at or above --fail-on (the one place this is decided; 'none' never is)."""
    return fail_on != "none" and SEVERITY_RANK[severity] <= SEVERITY_RANK[fail_on]

PHASES = ("initiation", "design", "implementation", "further_development")
# The phase a gate rule admits to, for a partnership in each phase.
GATES = ("design", "implementation", "further_development", "continuation")
NEXT_GATE = dict(zip(PHASES, GATES))

# Success-factor areas of the sources, then the area of rules about skipped phase steps.
FACTOR_AREAS = ("strategy", "cooperation", "steering", "context", "learning", "process")
PHASE_AREA = "phases"
DIAGNOSIS_AREA = "diagnoses"  # root problems named across areas
AREAS = FACTOR_AREAS + (PHASE_AREA, DIAGNOSIS_AREA)

RULE_TYPES = ("finding", "strength", "derive", "gate", "diagnosis")
KINDS = ("barrier", "success_factor")

SECTORS = ("business", "government", "civil_society", "donor", "multilateral", "academic", "community")
IMPACT_AREAS = (
    "food_security", "environment", "health", "anti_corruption", "human_rights", "education", "water_sanitation",
    "energy", "economic_development", "other",
)

# Exit codes of every command: no finding at or above --fail-on; some; bad input or usage; stopped by Ctrl-C.
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
