"""Bad input, hostile files and failures: a clear error every time, nothing lost, nothing executed.

The corpus is `tests/bad_inputs/` and its manifest; one parametrised test runs every case through
every command the manifest lists for it (ids such as `assess-facts/alias-bomb.yaml`, so
`pytest -k alias-bomb` runs one). The tests after it cover what a file cannot show: output safety
(escaping, CSV formulas, atomic writes) and the fuzzer's small run.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, ROOT

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
MANIFEST = yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))
EXAMPLE = EXAMPLES / "early-initiation.yaml"
USUAL_EXIT = {"assess": 2, "audit": 2, "lint": 1, "assess-rules": 2}
RULE = (CORPUS / "rules" / "call" / "X-06.yaml").read_text(encoding="utf-8")


def _cases():
    for group in ("facts", "audit", "rules"):
        for case in MANIFEST[group]:
            for command in case["commands"]:
                name = case.get("file") or case["make"]
                yield pytest.param(case, command, id=f"{command}-{name}")


def test_the_corpus_is_large_enough_and_every_file_is_listed():
    listed = {c["file"] for g in ("facts", "audit", "rules") for c in MANIFEST[g] if "file" in c}
    on_disk = {str(p.relative_to(CORPUS)) for p in CORPUS.glob("facts/*")} | {str(p.relative_to(CORPUS)) for p in CORPUS.glob("audit/*")}
    on_disk |= {str(p.relative_to(CORPUS)) for p in CORPUS.glob("rules/*")}
    assert on_disk == listed
    assert sum(len(MANIFEST[g]) for g in ("facts", "audit", "rules")) >= 40


# --- inputs made at test time -----------------------------------------------------------------------


def make(name: str, tmp_path: Path) -> Path:
    """A bad input too big, too odd or too system-specific to commit."""
    path = tmp_path / name
    if name == "huge-file.yaml":
        with open(path, "wb") as f:
            f.write(b"name: X\ndescription: >\n")
            f.write((b"  " + b"x" * 1021 + b"\n") * 6 * 1024)
            f.truncate(6 * 1024 * 1024)
        assert path.stat().st_size == 6 * 1024 * 1024
    elif name == "huge-value.yaml":
        path.write_text("name: X\ndescription: " + "x" * 120_000 + "\n")
    elif name == "huge-value.json":
        path.write_text(json.dumps({"name": "X", "description": "x" * 120_000}))
    elif name == "deep-100000.json":
        path.write_text('{"name": "X", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    elif name == "fifo.yaml":
        os.mkfifo(path)
    elif name == "symlink-loop.yaml":
        other = tmp_path / "other.yaml"
        path.symlink_to(other)
        other.symlink_to(path)
    elif name == "folder.yaml":
        path.mkdir()
    elif name == "unreadable.yaml":
        path.write_text("name: X\n")
        path.chmod(0)
    elif name == "missing.yaml":
        pass
    elif name.startswith("rules-"):
        path.mkdir()
        rule = path / "X-06.yaml"
        if name == "rules-folder-as-rule":
            rule.mkdir()
        elif name == "rules-fifo":
            os.mkfifo(rule)
        elif name == "rules-symlink-loop":
            rule.symlink_to(path / "X-07.yaml")
            (path / "X-07.yaml").symlink_to(rule)
        elif name == "rules-missing":
            path.rmdir()
    else:
        raise AssertionError(f"no recipe for {name}")
    return path


# --- the one parametrised test ----------------------------------------------------------------------


def _argv(command: str, target: Path) -> list[str]:
    if command == "assess":
        return ["assess", str(target)]
    if command == "audit":
        return ["audit", "--strict", "--jobs", "0", "--format", "jsonl", str(target)]
    if command == "lint":
        return ["rules", "lint", str(target)]
    return ["assess", "--rules", str(target), str(EXAMPLE)]


def _run(argv: list[str], cwd: Path, in_subprocess: bool) -> tuple[int, str, str]:
    if in_subprocess:
        proc = subprocess.run(
            [sys.executable, "-m", "partnerwise.cli", *argv], capture_output=True, cwd=cwd, timeout=120,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        )
        return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
    from click.testing import CliRunner

    from partnerwise.cli import main

    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, argv, catch_exceptions=True)
    finally:
        os.chdir(old)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a crash: let pytest show its traceback
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("case, command", list(_cases()))
def test_bad_input(case, command, tmp_path):
    if case.get("needs_non_root") and os.geteuid() == 0:
        pytest.skip("running as root: file permissions do not stop root from reading, so chmod 000 proves nothing")
    if "make" in case:
        target = make(case["make"], tmp_path)
    else:
        # A copy, so that what a hostile file might do happens in a throwaway folder.
        source = CORPUS / case["file"]
        target = tmp_path / case["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, target)
    fragment = case["fragment"] if isinstance(case["fragment"], str) else case["fragment"][command]
    expected = case.get("exit", USUAL_EXIT[command])

    code, out, err = _run(_argv(command, target), tmp_path, bool(case.get("subprocess")))

    assert "Traceback" not in out + err
    assert code == expected, (out, err)
    assert fragment in (out if command == "lint" and code == 1 else err), (out, err)
    assert "\x1b" not in out + err
    if command in ("assess", "assess-rules"):
        lines = err.splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("partnerwise: error: ")
        assert str(target) in lines[0] or case.get("make") == "rules-missing" or "rules" in case.get("file", "")
        assert out == ""
    assert not list(tmp_path.rglob("pwned*")), "a file asked for something to run, and it ran"


def test_batch_reports_the_bad_files_and_assesses_the_rest(cli, tmp_path):
    files = [CORPUS / "facts" / n for n in ("alias-bomb.yaml", "duplicate-key.json", "nul-byte.yaml")]
    result = cli("assess", files[0], EXAMPLE, files[1], files[2], "--format", "json", "--fail-on", "none")
    assert result.exit_code == 2
    assert [d["partnership"]["id"] for d in json.loads(result.stdout)] == ["early-initiation"]
    lines = result.stderr.splitlines()
    assert len(lines) == 3 and all(str(f) in line for f, line in zip(files, lines))


def test_audit_of_a_folder_of_bad_files_reports_each_and_goes_on(tmp_path):
    folder = tmp_path / "portfolio"
    shutil.copytree(CORPUS / "facts", folder)
    shutil.copyfile(EXAMPLE, folder / "good.yaml")
    os.mkfifo(folder / "fifo.yaml")
    (folder / "loop.yaml").symlink_to(folder / "loop.yaml")
    from click.testing import CliRunner

    from partnerwise.cli import main

    result = CliRunner().invoke(main, ["audit", "-j", "0", "--format", "json", str(folder)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    doc = json.loads(result.stdout)
    assert doc["summary"]["assessed"] == 2  # good.yaml, and top-level-list.yaml read as a one-item list
    bad = {Path(e["source"]).name for e in doc["errors"]}
    assert {"fifo.yaml", "loop.yaml", "alias-bomb.yaml", "python-object-tag.yaml"} <= bad
    assert "Traceback" not in result.stderr


# --- output safety --------------------------------------------------------------------------------


HOSTILE = {
    "name": "Evil \u001b[31mred\u001b[0m [link](javascript:alert(1)) <img src=x> *bold* | pipe\u202e",
    "phase": "design",
    "partners": [{"name": "=cmd|' /C calc'!A0", "role_defined": False}, {"name": "+SUM(1)\u001b]0;title\u0007"}],
    "secretariat": {"exists": False},
}


def test_terminal_and_markdown_show_hostile_text_inert(cli, tmp_path):
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(HOSTILE))
    table = cli("assess", path, "--fail-on", "none").stdout
    assert "\u001b" not in table and "\u0007" not in table and "\u202e" not in table
    assert "\\x1b[31mred" in table
    markdown = cli("assess", path, "--format", "markdown", "--fail-on", "none").stdout
    assert "\u001b" not in markdown
    assert not re.search(r"(?<!\\)<img", markdown) and not re.search(r"(?<!\\)\]\(javascript", markdown)
    assert "\\<img" in markdown and "\\[link\\]" in markdown and "\\|" in markdown


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(tmp_path):
    from partnerwise.audit.sinks import neutralise

    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    assert neutralise("plain") == "plain"

    portfolio = tmp_path / "p.jsonl"
    troubled = yaml.safe_load((EXAMPLES / "troubled-implementation.yaml").read_text(encoding="utf-8"))
    rows = [dict(troubled, name=prefix + "HYPERLINK(\"http://x\")", id=f"p{i}") for i, prefix in enumerate("=+-@")]
    portfolio.write_text("\n".join(json.dumps(r, default=str) for r in rows) + "\n")
    out = tmp_path / "out.csv"
    from click.testing import CliRunner

    from partnerwise.cli import main

    result = CliRunner().invoke(main, ["audit", "-j", "0", "--format", "csv", "--fail-on", "none", "-o", str(out), str(portfolio)])
    assert result.exit_code == 0, result.output
    table = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(table) > 1
    for row in table[1:]:
        assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row), row


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    from partnerwise import output

    target = tmp_path / "report.md"
    target.write_text("old report\n")

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        output.write_output("new report\n" * 1000, target)
    assert target.read_text() == "old report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]
    monkeypatch.undo()
    output.write_output("new report\n", target)
    assert target.read_text() == "new report\n"


def test_assess_output_to_a_file_is_written_whole(cli, tmp_path):
    out = tmp_path / "report.json"
    out.write_text("old")
    result = cli("assess", EXAMPLE, "--format", "json", "-o", out, "--fail-on", "none")
    assert result.exit_code == 0 and json.loads(out.read_text())["partnership"]["id"] == "early-initiation"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_unknown_is_not_read_as_a_default(tmp_path):
    from partnerwise.facts.derive import flatten
    from partnerwise.facts.loader import load_partnership

    path = tmp_path / "lenient.json"
    path.write_text(json.dumps({"name": "X", "secretariat": {"exists": "yes"}, "funders": [{"name": "A", "share": "60"}]}))
    facts = flatten(load_partnership(path))
    assert facts["secretariat.exists"] is True  # documented: "yes" is true
    assert "secretariat.neutral" not in facts  # absent stays unknown
    assert "funding.total_share" not in facts or facts["funding.total_share"] == 60


# --- the fuzzer, small ------------------------------------------------------------------------------


def test_fuzz_300_inputs_without_a_crash():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import fuzz
    finally:
        sys.path.remove(str(ROOT / "bench"))
    result = fuzz.fuzz(300, seed=7)
    assert result["crash"] == 0, result["crashes"][:3]
    assert result["ok"] > 30 and result["error"] > 30
