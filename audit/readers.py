"""Reading a portfolio: folders of fact files, JSON or YAML lists, JSON Lines and CSV, one record at a time.

Readers yield, in input order, either a `Record` (one partnership's raw facts and where they came
from) or a `Problem` (a record that could not even be read, with its place and reason);
`read_sources` hands each problem on as a `Rejected` record. Nothing
is validated here except what only the reader can check with line numbers in hand (YAML records,
CSV cells); validation proper happens where the record is assessed, so that it runs in the worker
processes too. Memory stays flat: JSON Lines and CSV are read line by line, JSON lists element by
element from a bounded buffer, YAML lists node by node.
"""

from __future__ import annotations

import csv
import difflib
import json
import os
import re
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Optional, Union

import orjson
import yaml

from ..facts.derive import FACTS
from ..facts.loader import FactError, load_partnership, validate_partnership
from ..facts.model import Partnership
from ..facts.problems import Problem, ProblemError
from ..facts.safeyaml import MAX_FILE_BYTES, YamlError, _check_numbers, _check_scalars, _Loader, mark_line, non_finite

FACT_SUFFIXES = (".yaml", ".yml", ".json")
LIST_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}
MAX_RECORD_BYTES = MAX_FILE_BYTES  # one partnership, in any format: the same limit as one fact file
CHUNK_CHARS = 1 << 20

TRUE_WORDS = ("true", "yes", "1")
FALSE_WORDS = ("false", "no", "0")
JSON_COLUMNS = ("partners", "funders")


@dataclass(frozen=True)
class Record:
    """One partnership's raw facts. kind: 'json' (JSON text), 'data' (parsed) or 'file' (a fact file)."""

    source: str
    kind: str
    payload: Any
    line: Optional[int] = None
    record: Optional[int] = None

    def problem(self, reason: str) -> Problem:
        return Problem(self.source, reason, self.line, record=self.record)

    @property
    def location(self) -> str:
        return self.problem("").location


class RecordError(ProblemError):
    """Raised while turning a record into a partnership; carries its problems, placed in the record."""


@dataclass(frozen=True)
class Rejected:
    """A record that is not a valid partnership, with every problem found in it (in line order)."""

    problems: tuple[Problem, ...]


Item = Union[Record, Rejected]


# --- checking sources before an audit starts ------------------------------------------------------


def source_kind(path: Path) -> str:
    """'folder', 'jsonl', 'csv', 'json' or 'yaml'; FactError for anything else or a path that is not there."""
    if not path.exists():
        raise FactError.at(str(path), "no such file or folder")
    if path.is_dir():
        return "folder"
    if not path.is_file():  # a FIFO or device would block or never end when opened
        raise FactError.at(str(path), "is not a regular file; expected a folder or a portfolio file")
    kind = LIST_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise FactError.at(
            str(path), f"unknown file type {path.suffix or '(none)'!r}; expected a folder, .jsonl, .csv, .json, .yaml or .yml"
        )
    return kind


def check_sources(paths: Iterable[Path]) -> None:
    """Raise FactError if any source is missing or of an unknown type (the audit cannot start)."""
    for path in paths:
        source_kind(Path(path))


# --- turning a record into a partnership (runs in the worker processes) ----------------------------


def to_partnership(record: Record) -> Partnership:
    """Parse and validate one record; RecordError (with source, place and reason) if it is not valid."""
    if record.kind == "file":
        try:
            return load_partnership(record.payload)
        except FactError as e:
            raise RecordError(e.problems) from None
    data = record.payload
    if record.kind == "json":
        if len(data) > MAX_RECORD_BYTES:
            raise RecordError([record.problem(f"is {len(data)} bytes; expected at most {MAX_RECORD_BYTES} bytes")])
        try:
            data = orjson.loads(data)
        except orjson.JSONDecodeError as e:
            raise RecordError([record.problem(f"not valid JSON ({e})")]) from None
    try:
        return validate_partnership(data, record.source)
    except FactError as e:
        raise RecordError([p.placed(record=record.record, line=record.line) for p in e.problems]) from None


# --- readers --------------------------------------------------------------------------------------


def read_sources(paths: Iterable[Path]) -> Iterator[Item]:
    """Every record of every source, in the order given (folders in sorted path order)."""
    for path in paths:
        path = Path(path)
        kind = source_kind(path)
        items = read_folder(path) if kind == "folder" else read_file(path, kind)
        for item in items:
            yield Rejected((item,)) if isinstance(item, Problem) else item


def read_file(path: Path, kind: str) -> Iterator[Item]:
    if kind == "jsonl":
        yield from read_jsonl(path)
    elif kind == "csv":
        yield from read_csv(path)
    elif _holds_list(path, kind):
        yield from (read_json_list(path) if kind == "json" else read_yaml_list(path))
    else:
        yield Record(str(path), "file", str(path))


def fact_files(folder: Path) -> Iterator[Path]:
    """The .yaml, .yml and .json files under a folder, at any depth, sorted; hidden ones left out.

    A folder's own files come before its subfolders', each level sorted by name. The walk keeps its
    own stack (no recursion, so no depth limit), never follows a link to a folder, and skips a
    folder it cannot list. Files are yielded whatever they are (a FIFO, a broken link): the reader
    reports what is wrong with each.
    """
    stack = [Path(folder)]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if is_folder:
                subfolders.append(Path(entry.path))
            elif entry.name.lower().endswith(FACT_SUFFIXES):
                yield Path(entry.path)
        stack.extend(reversed(subfolders))


def read_folder(folder: Path) -> Iterator[Item]:
    for path in fact_files(folder):
        kind = "json" if path.suffix.lower() == ".json" else "yaml"
        yield from read_file(path, kind)


def _holds_list(path: Path, kind: str) -> bool:
    """Whether a .json or .yaml file holds a list of partnerships rather than one (a look at its start)."""
    try:
        if not path.is_file():
            return False  # a FIFO would block here; the loader reports what it is
        with open(path, "rb") as f:
            head = f.read(65536)
    except OSError:
        return False  # the loader reports it, with the reason
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    if kind == "json":
        return text.lstrip().startswith("[")
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith(("#", "%", "---")):
            if s.startswith("---") and s[3:].strip().startswith(("[", "- ")):
                return True
            continue
        return s == "-" or s.startswith(("- ", "["))
    return False


def read_jsonl(path: Path) -> Iterator[Item]:
    """One partnership per line; blank lines are skipped. A line longer than the record limit is skipped whole."""
    source = str(path)
    with open(path, "rb") as f:
        number = 0
        while True:
            line = f.readline(MAX_RECORD_BYTES + 1)
            if not line:
                return
            number += 1
            if len(line) > MAX_RECORD_BYTES and not line.endswith(b"\n"):
                while True:  # skip the rest of an oversized line without holding it
                    rest = f.readline(CHUNK_CHARS)
                    if not rest or rest.endswith(b"\n"):
                        break
                yield Problem(source, f"is longer than {MAX_RECORD_BYTES} bytes; expected one partnership per line", number)
                continue
            if number == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if line.strip():
                yield Record(source, "json", line, number)


def csv_columns() -> dict[str, str]:
    """The CSV column names a portfolio may use, with the type of each ('bool', 'number', 'choice', 'text', 'json')."""
    columns = {name: spec.type for name, spec in FACTS.items() if not spec.computed}
    for name in JSON_COLUMNS:
        columns[name] = "json"
    return columns


def _cell(column: str, kind: str, text: str) -> Any:
    if kind == "bool":
        word = text.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise FactError.at("", f"found {text!r}, expected true or false (true, yes, 1 or false, no, 0)", field=column)
    if kind == "json":
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError as e:
            raise FactError.at("", f"not valid JSON ({e}); expected a JSON list of objects", field=column) from None
        if not isinstance(value, list):
            raise FactError.at("", f"found {type(value).__name__}, expected a JSON list of objects", field=column)
        return value
    return text  # numbers, choices, dates and text: the fact model converts and checks them


def row_to_data(columns: list[tuple[str, str]], row: list[str]) -> dict:
    """One CSV row as nested plain data: 'secretariat.exists' becomes {'secretariat': {'exists': ...}}."""
    data: dict[str, Any] = {}
    for (column, kind), text in zip(columns, row):
        text = text.strip()
        if not text:
            continue  # an empty cell is unknown
        value = _cell(column, kind, text)
        *parents, last = column.split(".")
        node = data
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    return data


def read_csv(path: Path) -> Iterator[Item]:
    """One partnership per row; the first row names the columns (see docs/audit.md)."""
    source = str(path)
    known = csv_columns()
    csv.field_size_limit(MAX_RECORD_BYTES)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f, strict=True)
            header = next(reader, None)
            if header is None:
                yield Problem(source, "the file is empty; expected a header row of column names")
                return
            names = [h.strip() for h in header]
            for name in names:
                if name not in known:
                    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.7)
                    hint = f"; did you mean {close[0]!r}?" if close else "; expected a fact name such as secretariat.exists"
                    yield Problem(source, f"unknown{hint} (no row of this file was read)", 1, f"column {name!r}")
                    return
            doubled = sorted({n for n in names if names.count(n) > 1})
            if doubled:
                yield Problem(source, "appears twice; expected each column once", 1, f"column {doubled[0]!r}")
                return
            columns = [(n, known[n]) for n in names]
            start = reader.line_num + 1
            for row in reader:
                location = start
                start = reader.line_num + 1
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(columns):
                    yield Problem(source, f"found {len(row)} cells, expected {len(columns)} (one per column)", location)
                    continue
                try:
                    yield Record(source, "data", row_to_data(columns, row), location)
                except FactError as e:
                    yield e.problem.placed(source, line=location)
    except (csv.Error, UnicodeDecodeError, OSError) as e:
        line = reader.line_num if "reader" in locals() and reader.line_num else None
        reason = "bytes that are not UTF-8" if isinstance(e, UnicodeDecodeError) else str(e)
        yield Problem(source, f"cannot be read further ({reason}); the rows before were read", line)


def _open_text(path: Path):
    """Open a list file as UTF-8 text (a byte-order mark dropped); if it cannot be, yield the problem and give None."""
    try:
        return open(path, encoding="utf-8-sig")
    except OSError as e:
        yield Problem(str(path), f"cannot be read ({e.strerror or e})")
        return None


def read_json_list(path: Path) -> Iterator[Item]:
    """A JSON array of partnerships, decoded one element at a time from a bounded buffer.

    The buffer holds at most one element plus one chunk. A syntax error ends the file (there is no
    safe way to find the next element); the elements before it are kept.
    """
    source = str(path)
    decoder = json.JSONDecoder()
    f = yield from _open_text(path)
    if f is None:
        return
    with f:
        buf, pos, line, eof = "", 0, 1, False  # `line` is the line number at buf[pos]

        def refill() -> None:
            nonlocal buf, pos, eof
            chunk = f.read(CHUNK_CHARS)
            eof = not chunk
            buf = buf[pos:] + chunk
            pos = 0

        def skip_space() -> bool:
            """Move past whitespace, reading more as needed; False at the end of the file."""
            nonlocal pos, line
            while True:
                m = _SPACE.match(buf, pos)
                line += buf.count("\n", pos, m.end())
                pos = m.end()
                if pos < len(buf):
                    return True
                if eof:
                    return False
                refill()

        try:
            refill()
            if not skip_space() or buf[pos] != "[":
                yield Problem(source, "expected a JSON list of partnerships", line)
                return
            pos += 1
            number = 0
            while True:
                if not skip_space():
                    yield Problem(source, "the list is not closed; expected ']' (the records before were read)", line)
                    return
                if buf[pos] == "]":
                    return
                if number:
                    if buf[pos] != ",":
                        yield Problem(source, f"not valid JSON after record {number}; expected ',' or ']'", line)
                        return
                    pos += 1
                    if not skip_space():
                        continue
                number += 1
                while True:
                    try:
                        value, end = decoder.raw_decode(buf, pos)
                        if end < len(buf) or eof:
                            break
                    except json.JSONDecodeError as e:
                        if eof:
                            at = line + buf.count("\n", pos, e.pos)
                            yield Problem(source, f"not valid JSON ({e.msg}); the records before were read", at, record=number)
                            return
                    if len(buf) - pos > MAX_RECORD_BYTES:
                        yield Problem(source, f"is longer than {MAX_RECORD_BYTES} characters", line, record=number)
                        return
                    refill()
                bad = non_finite(value)
                if bad is not None:
                    yield Problem(source, f"contains the number {bad}; expected finite numbers", line, record=number)
                else:
                    yield Record(source, "data", value, line, number)
                line += buf.count("\n", pos, end)
                pos = end
                if pos > CHUNK_CHARS:
                    buf, pos = buf[pos:], 0
        except (UnicodeDecodeError, OSError) as e:
            reason = "bytes that are not UTF-8" if isinstance(e, UnicodeDecodeError) else str(e)
            yield Problem(source, f"cannot be read further ({reason}); the records before were read", line)
        except RecursionError:
            yield Problem(source, "nested too deeply; the records before were read", line)


_SPACE = re.compile(r"[ \t\r\n]*")


def read_yaml_list(path: Path) -> Iterator[Item]:
    """A YAML list of partnerships, composed one item at a time (line numbers kept, memory flat).

    Each item is checked with the limits of one fact file (aliases, depth, sizes); an alias may not
    point into another item. A syntax error ends the file; the items before it are kept.
    """
    source = str(path)
    f = yield from _open_text(path)
    if f is None:
        return
    with f:
        loader = _Loader(f, source)
        number = 0
        try:
            loader.get_event()  # stream start
            if loader.check_event(yaml.StreamEndEvent):
                yield Problem(source, "the file is empty; expected a list of partnerships")
                return
            loader.get_event()  # document start
            if not loader.check_event(yaml.SequenceStartEvent):
                yield Problem(source, "expected a YAML list of partnerships", 1)
                return
            loader.get_event()
            while not loader.check_event(yaml.SequenceEndEvent):
                number += 1
                loader.anchors = {}
                loader._aliases = 0
                node = loader.compose_node(None, None)
                line = node.start_mark.line + 1
                try:
                    _check_scalars(node, source)
                    data = loader.construct_document(node)
                    _check_numbers(data, source)
                    validate_partnership(data, source, node)
                except (YamlError, FactError) as e:
                    yield Rejected(tuple(p.placed(record=number, line=line) for p in e.problems))
                    continue
                yield Record(source, "data", data, line, number)
        except YamlError as e:
            yield Problem(source, f"{e.problem.reason}; the records before were read", e.problem.line)
        except yaml.MarkedYAMLError as e:
            yield Problem(source, f"not valid YAML ({e.problem or e.context}); the records before were read", mark_line(e))
        except (yaml.YAMLError, UnicodeDecodeError, OSError, RecursionError) as e:
            yield Problem(source, f"cannot be read further ({type(e).__name__}: {e}); the records before were read")
        finally:
            loader.dispose()


def count_records(paths: Iterable[Path]) -> Optional[int]:
    """How many records the sources hold, quickly (for a progress bar); None when a list file makes it unknown."""
    total = 0
    for path in paths:
        path = Path(path)
        try:
            kind = source_kind(path)
        except FactError:
            return None
        if kind == "folder":
            files = list(fact_files(path))
            if any(_holds_list(p, "json" if p.suffix.lower() == ".json" else "yaml") for p in files):
                return None
            total += len(files)
        elif kind in ("jsonl", "csv"):
            lines = 0
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    lines += block.count(b"\n")
            total += lines - (1 if kind == "csv" else 0)
        elif _holds_list(path, kind):
            return None
        else:
            total += 1
    return max(total, 0)


__all__ = [
    "Item", "Problem", "Record", "RecordError", "Rejected", "check_sources", "count_records", "csv_columns", "read_sources",
    "to_partnership", "TRUE_WORDS", "FALSE_WORDS",
]
