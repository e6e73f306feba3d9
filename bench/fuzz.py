"""Fuzzing the path of `partnerwise assess`: generated fact files, valid and hostile, loaded, assessed and rendered.

Each input is a fact file written to a temporary folder and handed to the functions the command
line calls (`load_partnership`, the assessor, every renderer), in this process. A clean FactError
of one line naming the file is a correct answer; so is a result whose terminal and Markdown output
hold no control characters. Anything else (another exception, a multi-line error, an escape
sequence in the output) is a crash: it is counted and its input kept for a test.

    python bench/fuzz.py --count 100000 --seed 1
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Optional

import yaml

from partnerwise.api import default_assessor
from partnerwise.facts.loader import FactError, load_partnership
from partnerwise.facts.derive import possible_value
from partnerwise.facts.model import Partnership
from partnerwise.render import get_renderer

SCHEMA = Partnership.model_json_schema()
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
ODD_TEXT = [
    "\u001b[31mred\u001b[0m", "\u202eevil", "a\u0000b", "line\nbreak", "tab\there", "\u2028", "🤝", "ẞß", "e\u0301",
    "\ufeff", "'; DROP TABLE x; --", "=HYPERLINK(\"http://x\")", "[link](javascript:x)", "<script>x</script>",
    "*bold* _it_ `code` # h", "|a|b|", "\\", "\ud7ff", "x" * 300, "", " ", "null", "yes", "~",
]
HOSTILE_SNIPPETS = [
    "!!python/object/apply:os.system ['true']", "!!python/name:os.system", "!!binary aGk=", "!!set {a}",
    "&a [*a]", "*undefined", "{", "[", "]", "}", "? ", ": ", "- ", "---\n", "...\n", "%YAML 1.1\n", "!foo x",
    "<<: *a", "&x", "\t", "\"", "'", "#", "|\n", ">\n", ".nan", ".inf", "-.inf", "1e309", "NaN", "Infinity",
    "9" * 5000, "2001-13-45", "0x1F", "0o17", "1_000", "!!int x", "!!bool maybe", "!!float x",
]
HOSTILE_BYTES = [b"\x00", b"\xff", b"\xef\xbb\xbf", b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\r", b"\x1b[2J"]


# --- generating values from the fact schema ---------------------------------------------------------


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _text(rng: random.Random, limit: int = 40) -> str:
    if rng.random() < 0.1:
        return rng.choice(ODD_TEXT)[:limit] or "x"
    words = ["Delta", "River", "Alliance", "Fund", "Co-op", "Ministry", "Health", "Water", "Café", "Ñandú", "Łódź"]
    return " ".join(rng.choice(words) for _ in range(rng.randint(1, 3)))[:limit]


def value_for(schema: dict, rng: random.Random, depth: int = 0) -> Any:
    """A value valid for `schema` (a pydantic JSON schema), absent parts left out at random."""
    schema = _resolve(schema)
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return value_for(rng.choice(options), rng, depth)
    if "enum" in schema:
        return rng.choice(schema["enum"])
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        out = {}
        for key, sub in props.items():
            if key in schema.get("required", ()) or rng.random() < 0.35:
                out[key] = value_for(sub, rng, depth + 1)
        return out
    if kind == "array":
        n = rng.randint(0, 4)
        return [value_for(schema["items"], rng, depth + 1) for _ in range(n)]
    if kind == "boolean":
        return rng.random() < 0.5
    if kind in ("number", "integer"):
        lo, hi = schema.get("minimum", 0), schema.get("maximum", 10_000_000)
        x = rng.uniform(lo, hi)
        return int(x) if kind == "integer" or rng.random() < 0.5 else round(x, 2)
    if kind == "string":
        if schema.get("format") == "partial-date":
            day = f"{rng.randint(1990, 2030)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            return day[: rng.choice((4, 7, 10))]
        if "pattern" in schema:
            return "p-" + "".join(rng.choice("abcdefghij0123456789") for _ in range(rng.randint(1, 12)))
        text = _text(rng, schema.get("maxLength", 200))
        return text if len(text) >= schema.get("minLength", 0) else "x"
    return None


def fit(doc: dict) -> dict:
    """What the schema cannot say, made true of a generated partnership: names unique within partners
    and funders, funders' shares adding up to at most 100, each concern's value one its fact can take."""
    for key in ("partners", "funders"):
        for i, item in enumerate(doc.get(key) or []):
            item["name"] = f"{item['name'].strip()} #{i}"
    shares = [f for f in doc.get("funders") or [] if "share" in f]
    total = sum(f["share"] for f in shares)
    if total > 100:
        for f in shares:
            f["share"] = f["share"] * 99 / total
    for concern in doc.get("concerns") or []:
        concern["value"] = possible_value(concern["fact"])
    return doc


def valid_partnership(rng: random.Random) -> dict:
    """A partnership the model must accept."""
    return fit(value_for(SCHEMA, rng))


# --- mutations ----------------------------------------------------------------------------------------


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, prefix + (i,))
    return out


def _set(doc: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


def _odd_value(rng: random.Random) -> Any:
    return rng.choice([
        None, True, False, 0, -1, 101, 1e308, -1e308, 2**70, "yes", "no", "60", "", "maybe", [], {}, [1, 2],
        {"x": 1}, rng.choice(ODD_TEXT), "x" * rng.choice([10, 1000, 120_000]), float("nan"), float("inf"),
    ])


def mutate(doc: dict, rng: random.Random) -> dict:
    """Break a valid partnership in one of the ways real files are broken."""
    how = rng.randrange(8)
    paths = _paths(doc)
    if how == 0:  # a wrong type somewhere
        return _set(doc, rng.choice(paths), _odd_value(rng))
    if how == 1:  # an unknown key
        path = rng.choice([p for p in paths if isinstance(_get(doc, p), dict)] or [()])
        _get(doc, path)[rng.choice(["secreteriat", "nmae", "x", "", "\u001b[1m", "a b", "1"])] = _odd_value(rng)
        return doc
    if how == 2:  # the name deleted
        doc.pop("name", None)
        return doc
    if how == 3:  # deep nesting
        deep: Any = "x"
        for _ in range(rng.choice([5, 39, 41, 200, 2000])):
            deep = rng.choice([[deep], {"k": deep}])
        return _set(doc, rng.choice(paths[1:] or [("extra",)]), deep)
    if how == 4:  # odd unicode in every string
        return _walk_strings(doc, lambda s: s + rng.choice(ODD_TEXT))
    if how == 5:  # a duplicated partner or funder
        for key in ("partners", "funders"):
            if doc.get(key):
                doc[key].append(dict(doc[key][0]))
        return doc
    if how == 6:  # a whole section of the wrong shape
        doc[rng.choice(list(SCHEMA["properties"]))] = _odd_value(rng)
        return doc
    return _set(doc, rng.choice(paths), rng.choice(ODD_TEXT))


def _get(doc: Any, path: tuple) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def _walk_strings(x: Any, f) -> Any:
    if isinstance(x, str):
        return f(x)
    if isinstance(x, dict):
        return {k: _walk_strings(v, f) for k, v in x.items()}
    if isinstance(x, list):
        return [_walk_strings(v, f) for v in x]
    return x


def serialise(doc: Any, rng: random.Random) -> tuple[bytes, str]:
    """The document as YAML or JSON bytes, sometimes damaged at the byte level."""
    suffix = rng.choice([".yaml", ".json"])
    try:
        if suffix == ".json":
            text = json.dumps(doc, ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 2]))
        else:
            text = yaml.safe_dump(doc, allow_unicode=rng.random() < 0.5, sort_keys=False, default_flow_style=rng.choice([None, True]))
    except (RecursionError, ValueError):
        text = "name: too deep to write\n"
    data = text.encode("utf-8", "surrogatepass")
    r = rng.random()
    if r < 0.15:  # a hostile snippet spliced in
        at = rng.randrange(len(data) + 1)
        data = data[:at] + rng.choice(HOSTILE_SNIPPETS).encode() + data[at:]
    elif r < 0.22:  # hostile bytes spliced in
        at = rng.randrange(len(data) + 1)
        data = data[:at] + rng.choice(HOSTILE_BYTES) + data[at:]
    elif r < 0.27:  # cut short
        data = data[: rng.randrange(len(data) + 1)]
    elif r < 0.32 and data:  # one byte flipped
        at = rng.randrange(len(data))
        data = data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :]
    return data, suffix


def generate(rng: random.Random) -> tuple[bytes, str]:
    doc = valid_partnership(rng)
    if rng.random() < 0.6:
        doc = mutate(doc, rng)
    return serialise(doc, rng)


# --- running one input the way the command line does ---------------------------------------------


class Crash(Exception):
    pass


def run_one(data: bytes, suffix: str, folder: Path, assessor, renderers) -> str:
    """'ok', 'error' (a clean FactError) or raise Crash with what went wrong."""
    path = folder / f"input{suffix}"
    path.write_bytes(data)
    try:
        p = load_partnership(path)
    except FactError as e:
        message = str(e)
        lines = [str(p) for p in e.problems]
        if not lines or any("\n" in line or not line.startswith(str(path) + ":") for line in lines):
            raise Crash(f"FactError not one line per problem, each naming the file: {message!r}")
        return "error"
    except RecursionError as e:  # noqa: F841 (named for the report)
        raise Crash("RecursionError while loading\n" + traceback.format_exc())
    except Exception:
        raise Crash(traceback.format_exc())
    try:
        result = assessor.assess(p)
        result.source = str(path)
        for fmt, render in renderers.items():
            text = render([result], single=True) if fmt == "json" else render([result])
            text.encode("utf-8")  # what standard output and --output will do
            if fmt != "json" and CONTROL.search(text.replace("\n", "").replace("\t", "")):
                raise Crash(f"control characters in {fmt} output")
            if fmt == "json":
                json.loads(text)
    except Crash:
        raise
    except Exception:
        raise Crash(traceback.format_exc())
    return "ok"


def fuzz(count: int, seed: int, keep: Optional[Path] = None, report=None) -> dict:
    """Run `count` generated inputs; the figures, and the first crashes with their inputs."""
    rng = random.Random(seed)
    assessor = default_assessor()
    renderers = {fmt: get_renderer(fmt) for fmt in ("table", "json", "markdown")}
    tally = {"ok": 0, "error": 0, "crash": 0}
    crashes = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="partnerwise-fuzz-") as tmp:
        folder = Path(tmp)
        for i in range(count):
            data, suffix = generate(rng)
            try:
                tally[run_one(data, suffix, folder, assessor, renderers)] += 1
            except Crash as e:
                tally["crash"] += 1
                if len(crashes) < 20:
                    crashes.append({"index": i, "suffix": suffix, "input": data, "problem": str(e)})
                    if keep:
                        keep.mkdir(parents=True, exist_ok=True)
                        (keep / f"crash-{i}{suffix}").write_bytes(data)
            if report and (i + 1) % 10_000 == 0:
                report(f"{i + 1:,} inputs, {tally['crash']} crashes, {time.perf_counter() - start:.0f} s")
    seconds = time.perf_counter() - start
    return {"count": count, "seed": seed, "seconds": round(seconds, 1), **tally, "crashes": crashes}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="how many inputs (default 10,000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed; the same seed gives the same inputs")
    parser.add_argument("--keep", type=Path, help="a folder to keep the inputs that crashed")
    args = parser.parse_args(argv)
    out = fuzz(args.count, args.seed, args.keep, report=lambda s: print(s, file=sys.stderr, flush=True))
    for c in out["crashes"][:5]:
        print(f"--- crash on input {c['index']} ({c['suffix']}): {c['input'][:200]!r}\n{c['problem']}", file=sys.stderr)
    rate = out["count"] / out["seconds"] if out["seconds"] else 0
    print(
        f"{out['count']:,} inputs (seed {out['seed']}) in {out['seconds']:,} s ({rate:,.0f}/s): "
        f"{out['ok']:,} assessed, {out['error']:,} clean errors, {out['crash']} crashes; "
        f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs"
    )
    return 1 if out["crash"] else 0


if __name__ == "__main__":
    sys.exit(main())
