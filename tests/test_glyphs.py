"""The kit's changes to manim's glyphs and drawing change nothing drawn: a Text parsed once and
made again from the cache, and a copy sharing its glyphs' SVG paths, have the same points and
colours as manim makes without them (scenes/kit/fast_glyphs.py), and the camera gives cairo the
same path for every shape (scenes/kit/fast_paths.py). And a row of words runs the way its
sentence is read."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import trace_for
from manim import Text, tempconfig
from manim.mobject.svg.svg_mobject import SVG_HASH_TO_MOB_MAP

from scenes.kit import (
    fast_glyphs,  # noqa: F401  (what is under test)
    fast_paths,
)
from scenes.kit.provenance import Numbers
from scenes.kit.style import FONT
from scenes.kit.widgets import TokenRow

WORDS = ["собака", "我爱注意力", r"\input{x} $y$ <b>%", "q₁ · k₂", "the"]


def _drawn(text: Text) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    return [(m.points, m.fill_rgbas, m.stroke_rgbas) for m in text.family_members_with_points()]


def _same(a: Text, b: Text) -> bool:
    pairs = list(zip(_drawn(a), _drawn(b), strict=False))
    return len(_drawn(a)) == len(_drawn(b)) and all(
        all(np.array_equal(x, y) for x, y in zip(p, q, strict=True)) for p, q in pairs
    )


@pytest.mark.parametrize("word", WORDS)
def test_text_made_from_the_cache_is_the_same(word, tmp_path):
    with tempconfig({"media_dir": str(tmp_path), "dry_run": True}):
        for style in [
            {},
            {"font": FONT, "disable_ligatures": True},
            {"font_size": 30, "color": "#ff0000"},
        ]:
            parsed = Text(word, use_svg_cache=False, **style)  # manim's own way
            first = Text(word, **style)
            cached = len(SVG_HASH_TO_MOB_MAP)
            again = Text(word, **style)  # parsed no more: made from the cache
            assert len(SVG_HASH_TO_MOB_MAP) == cached
            assert _same(parsed, first) and _same(parsed, again), (word, style)
            assert len(again.chars) == len(parsed.chars)
            # the cache hands out copies: changing one text leaves the next untouched
            again.set_color("#00ff00").shift((1, 0, 0))
            assert _same(parsed, Text(word, **style))


def test_a_copy_draws_the_same_and_shares_the_parsed_paths(tmp_path):
    with tempconfig({"media_dir": str(tmp_path), "dry_run": True}):
        text = Text("собака", font=FONT)
        copy = text.copy()
        assert _same(text, copy)
        glyphs = text.family_members_with_points()
        copies = copy.family_members_with_points()
        assert all(
            c.path_obj is g.path_obj and c.points is not g.points
            for g, c in zip(glyphs, copies, strict=True)
        )


@pytest.mark.parametrize(
    ("sentence", "rtl"), [("السلام عليكم يا صديقي", True), ("the cat sat", False)]
)
def test_a_row_of_words_runs_the_way_its_sentence_is_read(sentence, rtl, tmp_path):
    """Arabic's first word is at the right of its row; the matrices keep index order."""
    with tempconfig({"media_dir": str(tmp_path), "dry_run": True}):
        row = TokenRow(Numbers(trace_for(sentence=sentence)), font_size=34)
        xs = [box.get_x() for box in row]
        assert xs == sorted(xs, reverse=rtl) and len(set(xs)) == len(xs)


def _shapes() -> list:
    """Shapes of every kind the scenes draw: glyphs with holes (several subpaths), a formula,
    closed and open curves, a dashed line (many short subpaths), a shape mid-transform, and
    points the camera must refuse (NaN)."""
    from manim import Arrow, Circle, DashedLine, MathTex, Rectangle, Square, VMobject

    half = Square().copy()
    half.pointwise_become_partial(Square(), 0.0, 0.6)  # an open path, as Create draws it
    broken = VMobject().set_points_as_corners([[0, 0, 0], [1, 0, 0], [1, 1, 0]])
    broken.points[2, 0] = np.nan
    return [
        *Text("Bag 8 éà 我爱 ∑", font=FONT).family_members_with_points(),
        *MathTex(r"\frac{QK^\top}{\sqrt{d_k}}").family_members_with_points(),
        Circle(),
        Rectangle(width=2, height=1),
        half,
        *DashedLine([-2, 0, 0], [2, 1, 0]).family_members_with_points(),
        *Arrow([0, 0, 0], [1, 2, 0]).family_members_with_points(),
        VMobject(),
        broken,
    ]


def test_the_camera_traces_every_shape_as_manim_does(tmp_path, monkeypatch):
    from manim import Camera

    monkeypatch.setattr(fast_paths, "_PATHS", {})
    with tempconfig({"media_dir": str(tmp_path), "pixel_width": 320, "pixel_height": 180}):
        camera = Camera()
        shapes = _shapes()
        traced = []
        # manim's own, then traced afresh, then the same shapes again from the kept paths, each
        # in the camera's own context (its scale and offset): cairo keeps a path in device
        # pixels, so a kept path must come back to the same ones
        for trace in (fast_paths.manims_trace, fast_paths._trace, fast_paths._trace):
            ctx = camera.get_cairo_context(camera.pixel_array)
            paths = []
            for shape in shapes:
                trace(camera, ctx, shape)
                paths.append(list(ctx.copy_path()))
            traced.append(paths)
    assert traced[0] == traced[1] == traced[2]
    assert sum(len(p) for p in traced[0]) > 500  # the shapes were traced, not skipped
    assert len(fast_paths._PATHS) >= len(shapes) - 2  # kept (the empty shapes are not)
    assert Camera.set_cairo_context_path is fast_paths._trace  # and the scenes use it
