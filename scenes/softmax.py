"""Scene 5 (T7, T8): softmax turns one query's scores into weights, then all queries at once.

First one query, step by step: its scores s_j, their exponentials e^{s_j} drawn as bars (a big
score's bar towers over the rest), their sum, and each exponential divided by that sum: the
weights a_j, bars that all shrink by the same factor and, stacked, fill one bar of length one.
Then every query as the attention matrix, a heat map with each query's sum beside it, and how
to read one query's line. In the column-vector convention one query's weights run down a column
of A′ (keys on the rows). With the ReLU normaliser (seed 001's alternative) there is no
exponential and no division, and the sums are whatever they are.

The sums add the exact values while the cells show them rounded: a sum is written ≈ when its
shown terms do not add up to it (kit relation), and a note beside the formula says why. The line
read at the end is described as the numbers show it: its largest weight, or a tie; with random
(seeded) weights, as an accident of them; only a trained layer's is said to be "attended to"
(reads_pattern).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    GrowFromEdge,
    LaggedStart,
    MathTex,
    Rectangle,
    ReplacementTransform,
    Text,
    TransformFromCopy,
    VGroup,
    VMobject,
    Write,
    config,
)

from qkv import lookup, lookup_array
from scenes.kit.base import LessonScene
from scenes.kit.convention import Convention
from scenes.kit.layout import CONTENT_WIDTH, FRAME_TOP
from scenes.kit.provenance import Numbers, SumSign, TraceNumber, TraceText
from scenes.kit.style import BACKGROUND, FONT, FRAME_LINE, LABEL_SIZE, MUTED, ROLE
from scenes.kit.widgets import (
    TokenGrid,
    fit_in_slots,
    highlight,
    lag_for,
    lagged,
    stagger,
    token_labels,
)

__all__ = ["Softmax"]

# What the lines of the one-query table are called; the formula above them says how they relate.
_LINE_TEX = {"scaled": "s_j", "exp": "e^{s_j}", "weights": "a_j"}
# How much the small table may grow beyond its built size: larger would look empty-handed. The
# heat map, the scene's last picture, may grow more: a sentence of a token or two must still
# fill the frame with it.
MAX_GROWTH = 1.4
MAX_GROWTH_HEAT = 3.0
_STEP_TEX = {
    "softmax": r"a_j = \frac{e^{s_j}}{\sum_k e^{s_k}}",
    "relu": r"a_j = \mathrm{ReLU}(s_j)",
    # large scores (a real model's): the row's largest m taken off first, same weights
    "softmax_shifted": r"a_j = \frac{e^{s_j - m}}{\sum_k e^{s_k - m}}",
}
_SHIFTED_EXP_TEX = "e^{s_j - m}"
# The lines drawn as bars too (the scores stay numbers: the bars are what they become)
_BARRED = ("exp", "weights")


def _cell_number(num: VMobject, width: float) -> VMobject:
    """Shrink a number (never enlarge) to fit a cell of ``width``, as TokenGrid does."""
    return num.scale_to_fit_width(min(num.width, width * 0.88))


@dataclass
class QueryTable:
    """One query's softmax as a small table: a line of cells per step, a slot per key, and
    before each line of exponentials or weights the same values as bars.

    Lines run across (rows convention) or down (columns convention), the way that query's
    weights run in the full matrix. Down a column the cells are wider than tall, so that a
    long sentence's column of numbers stays readable. Bars stand up on their line (rows) or
    grow rightwards from the line before (columns). The exponentials' bars share one scale (the
    largest fills the room); the weights' bars are drawn so that one whole fills the room, and
    stacked in the sum slot they fill it: they add up to one. The weights line takes its
    shading from the heat map's cells, so it looks exactly as the matrix will. Slot ``S``
    holds the sums, each after its = or ≈.
    """

    lines: dict[str, VGroup]  # step -> its cells, each VGroup(frame, value)
    bars: dict[str, VGroup]  # exp, weights -> a bar per key
    stack: VGroup  # the weight bars end to end in the sum slot (softmax only)
    whole_bar: VMobject  # the outline they fill: a bar as long as their sum
    line_labels: VGroup  # s_j, e^{s_j}, a_j: one per line
    key_labels: VGroup  # the key tokens along the first line
    query_label: TraceText  # the query, in the corner
    sigma: MathTex  # Σ over (or left of) the sum slot
    sums: dict[str, TraceNumber]  # step -> its sum at the end of its line (exp, weights)
    signs: dict[str, SumSign]  # step -> the = or ≈ before its sum

    @classmethod
    def build(
        cls,
        numbers: Numbers,
        grid: TokenGrid,
        head: int,
        query: int,
        steps: tuple[str, ...],
        *,
        cell: float = 0.9,
    ) -> QueryTable:
        h, turned = f"heads.{head}", grid.transpose
        trace = numbers.trace
        n_keys = len(trace.key_tokens)
        mask = trace.heads[head].mask
        relu = "exp" not in steps
        shifted = not relu and bool(lookup(trace, f"{h}.exp_shifted"))  # e^{s_j − m}
        # Which way slots (keys) and lines (steps) advance, where their labels sit, and which
        # way a bar grows
        along, across = (DOWN, RIGHT) if turned else (RIGHT, DOWN)
        key_side, line_side = (LEFT, UP) if turned else (UP, LEFT)
        grow = RIGHT if turned else UP
        breadth = cell * (1.6 if turned else 1.0)  # a cell's size across its line
        width, height = (breadth, cell) if turned else (cell, breadth)
        size = 26 * cell / 0.9 * (1.4 if turned else 1.0)  # numbers fill the wider cells
        gap = cell * 0.2
        room = cell * (1.9 if turned else 1.3)  # the longest bar of a line
        # Each line's place across the table: a line drawn as bars leaves their room before it
        offsets = [0.0]
        for step in steps[1:]:
            offsets.append(offsets[-1] + breadth + gap + (room + gap if step in _BARRED else 0))

        def at(line: int, slot: float) -> np.ndarray:
            return along * slot * cell + across * offsets[line]

        def zero(line: int, slot: float) -> np.ndarray:
            """Where the bars of ``line`` start: on its cells (rows), or just past the line
            before it (columns)."""
            if turned:
                return at(line, slot) + LEFT * (breadth / 2 + gap / 2 + room)
            return at(line, slot) + UP * (breadth / 2 + gap / 2)

        def box(line: int, slot: int) -> VMobject:
            if steps[line] == "weights":  # the heat map's own shading for this weight
                frame = grid.cell_at(query, slot)[0].copy()
                frame.stretch_to_fit_width(width).stretch_to_fit_height(height)
            else:
                frame = Rectangle(
                    width=width, height=height, stroke_color=FRAME_LINE, stroke_width=1.5
                )
            return frame.move_to(at(line, slot))

        lines: dict[str, VGroup] = {}
        for k, step in enumerate(steps):
            cells = VGroup()
            for j in range(n_keys):
                if step == "scaled" and mask is not None and mask[query, j]:
                    # the masked score is −∞: no number can show it, the symbol can
                    value: VMobject = MathTex(r"-\infty", font_size=size)
                else:
                    value = numbers.value(
                        f"{h}.{step}", query, j, font_size=size, coloured=step != "weights"
                    )  # as in the heat map
                cells.add(VGroup(box(k, j), _cell_number(value, width).move_to(at(k, j))))
            lines[step] = cells

        # The bars: the exponentials' largest fills the room; a weight of one would fill it
        # (ReLU's weights, not adding to one: their largest does)
        sum_slot = n_keys + 0.45
        bars: dict[str, VGroup] = {}
        stack, whole_bar = VGroup(), VGroup()
        thick = cell * (0.42 if turned else 0.5)
        for k, step in enumerate(steps):
            if step not in _BARRED:
                continue
            row = lookup_array(trace, f"{h}.{step}")[query]
            peak = 1.0 if step == "weights" and not relu else float(row.max())
            unit = room / (peak if peak > 0 else 1.0)
            colour = ROLE["weights"] if step == "weights" else None

            def bar(j: int, step=step, unit=unit, colour=colour):
                return numbers.bar(
                    f"{h}.{step}", query, j, unit=unit, thickness=thick, direction=grow,
                    colour=colour,
                )  # fmt: skip

            bars[step] = VGroup(*(bar(j).on(zero(k, j)) for j in range(n_keys)))
            if step == "weights" and not relu:  # the same bars end to end, in an outline of Σ
                stack = VGroup(*(bar(j) for j in range(n_keys))).arrange(grow, buff=0)
                for piece in stack:  # a thin seam between the pieces
                    piece.set_stroke(BACKGROUND, width=1.5)
                stack.move_to(zero(k, sum_slot), aligned_edge=-grow)
                whole_bar = numbers.bar(
                    f"{h}.weights_sum", query, unit=unit, thickness=thick, direction=grow,
                    colour=ROLE["weights"], opacity=0.0,
                ).on(zero(k, sum_slot))  # fmt: skip
                whole_bar.set_stroke(ROLE["weights"], width=1.5)
        line_labels = VGroup(
            *(
                MathTex(
                    _SHIFTED_EXP_TEX if step == "exp" and shifted else _LINE_TEX[step],
                    font_size=LABEL_SIZE,
                ).next_to(lines[step][0], line_side, buff=0.2)
                for step in steps
            )
        )
        line_labels[-1].set_color(ROLE["weights"])

        # Key tokens along the first line; long words shrink or stagger, not to crowd their
        # neighbours
        key_labels = token_labels(numbers, "key_tokens", ROLE["K"], max_width=2.4)
        staggered = not turned and fit_in_slots(key_labels, cell)
        for j, lab in enumerate(key_labels):
            lab.next_to(lines[steps[0]][j], key_side, buff=0.12)
        if staggered:
            stagger(key_labels, key_side)

        # The query in the corner, up and left of the first cell in either convention
        query_label = numbers.token(query, "tokens", color=ROLE["Q"])
        query_label.next_to(lines[steps[0]][0], UL, buff=0.15)
        first_key = key_labels[0]  # a long first key may reach left of its cell: clear it
        if (
            first_key.get_bottom()[1] < query_label.get_top()[1]
            and first_key.get_top()[1] > query_label.get_bottom()[1]
        ):
            reach = query_label.get_right()[0] - (first_key.get_left()[0] - 0.2)
            query_label.shift(LEFT * max(0.0, reach))

        # The sums: a Σ over (or left of) the sum slot, each sum at the end of its line after
        # its = (≈ when the shown terms do not add up to the shown sum)
        sigma = MathTex(r"\Sigma", font_size=LABEL_SIZE)
        sigma.next_to(at(0, sum_slot) + key_side * breadth / 2, key_side, buff=0.12)
        sums: dict[str, TraceNumber] = {}
        signs: dict[str, SumSign] = {}
        for k, step in enumerate(steps):
            if step in _BARRED:
                total = numbers.value(f"{h}.{step}_sum", query, font_size=size, coloured=False)
                if step == "weights":
                    total.set_color(ROLE["weights"])
                sums[step] = _cell_number(total, width).move_to(at(k, sum_slot))
                signs[step] = numbers.relation(
                    terms=[(f"{h}.{step}", (query, j)) for j in range(n_keys)],
                    total=(f"{h}.{step}_sum", (query,)),
                    font_size=size,
                ).next_to(sums[step], -along, buff=0.1)
        return cls(
            lines, bars, stack, whole_bar, line_labels, key_labels, query_label, sigma, sums,
            signs,
        )  # fmt: skip

    def whole(self) -> VGroup:
        """Every part, as one group to lay out."""
        return VGroup(
            *self.lines.values(),
            *self.bars.values(),
            self.stack,
            self.whole_bar,
            self.line_labels,
            self.key_labels,
            self.query_label,
            self.sigma,
            *self.sums.values(),
            *self.signs.values(),
        )

    def values(self, step: str) -> VGroup:
        """The numbers (or −∞ symbols) of one line, without their frames."""
        return VGroup(*(c[1] for c in self.lines[step]))


@dataclass
class HeatMap:
    """Every query's weights: the heat map with each line's sum after its = or ≈, a Σ heading
    them, and the matrix's formula with the rounding note beside it (the scene's last picture
    without its frames)."""

    grid: TokenGrid
    sums: VGroup  # each query's weight sum at the end of its line
    signs: VGroup  # the = or ≈ before each
    sigma: MathTex  # heading the sums
    matrix: MathTex  # A = softmax(...), over the heat map
    note: Text  # under the formula: the cells are rounded

    def parts(self) -> VGroup:
        return VGroup(self.matrix, self.note, self.grid, self.sums, self.signs, self.sigma)


@dataclass
class Board:
    """What the beats hand on: the query followed, its table under the rule, and the heat map."""

    query: int  # a middle query: under a causal mask it sees some keys and not others
    relu: bool  # the ReLU normaliser: no exponentials, no division
    shifted: bool  # scores so large that the exponentials are e^{s_j − m}
    rule: VMobject  # the rule for one query (with m beside it for shifted exponentials)
    table: QueryTable
    note: Text  # under the rule: Σ adds the exact values, the cells are rounded
    heat: HeatMap

    @property
    def columns(self) -> bool:
        """The column-vector convention: one query's weights run down a column."""
        return self.heat.grid.transpose

    @property
    def others(self) -> list[int]:
        """The queries other than the one followed (none for a one-token sentence)."""
        return [k for k in range(len(self.heat.sums)) if k != self.query]


class Softmax(LessonScene):
    map_step = "softmax"  # lit on the lesson map
    # said in place of the sum's captions: the sum the frame shows
    narration = {
        "exp_sum": {
            "en": "Add the exponentials up: together they make {total}",
            "zh": "把这些指数加起来，一共是 {total}",
            "ru": "Складываем экспоненты: вместе получается {total}",
        },
        "divide": {
            "en": "Divide each by the sum, {total}: every bar shrinks alike, "
            "into the attention weights",
            "zh": "每个都除以这个和 {total}：每根条同样缩小，成为注意力权重",
            "ru": "Делим каждую на сумму, {total}: все столбики сжимаются одинаково — "
            "это веса внимания",
        },
    }
    captions = {
        "intro": {
            "en": "Softmax turns one query's scores into weights: all positive, adding up to one",
            "zh": "softmax 把一个查询的分数变成权重：全部为正，加起来等于一",
            "ru": "Softmax превращает оценки запроса в веса: все положительны, в сумме единица",
        },
        "intro_relu": {
            "en": "Here the normaliser is ReLU, not softmax: no exponentials, no division",
            "zh": "这里的归一化用的是 ReLU，不是 softmax：没有指数，也没有除法",
            "ru": "Здесь нормировка — ReLU, а не softmax: ни экспонент, ни деления",
        },
        "scores": {
            "en": 'The query "{0}": its score against every key',
            "zh": "查询“{0}”：它对每个键的分数",
            "ru": "Запрос «{0}»: его оценка с каждым ключом",
        },
        "exp": {
            "en": "Exponentiate each score: every value turns positive, big scores grow fastest",
            "zh": "对每个分数取指数：每个值都变成正数，大的分数增长得最快",
            "ru": "Берём экспоненту каждой оценки: всё положительно, большие растут быстрее всех",
        },
        "exp_shifted": {
            "en": "These scores are large: take the row's largest off first, then exponentiate",
            "zh": "这些分数很大：先减去这一行最大的分数，再取指数",
            "ru": "Оценки велики: сначала вычитаем наибольшую в строке, потом берём экспоненту",
        },
        "masked": {
            "en": "A masked key scores minus infinity; e to the minus infinity is exactly zero",
            "zh": "被遮蔽的键分数是负无穷，而 e 的负无穷次方正好是零",
            "ru": "Скрытый маской ключ даёт минус бесконечность, а e в этой степени — ровно ноль",
        },
        "exp_sum": {
            "en": "Add the exponentials up",
            "zh": "把这些指数加起来",
            "ru": "Складываем экспоненты",
        },
        "divide": {
            "en": "Divide each by the sum: every bar shrinks alike, into the attention weights",
            "zh": "每个都除以这个和：每根条同样缩小，成为注意力权重",
            "ru": "Делим каждую на сумму: все столбики сжимаются одинаково — это веса внимания",
        },
        "sum_one": {
            "en": 'Stacked, the weights of "{0}" add up to one',
            "zh": "把“{0}”的权重叠起来，加起来等于一",
            "ru": "Сложенные вместе, веса запроса «{0}» дают единицу",
        },
        "relu_step": {
            "en": "ReLU keeps a positive score as it is and turns a negative one into zero",
            "zh": "ReLU 让正的分数保持不变，把负的分数变成零",
            "ru": "ReLU оставляет положительную оценку как есть, а отрицательную делает нулём",
        },
        "masked_relu": {
            "en": "A masked key scores minus infinity, so its weight is zero",
            "zh": "被遮蔽的键分数是负无穷，所以它的权重是零",
            "ru": "Скрытый маской ключ получает минус бесконечность, поэтому его вес — ноль",
        },
        "sum_relu": {
            "en": 'Nothing is divided, so the weights of "{0}" need not add up to one',
            "zh": "没有做除法，所以“{0}”的权重加起来不一定等于一",
            "ru": "Деления нет, поэтому веса запроса «{0}» не обязаны давать в сумме единицу",
        },
        "grid_row": {
            "en": "Every query alike: the attention matrix, a row per query, a column per key",
            "zh": "每个查询都这样算：得到注意力矩阵，每行一个查询，每列一个键",
            "ru": "Так же для каждого запроса: матрица внимания, строка — запрос, столбец — ключ",
        },
        "grid_column": {
            "en": "Every query alike: the attention matrix, a column per query, a row per key",
            "zh": "每个查询都这样算：得到注意力矩阵，每列一个查询，每行一个键",
            "ru": "Так же для каждого запроса: матрица внимания, столбец — запрос, строка — ключ",
        },
        "sums_row": {
            "en": "Every row adds up to one",
            "zh": "每一行加起来都等于一",
            "ru": "Каждая строка в сумме даёт единицу",
        },
        "sums_column": {
            "en": "Every column adds up to one",
            "zh": "每一列加起来都等于一",
            "ru": "Каждый столбец в сумме даёт единицу",
        },
        "sums_relu_row": {
            "en": "With ReLU the rows need not add up to one",
            "zh": "用 ReLU 时，每一行加起来不一定等于一",
            "ru": "С ReLU строки не обязаны давать в сумме единицу",
        },
        "sums_relu_column": {
            "en": "With ReLU the columns need not add up to one",
            "zh": "用 ReLU 时，每一列加起来不一定等于一",
            "ru": "С ReLU столбцы не обязаны давать в сумме единицу",
        },
        "read_row": {
            "en": "Read one row: the brighter a cell, the more that query looks at that key",
            "zh": "读一行：格子越亮，这个查询就越关注那个键",
            "ru": "Читаем строку: чем ярче клетка, тем больше запрос смотрит на этот ключ",
        },
        "read_column": {
            "en": "Read one column: the brighter a cell, the more that query looks at that key",
            "zh": "读一列：格子越亮，这个查询就越关注那个键",
            "ru": "Читаем столбец: чем ярче клетка, тем больше запрос смотрит на этот ключ",
        },
        "focus": {  # a trained layer only (reads_pattern)
            "en": '"{0}" attends most to "{1}"',
            "zh": "“{0}”最关注“{1}”",
            "ru": "«{0}» больше всего внимания уделяет «{1}»",
        },
        "focus_random": {
            "en": 'The largest weight of "{0}" falls on "{1}" by chance: the weights are random',
            "zh": "“{0}”最大的权重落在“{1}”上，只是偶然：权重是随机的",
            "ru": "Наибольший вес «{0}» пришёлся на «{1}» случайно: веса здесь случайные",
        },
        "focus_tie": {
            "en": 'The largest weights of "{0}" tie: the framed keys show the same number',
            "zh": "“{0}”最大的几个权重并列：框出的键显示同一个数",
            "ru": "Наибольшие веса «{0}» равны: у выделенных ключей одно и то же число",
        },
    }
    # "X attends most to Y" describes what a pattern does: never said of random weights
    reads_pattern = frozenset({"focus"})
    # Under the sums: they add the exact values, the cells show them rounded (so the shown
    # cells may add up to a last digit more or less than the shown sum).
    notes = {
        "rounded": {
            "en": "Σ adds the exact\nvalues; the numbers\nshown are rounded",
            "zh": "Σ 是精确值之和；\n显示的每个数\n都已四舍五入",
            "ru": "Σ складывает\nточные значения;\nчисла округлены",
        },
    }

    def construct(self) -> None:
        board = self.set_the_board()
        self.show_one_querys_scores(board)
        if board.relu:
            self.apply_relu_to_each_score(board)
            self.frame_the_masked_keys(board)
        else:
            self.exponentiate_each_score(board)
            self.frame_the_masked_keys(board)
            self.add_up_the_exponentials(board)
            self.divide_each_by_the_sum(board)
        self.add_up_the_weights(board)
        self.do_every_query_at_once(board)
        self.add_up_every_querys_weights(board)
        self.read_one_querys_line(board)
        self.end_on(self.closing_picture())

    def beat(
        self, *animations, caption: str, refs=(), numbers=None, run_time: float | None = None
    ) -> None:
        """The caption before has been read; the picture changes; then its caption comes, so
        a caption always describes what is on screen."""
        self.hold()
        self.play(*animations, **({} if run_time is None else {"run_time": run_time}))
        self.say(caption, *refs, numbers=numbers)

    def set_the_board(self) -> Board:
        """Build (show nothing): the heat map first, as the one-query table borrows its shaded
        cells; the table under its rule."""
        h = f"heads.{self.head}"
        relu = self.trace.config["normaliser"] == "relu"
        i = (len(self.trace.tokens) - 1) // 2  # a middle query
        heat = self.heat_map()
        steps = ("scaled", "weights") if relu else ("scaled", "exp", "weights")
        table = QueryTable.build(self.num, heat.grid, self.head, i, steps)

        # The rule for one query, above (or beside) its table
        shifted = not relu and bool(lookup(self.trace, f"{h}.exp_shifted"))
        rule = MathTex(
            _STEP_TEX["relu" if relu else "softmax_shifted" if shifted else "softmax"],
            font_size=LABEL_SIZE * 1.2,
        )
        if shifted:  # m = max_k s_k = 16.10, under the rule (a narrow column beside the table)
            m = VGroup(
                MathTex(r"m = \max_k s_k =", font_size=LABEL_SIZE),
                self.num.value(f"{h}.exp_shift", i, font_size=LABEL_SIZE, coloured=False),
            ).arrange(RIGHT, buff=0.2)
            rule = VGroup(rule, m).arrange(DOWN, buff=0.35)
        note = self.rounding_note()
        self.place(rule, note, table.whole())
        return Board(i, relu, shifted, rule, table, note, heat)

    def heat_map(self) -> HeatMap:
        """The heat map of every query's weights with its sums, laid out as the scene shows it
        from the every-query beat to its end."""
        view = Convention.of(self.trace)
        grid = TokenGrid(self.num, "weights", self.head, transpose=view.turned(), shade=True)
        sums, signs, sigma = self.line_sums(grid)
        matrix = MathTex(view.tex("weights"), font_size=LABEL_SIZE * 1.1)
        note = self.rounding_note()
        self.place(matrix, note, VGroup(grid, sums, signs, sigma), growth=MAX_GROWTH_HEAT)
        return HeatMap(grid, sums, signs, sigma, matrix, note)

    def closing_picture(self) -> VGroup:
        """The heat map with its sums, the followed line framed and its largest weight(s)."""
        heat = self.heat_map()
        line_box, key_boxes = self.focus_frames(heat.grid)
        picture = VGroup(heat.parts(), line_box, *key_boxes)
        picture.grid = heat.grid  # the next scene (WeightedSum) keeps the framed line's cells
        return picture

    # -- one query --------------------------------------------------------------------------

    def show_one_querys_scores(self, board: Board) -> None:
        """The rule, and one query's scores against every key (the picture before fades)."""
        table = board.table
        self.play(
            Write(board.rule),
            FadeIn(table.query_label),
            FadeIn(table.key_labels),
            FadeIn(table.line_labels[0]),
            lagged(table.lines["scaled"]),
            run_time=1.5,
        )
        self.say("intro_relu" if board.relu else "intro")
        self.say("scores", ("tokens", board.query))

    def write_line(self, board: Board, label: int, step: str, **beat) -> None:
        """A new line of the table: its label, its numbers and their bars, with a caption."""
        t = board.table
        self.beat(
            FadeIn(t.line_labels[label]),
            self.appear(t.lines[step]),
            self.grow_bars(t.bars[step]),
            **beat,
        )

    def apply_relu_to_each_score(self, board: Board) -> None:
        """ReLU: each weight straight from its score, nothing else; its bar beside it."""
        self.write_line(board, 1, "weights", caption="relu_step")

    def exponentiate_each_score(self, board: Board) -> None:
        """Each score's exponential (of the score less the line's largest, if scores are large),
        as a number and as a bar."""
        self.write_line(board, 1, "exp", caption="exp_shifted" if board.shifted else "exp")

    def frame_the_masked_keys(self, board: Board) -> None:
        """Under a mask, frame the query's hidden keys: −∞ above, exactly zero below."""
        mask = self.trace.heads[self.head].mask
        i = board.query
        if mask is None or not mask[i].any():
            return
        # one frame round the hidden cells of both lines (a causal mask hides the later keys)
        steps = ("scaled", "weights") if board.relu else ("scaled", "exp")
        hidden = VGroup(
            *(
                board.table.lines[step][j]
                for step in steps
                for j in range(len(self.trace.key_tokens))
                if mask[i, j]
            )
        )
        frame = highlight(hidden, MUTED)
        self.beat(Create(frame), caption="masked_relu" if board.relu else "masked")
        self.hold()
        self.play(FadeOut(frame), run_time=0.5)

    def add_up_the_exponentials(self, board: Board) -> None:
        """The exponentials' sum, under a Σ, after its = or ≈."""
        t = board.table
        self.beat(
            FadeIn(t.sigma),
            FadeIn(board.note),
            FadeIn(t.signs["exp"]),
            FadeIn(t.sums["exp"], shift=0.3 * (UP if board.columns else LEFT)),
            caption="exp_sum",
            numbers={"total": self.exp_sum(board)},
            run_time=1.0,
        )

    def divide_each_by_the_sum(self, board: Board) -> None:
        """Each exponential divided by the sum: the weights, whose bars are the exponentials'
        bars all shrunk by one factor."""
        numbers = {"total": self.exp_sum(board)}
        self.write_line(board, 2, "weights", caption="divide", numbers=numbers, run_time=1.8)

    def exp_sum(self, board: Board) -> tuple[str, tuple[int]]:
        """Where the sum of the followed query's exponentials is (the table shows it)."""
        return f"heads.{self.head}.exp_sum", (board.query,)

    def add_up_the_weights(self, board: Board) -> None:
        """This query's weights add up to one: stacked, their bars fill a bar of length one
        (with ReLU, they add up to whatever they add up to)."""
        t = board.table
        stacking = [
            TransformFromCopy(b, s)
            for b, s in zip(t.bars["weights"], t.stack, strict=False)  # ReLU: no stack
        ]
        self.beat(
            # softmax showed Σ (and its note) with the exponentials' sum
            *([FadeIn(t.sigma), FadeIn(board.note)] if board.relu else [Create(t.whole_bar)]),
            *([LaggedStart(*stacking, lag_ratio=lag_for(len(stacking)))] if stacking else []),
            FadeIn(t.signs["weights"]),
            FadeIn(t.sums["weights"], shift=0.3 * (UP if board.columns else LEFT)),
            caption="sum_relu" if board.relu else "sum_one",
            refs=[("tokens", board.query)],
            run_time=1.5,
        )

    # -- every query ------------------------------------------------------------------------

    def do_every_query_at_once(self, board: Board) -> None:
        """The table's weights become their line of the heat map; the other lines join them."""
        t, heat, i = board.table, board.heat, board.query
        grid = heat.grid
        leaving = VGroup(
            *(line for step, line in t.lines.items() if step != "weights"),
            *t.bars.values(),
            t.stack,
            t.whole_bar,
            t.line_labels,
            t.sigma,
            *(s for step, s in t.sums.items() if step != "weights"),
            *(s for step, s in t.signs.items() if step != "weights"),
        )
        self.hold()
        self.play(FadeOut(leaving), run_time=0.6)
        self.beat(
            *(
                ReplacementTransform(c, grid.cell_at(i, j))
                for j, c in enumerate(t.lines["weights"])
            ),
            ReplacementTransform(t.sums["weights"], heat.sums[i]),
            ReplacementTransform(t.signs["weights"], heat.signs[i]),
            ReplacementTransform(t.key_labels, self.grid_key_labels(grid)),
            ReplacementTransform(t.query_label, grid.query_label(i)),
            FadeTransform(board.rule, heat.matrix),
            ReplacementTransform(board.note, heat.note),
            caption="grid_column" if board.columns else "grid_row",
            run_time=1.5,
        )
        if board.others:
            self.play(
                FadeIn(self.other_labels(grid, i)),
                lagged([grid.query_line(k) for k in board.others]),
                run_time=min(2.5, 0.3 * len(self.trace.tokens) + 0.8),
            )

    def add_up_every_querys_weights(self, board: Board) -> None:
        """Each query's weights add up to one (or, with ReLU, to anything)."""
        heat = board.heat
        if board.relu:
            caption = "sums_relu_column" if board.columns else "sums_relu_row"
        else:
            caption = "sums_column" if board.columns else "sums_row"
        others = [VGroup(heat.signs[k], heat.sums[k]) for k in board.others]
        self.beat(
            FadeIn(heat.sigma),
            *([lagged(others)] if others else []),
            caption=caption,
            run_time=min(2.0, 0.2 * len(self.trace.tokens) + 0.6),
        )

    def read_one_querys_line(self, board: Board) -> None:
        """How to read one query's line: its brightest cell is its largest weight (random
        weights: by chance; a tie: the framed keys show the same number)."""
        focus = self.decided_query()
        top = int(lookup(self.trace, f"heads.{self.head}.top_key", (focus,)))
        line_box, key_boxes = self.focus_frames(board.heat.grid)
        self.beat(Create(line_box), caption="read_column" if board.columns else "read_row")
        if len(key_boxes) > 1:
            caption, refs = "focus_tie", [("tokens", focus)]
        elif self.random_weights:
            caption, refs = "focus_random", [("tokens", focus), ("key_tokens", top)]
        else:
            caption, refs = "focus", [("tokens", focus), ("key_tokens", top)]
        self.beat(*(Create(b) for b in key_boxes), caption=caption, refs=refs)

    def focus_frames(self, grid: TokenGrid) -> tuple[VMobject, list[VMobject]]:
        """A frame round the decided query's line and one round each cell that shows its
        largest weight (several for a tie, all staying to the end together)."""
        focus = self.decided_query()
        top = int(lookup(self.trace, f"heads.{self.head}.top_key", (focus,)))
        tops = grid.shown_alike(focus, top)
        line_box = highlight(VGroup(grid.query_line(focus), grid.query_label(focus)), ROLE["Q"])
        key_boxes = [
            highlight(grid.cell_at(focus, k), ROLE["K"], buff=0.0, stays=len(tops) > 1)
            for k in tops
        ]
        return line_box, key_boxes

    def rounding_note(self) -> Text:
        """Σ adds the exact values; the cells show them rounded (three short lines)."""
        note = self.notes["rounded"][self.language]
        return Text(note, font=FONT, font_size=LABEL_SIZE * 0.6, color=MUTED, line_spacing=0.8)

    # -- layout -----------------------------------------------------------------------------

    @staticmethod
    def place(formula: VMobject, note: Text, block: VMobject, growth: float = MAX_GROWTH) -> None:
        """The formula above the block or beside it, whichever leaves the block larger; the
        block resized to fit (a short sentence grows a little) and centred in the space above
        the caption. Beside, the formula stands level with the block's top (where reading
        starts) and the note level with its foot; above, the note follows the formula."""
        width, height = CONTENT_WIDTH, config.frame_height - 1.55
        gap = 0.5

        def fits() -> tuple[float, float]:  # the block's scale above, and beside
            heading = VGroup(formula.copy(), note.copy()).arrange(RIGHT, buff=gap)
            above = min(width / block.width, (height - heading.height - gap) / block.height)
            beside = min(
                (width - max(formula.width, note.width) - gap) / block.width, height / block.height
            )
            return above, beside

        above, beside = fits()
        side = beside > above * 1.15  # above reads first; beside only when it pays clearly
        # a block that grows much (a token or two) takes its formula along, a little
        formula.scale(min(max(min(growth, max(above, beside)) / MAX_GROWTH, 1.0), 1.5))
        block.scale(min(growth, fits()[1 if side else 0]))
        margin = max(formula.width, note.width)  # what stands beside the block
        middle = UP * (FRAME_TOP - 0.45 - height / 2)
        if side:
            block.move_to(middle + RIGHT * (margin + gap) / 2)
            column = block.get_left() + LEFT * (gap + margin / 2)
            formula.move_to(column).align_to(block, UP)
            note.move_to(column).align_to(block, DOWN)
        else:
            top = VGroup(formula, note).arrange(RIGHT, buff=gap)
            VGroup(top, block).arrange(DOWN, buff=gap).move_to(middle)

    def line_sums(self, grid: TokenGrid) -> tuple[VGroup, VGroup, MathTex]:
        """Each query's weight sum at the end of its line (right of a row, under a column)
        after its = or ≈, and a Σ heading them."""
        h, S = f"heads.{self.head}", len(self.trace.key_tokens)
        end, cell = (DOWN if grid.transpose else RIGHT), grid.cell_at(0, 0)[0].width
        size = 26 * cell / 0.9
        sums, signs = VGroup(), VGroup()
        for k in range(len(self.trace.tokens)):
            sign = self.num.relation(
                terms=[(f"{h}.weights", (k, j)) for j in range(S)],
                total=(f"{h}.weights_sum", (k,)),
                font_size=size,
            ).next_to(grid.cell_at(k, S - 1), end, buff=0.12)
            total = self.num.value(
                f"{h}.weights_sum", k, font_size=size, coloured=False, color=ROLE["weights"]
            )
            signs.add(sign)
            sums.add(_cell_number(total, cell).next_to(sign, end, buff=0.1))
        # Σ sits where the key labels are, in line with the sums
        sigma = MathTex(r"\Sigma", font_size=LABEL_SIZE)
        if grid.transpose:
            sigma.match_y(sums).match_x(grid.row_labels)
        else:
            sigma.match_x(sums).match_y(grid.col_labels)
        return sums, signs, sigma

    @staticmethod
    def grid_key_labels(grid: TokenGrid) -> VGroup:
        """The heat map's key tokens: along the top, or down the left when turned."""
        return grid.row_labels if grid.transpose else grid.col_labels

    @staticmethod
    def other_labels(grid: TokenGrid, i: int) -> VGroup:
        """The query labels not yet on screen (query ``i`` came from the table)."""
        labels = grid.col_labels if grid.transpose else grid.row_labels
        return VGroup(*(lab for k, lab in enumerate(labels) if k != i))

    def decided_query(self) -> int:
        """The query to follow (qkv/derived.py: the most decided; the last under a mask)."""
        return int(lookup(self.trace, f"heads.{self.head}.focus_query"))

    # -- animation helpers ------------------------------------------------------------------

    @staticmethod
    def appear(cells: VGroup) -> LaggedStart:
        """The cells of a new line, one after another, each in its own slot (a new number
        fades in beside the old: one number never morphs into another)."""
        return LaggedStart(
            *(FadeIn(c, shift=0.15 * DOWN) for c in cells), lag_ratio=lag_for(len(cells)),
            run_time=1.5,
        )  # fmt: skip

    @staticmethod
    def grow_bars(bars: VGroup) -> LaggedStart:
        """Each bar growing from its start, one after another."""
        return LaggedStart(
            *(GrowFromEdge(b, -b.direction) for b in bars), lag_ratio=lag_for(len(bars)),
            run_time=1.5,
        )  # fmt: skip
