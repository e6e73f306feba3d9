"""A per-user cache of parsed rule files, so that a command does not parse every YAML rule file at every start.

Reading the built-in rules' YAML is most of a command's start-up. The cache keeps, for each rule file,
the data its YAML holds, keyed by the SHA-256 of the file's bytes, so a changed file is simply read
again. It also records which rule files passed the rule checks of this code (by content, place and
the checks' own source), so that those are constructed without being validated again; every rule's
condition is still parsed and the rule base checked as a whole. It is data only (JSON, never pickle), in a folder of the user's own
($PARTNERWISE_CACHE_DIR, else $XDG_CACHE_HOME/partnerwise, else ~/.cache/partnerwise) that no
other user can write; if that folder or file is not safe or not usable, the rules are read from
YAML without a word. PARTNERWISE_CACHE_DIR=off turns the cache off.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path
from typing import Any, Callable, Optional

import orjson

FORMAT = "partnerwise-rule-cache-1"
FILE_NAME = "rule-files.json"
MAX_ENTRIES = 4000  # a few rule bases' worth; beyond it the cache starts afresh


def cache_dir() -> Optional[Path]:
    configured = os.environ.get("PARTNERWISE_CACHE_DIR")
    if configured is not None:
        return None if configured.strip().lower() in ("", "off", "0", "no") else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "partnerwise"


def _private(st: os.stat_result, kind: Callable[[int], bool]) -> bool:
    """Of the right kind, owned by this user, and writable by nobody else."""
    return kind(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _safe_folder(create: bool) -> Optional[Path]:
    folder = cache_dir()
    if folder is None or not hasattr(os, "getuid"):
        return None
    try:
        if create:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if _private(os.lstat(folder), stat.S_ISDIR):
            return folder
    except OSError:
        pass
    return None


class RuleFileCache:
    """Parsed rule files by content hash: `data(path, parse)` gives a file's data, from the cache or parsed."""

    def __init__(self) -> None:
        self.entries: dict[str, Any] = {}
        self.checked: dict[str, bool] = {}
        self.dirty = False
        doc = read_private(FILE_NAME)
        if isinstance(doc, dict) and doc.get("format") == FORMAT and isinstance(doc.get("files"), dict):
            self.entries = doc["files"]
            checked = doc.get("checked")
            self.checked = checked if isinstance(checked, dict) else {}

    def data(self, path: Path, parse: Callable[[Path], Any]) -> Any:
        return self.data_and_key(path, parse)[0]

    def data_and_key(self, path: Path, parse: Callable[[Path], Any]) -> tuple[Any, Optional[str]]:
        """A file's data and the key it is kept under (None when it is not kept: not a plain file, or
        data JSON cannot keep exactly)."""
        try:
            raw = path.read_bytes() if path.is_file() else None
        except OSError:
            raw = None
        if raw is None:
            return parse(path), None  # not a plain readable file: the parser reports what it is
        key = hashlib.sha256(raw).hexdigest()
        if key in self.entries:
            return self.entries[key], key
        value = parse(path)
        try:
            # Only what the cache file keeps exactly (no dates, no keys other than text), checked with
            # the library that writes it.
            if orjson.loads(orjson.dumps(value)) == value:
                self.entries[key] = value
                self.dirty = True
                return value, key
        except (TypeError, ValueError):  # orjson.JSONEncodeError is a TypeError
            pass
        return value, None

    def was_checked(self, label: str) -> bool:
        """Whether a rule file's data passed the rule checks of this code before (label names both)."""
        return label in self.checked

    def mark_checked(self, label: str) -> None:
        self.checked[label] = True
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        entries = self.entries if len(self.entries) <= MAX_ENTRIES else {}
        checked = self.checked if len(self.checked) <= MAX_ENTRIES else {}
        if write_private(FILE_NAME, {"format": FORMAT, "files": entries, "checked": checked}):
            self.dirty = False


def read_private(name: str) -> Any:
    """A JSON document from the user's cache folder, or None when it is absent, unsafe or unreadable."""
    folder = _safe_folder(create=False)
    if folder is None:
        return None
    try:
        fd = os.open(folder / name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as f:
            if not _private(os.fstat(f.fileno()), stat.S_ISREG):
                return None
            return orjson.loads(f.read())
    except (OSError, ValueError):
        return None


def write_private(name: str, doc: Any) -> bool:
    """Write a JSON document to the user's cache folder, atomically; False (and nothing written) on any failure."""
    folder = _safe_folder(create=True)
    if folder is None:
        return False
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
        with os.fdopen(fd, "wb") as f:
            f.write(orjson.dumps(doc))
        os.replace(tmp, folder / name)
        return True
    except (OSError, TypeError, ValueError):
        try:
            os.unlink(tmp)
        except (OSError, UnboundLocalError):
            pass
        return False
