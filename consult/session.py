"""Keeping a consult session on disk: the fact file it writes, its side file, starting and resuming.

Both files are written atomically after every answer, so a session killed at any moment resumes
without losing an answer.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import yaml

from ..engine.assessment import slug
from ..facts.loader import FactError, load_partnership
from ..output import write_output
from .interview import Consultation, LogEntry

SESSION_FORMAT = "partnerwise-consult-session"
SESSION_SUFFIX = ".partnerwise-session.json"


from .errors import ConsultError  # noqa: E402  (raised here, caught by the API)


# libyaml's emitter writes the same text as PyYAML's, ten times faster: the fact file is written after every answer.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_facts(doc: dict) -> str:
    return yaml.dump(doc, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def side_path(fact_path: Path) -> Path:
    return fact_path.parent / f".{fact_path.name}{SESSION_SUFFIX}"


class SessionFiles:
    """The fact file the session writes and its side file (unknown and skipped answers, the answer log).

    Both are written atomically after every answer, the fact file first: whatever moment the process
    dies, the fact file on disk holds every answer given, and a resumed session asks none of them again.
    """

    def __init__(self, fact_path: Optional[Path], started_from: Optional[Path] = None):
        self.fact_path = fact_path
        self.started_from = started_from

    @property
    def side(self) -> Optional[Path]:
        return side_path(self.fact_path) if self.fact_path else None

    def save(self, c: Consultation, finished: bool = False) -> bool:
        """Write both files; False while the path is not yet known (the partnership has no name yet)."""
        if self.fact_path is None:
            return False
        write_output(dump_facts(c.fact_document()), self.fact_path)
        state = {
            "format": SESSION_FORMAT,
            "version": 1,
            "facts": self.fact_path.name,
            "started_from": str(self.started_from) if self.started_from else None,
            "unknown": c.unknown,
            "skipped": c.skipped,
            "log": [e.to_dict() for e in c.log],
            "focus": c.focus,
            "finished": finished,
            "updated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }
        write_output(json.dumps(state, indent=1, ensure_ascii=False) + "\n", self.side)
        return True

    def save_copy(self, c: Consultation, path: Path) -> None:
        write_output(dump_facts(c.fact_document()), path)


def default_fact_path(name: str, folder: Path, avoid: Optional[Path] = None) -> Path:
    """A new file in `folder` named after the partnership; never an existing file other than `avoid`."""
    stem = slug(name)
    candidate = folder / f"{stem}.yaml"
    n = 2
    while candidate.exists() and not (avoid is not None and _same(candidate, avoid)):
        candidate = folder / f"{stem}-{n}.yaml"
        n += 1
    return candidate


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def read_side(path: Path) -> dict:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ConsultError(f"{path}: cannot read the session file ({e})") from None
    if not isinstance(state, dict) or state.get("format") != SESSION_FORMAT:
        raise ConsultError(f"{path}: not a consult session file")
    return state


def find_unfinished(folder: Path) -> Optional[Path]:
    """The most recently updated unfinished session's side file in `folder`."""
    found = []
    for side in folder.glob(f".*{SESSION_SUFFIX}"):
        try:
            state = read_side(side)
        except ConsultError:
            continue
        if not state.get("finished"):
            found.append((str(state.get("updated", "")), side.stat().st_mtime, side))
    return max(found)[2] if found else None


def load_data(path: Path) -> dict:
    return load_partnership(path).model_dump(mode="json", exclude_none=True)


@dataclass
class Start:
    """How a session begins: its consultation, its files, and what to tell the person."""

    consultation: Consultation
    files: SessionFiles
    resumed: bool = False
    notes: list[str] = field(default_factory=list)


def start(
    assessor, file: Optional[Path], save: Optional[Path], resume: bool, folder: Path, focus: Optional[str] = None
) -> Start:
    """Open a new session (from nothing or from a fact file) or resume the last unfinished one.

    A resumed session keeps the focus it was started with unless another is given.
    """
    if resume:
        if save is not None:
            side = side_path(save)
        elif file is not None:
            side = side_path(file)
        else:
            side = find_unfinished(folder)
            if side is None:
                raise ConsultError("no unfinished consult session in this folder; start one with 'partnerwise consult'")
        if not side.exists():
            raise ConsultError(f"no consult session to resume for {save or file}; start one without --resume")
        state = read_side(side)
        fact_path = side.parent / state["facts"]
        if not fact_path.exists():
            raise ConsultError(f"{fact_path}: the session's fact file is missing; start a new session")
        try:
            data = load_data(fact_path)
        except FactError as e:
            raise ConsultError(str(e)) from None
        c = Consultation(assessor, data, focus or str(state.get("focus") or "all"))
        c.unknown = [str(k) for k in state.get("unknown") or []]
        c.skipped = [str(k) for k in state.get("skipped") or []]
        c.log = [LogEntry.from_dict(e, i) for i, e in enumerate(state.get("log") or [])]
        started = state.get("started_from")
        notes = []
        if state.get("finished"):
            notes.append("That session had finished; any question still open is asked now.")
        return Start(c, SessionFiles(fact_path, Path(started) if started else None), True, notes)
    data: dict = {}
    if file is not None:
        try:
            data = load_data(file)
        except FactError as e:
            raise ConsultError(str(e)) from None
    notes = []
    if save is not None:
        if save.exists() and not (file is not None and _same(save, file)):
            raise ConsultError(
                f"{save} already exists; continue it with 'partnerwise consult {save} --save {save}', or choose another --save"
            )
        if save.suffix.lower() not in (".yaml", ".yml", ".json"):
            raise ConsultError(f"{save}: expected a fact file name ending in .yaml, .yml or .json")
        fact_path: Optional[Path] = save
    elif data.get("name"):
        fact_path = default_fact_path(data["name"], folder, avoid=file)
    else:
        fact_path = None  # named after the partnership once its name is known
    if fact_path is not None and side_path(fact_path).exists():
        try:
            if not read_side(side_path(fact_path)).get("finished"):
                notes.append(f"An unfinished session for {fact_path} was replaced; use --resume to continue one.")
        except ConsultError:
            pass
    return Start(Consultation(assessor, data, focus or "all"), SessionFiles(fact_path, file), False, notes)
