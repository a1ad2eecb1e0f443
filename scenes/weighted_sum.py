"""Scene 6 (T9): one query's output is a weighted sum of the values, out_i = Σ_j a_ij·v_j;
then every query at once, A·V.

In the column-vector convention the values are the columns of V and the product is O = V·A′.
"""

from __future__ import annotations

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
    TransformFromCopy,
    VGroup,
    Write,
    config,
    linear,
)

from qkv import lookup, lookup_array
from scenes.kit.base import LessonScene
from scenes.kit.convention import Convention
from scenes.kit.product import MatrixProduct, fill_rest
from scenes.kit.style import LABEL_SIZE, MUTED, ROLE
from scenes.kit.widgets import TraceMatrix, highlight, role_formula, token_labels, turn_if_crowded

__all__ = ["WeightedSum"]

# One output as a formula, (LaTeX, role) in reading order: rows, then columns (O = V·A′).
_ONE = (
    (
        (r"\mathrm{out}_i", "output"),
        ("=", None),
        (r"\sum_j", None),
        ("a_{ij}", "weights"),
        (r"\,v_j", "V"),
    ),
    (("o_i", "output"), ("=", None), (r"\sum_j", None), ("v_j", "V"), (r"\,a'_{ji}", "weights")),
)
# The heading over the value vectors once they are scaled by their weights
_SCALED = (r"a_{ij}\,v_j", r"v_j\,a'_{ji}")
# The name over the product's result, as the convention writes the output
_RESULT = (r"\mathrm{out}", "O")


class WeightedSum(LessonScene):
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

    def construct(self) -> None:
        view = Convention.of(self.trace)
        h = f"heads.{self.head}"
        i = int(lookup(self.trace, f"{h}.focus_query"))  # the query whose weights are most decided
        S = len(self.trace.key_tokens)
        ride = min(2.0, 0.2 * S + 0.6)  # lagged run time: twelve tokens must not drag

        # The formula for one output
        formula = role_formula(_ONE[view.columns], LABEL_SIZE * 1.3).to_edge(UP, buff=0.3)
        self.play(Write(formula))
        self.say("intro")
        self.wait(0.8)

        t = _Table(self, view, i)
        room = formula.get_bottom()[1] - 0.35 - (-config.frame_height / 2 + 1.1)
        # short sentences grow to fill the room (numbers then read at a distance), long ones shrink
        width = config.frame_width - 1.0
        t.layout.scale(min(1.5, width / t.layout.width, room / t.layout.height))
        t.layout.next_to(formula, DOWN, buff=0.35)

        # The values, one per key token
        self.play(FadeIn(t.labels), Create(t.values.matrix.get_brackets()), FadeIn(t.v_head))
        self.play(
            LaggedStart(*(FadeIn(t.vector_band(j)) for j in range(S)), lag_ratio=0.2), run_time=ride
        )
        self.say(f"values_{view.along}s")
        self.wait(0.8)

        # The weights of query i, one beside each value
        self.play(FadeIn(t.q_head))
        self.play(
            LaggedStart(
                *(FadeIn(VGroup(t.shades[j], t.weights[j])) for j in range(S)), lag_ratio=0.2
            ),
            run_time=ride,
        )
        self.say("weights", ("tokens", i))
        self.wait(1.2)

        # Each value scaled by its weight: the real products a_ij·v_jk replace the entries
        self.say("scale")
        self.play(
            *(TransformFromCopy(t.shades[j], t.bands[j]) for j in range(S)),
            *(ReplacementTransform(t.values.entries[rc], t.terms[rc]) for rc in t.terms),
            FadeTransform(t.v_head, t.scaled_head),
            run_time=1.8,
        )
        self.wait(1.2)

        # The scaled values poured into the output: every frame shows a real partial sum
        self.play(Create(t.rule), Create(t.out_box), FadeIn(t.out_label), FadeIn(t.out_dots))
        self.say("sum", ("tokens", i))
        outs = VGroup(*t.outs.values())  # showing the first partial sum: the first term
        self.play(FadeOut(t.terms_of(0).copy(), shift=t.drop(0)), FadeIn(outs), run_time=0.7)
        if S > 1:
            adding = min(0.4 * S + 0.6, 4.0)
            # term j lands just as the count reaches the partial sum that includes it
            self.play(
                *(
                    self.num.count_up(
                        n, f"{h}.output_partial", (i, k), rate_func=linear, run_time=adding
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

        # Every query at once: A·V (or V·A′), our output flying into its place
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
        whole.move_to(formula)
        product.next_to(whole, DOWN, buff=0.3)
        self.say("all_rows")
        landing, done = [], set()
        for (r, c), target in product.result.entries.items():
            q, k = product.result.index_of(r, c)
            if q == i and k in t.outs:
                landing.append(ReplacementTransform(t.outs.pop(k), target))
                done.add((r, c))
        # the table clears first, so that the output alone flies to its place in the product
        self.play(FadeOut(t.shown_except_outputs()), FadeTransform(formula, whole))
        self.play(
            FadeIn(product.shell()), *landing, *(FadeOut(n) for n in t.outs.values()), run_time=1.5
        )
        weights_matrix = product.right if view.columns else product.left
        shown = weights_matrix.col_ids if view.columns else weights_matrix.row_ids
        if i in shown:  # twelve tokens turned round: query i may sit behind the ⋯
            band = (lambda m: m.col_band(i)) if view.columns else (lambda m: m.row_band(i))
            boxes = [
                highlight(band(weights_matrix), ROLE["weights"]),
                highlight(band(product.result), ROLE["output"]),
            ]
            self.play(*(Create(b) for b in boxes))
            self.say(f"this_{view.along}")
            self.wait(1.2)
            self.play(*(FadeOut(b) for b in boxes), run_time=0.5)
        if len(done) < len(product.result.entries):  # one token: nothing else to fill
            fill_rest(
                self, product, done, run_time=min(2.5, 0.25 * len(product.result.row_ids) + 0.8)
            )
        self.say("mix")
        self.wait(2.0)

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
        left, right = view.factors(weights, values)
        names = view.factors(view.tex("A"), "V") + (_RESULT[view.columns],)
        roles = view.factors("weights", "V") + ("output",)
        return MatrixProduct(
            self.num,
            left,
            right,
            out,
            names,
            roles,
            tokens=("tokens", weights),
            height=config.frame_height - 3.4,
        )


class _Table:
    """One query's weighted sum laid out: key tokens, their weights, the value vectors (turned
    in the column convention), the scaled values that replace them and the output below (or
    beside). Everything is placed relative to the value matrix, then fitted as one group."""

    def __init__(self, scene: WeightedSum, view: Convention, i: int) -> None:
        num, h = scene.num, f"heads.{scene.head}"
        S = len(scene.trace.key_tokens)
        columns = view.columns
        # j runs along the table, a vector's components k run across it
        along, across = (RIGHT, DOWN) if columns else (DOWN, RIGHT)
        limit = scene.max_components
        values = TraceMatrix(
            num,
            f"{h}.V",
            role="V",
            transpose=view.turned(),
            dims=("S", "d_v"),
            max_rows=limit if columns else 12,
            max_cols=12 if columns else limit,
        )
        self.values = values
        self.vector_band = values.col_band if columns else values.row_band
        component_band = values.row_band if columns else values.col_band
        components = values.row_ids if columns else values.col_ids
        align_j = (lambda m, b: m.match_x(b)) if columns else (lambda m, b: m.match_y(b))
        self._along = along
        align_k = (lambda m, b: m.match_y(b)) if columns else (lambda m, b: m.match_x(b))

        # the weights a_ij, each in a cell shaded by its size (as in the attention grid)
        weights = lookup_array(scene.trace, f"{h}.weights")[i]
        self.weights = [num.value(f"{h}.weights", i, j, coloured=False) for j in range(S)]
        cell_w = max(w.width for w in self.weights) + 0.2
        cell_h = max(w.height for w in self.weights) + 0.18
        self.shades, self.bands = VGroup(), VGroup()
        for j, w in enumerate(self.weights):
            shade = RoundedRectangle(
                corner_radius=0.06,
                width=cell_w,
                height=cell_h,
                stroke_color=ROLE["weights"],
                stroke_width=1.5,
            )
            shade.set_fill(ROLE["weights"], opacity=self.opacity(weights[j]))
            shade.next_to(values.matrix, -across, buff=0.3)
            align_j(shade, self.vector_band(j))
            w.move_to(shade)
            self.shades.add(shade)
            # the same shade spread over the value it scales, behind the numbers
            band = SurroundingRectangle(
                self.vector_band(j), buff=0.04, corner_radius=0.06, stroke_width=0
            )
            band.set_fill(ROLE["weights"], opacity=0.5 * self.opacity(weights[j]))
            band.set_z_index(-1)
            self.bands.add(band)

        # the key tokens that name the values (and their weights)
        self.labels = token_labels(
            num, "key_tokens", ROLE["X"], font_size=LABEL_SIZE * 0.8, max_width=1.8
        )
        if columns:  # side by side: long words read bottom-up rather than collide
            turn_if_crowded(self.labels, values.col_pitch())
        for j, lab in enumerate(self.labels):
            lab.next_to(self.shades[j], -across, buff=0.2)
            align_j(lab, self.vector_band(j))

        # headings: the query whose weights these are, and what the vectors are
        size = LABEL_SIZE * 0.9
        self.q_head = num.token(i, font_size=size, color=ROLE["Q"])
        self.q_head.scale_to_fit_width(min(self.q_head.width, 2.0))
        self.q_head.next_to(self.shades, -along, buff=0.25)
        self.v_head = MathTex("v_j", font_size=size, color=ROLE["V"])
        self.scaled_head = MathTex(_SCALED[columns], font_size=size, color=ROLE["V"])
        for head in (self.v_head, self.scaled_head):
            head.next_to(values, -along, buff=0.25)

        # the scaled values a_ij·v_jk, each where its value stands
        self.terms = {}
        for (r, c), entry in values.entries.items():
            j, k = values.index_of(r, c)
            self.terms[(r, c)] = num.value(f"{h}.output_terms", i, k, j).move_to(entry)

        # the output of query i: its components under (or beside) the values
        self.outs, self.out_dots = {}, VGroup()
        for k in components:
            shown = (
                MathTex(r"\vdots" if columns else r"\cdots")
                if k is None
                else num.value(f"{h}.output_partial", i, k, 0)
            )
            shown.next_to(values, along, buff=0.6)
            align_k(shown, component_band(k))
            if k is None:
                self.out_dots.add(shown)
            else:
                self.outs[k] = shown
        row = VGroup(*self.outs.values(), self.out_dots)
        # the box spans the value entries, so that wider partial sums still fit inside it
        entries = VGroup(*values.matrix.get_entries())
        widest = max(m.width for m in entries)
        if columns:
            box_w, box_h = max(row.width, widest) + 0.3, entries.height + 0.24
        else:
            box_w, box_h = entries.width + 0.24, row.height + 0.24
        self.out_box = RoundedRectangle(
            corner_radius=0.08, width=box_w, height=box_h, color=ROLE["output"]
        )
        self.out_box.move_to(row)
        if columns:
            self.out_box.set_y(entries.get_y())
        else:
            self.out_box.set_x(entries.get_x())
        self.out_label = num.token(i, font_size=size, color=ROLE["output"])
        self.out_label.scale_to_fit_width(min(self.out_label.width, 2.0))
        self.out_label.next_to(self.out_box, -across, buff=0.25)
        # a rule like a written sum, across the weights and the values
        span = VGroup(self.shades, values)
        mid = (values.get_edge_center(along) + self.out_box.get_edge_center(-along)) / 2
        if columns:
            self.rule = Line(span.get_top(), span.get_bottom()).set_x(mid[0])
        else:
            self.rule = Line(span.get_left(), span.get_right()).set_y(mid[1])
        self.rule.set_stroke(MUTED, width=2)

        self.layout = VGroup(
            values,
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
        )

    @staticmethod
    def opacity(weight: float) -> float:
        # square root, as in the attention grid: small weights stay visible
        return 0.8 * min(max(float(weight), 0.0), 1.0) ** 0.5

    def terms_of(self, j: int) -> VGroup:
        """Value ``j`` scaled by its weight (its entries after the scaling beat)."""
        return VGroup(*(m for rc, m in self.terms.items() if self.values.index_of(*rc)[0] == j))

    def drop(self, j: int):
        """The shift that carries scaled value ``j`` onto the output."""
        return (self.out_box.get_center() - self.vector_band(j).get_center()) * abs(self._along)

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
        )
