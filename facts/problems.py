"""Problems with input, as data: where (source, record, line, field) and what is wrong (reason).

Every error about a fact file, a portfolio record or a YAML file carries its problems as attributes;
the one-line message a person reads is made from them, never parsed back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional


@dataclass(frozen=True)
class Problem:
    """One problem: `source` (a file, or a label), where in it, and the reason in words."""

    source: str
    reason: str
    line: Optional[int] = None
    field: Optional[str] = None
    record: Optional[int] = None  # the record's number in a list file (JSON or YAML list)

    @property
    def location(self) -> str:
        parts = [f"record {self.record}"] if self.record is not None else []
        if self.line is not None:
            parts.append(f"line {self.line}")
        return ", ".join(parts)

    @property
    def message(self) -> str:
        return f"{self.field}: {self.reason}" if self.field else self.reason

    def __str__(self) -> str:
        where = self.location
        return f"{self.source}: {where}: {self.message}" if where else f"{self.source}: {self.message}"

    def to_dict(self) -> dict:
        return {"source": self.source, "location": self.location, "message": self.message}

    def placed(self, source: Optional[str] = None, record: Optional[int] = None, line: Optional[int] = None) -> "Problem":
        """The same problem in a record of a larger source: its own line wins over the record's."""
        return Problem(source if source is not None else self.source, self.reason,
                       self.line if self.line is not None else line, self.field,
                       record if record is not None else self.record)


class ProblemError(ValueError):
    """An error made of one or more problems; str() gives one line per problem."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def problem(self) -> Problem:
        return self.problems[0]

    @classmethod
    def at(cls, source: str, reason: str, line: Optional[int] = None, field: Optional[str] = None):
        return cls([Problem(str(source), reason, line, field)])


class FactError(ProblemError):
    """A fact file or record that is not a valid partnership."""


class YamlError(ProblemError):
    """A file that cannot be read as data; names the file and, where known, the line."""
