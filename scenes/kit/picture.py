"""What a frame shows, as data: the lesson's content apart from caption and map, and a signature
of it (every visible shape and text: kind, text, place, size, colour) to tell two pictures
apart. A scene ends on its closing picture and the next one opens on it; the signature is how
the kit and the tests know the two are the same (kit/base.py, tests/test_continuity.py).
"""

from __future__ import annotations

from manim import DecimalNumber, MathTex, Mobject, SingleStringMathTex, Tex, Text

__all__ = ["is_frame_furniture", "content", "signature", "visible"]

_TEXTLIKE = (DecimalNumber, Text, SingleStringMathTex, Tex, MathTex)


def is_frame_furniture(mob: Mobject) -> bool:
    """The caption line and the lesson map: on every frame, not part of the picture."""
    return bool(getattr(mob, "furniture", False))


def content(mobjects: list[Mobject]) -> list[Mobject]:
    """The top-level mobjects that make the picture (not caption, not map)."""
    return [m for m in mobjects if not is_frame_furniture(m)]


def visible(mob: Mobject) -> bool:
    """Something of it is drawn: a formula's parent has no paint of its own, its glyphs do."""
    return any(
        len(m.points) and (m.get_fill_opacity() > 0 or m.get_stroke_opacity() > 0)
        for m in mob.get_family()
    )


def _units(mob: Mobject):
    # a number, a text or a formula is one unit; anything else, each of its drawn parts
    if isinstance(mob, _TEXTLIKE):
        yield mob
        return
    if len(mob.points):
        yield mob
    for sub in mob.submobjects:
        yield from _units(sub)


def _text_of(mob: Mobject) -> str:
    if isinstance(mob, DecimalNumber):
        return mob._get_num_string(mob.number)
    return getattr(mob, "original_text", None) or getattr(mob, "tex_string", "") or ""


def signature(mobjects: list[Mobject], places: int = 2) -> list[tuple]:
    """Every visible unit of the picture, sorted: (kind, text, centre, size, fill, stroke)."""
    rows = []
    for top in mobjects:
        for unit in _units(top):
            if not visible(unit) or unit.width + unit.height == 0:
                continue
            rows.append(
                (
                    type(unit).__name__,
                    _text_of(unit),
                    tuple(round(float(v), places) for v in unit.get_center()[:2]),
                    (round(float(unit.width), places), round(float(unit.height), places)),
                    unit.get_fill_color().to_hex() if unit.get_fill_opacity() else "",
                    unit.get_stroke_color().to_hex() if unit.get_stroke_opacity() else "",
                )
            )
    return sorted(rows)
