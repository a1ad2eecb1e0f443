"""Mobjects shared by the scenes: token labels, trace matrices, the attention grid, captions."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    FadeIn,
    LaggedStart,
    MathTex,
    MobjectMatrix,
    Square,
    SurroundingRectangle,
    Transform,
    VGroup,
    VMobject,
)

from qkv import lookup_array
from qkv.tokens import reads_right_to_left
from scenes.kit.provenance import Numbers, TraceNumber, TraceText
from scenes.kit.style import FRAME_LINE, LABEL_SIZE, NUMBER_SIZE, ROLE

__all__ = [
    "fade_to",
    "lagged",
    "elided",
    "lag_for",
    "DIM_TEX",
    "GridIndex",
    "TokenGrid",
    "TokenRow",
    "TraceMatrix",
    "fit",
    "highlight",
    "role_formula",
    "in_reading_order",
    "shape_label",
    "token_labels",
    "fit_in_slots",
    "stagger",
]


def _boxed(text: TraceText, colour) -> VGroup:
    box = SurroundingRectangle(text, color=colour, buff=0.12, corner_radius=0.08, stroke_width=2)
    return VGroup(box, text)


def in_reading_order(row: VGroup, sentence: str, buff: float) -> VGroup:
    """Lay a row of ``sentence``'s tokens out as it is read: from the left, or from the right
    for Arabic or Hebrew (token 0 rightmost). Only rows of words turn; a matrix keeps index 0 on
    the left, as its formulas do. A row with one word swapped keeps its sentence's direction."""
    return row.arrange(LEFT if reads_right_to_left(sentence) else RIGHT, buff=buff)


class TokenRow(VGroup):
    """The tokens of one side of the trace, each in a box, in reading order."""

    def __init__(self, numbers: Numbers, side: str = "tokens", colour=ROLE["X"], **kwargs) -> None:
        trace = numbers.trace
        count = len(trace.tokens if side == "tokens" else trace.key_tokens)
        self.labels = [numbers.token(i, side, **kwargs) for i in range(count)]
        super().__init__(*(_boxed(t, colour) for t in self.labels))
        sentence = trace.sentence if side == "tokens" else trace.kv_sentence or trace.sentence
        in_reading_order(self, sentence, buff=0.25)


def elided(n: int, limit: int) -> list[int | None]:
    # Keep the first entries and the last one; None marks the ⋯ (or ⋮) that stands for the rest.
    return list(range(n)) if n <= limit else [*range(limit - 2), None, n - 1]


class GridIndex:
    """Displayed positions of an array drawn from the trace, shown as is or turned round
    (``transpose``, the column-vector convention): one rule for matrices and token grids."""

    transpose: bool

    def index_of(self, r: int, c: int) -> tuple[int, int]:
        """The trace index of what is displayed at row ``r``, column ``c``."""
        return (c, r) if self.transpose else (r, c)

    @staticmethod
    def line(items: dict[tuple[int, int], VMobject], axis: int, k: int) -> VGroup:
        """The items of displayed row (``axis`` 0) or column (1) ``k``, in display order."""
        return VGroup(*(m for rc, m in items.items() if rc[axis] == k))


class TraceMatrix(GridIndex, VGroup):
    """A matrix of the trace in brackets, every entry a TraceNumber.

    ``transpose`` shows the trace's array turned (rows become columns), as the column-vector
    convention writes it; each entry still records its own trace index. Positions (r, c) below
    are always as displayed. Matrices larger than ``max_rows`` x ``max_cols`` are elided: real
    first entries, a ⋯/⋮, and the real last row and column; ``rows`` or ``cols``, if given,
    list the displayed rows or columns to show instead (None marks a ⋯/⋮ anywhere, e.g. one
    per head of a concatenation). ``dims`` names the trace array's axes (keys of ``dims.*``)
    for the shape label.
    """

    def __init__(
        self,
        numbers: Numbers,
        key: str,
        *,
        role: str = "X",
        transpose: bool = False,
        dims: tuple[str, str] | None = None,
        max_rows: int = 12,
        max_cols: int = 8,
        font_size: float = NUMBER_SIZE,
        coloured: bool = True,
        rows: list[int | None] | None = None,
        cols: list[int | None] | None = None,
    ) -> None:
        self.numbers, self.key, self.transpose = numbers, key, transpose
        shape = numbers.shape(key)
        n_rows, n_cols = shape[::-1] if transpose else shape
        self.dims = (dims[::-1] if transpose else dims) if dims else None
        self.row_ids = list(rows) if rows is not None else elided(n_rows, max_rows)
        self.col_ids = list(cols) if cols is not None else elided(n_cols, max_cols)
        self.entries: dict[tuple[int, int], TraceNumber] = {}
        grid = []
        for r in self.row_ids:
            row = []
            for c in self.col_ids:
                if r is None or c is None:
                    row.append(MathTex(r"\vdots" if r is None else r"\cdots", font_size=font_size))
                else:
                    cell = numbers.value(
                        key, *self.index_of(r, c), font_size=font_size, coloured=coloured
                    )
                    # a column's entries are centred: one that counts up through wider partial
                    # sums ("−0.02") grows both ways, clear of the brackets
                    cell.edge_to_fix = ORIGIN
                    self.entries[(r, c)] = cell
                    row.append(cell)
            grid.append(row)
        widest = max(m.width for r in grid for m in r)
        self.matrix = MobjectMatrix(
            grid, h_buff=widest + 0.3, v_buff=0.5 * font_size / 24 + 0.05, bracket_h_buff=0.15
        )
        self.matrix.get_brackets().set_color(ROLE[role])
        super().__init__(self.matrix)

    def row(self, r: int) -> VGroup:
        """The shown entries of displayed row ``r``."""
        return self.line(self.entries, 0, r)

    def col(self, c: int) -> VGroup:
        """The shown entries of displayed column ``c``."""
        return self.line(self.entries, 1, c)

    def name_lines(
        self,
        side: str = "tokens",
        *,
        font_size: float = LABEL_SIZE * 0.75,
        max_width: float = 1.4,
        left_buff: float = 0.15,
        up_buff: float = 0.15,
    ) -> VGroup:
        """The tokens of ``side`` beside the lines they name: left of the displayed rows, or
        above the displayed columns when turned (shrunk or staggered if crowded, never turned).
        An elided matrix names only the lines it shows."""
        labels = token_labels(
            self.numbers, side, ROLE["X"], font_size=font_size, max_width=max_width
        )
        shown = [k for k in (self.col_ids if self.transpose else self.row_ids) if k is not None]
        named = VGroup(*(labels[k] for k in shown))
        staggered = self.transpose and fit_in_slots(named, self.col_pitch())
        for k, label in zip(shown, named, strict=True):
            if self.transpose:
                label.next_to(self.matrix, UP, buff=up_buff).match_x(self.col_band(k))
            else:
                label.next_to(self.matrix, LEFT, buff=left_buff).match_y(self.row_band(k))
        if staggered:
            stagger(named)
        return named

    def row_band(self, r: int) -> VMobject:
        """The whole displayed row ``r`` including any ⋯, for highlighting."""
        return self.matrix.get_rows()[self.row_ids.index(r)]

    def col_band(self, c: int) -> VMobject:
        return self.matrix.get_columns()[self.col_ids.index(c)]

    def col_pitch(self) -> float:
        """The distance between neighbouring displayed columns (0 for a single column)."""
        columns = self.matrix.get_columns()
        return columns[1].get_x() - columns[0].get_x() if len(columns) > 1 else 0.0

    def shape_label(self) -> VGroup:
        """``(T × d_model) = (6 × 6)`` for this matrix as displayed."""
        rows, cols = self.dims
        return shape_label(self.numbers, rows, cols, DIM_TEX[rows], DIM_TEX[cols])


# How each size is written in formulas (keys of ``dims.*``).
DIM_TEX = {
    "T": "T",
    "S": "S",
    "d_model": r"d_{\text{model}}",
    "d_k": "d_k",
    "d_v": "d_v",
    "hd_v": r"h\,d_v",
    "h": "h",
}


def shape_label(numbers: Numbers, rows: str, cols: str, rows_tex: str, cols_tex: str) -> VGroup:
    """``(T × d_model) = (6 × 6)``: the symbols and their real sizes, from ``dims.<name>`` or,
    for a size only a study has (``encoder.d_ff``), from that key."""
    size = LABEL_SIZE * 0.8

    def real_size(name: str) -> TraceNumber:
        if "." in name:
            return numbers.value(name, precision=0, coloured=False, font_size=size)
        return numbers.dim(name, font_size=size)

    symbolic = MathTex(r"(" + rows_tex + r"\times " + cols_tex + r")", font_size=size)
    real = VGroup(
        MathTex("(", font_size=size),
        real_size(rows),
        MathTex(r"\times", font_size=size),
        real_size(cols),
        MathTex(")", font_size=size),
    ).arrange(RIGHT, buff=0.05)
    return VGroup(symbolic, MathTex("=", font_size=size), real).arrange(RIGHT, buff=0.15)


class TokenGrid(GridIndex, VGroup):
    """A T x S quantity of one head as a grid of cells, query tokens on the rows and key tokens
    on the columns (turned round when ``transpose``, the column-vector convention).

    Every cell shows the real value of ``heads.<head>.<field>``. ``shade`` fills each cell by its
    attention weight (the 3Blue1Brown heat map), the weights of ``heads.<head>.<shade_field>``
    (the trace's own, or a study's such as ``causal_weights``); otherwise cells are outlined
    only. Positions (r, c) are as displayed; ``index_of`` gives the trace index. With
    ``show_values=False`` the cells hold no numbers (a heat map too small to read them) and
    ``values`` is empty.
    """

    def __init__(
        self,
        numbers: Numbers,
        field: str = "weights",
        head: int = 0,
        *,
        cell: float = 0.9,
        transpose: bool = False,
        shade: bool = True,
        coloured: bool = False,
        shade_field: str = "weights",
        show_values: bool = True,
    ) -> None:
        self.key, self.head, self.transpose = f"heads.{head}.{field}", head, transpose
        n_q, n_k = numbers.shape(self.key)
        n_rows, n_cols = (n_k, n_q) if transpose else (n_q, n_k)
        weights = lookup_array(numbers.trace, f"heads.{head}.{shade_field}")
        self.cells: dict[tuple[int, int], VGroup] = {}
        self.values: dict[tuple[int, int], TraceNumber] = {}
        squares = VGroup()
        for r in range(n_rows):
            for c in range(n_cols):
                index = self.index_of(r, c)
                square = Square(side_length=cell, stroke_color=FRAME_LINE, stroke_width=1.5)
                if shade:  # opacity grows with the weight (square root: small ones stay visible)
                    weight = min(max(float(weights[index]), 0.0), 1.0)
                    square.set_fill(ROLE["weights"], opacity=0.9 * weight**0.5)
                square.move_to(RIGHT * c * cell + DOWN * r * cell)
                self.cells[(r, c)] = VGroup(square)
                if show_values:
                    value = numbers.value(
                        self.key, *index, font_size=26 * cell / 0.9, coloured=coloured
                    )
                    value.scale_to_fit_width(min(value.width, cell * 0.88)).move_to(square)
                    self.values[(r, c)] = value
                    self.cells[(r, c)].add(value)
                squares.add(self.cells[(r, c)])
        self.squares = squares
        row_side, col_side = ("key_tokens", "tokens") if transpose else ("tokens", "key_tokens")
        row_role, col_role = ("K", "Q") if transpose else ("Q", "K")
        self.row_labels = token_labels(numbers, row_side, ROLE[row_role], max_width=2.4)
        for r, lab in enumerate(self.row_labels):
            lab.next_to(self.cells[(r, 0)], LEFT, buff=0.2)
        self.col_labels = token_labels(numbers, col_side, ROLE[col_role], max_width=2.4)
        staggered = fit_in_slots(self.col_labels, cell)
        for c, lab in enumerate(self.col_labels):
            lab.next_to(self.cells[(0, c)], UP, buff=0.18)
        if staggered:
            stagger(self.col_labels)
        super().__init__(squares, self.row_labels, self.col_labels)

    def row(self, r: int) -> VGroup:
        """The cells of displayed row ``r``."""
        return self.line(self.cells, 0, r)

    def col(self, c: int) -> VGroup:
        """The cells of displayed column ``c``."""
        return self.line(self.cells, 1, c)

    def query_line(self, i: int) -> VGroup:
        """The cells of query ``i``: a row, or a column in the column-vector convention."""
        return self.col(i) if self.transpose else self.row(i)

    def query_label(self, i: int) -> VMobject:
        return (self.col_labels if self.transpose else self.row_labels)[i]

    def key_label(self, j: int) -> VMobject:
        return (self.row_labels if self.transpose else self.col_labels)[j]

    def cell_at(self, i: int, j: int) -> VGroup:
        """The cell of query ``i`` and key ``j``, wherever the convention puts it."""
        return self.cells[(j, i) if self.transpose else (i, j)]

    def shown_alike(self, i: int, j: int) -> list[int]:
        """The keys whose cell in query ``i``'s line shows the same number as key ``j``'s (``j``
        itself included): a tie as the viewer sees it, found by comparing the texts drawn,
        never the values."""
        shown = self.cell_at(i, j)[1].provenance.text
        keys = self.row_labels if self.transpose else self.col_labels
        return [k for k in range(len(keys)) if self.cell_at(i, k)[1].provenance.text == shown]


def token_labels(
    numbers: Numbers, side: str, colour, *, font_size: float = LABEL_SIZE, max_width: float = 2.0
) -> VGroup:
    """All tokens of one side at one common size, the longest no wider than ``max_width``."""
    tokens = numbers.trace.tokens if side == "tokens" else numbers.trace.key_tokens
    labels = VGroup(
        *(numbers.token(i, side, font_size=font_size, color=colour) for i in range(len(tokens)))
    )
    widest = max(lab.width for lab in labels)
    if widest > max_width:
        labels.scale(max_width / widest)  # one factor for all: equal words stay equal
    return labels


SHRINK_FLOOR = 0.75  # side-by-side labels shrink this far to fit their slots; past it, stagger


def fit_in_slots(labels: VGroup, pitch: float, gap: float = 0.1) -> bool:
    """Side-by-side labels ``pitch`` apart, kept upright as every scene keeps its tokens (a
    turned word, above all a Chinese one, is hard to read): all shrunk by one factor to fit
    their slots, to SHRINK_FLOOR at most; past that every other one is to be moved a line out
    (two slots of room each). ``pitch`` 0: a lone label, free to spread. Returns whether they
    are to be staggered, which the caller does once they are placed (``stagger``)."""
    widest = max(label.width for label in labels)
    if not pitch or widest <= pitch - gap:
        return False
    if widest * SHRINK_FLOOR <= pitch - gap:
        factor, staggered = (pitch - gap) / widest, False
    else:
        factor, staggered = min(1.0, (2 * pitch - gap) / widest), True
    for label in labels:
        label.scale(factor)  # one factor for all: equal words stay equal
    return staggered


def stagger(labels: VGroup, away=UP) -> None:
    """Move every other label (placed side by side, aligned) one label's height ``away`` from
    what they name."""
    lift = max(label.height for label in labels) + 0.08
    for label in labels[1::2]:
        label.shift(away * lift)


def fade_to(mob: VMobject, opacity: float) -> Transform:
    """Fade ``mob`` to ``opacity`` times the opacities it was made with (1: back as made, the
    same as a closing picture rebuilds it; a plain set_opacity would give lines a fill)."""
    if getattr(mob, "as_made", None) is None:
        mob.as_made = mob.copy()
    target = mob.as_made.copy()
    for part in target.family_members_with_points():
        part.set_fill(opacity=part.get_fill_opacity() * opacity, family=False)
        part.set_stroke(opacity=part.get_stroke_opacity() * opacity, family=False)
    return Transform(mob, target)


def highlight(mob: VMobject, colour, *, buff: float = 0.06, stays: bool = False, **kwargs):
    """A frame round ``mob`` that remembers what it frames: the audit checks that it still
    encloses it and that no two passing highlights of one colour are on at once (the old one
    left on); ``stays`` marks a frame meant to stay while others come and go."""
    kwargs.setdefault("stroke_width", 3)
    box = SurroundingRectangle(mob, color=colour, buff=buff, **kwargs)
    box.encloses, box.stays = mob, stays
    return box


def role_formula(parts: tuple[tuple[str, str | None], ...], size: float) -> MathTex:
    """A formula from (LaTeX, role) parts, each part in its role's colour (None: uncoloured)."""
    formula = MathTex(*(tex for tex, _ in parts), font_size=size)
    for part, (_, role) in zip(formula, parts, strict=True):  # one part per string
        if role:
            part.set_color(ROLE[role])
    return formula


def fit(mob: VMobject, width: float, height: float) -> VMobject:
    """Shrink ``mob`` (never enlarge) until it fits in ``width`` x ``height``."""
    factor = min(1.0, width / mob.width, height / mob.height)
    return mob.scale(factor)


def lagged(mobs, anim=FadeIn) -> LaggedStart:
    """``anim`` of each of ``mobs`` one after another, lagged by ``lag_for``."""
    mobs = list(mobs)
    return LaggedStart(*(anim(m) for m in mobs), lag_ratio=lag_for(len(mobs)))


def lag_for(count: int) -> float:
    """A LaggedStart's lag ratio for ``count`` items: more items, less lag, so a long row
    still arrives within its run time."""
    return 0.6 / max(count, 1) ** 0.5
