"""What rendering needs from the system, checked before any work: one line names what to
install (the same packages scripts/setup.sh installs)."""

from __future__ import annotations

import os
import shutil
import sys

from lecture.slides import REVEAL
from qkv import BadInput

__all__ = ["check_system", "default_jobs"]

# program -> the Debian package that brings it
_PROGRAMS = {"latex": "texlive-latex-base", "dvisvgm": "dvisvgm"}


def check_system(*, slides: bool = False) -> None:
    """Raise BadInput naming every missing piece: LaTeX, dvisvgm, the lesson's font, and for
    ``slides`` the local reveal.js."""
    missing = [package for program, package in _PROGRAMS.items() if not shutil.which(program)]
    if not _font_installed():
        missing.append("fonts-noto-cjk")
    if slides and not (REVEAL / "dist" / "reveal.js").exists():
        raise BadInput(
            f"--slides needs a local reveal.js in {REVEAL}: run "
            f"'{sys.executable} scripts/fetch_reveal.py' (scripts/setup.sh does)"
        )
    if missing:
        raise BadInput(
            "rendering needs system packages that are missing; install them with: "
            f"sudo apt-get install {' '.join(missing)} (or run scripts/setup.sh)"
        )


# Peak memory of one render process in GiB, with room to spare: bench/run.py measured 0.43 at
# low and 0.70 at high (--jobs 1, 2026-11-24); medium and 4k are scaled by their pixel counts.
_GIB_PER_JOB = {"low": 0.5, "medium": 0.65, "high": 0.8, "4k": 2.5}


def default_jobs(quality: str, scenes: int) -> int:
    """One process per core, but never more than the scenes to render nor than the free
    memory holds (each render process peaks at about ``_GIB_PER_JOB[quality]``)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    jobs = min(cores or 1, max(scenes, 1))
    free = _available_gib()
    if free is not None:
        jobs = min(jobs, max(1, int(free // _GIB_PER_JOB[quality])))
    return jobs


def _available_gib() -> float | None:
    """MemAvailable from /proc/meminfo (Linux); None where there is no such file."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 2**20  # kB -> GiB
    except (OSError, ValueError, IndexError):  # no such file, or a line not as expected
        return None
    return None


def _font_installed() -> bool:
    import manimpango

    from scenes.kit.style import FONT

    return FONT in manimpango.list_fonts()
