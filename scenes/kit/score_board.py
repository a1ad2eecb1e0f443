"""The scores board: the scores grid, and beside it the score formula, the matrix's name and
shape, and one query's scores as marks on a number line. Scores ends on it; Scaling opens on it
(the same picture rebuilt) and adds the scaled scores on a second line of the same scale.
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, Line, MathTex, NumberLine, VGroup

from qkv import lookup, lookup_array
from scenes.kit.convention import Convention, score_formula
from scenes.kit.layout import CAPTION_TOP, CONTENT_WIDTH, FRAME_TOP, grid_cell
from scenes.kit.provenance import Numbers
from scenes.kit.style import FRAME_LINE, LABEL_SIZE, MUTED, ROLE
from scenes.kit.widgets import TokenGrid, fit, highlight, shape_label, token_labels

__all__ = ["GAP", "LINE_Y", "SIDE", "TOP_BUFF", "ZERO_REACH", "ScoreBoard", "board_cell"]

SIDE = 5.2  # the column beside the grid: formula, (Scaling's panel), number lines
LINE_Y = (-1.3, -2.5)  # the number lines at the column's foot: the scores, the scaled scores
LINE_LABEL = 1.3  # room left of a number line for its name
ZERO_REACH = 0.3  # how far the zero guide reaches past its line
GAP = 0.8  # between the grid and the column
TOP_BUFF = 0.45  # the picture's top below the frame's (the map strip above)


def board_cell(trace) -> float:
    """A grid cell: the usual size, larger for a short sentence, whose grid would otherwise
    leave its half of the frame empty."""
    count = max(len(trace.tokens), len(trace.key_tokens))
    return max(grid_cell(trace), min(2.0, 5.6 / count))


def tick_step(span: float) -> float:
    """A round distance between ticks (1, 2 or 5 times a power of ten), four or more ticks."""
    power = 10.0 ** np.floor(np.log10(span))
    return next(s * power for s in (5.0, 2.0, 1.0, 0.5, 0.2) if span / (s * power) >= 4)


class ScoreBoard:
    """The scores grid, and in a column beside it the score formula, the matrix's name and
    shape, and the followed query's scores as marks on a number line (its row framed in the
    grid). Scores ends on it; Scaling
    opens on it and adds the scaled scores on a second line of the same scale below."""

    def __init__(self, num: Numbers, trace, head: int, field: str = "scores") -> None:
        """``field``: the grid's numbers (Scaling's scaled grid lies exactly over the scores);
        the first line always shows the scores."""
        view, h = Convention.of(trace), f"heads.{head}"
        self.num, self.key = num, f"{h}.scores"
        self.grid = TokenGrid(
            num,
            field,
            head,
            cell=board_cell(trace),
            shade=False,
            coloured=True,
            transpose=view.turned(),
        )
        # the column at the frame's right margin, the grid in the middle of the room left of it
        # (and in the middle of the height when short): a short sentence still fills the frame
        self.x, self.top = CONTENT_WIDTH / 2 - SIDE / 2, FRAME_TOP - TOP_BUFF
        room_w, room_h = CONTENT_WIDTH - SIDE - GAP, self.top - CAPTION_TOP - 0.1
        fit(self.grid, room_w, room_h)
        self.grid.move_to([-CONTENT_WIDTH / 2 + room_w / 2, self.top - room_h / 2, 0])
        self.formula = fit(score_formula(view, trace.config["similarity"]), SIDE, 1.3)
        self.formula.move_to([self.x, self.top - self.formula.height / 2, 0])
        # what the grid is: the matrix of every score, and its shape
        self.shape = VGroup(
            MathTex(view.tex("scores"), font_size=LABEL_SIZE * 1.1, color=ROLE["weights"]),
            shape_label(num, "T", "S", "T", "S"),
        ).arrange(DOWN, buff=0.2)
        middle = (self.formula.get_bottom()[1] + LINE_Y[0] + 0.4) / 2
        self.shape.move_to([self.x, middle, 0])
        self.focus = i = int(lookup(trace, f"{h}.focus_query"))
        line = VGroup(self.grid.query_line(i), self.grid.query_label(i))
        self.frame = highlight(line, ROLE["Q"], buff=0.08, stays=True)
        row = lookup_array(trace, self.key)[i]
        low, high = min(0.0, float(row.min())), max(0.0, float(row.max()))
        step = tick_step(max(high - low, 1e-3))
        # one range for both lines, from the scores: a scaled score lies nearer zero
        self.range = [step * np.floor(low / step), step * np.ceil(high / step), step]
        self.axis = self.number_line(LINE_Y[0])
        name = token_labels(num, "tokens", ROLE["Q"], max_width=LINE_LABEL - 0.2)[i]
        self.label = name.next_to(self.axis, LEFT, buff=0.3)
        self.marks = self.marks_on(self.axis, self.key)
        self.zero = self.zero_guide(LINE_Y[0] + ZERO_REACH, LINE_Y[0] - ZERO_REACH)
        self.line = VGroup(self.axis, self.zero, self.label, self.marks)

    def number_line(self, y: float) -> NumberLine:
        """A line of the shared range across the column, right of the names, at height y."""
        axis = NumberLine(
            x_range=self.range,
            length=SIDE - LINE_LABEL,
            color=FRAME_LINE,
            stroke_width=2,
            tick_size=0.06,
            numbers_with_elongated_ticks=[0.0],
            longer_tick_multiple=3,
        )
        return axis.move_to([self.x + LINE_LABEL / 2, y, 0])

    def zero_guide(self, top: float, bottom: float) -> Line:
        """A thin upright line through zero: the marks are read against it."""
        x = self.axis.n2p(0.0)[0]
        return Line([x, top, 0], [x, bottom, 0], color=MUTED, stroke_width=1.5, stroke_opacity=0.6)

    def marks_on(self, axis: NumberLine, key: str) -> VGroup:
        """The followed query's value against every key, each a dot on ``axis``."""
        keys = self.num.shape(key)[1]
        return VGroup(
            *(self.num.mark(key, self.focus, j, axis=axis, radius=0.08) for j in range(keys))
        )

    def picture(self) -> VGroup:
        return VGroup(self.grid, self.formula, self.shape, self.frame, self.line)
