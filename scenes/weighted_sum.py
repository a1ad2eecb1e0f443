"""Scene 6 (T9): one query's output is a weighted sum of the values, out_i = Σ_j a_ij·v_j;
then every query at once, A·V.

It opens on Softmax's last picture: the followed query's line of the heat map stays and its
weights move beside the values they scale. Every value entry carries a bar of its size under
it (the matrix's columns spread apart to give the bars room); scaling shrinks each bar by its
weight (a big weight keeps it, a small one all but erases it); adding walks a frame down the
scaled values while the output's numbers and bars count through the real partial sums. The
output is written after = (≈ when a component's shown terms miss its shown sum). Then every
query at once, the product A·V, which the scene ends on (and the next opens on). In the
column-vector convention the values are the columns of V and the product is O = V·A′.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    LaggedStart,
    Line,
    MathTex,
    Rectangle,
    ReplacementTransform,
    RoundedRectangle,
    Text,
    TransformFromCopy,
    UpdateFromAlphaFunc,
    VGroup,
    VMobject,
    Write,
    config,
    linear,
)

from qkv import lookup, lookup_array
from scenes.kit.base import LessonScene
from scenes.kit.convention import ONE_OUTPUT, Convention
from scenes.kit.layout import CONTENT_WIDTH, FRAME_TOP
from scenes.kit.product import MatrixProduct, fill_rest
from scenes.kit.provenance import Numbers, SumSign, TraceNumber, TraceText
from scenes.kit.style import FONT, LABEL_SIZE, MUTED, ROLE
from scenes.kit.widgets import (
    TraceMatrix,
    fit_in_slots,
    highlight,
    lag_for,
    role_formula,
    stagger,
    token_labels,
)

__all__ = ["WeightedSum"]

# The heading over the value vectors once they are scaled by their weights
_SCALED = (r"a_{ij}\,v_j", r"v_j\,a'_{ji}")
# The name over the product's result, as the convention writes the output
_RESULT = (r"\mathrm{out}", "O")
# The size of the table's headings (the query, v_j) and of the output's name
_HEAD_SIZE = LABEL_SIZE * 0.9
# A value's bar under its number: this thick, this far below it
_BAR_THICK, _BAR_GAP = 0.07, 0.05


@dataclass
class Board:
    """What the beats hand on: the convention, the query followed, the formula for its output
    and its table."""

    view: Convention
    query: int  # the query whose weights are most decided (the last under a mask)
    formula: VMobject  # out_i = Σ_j a_ij v_j
    table: Table

    @property
    def ride(self) -> float:
        """The run time of a line of values or weights arriving: twelve tokens must not drag."""
        return min(2.0, 0.2 * len(self.table.weights) + 0.6)

    def landing(self, product: MatrixProduct) -> dict[tuple[int, int], int]:
        """Where our output's shown components land in the product: (r, c) -> component k."""
        landing = {}
        for r, c in product.result.entries:
            q, k = product.result.index_of(r, c)
            if q == self.query and k in self.table.outs:
                landing[(r, c)] = k
        return landing


class WeightedSum(LessonScene):
    map_step = "mix"  # lit on the lesson map
    max_components = 6  # value entries shown per vector before the rest are elided

    captions = {
        "intro": {
            "en": "Last step: each token's output is a weighted sum of the values",
            "zh": "最后一步：每个词元的输出是值向量的加权和",
            "ru": "Последний шаг: выход каждого токена — взвешенная сумма значений",
        },
        "values_rows": {
            "en": "The values: one row for each key token",
            "zh": "值向量：每个键词元一行",
            "ru": "Значения: по строке на каждый токен ключа",
        },
        "values_columns": {
            "en": "The values: one column for each key token",
            "zh": "值向量：每个键词元一列",
            "ru": "Значения: по столбцу на каждый токен ключа",
        },
        "weights": {
            "en": 'The attention weights of "{0}": how much it takes from each token',
            "zh": "“{0}”的注意力权重：它从每个词元取多少",
            "ru": "Веса внимания «{0}»: сколько он берёт от каждого токена",
        },
        "scale": {
            "en": "Each value is multiplied by its weight: a big weight keeps it, a small one "
            "shrinks it",
            "zh": "每个值向量乘以它的权重：权重大就保留，权重小就缩小",
            "ru": "Каждое значение умножается на свой вес: большой вес его сохраняет, малый — "
            "сжимает",
        },
        "sum": {
            "en": 'Adding up the scaled values gives the output of "{0}"',
            "zh": "把缩放后的值向量相加，就得到“{0}”的输出",
            "ru": "Сумма взвешенных значений — это выход токена «{0}»",
        },
        "all_rows": {
            "en": "Every query at once: the attention weights times the values, one matrix product",
            "zh": "所有查询一起算：注意力权重乘以值矩阵，一次矩阵乘法",
            "ru": "Все запросы сразу: веса внимания на матрицу значений, одно умножение матриц",
        },
        "this_row": {
            "en": "The output we just added up is one row of it",
            "zh": "刚才加出来的输出就是其中的一行",
            "ru": "Только что сложенный выход — одна его строка",
        },
        "this_column": {
            "en": "The output we just added up is one column of it",
            "zh": "刚才加出来的输出就是其中的一列",
            "ru": "Только что сложенный выход — один его столбец",
        },
        "mix": {
            "en": "Each output mixes the values of the tokens its query attends to",
            "zh": "每个输出都混合了它的查询所关注的词元的值",
            "ru": "Каждый выход смешивает значения тех токенов, на которые смотрит его запрос",
        },
    }

    # Beside the output: its sum adds the exact values, the cells show them rounded (so the
    # shown terms may add up to a last digit more or less than the shown output).
    notes = {
        "rounded": {
            "en": "The sum adds the exact\nvalues; the numbers\nshown are rounded",
            "zh": "求和用的是精确值；\n显示的每个数\n都已四舍五入",
            "ru": "Складываются точные\nзначения; числа\nна экране округлены",
        },
    }

    def construct(self) -> None:
        view = Convention.of(self.trace)
        i = int(lookup(self.trace, f"heads.{self.head}.focus_query"))
        formula = role_formula(ONE_OUTPUT[view.columns], LABEL_SIZE * 1.3).to_edge(UP, buff=0.3)
        board = Board(view, i, formula, self.lay_out_one_querys_table(view, i, formula))
        kept = self.keep_the_querys_line(i)
        self.show_one_querys_weights(board, kept)
        self.write_the_formula(board)
        self.show_the_values(board)
        self.scale_each_value_by_its_weight(board)
        self.add_up_the_scaled_values(board)
        product = self.do_every_query_at_once(board)
        self.point_at_our_output_in_it(board, product)
        self.fill_in_the_other_outputs(product, board.landing(product))
        self.say_each_output_mixes(self.every_query_at_once().rest())
        self.end_on(self.closing_picture())

    def beat(self, *animations, caption: str, refs=(), **kwargs) -> None:
        """The caption before has been read; the picture changes; then its caption comes, so
        a caption always describes what is on screen."""
        self.hold()
        self.play(*animations, **kwargs)
        self.say(caption, *refs)

    def closing_picture(self) -> VGroup:
        """Every query at once: out = A·V written out, every entry filled in."""
        everyone = self.every_query_at_once()
        picture = VGroup(everyone.whole, everyone.product, *everyone.rest())
        picture.product = everyone.product  # for a next scene that keeps the product's parts
        return picture

    # -- one query ----------------------------------------------------------------------------

    def keep_the_querys_line(self, i: int) -> dict[str, object] | None:
        """Open on Softmax's heat map, when the scene before ended on one: query ``i``'s cells,
        its label and the key labels become this scene's to move; the rest is left to fade.
        None when the picture before is something else (it then crossfades as usual)."""
        grid = getattr(self.opening, "grid", None)
        if grid is None:
            return None
        opening = self.take_opening()
        keys = grid.row_labels if grid.transpose else grid.col_labels
        kept = {"cells": list(grid.query_line(i)), "query": grid.query_label(i), "keys": keys}
        ids = {id(m) for m in [*kept["cells"], kept["query"], keys]}
        pieces = _split(opening, ids)  # the picture as pieces: the kept ones and the rest
        self.remove(opening)
        self.add(*pieces)
        kept["rest"] = VGroup(*(p for p in pieces if id(p) not in ids))
        return kept

    def show_one_querys_weights(self, board: Board, kept: dict | None) -> None:
        """Query i's weights: its line of the heat map alone (the rest fades), then each
        weight moves beside the value it will scale, one after another."""
        t = board.table
        cells = [VGroup(shade, w) for shade, w in zip(t.shades, t.weights, strict=True)]
        if kept:
            self.play(FadeOut(kept["rest"]))
            self.say("weights", ("tokens", board.query))
            self.hold()
            # each weight travels with its key's name, one after another
            cards = [
                AnimationGroup(ReplacementTransform(a, b), ReplacementTransform(ka, kb))
                for a, b, ka, kb in zip(kept["cells"], cells, kept["keys"], t.labels, strict=True)
            ]
            moves = [
                ReplacementTransform(kept["query"], t.q_head),
                LaggedStart(*cards, lag_ratio=0.5),
            ]
            self.play(*moves, run_time=min(3.0, 0.3 * len(cells) + 1.0))
        else:
            self.play(FadeIn(t.q_head), FadeIn(t.labels), LaggedStart(*map(FadeIn, cells)))
            self.say("weights", ("tokens", board.query))

    def write_the_formula(self, board: Board) -> None:
        """out_i = Σ_j a_ij v_j, at the top."""
        self.beat(Write(board.formula), caption="intro")

    def lay_out_one_querys_table(self, view: Convention, i: int, formula: VMobject) -> Table:
        """Query ``i``'s table (nothing shown yet), fitted under the formula."""
        note = self.notes["rounded"][self.language]
        table = Table.build(self.num, self.head, view, i, self.max_components, note)
        room = formula.get_bottom()[1] - 0.35 - (-FRAME_TOP + 1.1)
        # the rows fix the height; the width left over goes between the value's columns, so
        # that the bars under the numbers are long enough to see
        spare = CONTENT_WIDTH * table.whole().height / room - table.whole().width
        gaps = len(table.values.col_ids) - 1
        if spare > 0.3 and gaps:
            spread = min(spare / gaps, 2.0)
            table = Table.build(self.num, self.head, view, i, self.max_components, note, spread)
        whole = table.whole()
        # short sentences grow to fill the room (numbers then read at a distance), long ones shrink
        whole.scale(min(1.5, CONTENT_WIDTH / whole.width, room / whole.height))
        whole.next_to(formula, DOWN, buff=0.35)
        return table

    def show_the_values(self, board: Board) -> None:
        """The values, one per key token, each entry with its bar."""
        t = board.table
        self.beat(
            Create(t.values.matrix.get_brackets()),
            FadeIn(t.v_head),
            LaggedStart(
                *(FadeIn(VGroup(t.vector_band(j), t.bars_of(j))) for j in range(len(t.weights))),
                lag_ratio=lag_for(len(t.weights)),
            ),
            caption="values_columns" if board.view.columns else "values_rows",
            run_time=board.ride,
        )

    def scale_each_value_by_its_weight(self, board: Board) -> None:
        """The real products a_ij·v_jk replace the entries (a crossfade in place), each bar
        shrinks to its product, and each weight's shade spreads over its value."""
        t = board.table
        self.beat(
            *(TransformFromCopy(s, b) for s, b in zip(t.shades, t.bands, strict=True)),
            *(FadeTransform(t.values.entries[rc], t.terms[rc]) for rc in t.terms),
            *(ReplacementTransform(t.v_bars[rc], t.term_bars[rc]) for rc in t.terms),
            FadeTransform(t.v_head, t.scaled_head),
            caption="scale",
            run_time=1.8,
        )

    def add_up_the_scaled_values(self, board: Board) -> None:
        """The scaled values added into the output one after another: a frame walks down
        them while the output's numbers and bars show every real partial sum in turn."""
        t, i, S = board.table, board.query, len(board.table.weights)
        self.hold()
        self.play(Create(t.rule), Create(t.out_box), FadeIn(t.out_label), FadeIn(t.out_dots))
        marker = self.row_frame(t, 0)
        outs = VGroup(*t.outs.values())  # showing the first partial sum: the first term
        self.play(Create(marker), FadeIn(outs), FadeIn(*t.out_bars.values()), run_time=0.8)
        self.say("sum", ("tokens", i))
        if S > 1:
            adding = min(0.4 * S + 0.6, 4.0)
            self.play(
                *(
                    self.num.count_up(
                        n,
                        f"heads.{self.head}.output_partial",
                        (i, k),
                        rate_func=linear,
                        run_time=adding,
                    )
                    for k, n in t.outs.items()
                ),
                *(self.count_bar(board, k, adding) for k in t.outs),
                self.walk(marker, t, adding),
            )
        # = or ≈: the terms as shown add up to the output as shown, or not quite
        self.play(FadeOut(marker), FadeIn(t.sign), FadeIn(t.note), run_time=0.6)
        self.wait(1.5)  # the finished sum, a moment to read

    @staticmethod
    def row_frame(t: Table, j: int) -> VMobject:
        """A frame round scaled value ``j`` (its numbers and the lane its band spans)."""
        return highlight(VGroup(t.lanes[j], t.terms_of(j)), ROLE["output"], buff=0.02)

    def walk(self, marker: VMobject, t: Table, run_time: float) -> UpdateFromAlphaFunc:
        """The frame on the value whose term the count has just added (``count_up``'s
        steps: value j from alpha j/S on)."""
        steps = len(t.weights)

        def step(frame: VMobject, alpha: float) -> None:
            there = self.row_frame(t, min(int(alpha * steps), steps - 1))
            frame.become(there)
            frame.encloses = there.encloses

        return UpdateFromAlphaFunc(marker, step, rate_func=linear, run_time=run_time)

    def output_bar(self, board: Board, k: int, j: int):
        """The output's bar for component ``k`` after ``j + 1`` values: a real partial sum."""
        t = board.table
        bar = self.num.bar(f"heads.{self.head}.output_partial", board.query, k, j, **t.bar_size())
        return bar.on(t.zero(k))

    def count_bar(self, board: Board, k: int, run_time: float) -> UpdateFromAlphaFunc:
        """Component ``k``'s output bar stepping through the real partial sums, in step with
        the count of its number (``Numbers.count_up``)."""
        steps = len(board.table.weights)

        def step(holder: VGroup, alpha: float) -> None:
            j = min(int(alpha * steps), steps - 1)
            holder.submobjects = [self.output_bar(board, k, j)]

        return UpdateFromAlphaFunc(
            board.table.out_bars[k], step, rate_func=linear, run_time=run_time
        )

    # -- every query ------------------------------------------------------------------------

    def every_query_at_once(self) -> Everyone:
        """out = A·V (or O = V·A′) and the product under it, as the scene ends on them."""
        view = Convention.of(self.trace)
        formula = role_formula(ONE_OUTPUT[view.columns], LABEL_SIZE * 1.3).to_edge(UP, buff=0.3)
        whole = MathTex(
            view.tex("output"),
            font_size=LABEL_SIZE * 1.3,
            substrings_to_isolate=["A", "V", r"\mathrm{out}", "O"],
        )
        for tex, role in (
            ("A", "weights"),
            ("V", "V"),
            (r"\mathrm{out}", "output"),
            ("O", "output"),
        ):
            whole.set_color_by_tex(tex, ROLE[role])
        whole.move_to(formula)
        product = self.product(view)
        # a short sentence's product grows (up to twice) to fill the frame above the caption,
        # and stands in the middle of the room under the formula, with the sum for one output
        # (its rows, or columns) under it
        top, bottom = whole.get_bottom()[1] - 0.3, -FRAME_TOP + 1.1
        fits = min(CONTENT_WIDTH / product.width, (top - bottom) / product.height)
        product.scale(min(2.0, max(1.0, fits)))
        product.next_to(whole, DOWN, buff=0.3)
        each = role_formula(ONE_OUTPUT[view.columns], LABEL_SIZE * 1.1)
        if top - bottom - product.height > 1.0:
            product.set_y((top + bottom) / 2)
        if product.get_bottom()[1] - bottom < each.height + 0.4:
            return Everyone(whole, product, None)
        return Everyone(whole, product, each.move_to(UP * (bottom + each.height / 2 + 0.1)))

    def do_every_query_at_once(self, board: Board) -> MatrixProduct:
        """A·V (or V·A′): the table clears and our output flies into its place in the product."""
        t = board.table
        everyone = self.every_query_at_once()
        whole, product = everyone.whole, everyone.product
        landing = board.landing(product)
        self.hold()
        # the table clears first, so that the output alone flies to its place in the product
        self.play(FadeOut(t.shown_except_outputs()), FadeTransform(board.formula, whole))
        self.beat(
            FadeIn(product.shell()),
            *(
                ReplacementTransform(t.outs[k], product.result.entries[rc])
                for rc, k in landing.items()
            ),
            *(FadeOut(n) for k, n in t.outs.items() if k not in landing.values()),
            caption="all_rows",
            run_time=1.5,
        )
        return product

    def point_at_our_output_in_it(self, board: Board, product: MatrixProduct) -> None:
        """Our query's weights and its output, boxed in the product (unless elided)."""
        i, columns = board.query, board.view.columns
        weights_matrix = product.right if columns else product.left
        shown = weights_matrix.col_ids if columns else weights_matrix.row_ids
        if i not in shown:  # twelve tokens turned round: query i may sit behind the ⋯
            return
        band = (lambda m: m.col_band(i)) if columns else (lambda m: m.row_band(i))
        boxes = [
            highlight(band(weights_matrix), ROLE["weights"]),
            highlight(band(product.result), ROLE["output"]),
        ]
        self.beat(*(Create(b) for b in boxes), caption="this_column" if columns else "this_row")
        self.hold()
        self.play(*(FadeOut(b) for b in boxes), run_time=0.5)

    def fill_in_the_other_outputs(self, product: MatrixProduct, done: dict) -> None:
        """Every other entry of the product, row after row (one token: nothing else to fill)."""
        if len(done) < len(product.result.entries):
            fill_rest(
                self,
                product,
                set(done),
                run_time=min(2.5, 0.25 * len(product.result.row_ids) + 0.8),
            )

    def say_each_output_mixes(self, each: list[VMobject]) -> None:
        """What each output is, with the sum for one output under the product if it fits."""
        if each:
            self.beat(*map(FadeIn, each), caption="mix")
        else:
            self.say("mix")

    def product(self, view: Convention) -> MatrixProduct:
        """A·V = out (or V·A′ = O), the query tokens beside the weights."""
        h = f"heads.{self.head}"
        # twelve key tokens: the shared inner size elided alike in both factors, so that the
        # numbers stay large enough to read (A's ⋯ column meets V's ⋮ row)
        inner = 8 if len(self.trace.key_tokens) <= 8 else 6
        turned = view.turned()
        weights = TraceMatrix(
            self.num,
            f"{h}.weights",
            role="weights",
            transpose=turned,
            dims=("T", "S"),
            **{"max_rows" if turned else "max_cols": inner},
        )
        values = TraceMatrix(
            self.num,
            f"{h}.V",
            role="V",
            transpose=turned,
            dims=("S", "d_v"),
            **{"max_cols" if turned else "max_rows": inner},
        )
        out = TraceMatrix(
            self.num, f"{h}.output", role="output", transpose=turned, dims=("T", "d_v")
        )
        return MatrixProduct.written(
            self.num,
            view,
            weights,
            values,
            out,
            (view.tex("A"), "V", _RESULT[view.columns]),
            ("weights", "V", "output"),
            tokens=("tokens", weights),
            height=config.frame_height - 3.4,
        )


@dataclass
class Everyone:
    """Every query at once: the formula, the product and, when there is room under it, the
    sum for one output that each of its rows (columns) is."""

    whole: MathTex  # out = A·V
    product: MatrixProduct
    each: VMobject | None  # out_i = Σ_j a_ij v_j

    def rest(self) -> list[VMobject]:
        return [self.each] if self.each is not None else []


def _split(mob: VMobject, kept: set[int]) -> list[VMobject]:
    """``mob`` as pieces: each kept mobject whole, and whatever holds none of them whole."""
    if id(mob) in kept or not any(id(m) in kept for m in mob.get_family()):
        return [mob]
    return [piece for sub in mob.submobjects for piece in _split(sub, kept)]


@dataclass
class Table:
    """One query's weighted sum laid out: key tokens, their weights, the value vectors (turned
    in the column convention) with a bar under each entry, the scaled values that replace them
    and the output below (or beside), its bars and its = or ≈. Everything is placed
    relative to the value matrix, then fitted as one group.

    Bars share one scale: half a cell holds the largest value or partial sum shown, each bar
    starts on its cell's middle (a negative one runs left)."""

    columns: bool  # the column convention: the values side by side, their components down
    values: TraceMatrix  # V (turned in the columns convention)
    shades: VGroup  # a cell per weight, shaded by its size (as in the attention grid)
    weights: list[TraceNumber]  # a_ij, each in its shade
    bands: VGroup  # each weight's shade spread over the value it scales, behind the numbers
    lanes: VGroup  # unseen: as long as a value, what each band frames beside its shade
    labels: VGroup  # the key tokens that name the values (and their weights)
    q_head: TraceText  # the query whose weights these are
    v_head: MathTex  # v_j: what the vectors are ...
    scaled_head: MathTex  # ... and a_ij v_j once they are scaled
    terms: dict[tuple[int, int], TraceNumber]  # a_ij·v_jk, each where its value stands
    v_bars: dict[tuple[int, int], VMobject]  # v_jk as a bar, under its number
    term_bars: dict[tuple[int, int], VMobject]  # a_ij·v_jk as a bar, where v_jk's was
    outs: dict[int, TraceNumber]  # the output's components k, counting up
    out_bars: dict[int, VGroup]  # each holds component k's bar (a partial sum while counting)
    firsts: dict[int, VMobject]  # component k's first partial sum as a bar: where bars start
    sign: SumSign  # = before the output, ≈ if a component's shown terms miss its shown sum
    out_dots: VGroup  # a ⋯ (⋮) for components elided
    out_box: RoundedRectangle  # round the output
    out_label: TraceText  # the query again, naming its output
    rule: Line  # like a written sum, across the weights and the values
    note: Text  # beside the output: it adds the exact values, the cells show them rounded

    @classmethod
    def build(
        cls,
        num: Numbers,
        head: int,
        view: Convention,
        i: int,
        limit: int,
        note: str,
        spread: float = 0.0,
    ) -> Table:
        """Query ``i``'s table, with at most ``limit`` components of each value shown and its
        columns ``spread`` further apart than a matrix's."""
        h, columns = f"heads.{head}", view.columns
        values = TraceMatrix(
            num,
            f"{h}.V",
            role="V",
            transpose=view.turned(),
            dims=("S", "d_v"),
            max_rows=limit if columns else 12,
            max_cols=12 if columns else limit,
        )
        _spread(values, spread)
        size = {"unit": _unit(num, h, i, values), "thickness": _BAR_THICK}
        # the scaled values a_ij·v_jk, each where its value stands, with their bars
        terms, v_bars, term_bars = {}, {}, {}
        for (r, c), entry in values.entries.items():
            j, k = values.index_of(r, c)
            zero = _under(values, r, c)
            terms[(r, c)] = num.value(f"{h}.output_terms", i, k, j).move_to(entry)
            v_bars[(r, c)] = num.bar(f"{h}.V", j, k, **size).on(zero)
            term_bars[(r, c)] = num.bar(f"{h}.output_terms", i, k, j, **size).on(zero)
        weights, shades = _shaded_weights(num, h, i, values, columns)
        body = VGroup(*values.entries.values(), *v_bars.values())  # the values with bars
        bands, lanes = _bands(num, h, i, values, shades, v_bars, columns)
        labels = _key_labels(num, values, shades, columns)
        q_head, v_head, scaled_head = _headings(num, i, values, shades, columns)
        outs, out_dots = _output_line(num, h, i, body, values, columns)
        firsts, sign, reach = _output_bars_and_signs(num, h, i, values, outs, size, columns)
        out_bars = {k: VGroup(bar.copy()) for k, bar in firsts.items()}
        out_box = _output_box(body, VGroup(*outs.values(), out_dots, reach), columns)
        sign.next_to(out_box, -_across(columns), buff=0.15)
        out_label = num.token(i, font_size=_HEAD_SIZE, color=ROLE["output"])
        out_label.scale_to_fit_width(min(out_label.width, 2.0))
        out_label.next_to(sign, -_across(columns), buff=0.2)
        rule = _rule(VGroup(shades, body), body, out_box, columns)
        rounded = Text(note, font=FONT, font_size=LABEL_SIZE * 0.6, color=MUTED, line_spacing=0.8)
        rounded.next_to(out_box, _across(columns), buff=0.35)
        return cls(
            columns, values, shades, weights, bands, lanes, labels, q_head, v_head, scaled_head,
            terms, v_bars, term_bars, outs, out_bars, firsts, sign, out_dots, out_box,
            out_label, rule, rounded,
        )  # fmt: skip

    def whole(self) -> VGroup:
        """Every part, as one group to lay out (the first partial sums' bars too: they keep
        where bars start and how long a unit is)."""
        return VGroup(
            self.values,
            self.shades,
            VGroup(*self.weights),
            self.bands,
            self.lanes,
            self.labels,
            self.q_head,
            self.v_head,
            self.scaled_head,
            VGroup(*self.terms.values()),
            VGroup(*self.v_bars.values()),
            VGroup(*self.term_bars.values()),
            VGroup(*self.outs.values()),
            VGroup(*self.out_bars.values()),
            VGroup(*self.firsts.values()),
            self.sign,
            self.out_dots,
            self.out_box,
            self.out_label,
            self.rule,
            self.note,
        )

    def vector_band(self, j: int) -> VMobject:
        """Value ``j`` whole, including any ⋯."""
        return _vector_band(self.values, self.columns, j)

    def terms_of(self, j: int) -> VGroup:
        """Value ``j`` scaled by its weight (its entries after the scaling beat)."""
        return VGroup(*(m for rc, m in self.terms.items() if self.values.index_of(*rc)[0] == j))

    def bars_of(self, j: int) -> VGroup:
        """Value ``j``'s bars (before the scaling)."""
        return VGroup(*(b for rc, b in self.v_bars.items() if self.values.index_of(*rc)[0] == j))

    def bar_size(self) -> dict[str, float]:
        """A bar's unit and thickness as the table is laid out now."""
        ref = next(iter(self.firsts.values()))
        return {"unit": ref.per_thickness * ref.thickness(), "thickness": ref.thickness()}

    def zero(self, k: int) -> np.ndarray:
        """Where component ``k``'s output bars start."""
        first = self.firsts[k]
        return first.get_edge_center(-first.direction if first.value >= 0 else first.direction)

    def shown_except_outputs(self) -> VGroup:
        """Everything on screen after the sum but the output's numbers (they fly on)."""
        return VGroup(
            self.values.matrix.get_brackets(),
            *(m for m in self.values.matrix.get_entries() if m not in self.values.entries.values()),
            self.shades,
            VGroup(*self.weights),
            self.bands,
            self.labels,
            self.q_head,
            self.scaled_head,
            VGroup(*self.terms.values()),
            VGroup(*self.term_bars.values()),
            VGroup(*self.out_bars.values()),
            self.sign,
            self.out_dots,
            self.out_box,
            self.out_label,
            self.rule,
            self.note,
        )


# -- the table's parts: value j runs along the table, a vector's components k across it --------


def _along(columns: bool) -> np.ndarray:
    return RIGHT if columns else DOWN


def _across(columns: bool) -> np.ndarray:
    return DOWN if columns else RIGHT


def _vector_band(values: TraceMatrix, columns: bool, j: int) -> VMobject:
    return values.col_band(j) if columns else values.row_band(j)


def _align_j(mob: VMobject, band: VMobject, columns: bool) -> VMobject:
    """``mob`` level with value ``band`` (along the table)."""
    return mob.match_x(band) if columns else mob.match_y(band)


def _align_k(mob: VMobject, band: VMobject, columns: bool) -> VMobject:
    """``mob`` level with component ``band`` (across the table)."""
    return mob.match_y(band) if columns else mob.match_x(band)


def _opacity(weight: float) -> float:
    # square root, as in the attention grid: small weights stay visible
    return 0.8 * min(max(float(weight), 0.0), 1.0) ** 0.5


def _spread(values: TraceMatrix, extra: float) -> None:
    """Move the matrix's columns ``extra`` further apart, and the brackets out by half as
    much again (so that the outer columns' bars, as long as the inner ones', stay inside)."""
    columns = values.matrix.get_columns()
    for c, column in enumerate(columns):
        column.shift(RIGHT * extra * c)
    left, right = values.matrix.get_brackets()
    left.shift(LEFT * extra / 2)
    right.shift(RIGHT * extra * (len(columns) - 0.5))


def _half(values: TraceMatrix) -> float:
    """Half a cell's width: the longest bar, either way from the cell's middle."""
    pitch = values.col_pitch()
    widest = max(m.width for m in values.entries.values())
    return (pitch / 2 if pitch else widest / 2 + 0.15) - 0.06


def _unit(num: Numbers, h: str, i: int, values: TraceMatrix) -> float:
    """The bars' length per unit of value: the largest value or partial sum shown fills half
    a cell (ReLU's weights need not add up to one, so a partial sum may be the largest)."""
    shown = sorted({values.index_of(r, c)[1] for r, c in values.entries})
    peak = max(
        float(np.abs(lookup_array(num.trace, f"{h}.V")[:, shown]).max()),
        float(np.abs(lookup_array(num.trace, f"{h}.output_partial")[i][shown]).max()),
    )
    return _half(values) / (peak if peak > 0 else 1.0)


def _under(values: TraceMatrix, r: int, c: int) -> np.ndarray:
    """Where the bar of the entry at (r, c) starts: its column's middle, under its row."""
    x = values.matrix.get_columns()[values.col_ids.index(c)].get_x()
    y = values.matrix.get_rows()[values.row_ids.index(r)].get_bottom()[1]
    return np.array([x, y - _BAR_GAP - _BAR_THICK / 2, 0.0])


def _shaded_weights(
    num: Numbers, h: str, i: int, values: TraceMatrix, columns: bool
) -> tuple[list[TraceNumber], VGroup]:
    """The weights a_ij, each in a cell shaded by its size (as in the attention grid), beside
    its value."""
    S = len(num.trace.key_tokens)
    row = lookup_array(num.trace, f"{h}.weights")[i]
    weights = [num.value(f"{h}.weights", i, j, coloured=False) for j in range(S)]
    cell_w = max(w.width for w in weights) + 0.2
    cell_h = max(w.height for w in weights) + 0.18
    shades = VGroup()
    for j, w in enumerate(weights):
        shade = RoundedRectangle(
            corner_radius=0.06,
            width=cell_w,
            height=cell_h,
            stroke_color=ROLE["weights"],
            stroke_width=1.5,
        )
        shade.set_fill(ROLE["weights"], opacity=_opacity(row[j]))
        shade.next_to(values.matrix, -_across(columns), buff=0.3)
        _align_j(shade, _vector_band(values, columns, j), columns)
        w.move_to(shade)
        shades.add(shade)
    return weights, shades


def _bands(
    num: Numbers,
    h: str,
    i: int,
    values: TraceMatrix,
    shades: VGroup,
    v_bars: dict[tuple[int, int], VMobject],
    columns: bool,
) -> tuple[VGroup, VGroup]:
    """Each weight's shade spread over its value, numbers and bars, all bands alike in size:
    frames that stay while the scaled values are on screen (they frame the shade and a lane
    as long as the value, so the audit sees them enclose what they stand for)."""
    row = lookup_array(num.trace, f"{h}.weights")[i]
    body = VGroup(*values.entries.values(), *v_bars.values())
    bands, lanes = VGroup(), VGroup()
    for j, shade in enumerate(shades):
        own = VGroup(
            _vector_band(values, columns, j),
            *(b for rc, b in v_bars.items() if values.index_of(*rc)[0] == j),
        )
        lane = Rectangle(
            width=body.width if not columns else own.width,
            height=own.height if not columns else body.height,
            stroke_opacity=0,
        ).move_to(body)
        _align_j(lane, own, columns)
        band = highlight(
            VGroup(shade, lane), ROLE["weights"], buff=0.05, stays=True, stroke_width=0,
            corner_radius=0.06,
        )  # fmt: skip
        band.set_fill(ROLE["weights"], opacity=0.5 * _opacity(row[j])).set_z_index(-1)
        bands.add(band)
        lanes.add(lane)
    return bands, lanes


def _key_labels(num: Numbers, values: TraceMatrix, shades: VGroup, columns: bool) -> VGroup:
    """The key tokens that name the values, beyond their weights."""
    labels = token_labels(num, "key_tokens", ROLE["X"], font_size=LABEL_SIZE * 0.8, max_width=1.8)
    # side by side: long words shrink or stagger rather than collide
    staggered = columns and fit_in_slots(labels, values.col_pitch())
    for j, lab in enumerate(labels):
        lab.next_to(shades[j], -_across(columns), buff=0.2)
        _align_j(lab, _vector_band(values, columns, j), columns)
    if staggered:
        stagger(labels, -_across(columns))
    return labels


def _headings(
    num: Numbers, i: int, values: TraceMatrix, shades: VGroup, columns: bool
) -> tuple[TraceText, MathTex, MathTex]:
    """The query whose weights these are, over them; v_j (later a_ij v_j) over the values."""
    q_head = num.token(i, font_size=_HEAD_SIZE, color=ROLE["Q"])
    q_head.scale_to_fit_width(min(q_head.width, 2.0))
    q_head.next_to(shades, -_along(columns), buff=0.25)
    v_head = MathTex("v_j", font_size=_HEAD_SIZE, color=ROLE["V"])
    scaled_head = MathTex(_SCALED[columns], font_size=_HEAD_SIZE, color=ROLE["V"])
    for head in (v_head, scaled_head):
        head.next_to(values, -_along(columns), buff=0.25)
    return q_head, v_head, scaled_head


def _output_line(
    num: Numbers, h: str, i: int, body: VGroup, values: TraceMatrix, columns: bool
) -> tuple[dict[int, TraceNumber], VGroup]:
    """The output of query ``i``: its components under (or beside) the values, each at its
    first partial sum; a ⋯ (⋮) for the components elided."""
    component_band = values.row_band if columns else values.col_band
    outs, out_dots = {}, VGroup()
    for k in values.row_ids if columns else values.col_ids:
        shown = (
            MathTex(r"\vdots" if columns else r"\cdots")
            if k is None
            else num.value(f"{h}.output_partial", i, k, 0)
        )
        shown.next_to(body, _along(columns), buff=0.6)
        _align_k(shown, component_band(k), columns)
        if k is None:
            out_dots.add(shown)
        else:
            outs[k] = shown
    return outs, out_dots


def _output_bars_and_signs(
    num: Numbers,
    h: str,
    i: int,
    values: TraceMatrix,
    outs: dict[int, TraceNumber],
    size: dict[str, float],
    columns: bool,
) -> tuple[dict[int, VMobject], SumSign, VGroup]:
    """Each output component's first partial sum as a bar under its number (in its value
    column's middle, or in the output's own column); the = before the output, or ≈ when the
    shown terms of a component do not add up to its shown sum (that component's, so the
    audit checks it); and how far the bars may reach (for the box)."""
    S = len(num.trace.key_tokens)
    firsts, signs, reach = {}, [], VGroup()
    left = min(n.get_left()[0] for n in outs.values())
    for (r, c), _ in values.entries.items():
        k = values.index_of(r, c)[1]
        if k in firsts or k not in outs:
            continue
        out = outs[k]
        x = left + _half(values) if columns else _under(values, r, c)[0]
        zero = np.array([x, out.get_bottom()[1] - _BAR_GAP - _BAR_THICK / 2, 0.0])
        firsts[k] = num.bar(f"{h}.output_partial", i, k, 0, **size).on(zero)
        reach.add(Rectangle(width=2 * _half(values), height=_BAR_THICK).move_to(zero))
        signs.append(
            num.relation(
                terms=[(f"{h}.output_terms", (i, k, j)) for j in range(S)],
                total=(f"{h}.output", (i, k)),
                font_size=LABEL_SIZE,
            )
        )
    return firsts, next((s for s in signs if not s.exact), signs[0]), reach


def _output_box(body: VGroup, row: VGroup, columns: bool) -> RoundedRectangle:
    """A box round the output line ``row``, as long as the values are across."""
    if columns:
        box_w, box_h = row.width + 0.3, body.height + 0.24
    else:
        box_w, box_h = body.width + 0.24, row.height + 0.24
    box = RoundedRectangle(corner_radius=0.08, width=box_w, height=box_h, color=ROLE["output"])
    box.move_to(row)
    return box.set_y(body.get_y()) if columns else box.set_x(body.get_x())


def _rule(span: VGroup, body: VGroup, out_box: VMobject, columns: bool) -> Line:
    """A rule like a written sum across ``span`` (the weights and the values), halfway
    between the values and the output."""
    mid = (body.get_edge_center(_along(columns)) + out_box.get_edge_center(-_along(columns))) / 2
    if columns:
        rule = Line(span.get_top(), span.get_bottom()).set_x(mid[0])
    else:
        rule = Line(span.get_left(), span.get_right()).set_y(mid[1])
    return rule.set_stroke(MUTED, width=2)
