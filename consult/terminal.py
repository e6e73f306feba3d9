"""The consult command loop at the terminal: show a question, read an answer or a command, explain, save.

All choosing and applying lives in the other modules of this package; this one only talks to the person. Prompts go
to standard output. When standard input is not a terminal (answers piped in), nothing is echoed
back. Colour only on a terminal, and never when NO_COLOR is set.
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path
from typing import Optional, TextIO

from ..engine.assessment import format_value
from ..facts.derive import FACTS
from ..facts.walker import answerable_count
from ..output import OutputError
from ..render.table import render_one
from ..render.text import MET_LABEL, SEVERITY_LABEL, clean, evidence_lines, phase_words, readiness, value_text
from . import answers, interview, session
from .explain import Explanations
from .questions import legend_hint, short_label

WIDTH = 80
WHY_LINES = 10  # 'why' answers in at most this many lines; 'why more' says everything
WHY_RULES = 6
COMMANDS = "why, how, findings, skip, pass, back, save, quit, help"
HELP = [
    ("why", "what this answer can still change, in a few lines"),
    ("why more", "every rule this answer can decide, with its condition, what it reads and its sources"),
    ("how X", "how finding X (a rule id or its number in 'findings') or fact X was reached so far"),
    ("findings", "the findings so far, readiness for the next phase, and what is still open"),
    ("skip", "leave this answer out; it is not asked again (recorded as skipped)"),
    ("unknown", "you do not know; kept as unknown and not asked again"),
    ("pass", "you know nothing more on this question's topic: the rest of it stays unknown"),
    ("back", "take back the last answer and ask it again"),
    ("save [FILE]", "save now (every answer is saved anyway); with FILE, also write a copy there"),
    ("quit", "stop here; 'partnerwise consult --resume' continues later"),
    ("help", "this list"),
]
EXIT_OK, EXIT_INTERRUPTED = 0, 130


class Terminal:
    """Reading answers and writing text, with colour only where it helps."""

    def __init__(self, stdin: TextIO, stdout: TextIO):
        self.stdin = stdin
        self.stdout = stdout
        self.interactive = _isatty(stdin)
        self.color = _isatty(stdout) and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
        if self.interactive:
            try:
                import readline  # noqa: F401  (line editing for input())
            except ImportError:
                pass

    def style(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def say(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def wrap(self, text: str, indent: str = "", subsequent: Optional[str] = None) -> None:
        lines = textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent if subsequent is None else subsequent)
        for line in lines or [indent]:
            self.say(line)

    def ask(self, prompt: str) -> Optional[str]:
        """One line of input; None at the end of input."""
        if self.interactive and self.stdin is sys.stdin and self.stdout is sys.stdout:
            try:
                return input(prompt)
            except EOFError:
                self.say()
                return None
        # Piped answers: the question block is the prompt; no '> ' that later output would run into.
        line = self.stdin.readline()
        if not line:
            return None
        return line.rstrip("\r\n")


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def answer_hint(prompt: interview.Prompt) -> str:
    return prompt.part.hint()


class Session:
    """One consult session at the terminal."""

    def __init__(self, begin: session.Start, term: Terminal):
        self._legend: Optional[tuple] = None  # the record fields last explained in the current question
        self._titled: Optional[int] = None  # the question whose topic was last named
        self.c = begin.consultation
        self.explain = Explanations(self.c)
        self.files = begin.files
        self.begin = begin
        self.term = term

    # saving
    def _ensure_path(self) -> None:
        if self.files.fact_path is None and self.c.name:
            self.files.fact_path = session.default_fact_path(self.c.name, Path("."))
            self.term.say(self.term.style(f"Answers are saved to {self.files.fact_path} as you go.", "2"))

    def _save(self, finished: bool = False) -> None:
        self._ensure_path()
        self.files.save(self.c, finished=finished)

    # the loop
    def run(self) -> int:
        t = self.term
        rb = self.c.rb
        t.say(t.style("partnerwise consult", "1") + f": {len(rb.rules)} rules; I ask only what can change the advice.")
        if self.begin.resumed:
            t.say(f"Resuming the session saved in {self.files.fact_path} ({len(self.c.log)} answers so far).")
        elif self.files.fact_path is not None:
            t.say(f"Answers are saved to {self.files.fact_path} as you go.")
        else:
            t.say("Answers are saved as you go to a fact file in this folder named after the partnership.")
        for note in self.begin.notes:
            t.say(note)
        if self.c.focus != "all":
            t.say(f"Focus: {self.c.focus}. I ask only what can decide a finding of {self.c.focus} severity or")
            t.say("more, or a criterion for the next phase; lesser findings may stay undecided.")
        t.say(f"Commands at any prompt: {COMMANDS}. 'unknown' is always an answer.")
        if self.files.fact_path is not None:
            self._save()
        try:
            return self._loop()
        except KeyboardInterrupt:
            t.say()
            self._stopped("Interrupted.")
            return EXIT_INTERRUPTED

    def _loop(self) -> int:
        t = self.term
        while True:
            prompt = self.c.next_prompt()
            if prompt is None:
                return self._finish()
            self._show(prompt)
            while True:
                line = t.ask("> ")
                if line is None:
                    self._stopped("End of input.")
                    return EXIT_OK
                outcome = self._handle(prompt, line.strip())
                if outcome in ("next", "back"):
                    break
                if outcome == "quit":
                    self._stopped("Stopped.")
                    return EXIT_OK

    def _show(self, prompt: interview.Prompt) -> None:
        t = self.term
        part = prompt.part
        if prompt.first or prompt.number != self._titled:
            # A question's topic is named once, also when a resumed session goes on with a question begun before.
            t.say()
            t.say(t.style(f"Q{prompt.number}. {prompt.topic.title}", "1"))
            self._legend = None
            self._titled = prompt.number
        t.say(t.style(f"Q{prompt.number} {part.key}", "1;36") + (f"  {clean(part.subject)}" if part.subject else ""))
        if part.kind == "record":
            legend = tuple(interview.template_of(k) for k in part.keys)
            if legend != self._legend:
                self._legend = legend
                t.wrap("One line for each, answering: " + "; ".join(part.labels()), "   ")
                value_keys = [k for k in part.keys if k not in part.items]
                for key, spec in zip(value_keys, part.specs):
                    t.wrap(f"{short_label(key)}: {legend_hint(spec)}", "     ", "       ")
                if part.items:
                    t.say("     which hold: the numbers of those that hold (all, -N, ?N), none or unknown:")
                    self._items(part.items, "       ")
            else:
                return  # the legend above holds for this line too
        elif part.kind == "checklist":
            t.wrap(part.text, "   ")
            self._items(part.items, "     ")
        else:
            t.wrap(part.text, "   ")
        for line in textwrap.wrap("[" + answer_hint(prompt) + "]", WIDTH, initial_indent="   ", subsequent_indent="    "):
            t.say(t.style(line, "2"))

    def _items(self, keys: list[str], indent: str) -> None:
        for i, key in enumerate(keys, 1):
            spec = answers.field_spec(interview.template_of(key))
            question = spec.question if spec is not None else key
            self.term.wrap(f"{i:>2} {question}", indent, indent + "   ")

    def _handle(self, prompt: interview.Prompt, line: str) -> str:
        t = self.term
        word, _, rest = line.partition(" ")
        cmd = word.lower()
        rest = rest.strip()
        if not line:
            t.say("Please type an answer, or 'help'.")
            return "again"
        if line.startswith("="):
            # '=' marks an answer that would otherwise read as a command ('=How Foundation').
            return self._answer(prompt, line[1:].strip())
        if cmd in ("help", "h") and not rest:
            for name, what in HELP:
                t.say(f"  {name:<12} {what}")
            t.wrap(f"Answer: {answer_hint(prompt)}.", "  ")
            return "again"
        if cmd == "why" and rest.lower() in ("", "more"):
            if rest:
                self._why_more(prompt)
            else:
                self._why(prompt)
            return "again"
        if cmd == "how":
            self._how(rest)
            return "again"
        if cmd == "findings" and not rest:
            self._findings()
            return "again"
        if cmd in ("quit", "exit", "q") and not rest:
            return "quit"
        if cmd == "save":
            self._save()
            if rest:
                try:
                    self.files.save_copy(self.c, Path(rest))
                except OutputError as e:
                    t.say(f"Could not write {rest}: {e}.")
                    return "again"
                t.say(f"Saved to {self.files.fact_path or '(no file yet)'}; a copy is in {rest}.")
            elif self.files.fact_path is None:
                t.say("Nothing to save until the partnership has a name.")
            else:
                t.say(f"Saved to {self.files.fact_path}.")
            return "again"
        if cmd == "skip" and not rest:
            self.c.close(prompt, skipped=True)
            self._save()
            return "next"
        if cmd == "pass" and not rest:
            if prompt.part.keys == ["name"]:
                t.say("The partnership needs a name; type it, or 'unknown'.")
                return "again"
            self.c.pass_topic(prompt)
            self._save()
            return "next"
        if cmd == "back" and not rest:
            entry = self.c.undo()
            if entry is None:
                t.say("Nothing to take back yet.")
                return "again"
            self._save()
            t.say(f"Took back the answer to {entry.key}.")
            return "back"
        if line.lower() in answers.UNKNOWN_WORDS:
            self.c.close(prompt)
            self._save()
            return "next"
        return self._answer(prompt, line)

    def _answer(self, prompt: interview.Prompt, line: str) -> str:
        t = self.term
        try:
            self.c.answer(prompt, line)
        except answers.AnswerError as e:
            t.say(t.style(str(e), "31"))
            return "again"
        self._save()
        return "next"

    # explanations
    def _why(self, prompt: interview.Prompt) -> None:
        """What this answer can still change, in at most WHY_LINES lines."""
        lines = self.explain.why_lines(prompt, WIDTH - 2, WHY_RULES)
        for line in lines[:WHY_LINES]:
            self.term.say("  " + line)

    def _why_more(self, prompt: interview.Prompt) -> None:
        t = self.term
        info = self.explain.why(prompt)
        if not info["rules"]:
            t.say("  No undecided rule of the answer reads this any more.")
            return
        for r in info["rules"]:
            if r["type"] == "gate":
                label = f"criterion for {phase_words(r['gate'])}"
            else:
                label = f"{r['type']}, {r['severity']}"
            t.wrap(f"{r['rule']} ({label}): {clean(r['title'])}", "  - ", "    ")
            t.wrap(f"when {clean(r['when'])}", "      ")
            for name, by, title in r["via"]:
                if by:
                    t.wrap(f"via {name} (derived by {by}: {clean(title)})", "      ")
                else:
                    t.wrap(f"via {name} (computed from this answer)", "      ")
            sources = "; ".join(f"{sid} {clean(title)}".strip() for sid, title in r["sources"])
            t.wrap(f"sources: {sources}", "      ")

    def _how(self, target: str) -> None:
        t = self.term
        if not target:
            topics = self.explain.how_topics()
            t.say("  how what? Give a rule id, a finding's number, or a fact name.")
            if topics:
                t.wrap("Reached so far: " + ", ".join(topics), "  ")
            return
        info = self.explain.how(target)
        kind = info["kind"]
        if kind == "none":
            t.say(f"  No rule or fact is called {clean(target)!r}; try 'findings' for rule ids.")
            return
        if kind in ("finding", "strength", "gate", "derived"):
            what = {"finding": "finding", "strength": "strength", "gate": "next-phase criterion", "derived": "derived fact"}[kind]
            name = info["name"] if kind != "derived" else f"{info['name']} (rule {info['rule']})"
            state = {True: "holds", False: "does not hold", None: "is not decided yet"}[info["outcome"]]
            if kind == "gate":
                state = {True: "is met", False: "is NOT met", None: "is not decided yet"}[info["outcome"]]
            t.wrap(f"{what} {name}: {clean(info['title'])} -- {state}", "  ")
            t.wrap(f"when {clean(info['when'])}", "    ")
            if "evidence" in info:
                t.say("    because:")
                for line in evidence_lines(info["evidence"], "      "):
                    t.say(line)
            elif info.get("undecided"):
                t.wrap("still open: " + ", ".join(info["undecided"]), "    ")
            return
        if kind == "computed":
            t.wrap(f"{info['name']} = {value_text(info['value'])}, computed from {', '.join(info['asks'])}:", "  ")
            for key, subject, value, origin in info["inputs"]:
                who = f" ({clean(subject)})" if subject else ""
                shown = format_value(value) if isinstance(value, list) else value_text(value)
                t.wrap(f"{key}{who} = {clean(shown)}  [{origin}]", "    ")
            return
        value = info["value"]
        shown = format_value(value) if isinstance(value, list) else value_text(value)
        t.wrap(f"{info['name']} = {clean(shown)}  [{info['origin']}]", "  ")
        spec = FACTS.get(info["name"])
        if spec is not None and spec.question:
            t.wrap(spec.question, "    ")

    def _findings(self) -> None:
        t = self.term
        a = self.c.assessment()
        if a.findings:
            t.say(f"  Findings so far ({len(a.findings)}, most important first):")
            for i, f in enumerate(a.findings, 1):
                t.wrap(f"{i}. [{SEVERITY_LABEL[f.severity]}] {f.rule} {clean(f.title)}", "   ", "      ")
        else:
            t.say("  No findings so far.")
        if a.strengths:
            t.wrap("Strengths: " + ", ".join(s.rule for s in a.strengths), "  ")
        ps = a.phase_status
        if ps.criteria:
            t.say(f"  Ready for {phase_words(ps.next)}? {readiness(ps.ready_for_next)}")
            for c in ps.criteria:
                t.wrap(f"{c.id} {MET_LABEL[c.met]}: {clean(c.title)}", "   - ", "     ")
        open_keys = self.c.open_keys()
        t.say(f"  Still open and able to change the answer: {len(open_keys)} fact(s)"
              + (f"; next most important: {', '.join(list(open_keys)[:3])}" if open_keys else ""))

    # endings
    def _stopped(self, why: str) -> None:
        t = self.term
        self._save()
        if self.files.fact_path is None:
            t.say(f"{why} Nothing was saved: the partnership has no name yet.")
            return
        t.say(f"{why} Your answers are saved in {self.files.fact_path}.")
        t.say("Continue with: partnerwise consult --resume" + ("" if Path(self.files.fact_path).parent == Path(".") else f" {self.files.fact_path}"))

    def _finish(self) -> int:
        t = self.term
        self._save(finished=True)
        a = self.c.final_assessment()
        a.source = str(self.files.fact_path)
        t.say()
        for line in textwrap.wrap(self.explain.settled_words(), WIDTH):
            t.say(line)
        t.say()
        t.stdout.write(render_one(a))
        t.say()
        unknown = sum(1 for e in self.c.log if e.outcome == "unknown")
        skipped = sum(1 for e in self.c.log if e.outcome == "skip")
        t.say(f"Asked {self.c.questions_asked} questions in {len(self.c.log)} answers ({unknown} unknown, {skipped} "
              f"skipped); the fact model has {answerable_count()} fields.")
        t.say(f"Facts saved to {self.files.fact_path}; assess it again with: partnerwise assess {self.files.fact_path}")
        return EXIT_OK


def run(assessor, file: Optional[Path], save: Optional[Path], resume: bool,
        stdin: Optional[TextIO] = None, stdout: Optional[TextIO] = None, focus: Optional[str] = None) -> int:
    """Run one consult session; the exit code. Raises ConsultError if it cannot start."""
    begin = session.start(assessor, file, save, resume, Path("."), focus)
    term = Terminal(stdin or sys.stdin, stdout or sys.stdout)
    return Session(begin, term).run()
