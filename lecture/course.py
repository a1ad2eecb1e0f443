"""A course: several lessons from one TOML file (``render.py --course FILE``), and the course's
index.html.

The file has an optional ``[defaults]`` table and one ``[[lesson]]`` table per lesson; the keys
are the command line's option names (``d_model`` for ``--d-model``), and each lesson becomes the
command line that would render it alone, so a lesson is checked exactly as that command is.
"""

from __future__ import annotations

import html
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lecture.build import clock
from lecture.video import duration
from qkv import BadInput, Trace
from qkv.files import atomic

__all__ = ["COURSE_KEYS", "read_course", "write_index"]

# key -> the type its value must have; every key is a render.py option (or the sentence)
COURSE_KEYS: dict[str, type | tuple[type, ...]] = {
    "sentence": str,
    "config": str,
    "lang": str,
    "cross": str,
    "heads": int,
    "d_model": int,
    "d_k": int,
    "d_v": int,
    "seed": int,
    "causal": bool,
    "source": str,
    "layer": int,
    "head": int,
    "precision": int,
    "positions": str,
    "layout": str,
    "quality": str,
    "format": str,
    "transparent": bool,
    "scenes": (str, list),
    "slides": bool,
    "voice": str,
}
_TYPE_NAMES = {str: "a string", int: "a whole number", bool: "true or false"}
_FLAGS = {"causal": ("--causal", "--no-causal"), "transparent": ("--transparent", None),
          "slides": ("--slides", None)}  # fmt: skip


def read_course(path: Path) -> list[list[str]]:
    """Each lesson of the course file at ``path`` as its command line (options, then ``--``
    and the sentence). Raises BadInput naming the file, the lesson (from 1) and the key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(f"--course {path}: no such file; give a course TOML file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise BadInput(f"--course {path}: cannot be read ({err})") from None
    except tomllib.TOMLDecodeError as err:
        raise BadInput(f"{path}: not valid TOML ({err})") from None
    extra = sorted(set(data) - {"defaults", "lesson"})
    if extra:
        raise BadInput(f"{path}: unknown table or key {extra[0]!r}; use [defaults] and [[lesson]]")
    lessons = data.get("lesson")
    if not isinstance(lessons, list) or not lessons:
        raise BadInput(f'{path}: no [[lesson]] table; add one per lesson, e.g. sentence = "…"')
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise BadInput(f"{path}: defaults must be a table, [defaults]")
    _check(path, "[defaults]", defaults)
    lines = []
    for n, lesson in enumerate(lessons, 1):
        where = f"lesson {n}"
        if not isinstance(lesson, dict):
            raise BadInput(f"{path}: {where} must be a table, [[lesson]]")
        _check(path, where, lesson)
        lines.append(_argv({**defaults, **lesson}))
    return lines


def _check(path: Path, where: str, table: dict[str, Any]) -> None:
    for key, value in table.items():
        if key not in COURSE_KEYS:
            raise BadInput(
                f"{path}: {where}: unknown key {key!r}; the keys are render.py's options: "
                + ", ".join(COURSE_KEYS)
            )
        wanted = COURSE_KEYS[key]
        kinds = wanted if isinstance(wanted, tuple) else (wanted,)
        # TOML's true is not a number here, and a number not a flag
        if not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool)):
            names = " or ".join(_TYPE_NAMES.get(k, "a list") for k in kinds)
            raise BadInput(f"{path}: {where}: {key} must be {names} (got {value!r})")
        if (
            key == "scenes"
            and isinstance(value, list)
            and not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value)
        ):
            raise BadInput(f"{path}: {where}: scenes lists names or numbers (got {value!r})")


def _argv(lesson: dict[str, Any]) -> list[str]:
    """The command line of one lesson."""
    argv: list[str] = []
    for key, value in lesson.items():
        if key == "sentence":
            continue
        if key in _FLAGS:
            on, off = _FLAGS[key]
            flag = on if value else off
            if flag is not None:
                argv.append(flag)
            continue
        if key == "scenes" and isinstance(value, list):
            value = ",".join(str(v) for v in value)
        argv += [f"--{key.replace('_', '-')}", str(value)]
    if "sentence" in lesson:
        argv += ["--", lesson["sentence"]]
    return argv


def write_index(out: Path, lessons: Sequence[tuple[Trace, Path, str]]) -> Path:
    """``out/index.html``: each lesson (trace, folder, video format) with its title, language,
    length and a still, linked to its video, slides, handout and interactive page."""
    rows = []
    for trace, folder, fmt in lessons:
        link = folder.name
        video = folder / f"lesson.{fmt}"
        length = clock(duration(video)) if video.exists() else "–"
        stills = sorted(folder.glob("[0-9][0-9]_*.png"))
        still = f'<img src="{link}/{stills[-1].name}" alt="" width="240">' if stills else ""
        files = [
            (f"lesson.{fmt}", "video"),
            ("slides.html", "slides"),
            ("handout.md", "handout"),
            ("lesson.html", "interactive page"),
        ]
        links = " · ".join(
            f'<a href="{link}/{name}">{label}</a>'
            for name, label in files
            if (folder / name).exists()
        )
        rows.append(
            f"<tr><td>{still}</td><td><b>{html.escape(trace.sentence)}</b><br>{links}</td>"
            f"<td>{html.escape(str(trace.config.get('language', 'en')))}</td><td>{length}</td></tr>"
        )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Course: attention, step by step</title>
<style>body{{font-family:"Noto Sans","Noto Sans CJK SC",sans-serif;background:#0E1117;color:#E6E6E6;
margin:24px}}a{{color:#3FC1C9}}td,th{{padding:6px 12px;text-align:left;vertical-align:top}}
th{{color:#9AA0A6;font-weight:normal}}</style></head><body>
<h1>Attention, step by step: {len(rows)} lessons</h1>
<table><tr><th></th><th>lesson</th><th>language</th><th>length</th></tr>
{chr(10).join(rows)}
</table></body></html>
"""
    with atomic(out / "index.html") as partial:
        partial.write_text(page, encoding="utf-8")
    return out / "index.html"
