"""The HTML report opens with the answer: what is wrong, what to do first, then the rest grouped by problem."""

from html.parser import HTMLParser

from report_case import answer_case

from partnerwise.render import html

VOID = {"br", "input", "meta", "link", "img", "hr", "wbr", "source", "col", "area", "base", "embed", "param", "track"}


class Page(HTMLParser):
    """The text of chosen elements, and the findings and diagnoses with their nesting, in page order."""

    WATCH = {"h1", "h2", "h3", "h4", "li", "p"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str, list[str]]] = []  # (tag, class, text)
        self.texts: list[tuple[str, str, str]] = []  # (tag, class, text) of every watched element, closed order
        self.articles: list[tuple[int, str]] = []  # (nesting depth, data-rule)
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "article":
            self.articles.append((self.depth, a.get("data-rule")))
            self.depth += 1
        if tag not in VOID:
            self.stack.append((tag, a.get("class") or "", []))

    def handle_endtag(self, tag):
        if tag == "article":
            self.depth -= 1
        if tag in VOID:
            return
        while self.stack:
            name, cls, text = self.stack.pop()
            joined = " ".join("".join(text).split())
            if name in self.WATCH:
                self.texts.append((name, cls, joined))
            if self.stack:
                self.stack[-1][2].append("".join(text))
            if name == tag:
                break

    def handle_data(self, data):
        if self.stack:
            self.stack[-1][2].append(data)

    def text_of(self, tag: str, cls: str = "") -> list[str]:
        return [t for name, c, t in self.texts if name == tag and (not cls or cls in c.split())]


def page() -> Page:
    p = Page()
    p.feed(html.render([answer_case()]))
    p.close()
    return p


def test_the_page_opens_with_the_answer_and_the_assumed_phase():
    p = page()
    assert p.text_of("p", "assumed") == [
        "phase: implementation (assumed from: a secretariat is running, results are monitored; say the phase to be sure)"
    ]
    assert p.text_of("h2") == [
        "What is wrong", "What to do first", "Strengths (1)", "Ready for further development? Not ready", "At a glance",
        "Findings, problem by problem (9)", "Concerns raised but not established (2)", "Open questions (2)",
    ]
    assert p.text_of("li", "problem") == [
        "Critical One funder's programme in disguise (D-1; findings F-1, F-2).",
        "High No conflict-of-interest rules (F-3).",
        "High Stakeholders are missing (F-4).",
        "Medium No exit plan (F-5).",
        "Medium Results are not reported (F-6).",
        "Medium No risk plan (F-7).",
        "Low Staff time is not budgeted (F-8).",
    ]
    assert "1 more problem in the details below." in p.text_of("p")
    actions = [t for t in p.text_of("li") if "Works on" in t]
    assert actions == [
        "Make the funder's decision rights explicit to all partners. Works on problem 1: One funder's programme in disguise.",
        "Adopt a conflict-of-interest policy. Works on problems 1 and 2: One funder's programme in disguise; "
        "No conflict-of-interest rules.",
        "Invite the missing stakeholders. Works on problem 3: Stakeholders are missing.",
    ]


def test_details_follow_the_problems_with_a_diagnosis_findings_inside_it():
    p = page()
    assert p.articles == [(0, "D-1"), (1, "F-1"), (1, "F-2")] + [(0, f"F-{i}") for i in range(3, 10)]
    assert p.text_of("h4") == ["1.1 A dominant funder holds power", "1.2 The partnership has no secretariat"]
    assert p.text_of("h3")[:2] == ["1. One funder's programme in disguise", "2. No conflict-of-interest rules"]
    # For print, each result's evidence in one line beside the folded tree.
    assert "Because: funder_dominance = true (T-D01); secretariat.exists = false" in p.text_of("p", "because")
    assert "Because: F-1 found; F-2 found" in p.text_of("p", "because")


def test_concerns_are_marked_not_established_with_what_they_would_bring():
    concerns = [t for t in page().text_of("li") if t.startswith("Not established")]
    assert concerns == [
        "Not established: trust.level = low (raised by the community liaison). If borne out, it would bring: "
        "High F-10 Trust between the partners is low Medium F-11 Trust erodes",
        "Not established: secretariat.neutral = false. If borne out, it would bring no further finding.",
    ]


def test_a_given_phase_has_no_assumption_line():
    a = answer_case()
    a.phase_status.assumed, a.phase_status.basis = False, []
    assert 'class="assumed"' not in html.render([a])


def test_a_diagnosis_resting_on_a_finding_that_did_not_fire_says_so_in_print():
    a = answer_case()
    a.diagnoses[0].evidence[1]["value"] = False
    p = Page()
    p.feed(html.render([a]))
    assert "Because: F-1 found; F-2 = false" in p.text_of("p", "because")
