"""Files that hold personal data (UU 27/2022: names, phone numbers) are readable by their owner
only: created with mode 0600 in the same system call that creates them, so that no other
account on the machine can open them even for a moment.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with open_private(folder / "export.csv", "w", encoding="utf-8") as out:
...     _ = out.write("ikm_id,name\\n")
>>> oct((folder / "export.csv").stat().st_mode & 0o777)
'0o600'
>>> create_private(folder / "tular.db"), create_private(folder / "tular.db")
(True, False)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from tular.graph.model.catalogue import N_
from tular.graph.model.errors import Term, UsageError, said

if TYPE_CHECKING:
    from openpyxl import Workbook

#: Read and write for the owner, nothing for anybody else.
PRIVATE_MODE = 0o600


def _flags(mode: str) -> int:
    kinds = [c for c in mode if c in "wxa"]
    if len(kinds) != 1 or "r" in mode or set(mode) - set("wxabt+"):
        raise ValueError(f"open_private writes files: mode {mode!r} is not one of w, x, a (with b, t, +)")
    flags = (os.O_RDWR if "+" in mode else os.O_WRONLY) | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    return flags | {"w": os.O_TRUNC, "x": os.O_EXCL, "a": os.O_APPEND}[kinds[0]]


def open_private(path: str | os.PathLike[str], mode: str = "wb", **kwargs: Any) -> IO[Any]:
    """``open(path, mode, **kwargs)`` for writing (``w``, ``x`` or ``a``, with ``b``/``t``/``+``),
    except that a new file is created 0600 (``os.open(..., 0o600)``: never more open, even for
    a moment) and an existing one that is written is narrowed to 0600 (when this account owns
    it). Write to a temporary name and ``os.replace`` it into place to keep a reader from ever
    seeing half a file: the mode travels with the file."""
    fd = os.open(path, _flags(mode), PRIVATE_MODE)
    try:
        if hasattr(os, "fchmod") and os.fstat(fd).st_mode & 0o777 != PRIVATE_MODE:
            try:
                os.fchmod(fd, PRIVATE_MODE)
            except PermissionError:  # another account's file, which we may write: leave its mode
                pass
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def create_private(path: str | os.PathLike[str]) -> bool:
    """Create ``path`` empty with mode 0600 if it does not exist (atomically: ``O_CREAT | O_EXCL``);
    an existing file is left as it is. True when this call created it. Used for the embedded
    store's database before SQLite opens it: SQLite gives its ``-wal`` and ``-shm`` files the
    database file's mode."""
    try:
        fd = os.open(Path(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), PRIVATE_MODE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def save_workbook(path: str | os.PathLike[str], workbook: Workbook, what: str) -> Path:
    """Save ``workbook`` (``what`` it is, for the messages: "the template is an Excel workbook")
    to ``path``, an ``.xlsx`` file in a folder that exists; written aside and renamed into
    place, so that nothing half-written is ever left at ``path``."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise said(UsageError, N_("files.not_xlsx"), {"what": Term(what), "name": repr(path.name)})
    if not path.parent.exists():
        raise said(UsageError, N_("backup.no_folder"), {"folder": str(path.parent)})
    if path.is_dir():
        raise said(UsageError, N_("files.is_folder"), {"path": str(path)})
    partial = path.with_name(f".{path.name}.partial")
    try:
        workbook.save(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path
