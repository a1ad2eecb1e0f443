"""Scene (T10): multi-head attention. h heads, each with its own W_Q, W_K, W_V, compute their
own attention patterns and outputs side by side; the outputs are concatenated, a block per head,
and W_O mixes them into the layer's output, which has the input's shape again.

Each head keeps one accent colour through the scene (its weights, its pattern, its output, its
block of the concatenation). In the column-vector convention every matrix is turned round: the
heads' outputs stack into a tall concatenation and the product reads W_O·Concat.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from manim import (
    DL,
    DOWN,
    RIGHT,
    UP,
    Arrow,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    GrowArrow,
    LaggedStart,
    ManimColor,
    MathTex,
    MoveToTarget,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    VGroup,
    VMobject,
    Write,
)

from qkv import lookup
from scenes.kit.base import LessonScene
from scenes.kit.convention import Convention
from scenes.kit.layout import CAPTION_TOP, CONTENT_WIDTH
from scenes.kit.product import MatrixProduct, WrittenSum, count_terms, written_sum
from scenes.kit.provenance import Numbers
from scenes.kit.style import LABEL_SIZE, MUTED, ROLE
from scenes.kit.widgets import (
    DIM_TEX,
    TokenGrid,
    TraceMatrix,
    elided,
    fit,
    highlight,
    shape_label,
)

__all__ = ["MultiHead", "head_colour"]

# One accent per head, away from the role colours' hues (yellow, teal, purple, orange, green,
# pink); more heads than accents reuse them in turn.
HEAD_COLOURS = tuple(ManimColor(c) for c in ("#7AA2FF", "#FF7A5C", "#C5E86C", "#E879F9"))
FORMULA_SIZE = LABEL_SIZE * 1.1
# More heads than this wrap their patterns into two rows (a pretrained model's twelve).
ROW_HEADS = 6
# A heat-map cell smaller than this (after fitting) is too small for its number: shading only.
READABLE_CELL = 0.55
# A head's formula as the paper writes it (rows), and with column vectors (I = Xᵀ).
_HEAD_TEX = (
    r"\mathrm{head}_i = \mathrm{Attention}\big(X\,W_Q^{(i)},\ X\,W_K^{(i)},\ X\,W_V^{(i)}\big)",
    r"\mathrm{head}_i = \mathrm{Attention}\big(W_Q^{(i)}\,I,\ W_K^{(i)}\,I,\ W_V^{(i)}\,I\big)",
)


def head_colour(i: int) -> ManimColor:
    """The accent of head ``i``, the same wherever that head appears."""
    return HEAD_COLOURS[i % len(HEAD_COLOURS)]


def _tint(mob: VMobject, colour) -> SurroundingRectangle:
    """A frame in a head's accent, lightly filled, behind ``mob`` (numbers stay on top)."""
    frame = SurroundingRectangle(mob, buff=0.08, corner_radius=0.08, stroke_width=2.5, color=colour)
    frame.set_fill(colour, opacity=0.14).set_z_index(-1)
    return frame


@dataclass
class Board:
    """What the beats hand on: the formula over the scene, every head's card, each head's slot
    under its card, and what is on screen in the slots."""

    formula: MathTex  # one head's formula, until it becomes the whole layer's
    top: float  # where the content starts, below the formula
    cards: VGroup  # one per head, in its accent
    clear_next: list[VMobject] = field(default_factory=list)  # on screen; the next beat fades it
    slot_width: float = 0.0
    slot_bottoms: list[float] = field(default_factory=list)  # the lowest y of each head's slot
    grids: list[TokenGrid] = field(default_factory=list)  # each head's pattern
    outs: list[TraceMatrix] = field(default_factory=list)  # each head's output ...
    frames: list[SurroundingRectangle] = field(default_factory=list)  # ... tinted in its accent

    @property
    def room_h(self) -> float:
        """The height between the formula and the caption line."""
        return self.top - CAPTION_TOP


@dataclass
class EntrySum:
    """Entry (0, 0) of the layer's output written out: its terms concat[i, m]·W_O[m, j], then
    b_O, and the total laid out at its final value (kit/product.py); the row and column that
    make it framed (``boxes``, set once laid out)."""

    written: WrittenSum
    line: VGroup
    boxes: list[VMobject] = field(default_factory=list)

    @classmethod
    def build(cls, num: Numbers, product: MatrixProduct) -> EntrySum:
        index = product.result.index_of(0, 0)
        shown = elided(num.shape("output_terms")[-1], 8)
        bias = "b_O" if num.trace.b_O is not None else None
        written = written_sum(
            num, "output_terms", "output_partial", index, shown, bias, at_end=True
        )
        return cls(written, written.line())


@dataclass
class Closing:
    """The scene's last picture, built once: what the last beats show and the next scene
    opens on."""

    formula: VGroup  # MultiHead = Concat(head_0, head_1, …) W_O, the heads numbered
    product: MatrixProduct
    blocks: list[SurroundingRectangle | None]  # each head's block of the concatenation
    w_blocks: list[SurroundingRectangle]  # ... and of W_O
    entry: EntrySum


class MultiHead(LessonScene):
    map_step = "heads"  # lit on the lesson map
    captions = {
        "intro": {
            "en": "Multi-head attention runs several heads side by side on the same tokens",
            "zh": "多头注意力让几个头在同一组词元上并行计算",
            "ru": "Многоголовое внимание запускает несколько голов параллельно на тех же токенах",
        },
        "intro_one": {
            "en": "Multi-head attention with a single head: one set of weights, computed once",
            "zh": "只有一个头的多头注意力：一组权重，只算一次",
            "ru": "Многоголовое внимание с одной головой: один набор весов, один проход",
        },
        "weights": {
            "en": "Each head has its own learned query, key and value weights",
            "zh": "每个头都有自己学到的查询、键、值权重",
            "ru": "У каждой головы свои обучаемые веса запросов, ключей и значений",
        },
        "weights_one": {
            "en": "The head's learned weights give its queries, keys and values",
            "zh": "这个头学到的权重给出它的查询、键和值",
            "ru": "Обучаемые веса головы дают её запросы, ключи и значения",
        },
        "patterns": {
            "en": "Each head computes its own attention pattern from its own queries and keys",
            "zh": "每个头用自己的查询和键算出自己的注意力模式",
            "ru": "Каждая голова считает свою картину внимания по своим запросам и ключам",
        },
        "patterns_random": {
            "en": "Each head's own queries and keys give its own pattern: random weights, "
            "random patterns",
            "zh": "每个头用自己的查询和键算出自己的模式：权重随机，模式也随机",
            "ru": "Каждая голова получает свой узор из своих запросов и ключей: веса случайны, "
            "и узоры тоже",
        },
        "patterns_one": {
            "en": "Its queries and keys give its attention pattern",
            "zh": "它的查询和键给出它的注意力模式",
            "ru": "Её запросы и ключи дают её картину внимания",
        },
        "differ": {
            "en": 'Query "{0}": each head puts its largest weight on a different key',
            "zh": "查询“{0}”：每个头的最大权重都落在不同的键上",
            "ru": "Запрос «{0}»: у каждой головы наибольший вес — на другом ключе",
        },
        "differ_some": {
            "en": 'Query "{0}": the heads do not all put their largest weight on the same key',
            "zh": "查询“{0}”：各个头的最大权重并不都落在同一个键上",
            "ru": "Запрос «{0}»: наибольший вес не у всех голов на одном и том же ключе",
        },
        "agree": {
            "en": 'Query "{0}": here every head puts its largest weight on "{1}"',
            "zh": "查询“{0}”：这里每个头的最大权重都落在“{1}”上",
            "ru": "Запрос «{0}»: здесь у всех голов наибольший вес — на «{1}»",
        },
        "outputs": {
            "en": "Each head mixes its own values with its own weights: one output per head",
            "zh": "每个头用自己的权重混合自己的值：每个头一个输出",
            "ru": "Каждая голова смешивает свои значения своими весами: у каждой свой выход",
        },
        "outputs_one": {
            "en": "Its weights mix its values into the head's output",
            "zh": "它的权重把它的值混合成这个头的输出",
            "ru": "Её веса смешивают её значения в выход головы",
        },
        "concat_row": {
            "en": "The head outputs are set side by side: one wide matrix, a block per head",
            "zh": "把各个头的输出并排拼接：一个宽矩阵，每个头一块",
            "ru": "Выходы голов ставим рядом: одна широкая матрица, по блоку на голову",
        },
        "concat_column": {
            "en": "The head outputs are stacked: one tall matrix, a block per head",
            "zh": "把各个头的输出上下堆叠：一个高矩阵，每个头一块",
            "ru": "Выходы голов ставим друг под другом: одна высокая матрица, по блоку на голову",
        },
        "concat_one": {
            "en": "With one head, the concatenation is simply its output",
            "zh": "只有一个头时，拼接结果就是它的输出",
            "ru": "С одной головой конкатенация — это просто её выход",
        },
        "mix": {
            "en": "The learned output weights then mix the heads into the final output",
            "zh": "再乘以学到的输出权重，把各个头混合成最终输出",
            "ru": "Обучаемые выходные веса смешивают головы в итоговый выход",
        },
        "mix_one": {
            "en": "The learned output weights still mix the head's output",
            "zh": "再乘以学到的输出权重，它们仍然会混合这个头的输出",
            "ru": "Обучаемые выходные веса всё равно перемешивают выход головы",
        },
        "entry_row": {
            "en": "One entry: a whole row across every head, times a column of output weights",
            "zh": "一个元素：横跨所有头的一整行，乘以输出权重的一列",
            "ru": "Один элемент: строка через все головы, умноженная на столбец выходных весов",
        },
        "entry_column": {
            "en": "One entry: a row of output weights times a whole column across every head",
            "zh": "一个元素：输出权重的一行，乘以贯穿所有头的一整列",
            "ru": "Один элемент: строка выходных весов на целый столбец через все головы",
        },
        "entry_one_row": {
            "en": "One entry: a row of the head's output times a column of output weights",
            "zh": "一个元素：头输出的一行乘以输出权重的一列",
            "ru": "Один элемент: строка выхода головы, умноженная на столбец выходных весов",
        },
        "entry_one_column": {
            "en": "One entry: a row of output weights times a column of the head's output",
            "zh": "一个元素：输出权重的一行乘以头输出的一列",
            "ru": "Один элемент: строка выходных весов, умноженная на столбец выхода головы",
        },
        "shape": {
            "en": "The result has the input's shape again: one vector per token, for the next "
            "layer",
            "zh": "结果又回到输入的形状：每个词元一个向量，交给下一层",
            "ru": "У результата снова форма входа: по вектору на токен для следующего слоя",
        },
    }

    def construct(self) -> None:
        """h heads side by side: their weights, patterns and outputs; concatenated; mixed."""
        board = self.show_each_heads_own_weights()
        self.show_each_heads_own_pattern(board)
        if not self.one_head:
            self.show_the_heads_look_at_different_tokens(board.grids)
        self.show_each_heads_own_output(board)
        end = self.closing()  # the last picture's layout: the concatenation lands in it
        self.concatenate_the_outputs(board, end)
        self.mix_the_heads_with_w_o(end)
        self.count_one_entry_through_every_head(end)
        self.say_the_output_has_the_inputs_shape()
        self.end_on(self.closing_picture())

    @property
    def view(self) -> Convention:
        return Convention.of(self.trace)

    @property
    def turned(self) -> bool:
        """Whether trace arrays show turned round (the column-vector convention)."""
        return self.view.turned()

    @property
    def one_head(self) -> bool:
        return len(self.trace.heads) == 1

    @property
    def two_rows(self) -> bool:
        """More heads than fit in one row (a pretrained model's twelve) wrap into two."""
        return len(self.trace.heads) > ROW_HEADS

    # -- the beats -----------------------------------------------------------------------------

    def show_each_heads_own_weights(self) -> Board:
        """One head's formula; the token vectors and every head's own W_Q, W_K, W_V."""
        formula = MathTex(_HEAD_TEX[self.view.columns], font_size=FORMULA_SIZE)
        formula.to_edge(UP, buff=0.3)
        top = formula.get_bottom()[1] - 0.35  # content starts below the formula
        self.play(Write(formula))
        self.say("intro_one" if self.one_head else "intro")
        x_matrix, inputs = self.inputs()
        board = Board(formula, top, self.cards())
        shapes = self.weight_shapes()
        self.lay_out_inputs_and_weights(board, inputs, shapes)
        arrows = self.arrows(x_matrix, board.cards)
        self.play(FadeIn(inputs))
        self.play(
            LaggedStart(*(GrowArrow(a) for a in arrows), lag_ratio=0.2),
            LaggedStart(*(FadeIn(c) for c in board.cards), lag_ratio=0.2),
            run_time=1.5,
        )
        self.play(FadeIn(shapes))
        self.say("weights_one" if self.one_head else "weights")
        self.wait(1.5)
        board.clear_next = [VGroup(inputs, arrows, shapes)]
        return board

    def show_each_heads_own_pattern(self, board: Board) -> None:
        """Every head's attention pattern, side by side under its weights."""
        grids, labels = self.lay_out_slots(board)
        self.play(
            *(FadeOut(m) for m in board.clear_next),
            *(MoveToTarget(card) for card in board.cards),
            run_time=1.2,
        )
        if self.one_head:
            self.say("patterns_one")
        else:  # random weights: say so, before the heads are compared
            self.say("patterns_random" if self.random_weights else "patterns")
        self.play(
            *(Create(VGroup(*(cell[0] for cell in g.squares))) for g in grids),
            *(FadeIn(VGroup(g.row_labels, g.col_labels, *g.values.values())) for g in grids),
            *(FadeIn(label) for label in labels),
            run_time=1.5,
        )
        self.hold(3.4)
        board.grids, board.clear_next = grids, [*grids, *labels]

    def show_the_heads_look_at_different_tokens(self, grids: list[TokenGrid]) -> None:
        """One query in every head and, in that head's accent, the key the head weights most."""
        T = len(self.trace.tokens)

        def tops(q: int) -> list[int]:
            return [int(lookup(self.trace, f"heads.{i}.top_key", (q,))) for i in range(len(grids))]

        # the query whose heads disagree most (the first of the most varied)
        q = max(range(T), key=lambda k: len(set(tops(k))))
        best = tops(q)
        # one set of frames, every head's at once, all coming and going together (never one
        # left on from before): marked as staying, as the audit's "framed heads" are
        boxes = VGroup()
        for i, (grid, key) in enumerate(zip(grids, best, strict=True)):
            line = VGroup(grid.query_line(q), grid.query_label(q))
            boxes.add(highlight(line, ROLE["Q"], stays=True))
            boxes.add(highlight(grid.cell_at(q, key), head_colour(i), stays=True, stroke_width=5))
        self.play(Create(boxes), run_time=0.8)
        distinct = len(set(best))
        if distinct == 1:
            self.say("agree", ("tokens", q), ("key_tokens", best[0]))
        else:
            self.say("differ" if distinct == len(grids) else "differ_some", ("tokens", q))
        self.hold()
        self.play(FadeOut(boxes), run_time=0.5)

    def show_each_heads_own_output(self, board: Board) -> None:
        """Each head's output (T × d_v), where its pattern was."""
        outs, labels = self.outputs(board)
        frames = [
            _tint(VGroup(*out.matrix.get_entries()), head_colour(i)) for i, out in enumerate(outs)
        ]
        self.play(
            *(FadeOut(m) for m in board.clear_next),
            *(
                FadeIn(VGroup(out, frame, label))
                for out, frame, label in zip(outs, frames, labels, strict=True)
            ),
            run_time=1.2,
        )
        self.say("outputs_one" if self.one_head else "outputs")
        self.wait(1.5)
        board.outs, board.frames, board.clear_next = outs, frames, [VGroup(*labels)]

    def concatenate_the_outputs(self, board: Board, end: Closing) -> None:
        """The outputs slide together into the concatenation, a block per head."""
        columns, product = self.view.columns, end.product
        concat = product.right if columns else product.left
        moves = self.slide(board.outs, concat)
        self.play(
            FadeOut(board.cards),
            *(FadeOut(m) for m in board.clear_next),
            FadeTransform(board.formula, end.formula),
            *moves,
            *(
                ReplacementTransform(frame, block) if block is not None else FadeOut(frame)
                for frame, block in zip(board.frames, end.blocks, strict=True)
            ),
            FadeOut(VGroup(*(out.matrix.get_brackets() for out in board.outs))),
            run_time=1.6,
        )
        # once the blocks have met: the brackets round them, the tokens, name and shape
        self.play(
            FadeIn(concat.matrix.get_brackets()),
            FadeIn(self.dots(concat)),
            FadeIn(product.labels),
            FadeIn(product.heads[1 if columns else 0]),
            run_time=0.8,
        )
        if self.one_head:
            self.say("concat_one")
        else:
            self.say("concat_column" if columns else "concat_row")
        self.hold()

    def mix_the_heads_with_w_o(self, end: Closing) -> None:
        """Times W_O, whose rows (turned: columns) meet each head's block in its accent."""
        columns, product = self.view.columns, end.product
        result = product.result
        self.play(
            FadeIn(
                VGroup(
                    product.factor(0 if columns else 1),
                    product.signs,
                    result.matrix.get_brackets(),
                    self.dots(result),
                    product.heads[2],
                    *end.w_blocks,
                )
            ),
            run_time=1.2,
        )
        self.say("mix_one" if self.one_head else "mix")
        self.hold()

    def count_one_entry_through_every_head(self, end: Closing) -> None:
        """One entry of the final output, counted up through its real partial sums: every term
        concat[i, m]·W_O[m, j] through all heads' blocks, then b_O if the layer has one."""
        if self.one_head:
            self.say("entry_one_column" if self.view.columns else "entry_one_row")
        else:
            self.say("entry_column" if self.view.columns else "entry_row")
        entry, index = end.entry, end.product.result.index_of(0, 0)
        written = entry.written
        written.total.show("output_partial", (*index, 0))  # the count starts at the first term
        self.play(
            *(Create(b) for b in entry.boxes),
            FadeIn(written.terms[0]),
            FadeIn(written.sign),
            FadeIn(written.total),
            run_time=0.6,
        )
        self.play(count_terms(self.num, written, "output_partial", index, run_time=3.0))
        # the entry appears in its place, as in every worked product; the sum stays written
        result = end.product.result
        self.play(FadeIn(result.entries[(0, 0)], scale=1.4), run_time=0.9)
        rows: dict[int, list[VMobject]] = {}  # every other entry, row after row
        for (r, c), m in result.entries.items():
            if (r, c) != (0, 0):
                rows.setdefault(r, []).append(m)
        if rows:
            self.play(
                LaggedStart(*(FadeIn(VGroup(*rows[r])) for r in sorted(rows)), lag_ratio=0.3),
                run_time=min(2.5, 0.25 * len(rows) + 0.8),
            )

    def say_the_output_has_the_inputs_shape(self) -> None:
        """One vector per token again, ready for the next layer."""
        self.say("shape")
        self.hold(2.0)

    # -- the closing picture: the product, one entry worked ---------------------------------

    def closing(self) -> Closing:
        """The whole layer on one frame, laid out once for the beats and the closing picture:
        the numbered formula; Concat · W_O = MultiHead as large as the frame allows; one
        entry's sum written out under it, its total right under the entry it gives (it rises
        straight into its place, over empty cells only)."""
        formula = self.concat_formula()
        product = self.product()
        entry = EntrySum.build(self.num, product)
        entry.line.next_to(product, DOWN, buff=0.4)
        entry.line.shift(
            RIGHT * (product.result.entries[(0, 0)].get_x() - entry.written.total.get_x())
        )
        top, bottom = formula.get_bottom()[1] - 0.3, CAPTION_TOP + 0.15
        whole = VGroup(product, entry.line)
        whole.scale(min(1.5, CONTENT_WIDTH / whole.width, (top - bottom) / whole.height))
        whole.move_to([0, (top + bottom) / 2, 0])
        columns = self.view.columns
        concat, w_o = (product.right, product.left) if columns else (product.left, product.right)
        entry.boxes = [  # the row and the column that make entry (0, 0), each in its role
            highlight(product.left.row_band(0), ROLE["learned" if columns else "output"]),
            highlight(product.right.col_band(0), ROLE["output" if columns else "learned"]),
        ]
        return Closing(
            formula,
            product,
            self.blocks(concat, self.turned),
            [b for b in self.blocks(w_o, not self.turned) if b is not None],
            entry,
        )

    def closing_picture(self) -> VGroup:
        end = self.closing()
        return VGroup(
            end.formula,
            end.product,
            *(b for b in end.blocks if b is not None),
            *end.w_blocks,
            end.entry.line,
            *end.entry.boxes,
        )

    # -- the slots: one per head, under the formula --------------------------------------------

    def lay_out_slots(self, board: Board) -> tuple[list[TokenGrid], list[VGroup]]:
        """Each head's card (its target), pattern and shape label in a slot of its own at a
        fixed pitch, so that what replaces a pattern stays in its slot; two rows of slots have
        one shape label under both. Returns the patterns and the shape labels."""
        h, rows = len(self.trace.heads), 2 if self.two_rows else 1
        per_row = -(-h // rows)
        gap, row_gap = (0.5, 0.0) if rows == 1 else (0.3, 0.3)
        slot_w = (CONTENT_WIDTH - gap * (per_row - 1)) / per_row
        slot_h = (board.room_h - row_gap * (rows - 1) - (0.0 if rows == 1 else 0.45)) / rows
        header_h = (1.0 if h > 2 else 1.25) if rows == 1 else 0.45
        label_h = 0.55 if rows == 1 else 0.0
        for card in board.cards:
            card.generate_target()
            fit(card.target, slot_w, header_h)
        grids = self.grids(slot_w, slot_h - header_h - 0.25 - label_h)
        labels = (
            [self.shape(("T", "S"), slot_w) for _ in range(h)]
            if rows == 1
            else [self.shape(("T", "S"))]
        )
        bottoms = []
        for i, (card, grid) in enumerate(zip(board.cards, grids, strict=True)):
            row, col = divmod(i, per_row)
            slot = VGroup(card.target, grid, *([labels[i]] if rows == 1 else []))
            slot.arrange(DOWN, buff=0.25)
            slot_top = board.top - row * (slot_h + row_gap)
            slot.set_x((col - (per_row - 1) / 2) * (slot_w + gap)).align_to(UP * slot_top, UP)
            bottoms.append(slot_top - slot_h)
        # the slots, narrower than the room when the width limits them, centred in its height
        slots = VGroup(*(card.target for card in board.cards), *grids)
        if rows == 1:
            slots.add(*labels)
        shift = (board.top + CAPTION_TOP) / 2 - slots.get_y() if rows == 1 else 0.0
        slots.shift(UP * shift)
        if rows > 1:  # the one label, under both rows
            labels[0].next_to(slots, DOWN, buff=0.15)
        board.slot_width, board.slot_bottoms = slot_w, [b + shift for b in bottoms]
        return grids, labels

    def outputs(self, board: Board) -> tuple[list[TraceMatrix], list[VGroup]]:
        """Each head's output and its shape label, fitted into its slot under the head's card."""
        shown = 8 if len(self.trace.heads) <= 2 else 4  # a narrow slot shows fewer of d_v
        outs = [
            TraceMatrix(
                self.num,
                f"heads.{i}.output",
                role="output",
                transpose=self.turned,
                dims=("T", "d_v"),
                max_rows=shown if self.turned else 12,
                max_cols=8 if self.turned else shown,
            )
            for i in range(len(self.trace.heads))
        ]
        labels = []
        for out, card, floor in zip(outs, board.cards, board.slot_bottoms, strict=True):
            label = out.shape_label()
            fit(label, board.slot_width, 0.3 if self.two_rows else 0.5)
            below = card.get_bottom()[1] - 0.2  # the slot under the head's card
            fit(out, board.slot_width - 0.2, below - floor - label.height - 0.25)
            column = VGroup(out, label).arrange(DOWN, buff=0.2).set_x(card.get_x())
            column.set_y((below + floor) / 2)
            labels.append(label)
        return outs, labels

    # -- the inputs and the heads' weights -----------------------------------------------------

    @staticmethod
    def lay_out_inputs_and_weights(board: Board, inputs: VGroup, shapes: VGroup) -> None:
        """X on the left; the heads' cards over the weights' shapes on the right."""
        weights = VGroup(board.cards, shapes).arrange(DOWN, buff=0.35)
        # a few heads' cards grow to fill their side (numbers elsewhere set the scale)
        weights.scale(min(1.4, 7.0 / weights.width, board.room_h / weights.height))
        fit(inputs, 5.0, board.room_h)
        layout = VGroup(inputs, weights).arrange(RIGHT, buff=1.4)
        fit(layout, CONTENT_WIDTH, board.room_h)
        layout.move_to(UP * (board.top - board.room_h / 2))

    def inputs(self) -> tuple[TraceMatrix, VGroup]:
        """X (or I = Xᵀ) with its tokens, name and shape; its columns elided beyond four."""
        turned = self.turned
        x = TraceMatrix(
            self.num,
            "X",
            role="X",
            transpose=turned,
            dims=("T", "d_model"),
            max_rows=4 if turned else 12,
            max_cols=8 if turned else 4,
        )
        labels = x.name_lines()
        body = VGroup(x, labels)
        title = VGroup(
            MathTex(self.view.tex("X"), font_size=LABEL_SIZE * 1.2, color=ROLE["X"]),
            x.shape_label(),
        ).arrange(DOWN, buff=0.12)
        title.next_to(body, UP, buff=0.25).match_x(x)
        return x, VGroup(body, title)

    def cards(self) -> VGroup:
        """Every head's card, in a column (many heads, a pretrained model's twelve: two)."""
        cards = VGroup(*(self.card(i) for i in range(len(self.trace.heads))))
        if self.two_rows:
            cards.arrange_in_grid(cols=2, buff=(0.35, 0.2))
        else:
            cards.arrange(DOWN, buff=0.25)
        return cards

    @staticmethod
    def arrows(x_matrix: TraceMatrix, cards: VGroup) -> VGroup:
        """An arrow from X to every head's card: each head reads the same tokens."""
        return VGroup(
            *(
                Arrow(
                    x_matrix.get_right(),
                    card.get_left(),
                    buff=0.15,
                    stroke_width=3,
                    color=MUTED,
                    max_tip_length_to_length_ratio=0.1,
                )
                for card in cards
            )
        )

    def card(self, i: int) -> VGroup:
        """Head ``i``: its three weight matrices as blocks drawn to their shapes, in a frame of
        its accent. (The numbers of W are the projection scene's; here only who owns which.)"""
        sizes = [self.num.shape(f"heads.{i}.W_{role}") for role in "QKV"]  # (d_model, d_k|d_v)
        unit = 1.0 / max(max(s) for s in sizes)  # the largest side is one unit long
        blocks = VGroup()
        for role, (rows, cols) in zip("QKV", sizes, strict=True):
            if self.turned:
                rows, cols = cols, rows
            rect = Rectangle(width=max(cols * unit, 0.12), height=max(rows * unit, 0.12))
            rect.set_stroke(ROLE["learned"], width=2).set_fill(ROLE["learned"], opacity=0.25)
            name = MathTex(f"W_{role}", font_size=LABEL_SIZE * 0.8, color=ROLE["learned"])
            blocks.add(VGroup(rect, name.next_to(rect, DOWN, buff=0.12)))
        blocks.arrange(RIGHT, buff=0.3, aligned_edge=UP)
        # "head 3": the number --head takes, counted from zero
        title = VGroup(
            MathTex(r"\mathrm{head}", font_size=LABEL_SIZE * 0.9, color=head_colour(i)),
            self.num.value(
                f"heads.{i}.index",
                precision=0,
                coloured=False,
                font_size=LABEL_SIZE * 0.9,
                color=head_colour(i),
            ),
        )
        title.arrange(RIGHT, buff=0.12, aligned_edge=DOWN)
        body = VGroup(title, blocks).arrange(RIGHT, buff=0.35)
        frame = SurroundingRectangle(
            body, buff=0.2, corner_radius=0.12, stroke_width=2.5, color=head_colour(i)
        )
        frame.set_fill(head_colour(i), opacity=0.08)
        return VGroup(frame, body)

    def weight_shapes(self) -> VGroup:
        """``W_Q, W_K, W_V: (d_model × d_k) = (6 × 3)``, W_V on its own line if d_v ≠ d_k."""
        same = self.num.shape("heads.0.W_K") == self.num.shape("heads.0.W_V")
        groups = [("W_Q,\\ W_K,\\ W_V", "d_k")] if same else [("W_Q,\\ W_K", "d_k"), ("W_V", "d_v")]
        lines = VGroup()
        for names, width in groups:
            dims = ("d_model", width)
            lines.add(
                VGroup(
                    MathTex(names + ":", font_size=LABEL_SIZE * 0.8, color=ROLE["learned"]),
                    self.shape(dims),
                ).arrange(RIGHT, buff=0.2)
            )
        return lines.arrange(DOWN, buff=0.15)

    def shape(self, dims: tuple[str, str], width: float | None = None) -> VGroup:
        """The shape label of a trace array with axes ``dims``, as this convention shows it."""
        rows, cols = dims[::-1] if self.turned else dims
        label = shape_label(self.num, rows, cols, DIM_TEX[rows], DIM_TEX[cols])
        return fit(label, width, 0.5) if width else label

    # -- the patterns --------------------------------------------------------------------------

    def grids(self, width: float, height: float) -> list[TokenGrid]:
        """Every head's weights as a heat map fitted to ``width`` x ``height``; with numbers
        only if its cells stay large enough to read them."""

        def build(values: bool) -> list[TokenGrid]:
            grids = [
                TokenGrid(
                    self.num, "weights", i, transpose=self.turned, shade=True, show_values=values
                )
                for i in range(len(self.trace.heads))
            ]
            for g in grids:
                fit(g, width, height)
            return grids

        plain = build(False)
        return build(True) if plain[0].squares[0][0].width >= READABLE_CELL else plain

    # -- the concatenation and W_O -------------------------------------------------------------

    def concat_formula(self) -> VGroup:
        """``MultiHead = Concat(head_0, head_1, …) W_O``, each head in its accent and numbered
        as its card is, from 0 (more than four: the first two, ⋯, the last). The numbers come
        from the trace: each stands where a placeholder of as many letters is written."""
        h = len(self.trace.heads)
        shown = list(range(h)) if h <= 4 else [0, 1, None, h - 1]
        parts, heads = [], {}  # heads: the part index of each numbered head's subscript
        for n, i in enumerate(shown):
            if n:
                parts.append(r",\,")
            if i is None:
                parts.append(r"\dots")
                continue
            width = len(str(i))  # as many placeholder letters as the number has digits
            parts += [r"\mathrm{head}", "_{" + "x" * width + "}"]
            heads[len(parts)] = i  # formula[0] is the opening: part p is formula[p + 1]
        if self.view.columns:
            opening, closing = r"\mathrm{MultiHead} = W_O\,\mathrm{Concat}\big(", r"\big)"
        else:
            opening, closing = r"\mathrm{MultiHead} = \mathrm{Concat}\big(", r"\big)\,W_O"
        bias = [r"+\,b_O"] if self.trace.b_O is not None else []
        formula = MathTex(opening, *parts, closing, *bias, font_size=FORMULA_SIZE)
        formula.to_edge(UP, buff=0.3)
        numbers = VGroup()
        for k, i in heads.items():
            formula[k - 1].set_color(head_colour(i))  # "head", in its accent
            spot = formula[k].set_opacity(0)  # the placeholder, unseen: the number takes it
            number = self.num.value(
                f"heads.{i}.index",
                precision=0,
                coloured=False,
                font_size=FORMULA_SIZE * 0.7,
                color=head_colour(i),
            )
            numbers.add(number.move_to(spot, aligned_edge=DL))
        return VGroup(formula, numbers)

    def product(self) -> MatrixProduct:
        """Concat · W_O = MultiHead (W_O · Concat in columns), under the formula; wide matrices
        elided, the h·d_v lines alike in both factors (a few of every head, when they fit)."""
        turned, view = self.turned, self.view
        # the concatenation's width (shared by W_O), d_model's and the tokens shown: few
        # enough that three matrices side by side keep numbers large enough to read
        inner, outer = 8, 4
        tokens = 6 if turned else 8
        lines = self.head_lines(inner)
        concat = TraceMatrix(
            self.num,
            "concat",
            role="output",
            transpose=turned,
            dims=("T", "hd_v"),
            max_rows=inner if turned else tokens,
            max_cols=tokens if turned else inner,
            **{"rows" if turned else "cols": lines},
        )
        w_o = TraceMatrix(
            self.num,
            "W_O",
            role="learned",
            transpose=turned,
            dims=("hd_v", "d_model"),
            max_rows=outer if turned else inner,
            max_cols=inner if turned else outer,
            **{"cols" if turned else "rows": lines},
        )
        out = TraceMatrix(
            self.num,
            "output",
            role="output",
            transpose=turned,
            dims=("T", "d_model"),
            max_rows=outer if turned else tokens,
            max_cols=tokens if turned else outer,
        )
        product = MatrixProduct.written(
            self.num,
            view,
            concat,
            w_o,
            out,
            (r"\mathrm{Concat}", "W_O", r"\mathrm{MultiHead}"),
            ("output", "learned", "output"),
            tokens=("tokens", concat),
            height=100.0,  # laid out later, as large as the frame allows (closing())
            width=100.0,
        )
        return product

    def blocks(self, matrix: TraceMatrix, rows: bool) -> list[SurroundingRectangle | None]:
        """Each head's block of a matrix with an h·d_v axis (the concatenation's columns,
        W_O's rows; displayed ``rows`` or columns) framed in the head's accent, or None when an
        elided matrix hides all of that head behind the ⋯."""
        d_v, width = self.num.shape("heads.0.output")[1], self.num.shape("concat")[1]
        ids = matrix.row_ids if rows else matrix.col_ids
        bands = matrix.matrix.get_rows() if rows else matrix.matrix.get_columns()
        owners = []  # the head of each displayed line (line k belongs to head k // d_v)
        for pos, k in enumerate(ids):
            if k is not None:
                owners.append(k // d_v)
                continue
            # a ⋯ is its head's when every line it hides is that head's (the next shown line,
            # or the end, still within the block of the last shown one)
            before = next((j for j in reversed(ids[:pos]) if j is not None), None)
            after = next((j for j in ids[pos + 1 :] if j is not None), width)
            owners.append(
                before // d_v
                if before is not None and (after - 1) // d_v == before // d_v
                else None
            )
        frames = []
        for i in range(len(self.trace.heads)):
            mine = [band for band, owner in zip(bands, owners, strict=True) if owner == i]
            frames.append(_tint(VGroup(*mine), head_colour(i)) if mine else None)
        return frames

    def head_lines(self, limit: int) -> list[int | None] | None:
        """The h·d_v lines to show when more than ``limit``: the first few of every head, each
        head's rest behind its own ⋯, so that every head keeps a block. None (the usual
        elision) when they all fit, or when the heads are too many for a block each."""
        h, d_v = len(self.trace.heads), self.num.shape("heads.0.output")[1]
        if h * d_v <= limit or 2 * h > limit:
            return None
        keep = limit // h - 1  # lines per head, leaving room for its ⋯
        return [
            line
            for i in range(h)
            for line in (*range(i * d_v, i * d_v + min(keep, d_v)), *([None] if d_v > keep else []))
        ]

    def slide(self, outs: list[TraceMatrix], concat: TraceMatrix) -> list:
        """Every head-output entry onto its place in the concatenation (column i·d_v + k of
        head i's column k); entries an elision hides fade out, any place left fades in."""
        d_v = self.num.shape("heads.0.output")[1]
        places = {concat.index_of(r, c): m for (r, c), m in concat.entries.items()}
        moves = []
        for i, out in enumerate(outs):
            for (r, c), entry in out.entries.items():
                t, k = out.index_of(r, c)
                place = places.pop((t, i * d_v + k), None)
                moves.append(
                    ReplacementTransform(entry, place) if place is not None else FadeOut(entry)
                )
            moves.append(FadeOut(self.dots(out)))
        if places:
            moves.append(FadeIn(VGroup(*places.values())))
        return moves

    @staticmethod
    def dots(matrix: TraceMatrix) -> VGroup:
        """The ⋯ and ⋮ of an elided matrix (its entries that are not numbers)."""
        numbers = list(matrix.entries.values())
        return VGroup(*(m for m in matrix.matrix.get_entries() if m not in numbers))
