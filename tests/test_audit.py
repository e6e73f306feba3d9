"""Portfolio audit: same results as assess, exact summary counts, bad records in every format, dead workers, Ctrl-C."""

import csv
import importlib.util
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import orjson
import pytest

from conftest import EXAMPLES, ROOT
from partnerwise.api import default_assessor
from partnerwise.audit.readers import Record
from partnerwise.audit.results import Brief, FindingBrief
from partnerwise.audit.run import Audit
from partnerwise.audit.sinks import neutralise
from partnerwise.audit.tally import Tally
from partnerwise.facts.loader import load_partnership, validate_partnership

SEVERITIES = ["critical", "high", "medium", "low"]


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory):
    """A small generated portfolio (JSON Lines) and its partnerships as plain data."""
    path = tmp_path_factory.mktemp("portfolio") / "portfolio.jsonl"
    _generator().write_jsonl(path, 120, seed=7)
    return path, [orjson.loads(line) for line in path.read_bytes().splitlines()]


@pytest.fixture(scope="module")
def expected(portfolio):
    """What `assess` says of each partnership of the portfolio, one at a time."""
    _, records = portfolio
    assessor = default_assessor()
    return [assessor.assess(validate_partnership(r, "test")) for r in records]


def _jsonl(text):
    results, errors = [], []
    for line in text.splitlines():
        doc = json.loads(line)
        (errors.append(doc["error"]) if "error" in doc else results.append(doc))
    return results, errors


WEIGHTS = {"critical": 1_000_000, "high": 10_000, "medium": 100, "low": 1}


def _problems(a):
    """An assessment's problems ("what is wrong", every item) by severity."""
    counts = Counter(i.severity for i in a.items)
    return {s: counts[s] for s in SEVERITIES}


def _urgency(a):
    """The urgency the audit adds to each result: docs/audit.md, worked out here from the assessment."""
    first = a.items[0] if a.items else None
    return {
        "score": sum(WEIGHTS[s] * n for s, n in _problems(a).items()),
        "items": _problems(a),
        "first_item": None if first is None else {
            "kind": first.kind, "rule": first.rule, "title": first.title, "severity": first.severity,
            "priority": first.priority, "findings": list(first.findings),
        },
    }


def _as_audited(a):
    """What the audit's json and jsonl give for an assessment: the assess object, the urgency after the partnership."""
    doc = json.loads(json.dumps(a.to_dict()))
    return {"partnership": doc.pop("partnership"), "urgency": _urgency(a), **doc}


def test_audit_results_equal_assess_results(cli, portfolio, expected):
    path, _ = portfolio
    result = cli("audit", path, "--format", "jsonl", "--jobs", "0", "--fail-on", "none")
    assert result.exit_code == 0, result.output
    results, errors = _jsonl(result.stdout)
    assert errors == []
    assert results == [_as_audited(a) for a in expected]


def test_worker_processes_give_the_same_results_in_input_order(cli, portfolio, expected):
    path, _ = portfolio
    result = cli("audit", path, "--format", "json", "--jobs", "2", "--fail-on", "none")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) == {"summary", "results", "errors"}
    assert [r["partnership"]["id"] for r in doc["results"]] == [a.id for a in expected]
    assert doc["results"] == [_as_audited(a) for a in expected]
    alone = json.loads(cli("audit", path, "--format", "json", "--jobs", "0", "--fail-on", "none").stdout)
    assert doc["summary"] == alone["summary"]


def test_summary_counts_are_exact(cli, portfolio, expected):
    path, _ = portfolio
    s = json.loads(cli("audit", path, "--format", "json", "--jobs", "0").stdout)["summary"]
    n = len(expected)
    assert (s["assessed"], s["bad_records"], s["failed_records"], s["records_read"]) == (n, 0, 0, n)
    assert s["complete"] is True and s["interrupted"] is False
    assert s["with_findings"] == sum(1 for a in expected if a.findings)
    worst = Counter(min((f.severity for f in a.findings), key=SEVERITIES.index, default="none") for a in expected)
    assert s["by_worst_severity"] == {k: worst.get(k, 0) for k in SEVERITIES + ["none"]}
    assert s["at_or_above_fail_on"] == worst["critical"] + worst["high"]
    counts = Counter(f.rule for a in expected for f in a.findings)
    assert {f["rule"]: f["count"] for f in s["common_findings"]} == dict(counts)
    for f in s["common_findings"]:
        assert f["percent"] == round(100 * counts[f["rule"]] / n, 1)
    assert [f["count"] for f in s["common_findings"]] == sorted(counts.values(), reverse=True)
    for group, attr in (("by_phase", "phase"), ("by_impact_area", "area")):
        key = "phase" if group == "by_phase" else "impact_area"
        for g in s[group]:
            members = [a for a in expected if (getattr(a, attr) or "unknown") == g[key]]
            assert g["assessed"] == len(members)
            assert g["with_findings"] == sum(1 for a in members if a.findings)
            assert {f["rule"]: f["count"] for f in g["findings"]} == dict(Counter(f.rule for a in members for f in a.findings))
        assert sum(g["assessed"] for g in s[group]) == n
    # The most urgent: the highest urgency, then the first problem's priority, then the id, then input order.
    ranked = sorted(
        (i for i, a in enumerate(expected) if a.items),
        key=lambda i: (-_urgency(expected[i])["score"], -expected[i].items[0].priority, expected[i].id, i),
    )[:10]
    assert [u["id"] for u in s["most_urgent"]] == [expected[i].id for i in ranked]
    assert [u["urgency"] for u in s["most_urgent"]] == [_urgency(expected[i]) for i in ranked]
    scores = [u["urgency"]["score"] for u in s["most_urgent"]]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]


def test_summary_table_and_markdown(cli, portfolio):
    path, _ = portfolio
    table = cli("audit", path, "--jobs", "0", "--fail-on", "none")
    assert table.exit_code == 0
    for heading in ("Partnerships assessed: 120", "Bad records: 0", "Most urgent partnerships", "Most common findings",
                    "By phase", "By impact area"):
        assert heading in table.stdout
    md = cli("audit", path, "--jobs", "0", "--format", "markdown", "--fail-on", "none").stdout
    assert md.startswith("# Portfolio audit") and "## Most common findings" in md and "| `" in md


def test_examples_folder_in_a_real_process():
    proc = subprocess.run(
        [sys.executable, "-m", "partnerwise.cli", "audit", str(EXAMPLES), "--format", "json", "--jobs", "2"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    files = sorted(EXAMPLES.glob("*.yaml"))
    doc = json.loads(proc.stdout)
    assessor = default_assessor()
    assert [r["partnership"]["id"] for r in doc["results"]] == [load_partnership(f).id for f in files]
    assert doc["results"] == [_as_audited(assessor.assess(load_partnership(f))) for f in files]
    assert doc["summary"]["assessed"] == len(files) and doc["errors"] == []
    worst = {f["severity"] for r in doc["results"] for f in r["findings"]}
    assert proc.returncode == (1 if worst & {"critical", "high"} else 0), proc.stderr


GOOD = {"name": "Good", "phase": "implementation", "secretariat": {"exists": False}}


@pytest.fixture
def bad_sources(tmp_path):
    jsonl = tmp_path / "p.jsonl"
    jsonl.write_text(
        json.dumps(GOOD) + "\n"
        + '{"name": "Bad phase", "phase": "desing"}\n'
        + "not json\n"
        + "\n"
        + "[1, 2]\n"
        + json.dumps({**GOOD, "name": "Good 2"}) + "\n"
    )
    table = tmp_path / "p.csv"
    table.write_text(
        "id,name,phase,secretariat.exists,partners,funders\n"
        'c1,Alpha,implementation,no,"[{""name"": ""X"", ""sector"": ""business""}]",\n'
        "c2,Beta,implementation,maybe,,\n"
        'c3,Gamma,design,yes,"[{""name"": ""X""}",[]\n'
        "c4,Delta,design,,,,\n"
        "c5,Eps,implementation,FALSE,,\n"
    )
    json_list = tmp_path / "l.json"
    json_list.write_text(
        "[\n"
        + json.dumps({**GOOD, "name": "J1"}) + ",\n"
        + '{"name": "J2", "trust": {"level": "lowish"}},\n'
        + '{"phase": "design"},\n'
        + json.dumps({**GOOD, "name": "J4"}) + "\n]\n"
    )
    yaml_list = tmp_path / "l.yaml"
    yaml_list.write_text(
        "- name: Y1\n  phase: implementation\n  secretariat: {exists: false}\n"
        "- name: Y2\n  secretariat:\n    exists: perhaps\n"
        "- just a string\n"
        "- name: Y4\n"
    )
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.yaml").write_text("name: F1\nphase: implementation\nsecretariat: {exists: false}\n")
    (folder / "sub" / "b.yml").write_text("name: F2\nphase: nope\n")
    (folder / "c.json").write_text('{"name": "F3",}')
    (folder / "notes.txt").write_text("not a fact file")
    return {"jsonl": jsonl, "csv": table, "json": json_list, "yaml": yaml_list, "folder": folder}


BAD = {
    "jsonl": [("p.jsonl", "line 2", "phase: found 'desing'"), ("p.jsonl", "line 3", "not valid JSON"),
              ("p.jsonl", "line 5", "found a list, expected a mapping")],
    "csv": [("p.csv", "line 3", "secretariat.exists: found 'maybe', expected true or false"),
            ("p.csv", "line 4", "partners: not valid JSON"), ("p.csv", "line 5", "found 7 cells, expected 6")],
    "json": [("l.json", "record 2, line 3", "trust.level: found 'lowish'"), ("l.json", "record 3, line 4", "name: is missing")],
    "yaml": [("l.yaml", "record 2, line 6", "secretariat.exists: found 'perhaps'"),
             ("l.yaml", "record 3, line 7", "found a str, expected a mapping")],
    "folder": [("c.json", "line 1", "not valid JSON"), ("b.yml", "line 2", "phase: found 'nope'")],
}
GOOD_COUNT = {"jsonl": 2, "csv": 2, "json": 2, "yaml": 2, "folder": 1}


@pytest.mark.parametrize("fmt", list(BAD))
def test_bad_records_are_reported_with_their_place_and_the_audit_goes_on(cli, bad_sources, fmt):
    result = cli("audit", bad_sources[fmt], "--format", "json", "--jobs", "0", "--fail-on", "none")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["summary"]["assessed"] == GOOD_COUNT[fmt] == len(doc["results"])
    assert doc["summary"]["bad_records"] == len(BAD[fmt]) == len(doc["errors"])
    for err, (name, location, text) in zip(sorted(doc["errors"], key=lambda e: e["location"]), sorted(BAD[fmt], key=lambda b: b[1])):
        assert err["source"].endswith(name) and err["location"] == location and text in err["message"], err
        assert f"{err['location']}: " in result.stderr
    strict = cli("audit", bad_sources[fmt], "--jobs", "0", "--fail-on", "none", "--strict")
    assert strict.exit_code == 2


def test_all_sources_together_in_jsonl_with_workers(cli, bad_sources):
    result = cli("audit", *bad_sources.values(), "--format", "jsonl", "--jobs", "2", "--fail-on", "none")
    results, errors = _jsonl(result.stdout)
    assert len(results) == sum(GOOD_COUNT.values()) and len(errors) == sum(map(len, BAD.values()))
    assert [r["partnership"]["name"] for r in results] == ["Good", "Good 2", "Alpha", "Eps", "J1", "J4", "Y1", "Y4", "F1"]


def test_csv_output_one_row_per_finding_and_no_formulas(cli, tmp_path):
    src = tmp_path / "p.jsonl"
    src.write_text(json.dumps({**GOOD, "id": "x1", "name": "=HYPERLINK(\"http://example.org\")"}) + "\n")
    out = tmp_path / "out.csv"
    result = cli("audit", src, "--format", "csv", "--output", out, "--jobs", "0", "--fail-on", "none")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0][:8] == ["partnership", "name", "phase", "rule", "severity", "priority", "title", "message"]
    expected = default_assessor().assess({**GOOD, "id": "x1", "name": "=HYPERLINK(\"http://example.org\")"})
    assert [r[3] for r in rows[1:]] == [f.rule for f in expected.findings]
    assert all(r[1].startswith("'=") for r in rows[1:])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "p.jsonl"]  # no temporary file left
    for cell in ("=1+1", "+1", "-1", "@x", "\tx", "\rx"):
        assert neutralise(cell) == "'" + cell
    assert neutralise("plain") == "plain"


def test_a_source_that_is_not_there_or_broken_rules_exit_2(cli, tmp_path, portfolio):
    assert cli("audit", tmp_path / "missing.jsonl").exit_code == 2
    (tmp_path / "x.txt").write_text("")
    assert cli("audit", tmp_path / "x.txt").exit_code == 2
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "BAD-01.yaml").write_text("id: BAD-01\nname: broken\n")
    path, _ = portfolio
    assert cli("audit", path, "--rules", rules, "--jobs", "0").exit_code == 2


class _KillOnce:
    """A sink that kills one worker process when the audit has given it `after` results."""

    def __init__(self, after):
        self.after, self.ids, self.errors, self.killed = after, [], [], None

    def result(self, brief, full):
        self.ids.append(brief.id)
        if len(self.ids) == self.after:
            import multiprocessing

            workers = [p for p in multiprocessing.active_children() if p.is_alive()]
            self.killed = workers[0].pid
            os.kill(self.killed, signal.SIGKILL)

    def error(self, problems, failed):
        self.errors.append((problems, failed))

    def finish(self, summary):
        self.summary = summary


def test_a_killed_worker_loses_no_record(chain_rb):
    records = [{"id": f"k{i:04d}", "name": f"K {i}", "phase": "implementation", "secretariat": {"exists": i % 2 == 0}}
               for i in range(1500)]
    items = (Record("mem", "data", r, record=i + 1) for i, r in enumerate(records))
    sink = _KillOnce(after=40)
    audit = Audit(chain_rb, jobs=2, full=False, fail_on="none")
    pools = []
    audit.on_pool = pools.append
    summary = audit.run(items, sink)
    assert sink.killed is not None and len(pools) >= 2  # a worker died and the pool was replaced
    failed = [records[ps[0].record - 1]["id"] for ps, was_failed in sink.errors if was_failed]
    # Every record is either in the results (in input order) or reported as failed, none twice.
    assert sorted(sink.ids + failed) == [r["id"] for r in records]
    assert sink.ids == sorted(sink.ids)
    assert summary.assessed + summary.failed_records == len(records) == summary.records_read


def test_ctrl_c_stops_cleanly_with_complete_records(tmp_path):
    src = tmp_path / "big.jsonl"
    _generator().write_jsonl(src, 4000, seed=3)
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "partnerwise.cli", "audit", str(src), "--format", "jsonl", "-o", str(out), "--jobs", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        temps = [p for p in tmp_path.iterdir() if p.name.startswith(".out.jsonl.")]
        if temps and temps[0].stat().st_size > 0:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "stopped by the user after" in err
    lines = out.read_text().splitlines()
    assert 0 < len(lines) < 4000
    ids = [json.loads(line)["partnership"]["id"] for line in lines]
    assert ids == [f"p{i:06d}" for i in range(1, len(ids) + 1)]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.jsonl.")]


def test_tally_keeps_only_the_most_urgent():
    tally = Tally(fail_on="high", top=3)
    for i in range(100):
        sev = SEVERITIES[i % 4]
        tally.add(Brief(f"b{i}", f"B {i}", "design", None, "s", f"line {i}", (FindingBrief(f"R-{i % 4}", "t", sev, 400 - i, "m"),)))
    s = tally.summary()
    assert [u["id"] for u in s.most_urgent] == ["b0", "b4", "b8"]
    assert len(tally.urgent) < 4 * 3


def test_a_folder_nested_1200_levels_deep_is_read(cli, tmp_path):
    folder = tmp_path / "portfolio"
    deepest = folder
    deepest.mkdir()
    for _ in range(1200):  # os.walk recursed once per level and ended in a RecursionError here
        deepest = deepest / "d"
        deepest.mkdir()
    (folder / "top.yaml").write_text("name: Top\n")
    (deepest / "deep.yaml").write_text("name: Deep\n")
    (folder / "a").mkdir()
    (folder / "a" / "middle.json").write_text('{"name": "Middle"}')
    try:
        result = cli("audit", folder, "--format", "jsonl", "--jobs", "0", "--fail-on", "none")
    finally:
        # Removed from the bottom up here: the test runner's own clean-up recurses, once per level.
        (deepest / "deep.yaml").unlink()
        while deepest != folder:
            deepest.rmdir()
            deepest = deepest.parent
    assert result.exit_code == 0, result.stderr
    results, errors = _jsonl(result.stdout)
    assert errors == [] and "Traceback" not in result.stderr
    # A folder's own files first, then its subfolders in name order, as before.
    assert [r["partnership"]["name"] for r in results] == ["Top", "Middle", "Deep"]
