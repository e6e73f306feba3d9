"""Properties of loading and assessing, over fact files generated from the fact schema.

Valid files (drawn from `Partnership.model_json_schema()`) always give a result; mutated ones (wrong
types, unknown keys, the name deleted, deep nesting, odd unicode) give a result or a clean one-line
FactError naming the file, never another exception.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerwise.api import default_assessor
from partnerwise.facts.loader import FactError, load_partnership
from partnerwise.facts.model import Partnership
from partnerwise.render import get_renderer

SCHEMA = Partnership.model_json_schema()
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
ODD_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "M", "N", "P", "S", "Z", "Cc", "Cf"]), max_size=30
)


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def from_schema(schema: dict) -> st.SearchStrategy:
    """A strategy for values valid under one node of the fact schema (optional keys drawn or left out)."""
    schema = _resolve(schema)
    if "anyOf" in schema:
        return st.one_of([from_schema(s) for s in schema["anyOf"] if s.get("type") != "null"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "object":
        required = {k: from_schema(v) for k, v in schema["properties"].items() if k in schema.get("required", ())}
        optional = {k: from_schema(v) for k, v in schema["properties"].items() if k not in required}
        return st.fixed_dictionaries(required, optional=optional)
    if kind == "array":
        return st.lists(from_schema(schema["items"]), max_size=4)
    if kind == "boolean":
        return st.booleans()
    if kind in ("number", "integer"):
        lo, hi = schema.get("minimum", -1e6), schema.get("maximum", 1e9)
        ints = st.integers(int(lo), int(hi))
        return ints if kind == "integer" else st.one_of(ints, st.floats(lo, hi, allow_nan=False))
    if kind == "string":
        if schema.get("format") == "partial-date":
            return st.tuples(st.dates().map(str), st.sampled_from([4, 7, 10])).map(lambda d: d[0][: d[1]])
        if "pattern" in schema:
            return st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,30}\Z")
        return st.text(min_size=max(schema.get("minLength", 0), 1), max_size=min(schema.get("maxLength", 60), 60)).filter(str.strip)
    raise AssertionError(f"no strategy for {schema}")


sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
try:
    from fuzz import fit  # what the schema cannot say, made true of a generated partnership
finally:
    sys.path.pop(0)

VALID = from_schema(SCHEMA).map(fit)


def _write(tmp_path, doc, fmt: str):
    path = tmp_path / f"facts.{fmt}"
    text = json.dumps(doc, default=str) if fmt == "json" else yaml.safe_dump(doc, allow_unicode=True)
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


def _assess_and_render(p) -> None:
    result = default_assessor().assess(p)
    for fmt in ("table", "markdown", "json"):
        render = get_renderer(fmt)
        text = render([result], single=True) if fmt == "json" else render([result])
        assert "\x1b" not in text


@SETTINGS
@given(doc=VALID, fmt=st.sampled_from(["yaml", "json"]))
def test_valid_fact_files_always_give_a_result(tmp_path_factory, doc, fmt):
    path = _write(tmp_path_factory.mktemp("valid"), doc, fmt)
    _assess_and_render(load_partnership(path))


def _mutations(doc: dict) -> st.SearchStrategy:
    keys = list(doc) or ["name"]
    sections = [k for k, v in doc.items() if isinstance(v, dict)]
    odd = st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), ODD_TEXT,
        st.lists(st.integers(), max_size=3), st.dictionaries(ODD_TEXT, st.integers(), max_size=3),
    )
    wrong_type = st.tuples(st.sampled_from(keys), odd).map(lambda kv: {**doc, kv[0]: kv[1]})
    unknown_key = st.tuples(ODD_TEXT, odd).map(lambda kv: {**doc, kv[0] or "x": kv[1]})
    no_name = st.just({k: v for k, v in doc.items() if k != "name"})
    deep = st.integers(1, 120).map(lambda n: {**doc, "context": _nest(n)})
    odd_name = ODD_TEXT.map(lambda s: {**doc, "name": s})
    options = [wrong_type, unknown_key, no_name, deep, odd_name]
    if sections:
        options.append(
            st.tuples(st.sampled_from(sections), ODD_TEXT, odd).map(lambda t: {**doc, t[0]: {**doc[t[0]], t[1]: t[2]}})
        )
    return st.one_of(options)


def _nest(n: int):
    x: object = "x"
    for i in range(n):
        x = [x] if i % 2 else {"k": x}
    return x


@SETTINGS
@given(data=st.data(), fmt=st.sampled_from(["yaml", "json"]))
def test_mutated_fact_files_give_a_result_or_a_clean_error(tmp_path_factory, data, fmt):
    doc = data.draw(VALID)
    mutated = data.draw(_mutations(doc))
    path = _write(tmp_path_factory.mktemp("mutated"), mutated, fmt)
    try:
        p = load_partnership(path)
    except FactError as e:
        lines = str(e).split("\n")
        assert len(lines) == len(e.problems) >= 1
        assert all(line.startswith(str(path) + ":") for line in lines)  # one line per problem, each naming the file
        return
    _assess_and_render(p)


@settings(max_examples=80, deadline=None)
@given(raw=st.binary(max_size=400), fmt=st.sampled_from(["yaml", "json"]))
def test_any_bytes_give_a_result_or_a_clean_error(tmp_path_factory, raw, fmt):
    path = tmp_path_factory.mktemp("bytes") / f"facts.{fmt}"
    path.write_bytes(raw)
    try:
        p = load_partnership(path)
    except FactError as e:
        assert len(str(e).split("\n")) == len(e.problems)
        return
    _assess_and_render(p)
