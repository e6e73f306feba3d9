"""Where output goes: standard output, a stream (a FIFO or a character device), or a file written atomically.

Every report, audit result file and consult session file is written through `open_output`. A regular
file (or the target of a symbolic link to one) is written into a temporary file beside it and renamed
into place, so a reader sees the old file or the new one, never half of one; the new file gets the
mode a plain `open()` would give it, and an existing file keeps its own. A FIFO or a character device
(`/dev/null`, a terminal) is written as a stream, never replaced. `-` is standard output. Anything else
(a folder, a socket, a block device) is refused before any work is done.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import IO, Optional, Union

PathLike = Union[str, Path]


class OutputError(ValueError):
    """An output path that cannot be written; one line naming the path and the reason."""


def _reason(e: OSError) -> str:
    return e.strerror or str(e)


def _current_umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def resolve(path: Optional[PathLike]) -> tuple[str, Optional[Path]]:
    """('stdout', None), ('stream', target) or ('file', target); OutputError for anything else.

    A symbolic link is followed to its target, which is what gets written.
    """
    if path is None or str(path) == "-":
        return "stdout", None
    given = Path(path)
    target = Path(os.path.realpath(given))
    try:
        st = os.stat(target)
    except FileNotFoundError:
        if not target.parent.is_dir():
            raise OutputError(f"{given}: no such folder {str(target.parent)!r}; expected a file in an existing folder") from None
        return "file", target
    except OSError as e:
        raise OutputError(f"{given}: cannot be written ({_reason(e)})") from None
    if stat.S_ISREG(st.st_mode):
        return "file", target
    if stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode):
        return "stream", target
    what = "a folder" if stat.S_ISDIR(st.st_mode) else "neither a regular file, a FIFO nor a character device"
    raise OutputError(f"{given}: is {what}; expected a file to write to, '-' for standard output, a FIFO or a device")


class Output:
    """One destination, open for writing: `write` as the output is made, then `commit` (or `abort`)."""

    def __init__(self, path: Optional[PathLike]):
        self.kind, self.target = resolve(path)
        self.label = str(path)
        self.tmp: Optional[str] = None
        self.stream: IO[bytes]
        if self.kind == "stdout":
            self.stream = sys.stdout.buffer
            return
        try:
            if self.kind == "stream":
                self.stream = open(self.target, "wb")
                return
            fd, self.tmp = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent)
            try:
                mode = stat.S_IMODE(os.stat(self.target).st_mode)
            except FileNotFoundError:
                mode = 0o666 & ~_current_umask()  # mkstemp makes the file readable by its owner only
            os.chmod(self.tmp, mode)
            self.stream = os.fdopen(fd, "wb")
        except OSError as e:
            self.abort()
            raise OutputError(f"{self.label}: cannot be written ({_reason(e)})") from None

    def write(self, data: Union[str, bytes]) -> None:
        if isinstance(data, str):
            if self.kind == "stdout":
                sys.stdout.write(data)
                return
            data = data.encode("utf-8")
        if self.kind == "stdout":
            sys.stdout.flush()
        self.stream.write(data)

    def commit(self) -> None:
        if self.kind == "stdout":
            sys.stdout.flush()
            self.stream.flush()
            return
        self.stream.flush()
        if self.kind == "stream":
            self.stream.close()
            return
        if self.tmp is not None:
            os.fsync(self.stream.fileno())
            self.stream.close()
            os.replace(self.tmp, self.target)
            self.tmp = None

    def abort(self) -> None:
        """Leave the target as it was: the temporary file goes; a stream is closed."""
        stream = getattr(self, "stream", None)
        if self.kind != "stdout" and stream is not None and not stream.closed:
            stream.close()
        if self.tmp is not None:
            try:
                os.unlink(self.tmp)
            except OSError:
                pass
            self.tmp = None


def open_output(path: Optional[PathLike]) -> Output:
    return Output(path)


def write_output(text: Union[str, bytes], path: Optional[PathLike]) -> None:
    """Write a whole text to `path` (None or '-': standard output), as `Output` describes."""
    out = Output(path)
    try:
        out.write(text)
        out.commit()
    except BaseException:
        out.abort()
        raise


def check_output(path: Optional[PathLike]) -> None:
    """Raise OutputError now if `path` could not be written to, before any work is done."""
    resolve(path)
