"""The reports: small golden files on the fixture rule base, every example well formed, escaping, charts, a browser.

Golden files live in tests/golden/ and are made on the fixture rule base (tests/fixtures/chain) and
the partnerships in tests/fixtures/chain_cases, so they change only when a report changes, never when
a built-in rule does. After a deliberate change of a report, rewrite them with
`PARTNERWISE_UPDATE_GOLDEN=1 python -m pytest tests/test_html.py` and review the diff.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES

from partnerwise import api
from partnerwise.api import default_assessor, load_partnership
from partnerwise.cli import main
from partnerwise.render import charts, get_renderer, html, markdown

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("PARTNERWISE_UPDATE_GOLDEN") == "1"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
NASTY_NAME = "<script>alert(\"pwned\")</script> & 'Quoted' \"Partners\""


def run_cli(*args) -> str:
    """The output of a command run with --fail-on none, which must succeed."""
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path.name}; create it with PARTNERWISE_UPDATE_GOLDEN=1 (see tests/golden/README.md)"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (
        f"{path.name} differs from the report; if the change is intended, rerun with "
        "PARTNERWISE_UPDATE_GOLDEN=1 and review the diff (see tests/golden/README.md)"
    )


# --- an outline of a page: what the golden files compare -------------------------------------------


class Outline(HTMLParser):
    """Headings, findings, charts and other marks of a page, in document order, whitespace collapsed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.levels: list[int] = []
        self.heading: list[str] | None = None
        self.tags: list[str] = []
        self.svgs: list[dict] = []
        self.scripts = 0
        self.csp = ""
        self.loads: list[str] = []  # attributes that would fetch something
        self.text: list[str] = []
        self._svg_depth = 0
        self._in_svg_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "srcset", "poster", "data", "action", "formaction", "xlink:href") or (
                name == "href" and not (value or "").startswith("#")
            ):
                self.loads.append(f"<{tag} {name}={value!r}>")
        if re.fullmatch(r"h[1-6]", tag):
            self.heading = []
            self.levels.append(int(tag[1]))
        elif tag == "article" and (a.get("class") or "").split()[0] in ("finding", "diagnosis"):
            kind, sev = a["class"].split()[:2]
            self.lines.append(f"  {kind} {a['data-rule']} {sev[4:]}")
        elif tag == "li" and "problem" in (a.get("class") or "").split():
            self.lines.append(f"  answer {a['data-rule']}")
        elif tag == "p" and "assumed" in (a.get("class") or "").split():
            self.lines.append("  assumed phase")
        elif tag == "figure":
            self.lines.append(f"  chart {a.get('data-chart')}")
        elif tag == "svg":
            self._svg_depth += 1
            self.svgs.append({"attrs": a, "title": None})
        elif tag == "title" and self._svg_depth:
            self._in_svg_title = True
        elif tag == "script":
            self.scripts += 1
        elif tag == "meta" and a.get("http-equiv") == "Content-Security-Policy":
            self.csp = a.get("content", "")
        elif tag == "tr" and a.get("data-id"):
            self.lines.append(f"  ranked {a['data-id']}")

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag) and self.heading is not None:
            self.lines.append(f"{tag} {' '.join(''.join(self.heading).split())}")
            self.heading = None
        elif tag == "svg":
            self._svg_depth -= 1
        elif tag == "title":
            self._in_svg_title = False

    def handle_data(self, data):
        if self.heading is not None:
            self.heading.append(data)
        if self._in_svg_title and self.svgs and self.svgs[-1]["title"] is None:
            self.svgs[-1]["title"] = data
        self.text.append(data)


def outline(page: str) -> Outline:
    o = Outline()
    o.feed(page)
    o.close()
    return o


def assert_well_formed(page: str) -> Outline:
    o = outline(page)
    assert page.startswith("<!doctype html>")
    assert o.csp.startswith("default-src 'none'; ") and "unsafe" not in o.csp
    assert o.levels and o.levels[0] == 1 and o.levels.count(1) == 1, "exactly one h1, first"
    for before, after in zip(o.levels, o.levels[1:]):
        assert after <= before + 1, f"heading levels skip from h{before} to h{after}"
    for s in o.svgs:
        assert s["attrs"].get("role") == "img" and s["attrs"].get("aria-label") and s["title"], s["attrs"]
    assert o.scripts == 1, "only the page's own script"
    # Nothing is loaded from anywhere: no src attributes, no links other than to the page itself.
    assert o.loads == []
    assert "@import" not in page and "url(" not in page
    return o


# --- golden files ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def assessed():
    runner = default_assessor()
    out = {}
    for path in EXAMPLE_FILES:
        a = runner.assess(load_partnership(path))
        out[path.stem] = a
    return out


CHAIN_CASES = sorted((Path(__file__).resolve().parent / "fixtures" / "chain_cases").glob("*.yaml"))


@pytest.fixture(scope="module")
def chain_results(chain_rb):
    results, errors = api.assess_files(CHAIN_CASES, chain_rb)
    assert errors == []
    return results


@pytest.mark.parametrize("fmt, suffix", [("table", "txt"), ("markdown", "md"), ("json", "json")])
def test_golden_reports_on_the_fixture_rule_base(chain_results, chain_rb, fmt, suffix):
    check_golden(f"chain-cases.{suffix}", get_renderer(fmt)(chain_results, single=False, rulebase=chain_rb))


def test_golden_html_outline_on_the_fixture_rule_base(chain_results, chain_rb):
    page = html.render(chain_results, rulebase=chain_rb)
    o = assert_well_formed(page)
    check_golden("chain-cases.outline", "\n".join(o.lines) + "\n")


def test_golden_portfolio_outline_on_the_fixture_rule_base(tmp_path, chain_rb):
    out = tmp_path / "portfolio.html"
    summary = api.audit(CHAIN_CASES, chain_rb, fmt="html", output=out, jobs=0, fail_on="none")
    assert (summary.assessed, summary.with_findings) == (3, 1)
    o = assert_well_formed(out.read_text(encoding="utf-8"))
    assert sum(1 for s in o.svgs) == 2
    check_golden("chain-portfolio.outline", "\n".join(o.lines) + "\n")


def by_problem(a) -> list[str]:
    """The findings of an assessment in the order the reports give them: problem by problem."""
    return [fid for item in a.items for fid in item.findings]


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_example_report_is_well_formed_answer_first_with_findings_by_problem(path, assessed):
    a = assessed[path.stem]
    page = run_cli("assess", path, "--format", "html", "--fail-on", "none")
    o = assert_well_formed(page)
    rules = [line.split()[1] for line in o.lines if line.startswith("  finding ")]
    assert rules == by_problem(a) and sorted(rules) == sorted(f.rule for f in a.findings)
    assert [line.split()[1] for line in o.lines if line.startswith("  answer ")] == [i.rule for i in a.items[:7]]
    assert [line.split()[1] for line in o.lines if line.startswith("  diagnosis ")] == [
        i.rule for i in a.items if i.kind == "diagnosis"
    ]
    text = run_cli("assess", path, "--format", "markdown", "--fail-on", "none")
    assert re.findall(r"^\*\*\w+\*\* · `([A-Z0-9-]+)` · area:", text, re.M) == rules


def test_the_examples_portfolio_page_is_well_formed(tmp_path, assessed):
    out = tmp_path / "portfolio.html"
    run_cli("audit", *EXAMPLE_FILES, "--jobs", "0", "--format", "html", "--output", out, "--fail-on", "none")
    o = assert_well_formed(out.read_text(encoding="utf-8"))
    assert sum(1 for s in o.svgs) == 2
    ranked = [line.split()[1] for line in o.lines if line.startswith("  ranked ")]
    assert sorted(ranked) == sorted(k for k, a in assessed.items() if a.findings)


def test_several_partnerships_make_one_page_with_contents(assessed):
    page = html.render(list(assessed.values()))
    o = assert_well_formed(page)
    assert [line for line in o.lines if line.startswith("h2 ")][: len(assessed)] == [
        f"h2 {' '.join(a.name.split())}" for a in assessed.values()
    ]
    assert page.count('<section class="partnership"') == len(assessed)


def test_markdown_has_every_section_of_the_html(assessed):
    a = assessed["troubled-implementation"]
    text = markdown.render([a])
    for heading in ("## What is wrong", "## What to do first", "## At a glance", "## Findings, problem by problem",
                    "## Strengths", "## Ready for", "## Open questions"):
        assert heading in text
    assert "Share of the budget by funder" in text and "How each partner rates" in text
    assert "Aurelian Beverages Foundation | 75%" in text
    # Source titles from the catalogue, as in the HTML.
    assert re.search(r"- `PAA-BAR-5` \S", text)


# --- escaping -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nasty_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("nasty") / "nasty.json"
    path.write_text(json.dumps({
        "id": "nasty",
        "name": NASTY_NAME,
        "phase": "implementation",
        "partners": [
            {"name": "<img src=x onerror=alert(1)>", "ratings": {"trust": 1, "fairness": 1}},
            {"name": "Quote \" and ' partner", "ratings": {"trust": 5, "fairness": 4}},
        ],
        "funders": [{"name": "</svg><script>alert(2)</script>", "share": 80}, {"name": "A&B <b>Fund</b>", "share": 20}],
        "governance": {"equal_terms": False},
    }))
    return path


def test_names_with_markup_and_quotes_render_as_text(nasty_file):
    page = run_cli("assess", nasty_file, "--format", "html", "--fail-on", "none")
    o = assert_well_formed(page)
    assert page.count("<script") == 1 and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(" in page and "&lt;/svg&gt;&lt;script&gt;" in page
    text = "".join(o.text)
    assert NASTY_NAME in text and "</svg><script>alert(2)</script>" in text and "<img src=x onerror=alert(1)>" in text
    assert {f["key"] for f in html.figures(default_assessor().assess(load_partnership(nasty_file)))} == {"areas", "funding", "ratings"}
    md_text = run_cli("assess", nasty_file, "--format", "markdown", "--fail-on", "none")
    assert "<script>" not in md_text and "\\<script\\>" in md_text


def test_portfolio_escapes_names_and_bad_records(tmp_path):
    folder = tmp_path / "portfolio"
    folder.mkdir()
    facts = load_partnership(EXAMPLES / "troubled-implementation.yaml").model_dump(mode="json", exclude_none=True)
    (folder / "a.json").write_text(json.dumps({**facts, "id": "a", "name": NASTY_NAME}))
    (folder / "b.json").write_text('{"name": "<script>broken"')
    out = tmp_path / "p.html"
    result = CliRunner().invoke(main, ["audit", str(folder), "--jobs", "0", "--format", "html", "--output", str(out)])
    assert result.exit_code == 1, result.output  # the troubled example has findings above --fail-on high
    page = out.read_text()
    o = assert_well_formed(page)
    assert page.count("<script") == 1
    assert NASTY_NAME in "".join(o.text)
    assert "Bad records (1)" in "".join(o.text)


# --- the chart builder ----------------------------------------------------------------------------


def test_svg_builder_escapes_text_and_attributes():
    out = charts.el("text", "<b>&'\"", x=1.5, aria_label='a"b<', class_="c")
    assert str(out) == '<text x="1.5" aria-label="a&#34;b&lt;" class="c">&lt;b&gt;&amp;&#39;&#34;</text>'
    assert str(charts.el("rect", width=2.0)) == '<rect width="2"/>'


def _parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))


def test_charts_are_valid_svg_that_state_their_figures():
    ns = "{http://www.w3.org/2000/svg}"
    bars = _parse(charts.findings_by_area({"steering": {"high": 2, "low": 1}}, html.AREAS))
    assert bars.get("role") == "img" and bars.find(f"{ns}title").text == "Findings by area"
    assert "steering: 3 (2 high, 1 low)" in bars.get("aria-label")
    texts = [t.text for t in bars.iter(f"{ns}text")]
    assert "3" in texts and texts.count("0") == 5

    funding = _parse(charts.funding_shares([("Small", 20.0, "grant"), ("Big", 60.0, None)]))
    labels = [t.text for t in funding.iter(f"{ns}text") if t.text]
    assert labels.index("Big") < labels.index("Small") and "not accounted for" in labels and "20%" in labels
    unknown = _parse(charts.funding_shares([("X", None, None)]))
    assert "share unknown" in [t.text for t in unknown.iter(f"{ns}text")]

    ratings = _parse(charts.partner_ratings(["trust", "fairness"], [("A", {"trust": 1.5, "fairness": 4}), ("B", {"trust": 4.5, "fairness": 4})]))
    heads = [t.text for t in ratings.iter(f"{ns}text") if t.text and t.text.startswith(("trust", "fairness"))]
    assert heads == ["trust: gap of 3 points (perception gap)", "fairness: gap of 0 points"]

    heat = _parse(charts.heat_map(["steering"], [("design", "design", 4), ("implementation", "implementation", 0)],
                                  {("steering", "design"): 1}))
    cells = [t.text for t in heat.iter(f"{ns}text")]
    assert "25%" in cells and "–" in cells and "n = 4" in cells


# --- a real browser -------------------------------------------------------------------------------

BROWSER_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
]


def _browser_parts():
    """(webdriver module, chromium path, chromedriver path), or a reason why the browser test cannot run."""
    try:
        from selenium import webdriver
    except ImportError:
        return None, "selenium is not installed (pip install -e '.[test]')"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or next(
        (p for p in ("/usr/lib/chromium/chromedriver", "/usr/bin/chromedriver") if Path(p).exists()), None
    )
    if not chromium or not driver:
        return None, "Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
    return (webdriver, chromium, driver), None


def _start(javascript: bool = True):
    parts, reason = _browser_parts()
    if parts is None:
        pytest.skip(f"BROWSER TEST NOT RUN: {reason}; the HTML reports were not checked in a real browser")
    webdriver, chromium, driver_path = parts
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in BROWSER_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="partnerwise-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument("--window-size=1200,900")
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    except Exception as e:  # a browser that is installed but cannot start is a failure, not a skip
        shutil.rmtree(profile, ignore_errors=True)
        raise AssertionError(f"chromium did not start: {e}") from e
    driver._partnerwise_profile = profile
    return driver


def _stop(driver) -> None:
    driver.quit()
    shutil.rmtree(driver._partnerwise_profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    driver = _start()
    yield driver
    _stop(driver)


NETWORK_SCHEMES = ("http:", "https:", "ws:", "wss:", "ftp:")


def _requests(driver, page: Path) -> list[str]:
    """Every request the page made, and any request to the network made by anything while it loaded.

    The browser's own new-tab page loads chrome:// resources of its own at the same time; those
    never leave the machine and are not the page's doing.
    """
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            params = message["params"]
            url = params["request"]["url"]
            if params.get("documentURL") == page.as_uri() or url.startswith(NETWORK_SCHEMES):
                urls.append(url)
    return urls


def _open(driver, path: Path) -> tuple[list[dict], list[str]]:
    driver.get_log("browser")
    driver.get_log("performance")
    driver.get(path.as_uri())
    driver.execute_script("return document.readyState")
    return driver.get_log("browser"), _requests(driver, path)


def _offsite(urls: list[str], page: Path) -> list[str]:
    return [u for u in urls if u != page.as_uri()]


@pytest.fixture(scope="module")
def pages(tmp_path_factory, nasty_file):
    folder = tmp_path_factory.mktemp("pages")
    out = {}
    for path in EXAMPLE_FILES:
        out[path.stem] = folder / f"{path.stem}.html"
        run_cli("assess", path, "--format", "html", "--output", out[path.stem], "--fail-on", "none")
    out["all"] = folder / "all.html"
    run_cli("assess", *EXAMPLE_FILES, "--format", "html", "--output", out["all"], "--fail-on", "none")
    out["portfolio"] = folder / "portfolio.html"
    run_cli("audit", *EXAMPLE_FILES, "--jobs", "0", "--format", "html", "--output", out["portfolio"], "--fail-on", "none")
    out["nasty"] = folder / "nasty.html"
    run_cli("assess", nasty_file, "--format", "html", "--output", out["nasty"], "--fail-on", "none")
    return out


def test_browser_sees_a_request_when_a_page_makes_one(browser, tmp_path):
    """The network check below is not vacuous: a page that loads an image from afar is caught."""
    page = tmp_path / "leaky.html"
    page.write_text('<!doctype html><title>leak</title><img src="http://127.0.0.1:9/x.png" alt="">')
    _, urls = _open(browser, page)
    assert _offsite(urls, page) == ["http://127.0.0.1:9/x.png"]


def test_reports_in_a_real_browser(browser, pages, assessed):
    for name, page in pages.items():
        console, urls = _open(browser, page)
        assert [e for e in console if e["level"] in ("SEVERE", "WARNING")] == [], f"{name}: console messages"
        assert _offsite(urls, page) == [], f"{name}: network requests"
        sizes = browser.execute_script(
            "return Array.from(document.querySelectorAll('svg.chart')).map(function (s) {"
            " var r = s.getBoundingClientRect(); return [r.width, r.height]; })"
        )
        assert sizes and all(w > 50 and h > 20 for w, h in sizes), f"{name}: chart sizes {sizes}"
        if name in assessed:
            shown = browser.execute_script(
                "return Array.from(document.querySelectorAll('article.finding')).map(function (a) {"
                " return [a.getAttribute('data-rule'), a.getBoundingClientRect().top]; })"
            )
            assert [r for r, _ in shown] == by_problem(assessed[name]), f"{name}: order"
            tops = [t for _, t in shown]
            assert tops == sorted(tops), f"{name}: findings laid out problem by problem"
            # Every problem of the answer links to its place in the details.
            targets = browser.execute_script(
                "return Array.from(document.querySelectorAll('li.problem a')).map(function (a) {"
                " var t = document.getElementById(a.getAttribute('href').slice(1)); return t && t.getAttribute('data-rule'); })"
            )
            assert targets == [i.rule for i in assessed[name].items[:7]], f"{name}: answer links"
            assert len(sizes) == len(html.figures(assessed[name]))


def test_names_stay_text_in_the_browser(browser, pages):
    console, _ = _open(browser, pages["nasty"])
    assert console == []
    assert browser.find_element("css selector", "h1").text == " ".join(NASTY_NAME.split())
    assert browser.execute_script("return document.querySelectorAll('main script, main img, main b').length") == 0


def test_tables_sort_with_javascript(browser, pages):
    _open(browser, pages["portfolio"])
    ids = "return Array.from(document.querySelectorAll('table.ranked tbody tr')).map(function (r) { return r.getAttribute('data-id'); })"
    before = browser.execute_script(ids)
    button = browser.find_element("css selector", "table.ranked thead th:first-child button")
    button.click()
    button.click()
    assert browser.execute_script(ids) == list(reversed(before))


def test_reports_read_without_javascript(pages):
    driver = _start(javascript=False)
    try:
        console, urls = _open(driver, pages["troubled-implementation"])
        assert console == [] and _offsite(urls, pages["troubled-implementation"]) == []
        findings = driver.find_elements("css selector", "article.finding")
        assert findings and all(f.is_displayed() for f in findings)
        assert driver.find_elements("css selector", "th button") == []  # the sort buttons come from the script
        assert driver.find_element("css selector", "svg.chart").size["width"] > 50
    finally:
        _stop(driver)


# --- print -------------------------------------------------------------------------------------------

# Printed on A4 by Chromium's "save as PDF". Measured with Chromium 150: one partnership takes 2 to 5
# pages (the troubled example, 54 findings, 10), all twelve examples 44 or 45 (as the rules change);
# before the print layout was fixed, 3 to 24 pages (troubled 62, all 208), a finding to a page. A partnership is allowed three
# pages for its answer, next phase, charts and questions, plus a page for every five findings; the
# limits leave at least a page of room over the measured counts for other fonts.
EXAMPLES_REPORT_PAGES = 50


def printed_pages(driver, page: Path) -> int:
    from selenium.common.exceptions import InvalidArgumentException
    from selenium.webdriver.common.print_page_options import PrintOptions

    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(page.as_uri())
    # A large report can still be 'interactive' when get() returns; printing before its script has
    # run would count the pages of a half-laid-out document.
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7
    # Headless Chromium now and then answers a print of a loaded page with "Printing failed" and
    # prints it on the next try; any other error, or three failures, fail the test.
    for attempt in range(3):
        try:
            pdf = base64.b64decode(driver.print_page(options))
            break
        except InvalidArgumentException as e:
            if "Printing failed" not in str(e) or attempt == 2:
                raise
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_printed_reports_are_short_and_keep_each_partnership_together(browser, pages, assessed):
    alone = {name: printed_pages(browser, pages[name]) for name in assessed}
    for name, n in alone.items():
        findings = len(assessed[name].findings)
        assert 1 <= n <= 3 + math.ceil(findings / 5), f"{name}: {n} printed pages for {findings} findings"
    together = printed_pages(browser, pages["all"])
    # Each partnership starts a page of its own and takes no more pages than printed alone; the
    # contents table may need one more.
    assert len(assessed) <= together <= min(sum(alone.values()) + 1, EXAMPLES_REPORT_PAGES), (together, alone)
