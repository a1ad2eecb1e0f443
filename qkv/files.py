"""Every file the project writes (trace.json, a lesson's videos, subtitles, handout) appears
under its final name whole, or not at all: the one atomic writer."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["PARTIAL_GLOB", "atomic"]

PARTIAL_GLOB = ".*.part*"  # what an interrupted run can leave behind


@contextmanager
def atomic(path: Path) -> Iterator[Path]:
    """Yield a hidden temporary name beside ``path`` (same suffix, so writers that read it still
    know the format); when the block succeeds it becomes ``path`` in one step, else it goes.
    The name holds the process id: two processes writing the same file never share one."""
    partial = path.with_name(f".{path.stem}.part{os.getpid()}{path.suffix}")
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
