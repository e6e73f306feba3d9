"""Audit urgency: the score, the ranking (more and worse problems first; ties by priority, then id), every format."""

import csv
import io
import json
from html.parser import HTMLParser

import pytest
import yaml

from partnerwise import api
from partnerwise.audit import urgency
from partnerwise.audit.results import Brief, ItemBrief
from partnerwise.audit.tally import Tally
from partnerwise.engine.rulebase import load_rulebase

# A rule base of its own, so that every count and priority below is exact whatever the built-in
# rules become. Priorities: severity points (critical 400, high 300, medium 200, low 100) plus the
# practitioners' ranking of the cited item (U-01, ranked first: 15; U-02, ranked fifteenth: 1; U-03: 0).
SOURCES = {
    "documents": {"U": {"title": "Test source", "publisher": "partnerwise tests", "year": 2024}},
    "items": {
        "U-01": {"title": "Trust", "source": "U", "rank": 1},
        "U-02": {"title": "Exit", "source": "U", "rank": 15},
        "U-03": {"title": "Backbone", "source": "U"},
    },
}


def _finding(rid, severity, when, source, fire, quiet, title=None):
    return {
        "id": rid, "name": rid.lower(), "type": "finding", "title": title or f"Problem {rid}", "area": "steering",
        "kind": "barrier", "severity": severity, "when": when, "message": f"{rid} holds.", "rationale": "It matters.",
        "actions": [f"Fix {rid}."], "sources": [source], "examples": {"fire": [fire], "quiet": [quiet]},
    }


def _rules():
    rules = [
        _finding("U-C01", "critical", "viability.public_budget_share >= 90", "U-03",
                 {"viability": {"public_budget_share": 95}}, {}, "The public budget carries everything"),
        _finding("U-HTOP", "high", 'trust.level == "low"', "U-01", {"trust": {"level": "low"}}, {}, "Trust is low"),
        _finding("U-L01", "low", "agreement.exists == false", "U-02", {"agreement": {"exists": False}}, {}),
    ]
    for k in range(1, 7):
        rules.append(_finding(f"U-H0{k}", "high", f"resources.total_budget >= {k}", "U-03",
                              {"resources": {"total_budget": k}}, {}))
    for k in range(1, 13):
        rules.append(_finding(f"U-M{k:02d}", "medium", f"secretariat.staff >= {k}", "U-03",
                              {"secretariat": {"staff": k}}, {}))
    rules.append({
        "id": "U-D01", "name": "secretariat-overstretched", "type": "diagnosis", "title": "The secretariat is overstretched",
        "area": "diagnoses", "kind": "barrier", "severity": "medium", "when": "U_M04",
        "gathers": ["U-M01", "U-M02", "U-M03", "U-M04"], "message": "One root problem.", "rationale": "It matters.",
        "actions": ["Fix the root."], "sources": ["U-03"],
        "examples": {"fire": [{"secretariat": {"staff": 4}}], "quiet": [{"secretariat": {"staff": 3}}]},
    })
    return rules


@pytest.fixture(scope="module")
def rb(tmp_path_factory):
    folder = tmp_path_factory.mktemp("urgency-rules")
    (folder / "sources.yaml").write_text(yaml.safe_dump(SOURCES))
    for rule in _rules():
        (folder / f"{rule['id']}.yaml").write_text(yaml.safe_dump(rule, sort_keys=False))
    return load_rulebase([folder], builtin=False, sources_path=folder / "sources.yaml")


def _p(pid, **facts):
    return {"id": pid, "name": f"Partnership {pid}", "phase": "implementation", **facts}


# In input order; the comment says what each has (problems, by severity) and its urgency.
PORTFOLIO = [
    _p("q"),                                                   # nothing: not ranked
    _p("x1", resources={"total_budget": 1}),                   # 1 high (U-H01, priority 300): 10000
    _p("t2", trust={"level": "low"}, resources={"total_budget": 1}),  # 2 high, the first U-HTOP (315): 20000
    _p("s-b", secretariat={"staff": 2}),                       # 2 medium: 200
    _p("m12", secretariat={"staff": 12}),                      # 12 medium findings, 9 problems (U-D01 gathers 4): 900
    _p("t6", resources={"total_budget": 6}),                   # 6 high (300 each): 60000
    _p("g4", secretariat={"staff": 4}),                        # 4 medium findings, 1 problem (U-D01, 209): 100
    _p("s-a", secretariat={"staff": 2}),                       # as s-b: 200
    _p("x2", trust={"level": "low"}),                          # 1 high (U-HTOP, 315): 10000
    _p("c1", viability={"public_budget_share": 95}),           # 1 critical: 1000000
    _p("l1", agreement={"exists": False}),                     # 1 low: 1
]
RANKED = ["c1", "t6", "t2", "x2", "x1", "m12", "s-a", "s-b", "g4", "l1"]
SCORES = {"c1": 1000000, "t6": 60000, "t2": 20000, "x2": 10000, "x1": 10000, "m12": 900, "s-a": 200, "s-b": 200,
          "g4": 100, "l1": 1, "q": 0}


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory):
    path = tmp_path_factory.mktemp("urgency") / "portfolio.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in PORTFOLIO))
    return path


@pytest.fixture(scope="module")
def run(rb, portfolio, tmp_path_factory):
    """The audit of the portfolio in a format (jobs=0), as text."""
    folder = tmp_path_factory.mktemp("outputs")

    def audit(fmt, jobs=0):
        out = folder / f"{fmt}-{jobs}.out"
        api.audit([portfolio], rb, fmt=fmt, output=out, jobs=jobs, fail_on="none")
        return out.read_text(encoding="utf-8")

    return audit


# --- the score and the ranking ----------------------------------------------------------------------


def test_the_score_gives_two_digits_to_each_severity():
    assert urgency.score({"critical": 1, "high": 6, "medium": 9, "low": 5}) == 1060905
    assert urgency.score({"high": 6}) == 60000 > urgency.score({"high": 2}) == 20000
    assert urgency.score({}) == 0
    # One more critical outranks any number of lesser problems; a count beyond 99 adds no more.
    assert urgency.score({"critical": 1}) > urgency.score({"high": 99, "medium": 99, "low": 99}) == 999999
    assert urgency.score({"medium": 250}) == urgency.score({"medium": 99}) == 9900


def _brief(pid, *items, name=None):
    """A brief whose problems are (severity, priority) pairs, most urgent first; findings are not needed to rank."""
    counts = {sev: sum(1 for s, _ in items if s == sev) for sev in ("critical", "high", "medium", "low")}
    first = ItemBrief("finding", "R-0", "t", items[0][0], items[0][1], ("R-0",))
    return Brief(pid, name or pid, "implementation", None, "mem", "", (), first, counts)


def _ranked(*briefs):
    tally = Tally(fail_on="none", top=20)
    for b in briefs:
        tally.add(b)
    return [u["id"] for u in tally.summary().most_urgent]


def test_six_high_problems_rank_above_two_even_when_the_two_have_the_higher_priority():
    two = _brief("two", ("high", 315), ("high", 300))
    six = _brief("six", *[("high", 300)] * 6)
    assert (two.urgency, six.urgency) == (20000, 60000)
    assert _ranked(two, six) == _ranked(six, two) == ["six", "two"]


def test_one_critical_ranks_above_many_medium_and_high_problems():
    critical = _brief("critical", ("critical", 400))
    many = _brief("many", *[("high", 330)] * 7, *[("medium", 210)] * 40)
    assert (critical.urgency, many.urgency) == (1000000, 74000)
    assert _ranked(many, critical) == ["critical", "many"]


def test_ties_go_to_the_higher_priority_of_the_first_problem_then_to_the_id_then_to_input_order():
    briefs = [_brief("b", ("high", 300), ("medium", 200)), _brief("a", ("high", 300), ("medium", 200)),
              _brief("z", ("high", 315), ("medium", 200)), _brief("a", ("high", 300), ("medium", 200), name="second a")]
    tally = Tally(fail_on="none", top=20)
    for b in briefs:
        tally.add(b)
    ranked = [(u["id"], u["name"]) for u in tally.summary().most_urgent]
    assert ranked == [("z", "z"), ("a", "a"), ("a", "second a"), ("b", "b")]


def test_a_brief_made_without_problems_counts_each_finding_as_one():
    from partnerwise.audit.results import FindingBrief

    b = Brief("x", "X", None, None, "s", "", (FindingBrief("R-2", "t", "medium", 200, "m"), FindingBrief("R-1", "t", "high", 300, "m")))
    assert b.item_counts == {"critical": 0, "high": 1, "medium": 1, "low": 0}
    assert (b.urgency, b.first_item.rule, b.worst) == (10100, "R-1", "high")


# --- the portfolio, end to end ----------------------------------------------------------------------


def test_the_portfolio_ranks_by_problems_not_by_the_top_finding(run):
    doc = json.loads(run("json"))
    urgent = doc["summary"]["most_urgent"]
    assert [u["id"] for u in urgent] == RANKED
    assert [u["rank"] for u in urgent] == list(range(1, 11))
    assert [u["urgency"]["score"] for u in urgent] == [SCORES[i] for i in RANKED]
    by_id = {u["id"]: u for u in urgent}
    assert by_id["t6"]["urgency"] == {
        "score": 60000,
        "items": {"critical": 0, "high": 6, "medium": 0, "low": 0},
        "first_item": {"kind": "finding", "rule": "U-H01", "title": "Problem U-H01", "severity": "high", "priority": 300,
                       "findings": ["U-H01"]},
    }
    # Problems, not findings: twelve medium findings of which a diagnosis gathers four are nine problems.
    assert (by_id["m12"]["findings"], by_id["m12"]["urgency"]["items"]["medium"]) == (12, 9)
    assert by_id["m12"]["urgency"]["first_item"]["rule"] == "U-D01"
    assert by_id["m12"]["urgency"]["first_item"]["priority"] == 209
    assert (by_id["g4"]["findings"], by_id["g4"]["urgency"]["score"]) == (4, 100)
    # What was there before stays: the findings by severity and the top finding.
    assert by_id["t2"]["by_severity"] == {"critical": 0, "high": 2, "medium": 0, "low": 0}
    assert by_id["t2"]["top_finding"]["rule"] == "U-HTOP"


def test_each_json_and_jsonl_result_carries_its_urgency_after_the_partnership(run, rb):
    results = json.loads(run("json"))["results"]
    lines = [json.loads(line) for line in run("jsonl").splitlines()]
    assert results == lines
    assert [r["partnership"]["id"] for r in results] == [p["id"] for p in PORTFOLIO]
    assert [r["urgency"]["score"] for r in results] == [SCORES[p["id"]] for p in PORTFOLIO]
    assert results[0]["urgency"] == {"score": 0, "items": {"critical": 0, "high": 0, "medium": 0, "low": 0}, "first_item": None}
    assert list(results[2])[:3] == ["partnership", "urgency", "what_is_wrong"]
    # Apart from the urgency, each result is exactly what assess gives.
    expected = api.Assessor.of(rb).assess(PORTFOLIO[2]).to_dict()
    assert {k: v for k, v in results[2].items() if k != "urgency"} == json.loads(json.dumps(expected))


def test_csv_rows_carry_the_urgency_and_its_parts(run):
    rows = list(csv.reader(io.StringIO(run("csv"))))
    assert rows[0] == ["partnership", "name", "phase", "rule", "severity", "priority", "title", "message",
                       "urgency", "critical_items", "high_items", "medium_items", "low_items", "first_item"]
    t2 = [r for r in rows[1:] if r[0] == "t2"]
    assert t2 == [
        ["t2", "Partnership t2", "implementation", "U-HTOP", "high", "315", "Trust is low", "U-HTOP holds.",
         "20000", "0", "2", "0", "0", "Trust is low"],
        ["t2", "Partnership t2", "implementation", "U-H01", "high", "300", "Problem U-H01", "U-H01 holds.",
         "20000", "0", "2", "0", "0", "Trust is low"],
    ]
    g4 = [r[8:] for r in rows[1:] if r[0] == "g4"]
    assert g4 == [["100", "0", "0", "1", "0", "The secretariat is overstretched"]] * 4


def test_the_table_shows_each_partnership_with_its_urgency_parts_and_first_problem(run):
    text = run("table")
    section = text.split("Most urgent partnerships\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert section[3:9] == [
        " 1. Partnership c1 (c1), implementation",
        "    urgency 1000000: 1 critical, 0 high, 0 medium, 0 low (1 problem, 1 finding)",
        "    first: CRITICAL U-C01: The public budget carries everything",
        " 2. Partnership t6 (t6), implementation",
        "    urgency 60000: 0 critical, 6 high, 0 medium, 0 low (6 problems, 6 findings)",
        "    first: HIGH U-H01: Problem U-H01",
    ]
    assert [line.split(" (")[0].split(". ")[1] for line in section if line[:2].strip().isdigit()] == [
        f"Partnership {i}" for i in RANKED
    ]
    assert "    urgency 900: 0 critical, 0 high, 9 medium, 0 low (9 problems, 12 findings)" in section


def test_markdown_rows_show_the_urgency_counts_and_first_problem(run):
    text = run("markdown")
    assert ("| # | partnership | phase | urgency | critical | high | medium | low | first problem | findings |"
            in text)
    assert "| 2 | Partnership t6 (`t6`) | implementation | 60000 | 0 | 6 | 0 | 0 | high `U-H01` Problem U-H01 | 6 |" in text
    assert "| 6 | Partnership m12 (`m12`) | implementation | 900 | 0 | 0 | 9 | 0 | medium `U-D01` The secretariat is overstretched | 12 |" in text


class _Ranked(HTMLParser):
    """The rows of the page's ranking table, as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.rows, self.inside, self.cell = [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "ranked" in (dict(attrs).get("class") or ""):
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def test_the_html_page_ranks_with_the_urgency_and_shows_it(run):
    page = _Ranked()
    page.feed(run("html"))
    header, *rows = page.rows
    assert header == ["#", "partnership", "phase", "urgency", "most severe", "critical", "high", "medium", "low",
                      "first problem"]
    assert [r[1] for r in rows] == [f"Partnership {i}" for i in RANKED]
    assert rows[1] == ["2", "Partnership t6", "implementation", "60000", "High", "0", "6", "0", "0", "U-H01 Problem U-H01"]
    assert rows[5][3:] == ["900", "Medium", "0", "0", "9", "0", "U-D01 The secretariat is overstretched"]


@pytest.mark.parametrize("fmt", ["json", "csv", "table", "markdown", "html"])
def test_worker_processes_give_the_same_output(run, fmt):
    assert run(fmt, jobs=2) == run(fmt, jobs=0)
