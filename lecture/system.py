"""What rendering needs from the system, checked before any work: one line names what to
install (the same packages scripts/setup.sh installs)."""

from __future__ import annotations

import shutil

from qkv import BadInput

__all__ = ["check_system"]

# program -> the Debian package that brings it
_PROGRAMS = {"latex": "texlive-latex-base", "dvisvgm": "dvisvgm"}


def check_system() -> None:
    """Raise BadInput naming every missing piece: LaTeX, dvisvgm, the lesson's font."""
    missing = [package for program, package in _PROGRAMS.items() if not shutil.which(program)]
    if not _font_installed():
        missing.append("fonts-noto-cjk")
    if missing:
        raise BadInput("rendering needs system packages that are missing; install them with: "
                       f"sudo apt-get install {' '.join(missing)} (or run scripts/setup.sh)")


def _font_installed() -> bool:
    import manimpango

    from scenes.style import FONT

    return FONT in manimpango.list_fonts()
