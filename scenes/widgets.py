"""Mobjects shared by the scenes: token labels, trace matrices, the attention grid, captions."""

from __future__ import annotations

from manim import (
    DOWN, LEFT, PI, RIGHT, UP, MathTex, MobjectMatrix, Square, SurroundingRectangle, VGroup, VMobject,
)

from scenes.provenance import Numbers, TraceNumber, TraceText
from scenes.style import FRAME_LINE, LABEL_SIZE, NUMBER_SIZE, ROLE

__all__ = ["TokenRow", "TraceMatrix", "WeightGrid", "fit", "highlight", "shape_label", "token_labels"]


def _boxed(text: TraceText, colour) -> VGroup:
    box = SurroundingRectangle(text, color=colour, buff=0.12, corner_radius=0.08, stroke_width=2)
    return VGroup(box, text)


class TokenRow(VGroup):
    """The tokens of one side of the trace, each in a box, in reading order."""

    def __init__(self, numbers: Numbers, side: str = "tokens", colour=ROLE["X"], **kwargs) -> None:
        count = len(numbers.trace.tokens if side == "tokens" else numbers.trace.key_tokens)
        self.labels = [numbers.token(i, side, **kwargs) for i in range(count)]
        super().__init__(*(_boxed(t, colour) for t in self.labels))
        self.arrange(RIGHT, buff=0.25)


def _elide(n: int, limit: int) -> list[int | None]:
    # Keep the first entries and the last one; None marks the ⋯ (or ⋮) that stands for the rest.
    return list(range(n)) if n <= limit else [*range(limit - 2), None, n - 1]


class TraceMatrix(VGroup):
    """A matrix of the trace in brackets, every entry a TraceNumber.

    Matrices larger than ``max_rows`` x ``max_cols`` are elided: real first entries, a ⋯/⋮,
    and the real last row and column.
    """

    def __init__(self, numbers: Numbers, key: str, *, role: str = "X", max_rows: int = 12,
                 max_cols: int = 8, font_size: float = NUMBER_SIZE) -> None:
        n_rows, n_cols = numbers.shape(key)
        self.row_ids, self.col_ids = _elide(n_rows, max_rows), _elide(n_cols, max_cols)
        self.entries: dict[tuple[int, int], TraceNumber] = {}
        grid = []
        for i in self.row_ids:
            row = []
            for j in self.col_ids:
                if i is None or j is None:
                    row.append(MathTex(r"\vdots" if i is None else r"\cdots", font_size=font_size))
                else:
                    cell = numbers.value(key, i, j, font_size=font_size)
                    self.entries[(i, j)] = cell
                    row.append(cell)
            grid.append(row)
        widest = max(m.width for r in grid for m in r)
        self.matrix = MobjectMatrix(grid, h_buff=widest + 0.3, v_buff=0.5 * font_size / 24 + 0.05,
                                    bracket_h_buff=0.15)
        self.matrix.get_brackets().set_color(ROLE[role])
        super().__init__(self.matrix)

    def row(self, i: int) -> VGroup:
        """The shown entries of row ``i``."""
        return VGroup(*(m for (r, _), m in self.entries.items() if r == i))


def shape_label(numbers: Numbers, rows: str, cols: str, rows_tex: str, cols_tex: str) -> VGroup:
    """``(T × d_model) = (6 × 6)``: the symbols and their real sizes from ``dims``."""
    size = LABEL_SIZE * 0.8
    symbolic = MathTex(r"(" + rows_tex + r"\times " + cols_tex + r")", font_size=size)
    real = VGroup(
        MathTex("(", font_size=size), numbers.dim(rows, font_size=size),
        MathTex(r"\times", font_size=size), numbers.dim(cols, font_size=size),
        MathTex(")", font_size=size),
    ).arrange(RIGHT, buff=0.05)
    return VGroup(symbolic, MathTex("=", font_size=size), real).arrange(RIGHT, buff=0.15)


class WeightGrid(VGroup):
    """One head's attention weights: a row per query token, a column per key token.

    Each cell is filled according to its weight and shows the real value.
    """

    def __init__(self, numbers: Numbers, head: int = 0, *, cell: float = 0.9) -> None:
        key = f"heads.{head}.weights"
        n_rows, n_cols = numbers.shape(key)
        self.cells: dict[tuple[int, int], VGroup] = {}
        squares = VGroup()
        for i in range(n_rows):
            for j in range(n_cols):
                value = numbers.value(key, i, j, font_size=26 * cell / 0.9, coloured=False)
                square = Square(side_length=cell, stroke_color=FRAME_LINE, stroke_width=1.5)
                # opacity grows with the weight (square root: small weights stay visible)
                weight = min(max(value.get_value(), 0.0), 1.0)
                square.set_fill(ROLE["weights"], opacity=0.9 * weight**0.5)
                square.move_to(RIGHT * j * cell + DOWN * i * cell)
                value.move_to(square)
                self.cells[(i, j)] = VGroup(square, value)
                squares.add(self.cells[(i, j)])
        self.squares = squares
        self.row_labels = token_labels(numbers, "tokens", ROLE["Q"], max_width=2.4)
        for i, lab in enumerate(self.row_labels):
            lab.next_to(self.cells[(i, 0)], LEFT, buff=0.15)
        self.col_labels = token_labels(numbers, "key_tokens", ROLE["K"], max_width=2.4)
        if any(lab.width > cell * 0.95 for lab in self.col_labels):
            # long words read bottom-up rather than overlapping their neighbours
            for lab in self.col_labels:
                lab.rotate(PI / 2)
        for j, lab in enumerate(self.col_labels):
            lab.next_to(self.cells[(0, j)], UP, buff=0.12)
        super().__init__(squares, self.row_labels, self.col_labels)

    def row(self, i: int) -> VGroup:
        return VGroup(*(c for (r, _), c in self.cells.items() if r == i))


def token_labels(numbers: Numbers, side: str, colour, *, font_size: float = LABEL_SIZE,
                 max_width: float = 2.0) -> VGroup:
    """All tokens of one side at one common size, the longest no wider than ``max_width``."""
    tokens = numbers.trace.tokens if side == "tokens" else numbers.trace.key_tokens
    labels = VGroup(*(numbers.token(i, side, font_size=font_size, color=colour)
                      for i in range(len(tokens))))
    widest = max(lab.width for lab in labels)
    if widest > max_width:
        labels.scale(max_width / widest)  # one factor for all: equal words stay equal
    return labels


def highlight(mob: VMobject, colour) -> SurroundingRectangle:
    return SurroundingRectangle(mob, color=colour, buff=0.06, stroke_width=3)


def fit(mob: VMobject, width: float, height: float) -> VMobject:
    """Shrink ``mob`` (never enlarge) until it fits in ``width`` x ``height``."""
    factor = min(1.0, width / mob.width, height / mob.height)
    return mob.scale(factor)
