"""The command line: parse options, call one API function, pick a renderer, print. No logic here."""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
from typing import Optional

# A command builds tens of thousands of objects at start (pydantic's schemas, the rule base) and keeps
# them to the end: fewer, larger garbage collections while they are built (see _Group.main).
gc.set_threshold(20_000, 20, 20)

import click  # noqa: E402

from . import __version__, api
from .render.text import one_line

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = api.EXIT_OK, api.EXIT_FINDINGS, api.EXIT_ERROR


def say_errors(error: Exception) -> None:
    """One line on stderr per problem, each made safe for a terminal."""
    problems = getattr(error, "problems", None)
    lines = [str(p) for p in problems] if problems else str(error).splitlines() or [""]
    for line in lines:
        click.echo(f"partnerwise: error: {one_line(line)}", err=True)


class InputError(click.ClickException):
    """A problem with what the user gave us: one line per problem on stderr, exit code 2, no traceback."""

    exit_code = EXIT_ERROR

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error

    def show(self, file=None) -> None:
        say_errors(self.error)


class _Command(click.Command):
    """Every input error a command meets becomes an InputError: one line per problem, exit code 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except api.INPUT_ERRORS as e:
            raise InputError(e) from None


class _Group(click.Group):
    command_class = _Command
    group_class = type  # subgroups (rules) are of this class too

    def main(self, *args, **kwargs):
        # What the imports built (pydantic's schemas, the vocabulary) lives until the end: keep the
        # garbage collector from walking it again and again while the rule base is read and run.
        gc.freeze()
        try:
            return super().main(*args, **kwargs)
        finally:
            # The interpreter's last collection at exit would walk every object the rule base and the
            # assessment built; a command that is ending needs none of them freed one by one.
            gc.freeze()


def _fail_on_option(f):
    return click.option(
        "--fail-on",
        type=click.Choice(api.FAIL_ON),
        default="high",
        show_default=True,
        help="Exit 1 when any finding is at least this severe ('none' never fails).",
    )(f)


def _rules_options(f):
    f = click.option(
        "--weights",
        type=click.Path(dir_okay=False, path_type=Path),
        help="A YAML file that changes rules' severities and priorities without editing them.",
    )(f)
    f = click.option(
        "--rules",
        "rules_dirs",
        multiple=True,
        type=click.Path(path_type=Path),
        help="A folder of extra rules; a rule with a built-in id replaces it. May be given more than once.",
    )(f)
    return f


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="partnerwise")
def main() -> None:
    """Diagnose multi-stakeholder partnerships from their facts.

    Exit codes: 0 no finding at or above --fail-on; 1 at least one; 2 usage or input error.
    """


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "markdown", "html"]), default="table", show_default=True,
    help="Output format (html: one self-contained page with charts).",
)
@click.option("--output", "-o", type=click.Path(path_type=Path, allow_dash=True), help="Write to this file (atomically; a FIFO or device as a stream; - for standard output) instead of standard output.")
@_fail_on_option
@_rules_options
def assess(files, fmt, output, fail_on, rules_dirs, weights) -> None:
    """Assess the partnerships in fact FILES (YAML or JSON): prioritised findings, next phase, gaps.

    With several files, each is assessed in the order given; a file that cannot be read is
    reported on stderr and the others are still assessed (the exit code is then 2).
    """
    from .render import get_renderer

    api.check_output(output)
    rulebase = api.load_rulebase(rules_dirs, weights)
    results, errors = api.assess_files(files, rulebase)
    for error in errors:
        say_errors(error)
    if results:
        api.write_output(get_renderer(fmt)(results, single=len(files) == 1, rulebase=rulebase), output)
    sys.exit(api.assess_exit_code(results, fail_on, errors))


@main.command()
def schema() -> None:
    """Print the JSON Schema of a fact file, for editors that validate as you type."""
    doc = api.Partnership.model_json_schema()
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    doc["title"] = "partnerwise fact file"
    click.echo(json.dumps(doc, indent=2, sort_keys=True))


@main.group()
def rules() -> None:
    """Inspect and check the rule base: list, show, coverage, lint."""


@rules.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@_rules_options
def rules_list(fmt, rules_dirs, weights) -> None:
    """List every rule: id, type, severity, area, phases and sources."""
    from .render.rules import render_list

    click.echo(render_list(api.load_rulebase(rules_dirs, weights), fmt), nl=False)


@rules.command("show")
@click.argument("rule_id")
@_rules_options
def rules_show(rule_id, rules_dirs, weights) -> None:
    """Show one rule as documentation: condition, rationale, actions, examples, sources."""
    from .render.rules import render_rule

    rb = api.load_rulebase(rules_dirs, weights)
    click.echo(render_rule(rb, api.find_rule(rb, rule_id)), nl=False)


@rules.command("coverage")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@_rules_options
def rules_coverage(fmt, rules_dirs, weights) -> None:
    """Show which rules cite each source item; exit 1 if any item is uncovered."""
    from .render.rules import render_coverage

    rb = api.load_rulebase(rules_dirs, weights)
    report = api.coverage(rb)
    click.echo(render_coverage(rb, report, fmt), nl=False)
    sys.exit(EXIT_FINDINGS if report["uncovered"] else EXIT_OK)


@rules.command("lint")
@click.argument("folder", required=False, type=click.Path(path_type=Path))
def rules_lint(folder: Optional[Path]) -> None:
    """Check a rule folder (default: the built-in rules): schema, fact names, sources, examples.

    One line per problem with the file and rule id; exit 1 if there is any.
    """
    problems = api.lint(folder)
    for line in problems:
        click.echo(line)
    if problems:
        click.echo(f"{len(problems)} problem(s)", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo("no problems", err=True)


@main.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--save", type=click.Path(dir_okay=False, path_type=Path), help="The fact file the session writes (default: one in this folder named after the partnership).")
@click.option("--resume", is_flag=True, help="Continue the last unfinished session (in this folder, or of FILE / --save).")
@click.option("--no-builtin", is_flag=True, help="Use only the --rules folders, not the built-in rules.")
@click.option(
    "--focus", type=click.Choice(["all", "high", "critical"]),
    help="all: what can change the answer, the diagnoses, the serious findings and the next-phase criteria; "
    "high: the diagnoses, the first five findings and the serious findings; critical: the critical findings "
    "(default: all; a resumed session keeps its own).",
)
@_rules_options
def consult(file, save, resume, no_builtin, focus, rules_dirs, weights) -> None:
    """Interview an advisor about a partnership, asking only what can change the advice.

    Starts from nothing or from fact FILE and asks only what is missing. Every answer is saved at
    once; at the end the full assessment is shown. Type 'help' at any prompt for the commands.
    """
    sys.exit(api.consult(file, save, resume, focus, rules_dirs, weights, builtin=not no_builtin))


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "jsonl", "csv", "markdown", "html"]), default="table",
    show_default=True, help="A summary (table, markdown, html with charts) or every result (json, jsonl, csv: one row per finding).",
)
@click.option("--output", "-o", type=click.Path(path_type=Path, allow_dash=True), help="Write to this file (atomically; a FIFO or device as a stream; - for standard output) instead of standard output.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), help="Worker processes (default: one per core; 0: none, run here).")
@click.option("--strict", is_flag=True, help="Exit 2 when any record is bad (it is reported either way).")
@_fail_on_option
@_rules_options
def audit(sources, fmt, output, jobs, strict, fail_on, rules_dirs, weights) -> None:
    """Audit a portfolio: every partnership in SOURCES, the most urgent first, common problems by phase and area.

    A SOURCE is a folder of fact files, a JSON or YAML list, JSON Lines (.jsonl) or CSV. A bad record
    is reported with its place and skipped. Exit codes: 0 no finding at or above --fail-on; 1 some;
    2 the audit cannot run or a record failed (with --strict, also a bad record); 130 stopped by
    Ctrl-C, after writing the complete records before. Details: docs/audit.md.
    """
    summary = api.audit(sources, api.load_rulebase(rules_dirs, weights), fmt, output, jobs, fail_on, progress=True)
    sys.exit(api.audit_exit_code(summary, strict))


def run() -> None:
    main()


if __name__ == "__main__":
    run()
