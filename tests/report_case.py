"""One assessment built by hand for the format tests: a diagnosis, eight problems, concerns, an assumed phase.

Built from the result types alone, so each format's test states exactly what a reader sees
whatever the rule base says. Eight problems: the answer shows seven and says one more follows.
"""

from __future__ import annotations

from partnerwise.engine.assessment import (
    Assessment,
    Criterion,
    Diagnosis,
    Finding,
    Gap,
    Item,
    PhaseStatus,
    Possibility,
    Strength,
    TopAction,
)


def _finding(rule: str, title: str, severity: str, priority: int, area: str = "steering") -> Finding:
    return Finding(
        rule=rule,
        title=title,
        severity=severity,
        priority=priority,
        area=area,
        kind="barrier",
        message=f"Message of {rule}.",
        actions=[f"Do the first thing about {rule}.", f"Do the second thing about {rule}."],
        evidence=[{"fact": "secretariat.exists", "value": False}],
        sources=["T-01"],
        rationale=f"Why {rule} matters.",
    )


STANDALONE = [
    ("F-3", "No conflict-of-interest rules", "high", 300),
    ("F-4", "Stakeholders are missing", "high", 290),
    ("F-5", "No exit plan", "medium", 200),
    ("F-6", "Results are not reported", "medium", 190),
    ("F-7", "No risk plan", "medium", 180),
    ("F-8", "Staff time is not budgeted", "low", 100),
    ("F-9", "No learning sessions", "low", 90),
]


def answer_case() -> Assessment:
    gathered = [
        _finding("F-1", "A dominant funder holds power", "critical", 400),
        Finding(
            rule="F-2",
            title="The partnership has no secretariat",
            severity="high",
            priority=310,
            area="steering",
            kind="success_factor",
            message="Lakeside Water Compact has no secretariat.",
            actions=["Set up a secretariat."],
            evidence=[
                {"derived": "funder_dominance", "value": True, "rule": "T-D01", "title": "One funder provides half",
                 "because": [{"fact": "funding.largest_share", "value": 70.0}]},
                {"fact": "secretariat.exists", "value": False},
            ],
            sources=["T-02", "T-03"],
            rationale="Implementation needs coordination.",
        ),
    ]
    alone = [_finding(r, t, s, p) for r, t, s, p in STANDALONE]
    diagnosis = Diagnosis(
        rule="D-1",
        title="One funder's programme in disguise",
        severity="critical",
        priority=403,
        message="Big Fund provides 70% of the money and nothing balances it.",
        findings=["F-1", "F-2"],
        actions=["Make the funder's decision rights explicit to all partners."],
        evidence=[
            {"finding": "F-1", "value": True, "title": "A dominant funder holds power"},
            {"finding": "F-2", "value": True, "title": "The partnership has no secretariat"},
        ],
        sources=["T-01"],
        rationale="Money without counterweight makes one organisation's programme.",
    )
    items = [Item(kind="diagnosis", rule="D-1", title=diagnosis.title, severity="critical", priority=403,
                  message=diagnosis.message, findings=["F-1", "F-2"])]
    items += [Item(kind="finding", rule=f.rule, title=f.title, severity=f.severity, priority=f.priority,
                   message=f.message, findings=[f.rule]) for f in alone]
    return Assessment(
        id="lakeside",
        name="Lakeside Water Compact",
        phase="implementation",
        area="water",
        findings=[gathered[0]] + alone + [gathered[1]],  # leading findings of different problems first
        strengths=[Strength(rule="S-1", title="Objectives are shared", area="strategy",
                            message="The partners share objectives.", evidence=[], sources=["T-01"])],
        phase_status=PhaseStatus(
            declared="implementation",
            next="further_development",
            ready_for_next=False,
            criteria=[Criterion(id="G-1", title="A neutral secretariat works", met=False,
                                actions=["Set up a secretariat."], sources=["T-02"])],
            next_actions=["Set up a secretariat."],
            assumed=True,
            basis=["a secretariat is running", "results are monitored"],
        ),
        gaps=[
            Gap(fact="phase", question="Which phase is the partnership in? (assumed: implementation)", rules=[],
                weight=10_000),
            Gap(fact="trust.level", question="How would you describe trust between the partners?", rules=["F-1"],
                weight=300),
        ],
        diagnoses=[diagnosis],
        items=items,
        top_actions=[
            TopAction(action="Make the funder's decision rights explicit to all partners.", resolves=["D-1"],
                      resolves_titles=[diagnosis.title]),
            TopAction(action="Adopt a conflict-of-interest policy.", resolves=["D-1", "F-3"],
                      resolves_titles=[diagnosis.title, "No conflict-of-interest rules"]),
            TopAction(action="Invite the missing stakeholders.", resolves=["F-4"],
                      resolves_titles=["Stakeholders are missing"]),
        ],
        possibilities=[
            Possibility(fact="trust.level", value="low", note="raised by the community liaison",
                        findings=[("F-10", "Trust between the partners is low", "high"), ("F-11", "Trust erodes", "medium")]),
            Possibility(fact="secretariat.neutral", value=False, note=None, findings=[]),
        ],
        phase_assumed=True,
    )
