"""The condition language of rules: parsing against a whitelist, normal forms, three-valued evaluation.

A condition is a Python-like expression (`funding.largest_share >= 50 and not secretariat.exists`)
parsed with `ast` and accepted only if every node is on a short whitelist: no calls, no subscripts,
no attribute access other than dotted fact names. Nothing in a rule file is ever evaluated as code.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Optional, Union

MAX_LENGTH = 2000
MAX_DEPTH = 12
MAX_CONJUNCTS = 64

OPS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
LITERALS = {"true": True, "false": False, "True": True, "False": False}

Scalar = Union[bool, int, float, str]


class ConditionError(ValueError):
    """A condition that is not in the language; the message says what was found and expected."""


KNOWN = "known"  # the op of a leaf that asks whether a fact is known (value true) or unknown (value false)


@dataclass(frozen=True)
class Leaf:
    """One comparison of a named fact with a literal, or whether it is known: the only things the engine tests."""

    name: str
    op: str
    value: Scalar

    def negate(self) -> "Leaf":
        if self.op == KNOWN:
            return Leaf(self.name, KNOWN, not self.value)
        if isinstance(self.value, bool) and self.op in ("==", "!="):
            return Leaf(self.name, "==", (not self.value) if self.op == "==" else self.value)
        return Leaf(self.name, NEGATED[self.op], self.value)

    def __str__(self) -> str:
        if self.op == KNOWN:
            return f"{self.name} is {'known' if self.value else 'unknown'}"
        value = str(self.value).lower() if isinstance(self.value, bool) else repr(self.value)
        return f"{self.name} {self.op} {value}"


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: Any


Node = Union[Leaf, And, Or, Not]


def _name(node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _name(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def _literal(node: ast.AST) -> Scalar:
    if isinstance(node, ast.Constant) and isinstance(node.value, (bool, int, float, str)):
        if isinstance(node.value, float) and node.value != node.value:
            raise ConditionError("NaN is not a value a fact can be compared with")
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        value = node.operand.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value
    if isinstance(node, ast.Name) and node.id in LITERALS:
        return LITERALS[node.id]
    raise ConditionError(f"found {ast.unparse(node)!r} where a literal (number, 'text', true or false) was expected")


def _convert(node: ast.AST, depth: int) -> Node:
    if depth > MAX_DEPTH:
        raise ConditionError(f"the condition nests deeper than {MAX_DEPTH} levels; move parts into derive rules")
    if isinstance(node, ast.BoolOp):
        items = tuple(_convert(v, depth + 1) for v in node.values)
        return And(items) if isinstance(node.op, ast.And) else Or(items)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return Not(_convert(node.operand, depth + 1))
    if isinstance(node, ast.Compare):
        if len(node.ops) != 1:
            raise ConditionError(f"chained comparison {ast.unparse(node)!r}; write it with 'and'")
        left, op, right = node.left, node.ops[0], node.comparators[0]
        name = _name(left)
        if name is None or name in LITERALS:
            raise ConditionError(f"found {ast.unparse(left)!r} on the left of a comparison; expected a fact name")
        if isinstance(op, (ast.In, ast.NotIn)):
            if not isinstance(right, (ast.List, ast.Tuple)) or not right.elts:
                raise ConditionError(f"'in' needs a non-empty list of literals, found {ast.unparse(right)!r}")
            leaves = tuple(Leaf(name, "==", _literal(e)) for e in right.elts)
            node_in: Node = Or(leaves) if len(leaves) > 1 else leaves[0]
            return Not(node_in) if isinstance(op, ast.NotIn) else node_in
        if type(op) not in OPS:
            raise ConditionError(f"operator {ast.unparse(node)!r} is not allowed; expected ==, !=, <, <=, >, >=, in")
        value = _literal(right)
        if isinstance(value, bool) and type(op) is ast.NotEq:
            return Leaf(name, "==", not value)
        return Leaf(name, OPS[type(op)], value)
    name = _name(node)
    if name is not None and name not in LITERALS:
        return Leaf(name, "==", True)
    raise ConditionError(
        f"found {ast.unparse(node)!r}; expected a fact name, a comparison, 'and', 'or', 'not' or parentheses"
    )


def parse(text: Any) -> Node:
    """Parse a condition's text into a tree of And/Or/Not/Leaf; raise ConditionError if it is not allowed."""
    if not isinstance(text, str) or not text.strip():
        raise ConditionError("the condition is empty; expected an expression such as 'secretariat.exists == false'")
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"the condition is {len(text)} characters long; expected at most {MAX_LENGTH}")
    try:
        tree = ast.parse(" ".join(text.split()), mode="eval")
    except SyntaxError as e:
        raise ConditionError(f"not a valid expression ({e.msg})") from None
    except (RecursionError, MemoryError, ValueError):
        raise ConditionError("the condition is too deeply nested to read") from None
    return _convert(tree.body, 0)


def nnf(node: Node, negate: bool = False) -> Node:
    """Push negations down to the leaves, so each leaf is a plain comparison the engine can test."""
    if isinstance(node, Leaf):
        return node.negate() if negate else node
    if isinstance(node, Not):
        return nnf(node.item, not negate)
    items = tuple(nnf(i, negate) for i in node.items)
    if isinstance(node, And):
        return Or(items) if negate else And(items)
    return And(items) if negate else Or(items)


@lru_cache(maxsize=None)
def dnf(node: Node) -> list[tuple[Leaf, ...]]:
    """The negation normal form of `node` as a list of conjunctions (each a tuple of leaves).

    Kept per condition (conditions are immutable): loading, compiling and explaining a rule base ask
    for the same normal forms again and again. Callers must not change the list.
    """
    node = nnf(node)

    def walk(n: Node) -> list[tuple[Leaf, ...]]:
        if isinstance(n, Leaf):
            return [(n,)]
        if isinstance(n, Or):
            out: list[tuple[Leaf, ...]] = []
            for item in n.items:
                out.extend(walk(item))
            return out
        result: list[tuple[Leaf, ...]] = [()]
        for item in n.items:
            result = [c for c in dict.fromkeys(a + b for a in result for b in walk(item)) if not _impossible(c)]
            if len(result) > MAX_CONJUNCTS:
                raise ConditionError(
                    f"the condition expands to more than {MAX_CONJUNCTS} alternatives; split it into derive rules"
                )
        return result

    out = []
    for conj in walk(node):
        unique = tuple(dict.fromkeys(conj))
        if unique not in out and not _impossible(unique):
            out.append(unique)
    if len(out) > MAX_CONJUNCTS:
        raise ConditionError(f"the condition expands to more than {MAX_CONJUNCTS} alternatives; split it into derive rules")
    return out


def _impossible(conj: tuple) -> bool:
    """An alternative that asks a fact to be unknown and also to have a value (only `unless:` writes these)."""
    unknown = {leaf.name for leaf in conj if leaf.op == KNOWN and leaf.value is False}
    return bool(unknown) and any(leaf.name in unknown and not (leaf.op == KNOWN and leaf.value is False) for leaf in conj)


def leaves(node: Node) -> Iterable[Leaf]:
    if isinstance(node, Leaf):
        yield node
    elif isinstance(node, Not):
        yield from leaves(node.item)
    else:
        for item in node.items:
            yield from leaves(item)


def not_true(node: Node) -> Node:
    """A condition that holds exactly when `node` is false or unknown (for `unless:`): never unknown itself."""
    if isinstance(node, Leaf):
        return Or((node.negate(), Leaf(node.name, KNOWN, False)))
    if isinstance(node, Not):
        return not_false(node.item)
    items = tuple(not_true(i) for i in node.items)
    return Or(items) if isinstance(node, And) else And(items)


def not_false(node: Node) -> Node:
    """A condition that holds exactly when `node` is true or unknown."""
    if isinstance(node, Leaf):
        return Or((node, Leaf(node.name, KNOWN, False)))
    if isinstance(node, Not):
        return not_true(node.item)
    items = tuple(not_false(i) for i in node.items)
    return And(items) if isinstance(node, And) else Or(items)


def test_leaf(leaf: Leaf, value: Any) -> Optional[bool]:
    """Compare a known value with a leaf; None when the value is unknown or of another type."""
    if leaf.op == KNOWN:
        return (value is not None) == leaf.value
    if value is None:
        return None
    if isinstance(leaf.value, bool) or isinstance(value, bool):
        if not (isinstance(leaf.value, bool) and isinstance(value, bool)):
            return None
    elif isinstance(leaf.value, str) != isinstance(value, str):
        return None
    op = leaf.op
    if op == "==":
        return value == leaf.value
    if op == "!=":
        return value != leaf.value
    if op == "<":
        return value < leaf.value
    if op == "<=":
        return value <= leaf.value
    if op == ">":
        return value > leaf.value
    return value >= leaf.value


def evaluate(node: Node, facts: dict[str, Any]) -> Optional[bool]:
    """Kleene three-valued evaluation: True, False, or None for unknown."""
    if isinstance(node, Leaf):
        return test_leaf(node, facts.get(node.name))
    if isinstance(node, Not):
        v = evaluate(node.item, facts)
        return None if v is None else not v
    values = [evaluate(i, facts) for i in node.items]
    if isinstance(node, And):
        if any(v is False for v in values):
            return False
        return True if all(v is True for v in values) else None
    if any(v is True for v in values):
        return True
    return False if all(v is False for v in values) else None


def undecided_leaves(node: Node, facts: dict[str, Any]) -> list[Leaf]:
    """The unknown leaves whose answers could still decide `node`, in the order they are written.

    Under an undecided `and` no item is false, so every undecided item can decide it; under an
    undecided `or` no item is true, likewise. Decided subtrees contribute nothing.
    """
    if evaluate(node, facts) is not None:
        return []
    if isinstance(node, Leaf):
        return [node]
    if isinstance(node, Not):
        return undecided_leaves(node.item, facts)
    out: list[Leaf] = []
    for item in node.items:
        out.extend(undecided_leaves(item, facts))
    return out


def to_text(node: Node) -> str:
    """Render a condition tree back as text, for documentation and explanations."""
    if isinstance(node, Leaf):
        if node.op == "==" and node.value is True:
            return node.name
        return str(node)
    if isinstance(node, Or) and len(node.items) == 2 and isinstance(node.items[1], Leaf) and node.items[1].op == KNOWN:
        # how not_true/not_false write a leaf: say it in words
        first, second = node.items
        return f"({to_text(first)} or {second.name} is unknown)"
    if isinstance(node, Not):
        return f"not ({to_text(node.item)})"
    joiner = " and " if isinstance(node, And) else " or "
    return "(" + joiner.join(to_text(i) for i in node.items) + ")"
