"""Reading YAML and JSON files safely: size, depth and alias limits, plain data only, line numbers kept."""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path
from typing import Any, Optional

import yaml

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 40
MAX_ALIASES = 100
MAX_SCALAR_CHARS = 100_000


class YamlError(ValueError):
    """A file that cannot be read as data; the message names the file and, where known, the line."""


class _Loader(yaml.SafeLoader):
    """SafeLoader that counts aliases and nesting while composing, before any object is built."""

    def __init__(self, stream, label: str):
        super().__init__(stream)
        self._label = label
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise YamlError(
                    f"{self._label}: line {mark.line + 1}: more than {MAX_ALIASES} YAML aliases; "
                    "expected plain data (alias expansion is limited)"
                )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlError(f"{self._label}: line {mark.line + 1}: nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _reject_tags(loader, suffix, node):
    raise YamlError(
        f"{loader._label}: line {node.start_mark.line + 1}: YAML tag {node.tag!r} is not allowed; expected plain data"
    )


_Loader.add_multi_constructor("!", _reject_tags)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _reject_tags)


def _check_scalars(node: yaml.Node, label: str) -> None:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, yaml.ScalarNode):
            if len(n.value) > MAX_SCALAR_CHARS:
                raise YamlError(
                    f"{label}: line {n.start_mark.line + 1}: a value of {len(n.value)} characters; "
                    f"expected at most {MAX_SCALAR_CHARS}"
                )
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
        elif isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                stack.extend((k, v))


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """A file's text as UTF-8 (a byte-order mark is dropped); YamlError for anything that is not that."""
    label = str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise YamlError(f"{label}: no such file") from None
    except OSError as e:
        raise YamlError(f"{label}: cannot be read ({e.strerror or e})") from None
    if stat.S_ISDIR(st.st_mode):
        raise YamlError(f"{label}: is a folder; expected a file")
    if not stat.S_ISREG(st.st_mode):
        raise YamlError(f"{label}: is not a regular file; expected a YAML or JSON file")
    if st.st_size > max_bytes:
        raise YamlError(f"{label}: is {st.st_size} bytes; expected at most {max_bytes} bytes")
    try:
        with open(path, "rb") as f:
            raw = f.read(max_bytes + 1)
    except OSError as e:
        raise YamlError(f"{label}: cannot be read ({e.strerror or e})") from None
    return decode(raw, label)


def decode(raw: bytes, label: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise YamlError(f"{label}: is encoded in UTF-16; expected UTF-8")
    if b"\x00" in raw:
        raise YamlError(f"{label}: contains NUL bytes; expected a UTF-8 text file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise YamlError(f"{label}: line {line}: bytes that are not UTF-8; expected a UTF-8 text file") from None


def parse_yaml(text: str, label: str) -> tuple[Any, Optional[yaml.Node]]:
    """Data and the composed node tree (for line numbers) of one YAML document."""
    loader = _Loader(text, label)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_scalars(node, label)
        data = loader.construct_document(node)
    except YamlError:
        raise
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        raise YamlError(f"{label}: {where}not valid YAML ({e.problem or e.context})") from None
    except yaml.YAMLError as e:
        raise YamlError(f"{label}: not valid YAML ({e})") from None
    except RecursionError:
        raise YamlError(f"{label}: nested too deeply") from None
    finally:
        loader.dispose()
    _check_numbers(data, label)
    return data, node


def _check_numbers(data: Any, label: str) -> None:
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, float) and not math.isfinite(x):
            raise YamlError(f"{label}: contains the number {x}; expected finite numbers")
        if isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)


def load_yaml_file(path: Path) -> Any:
    data, _ = parse_yaml(read_text(path), str(path))
    return data


def line_of(node: Optional[yaml.Node], loc: tuple) -> Optional[int]:
    """The 1-based line of the value at `loc` (keys and list indexes) in a composed YAML tree."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == str(key):
                    node = v
                    line = k.start_mark.line + 1
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line
