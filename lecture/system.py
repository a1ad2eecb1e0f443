"""What rendering needs from the system, checked before any work: one line names what to
install (the same packages scripts/setup.sh installs)."""

from __future__ import annotations

import shutil

from lecture.slides import REVEAL
from qkv import BadInput

__all__ = ["check_system"]

# program -> the Debian package that brings it
_PROGRAMS = {"latex": "texlive-latex-base", "dvisvgm": "dvisvgm"}


def check_system(*, slides: bool = False) -> None:
    """Raise BadInput naming every missing piece: LaTeX, dvisvgm, the lesson's font, and for
    ``slides`` the local reveal.js."""
    missing = [package for program, package in _PROGRAMS.items() if not shutil.which(program)]
    if not _font_installed():
        missing.append("fonts-noto-cjk")
    if slides and not (REVEAL / "dist" / "reveal.js").exists():
        raise BadInput("--slides needs a local reveal.js: run "
                       "'.venv/bin/python scripts/fetch_reveal.py' (scripts/setup.sh does)")
    if missing:
        raise BadInput("rendering needs system packages that are missing; install them with: "
                       f"sudo apt-get install {' '.join(missing)} (or run scripts/setup.sh)")


def _font_installed() -> bool:
    import manimpango

    from scenes.style import FONT

    return FONT in manimpango.list_fonts()
