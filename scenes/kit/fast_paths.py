"""How manim's camera traces a shape for cairo, made cheaper, once for every scene.

Every frame of an animation traces every moving shape again: a glyph of a caption, a number,
a bar. manim's ``Camera.set_cairo_context_path`` finds where a shape's subpaths break with about
ten NumPy calls on a few dozen points (guarded for NaN, which the camera has already replaced),
then reads each coordinate out of a NumPy array one by one: at 480p15 that was a third of the
whole render's drawing time (bench/split.py, issue 22). Here the breaks are found in one pass
and the coordinates read from a Python list. The rule for a break is manim's (np.isclose's,
with the shape's tolerance), so cairo is given the same path, command for command
(tests/test_glyphs.py compares the paths of texts, formulas and shapes).

And a shape traced once is not traced again while its points stay the same: in an animation
many moving shapes only fade or change colour (in Softmax at 1080p60, 44% of the 86 thousand
tracings were of points traced before). The path cairo made is kept, keyed by the points'
bytes, and handed back to cairo as it was; cairo keeps a path in device pixels, so the same
pixels come out (the test traces in the camera's own context; Softmax and Scores at 1080p60
rendered to the same bytes). Drawing in Softmax at 1080p60 fell from 9.6 to 8.5 s of CPU.
"""

from __future__ import annotations

import cairo
import numpy as np
from manim import Camera, VMobject

_RTOL = 1.0e-5  # np.isclose's, as manim's VMobject uses it


# paths kept: (points' bytes, the shape's tolerance for a break) -> cairo's path. A frame
# traces about 60 shapes, so 2000 cover the frames of an animation; a glyph's path is a few KB.
_PATHS: dict[tuple[bytes, float], cairo.Path] = {}
_KEPT = 2000


def _trace(self: Camera, ctx: cairo.Context, vmobject: VMobject) -> Camera:
    if len(vmobject.points) == 0:
        return self  # as manim: no new path
    key = (vmobject.points.tobytes(), vmobject.tolerance_for_point_equality)
    path = _PATHS.get(key)
    if path is not None:
        ctx.new_path()
        ctx.append_path(path)
        return self
    _traced(self, ctx, vmobject)
    if len(_PATHS) >= _KEPT:
        _PATHS.clear()  # a new animation's shapes fill it again within a frame
    _PATHS[key] = ctx.copy_path()
    return self


def _traced(self: Camera, ctx: cairo.Context, vmobject: VMobject) -> Camera:
    points = self.transform_points_pre_display(vmobject, vmobject.points)  # finite from here
    if len(points) == 0:
        return self
    k = vmobject.n_points_per_cubic_curve  # 4: anchor, handle, handle, anchor
    ctx.new_path()
    n = len(points)
    if n < k:
        return self
    xy = points[:, :2]  # (n, 2)
    # a subpath ends where a curve does not start at the anchor the one before it ended on
    ends, starts = xy[k - 1 : n - 1 : k], xy[k:n:k]  # (n/k - 1, 2) each
    tolerance = vmobject.tolerance_for_point_equality + _RTOL * np.abs(starts)
    breaks = (np.abs(ends - starts) > tolerance).any(axis=1)
    cuts = [0, *(np.flatnonzero(breaks) * k + k).tolist(), n]
    flat = xy.ravel().tolist()  # x0, y0, x1, y1, ...
    new_sub_path, move_to, curve_to = ctx.new_sub_path, ctx.move_to, ctx.curve_to
    for start, end in zip(cuts, cuts[1:], strict=False):
        if end - start < k:
            continue
        new_sub_path()
        move_to(flat[2 * start], flat[2 * start + 1])
        for i in range(start, end - k + 1, k):
            b = 2 * (i + 1)  # the curve's first handle
            curve_to(flat[b], flat[b + 1], flat[b + 2], flat[b + 3], flat[b + 4], flat[b + 5])
        first = (flat[2 * start], flat[2 * start + 1])
        last = (flat[2 * end - 2], flat[2 * end - 1])
        if vmobject.consider_points_equals_2d(first, last):
            ctx.close_path()
    return self


manims_trace = Camera.set_cairo_context_path  # kept for tests/test_glyphs.py's comparison
Camera.set_cairo_context_path = _trace  # type: ignore[method-assign]
