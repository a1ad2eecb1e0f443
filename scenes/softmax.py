"""Scene 5 (T7, T8): softmax turns one query's scores into weights, then all queries at once.

First one query, step by step: its scores s_j, their exponentials e^{s_j}, their sum, and each
exponential divided by that sum, the weights a_j, which add up to one. Then every query as the
attention matrix, a heat map with each query's sum beside it, and how to read one query's line.
In the column-vector convention one query's weights run down a column of A′ (keys on the rows).
With the ReLU normaliser (seed 001's alternative) there is no exponential and no division, and
the sums are whatever they are.

The sums add the exact values while the cells show them rounded, so a note beside the formula
says so (the shown cells may add up to a last digit more or less). The line read at the end is
described as the numbers show it: its largest weight, or a tie; with random (seeded) weights,
as an accident of them; only a trained layer's is said to be "attended to" (reads_pattern).
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

from qkv import lookup
from scenes.kit.base import LessonScene
from scenes.kit.convention import Convention
from scenes.kit.layout import CONTENT_WIDTH, FRAME_TOP
from scenes.kit.provenance import Numbers, TraceNumber, TraceText
from scenes.kit.style import FONT, FRAME_LINE, LABEL_SIZE, MUTED, ROLE
from scenes.kit.widgets import TokenGrid, highlight, lag_for, lagged, token_labels, turn_if_crowded

__all__ = ["Softmax"]

# Reading pace (the project's rule): a caption stays up 2 s at least, and at most 15
# characters a second are asked of the viewer (8 in Chinese).

# What the lines of the one-query table are called; the formula above them says how they relate.
_LINE_TEX = {"scaled": "s_j", "exp": "e^{s_j}", "weights": "a_j"}
# How much a small table or grid may grow beyond its built size: larger would look empty-handed.
MAX_GROWTH = 1.4
_STEP_TEX = {
    "softmax": r"a_j = \frac{e^{s_j}}{\sum_k e^{s_k}}",
    "relu": r"a_j = \mathrm{ReLU}(s_j)",
    # large scores (a real model's): the row's largest m taken off first, same weights
    "softmax_shifted": r"a_j = \frac{e^{s_j - m}}{\sum_k e^{s_k - m}}",
}
_SHIFTED_EXP_TEX = "e^{s_j - m}"


def _cell_number(num: VMobject, width: float) -> VMobject:
    """Shrink a number (never enlarge) to fit a cell of ``width``, as TokenGrid does."""
    return num.scale_to_fit_width(min(num.width, width * 0.88))


@dataclass
class QueryTable:
    """One query's softmax as a small table: a line of cells per step, a slot per key.

    Lines run across (rows convention) or down (columns convention), the way that query's
    weights run in the full matrix. Down a column the cells are wider than tall, so that a
    long sentence's column of numbers stays readable. The weights line takes its shading from
    the heat map's cells, so it looks exactly as the matrix will. Slot ``S`` holds the sums.
    """

    lines: dict[str, VGroup]  # step -> its cells, each VGroup(frame, value)
    line_labels: VGroup  # s_j, e^{s_j}, a_j: one per line
    key_labels: VGroup  # the key tokens along the first line
    query_label: TraceText  # the query, in the corner
    sigma: MathTex  # Σ over (or left of) the sum slot
    sums: dict[str, TraceNumber]  # step -> its sum at the end of its line (exp, weights)

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
        shifted = "exp" in steps and bool(lookup(trace, f"{h}.exp_shifted"))  # e^{s_j − m}
        # Which way slots (keys) and lines (steps) advance, and where their labels sit
        along, across = (DOWN, RIGHT) if turned else (RIGHT, DOWN)
        key_side, line_side = (LEFT, UP) if turned else (UP, LEFT)
        breadth = cell * (1.6 if turned else 1.0)  # a cell's size across its line
        width, height = (breadth, cell) if turned else (cell, breadth)
        size = 26 * cell / 0.9 * (1.4 if turned else 1.0)  # numbers fill the wider cells
        pitch = breadth + cell * 0.6  # lines stand apart so each step reads on its own

        def at(line: int, slot: float) -> np.ndarray:
            return along * slot * cell + across * line * pitch

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

        # Key tokens along the first line; long words turn so as not to crowd their neighbours
        key_labels = token_labels(numbers, "key_tokens", ROLE["K"], max_width=2.4)
        if not turned:
            turn_if_crowded(key_labels, cell)
        for j, lab in enumerate(key_labels):
            lab.next_to(lines[steps[0]][j], key_side, buff=0.12)

        # The query in the corner, up and left of the first cell in either convention
        query_label = numbers.token(query, "tokens", color=ROLE["Q"])
        query_label.next_to(lines[steps[0]][0], UL, buff=0.15)

        # The sums: a Σ over (or left of) the sum slot, each sum at the end of its line
        sum_slot = n_keys + 0.3
        sigma = MathTex(r"\Sigma", font_size=LABEL_SIZE)
        sigma.next_to(at(0, sum_slot) + key_side * breadth / 2, key_side, buff=0.12)
        sums: dict[str, TraceNumber] = {}
        for k, step in enumerate(steps):
            if step in ("exp", "weights"):
                total = numbers.value(f"{h}.{step}_sum", query, font_size=size, coloured=False)
                if step == "weights":
                    total.set_color(ROLE["weights"])
                sums[step] = _cell_number(total, width).move_to(at(k, sum_slot))
        return cls(lines, line_labels, key_labels, query_label, sigma, sums)

    def whole(self) -> VGroup:
        """Every part, as one group to lay out."""
        return VGroup(
            *self.lines.values(),
            self.line_labels,
            self.key_labels,
            self.query_label,
            self.sigma,
            *self.sums.values(),
        )

    def values(self, step: str) -> VGroup:
        """The numbers (or −∞ symbols) of one line, without their frames."""
        return VGroup(*(c[1] for c in self.lines[step]))


@dataclass
class Board:
    """What the beats hand on: the query followed, its table under the rule, and the heat map
    (every query) with each line's sum, a Σ and the matrix's formula."""

    query: int  # a middle query: under a causal mask it sees some keys and not others
    relu: bool  # the ReLU normaliser: no exponentials, no division
    shifted: bool  # scores so large that the exponentials are e^{s_j − m}
    rule: VMobject  # the rule for one query (with m beside it for shifted exponentials)
    table: QueryTable
    grid: TokenGrid
    sums: VGroup  # each query's weight sum at the end of its line
    sigma: MathTex  # heading the sums
    matrix: MathTex  # A = softmax(...), over the heat map
    note: Text  # under the rule: Σ adds the exact values, the cells are rounded
    grid_note: Text  # the same note, under the matrix's formula

    @property
    def columns(self) -> bool:
        """The column-vector convention: one query's weights run down a column."""
        return self.grid.transpose

    @property
    def others(self) -> list[int]:
        """The queries other than the one followed (none for a one-token sentence)."""
        return [k for k in range(len(self.sums)) if k != self.query]


class Softmax(LessonScene):
    map_step = "softmax"  # lit on the lesson map
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
            "en": "Divide each by the sum: these are the attention weights",
            "zh": "每个都除以这个和：这就是注意力权重",
            "ru": "Делим каждую на сумму: это и есть веса внимания",
        },
        "sum_one": {
            "en": 'The weights of "{0}" add up to exactly one',
            "zh": "“{0}”的权重加起来正好等于一",
            "ru": "Веса запроса «{0}» в сумме дают ровно единицу",
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
        self.write_the_rule(board)
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

    def set_the_board(self) -> Board:
        """Build (show nothing): the heat map first, as the one-query table borrows its shaded
        cells; the table under its rule; the heat map's sums and formula."""
        view = Convention.of(self.trace)
        h = f"heads.{self.head}"
        relu = self.trace.config["normaliser"] == "relu"
        i = (len(self.trace.tokens) - 1) // 2  # a middle query
        grid = TokenGrid(self.num, "weights", self.head, transpose=view.turned(), shade=True)
        steps = ("scaled", "weights") if relu else ("scaled", "exp", "weights")
        table = QueryTable.build(self.num, grid, self.head, i, steps)

        # The rule for one query, above (or beside) its table
        shifted = not relu and bool(lookup(self.trace, f"{h}.exp_shifted"))
        rule = MathTex(
            _STEP_TEX["relu" if relu else "softmax_shifted" if shifted else "softmax"],
            font_size=LABEL_SIZE * 1.2,
        )
        if shifted:  # m = max_k s_k = 16.10, beside the rule
            rule = VGroup(
                rule,
                MathTex(r"m = \max_k s_k =", font_size=LABEL_SIZE),
                self.num.value(f"{h}.exp_shift", i, font_size=LABEL_SIZE, coloured=False),
            ).arrange(RIGHT, buff=0.25)
        note, grid_note = self.rounding_note(), self.rounding_note()
        self.place(VGroup(rule, note).arrange(DOWN, buff=0.45), table.whole())
        sums, sigma = self.line_sums(grid)
        matrix = MathTex(view.tex("weights"), font_size=LABEL_SIZE * 1.1)
        return Board(i, relu, shifted, rule, table, grid, sums, sigma, matrix, note, grid_note)

    # -- one query --------------------------------------------------------------------------

    def write_the_rule(self, board: Board) -> None:
        """How one query's weights come from its scores."""
        self.play(Write(board.rule))
        self.say("intro_relu" if board.relu else "intro")
        self.wait(0.8)

    def show_one_querys_scores(self, board: Board) -> None:
        """One query's scores against every key."""
        table = board.table
        self.say("scores", ("tokens", board.query))
        self.play(FadeIn(table.query_label), FadeIn(table.key_labels), run_time=0.8)
        self.play(FadeIn(table.line_labels[0]), lagged(table.lines["scaled"]))
        self.wait(0.8)

    def apply_relu_to_each_score(self, board: Board) -> None:
        """ReLU: each weight straight from its score, nothing else."""
        self.say("relu_step")
        self.play(FadeIn(board.table.line_labels[1]), self.grow("scaled", "weights", board.table))
        self.wait(1.2)

    def exponentiate_each_score(self, board: Board) -> None:
        """Each score's exponential (of the score less the line's largest, if scores are large)."""
        self.say("exp_shifted" if board.shifted else "exp")
        self.play(FadeIn(board.table.line_labels[1]), self.grow("scaled", "exp", board.table))
        self.wait(1.2)

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
        self.say("masked_relu" if board.relu else "masked")
        self.play(Create(frame))
        self.wait(1.2)
        self.play(FadeOut(frame))

    def add_up_the_exponentials(self, board: Board) -> None:
        """The exponentials' sum, under a Σ."""
        table = board.table
        self.say("exp_sum")
        self.play(
            FadeIn(table.sigma),
            FadeIn(board.note),
            TransformFromCopy(table.values("exp"), table.sums["exp"]),
            run_time=1.2,
        )
        self.wait(0.6)

    def divide_each_by_the_sum(self, board: Board) -> None:
        """Each exponential divided by the sum: the weights."""
        table = board.table
        self.say("divide")
        divisions = [
            TransformFromCopy(VGroup(e, table.sums["exp"]), w)
            for e, w in zip(table.values("exp"), table.lines["weights"], strict=True)
        ]
        self.play(
            FadeIn(table.line_labels[2]),
            LaggedStart(*divisions, lag_ratio=lag_for(len(divisions))),
            run_time=1.8,
        )
        self.wait(1.0)

    def add_up_the_weights(self, board: Board) -> None:
        """This query's weights add up to one (with ReLU, to whatever they add up to)."""
        table = board.table
        self.say("sum_relu" if board.relu else "sum_one", ("tokens", board.query))
        self.play(
            # softmax showed Σ (and its note) with the exponentials' sum
            *([FadeIn(table.sigma), FadeIn(board.note)] if board.relu else []),
            TransformFromCopy(table.values("weights"), table.sums["weights"]),
            run_time=1.0,
        )
        self.wait(1.5)

    # -- every query ------------------------------------------------------------------------

    def do_every_query_at_once(self, board: Board) -> None:
        """The table's weights become their line of the heat map; the other lines join them."""
        table, grid, i = board.table, board.grid, board.query
        self.place(
            VGroup(board.matrix, board.grid_note).arrange(DOWN, buff=0.45),
            VGroup(grid, board.sums, board.sigma),
        )
        leaving = [line for step, line in table.lines.items() if step != "weights"]
        self.play(
            FadeOut(
                VGroup(
                    *leaving,
                    table.line_labels,
                    table.sigma,
                    *(s for step, s in table.sums.items() if step != "weights"),
                )
            ),
            *(
                ReplacementTransform(c, grid.cell_at(i, j))
                for j, c in enumerate(table.lines["weights"])
            ),
            ReplacementTransform(table.sums["weights"], board.sums[i]),
            ReplacementTransform(table.key_labels, self.grid_key_labels(grid)),
            ReplacementTransform(table.query_label, grid.query_label(i)),
            FadeTransform(board.rule, board.matrix),
            ReplacementTransform(board.note, board.grid_note),
            run_time=1.5,
        )
        self.say("grid_column" if board.columns else "grid_row")
        if board.others:
            self.play(
                FadeIn(self.other_labels(grid, i)),
                lagged([grid.query_line(k) for k in board.others]),
                run_time=min(2.5, 0.3 * len(self.trace.tokens) + 0.8),
            )
        self.wait(1.2)

    def add_up_every_querys_weights(self, board: Board) -> None:
        """Each query's weights add up to one (or, with ReLU, to anything)."""
        if board.relu:
            self.say("sums_relu_column" if board.columns else "sums_relu_row")
        else:
            self.say("sums_column" if board.columns else "sums_row")
        self.play(
            FadeIn(board.sigma),
            *([lagged([board.sums[k] for k in board.others])] if board.others else []),
            run_time=min(2.0, 0.2 * len(self.trace.tokens) + 0.6),
        )
        self.wait(1.5)

    def read_one_querys_line(self, board: Board) -> None:
        """How to read one query's line: its brightest cell is its largest weight (random
        weights: by chance; a tie: the framed keys show the same number)."""
        grid = board.grid
        focus = self.decided_query()
        top = int(lookup(self.trace, f"heads.{self.head}.top_key", (focus,)))
        tops = grid.shown_alike(focus, top)
        self.say("read_column" if board.columns else "read_row")
        line_box = highlight(VGroup(grid.query_line(focus), grid.query_label(focus)), ROLE["Q"])
        self.play(Create(line_box))
        self.hold()
        key_boxes = [
            *(highlight(grid.cell_at(focus, k), ROLE["K"]) for k in tops),
            *(highlight(grid.key_label(k), ROLE["K"]) for k in tops),
        ]
        self.play(*(Create(b) for b in key_boxes))
        if len(tops) > 1:
            self.say("focus_tie", ("tokens", focus))
        elif self.random_weights:
            self.say("focus_random", ("tokens", focus), ("key_tokens", top))
        else:
            self.say("focus", ("tokens", focus), ("key_tokens", top))
        self.hold()

    def rounding_note(self) -> Text:
        """Σ adds the exact values; the cells show them rounded (three short lines)."""
        note = self.notes["rounded"][self.language]
        return Text(note, font=FONT, font_size=LABEL_SIZE * 0.6, color=MUTED, line_spacing=0.8)

    # -- layout -----------------------------------------------------------------------------

    @staticmethod
    def place(formula: MathTex, block: VMobject) -> None:
        """The formula above the block or beside it, whichever leaves the block larger; the
        block resized to fit (a short sentence grows a little) and both centred in the space
        above the caption."""
        width, height = CONTENT_WIDTH, config.frame_height - 1.55
        gap = 0.5
        above = min(width / block.width, (height - formula.height - gap) / block.height)
        beside = min((width - formula.width - gap) / block.width, height / block.height)
        side = beside > above * 1.15  # above reads first; beside only when it pays clearly
        block.scale(min(MAX_GROWTH, beside if side else above))
        group = VGroup(formula, block).arrange(RIGHT if side else DOWN, buff=gap)
        top = FRAME_TOP - 0.45
        group.move_to(UP * (top - height / 2))

    def line_sums(self, grid: TokenGrid) -> tuple[VGroup, MathTex]:
        """Each query's weight sum at the end of its line (right of a row, under a column),
        and a Σ heading them."""
        h, S = f"heads.{self.head}", len(self.trace.key_tokens)
        end, cell = (DOWN if grid.transpose else RIGHT), grid.cell_at(0, 0)[0].width
        sums = VGroup()
        for k in range(len(self.trace.tokens)):
            total = self.num.value(
                f"{h}.weights_sum",
                k,
                font_size=26 * cell / 0.9,
                coloured=False,
                color=ROLE["weights"],
            )
            sums.add(_cell_number(total, cell).next_to(grid.cell_at(k, S - 1), end, buff=0.2))
        # Σ sits where the key labels are, in line with the sums
        sigma = MathTex(r"\Sigma", font_size=LABEL_SIZE)
        if grid.transpose:
            sigma.match_y(sums).match_x(grid.row_labels)
        else:
            sigma.match_x(sums).match_y(grid.col_labels)
        return sums, sigma

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

    def grow(self, source: str, target: str, table: QueryTable) -> LaggedStart:
        """Each cell of line ``target`` made from its cell of line ``source``."""
        return LaggedStart(
            *(
                TransformFromCopy(s, t)
                for s, t in zip(table.lines[source], table.lines[target], strict=True)
            ),
            lag_ratio=lag_for(len(table.lines[source])),
            run_time=1.5,
        )
