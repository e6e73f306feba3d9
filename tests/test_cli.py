"""The command line as a user meets it: exit codes, formats, errors, determinism."""

import json
import subprocess
import sys

import pytest

from conftest import EXAMPLES, ROOT

HEALTHY = EXAMPLES / "healthy-implementation.yaml"
TROUBLED = EXAMPLES / "troubled-implementation.yaml"
EARLY = EXAMPLES / "early-initiation.yaml"


def test_troubled_example_exits_1_and_lists_serious_findings_first(cli):
    result = cli("assess", TROUBLED)
    assert result.exit_code == 1
    out = result.output
    assert "Troubled" in out or "troubled" in out
    first = json.loads(cli("assess", TROUBLED, "--format", "json").output)["findings"][0]
    assert first["severity"] in ("critical", "high")


def test_healthy_example_exits_0(cli):
    result = cli("assess", HEALTHY)
    assert result.exit_code == 0, result.output


def test_json_contract(cli):
    doc = json.loads(cli("assess", TROUBLED, "--format", "json").output)
    assert set(doc) >= {"partnership", "findings", "strengths", "phase", "gaps"}
    assert set(doc["partnership"]) >= {"id", "name", "phase"}
    for f in doc["findings"]:
        assert set(f) >= {"rule", "title", "severity", "priority", "area", "message", "actions", "evidence", "sources"}
        assert f["actions"] and f["sources"] and f["evidence"]
    assert set(doc["phase"]) >= {"declared", "next", "ready_for_next", "criteria", "next_actions"}
    for g in doc["gaps"]:
        assert set(g) >= {"fact", "question"}
    severities = ["critical", "high", "medium", "low"]
    items = doc["what_is_wrong"]["items"]
    order = [(severities.index(i["severity"]), -i["priority"], i["kind"] != "diagnosis", i["rule"]) for i in items]
    assert order == sorted(order)
    # The findings follow the items: first the leading finding of each item, so the first findings
    # are different problems; within an item, the most urgent first.
    leads = [i["findings"][0] for i in items if i["findings"]]
    assert [f["rule"] for f in doc["findings"][: len(leads)]] == leads
    by_rule = {f["rule"]: f for f in doc["findings"]}
    for i in items:
        ranks = [(severities.index(by_rule[r]["severity"]), -by_rule[r]["priority"], r) for r in i["findings"]]
        assert ranks == sorted(ranks)


def test_several_files_give_a_json_list_in_the_order_given(cli):
    doc = json.loads(cli("assess", EARLY, TROUBLED, "--format", "json", "--fail-on", "none").output)
    assert [d["partnership"]["id"] for d in doc] == ["early-initiation", "troubled-implementation"]


def test_output_is_identical_across_runs(cli):
    runs = {cli("assess", *sorted(EXAMPLES.glob("*.yaml")), "--format", fmt).output for fmt in ("json",) for _ in range(2)}
    assert len(runs) == 1


def test_early_example_asks_questions(cli):
    doc = json.loads(cli("assess", EARLY, "--format", "json").output)
    assert len(doc["gaps"]) >= 5
    assert all(g["question"].endswith("?") for g in doc["gaps"])


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("name: X\nsecreteriat: {exists: true}\n", "did you mean 'secretariat'?"),
        ("name: X\nsecretariat: {exists: 12.5}\n", "secretariat.exists: found 12.5, expected true or false"),
        ("name: [X\n", "not valid YAML"),
    ],
)
def test_bad_fact_file_exits_2_with_one_line(cli, tmp_path, text, fragment):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    result = cli("assess", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and fragment in lines[0]
    assert "Traceback" not in result.stderr


def test_a_bad_file_does_not_stop_the_others(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: X\nphase: later\n")
    result = cli("assess", bad, HEALTHY, "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)[0]["partnership"]["id"] == "healthy-implementation"
    assert "phase: found 'later'" in result.stderr


def test_fail_on_threshold(cli):
    assert cli("assess", TROUBLED, "--fail-on", "none").exit_code == 0
    assert cli("assess", TROUBLED, "--fail-on", "critical").exit_code in (0, 1)
    assert cli("assess", TROUBLED, "--fail-on", "low").exit_code == 1


def test_markdown_and_output_file(cli, tmp_path):
    out = tmp_path / "report.md"
    result = cli("assess", TROUBLED, "--format", "markdown", "--output", out)
    assert result.exit_code == 1 and result.stdout == ""
    text = out.read_text()
    assert text.startswith("# ") and "## Findings" in text and "## Open questions" in text


def test_terminal_output_fits_80_columns(cli):
    for path in sorted(EXAMPLES.glob("*.yaml")):
        out = cli("assess", path).output
        assert max(len(line) for line in out.splitlines()) <= 80, path.name


def test_control_characters_from_facts_never_reach_the_terminal(cli, tmp_path):
    path = tmp_path / "ansi.json"
    path.write_text(json.dumps({"name": "Evil \u001b[31mred\u001b[0m", "phase": "design"}))
    out = cli("assess", path).output
    assert "\u001b" not in out and "\\x1b[31mred" in out


def test_schema_is_json_schema_of_the_fact_file(cli):
    doc = json.loads(cli("schema").output)
    assert doc["type"] == "object" and "secretariat" in doc["properties"]
    assert doc["additionalProperties"] is False


def test_help_for_every_command(cli):
    for args in (["--help"], ["assess", "--help"], ["schema", "--help"], ["rules", "--help"], ["rules", "lint", "--help"]):
        result = cli(*args)
        assert result.exit_code == 0 and "Usage:" in result.output


def test_real_subprocess_run():
    proc = subprocess.run(
        [sys.executable, "-m", "partnerwise.cli", "assess", str(TROUBLED), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["partnership"]["id"] == "troubled-implementation"
    proc = subprocess.run(
        [sys.executable, "-m", "partnerwise.cli", "assess", "no-such-file.yaml"], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "partnerwise: error: no-such-file.yaml: no such file"


def test_output_file_gets_ordinary_permissions(cli, tmp_path):
    import os
    import stat

    out = tmp_path / "report.json"
    cli("assess", HEALTHY, "--format", "json", "--output", out)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    out.chmod(0o640)
    cli("assess", HEALTHY, "--format", "json", "--output", out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
