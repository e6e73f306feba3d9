"""The terminal report opens with the answer: what is wrong, what to do first, then the rest grouped by problem."""

from report_case import answer_case

from partnerwise.render import table

OPENING = """\
Lakeside Water Compact (lakeside)
=================================
phase: implementation (assumed from: a secretariat is running, results are
  monitored; say the phase to be sure)
next: further development (not ready)
findings: 1 critical, 3 high, 3 medium, 2 low; strengths: 1

What is wrong (7 of 8 problems, most urgent first)
1. [CRITICAL] One funder's programme in disguise (D-1; findings F-1, F-2).
2. [HIGH] No conflict-of-interest rules (F-3).
3. [HIGH] Stakeholders are missing (F-4).
4. [medium] No exit plan (F-5).
5. [medium] Results are not reported (F-6).
6. [medium] No risk plan (F-7).
7. [low] Staff time is not budgeted (F-8).
1 more problem in the details below.

What to do first
1. Make the funder's decision rights explicit to all partners.
   Works on problem 1: One funder's programme in disguise.
2. Adopt a conflict-of-interest policy.
   Works on problems 1 and 2: One funder's programme in disguise; No
   conflict-of-interest rules.
3. Invite the missing stakeholders.
   Works on problem 3: Stakeholders are missing.

Strengths
+ S-1 The partners share objectives.

Ready for further development? not ready
"""

CONCERNS = """\
Concerns raised but not established (2)
~ Not established: trust.level = low (raised by the community liaison).
  If borne out, it would bring:
  - [HIGH] F-10 Trust between the partners is low
  - [medium] F-11 Trust erodes
~ Not established: secretariat.neutral = false.
  If borne out, it would bring no further finding.

Unknown facts that could change this advice (2; most consequential first)
"""


def test_the_report_opens_with_the_answer_and_the_assumed_phase():
    assert table.render([answer_case()]).startswith(OPENING)


def test_details_follow_the_problems_with_a_diagnosis_findings_under_it():
    text = table.render([answer_case()])
    details = text[text.index("\nFindings, problem by problem\n"):]
    headings = [line.split("] ")[1] for line in details.splitlines() if line[:1].isdigit()]
    assert headings == [
        "D-1 One funder's programme in disguise",
        "F-1 A dominant funder holds power",
        "F-2 The partnership has no secretariat",
        "F-3 No conflict-of-interest rules",
        "F-4 Stakeholders are missing",
        "F-5 No exit plan",
        "F-6 Results are not reported",
        "F-7 No risk plan",
        "F-8 Staff time is not budgeted",
        "F-9 No learning sessions",
    ]
    assert "\n1.1 [CRITICAL] F-1 " in details and "\n1.2 [HIGH] F-2 " in details and "\n8. [low] F-9 " in details
    assert "   Its 2 findings follow.\n" in details
    assert "     finding F-1 = true  (A dominant funder holds power)\n" in details


def test_concerns_come_after_the_details_marked_not_established():
    text = table.render([answer_case()])
    assert text.index("\n1.1 [CRITICAL]") < text.index(CONCERNS)


def test_a_given_phase_stays_on_one_line_with_the_next():
    a = answer_case()
    a.phase_status.assumed, a.phase_status.basis = False, []
    assert table.render([a]).splitlines()[2] == "phase: implementation; next: further development (not ready)"


def test_nothing_found_says_so():
    a = answer_case()
    a.findings, a.items, a.diagnoses, a.top_actions = [], [], [], []
    text = table.render([a])
    if a.gaps:  # with facts still unknown, "no findings" is not a clean bill of health
        assert "\nWhat is wrong\nNo findings from the facts given, but " in text
        assert "not a clean bill of health" in " ".join(text.split())
    a.gaps = []
    assert "\nWhat is wrong\nNo findings.\n\nStrengths\n" in table.render([a])
    assert "What to do first" not in text and "Findings, problem by problem" not in text
