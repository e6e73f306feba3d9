"""A whole interview answered from a complete fact file: what it asked, and whether it reached the file's answer.

Used to measure the interview (bench/consult_bench.py) and to test it: each part is answered with
what the file holds (`unknown` where it holds nothing), exactly as a person would type it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..engine.assessment import Assessment
from ..facts.model import Partnership
from .interview import Consultation
from .questions import typed_answer

LEADING = 5  # the first findings that must come out as on the complete file


@dataclass
class Asked:
    """One part put to the person, and the answer the file gave."""

    question: int
    topic: str
    key: str
    fields: list[str]  # the fields the part asked
    answer: str

    def to_dict(self) -> dict:
        return {"question": self.question, "topic": self.topic, "key": self.key, "fields": list(self.fields),
                "answer": self.answer}


@dataclass
class Replay:
    """An interview answered from a fact file, and how its answer compares with `assess` on the file."""

    consultation: Consultation
    asked: list[Asked] = field(default_factory=list)
    result: Optional[Assessment] = None  # `assess` on the fact file the interview saved
    expected: Optional[Assessment] = None  # `assess` on the complete file

    @property
    def questions(self) -> int:
        return self.consultation.questions_asked

    @property
    def answers(self) -> int:
        return len(self.asked)

    @property
    def same_diagnoses(self) -> bool:
        return diagnoses(self.result) == diagnoses(self.expected)

    @property
    def same_leading_findings(self) -> bool:
        return leading_findings(self.result) == leading_findings(self.expected)


def diagnoses(a: Assessment) -> list[tuple[str, str]]:
    return [(d.rule, d.severity) for d in a.diagnoses]


def leading_findings(a: Assessment) -> list[tuple[str, str]]:
    return [(f.rule, f.severity) for f in a.findings[:LEADING]]


def replay(assessor, data: dict, focus: str = "all", start: Optional[dict] = None) -> Replay:
    """Interview from `start` (nothing by default), answering every part from `data`, to the end."""
    c = Consultation(assessor, start or {}, focus)
    out = Replay(c)
    while True:
        prompt = c.next_prompt()
        if prompt is None:
            break
        text = typed_answer(prompt.part, data)
        out.asked.append(Asked(prompt.number, prompt.topic.name, prompt.part.key, list(prompt.part.keys), text))
        if text == "unknown":
            c.close(prompt)
        else:
            c.answer(prompt, text)
    out.result = assessor.assess(Partnership.model_validate(c.fact_document()))
    out.expected = assessor.assess(Partnership.model_validate(data))
    return out
