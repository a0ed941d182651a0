"""Small file-system helpers shared by the writers of the workspace and the scenes."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def sync_directory(directory: Path) -> None:
    """Make the renames in ``directory`` durable (fsync of the folder).

    Not every system can open a directory (Windows cannot); there it does nothing.
    """
    try:
        handle = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(handle)
    finally:
        os.close(handle)


def file_mode(path: Path) -> int:
    """The permissions to give a file written over ``path``.

    Those of the file replaced; a new file gets the usual umask-based mode (mkstemp would
    leave 0600, unreadable to a server running as another user).
    """
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def replace_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``target``, sync it, then rename it over.

    A reader, or a crash at any moment, sees the old file (or none) or the whole new one;
    on any failure the temporary file is removed.
    """
    mode = file_mode(target)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
