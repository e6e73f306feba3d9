"""The consult session: whole sessions in process, and real `partnerwise consult` processes on a pseudo-terminal.

An oracle answers each question from an example's fact file ("unknown" where the file has no value);
the session must end with the same findings and next-phase criteria as `assess` on the whole file,
after fewer questions than the fact model has fields.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from partnerwise import api
from partnerwise.engine import conditions as cond
from partnerwise.engine.assessor import Assessor
from partnerwise.consult import answers, interview, session, terminal
from partnerwise.facts import walker
from partnerwise.engine.rulebase import load_rulebase
from partnerwise.facts.loader import load_partnership

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CHAIN = ROOT / "tests" / "fixtures" / "chain"
BIN = Path(sys.executable).parent / "partnerwise"
FIXTURE_ARGS = ["--no-builtin", "--rules", str(CHAIN)]
FIXTURE_EXAMPLES = ["troubled-implementation", "healthy-implementation", "early-initiation"]
QUESTION = re.compile(r"Q(\d+) (\S+)\r?\n")
INSTANCE = re.compile(r"^\s+((?:partners|funders)\[\d+\])  ", re.M)
DONE = re.compile(r"Asked (\d+) questions")
FIELDS = walker.answerable_count()


# A built-in rule base that does not load fails every test that uses it; it is never skipped.
BUILTIN = api.default_assessor()


@pytest.fixture(scope="module")
def chain_assessor():
    return Assessor.of(load_rulebase([CHAIN], builtin=False, sources_path=CHAIN / "sources.yaml"))


# --- the oracle ---------------------------------------------------------------------------------


def oracle(data: dict, key: str, instances: list[str]) -> str:
    """The answer the example's fact file gives to a question as the session shows it."""
    rest = key.split("[].", 1)[1] if "[]" in key else None
    return answers.typed_answer(data, [f"{inst}.{rest}" for inst in instances] if rest else [key])


def outcome(assessment):
    return [f.rule for f in assessment.findings], [(c.id, c.met) for c in assessment.phase_status.criteria]


# --- driving a process on a pseudo-terminal ------------------------------------------------------


def default_sigint():
    """In the child before it starts: Ctrl-C interrupts it, even when the tests run where SIGINT is ignored
    (a background job inherits SIGINT ignored, and a program started with it ignored never sees Ctrl-C)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(args, cwd, env_extra=None, timeout=20):
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR",)}
    env.update({"NO_COLOR": "1", "TERM": "xterm", "COLUMNS": "200"})
    env.update(env_extra or {})
    env = {k: v for k, v in env.items() if v is not None}
    child = pexpect.spawn(str(BIN), ["consult", *map(str, args)], cwd=str(cwd), env=env, encoding="utf-8",
                          timeout=timeout, dimensions=(50, 200), preexec_fn=default_sigint)
    child.delaybeforesend = None  # pexpect waits 50 ms before each line by default
    return child


def next_question(child):
    """(key, instances) of the next question, or None when the session has ended."""
    i = child.expect([QUESTION, DONE])
    if i == 1:
        child.asked_count = int(child.match.group(1))
        return None
    key = child.match.group(2)
    child.expect_exact("> ")
    return key, INSTANCE.findall(child.before)


def run_oracle(child, data, stop_after=None, seen=None):
    """Answer from `data` until the session ends (or after `stop_after` answers); the keys asked."""
    asked = []
    while stop_after is None or len(asked) < stop_after:
        q = next_question(child)
        if q is None:
            break
        key, instances = q
        if seen is not None:
            assert (key, tuple(instances)) not in seen, f"{key} asked again"
        asked.append((key, tuple(instances)))
        child.sendline(oracle(data, key, instances))
    return asked


def finish(child):
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


# --- full sessions, in process: same findings as assess, fewer questions than fields ----------------


class OracleInput:
    """Standard input that answers each question the session puts, from an example's facts."""

    def __init__(self, data: dict):
        self.data = data
        self.session = None
        self.asked: list = []

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        q = self.session.c.next_question()
        if q is None:
            return ""
        instances = [k.split(".", 1)[0] for k in q.instances] if q.group else []
        self.asked.append((q.key, tuple(instances)))
        return oracle(self.data, q.key, instances) + "\n"


def run_in_process(assessor, data: dict, save: Path, folder: Path, focus=None):
    """A whole consult session at a terminal made of an oracle and a buffer; (exit code, output, asked)."""
    begin = session.start(assessor, None, save, False, folder, focus)
    stdin, stdout = OracleInput(data), io.StringIO()
    run = terminal.Session(begin, terminal.Terminal(stdin, stdout))
    stdin.session = run
    return run.run(), stdout.getvalue(), stdin.asked


def _full_session(tmp_path, example, assessor):
    path = EXAMPLES / f"{example}.yaml"
    data = session.load_data(path)
    out = tmp_path / "out.yaml"
    code, text, asked = run_in_process(assessor, data, out, tmp_path)
    assert code == 0
    assert int(DONE.search(text).group(1)) == len(asked)
    assert len(asked) < FIELDS
    saved = load_partnership(out)  # a valid fact file, as assess reads it
    assert outcome(assessor.assess(saved)) == outcome(assessor.assess(load_partnership(path)))
    state = json.loads(session.side_path(out).read_text())
    assert state["finished"] is True
    return len(asked)


@pytest.mark.parametrize("example", FIXTURE_EXAMPLES)
def test_full_session_on_fixture_rules_matches_assess(tmp_path, example, chain_assessor):
    _full_session(tmp_path, example, chain_assessor)


@pytest.mark.parametrize("example", sorted(p.stem for p in EXAMPLES.glob("*.yaml")))
def test_full_session_on_builtin_rules_matches_assess(tmp_path, example):
    asked = _full_session(tmp_path, example, BUILTIN)
    # The README publishes these counts; a change of rules that changes them must update it.
    readme = (EXAMPLES.parent / "README.md").read_text()
    published = re.search(rf"^\| {re.escape(example)} \| (\d+) \| \d+ \|$", readme, re.M)
    assert published and int(published.group(1)) == asked, "update the question counts in README.md"


@pytest.mark.parametrize("example", ["troubled-implementation", "design-anticorruption-coalition", "further-development-scaling"])
def test_focus_high_settles_the_serious_findings_with_fewer_questions(tmp_path, example):
    path = EXAMPLES / f"{example}.yaml"
    data = session.load_data(path)
    out = tmp_path / "out.yaml"
    code, text, asked = run_in_process(BUILTIN, data, out, tmp_path, focus="high")
    assert code == 0 and "Focus: high" in text
    full = BUILTIN.assess(load_partnership(path))
    focused = BUILTIN.assess(load_partnership(out))

    def serious(a):
        return [f.rule for f in a.findings if f.severity in ("critical", "high")]

    assert serious(focused) == serious(full)
    assert [(c.id, c.met) for c in focused.phase_status.criteria] == [(c.id, c.met) for c in full.phase_status.criteria]
    readme = (EXAMPLES.parent / "README.md").read_text()
    everything = int(re.search(rf"^\| {re.escape(example)} \| (\d+) \|", readme, re.M).group(1))
    assert len(asked) < everything
    assert json.loads(session.side_path(out).read_text())["focus"] == "high"


def test_a_full_session_on_a_real_terminal_matches_assess(tmp_path, chain_assessor):
    """The pseudo-terminal smoke test of a whole session: the real command, prompts and all."""
    path = EXAMPLES / "troubled-implementation.yaml"
    data = session.load_data(path)
    out = tmp_path / "out.yaml"
    child = spawn([*FIXTURE_ARGS, "--save", out], tmp_path)
    asked = run_oracle(child, data)
    assert finish(child) == 0
    assert child.asked_count == len(asked)
    assert outcome(chain_assessor.assess(load_partnership(out))) == outcome(chain_assessor.assess(load_partnership(path)))


# --- the commands ------------------------------------------------------------------------------


def ask(child, line):
    child.sendline(line)


def expect_q(child, key):
    child.expect(QUESTION)
    assert child.match.group(2) == key, child.match.group(0)
    child.expect_exact("> ")


def test_why_how_back_skip_findings_save_quit_and_resume(tmp_path):
    child = spawn(FIXTURE_ARGS, tmp_path)
    child.expect("named after the partnership")
    expect_q(child, "name")
    ask(child, "help")
    child.expect("back .*take back the last answer")
    child.expect_exact("> ")
    ask(child, "Why Test Alliance")
    child.expect("saved to why-test-alliance.yaml")
    expect_q(child, "phase")
    ask(child, "implementation")
    expect_q(child, "impact_area")
    ask(child, "health")
    expect_q(child, "funders")
    ask(child, "why")
    child.expect("T-F01 \\(finding, high\\): Power imbalance is eroding trust")
    child.expect("via funding.largest_share")
    child.expect("sources: T-01 Trust")
    child.expect_exact("> ")
    ask(child, "Big Co; Small Fund")
    expect_q(child, "funders[].share")
    ask(child, "60; 40")
    expect_q(child, "governance.equal_terms")
    ask(child, "how funder_dominance")
    child.expect("derived fact funder_dominance \\(rule T-D01\\).*holds")
    child.expect("funding.largest_share = 60")
    child.expect_exact("> ")
    ask(child, "how funding.largest_share")
    child.expect("funders\\[0\\].share \\(Big Co\\) = 60  \\[answered\\]")
    child.expect_exact("> ")
    ask(child, "back")
    child.expect("Took back the answer to funders\\[\\].share")
    expect_q(child, "funders[].share")
    ask(child, "70; 20")
    expect_q(child, "governance.equal_terms")
    ask(child, "skip")
    expect_q(child, "trust.level")
    ask(child, "low")
    expect_q(child, "secretariat.exists")
    ask(child, "findings")
    child.expect("No findings so far")
    child.expect("Still open and able to change this advice: 1")
    child.expect_exact("> ")
    ask(child, "save copy.yaml")
    child.expect("a copy is in copy.yaml")
    child.expect_exact("> ")
    ask(child, "quit")
    child.expect("Continue with: partnerwise consult --resume")
    assert finish(child) == 0
    assert load_partnership(tmp_path / "copy.yaml").name == "Why Test Alliance"
    side = json.loads(session.side_path(tmp_path / "why-test-alliance.yaml").read_text())
    assert side["finished"] is False and side["skipped"] == ["governance.equal_terms"]

    child = spawn(["--resume", *FIXTURE_ARGS], tmp_path)
    child.expect("Resuming the session saved in why-test-alliance.yaml")
    expect_q(child, "secretariat.exists")  # nothing answered, unknown or skipped is asked again
    ask(child, "no")
    child.expect(DONE)
    assert finish(child) == 0
    saved = load_partnership(tmp_path / "why-test-alliance.yaml")
    assert [f.share for f in saved.funders] == [70, 20]
    assert saved.governance is None  # skipped stays unknown
    assert saved.secretariat.exists is False and saved.trust.level == "low"


def test_killed_session_resumes_without_losing_an_answer(tmp_path):
    assessor, args = BUILTIN, []
    path = EXAMPLES / "troubled-implementation.yaml"
    data = session.load_data(path)
    child = spawn(args, tmp_path)
    before = run_oracle(child, data, stop_after=6)
    child.expect_exact("> ")  # the seventh question is on screen
    child.kill(signal.SIGKILL)
    child.close()
    fact = tmp_path / f"{session.slug(data['name'])}.yaml"
    assert fact.exists()
    child = spawn(["--resume", *args], tmp_path)
    child.expect("Resuming")
    after = run_oracle(child, data, seen=set(before))
    assert finish(child) == 0
    assert outcome(assessor.assess(load_partnership(fact))) == outcome(assessor.assess(load_partnership(path)))
    assert len(before) + len(after) < FIELDS


@pytest.fixture(params=["default", "ignored"])
def sigint_in_tests(request):
    """Run as the suite runs in a terminal, and as it runs in a background job (SIGINT ignored)."""
    if request.param == "default":
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def test_ctrl_c_keeps_every_answer(tmp_path, sigint_in_tests):
    child = spawn(FIXTURE_ARGS, tmp_path)
    expect_q(child, "name")
    ask(child, "Interrupted Alliance")
    expect_q(child, "phase")
    ask(child, "design")
    expect_q(child, "impact_area")
    child.sendintr()
    child.expect("Interrupted. Your answers are saved in interrupted-alliance.yaml")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert load_partnership(tmp_path / "interrupted-alliance.yaml").phase == "design"


def test_starting_from_a_file_asks_only_what_is_missing(tmp_path):
    start = tmp_path / "half.yaml"
    start.write_text("name: Half Known\nphase: implementation\nfunders:\n  - {name: A, share: 55}\n  - {name: B, share: 45}\n")
    child = spawn([start, "--save", tmp_path / "done.yaml", *FIXTURE_ARGS], tmp_path)
    expect_q(child, "impact_area")  # name, phase and funders come from the file
    ask(child, "unknown")
    expect_q(child, "governance.equal_terms")
    ask(child, "yes")
    expect_q(child, "secretariat.exists")
    ask(child, "yes")
    child.expect(DONE)
    assert finish(child) == 0
    done = load_partnership(tmp_path / "done.yaml")
    assert done.funders[0].share == 55 and done.governance.equal_terms is True and done.impact_area is None


def test_colour_only_on_a_terminal_without_no_color(tmp_path):
    child = spawn(FIXTURE_ARGS, tmp_path, env_extra={"NO_COLOR": None})
    child.expect(QUESTION)
    assert "\x1b[" in child.before + child.match.group(0) + child.buffer
    child.sendline("quit")
    finish(child)
    child = spawn(FIXTURE_ARGS, tmp_path)
    child.expect_exact("> ")
    assert "\x1b[" not in child.before
    child.sendline("quit")
    finish(child)


# --- piped answers ------------------------------------------------------------------------------


def piped(lines, cwd, *args):
    return subprocess.run(
        [str(BIN), "consult", *FIXTURE_ARGS, *map(str, args)], input="\n".join(lines) + "\n", capture_output=True,
        text=True, cwd=cwd, timeout=30, env={**os.environ, "NO_COLOR": "1"},
    )


def test_piped_answers(tmp_path):
    result = piped(["Piped Alliance", "implementation", "water_sanitation", "Big; Small", "60; 40", "no", "low", "no"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert "> " not in out and "\x1b" not in out
    assert "T-F01" in out and "T-F02" in out and "Asked 8 questions" in out
    p = load_partnership(tmp_path / "piped-alliance.yaml")
    assert p.funders[0].share == 60 and p.trust.level == "low"


def test_invalid_answers_are_asked_again(tmp_path):
    lines = [
        "Bad Answers Alliance",
        "later", "impl",  # not a phase; then a unique prefix of one
        "health",
        "Big; Small",
        "lots; 40", "90; 40", "60; 40",  # not a number; shares over 100 %; fine
        "perhaps", "no",
        "very low", "low",
        "no",
    ]
    result = piped(lines, tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Traceback" not in out + result.stderr
    assert "Please answer one of: initiation, design, implementation, further_development (or unknown)." in out
    assert "Big: Please give a number from 0 to 100." in out
    assert "add up to 130%, expected at most 100%" in out
    assert "Please answer yes, no or unknown." in out
    assert out.count("Q5 funders[].share") == 1  # a re-ask is not a new question
    assert "Asked 8 questions" in out


def test_end_of_input_leaves_a_resumable_session(tmp_path):
    result = piped(["Short Alliance", "design"], tmp_path)
    assert result.returncode == 0
    assert "End of input. Your answers are saved in short-alliance.yaml" in result.stdout
    result = piped(["unknown"] * 10, tmp_path, "--resume")
    assert "Resuming" in result.stdout and "Q3 impact_area" in result.stdout
    assert load_partnership(tmp_path / "short-alliance.yaml").phase == "design"


def test_resume_without_a_session_is_an_input_error(tmp_path):
    result = piped([], tmp_path, "--resume")
    assert result.returncode == 2
    assert result.stderr.startswith("partnerwise: error: no unfinished consult session")


# --- the pieces ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template,text,expected",
    [
        ("strategy.common_objectives", "Yes", True),
        ("funders[].share", "35%", 35.0),
        ("secretariat.staff", "3", 3),
        ("phase", "further development", "further_development"),
        ("partners[].contributions", "funding, staff", ["funding", "staff"]),
        ("partners[].contributions", "none", []),
        ("partners", "A, Ltd; B", ["A, Ltd", "B"]),
        ("started", "2021-03-15", "2021-03-15"),
    ],
)
def test_answers_are_parsed_by_type(template, text, expected):
    assert answers.parse_answer(answers.field_spec(template), text) == expected


@pytest.mark.parametrize("template,text", [("secretariat.staff", "2.5"), ("partners[].ratings.trust", "6"), ("phase", "x"), ("started", "soon")])
def test_bad_answers_say_what_is_expected(template, text):
    with pytest.raises(answers.AnswerError, match="Please|out of range"):
        answers.parse_answer(answers.field_spec(template), text)


def test_findings_between_answers_come_from_the_engine_and_agree_with_the_oracle(monkeypatch):
    runs = []
    real = BUILTIN.ledgers

    def counted(flats):
        runs.append(len(flats))
        return real(flats)

    monkeypatch.setattr(BUILTIN, "ledgers", counted)
    for path in sorted(EXAMPLES.glob("*.yaml")):
        c = interview.Consultation(BUILTIN, session.load_data(path))
        before = len(runs)
        snap = c.snapshot()
        assert len(runs) > before, "the snapshot's findings must come from the engine"
        assert outcome(snap.assessment) == outcome(BUILTIN.assess(load_partnership(path))), path.name
        known = {**snap.flat, **snap.ledger.derived}
        for r in BUILTIN.rulebase.rules:  # the three-valued evaluator is the oracle of every decided rule
            if r.rule.type in ("derive", "gate"):
                expected = cond.evaluate(r.condition, known)
                got = snap.ledger.derived.get(r.rule.derives) if r.rule.type == "derive" else snap.ledger.outcome(r.id)
                assert got == expected, (path.name, r.id)
            elif cond.evaluate(r.condition, known) is True:
                assert snap.ledger.outcome(r.id) is True, (path.name, r.id)
