"""One change to how manim copies glyphs, made once for every scene.

Every Transform, fade and count-up copies mobjects, and a copy is a deep copy. A glyph of Text
or MathTex (``VMobjectFromSVGPath``) keeps the parsed SVG path its points were made from, and
deep-copying that path was 90% of the cost of copying a glyph: a 37-glyph caption took 20 ms
to copy, 4.4 ms without it. The points never come from the path again after the glyph is made,
so copies now share it instead of copying it. What a copy draws is unchanged (bench/: issue 7).
"""

from __future__ import annotations

from manim import Mobject
from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath


def _copy_sharing_path(glyph: VMobjectFromSVGPath, memo: dict) -> VMobjectFromSVGPath:
    memo[id(glyph.path_obj)] = glyph.path_obj  # deepcopy hands back what memo already holds
    return Mobject.__deepcopy__(glyph, memo)


VMobjectFromSVGPath.__deepcopy__ = _copy_sharing_path
