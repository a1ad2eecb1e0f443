"""Scene 6 (T9): one query's output is a weighted sum of the values, out_i = Σ_j a_ij·v_j;
then every query at once, A·V.

In the column-vector convention the values are the columns of V and the product is O = V·A′.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    LaggedStart,
    Line,
    MathTex,
    ReplacementTransform,
    RoundedRectangle,
    SurroundingRectangle,
    Text,
    TransformFromCopy,
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
from scenes.kit.provenance import Numbers, TraceNumber, TraceText
from scenes.kit.style import FONT, LABEL_SIZE, MUTED, ROLE
from scenes.kit.widgets import TraceMatrix, highlight, role_formula, token_labels, turn_if_crowded

__all__ = ["WeightedSum"]

# The heading over the value vectors once they are scaled by their weights
_SCALED = (r"a_{ij}\,v_j", r"v_j\,a'_{ji}")
# The name over the product's result, as the convention writes the output
_RESULT = (r"\mathrm{out}", "O")
# The size of the table's headings (the query, v_j) and of the output's name
_HEAD_SIZE = LABEL_SIZE * 0.9


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
        formula = self.write_the_formula_for_one_output(view)
        board = Board(view, i, formula, self.lay_out_one_querys_table(view, i, formula))
        self.show_the_values(board)
        self.show_one_querys_weights(board)
        self.scale_each_value_by_its_weight(board)
        self.add_up_the_scaled_values(board)
        product = self.do_every_query_at_once(board)
        self.point_at_our_output_in_it(board, product)
        self.fill_in_the_other_outputs(board, product)
        self.say("mix")
        self.wait(2.0)

    # -- one query ----------------------------------------------------------------------------

    def write_the_formula_for_one_output(self, view: Convention) -> VMobject:
        """out_i = Σ_j a_ij v_j, at the top."""
        formula = role_formula(ONE_OUTPUT[view.columns], LABEL_SIZE * 1.3).to_edge(UP, buff=0.3)
        self.play(Write(formula))
        self.say("intro")
        self.wait(0.8)
        return formula

    def lay_out_one_querys_table(self, view: Convention, i: int, formula: VMobject) -> Table:
        """Query ``i``'s table (nothing shown yet), fitted under the formula."""
        note = self.notes["rounded"][self.language]
        table = Table.build(self.num, self.head, view, i, self.max_components, note)
        whole = table.whole()
        room = formula.get_bottom()[1] - 0.35 - (-FRAME_TOP + 1.1)
        # short sentences grow to fill the room (numbers then read at a distance), long ones shrink
        whole.scale(min(1.5, CONTENT_WIDTH / whole.width, room / whole.height))
        whole.next_to(formula, DOWN, buff=0.35)
        return table

    def show_the_values(self, board: Board) -> None:
        """The values, one per key token."""
        t = board.table
        self.play(FadeIn(t.labels), Create(t.values.matrix.get_brackets()), FadeIn(t.v_head))
        self.play(
            LaggedStart(*(FadeIn(t.vector_band(j)) for j in range(len(t.weights))), lag_ratio=0.2),
            run_time=board.ride,
        )
        self.say("values_columns" if board.view.columns else "values_rows")
        self.wait(0.8)

    def show_one_querys_weights(self, board: Board) -> None:
        """The weights of the query, one beside each value."""
        t = board.table
        self.play(FadeIn(t.q_head))
        self.play(
            LaggedStart(
                *(FadeIn(VGroup(shade, w)) for shade, w in zip(t.shades, t.weights, strict=True)),
                lag_ratio=0.2,
            ),
            run_time=board.ride,
        )
        self.say("weights", ("tokens", board.query))
        self.wait(1.2)

    def scale_each_value_by_its_weight(self, board: Board) -> None:
        """The real products a_ij·v_jk replace the entries; each weight's shade spreads over
        its value."""
        t = board.table
        self.say("scale")
        self.play(
            *(
                TransformFromCopy(shade, band)
                for shade, band in zip(t.shades, t.bands, strict=True)
            ),
            *(ReplacementTransform(t.values.entries[rc], t.terms[rc]) for rc in t.terms),
            FadeTransform(t.v_head, t.scaled_head),
            run_time=1.8,
        )
        self.wait(1.2)

    def add_up_the_scaled_values(self, board: Board) -> None:
        """The scaled values poured into the output: every frame shows a real partial sum."""
        t, i, S = board.table, board.query, len(board.table.weights)
        self.play(
            Create(t.rule),
            Create(t.out_box),
            FadeIn(t.out_label),
            FadeIn(t.out_dots),
            FadeIn(t.note),
        )
        self.say("sum", ("tokens", i))
        outs = VGroup(*t.outs.values())  # showing the first partial sum: the first term
        self.play(FadeOut(t.terms_of(0).copy(), shift=t.drop(0)), FadeIn(outs), run_time=0.7)
        if S > 1:
            adding = min(0.4 * S + 0.6, 4.0)
            # term j lands just as the count reaches the partial sum that includes it
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
                LaggedStart(
                    *(FadeOut(t.terms_of(j).copy(), shift=t.drop(j)) for j in range(1, S)),
                    lag_ratio=1.0,
                    run_time=adding * (S - 1) / S,
                ),
            )
        self.wait(1.5)

    # -- every query ------------------------------------------------------------------------

    def do_every_query_at_once(self, board: Board) -> MatrixProduct:
        """A·V (or V·A′): the table clears and our output flies into its place in the product."""
        view, t = board.view, board.table
        product = self.product(view)
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
        whole.move_to(board.formula)
        product.next_to(whole, DOWN, buff=0.3)
        self.say("all_rows")
        landing = board.landing(product)
        # the table clears first, so that the output alone flies to its place in the product
        self.play(FadeOut(t.shown_except_outputs()), FadeTransform(board.formula, whole))
        self.play(
            FadeIn(product.shell()),
            *(
                ReplacementTransform(t.outs[k], product.result.entries[rc])
                for rc, k in landing.items()
            ),
            *(FadeOut(n) for k, n in t.outs.items() if k not in landing.values()),
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
        self.play(*(Create(b) for b in boxes))
        self.say("this_column" if columns else "this_row")
        self.wait(1.2)
        self.play(*(FadeOut(b) for b in boxes), run_time=0.5)

    def fill_in_the_other_outputs(self, board: Board, product: MatrixProduct) -> None:
        """Every other entry of the product, row after row (one token: nothing else to fill)."""
        done = set(board.landing(product))
        if len(done) < len(product.result.entries):
            fill_rest(
                self, product, done, run_time=min(2.5, 0.25 * len(product.result.row_ids) + 0.8)
            )

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
class Table:
    """One query's weighted sum laid out: key tokens, their weights, the value vectors (turned
    in the column convention), the scaled values that replace them and the output below (or
    beside). Everything is placed relative to the value matrix, then fitted as one group."""

    columns: bool  # the column convention: the values side by side, their components down
    values: TraceMatrix  # V (turned in the columns convention)
    shades: VGroup  # a cell per weight, shaded by its size (as in the attention grid)
    weights: list[TraceNumber]  # a_ij, each in its shade
    bands: VGroup  # each shade spread over the value it scales, behind the numbers
    labels: VGroup  # the key tokens that name the values (and their weights)
    q_head: TraceText  # the query whose weights these are
    v_head: MathTex  # v_j: what the vectors are ...
    scaled_head: MathTex  # ... and a_ij v_j once they are scaled
    terms: dict[tuple[int, int], TraceNumber]  # a_ij·v_jk, each where its value stands
    outs: dict[int, TraceNumber]  # the output's components k, counting up
    out_dots: VGroup  # a ⋯ (⋮) for components elided
    out_box: RoundedRectangle  # round the output
    out_label: TraceText  # the query again, naming its output
    rule: Line  # like a written sum, across the weights and the values
    note: Text  # beside the output: it adds the exact values, the cells show them rounded

    @classmethod
    def build(
        cls, num: Numbers, head: int, view: Convention, i: int, limit: int, note: str
    ) -> Table:
        """Query ``i``'s table, with at most ``limit`` components of each value shown."""
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
        weights, shades, bands = _shaded_weights(num, h, i, values, columns)
        labels = _key_labels(num, values, shades, columns)
        q_head, v_head, scaled_head = _headings(num, i, values, shades, columns)
        # the scaled values a_ij·v_jk, each where its value stands
        terms = {}
        for (r, c), entry in values.entries.items():
            j, k = values.index_of(r, c)
            terms[(r, c)] = num.value(f"{h}.output_terms", i, k, j).move_to(entry)
        outs, out_dots = _output_line(num, h, i, values, columns)
        out_box = _output_box(values, VGroup(*outs.values(), out_dots), columns)
        out_label = num.token(i, font_size=_HEAD_SIZE, color=ROLE["output"])
        out_label.scale_to_fit_width(min(out_label.width, 2.0))
        out_label.next_to(out_box, -_across(columns), buff=0.25)
        rule = _rule(VGroup(shades, values), values, out_box, columns)
        rounded = Text(note, font=FONT, font_size=LABEL_SIZE * 0.6, color=MUTED, line_spacing=0.8)
        rounded.next_to(out_box, _across(columns), buff=0.35)
        return cls(
            columns,
            values,
            shades,
            weights,
            bands,
            labels,
            q_head,
            v_head,
            scaled_head,
            terms,
            outs,
            out_dots,
            out_box,
            out_label,
            rule,
            rounded,
        )

    def whole(self) -> VGroup:
        """Every part, as one group to lay out."""
        return VGroup(
            self.values,
            self.shades,
            VGroup(*self.weights),
            self.bands,
            self.labels,
            self.q_head,
            self.v_head,
            self.scaled_head,
            VGroup(*self.terms.values()),
            VGroup(*self.outs.values()),
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

    def drop(self, j: int) -> np.ndarray:
        """The shift that carries scaled value ``j`` onto the output."""
        return (self.out_box.get_center() - self.vector_band(j).get_center()) * abs(
            _along(self.columns)
        )

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


def _shaded_weights(
    num: Numbers, h: str, i: int, values: TraceMatrix, columns: bool
) -> tuple[list[TraceNumber], VGroup, VGroup]:
    """The weights a_ij, each in a cell shaded by its size (as in the attention grid), beside
    its value; and the same shade spread over each value, behind its numbers."""
    S = len(num.trace.key_tokens)
    row = lookup_array(num.trace, f"{h}.weights")[i]
    weights = [num.value(f"{h}.weights", i, j, coloured=False) for j in range(S)]
    cell_w = max(w.width for w in weights) + 0.2
    cell_h = max(w.height for w in weights) + 0.18
    shades, bands = VGroup(), VGroup()
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
        band = SurroundingRectangle(
            _vector_band(values, columns, j), buff=0.04, corner_radius=0.06, stroke_width=0
        )
        band.set_fill(ROLE["weights"], opacity=0.5 * _opacity(row[j]))
        band.set_z_index(-1)
        bands.add(band)
    return weights, shades, bands


def _key_labels(num: Numbers, values: TraceMatrix, shades: VGroup, columns: bool) -> VGroup:
    """The key tokens that name the values, beyond their weights."""
    labels = token_labels(num, "key_tokens", ROLE["X"], font_size=LABEL_SIZE * 0.8, max_width=1.8)
    if columns:  # side by side: long words read bottom-up rather than collide
        turn_if_crowded(labels, values.col_pitch())
    for j, lab in enumerate(labels):
        lab.next_to(shades[j], -_across(columns), buff=0.2)
        _align_j(lab, _vector_band(values, columns, j), columns)
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
    num: Numbers, h: str, i: int, values: TraceMatrix, columns: bool
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
        shown.next_to(values, _along(columns), buff=0.6)
        _align_k(shown, component_band(k), columns)
        if k is None:
            out_dots.add(shown)
        else:
            outs[k] = shown
    return outs, out_dots


def _output_box(values: TraceMatrix, row: VGroup, columns: bool) -> RoundedRectangle:
    """A box round the output line ``row``."""
    # the box spans the value entries, so that wider partial sums still fit inside it
    entries = VGroup(*values.matrix.get_entries())
    widest = max(m.width for m in entries)
    if columns:
        box_w, box_h = max(row.width, widest) + 0.3, entries.height + 0.24
    else:
        box_w, box_h = entries.width + 0.24, row.height + 0.24
    box = RoundedRectangle(corner_radius=0.08, width=box_w, height=box_h, color=ROLE["output"])
    box.move_to(row)
    if columns:
        box.set_y(entries.get_y())
    else:
        box.set_x(entries.get_x())
    return box


def _rule(span: VGroup, values: TraceMatrix, out_box: VMobject, columns: bool) -> Line:
    """A rule like a written sum across ``span`` (the weights and the values), halfway
    between the values and the output."""
    mid = (values.get_edge_center(_along(columns)) + out_box.get_edge_center(-_along(columns))) / 2
    if columns:
        rule = Line(span.get_top(), span.get_bottom()).set_x(mid[0])
    else:
        rule = Line(span.get_left(), span.get_right()).set_y(mid[1])
    return rule.set_stroke(MUTED, width=2)
