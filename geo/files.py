"""Small file-system helpers shared by the writers of the workspace and the scenes."""

from __future__ import annotations

import contextlib
import os
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
