"""Reading a portfolio: folders of fact files, JSON or YAML lists, JSON Lines and CSV, one record at a time.

Readers yield, in input order, either a `Record` (one partnership's raw facts and where they came
from) or a `Problem` (a record that could not even be read, with its place and reason). Nothing
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
from typing import Any, Iterable, Iterator, NamedTuple, Optional, Union

import orjson
import yaml

from .derive import FACTS
from .loader import FactError, load_partnership, validate_partnership
from .model import Partnership
from .safeyaml import MAX_FILE_BYTES, YamlError, _check_numbers, _check_scalars, _Loader

FACT_SUFFIXES = (".yaml", ".yml", ".json")
LIST_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}
MAX_RECORD_BYTES = MAX_FILE_BYTES  # one partnership, in any format: the same limit as one fact file
CHUNK_CHARS = 1 << 20

TRUE_WORDS = ("true", "yes", "1")
FALSE_WORDS = ("false", "no", "0")
JSON_COLUMNS = ("partners", "funders")


class Record(NamedTuple):
    """One partnership's raw facts. kind: 'json' (JSON text), 'data' (parsed) or 'file' (a fact file)."""

    source: str
    location: str
    kind: str
    payload: Any


class Problem(NamedTuple):
    """A record that is not a valid partnership: where it is and what is wrong, in one sentence."""

    source: str
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.location}: {self.message}" if self.location else f"{self.source}: {self.message}"

    def to_dict(self) -> dict:
        return {"source": self.source, "location": self.location, "message": self.message}


class RecordError(ValueError):
    """Raised while turning a record into a partnership; carries the record's place."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


Item = Union[Record, Problem]
_LINE = re.compile(r"^line (\d+): ")


# --- checking sources before an audit starts ------------------------------------------------------


def source_kind(path: Path) -> str:
    """'folder', 'jsonl', 'csv', 'json' or 'yaml'; FactError for anything else or a path that is not there."""
    if not path.exists():
        raise FactError(f"{path}: no such file or folder")
    if path.is_dir():
        return "folder"
    if not path.is_file():  # a FIFO or device would block or never end when opened
        raise FactError(f"{path}: is not a regular file; expected a folder or a portfolio file")
    kind = LIST_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise FactError(
            f"{path}: unknown file type {path.suffix or '(none)'!r}; expected a folder, .jsonl, .csv, .json, .yaml or .yml"
        )
    return kind


def check_sources(paths: Iterable[Path]) -> None:
    """Raise FactError if any source is missing or of an unknown type (the audit cannot start)."""
    for path in paths:
        source_kind(Path(path))


# --- turning a record into a partnership (runs in the worker processes) ----------------------------


def _problem(record: Record, err: FactError, label: str) -> Problem:
    """Split a loader message 'label: line N: field: ...' into the place and the reason."""
    text = str(err)
    message = text[len(label) + 2 :] if text.startswith(label + ": ") else text
    location = record.location
    m = _LINE.match(message)
    if m and record.kind == "file":
        location, message = f"line {m.group(1)}", message[m.end() :]
    return Problem(record.source, location, message)


def _list_problem(source: str, number: int, location: str, message: str) -> Problem:
    """A problem in record `number` of a list file, placed at the message's own line if it names one."""
    m = _LINE.match(message)
    if m:
        location, message = f"record {number}, line {m.group(1)}", message[m.end() :]
    return Problem(source, location, message)


def to_partnership(record: Record) -> Partnership:
    """Parse and validate one record; RecordError (with source, place and reason) if it is not valid."""
    if record.kind == "file":
        try:
            return load_partnership(record.payload)
        except FactError as e:
            raise RecordError(_problem(record, e, record.source)) from None
    data = record.payload
    if record.kind == "json":
        if len(data) > MAX_RECORD_BYTES:
            raise RecordError(
                Problem(record.source, record.location, f"is {len(data)} bytes; expected at most {MAX_RECORD_BYTES} bytes")
            )
        try:
            data = orjson.loads(data)
        except orjson.JSONDecodeError as e:
            raise RecordError(Problem(record.source, record.location, f"not valid JSON ({e})")) from None
    label = "\x00"
    try:
        return validate_partnership(data, label)
    except FactError as e:
        raise RecordError(_problem(record, e, label)) from None


# --- readers --------------------------------------------------------------------------------------


def read_sources(paths: Iterable[Path]) -> Iterator[Item]:
    """Every record of every source, in the order given (folders in sorted path order)."""
    for path in paths:
        path = Path(path)
        kind = source_kind(path)
        if kind == "folder":
            yield from read_folder(path)
        else:
            yield from read_file(path, kind)


def read_file(path: Path, kind: str) -> Iterator[Item]:
    if kind == "jsonl":
        yield from read_jsonl(path)
    elif kind == "csv":
        yield from read_csv(path)
    elif _holds_list(path, kind):
        yield from (read_json_list(path) if kind == "json" else read_yaml_list(path))
    else:
        yield Record(str(path), "", "file", str(path))


def fact_files(folder: Path) -> Iterator[Path]:
    """The .yaml, .yml and .json files under a folder, recursively, sorted; hidden ones left out."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and name.lower().endswith(FACT_SUFFIXES):
                yield Path(root) / name


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
                yield Problem(source, f"line {number}", f"is longer than {MAX_RECORD_BYTES} bytes; expected one partnership per line")
                continue
            if number == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if line.strip():
                yield Record(source, f"line {number}", "json", line)


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
        raise FactError(f"{column}: found {text!r}, expected true or false (true, yes, 1 or false, no, 0)")
    if kind == "json":
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError as e:
            raise FactError(f"{column}: not valid JSON ({e}); expected a JSON list of objects") from None
        if not isinstance(value, list):
            raise FactError(f"{column}: found {type(value).__name__}, expected a JSON list of objects")
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
                yield Problem(source, "", "the file is empty; expected a header row of column names")
                return
            names = [h.strip() for h in header]
            for name in names:
                if name not in known:
                    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.7)
                    hint = f"; did you mean {close[0]!r}?" if close else "; expected a fact name such as secretariat.exists"
                    yield Problem(source, "line 1", f"column {name!r}: unknown{hint} (no row of this file was read)")
                    return
            doubled = sorted({n for n in names if names.count(n) > 1})
            if doubled:
                yield Problem(source, "line 1", f"column {doubled[0]!r}: appears twice; expected each column once")
                return
            columns = [(n, known[n]) for n in names]
            start = reader.line_num + 1
            for row in reader:
                location = f"line {start}"
                start = reader.line_num + 1
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(columns):
                    yield Problem(source, location, f"found {len(row)} cells, expected {len(columns)} (one per column)")
                    continue
                try:
                    yield Record(source, location, "data", row_to_data(columns, row))
                except FactError as e:
                    yield Problem(source, location, str(e))
    except (csv.Error, UnicodeDecodeError, OSError) as e:
        where = f"line {reader.line_num}: " if "reader" in locals() and reader.line_num else ""
        reason = "bytes that are not UTF-8" if isinstance(e, UnicodeDecodeError) else str(e)
        yield Problem(source, "", f"{where}cannot be read further ({reason}); the rows before were read")


def read_json_list(path: Path) -> Iterator[Item]:
    """A JSON array of partnerships, decoded one element at a time from a bounded buffer.

    The buffer holds at most one element plus one chunk. A syntax error ends the file (there is no
    safe way to find the next element); the elements before it are kept.
    """
    source = str(path)
    decoder = json.JSONDecoder()
    try:
        f = open(path, encoding="utf-8-sig")
    except OSError as e:
        yield Problem(source, "", f"cannot be read ({e.strerror or e})")
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
                yield Problem(source, f"line {line}", "expected a JSON list of partnerships")
                return
            pos += 1
            number = 0
            while True:
                if not skip_space():
                    yield Problem(source, f"line {line}", "the list is not closed; expected ']' (the records before were read)")
                    return
                if buf[pos] == "]":
                    return
                if number:
                    if buf[pos] != ",":
                        yield Problem(source, f"line {line}", f"not valid JSON after record {number}; expected ',' or ']'")
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
                            yield Problem(source, f"record {number}, line {at}", f"not valid JSON ({e.msg}); the records before were read")
                            return
                    if len(buf) - pos > MAX_RECORD_BYTES:
                        yield Problem(source, f"record {number}, line {line}", f"is longer than {MAX_RECORD_BYTES} characters")
                        return
                    refill()
                location = f"record {number}, line {line}"
                bad = _non_finite(value)
                if bad is not None:
                    yield Problem(source, location, f"contains the number {bad}; expected finite numbers")
                else:
                    yield Record(source, location, "data", value)
                line += buf.count("\n", pos, end)
                pos = end
                if pos > CHUNK_CHARS:
                    buf, pos = buf[pos:], 0
        except (UnicodeDecodeError, OSError) as e:
            reason = "bytes that are not UTF-8" if isinstance(e, UnicodeDecodeError) else str(e)
            yield Problem(source, f"line {line}", f"cannot be read further ({reason}); the records before were read")
        except RecursionError:
            yield Problem(source, f"line {line}", "nested too deeply; the records before were read")


_SPACE = re.compile(r"[ \t\r\n]*")


def _non_finite(value: Any) -> Optional[float]:
    stack = [value]
    while stack:
        x = stack.pop()
        if isinstance(x, float) and (x != x or x in (float("inf"), float("-inf"))):
            return x
        if isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return None


def read_yaml_list(path: Path) -> Iterator[Item]:
    """A YAML list of partnerships, composed one item at a time (line numbers kept, memory flat).

    Each item is checked with the limits of one fact file (aliases, depth, sizes); an alias may not
    point into another item. A syntax error ends the file; the items before it are kept.
    """
    source = str(path)
    try:
        f = open(path, encoding="utf-8-sig")
    except OSError as e:
        yield Problem(source, "", f"cannot be read ({e.strerror or e})")
        return
    with f:
        loader = _Loader(f, source)
        number = 0
        try:
            loader.get_event()  # stream start
            if loader.check_event(yaml.StreamEndEvent):
                yield Problem(source, "", "the file is empty; expected a list of partnerships")
                return
            loader.get_event()  # document start
            if not loader.check_event(yaml.SequenceStartEvent):
                yield Problem(source, "line 1", "expected a YAML list of partnerships")
                return
            loader.get_event()
            while not loader.check_event(yaml.SequenceEndEvent):
                number += 1
                loader.anchors = {}
                loader._aliases = 0
                node = loader.compose_node(None, None)
                location = f"record {number}, line {node.start_mark.line + 1}"
                try:
                    _check_scalars(node, source)
                    data = loader.construct_document(node)
                    _check_numbers(data, source)
                except YamlError as e:
                    yield _list_problem(source, number, location, str(e)[len(source) + 2 :])
                    continue
                label = "\x00"
                try:
                    validate_partnership(data, label, node)
                except FactError as e:
                    yield _list_problem(source, number, location, str(e)[len(label) + 2 :])
                    continue
                yield Record(source, location, "data", data)
        except YamlError as e:
            yield Problem(source, "", f"{str(e)[len(source) + 2 :]}; the records before were read")
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            where = f"line {mark.line + 1}" if mark else ""
            yield Problem(source, where, f"not valid YAML ({e.problem or e.context}); the records before were read")
        except (yaml.YAMLError, UnicodeDecodeError, OSError, RecursionError) as e:
            yield Problem(source, "", f"cannot be read further ({type(e).__name__}: {e}); the records before were read")
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
    "Item", "Problem", "Record", "RecordError", "check_sources", "count_records", "csv_columns", "read_sources",
    "to_partnership", "TRUE_WORDS", "FALSE_WORDS",
]
