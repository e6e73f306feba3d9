"""What every report opens with: what is wrong, what to do first, and the details grouped by problem.

The assessment decides the problems and their order; this module only arranges them for the
renderers, so that the table, the Markdown and the HTML report say the same thing in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..engine.assessment import ANSWER_ITEMS, Diagnosis, Finding, Item, PhaseStatus, TopAction
from ..facts.model import PartnershipKind

# The section headings every format uses, so a reader finds the same words in each.
WHAT_IS_WRONG = "What is wrong"
WHAT_TO_DO = "What to do first"
CONCERNS = "Concerns raised but not established"
DETAILS = "Findings, problem by problem"


@dataclass(frozen=True)
class Problem:
    """One answer to "what is wrong", numbered as the reports number it, with what it gathers."""

    number: int
    item: Item
    diagnosis: Optional[Diagnosis]  # the diagnosis itself, when the item is one
    findings: list[Finding]  # the findings it gathers, in order; a finding standing alone gathers itself


def problems(a) -> list[Problem]:
    """Every problem of an assessment, most urgent first: its items, then any finding no item covers.

    An assessment made by the engine covers every finding with an item; one built by other code may
    not, and its findings still appear, each standing alone.
    """
    by_finding = {f.rule: f for f in a.findings}
    by_diagnosis = {d.rule: d for d in a.diagnoses}
    out: list[Problem] = []
    covered: set[str] = set()
    for item in a.items:
        gathered = [by_finding[i] for i in item.findings if i in by_finding and i not in covered]
        covered.update(f.rule for f in gathered)
        diagnosis = by_diagnosis.get(item.rule) if item.kind == "diagnosis" else None
        out.append(Problem(len(out) + 1, item, diagnosis, gathered))
    for f in a.findings:
        if f.rule not in covered:
            item = Item("finding", f.rule, f.title, f.severity, f.priority, f.message, [f.rule])
            out.append(Problem(len(out) + 1, item, None, [f]))
    return out


def answer(found: list[Problem]) -> tuple[list[Problem], int]:
    """The problems that are the answer (at most ANSWER_ITEMS), and how many more the details hold."""
    return found[:ANSWER_ITEMS], max(0, len(found) - ANSWER_ITEMS)


def gathered_ids(p: Problem) -> list[str]:
    """The ids of the findings a diagnosis gathers (none for a finding that stands alone)."""
    return [f.rule for f in p.findings] if p.item.kind == "diagnosis" else []


def numbers(found: list[Problem]) -> dict[str, int]:
    """The number of each problem by its rule id, so that an action can say which problems it works on."""
    return {p.item.rule: p.number for p in found}


def phase_note(ps: PhaseStatus) -> str:
    """What follows the phase when it was assumed, empty when the facts gave it."""
    if not ps.assumed:
        return ""
    basis = ", ".join(ps.basis) or "the facts given"
    return f" (assumed from: {basis}; say the phase to be sure)"


def kind_note(a) -> str:
    """For a partnership whose kind is not stated: which of its findings the kind could change, and the
    kinds to choose from; empty when the kind is stated or would change none of them."""
    p = a.partnership
    if p is None or p.kind is not None:
        return ""
    gap = next((g for g in a.gaps if g.fact == "kind"), None)
    changed = [f.rule for f in a.findings if f.rule in gap.rules] if gap else []
    if not changed:
        return ""
    names = ", ".join(changed[:4]) + (", ..." if len(changed) > 4 else "")
    count = f"{len(changed)} finding{'' if len(changed) == 1 else 's'}"
    kinds = ", ".join(k.value for k in PartnershipKind)
    return f"kind: not stated, and it could change {count} ({names}); say which kind it is ({kinds})"


def works_on(action: TopAction, number: dict[str, int]) -> str:
    """'Works on problem 2:' or 'Works on problems 1 and 3:', naming a problem by its id if it has no number."""
    refs = [str(number[r]) if r in number else r for r in action.resolves]
    if len(refs) == 1:
        return f"Works on problem {refs[0]}:"
    return f"Works on problems {', '.join(refs[:-1])} and {refs[-1]}:"


def gathering(p: Problem) -> str:
    """What a diagnosis's heading says about the findings it gathers."""
    n = len(p.findings)
    return f"diagnosis gathering {n} finding{'' if n == 1 else 's'}"


def no_findings_line(a) -> str:
    """What a report says when nothing was found: without unknown facts that could change it, just
    that; with them, that this is not a clean bill of health and how many facts are still open."""
    n = len(a.gaps)
    if not n:
        return "No findings."
    facts = f"{n} fact{'' if n == 1 else 's'}"
    return (f"No findings from the facts given, but {facts} that could change that {'is' if n == 1 else 'are'} "
            "unknown (listed below): this is not a clean bill of health.")


def more_line(more: int) -> str:
    return f"{more} more problem{'' if more == 1 else 's'} in the details below."
