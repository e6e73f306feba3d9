"""Benchmark of the consult session: questions asked, whether it reached the file's answer, and time per answer.

For each example partnership, two whole sessions answered from its own fact file ("unknown" where
the file has no value): a full one and a `--focus high` one. Each reports the questions it put (a
question of several parts, such as a table with a line per partner, counts once), the answer lines
typed, and whether `assess` on the fact file it saved gives the same diagnoses and first five
findings as `assess` on the example's complete file. Then, unless --no-pty, the time from sending
an answer to a real `partnerwise consult` on a pseudo-terminal to its next prompt (needs pexpect,
part of the test extras); the target is 50 ms.

Run: `.venv/bin/python bench/consult_bench.py [--json FILE] [--markdown] [--no-pty] [--rules DIR --no-builtin]`;
--markdown prints the rows of the tables in README.md and docs/consult.md.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from partnerwise import api
from partnerwise.consult import interview, session
from partnerwise.consult.questions import typed_answer
from partnerwise.consult.replay import diagnoses, leading_findings, replay
from partnerwise.facts import walker

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TARGET_MS = 50.0
TARGETS = {"full_max": 40, "full_median": 30, "focus_high_max": 20}


def session_figures(assessor, data: dict, focus: str) -> dict:
    r = replay(assessor, data, focus)
    return {
        "questions": r.questions,
        "answers": r.answers,
        "fields": sum(len(a.fields) for a in r.asked),
        "same_diagnoses": r.same_diagnoses,
        "same_first_five_findings": r.same_leading_findings,
        "diagnoses": [d for d, _ in diagnoses(r.result)],
        "first_five_findings": [f for f, _ in leading_findings(r.result)],
        "asked": [a.to_dict() for a in r.asked],
    }


def end_to_end(assessor, path: Path, extra: list[str]) -> tuple[list[float], float, int]:
    """Answer-to-next-prompt times, the time from the last answer to the full assessment, and the
    number of questions the real process says it asked. A mirror of the session in this process
    says what each prompt asks, so that the real process is answered as the file would answer."""
    import pexpect

    prompt = re.compile(r"Q(\d+) (\S+)[^\r\n]*\r?\n")
    data = session.load_data(path)
    mirror = interview.Consultation(assessor, {})
    binary = Path(sys.executable).parent / "partnerwise"
    times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        child = pexpect.spawn(str(binary), ["consult", *extra, "--save", str(Path(tmp) / "out.yaml")], cwd=tmp,
                              env={"NO_COLOR": "1", "TERM": "xterm", "PATH": "/usr/bin:/bin"}, encoding="utf-8", timeout=30)
        child.delaybeforesend = None
        sent = None
        while True:
            i = child.expect([prompt, r"Asked (\d+) questions"])
            if sent is not None:
                times.append((time.perf_counter() - sent) * 1000)
            if i == 1:
                asked = int(child.match.group(1))
                break
            key = child.match.group(2)
            child.expect_exact("> ")
            expected = mirror.next_prompt()
            if expected is None or expected.part.key != key:
                raise RuntimeError(f"{path.name}: the process asked {key}, expected "
                                   f"{expected.part.key if expected else 'nothing'}")
            text = typed_answer(expected.part, data)
            if text == "unknown":
                mirror.close(expected)
            else:
                mirror.answer(expected, text)
            sent = time.perf_counter()
            child.sendline(text)
        child.expect(pexpect.EOF)
        child.close()
    return times[:-1], times[-1], asked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", action="append", default=[], help="an extra rule folder")
    parser.add_argument("--no-builtin", action="store_true", help="only the --rules folders")
    parser.add_argument("--no-pty", action="store_true", help="skip the end-to-end measurement")
    parser.add_argument("--json", type=Path, help="write the figures of every example to this file")
    parser.add_argument("--markdown", action="store_true",
                        help="also print the rows of the tables in README.md and docs/consult.md")
    args = parser.parse_args()
    assessor = api.assessor([Path(r) for r in args.rules], builtin=not args.no_builtin)
    extra = (["--no-builtin"] if args.no_builtin else []) + [x for r in args.rules for x in ("--rules", r)]
    fields = walker.answerable_count()
    print(f"{len(assessor.rulebase.rules)} rules; the fact model has {fields} fields")
    print(f"{'example':34} {'full':>4} {'ans':>4} {'flds':>4} {'same':>5} {'high':>4} {'ans':>4} {'same':>5} {'every':>5}"
          + ("" if args.no_pty else f" {'pty p50':>8} {'pty max':>8} {'final':>6}"))
    report: dict = {"rules": len(assessor.rulebase.rules), "fields": fields, "targets": TARGETS, "examples": {}}
    worst = 0.0
    for path in sorted(EXAMPLES.glob("*.yaml")):
        data = session.load_data(path)
        full = session_figures(assessor, data, "all")
        high = session_figures(assessor, data, "high")
        every = walker.questionnaire_length(data)
        entry = {"full": full, "focus_high": high, "every_field_questionnaire": every}
        tail = ""
        if not args.no_pty:
            pty, final, asked = end_to_end(assessor, path, extra)
            if asked != full["questions"]:
                raise RuntimeError(f"{path.name}: the real process asked {asked} questions, in process {full['questions']}")
            entry["pty_ms"] = {"median": round(statistics.median(pty), 1), "max": round(max(pty), 1), "final": round(final, 1)}
            tail = f" {statistics.median(pty):8.1f} {max(pty):8.1f} {final:6.1f}"
            worst = max(worst, max(pty))
        report["examples"][path.stem] = entry

        def same(s: dict) -> str:
            return "yes" if s["same_diagnoses"] and s["same_first_five_findings"] else "NO"

        print(f"{path.stem:34} {full['questions']:4d} {full['answers']:4d} {full['fields']:4d} {same(full):>5} {high['questions']:4d} "
              f"{high['answers']:4d} {same(high):>5} {every:5d}" + tail, flush=True)
    counts = [e["full"]["questions"] for e in report["examples"].values()]
    highs = [e["focus_high"]["questions"] for e in report["examples"].values()]
    met = {
        "full_max": max(counts) <= TARGETS["full_max"],
        "full_median": statistics.median(counts) <= TARGETS["full_median"],
        "focus_high_max": max(highs) <= TARGETS["focus_high_max"],
        "same_answer": all(e[s]["same_diagnoses"] and e[s]["same_first_five_findings"]
                           for e in report["examples"].values() for s in ("full", "focus_high")),
    }
    report["summary"] = {"full_max": max(counts), "full_median": statistics.median(counts), "focus_high_max": max(highs),
                         "targets_met": met}
    print(f"full sessions: at most {max(counts)} questions, median {statistics.median(counts):g} (targets "
          f"{TARGETS['full_max']} and {TARGETS['full_median']}); --focus high at most {max(highs)} (target "
          f"{TARGETS['focus_high_max']}); same diagnoses and first five findings as assess: "
          f"{'every session' if met['same_answer'] else 'NOT every session'}")
    print("full/high: questions asked; ans: answer lines typed; flds: fields those lines answered; same: the same")
    print("diagnoses and first five findings as assess on the file; every: questions a questionnaire of every field")
    print("would put to that partnership")
    if not args.no_pty:
        print(f"slowest answer-to-prompt on a pseudo-terminal: {worst:.1f} ms "
              f"({'within' if worst <= TARGET_MS else 'OVER'} the {TARGET_MS:g} ms target)")
        print("pty: answer sent to next prompt shown by a real process (ms); final: last answer to the full")
        print("assessment on screen (ms)")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    if args.markdown:
        print("\nREADME.md (example | questions | answers typed | --focus high questions | every-field questionnaire):")
        for name, e in report["examples"].items():
            print(f"| {name} | {e['full']['questions']} | {e['full']['answers']} | {e['focus_high']['questions']} | "
                  f"{e['every_field_questionnaire']} |")
        print("\ndocs/consult.md (the same, with the --focus high answers before the last column):")
        for name, e in report["examples"].items():
            print(f"| {name} | {e['full']['questions']} | {e['full']['answers']} | {e['focus_high']['questions']} | "
                  f"{e['focus_high']['answers']} | {e['every_field_questionnaire']} |")
    ok = all(met.values()) and (args.no_pty or worst <= TARGET_MS)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
