"""The Python API, the one face of partnerwise: load a rule base; assess, audit, lint, consult.

The command line only wraps these functions. Each rule base is compiled into the engine once
(`Assessor.of`): calling `assess` again and again with the same rule base reuses that engine.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence, TextIO, Union

from .audit.errors import AuditError
from .consult.errors import ConsultError
from .engine.assessment import Assessment
from .engine.assessor import Assessor
from .engine.catalogue import coverage, suggest_id  # noqa: F401  (part of the API)
from .engine.rulebase import LoadedRule, RuleBase, RuleError, rule_files
from .engine.rulebase import load_rulebase as _load_rulebase
from .facts.loader import FactError, load_partnership, validate_partnership  # noqa: F401  (part of the API)
from .facts.model import Partnership
from .facts.vocabulary import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, FAIL_ON, reaches  # noqa: F401  (FAIL_ON: the CLI's choices)
from .output import OutputError, check_output, write_output  # noqa: F401  (part of the API)

if TYPE_CHECKING:
    from .audit.results import AuditSummary

PathLike = Union[str, Path]
# audit, lint and consult bring their own modules (worker processes, the interview) when first called,
# so that `assess` starts no slower for them.

# What a user can get wrong: each is reported as one line per problem, exit code 2.
INPUT_ERRORS = (RuleError, FactError, OutputError, AuditError, ConsultError)


# --- rule bases ------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _default_rulebase() -> RuleBase:
    return _load_rulebase()


def load_rulebase(rules: Iterable[PathLike] = (), weights: Optional[PathLike] = None, builtin: bool = True) -> RuleBase:
    """The built-in rule base plus extra rule folders (same id replaces) and a weights file.

    With builtin=False, only the given folders; one of them must hold the sources catalogue (sources.yaml).
    """
    folders = [Path(r) for r in rules]
    weights_path = Path(weights) if weights else None
    if builtin:
        if not folders and weights_path is None:
            return _default_rulebase()
        return _load_rulebase(extra_dirs=folders, weights_path=weights_path)
    sources = next((d / "sources.yaml" for d in folders if (d / "sources.yaml").exists()), None)
    if not folders or sources is None:
        raise ConsultError("--no-builtin needs --rules FOLDER with a sources.yaml")
    return _load_rulebase(folders, weights_path=weights_path, builtin=False, sources_path=sources)


def assessor(rules: Iterable[PathLike] = (), weights: Optional[PathLike] = None, builtin: bool = True) -> Assessor:
    """The Assessor of a rule base (see `load_rulebase`)."""
    return Assessor.of(load_rulebase(rules, weights, builtin))


def default_assessor() -> Assessor:
    return Assessor.of(_default_rulebase())


def find_rule(rb: RuleBase, rule_id: str) -> LoadedRule:
    """One rule by id (any case); RuleError with a suggestion when there is none."""
    r = rb.by_id.get(rule_id.upper())
    if r is None:
        raise RuleError.at("", f"no rule with id {rule_id!r}{suggest_id(rb, rule_id)}")
    return r


# --- assess ----------------------------------------------------------------------------------------


def assess(partnership: Union[Partnership, dict[str, Any]], rulebase: Optional[RuleBase] = None) -> Assessment:
    """Assess one partnership (a model or plain data) with the built-in or a given rule base."""
    return Assessor.of(rulebase if rulebase is not None else _default_rulebase()).assess(partnership)


def assess_file(path: PathLike, rulebase: Optional[RuleBase] = None) -> Assessment:
    result = assess(load_partnership(path), rulebase)
    result.source = str(path)
    return result


def assess_files(paths: Sequence[PathLike], rulebase: RuleBase) -> tuple[list[Assessment], list[FactError]]:
    """Assess each fact file in order; a file that cannot be read is returned as its error, the others go on."""
    results, errors = [], []
    for path in paths:
        try:
            results.append(assess_file(path, rulebase))
        except FactError as e:
            errors.append(e)
    return results, errors


def fails(assessments: Iterable[Assessment], fail_on: str) -> bool:
    """Whether any finding is at or above `fail_on` ('none' never fails)."""
    return any(reaches(f.severity, fail_on) for a in assessments for f in a.findings)


def assess_exit_code(assessments: Sequence[Assessment], fail_on: str, errors: Sequence[FactError] = ()) -> int:
    """2 if a file could not be read; else 1 if a finding is at or above `fail_on`; else 0."""
    if errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if fails(assessments, fail_on) else EXIT_OK


# --- audit, lint, consult --------------------------------------------------------------------------


def audit_exit_code(summary: "AuditSummary", strict: bool = False) -> int:
    """130 if stopped by the user; 2 for a failed record (or, with strict, a bad one); 1 for findings at or above --fail-on."""
    from .audit.tally import exit_code

    return exit_code(summary, strict)


def audit(
    sources: Sequence[PathLike], rulebase: Optional[RuleBase] = None, fmt: str = "json", output: Optional[PathLike] = None,
    jobs: Optional[int] = None, fail_on: str = "high", progress: bool = False,
) -> "AuditSummary":
    """Audit every partnership in `sources` (folders, JSON/YAML lists, JSON Lines, CSV) into `output` in `fmt`."""
    from .audit import audit as _audit

    return _audit([Path(s) for s in sources], rulebase if rulebase is not None else _default_rulebase(), fmt,
                  Path(output) if output is not None and str(output) != "-" else None, jobs, fail_on, progress)


def lint(folder: Optional[PathLike] = None) -> list[str]:
    """Every problem in a rule folder (default: the built-in rules), one line each."""
    from .engine.lint import lint as _lint

    if folder is not None:
        rule_files(Path(folder))  # a folder that is not there is a usage error (RuleError), not a finding
    return _lint(Path(folder) if folder is not None else None)


def consult(
    file: Optional[PathLike] = None, save: Optional[PathLike] = None, resume: bool = False, focus: Optional[str] = None,
    rules: Iterable[PathLike] = (), weights: Optional[PathLike] = None, builtin: bool = True,
    stdin: Optional[TextIO] = None, stdout: Optional[TextIO] = None,
) -> int:
    """Run one interactive consult session at the terminal (or on the given streams); its exit code."""
    from .consult.terminal import run

    runner = assessor(rules, weights, builtin)
    return run(runner, Path(file) if file else None, Path(save) if save else None, resume,
               stdin=stdin, stdout=stdout, focus=focus)


__all__ = [
    "Assessment", "Assessor", "INPUT_ERRORS", "assess", "assess_exit_code", "assess_file",
    "assess_files", "assessor", "audit", "audit_exit_code", "check_output", "consult", "coverage", "default_assessor",
    "fails", "find_rule", "lint", "load_partnership", "load_rulebase", "validate_partnership", "write_output",
]
