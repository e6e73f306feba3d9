"""The Markdown report opens with the answer: what is wrong, what to do first, then the rest grouped by problem."""

import re

from report_case import answer_case

from partnerwise.render import markdown

OPENING = """\
# Lakeside Water Compact

- **Partnership id:** `lakeside`
- **Phase:** implementation (assumed from: a secretariat is running, results are monitored; say the phase to be sure)
- **Impact area:** water
- **Next phase:** further development (not ready)
- **Findings:** 9; **strengths:** 1

## What is wrong

Most urgent first; 7 of 8 problems.

1. **CRITICAL** One funder's programme in disguise (`D-1`; findings `F-1`, `F-2`).
2. **HIGH** No conflict-of-interest rules (`F-3`).
3. **HIGH** Stakeholders are missing (`F-4`).
4. **MEDIUM** No exit plan (`F-5`).
5. **MEDIUM** Results are not reported (`F-6`).
6. **MEDIUM** No risk plan (`F-7`).
7. **LOW** Staff time is not budgeted (`F-8`).

1 more problem in the details below.

## What to do first

1. Make the funder's decision rights explicit to all partners.
   Works on problem 1: One funder's programme in disguise.
2. Adopt a conflict-of-interest policy.
   Works on problems 1 and 2: One funder's programme in disguise; No conflict-of-interest rules.
3. Invite the missing stakeholders.
   Works on problem 3: Stakeholders are missing.

## Strengths

- `S-1` The partners share objectives.

## Ready for further development?
"""

CONCERNS = """\
## Concerns raised but not established

- **Not established:** `trust.level` = low (raised by the community liaison).
  If borne out, it would bring:
  - **HIGH** `F-10` Trust between the partners is low
  - **MEDIUM** `F-11` Trust erodes
- **Not established:** `secretariat.neutral` = false.
  If borne out, it would bring no further finding.

## Open questions
"""


def test_the_report_opens_with_the_answer_and_the_assumed_phase():
    assert markdown.render([answer_case()]).startswith(OPENING)


def test_sections_in_order():
    text = markdown.render([answer_case()])
    assert re.findall(r"^## (.*)$", text, re.M) == [
        "What is wrong", "What to do first", "Strengths", "Ready for further development?", "At a glance",
        "Findings, problem by problem", "Concerns raised but not established", "Open questions",
    ]


def test_details_follow_the_problems_with_a_diagnosis_findings_under_it():
    text = markdown.render([answer_case()])
    assert re.findall(r"^(#+ [\d.]+) ", text, re.M) == [
        "### 1.", "#### 1.1", "#### 1.2", "### 2.", "### 3.", "### 4.", "### 5.", "### 6.", "### 7.", "### 8.",
    ]
    assert "**CRITICAL** · `D-1` · diagnosis gathering 2 findings\n" in text
    assert "finding F-2 = true  (The partnership has no secretariat)\n" in text
    assert CONCERNS in text and text.index("### 8.") < text.index(CONCERNS)
