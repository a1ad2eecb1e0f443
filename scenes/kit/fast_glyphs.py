"""Two changes to how manim makes and copies glyphs, made once for every scene.

Copying: every Transform, fade and count-up copies mobjects, and a copy is a deep copy. A glyph
of Text or MathTex (``VMobjectFromSVGPath``) keeps the parsed SVG path its points were made
from, and deep-copying that path was 90% of the cost of copying a glyph: a 37-glyph caption took
20 ms to copy, 4.4 ms without it. The points never come from the path again after the glyph is
made, so copies now share it instead of copying it. What a copy draws is unchanged (bench/:
issue 7).

Making: manim reads and parses a Text's SVG file every time one is made (its in-memory SVG
cache is off for Text, on for MathTex), though the file is named by everything that shapes it
(string, font, size, colour, spacing). A lesson makes the same token labels again and again;
parsed once, a label costs 3 ms instead of 22. Text then closes its curves and scales as before,
so the points and colours are the same as without the cache
(tests/test_layers.py::test_text_made_from_the_cache_is_the_same).
"""

from __future__ import annotations

from manim import Mobject, Text
from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath


def _copy_sharing_path(glyph: VMobjectFromSVGPath, memo: dict) -> VMobjectFromSVGPath:
    memo[id(glyph.path_obj)] = glyph.path_obj  # deepcopy hands back what memo already holds
    return Mobject.__deepcopy__(glyph, memo)


VMobjectFromSVGPath.__deepcopy__ = _copy_sharing_path

_make_text = Text.__init__


def _text_from_cache(self: Text, *args, use_svg_cache: bool = True, **kwargs) -> None:
    _make_text(self, *args, use_svg_cache=use_svg_cache, **kwargs)


Text.__init__ = _text_from_cache  # type: ignore[method-assign]
