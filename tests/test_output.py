"""--output as a user meets it: FIFOs and devices are streams, links are followed, '-' is standard output,
files are replaced whole with ordinary permissions, and anything else is refused in one line."""

from __future__ import annotations

import json
import os
import socket
import stat
import threading

import pytest

from conftest import EXAMPLES

HEALTHY = EXAMPLES / "healthy-implementation.yaml"


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _reader(path, into: list):
    def read():
        with open(path, "rb") as f:
            into.append(f.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("command", [["assess", HEALTHY, "--format", "json"], ["audit", HEALTHY, "-j", "0", "--format", "jsonl"],
                                     ["audit", HEALTHY, "-j", "0", "--format", "json"]])
def test_a_fifo_is_written_as_a_stream_and_stays_a_fifo(cli, tmp_path, command):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list = []
    thread = _reader(fifo, got)
    result = cli(*command, "--fail-on", "none", "-o", fifo)
    thread.join(10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert b"healthy-implementation" in got[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_a_character_device_is_written_as_a_stream_and_stays_a_device(cli, tmp_path):
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root (CAP_MKNOD)")
    for command in (["assess", HEALTHY], ["audit", HEALTHY, "-j", "0", "--format", "csv"]):
        result = cli(*command, "--fail-on", "none", "-o", device)
        assert result.exit_code == 0, result.output
        assert stat.S_ISCHR(os.stat(device).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_a_symbolic_link_is_followed_and_its_target_replaced_whole(cli, tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    result = cli("assess", HEALTHY, "--format", "json", "--fail-on", "none", "-o", link)
    assert result.exit_code == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text())["partnership"]["id"] == "healthy-implementation"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "new.json")
    assert cli("assess", HEALTHY, "--format", "json", "--fail-on", "none", "-o", dangling).exit_code == 0
    assert dangling.is_symlink() and json.loads((tmp_path / "new.json").read_text())["partnership"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling.json", "link.json", "new.json", "real.json"]


def test_dash_is_standard_output(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for command in (["assess", HEALTHY, "--format", "json"], ["audit", HEALTHY, "-j", "0", "--format", "jsonl"]):
        result = cli(*command, "--fail-on", "none", "-o", "-")
        assert result.exit_code == 0
        assert "healthy-implementation" in result.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("what", ["folder", "socket"])
@pytest.mark.parametrize("command", [["assess", HEALTHY], ["audit", HEALTHY, "-j", "0"], ["audit", HEALTHY, "-j", "0", "--format", "jsonl"],
                                     ["audit", HEALTHY, "-j", "0", "--format", "html"]])
def test_anything_else_is_refused_in_one_line(cli, tmp_path, what, command):
    path = tmp_path / what
    if what == "folder":
        path.mkdir()
    else:
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
    result = cli(*command, "--fail-on", "none", "-o", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"partnerwise: error: {path}: is "), lines
    assert "expected a file to write to" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == [what]


def test_a_missing_folder_is_refused_before_any_work(cli, tmp_path):
    result = cli("audit", HEALTHY, "-j", "0", "--format", "jsonl", "-o", tmp_path / "no" / "out.jsonl")
    assert result.exit_code == 2
    assert result.stderr.startswith("partnerwise: error: ") and "no such folder" in result.stderr


@pytest.mark.parametrize("fmt", ["table", "markdown", "json", "jsonl", "csv", "html"])
def test_every_audit_format_gets_ordinary_permissions(cli, tmp_path, fmt):
    out = tmp_path / f"audit.{fmt}"
    result = cli("audit", HEALTHY, "-j", "0", "--format", fmt, "--fail-on", "none", "-o", out)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~_umask()
    out.chmod(0o640)
    cli("audit", HEALTHY, "-j", "0", "--format", fmt, "--fail-on", "none", "-o", out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
