"""Loading fact files (YAML or JSON) into validated partnerships, with errors a person can act on."""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any, Optional, Union

from pydantic import ValidationError

from .model import ID_PATTERN, Partnership
from .walker import field_at, model_at, template_of_loc
from .problems import FactError, Problem  # noqa: F401  (FactError is part of this module's face)
from .safeyaml import MAX_DEPTH, YamlError, check_data, line_of, parse_yaml, read_text

JSON_LINES_LIMIT = 256 * 1024  # JSON larger than this is reported without line numbers


def _enum_at(loc: tuple) -> Optional[list[str]]:
    f = field_at(template_of_loc(loc))
    return list(f.choices) if f is not None and f.choices else None


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


# What pydantic's error types mean for a person writing a fact file (found X, expected ...).
_EXPECTED = {
    "bool_parsing": "true or false", "bool_type": "true or false",
    "int_parsing": "a whole number", "int_type": "a whole number", "int_from_float": "a whole number",
    "float_parsing": "a number", "float_type": "a number", "finite_number": "a finite number",
    "date_parsing": "a date as YYYY-MM-DD", "date_type": "a date as YYYY-MM-DD",
    "date_from_datetime_parsing": "a date as YYYY-MM-DD", "date_from_datetime_inexact": "a date as YYYY-MM-DD",
    "model_type": "a mapping of fields", "model_attributes_type": "a mapping of fields", "dict_type": "a mapping of fields",
    "list_type": "a valid list", "string_type": "a valid string",
}
ID_PATTERN_WORDS = "letters, digits, '.', '-' and '_', starting with a letter or digit"


def _expected(err: dict) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in _EXPECTED:
        return _EXPECTED[kind]
    if kind == "string_pattern_mismatch":
        return ID_PATTERN_WORDS if ctx.get("pattern") == ID_PATTERN else "text in the documented form"
    if kind == "string_too_short":
        return f"at least {ctx.get('min_length')} character" + ("" if ctx.get("min_length") == 1 else "s")
    if kind == "string_too_long":
        return f"at most {ctx.get('max_length')} characters"
    if kind in ("less_than_equal", "less_than", "greater_than_equal", "greater_than"):
        word = {"less_than_equal": "at most", "less_than": "less than", "greater_than_equal": "at least",
                "greater_than": "more than"}[kind]
        limit = next(iter(ctx.values()), "")
        return f"{word} {limit}"
    return re.sub(r"^Input should (be )?", "", err["msg"])


def describe(err: dict) -> tuple[str, str]:
    """One pydantic error as (field, reason), the reason as 'found X, expected Y' where it can be."""
    loc = tuple(err["loc"])
    kind = err["type"]
    field = field_path(loc)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        model = model_at(loc)
        options = list(model.model_fields) if model else []
        close = difflib.get_close_matches(key, options, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else (f"; expected one of {', '.join(options)}" if options else "")
        return field, f"unknown key {key!r}{hint}"
    if kind == "missing":
        return field, "is missing; expected a value"
    if kind == "enum":
        choices = _enum_at(loc) or []
        found = err.get("input")
        close = difflib.get_close_matches(str(found), choices, n=1, cutoff=0.6) if choices else []
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return field, f"found {_short(found)}, expected one of {', '.join(choices)}{hint}"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        return field, msg[len("Value error, "):]
    if "input" in err:
        return field, f"found {_short(err['input'])}, expected {_expected(err)}"
    return field, _expected(err)


def describe_error(err: dict) -> str:
    """One pydantic error as 'field: found X, expected Y'."""
    field, reason = describe(err)
    return f"{field}: {reason}"


def problems_of(e: ValidationError, label: str, node=None) -> list[Problem]:
    """Every problem of a validation error, in line order (those without a line keep their order, first)."""
    out = []
    for err in e.errors():
        field, reason = describe(err)
        out.append(Problem(label, reason, line_of(node, tuple(err["loc"])), field))
    return sorted(out, key=lambda p: p.line or 0)


def validate_partnership(data: Any, label: str, node=None) -> Partnership:
    """Validate plain data as a partnership; FactError with every problem's file, line and field."""
    if not isinstance(data, dict):
        found = "nothing" if data is None else f"a {type(data).__name__}"
        raise FactError.at(label, f"found {found}, expected a mapping of facts about one partnership")
    try:
        return Partnership.model_validate(data)
    except ValidationError as e:
        raise FactError(problems_of(e, label, node)) from None
    except RecursionError:
        raise FactError.at(label, "nested too deeply") from None


def parse_document(text: str, label: str, fmt: str) -> tuple[Any, Any]:
    """Data and, where the format gives one, a node tree for line numbers."""
    if fmt == "json":
        try:
            data = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
        except json.JSONDecodeError as e:
            raise FactError.at(label, f"not valid JSON ({e.msg})", line=e.lineno) from None
        except ValueError as e:
            reason = "a number of more than 4300 digits; expected plain data" if "digits" in str(e) else str(e)
            raise FactError.at(label, reason) from None
        except RecursionError:
            raise FactError.at(label, f"nested deeper than {MAX_DEPTH} levels") from None
        try:
            check_data(data, label)
        except YamlError as e:
            raise FactError(e.problems) from None
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
        raise FactError(e.problems) from None


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
    if path.is_dir():
        raise FactError.at(
            str(path), "is a folder; expected a fact file (.yaml, .yml or .json); to assess every file in it, "
            f"use 'partnerwise audit {path}'"
        )
    raise FactError.at(str(path), f"unknown file type {suffix or '(none)'!r}; expected .yaml, .yml or .json")


def load_partnership(path: Union[str, Path]) -> Partnership:
    """Read one fact file (YAML or JSON) into a validated partnership."""
    path = Path(path)
    label = str(path)
    fmt = file_format(path)
    try:
        text = read_text(path)
    except YamlError as e:
        raise FactError(e.problems) from None
    if not text.strip():
        raise FactError.at(label, "the file is empty; expected the facts of one partnership")
    data, node = parse_document(text, label, fmt)
    return validate_partnership(data, label, node)
