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
MAX_VALUES = 200_000  # values in one document, counting each alias as the values it stands for


from .problems import YamlError  # noqa: E402  (re-exported: readers of YAML catch it from here)


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
                raise YamlError.at(
                    self._label, f"more than {MAX_ALIASES} YAML aliases; expected plain data (alias expansion is limited)",
                    line=mark.line + 1,
                )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlError.at(self._label, f"nested deeper than {MAX_DEPTH} levels", line=mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node, deep=False):
        # A scalar the safe constructor cannot convert (month 13, an int of 5,000 digits, '!!bool x')
        # raises a bare ValueError or KeyError; give it the file and line instead.
        try:
            return super().construct_object(node, deep)
        except (YamlError, yaml.YAMLError):
            raise
        except (ValueError, KeyError, TypeError, OverflowError) as e:
            what = "this value"
            if isinstance(node, yaml.ScalarNode):
                what = "the value " + repr(node.value if len(node.value) <= 40 else node.value[:37] + "...")
            reason = "more than 4300 digits" if "digits" in str(e) else str(e).strip("'\"")
            raise YamlError.at(
                self._label, f"{what} cannot be read ({reason}); expected plain data", line=node.start_mark.line + 1
            ) from None

    def construct_mapping(self, node, deep=False):
        # PyYAML keeps the last of two equal keys; a value silently dropped is a fact lost.
        if isinstance(node, yaml.MappingNode):
            keys = [(k.tag, k.value, k.start_mark.line + 1) for k, _ in node.value
                    if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge"]
            lines: dict = {}
            for tag, value, line in keys:
                if (tag, value) in lines:
                    raise YamlError.at(
                        self._label,
                        f"key {value!r} appears twice in one mapping (also on line {lines[(tag, value)]}); expected each key once",
                        line=line,
                    )
                lines[(tag, value)] = line
        return super().construct_mapping(node, deep)


def _reject_tags(loader, suffix, node):
    raise YamlError.at(loader._label, f"YAML tag {node.tag!r} is not allowed; expected plain data", line=node.start_mark.line + 1)


_Loader.add_multi_constructor("!", _reject_tags)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _reject_tags)
for _tag in ("binary", "set", "omap", "pairs"):  # these build bytes, sets and pair lists: not plain data
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", lambda loader, node: _reject_tags(loader, None, node))


def _children(n: yaml.Node) -> list:
    if isinstance(n, yaml.SequenceNode):
        return n.value
    if isinstance(n, yaml.MappingNode):
        return [x for pair in n.value for x in pair]
    return []


def _check_scalars(node: yaml.Node, label: str) -> None:
    """Check a composed tree before any object is built: value lengths, and the number of values and
    the depth the data would have with every alias expanded (a 'billion laughs' file is a few lines
    of aliases). Each node is visited once, so the check itself stays linear in the file; a
    collection that contains itself through an alias is refused."""
    size: dict[int, int] = {}
    height: dict[int, int] = {}
    entered: set[int] = set()
    stack: list = [(node, False)]
    while stack:
        n, leaving = stack.pop()
        key = id(n)
        if leaving:
            entered.discard(key)
            kids = _children(n)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            height[key] = 1 + max((height[id(k)] for k in kids), default=0)
            line = n.start_mark.line + 1
            if size[key] > MAX_VALUES:
                raise YamlError.at(
                    label, f"more than {MAX_VALUES} values (each YAML alias counted as what it stands for); expected plain data",
                    line=line,
                )
            if height[key] > MAX_DEPTH:
                raise YamlError.at(label, f"nested deeper than {MAX_DEPTH} levels (with YAML aliases expanded)", line=line)
            continue
        if key in size:
            continue
        if key in entered:
            raise YamlError.at(
                label, "a YAML alias refers to a collection that contains it; expected plain data", line=n.start_mark.line + 1
            )
        if isinstance(n, yaml.ScalarNode):
            if len(n.value) > MAX_SCALAR_CHARS:
                raise YamlError.at(
                    label, f"a value of {len(n.value)} characters; expected at most {MAX_SCALAR_CHARS}", line=n.start_mark.line + 1
                )
            size[key], height[key] = 1, 1
            continue
        entered.add(key)
        stack.append((n, True))
        stack.extend((k, False) for k in _children(n))


def check_data(data: Any, label: str) -> None:
    """The limits of a YAML document, for data read another way (JSON): depth, values, lengths, numbers."""
    stack = [(data, 1)]
    count = 0
    while stack:
        x, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise YamlError.at(label, f"nested deeper than {MAX_DEPTH} levels")
        if count > MAX_VALUES:
            raise YamlError.at(label, f"more than {MAX_VALUES} values; expected plain data")
        if isinstance(x, float) and not math.isfinite(x):
            raise YamlError.at(label, f"contains the number {x}; expected finite numbers")
        if isinstance(x, str) and len(x) > MAX_SCALAR_CHARS:
            raise YamlError.at(label, f"a value of {len(x)} characters; expected at most {MAX_SCALAR_CHARS}")
        if isinstance(x, dict):
            stack.extend((v, depth + 1) for kv in x.items() for v in kv)
        elif isinstance(x, list):
            stack.extend((v, depth + 1) for v in x)


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """A file's text as UTF-8 (a byte-order mark is dropped); YamlError for anything that is not that."""
    label = str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise YamlError.at(label, "no such file") from None
    except OSError as e:
        raise YamlError.at(label, f"cannot be read ({e.strerror or e})") from None
    if stat.S_ISDIR(st.st_mode):
        raise YamlError.at(label, "is a folder; expected a file")
    if not stat.S_ISREG(st.st_mode):
        raise YamlError.at(label, "is not a regular file; expected a YAML or JSON file")
    if st.st_size > max_bytes:
        raise YamlError.at(label, f"is {st.st_size} bytes; expected at most {max_bytes} bytes")
    try:
        with open(path, "rb") as f:
            raw = f.read(max_bytes + 1)
    except OSError as e:
        raise YamlError.at(label, f"cannot be read ({e.strerror or e})") from None
    return decode(raw, label)


def decode(raw: bytes, label: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise YamlError.at(label, "is encoded in UTF-16; expected UTF-8")
    if b"\x00" in raw:
        raise YamlError.at(label, "contains NUL bytes; expected a UTF-8 text file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise YamlError.at(label, "bytes that are not UTF-8; expected a UTF-8 text file", line=line) from None


def parse_yaml(text: str, label: str) -> tuple[Any, Optional[yaml.Node]]:
    """Data and the composed node tree (for line numbers) of one YAML document."""
    try:
        loader = _Loader(text, label)
    except yaml.reader.ReaderError as e:  # raised at once for a control character anywhere in the text
        line = text.count("\n", 0, e.position) + 1 if isinstance(e.position, int) else None
        raise YamlError.at(
            label, f"the character {e.character:#06x} is not allowed in YAML; expected printable text", line=line
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_scalars(node, label)
        data = loader.construct_document(node)
    except YamlError:
        raise
    except yaml.MarkedYAMLError as e:
        raise YamlError.at(label, f"not valid YAML ({e.problem or e.context})", line=mark_line(e)) from None
    except yaml.YAMLError as e:
        raise YamlError.at(label, f"not valid YAML ({e})") from None
    except RecursionError:
        raise YamlError.at(label, "nested too deeply") from None
    finally:
        loader.dispose()
    _check_numbers(data, label)
    return data, node


def mark_line(e: yaml.MarkedYAMLError) -> Optional[int]:
    """The 1-based line a YAML syntax error points at, where it gives one."""
    mark = e.problem_mark or e.context_mark
    return mark.line + 1 if mark else None


def non_finite(data: Any) -> Optional[float]:
    """A number in `data` that is not finite (NaN or an infinity), or None when all are finite."""
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, float) and not math.isfinite(x):
            return x
        if isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return None


def _check_numbers(data: Any, label: str) -> None:
    bad = non_finite(data)
    if bad is not None:
        raise YamlError.at(label, f"contains the number {bad}; expected finite numbers")


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
