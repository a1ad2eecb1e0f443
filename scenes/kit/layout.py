"""Where things go on the frame, named once: the content box above the caption band, the
margins, and the cell sizes of token grids. Scenes and the scene audit both read these.

The frame is manim's: 8 units tall, 16:9 wide (14.22), origin in the middle.
"""

from __future__ import annotations

from manim import RIGHT, UP, VGroup, VMobject, config

from scenes.kit.widgets import TokenGrid, fit

__all__ = [
    "CAPTION_BUFF",
    "CAPTION_CLEARANCE",
    "CAPTION_TOP",
    "CONTENT_WIDTH",
    "FRAME_TOP",
    "GRID_CELL",
    "GRID_CELL_FEW",
    "MARGIN",
    "grid_beside",
    "grid_cell",
]

MARGIN = 0.5  # kept free at the frame's left and right edges
CONTENT_WIDTH = config.frame_width - 2 * MARGIN  # what a formula, a matrix or a caption may span
FRAME_TOP = config.frame_height / 2  # y of the frame's top edge
CAPTION_BUFF = 0.3  # the caption's distance from the frame's bottom edge
CAPTION_TOP = -3.0  # y where the caption band begins: content ends above it
CAPTION_CLEARANCE = 0.08  # kept free above a caption line (the audit checks it)

GRID_CELL = 0.9  # a token grid's cell side
GRID_CELL_FEW = 1.2  # ... for four tokens or fewer


def grid_cell(trace) -> float:
    """A grid's cell size: larger for a few tokens (big grids are shrunk to fit anyway, and
    their token labels, which keep their size, must not end up tiny beside large cells)."""
    return GRID_CELL_FEW if max(len(trace.tokens), len(trace.key_tokens)) <= 4 else GRID_CELL


def grid_beside(grid: TokenGrid, side: VMobject) -> None:
    """Lay out a token grid as large as the frame allows (above the caption line), with
    ``side`` (a formula, a panel) to its right, the whole at the top of the frame."""
    room_w = CONTENT_WIDTH - side.width - 0.8
    room_h = config.frame_height - 0.45 - 1.1  # the caption line keeps the bottom unit
    fit(grid, room_w, room_h)
    VGroup(grid, side).arrange(RIGHT, buff=0.8).to_edge(UP, buff=0.45)
