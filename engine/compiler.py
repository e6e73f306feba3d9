"""A pure compiler from the rule base to a durable-rules ruleset definition (testable without running it).

Each rule's condition is put in negation normal form and split into its alternatives (disjunctive
normal form). Each alternative becomes one durable-rules rule: tests on the partnership's section
facts (`s0`, `s1`, ...) and the derived facts (`d0`, ...) it reads. Derive and gate rules are compiled for
both outcomes, true and false, so that "known to be false" can chain too; unknown stays unknown.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from . import conditions as cond
from .rulebase import LoadedRule, RuleBase, RuleError, finding_ref
from .rulecache import read_private, write_private

_DR_OPS = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}


def field_key(name: str) -> str:
    """Fact names are dotted; durable-rules reads dots as nesting, so flat keys use '__'."""
    return name.replace(".", "__")


def known_key(name: str) -> str:
    """The field that says whether a fact is known: asserted for the facts an `unless:` reads."""
    return field_key(name) + "__known"


@dataclass(frozen=True)
class Target:
    """What one compiled durable-rules rule stands for: a rule, an outcome and one alternative.

    The outcome is True or False (the rule's condition holds, or is known not to), or the text
    'severity N' for a finding whose N-th `severity_if` condition holds as well. `leaves` are the
    alternative's tests, for reading a compiled rule base; a rule base taken from the cache has none.
    """

    rule: LoadedRule
    outcome: object
    alternative: int
    leaves: tuple


def _test(leaf: cond.Leaf) -> dict:
    if leaf.op == cond.KNOWN:
        return {known_key(leaf.name): leaf.value}
    key = field_key(leaf.name)
    if leaf.op == "==":
        return {key: leaf.value}
    return {_DR_OPS[leaf.op]: {key: leaf.value}}


def section_of(name: str) -> str:
    """Which of a partnership's facts holds a named fact: its first dotted part, or 'core'."""
    return name.split(".", 1)[0] if "." in name else "core"


def _patterns(conjunct: tuple, derived: set[str]) -> list[dict]:
    """Patterns for one alternative: one per section fact it tests, then one per derived fact it reads.

    A partnership enters the engine as several small facts, one per section (core, secretariat,
    funding, ...). durable-rules walks the alpha network with a stack of 64 nodes and fails when a
    fact matches more first tests than that; small facts keep each fact's matches far below it.
    Each session holds one partnership, so the patterns need no join test: a join test is an alpha
    node that the engine pushes on that stack unconditionally, and many rules sharing a first test
    would overflow it again.
    """
    sections: dict[str, list[dict]] = {}
    for leaf in conjunct:
        if leaf.name not in derived:
            sections.setdefault(section_of(leaf.name), []).append(_test(leaf))
    patterns: list[dict] = []
    for i, tests in enumerate(sections.values()):
        patterns.append({f"s{i}": {"$and": tests} if len(tests) > 1 else tests[0]})
    for j, leaf in enumerate(x for x in conjunct if x.name in derived):
        patterns.append({f"d{j}": {"$and": [{"n": leaf.name}, {"v": leaf.value}]}})
    return patterns


# Every partnership's core fact carries this marker and one rule matches it. durable-rules 2.0.28 leaves a
# session's action context uninitialised until an action has run, and deleting a session that never
# ran one frees stray pointers; the marker rule guarantees one action per partnership. Counting these
# actions also proves that no partnership's actions were lost.
MARKER_FIELD = "pw"
MARKER_RULE = "seen"


@dataclass
class Compiled:
    definition: dict
    targets: dict[str, Target]
    reads: list[str]
    known: list[str]  # facts whose being known or unknown is tested (by `unless:`)
    finding_refs: dict[str, str]  # finding rule id -> the name other rules read it by

    def sections(self) -> dict[str, list[tuple[str, str, Optional[str]]]]:
        """For each section fact, the (fact name, field key, field key of its known flag or None) triples
        the rules read from it."""
        out: dict[str, list[tuple[str, str, Optional[str]]]] = {}
        known = set(self.known)
        for name in sorted(set(self.reads) | known):
            out.setdefault(section_of(name), []).append((name, field_key(name), known_key(name) if name in known else None))
        return out


# durable-rules hangs at most 256 joins off one alpha node: that many alternatives may end in the
# same pattern (for example a bare `phase == 'design'`). Past it the engine refuses the ruleset.
MAX_SHARED_PATTERN = 250


# What a compiled rule base is kept as in the user's cache: the engine definition and, for each of
# its rules, the rule, outcome and alternative it stands for. Keyed by the compiler's own source and
# every rule's id, type and parsed conditions, so a change to either compiles afresh.
COMPILED_FILE = "compiled-rulebases.json"
COMPILED_FORMAT = "partnerwise-compiled-1"
COMPILED_KEEP = 2  # this rule base and the one before (a user's own rules beside the built-in ones)


def _compiled_key(rb: RuleBase) -> str:
    h = hashlib.sha256(COMPILED_FORMAT.encode())
    for source in (__file__, cond.__file__):
        h.update(Path(source).read_bytes())
    for r in rb.rules:
        h.update(repr((r.id, r.rule.type, r.rule.derives, r.condition, tuple(n for n, _ in r.escalations))).encode())
    return h.hexdigest()


def compile_cached(rb: RuleBase) -> Compiled:
    """compile_rulebase, taken from the per-user cache when this rule base was compiled before.

    The cache is data only (JSON); what it returns is exactly what compile_rulebase would.
    """
    try:
        key = _compiled_key(rb)
    except OSError:
        return compile_rulebase(rb)
    doc = read_private(COMPILED_FILE)
    entries = doc.get("entries") if isinstance(doc, dict) and doc.get("format") == COMPILED_FORMAT else None
    entries = entries if isinstance(entries, dict) else {}
    hit = entries.get(key)
    if isinstance(hit, dict):
        try:
            targets = {
                name: Target(rb.by_id[rid], outcome, alternative, ())
                for name, (rid, outcome, alternative) in hit["targets"].items()
            }
            return Compiled(hit["definition"], targets, hit["reads"], hit["known"], hit["refs"])
        except (KeyError, TypeError, ValueError):
            pass  # not what this version writes: compile afresh
    compiled = compile_rulebase(rb)
    entries = dict(list(entries.items())[-(COMPILED_KEEP - 1):])
    entries[key] = {
        "definition": compiled.definition,
        "targets": {n: [t.rule.id, t.outcome, t.alternative] for n, t in compiled.targets.items()},
        "reads": compiled.reads,
        "known": compiled.known,
        "refs": compiled.finding_refs,
    }
    write_private(COMPILED_FILE, {"format": COMPILED_FORMAT, "entries": entries})
    return compiled


def compile_rulebase(rb: RuleBase) -> Compiled:
    """The durable-rules definition (plain JSON-able data) and what each of its rules stands for.

    Derived facts and findings that other rules read are facts the engine asserts while it runs;
    patterns on them match a small fact `{n: name, v: value}`.
    """
    refs: dict[str, str] = {}
    for r in rb.rules:
        for leaf in cond.leaves(r.condition):
            ref = finding_ref(leaf.name)
            if ref is not None:
                refs[ref] = leaf.name
    engine_facts = set(rb.deriving) | set(refs.values())
    definition: dict = {MARKER_RULE: {"all": [{"m": {MARKER_FIELD: 1}}]}}
    targets: dict[str, Target] = {}
    reads: set[str] = set()
    known: set[str] = set()
    for r in rb.rules:
        outcomes: list = [True, False] if r.rule.type in ("derive", "gate") else [True]
        nodes = [(o, r.condition if o else cond.Not(r.condition)) for o in outcomes]
        for i, (extra, _) in enumerate(r.escalations):
            nodes.append((f"severity {i}", cond.And((r.condition, extra))))
        for outcome, node in nodes:
            for i, conjunct in enumerate(cond.dnf(node)):
                name = f"r{len(targets)}"
                definition[name] = {"all": _patterns(conjunct, engine_facts)}
                targets[name] = Target(r, outcome, i, conjunct)
                for leaf in conjunct:
                    if leaf.name in engine_facts:
                        continue
                    (known if leaf.op == cond.KNOWN else reads).add(leaf.name)
    _check_sharing(definition, targets)
    return Compiled(
        definition=definition, targets=targets, reads=sorted(reads), known=sorted(known), finding_refs=refs
    )


def _check_sharing(definition: dict, targets: dict[str, Target]) -> None:
    users: dict[str, list[str]] = {}
    for name, body in definition.items():
        for pattern in body["all"]:
            (tests,) = pattern.values()
            users.setdefault(json.dumps(tests, sort_keys=True), []).append(name)
    for tests, names in users.items():
        if len(names) > MAX_SHARED_PATTERN:
            r = targets[names[0]].rule
            raise RuleError.at(
                r.path,
                f"{len(names)} rule alternatives test exactly {tests}; the engine allows {MAX_SHARED_PATTERN}. "
                "Give some of these rules a further test or merge them",
                r.id,
            )
