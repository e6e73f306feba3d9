"""Loading fact files (YAML or JSON) into validated partnerships, with errors a person can act on."""

from __future__ import annotations

import difflib
import json
import re
from enum import Enum
from pathlib import Path
from typing import Any, Optional, Union, get_args

from pydantic import BaseModel, ValidationError

from .model import Partnership
from .safeyaml import MAX_DEPTH, YamlError, check_data, line_of, parse_yaml, read_text

JSON_LINES_LIMIT = 256 * 1024  # JSON larger than this is reported without line numbers


class FactError(ValueError):
    """A fact file or record that is not a valid partnership; one line naming file, place, field, problem."""


def _model_at(loc: tuple) -> Optional[type[BaseModel]]:
    """The pydantic model that holds the last key of `loc`, for suggesting valid keys."""
    model: Any = Partnership
    for key in loc[:-1]:
        if isinstance(key, int):
            continue
        field = model.model_fields.get(key) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            return None
        model = _inner_model(field.annotation)
        if model is None:
            return None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _inner_model(annotation) -> Optional[type]:
    stack = [annotation]
    while stack:
        a = stack.pop()
        if isinstance(a, type) and issubclass(a, BaseModel):
            return a
        stack.extend(get_args(a))
    return None


def _enum_at(loc: tuple) -> Optional[list[str]]:
    model = _model_at(loc)
    if model is None or isinstance(loc[-1], int):
        return None
    field = model.model_fields.get(loc[-1])
    if field is None:
        return None
    stack = [field.annotation]
    while stack:
        a = stack.pop()
        if isinstance(a, type) and issubclass(a, Enum):
            return [m.value for m in a]
        stack.extend(get_args(a))
    return None


def field_path(loc: tuple) -> str:
    out = ""
    for key in loc:
        if not isinstance(key, int) and not re.fullmatch(r"[\w.-]+", str(key)):
            key = repr(str(key))  # a key with spaces or control characters, shown quoted and escaped
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out or "(the partnership)"


def _short(value: Any) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def describe_error(err: dict) -> str:
    """One pydantic error as 'field: found X, expected Y'."""
    loc = tuple(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        model = _model_at(loc)
        options = list(model.model_fields) if model else []
        close = difflib.get_close_matches(key, options, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else (f"; expected one of {', '.join(options)}" if options else "")
        return f"{field_path(loc)}: unknown key {key!r}{hint}"
    if kind == "missing":
        return f"{field_path(loc)}: is missing; expected a value"
    if kind == "enum":
        choices = _enum_at(loc) or []
        found = err.get("input")
        close = difflib.get_close_matches(str(found), choices, n=1, cutoff=0.6) if choices else []
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{field_path(loc)}: found {_short(found)}, expected one of {', '.join(choices)}{hint}"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        return f"{field_path(loc)}: {msg[len('Value error, '):]}"
    expected = re.sub(r"^Input should (be )?", "", msg)
    expected = (
        expected.replace("a valid boolean, unable to interpret input", "true or false")
        .replace("a valid boolean", "true or false")
        .replace("a valid number, unable to parse string as a number", "a number")
        .replace("less than or equal to", "at most")
        .replace("greater than or equal to", "at least")
    )
    if "input" in err:
        return f"{field_path(loc)}: found {_short(err['input'])}, expected {expected}"
    return f"{field_path(loc)}: {msg}"


def validate_partnership(data: Any, label: str, node=None) -> Partnership:
    """Validate plain data as a partnership; FactError with file, line and field on any problem."""
    if not isinstance(data, dict):
        found = "nothing" if data is None else f"a {type(data).__name__}"
        raise FactError(f"{label}: found {found}, expected a mapping of facts about one partnership")
    try:
        return Partnership.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        line = line_of(node, tuple(err["loc"]))
        where = f"line {line}: " if line else ""
        more = f" (and {e.error_count() - 1} more problems)" if e.error_count() > 1 else ""
        raise FactError(f"{label}: {where}{describe_error(err)}{more}") from None
    except RecursionError:
        raise FactError(f"{label}: nested too deeply") from None


def parse_document(text: str, label: str, fmt: str) -> tuple[Any, Any]:
    """Data and, where the format gives one, a node tree for line numbers."""
    if fmt == "json":
        try:
            data = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
        except json.JSONDecodeError as e:
            raise FactError(f"{label}: line {e.lineno}: not valid JSON ({e.msg})") from None
        except ValueError as e:
            reason = "a number of more than 4300 digits; expected plain data" if "digits" in str(e) else str(e)
            raise FactError(f"{label}: {reason}") from None
        except RecursionError:
            raise FactError(f"{label}: nested deeper than {MAX_DEPTH} levels") from None
        try:
            check_data(data, label)
        except YamlError as e:
            raise FactError(str(e)) from None
        if len(text) > JSON_LINES_LIMIT:
            return data, None  # reading JSON again as YAML, only for line numbers, is slow on big files
        try:
            _, node = parse_yaml(text, label)
        except (YamlError, Exception):
            node = None  # line numbers are a courtesy; JSON that YAML cannot read still loads
        return data, node
    try:
        return parse_yaml(text, label)
    except YamlError as e:
        raise FactError(str(e)) from None


def _unique_keys(pairs: list) -> dict:
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"key {key!r} appears twice in one object; expected each key once")
        out[key] = value
    return out


def _reject_constant(name: str):
    raise ValueError(f"contains {name}; expected finite numbers")


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    raise FactError(f"{path}: unknown file type {suffix or '(none)'!r}; expected .yaml, .yml or .json")


def load_partnership(path: Union[str, Path]) -> Partnership:
    """Read one fact file (YAML or JSON) into a validated partnership."""
    path = Path(path)
    label = str(path)
    fmt = file_format(path)
    try:
        text = read_text(path)
    except YamlError as e:
        raise FactError(str(e)) from None
    if not text.strip():
        raise FactError(f"{label}: the file is empty; expected the facts of one partnership")
    data, node = parse_document(text, label, fmt)
    return validate_partnership(data, label, node)
