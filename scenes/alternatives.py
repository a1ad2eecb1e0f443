"""Scene (T13): the choices inside attention, on the same tokens, with real values.

One query against every key, compared four ways (seeds 003, 004): the dot product, the scaled
dot product, the cosine and the additive score with its learned vector w_a. Then that layer's
own scores normalised two ways (seed 001): softmax, and ReLU, which Hung-yi Lee notes works too.
A frame marks the choice this lesson's layer actually made. Every value is a core study of the
trace's own queries and keys (qkv/studies.py); the scene only lays them out. One query against
every key is a single line in either convention, so it is drawn across in both.
"""

from __future__ import annotations

from collections.abc import Callable

from manim import (
    DOWN,
    DR,
    ORIGIN,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    LaggedStart,
    Line,
    MathTex,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    VGroup,
    VMobject,
    Write,
    config,
)

from qkv import lookup, lookup_array
from scenes.kit.base import LessonScene
from scenes.kit.style import FRAME_LINE, LABEL_SIZE, NUMBER_SIZE, ROLE
from scenes.kit.widgets import _elide, highlight, role_formula, token_labels, turn_if_crowded

__all__ = ["Alternatives"]

# Each similarity as a formula, (LaTeX part, role) in reading order; no digits.
_SIMILARITY = {
    "dot": (("q", "Q"), (r"\cdot", None), ("k", "K")),
    "scaled_dot": (("q", "Q"), (r"\cdot", None), ("k", "K"), (r"/\sqrt{d_k}", None)),
    "cosine": ((r"\cos(", None), ("q", "Q"), (",", None), ("k", "K"), (")", None)),
    "additive": (
        (r"w_a^{\top}", "learned"),
        (r"\tanh(", None),
        ("q", "Q"),
        ("+", None),
        ("k", "K"),
        (")", None),
    ),
}
KINDS = tuple(_SIMILARITY)  # table order: dot, scaled dot, cosine, additive
_NORMALISER = {"softmax": r"\mathrm{softmax}(s)_j", "relu": r"\mathrm{ReLU}(s_j)"}
# A row sum of each normaliser's weights, shown only once the core provides it (qkv/derived.py)
_SUM = {"softmax": "softmax_weights_sum", "relu": "relu_weights_sum"}

PITCH = 0.75  # between rows of the similarity table (scene units, before fitting), at least
BAR = 1.0  # the tallest bar of the weight charts, at least
GROWTH = 1.4  # how much a short sentence's layout may grow: more would look empty-handed


class Alternatives(LessonScene):
    captions = {
        "intro": {
            "en": 'One query, "{0}", against every key, compared in four ways',
            "zh": "同一个查询“{0}”，用四种方式去比较每个键",
            "ru": "Один запрос, «{0}», сравним с каждым ключом четырьмя способами",
        },
        "dot": {
            "en": "The dot product: it grows with the length of the vectors",
            "zh": "点积：向量越长，它就越大",
            "ru": "Скалярное произведение: растёт вместе с длиной векторов",
        },
        "scaled_dot": {
            "en": "The scaled dot product: the same, divided by the square root of the key size",
            "zh": "缩放点积：同样的点积，再除以键维度的平方根",
            "ru": "Масштабированное: то же, делённое на корень из размерности ключа",
        },
        "cosine": {
            "en": "The cosine sees only directions: it stays between minus one and one",
            "zh": "余弦只看方向：它总在负一到一之间",
            "ru": "Косинус видит только направления: он всегда между минус единицей и единицей",
        },
        "additive": {
            "en": "Additive: the tanh of their sum, scored by a learned vector",
            "zh": "加性：先相加再取 tanh，由一个学出来的向量打分",
            "ru": "Аддитивное: tanh их суммы, оценённый обучаемым вектором",
        },
        "additive_seeded": {
            "en": "Additive: the tanh of their sum, scored by a vector drawn at random here",
            "zh": "加性：先相加再取 tanh，由一个这里随机生成的向量打分",
            "ru": "Аддитивное: tanh их суммы, оценённый вектором, взятым здесь случайно",
        },
        "used_similarity": {
            "en": "The layer of this lesson compares in the framed way",
            "zh": "本课的注意力层用的是框出来的这一种",
            "ru": "Слой этого урока сравнивает выделенным способом",
        },
        "normalise": {
            "en": "Its scores become weights in two ways: softmax, or ReLU",
            "zh": "这些分数有两种方式变成权重：softmax，或者 ReLU",
            "ru": "Эти оценки становятся весами двумя способами: softmax или ReLU",
        },
        "softmax": {
            "en": "Softmax: every weight is positive, and together they add up to one",
            "zh": "softmax：每个权重都是正的，合起来等于一",
            "ru": "Softmax: все веса положительны и вместе дают единицу",
        },
        "relu": {
            "en": "ReLU: a negative score becomes zero, a positive one stays as it is",
            "zh": "ReLU：负的分数变成零，正的分数保持不变",
            "ru": "ReLU: отрицательная оценка становится нулём, положительная не меняется",
        },
        "relu_positive": {
            "en": "ReLU keeps a positive score as it is; a negative one would become zero",
            "zh": "ReLU 让正的分数保持不变；负的分数会变成零",
            "ru": "ReLU оставляет положительную оценку как есть; отрицательная стала бы нулём",
        },
        "relu_sum": {
            "en": "Nothing is divided, so the ReLU weights need not add up to one",
            "zh": "没有做除法，所以 ReLU 的权重加起来不一定等于一",
            "ru": "Деления нет, поэтому веса ReLU не обязаны давать в сумме единицу",
        },
        "used_normaliser": {
            "en": "Softmax is not the only choice; the layer of this lesson uses the framed one",
            "zh": "softmax 不是唯一的选择；本课的注意力层用的是框出来的这一种",
            "ru": "Softmax — не единственный выбор; слой этого урока использует выделенный",
        },
    }

    def construct(self) -> None:
        h = f"heads.{self.head}"
        own_sim = self.trace.config["similarity"]
        own_norm = self.trace.config["normaliser"]
        i = self.query()
        S = len(self.trace.key_tokens)
        size = NUMBER_SIZE

        # ---- every piece at scene size; columns shared by both halves ----
        # (built first, laid out once, so that the key tokens stay put between the halves)
        table = {
            kind: [self.num.value(f"{h}.sim_{kind}", i, j, font_size=size) for j in range(S)]
            for kind in KINDS
        }
        scores = [self.num.value(f"{h}.scaled", i, j, font_size=size) for j in range(S)]
        weights = {
            norm: [
                self.num.value(
                    f"{h}.{norm}_weights",
                    i,
                    j,
                    font_size=size,
                    coloured=False,
                    color=ROLE["weights"],
                )
                for j in range(S)
            ]
            for norm in _NORMALISER
        }
        sums = {
            norm: self.num.value(
                f"{h}.{key}", i, font_size=size, coloured=False, color=ROLE["weights"]
            )
            for norm, key in _SUM.items()
        }
        numbers = [m for row in (*table.values(), scores, *weights.values()) for m in row]
        cell = max(m.width for m in [*numbers, *sums.values()]) + 0.35  # one column's width
        keys = token_labels(
            self.num, "key_tokens", ROLE["K"], font_size=LABEL_SIZE * 0.8, max_width=1.8
        )
        # the factor by which all key tokens shrank if one was too long: the query's too
        shrink = keys[0].width / self.num.token(0, "key_tokens", font_size=LABEL_SIZE * 0.8).width

        labels = {kind: role_formula(_SIMILARITY[kind], LABEL_SIZE) for kind in KINDS}
        norm_labels = {
            norm: MathTex(tex, font_size=LABEL_SIZE, color=ROLE["weights"])
            for norm, tex in _NORMALISER.items()
        }
        label_w = max(m.width for m in [*labels.values(), *norm_labels.values()])

        # x of key column j; the labels end left of the first column
        def x(j: float) -> float:
            return label_w + 0.4 + cell * (j + 0.5)

        # Columns as wide as the key tokens when the frame has room, so that they need not turn
        # (turned, long words make a tall header that shrinks everything under it)
        slots = S + (0.75 if sums else 0)  # the key columns and the sums' narrower one
        flat = max(cell, max(lab.width for lab in keys) + 0.3)
        if label_w + 0.4 + flat * slots <= config.frame_width - 1.0:
            cell = flat
        # The key tokens over the columns, their bottoms on y = 0 (as over a token grid)
        turn_if_crowded(keys, cell if S > 1 else 0)
        for j, lab in enumerate(keys):
            lab.move_to(RIGHT * x(j), DOWN)
        # The query over the formulas, boxed, as large as the key tokens
        token = self.num.token(i, "tokens", font_size=LABEL_SIZE * 0.8, color=ROLE["Q"])
        token.scale(shrink)
        query = VGroup(
            SurroundingRectangle(
                token, color=ROLE["Q"], buff=0.12, corner_radius=0.08, stroke_width=2
            ),
            token,
        )
        query.move_to(RIGHT * label_w, DR)

        root, w_a = self.notes(h)
        notes = VGroup(root, w_a).arrange(RIGHT, buff=1.0)
        sigma = MathTex(r"\Sigma", font_size=LABEL_SIZE, color=ROLE["weights"])
        sigma.move_to(RIGHT * x(S + 0.25)).align_to(keys, DOWN)
        rows: dict[str, VGroup] = {}
        charts: dict[str, VGroup] = {}
        # both charts share one scale: the tallest weight of either gets the full bar
        top_of = {
            n: max(1e-9, lookup_array(self.trace, f"{h}.{n}_weights")[i].max()) for n in weights
        }
        top = max(top_of.values())
        alone = VGroup()

        def place(pitch: float, bar: float) -> tuple[VGroup, VGroup]:
            """Both halves at scene size under the key tokens, table rows ``pitch`` apart and
            bars up to ``bar`` tall."""
            # First half: a row per similarity, its formula at the left; below, √d_k and w_a
            for r, kind in enumerate(KINDS):
                y = -(0.45 + r * pitch)
                labels[kind].move_to(RIGHT * label_w + UP * y, RIGHT)
                for j, m in enumerate(table[kind]):
                    m.move_to(RIGHT * x(j) + UP * y)
                rows[kind] = VGroup(labels[kind], *table[kind])
            notes.next_to(VGroup(*rows.values()), DOWN, buff=0.5)
            # Second half: the layer's own scores, then each normaliser as bars over numbers
            for j, m in enumerate(scores):
                m.move_to(RIGHT * x(j) + DOWN * 0.45)
            for k, norm in enumerate(_NORMALISER):
                base = -0.95 - bar - k * (bar + 0.95)  # the bars' baseline
                y = base - 0.28  # the numbers under it
                for j, m in enumerate(weights[norm]):
                    m.move_to(RIGHT * x(j) + UP * y)
                norm_labels[norm].move_to(RIGHT * label_w + UP * y, RIGHT)
                charts[norm] = VGroup(
                    norm_labels[norm], self.bars(norm, i, base, bar / top, x, cell), *weights[norm]
                )
                if norm in sums:
                    sums[norm].move_to(RIGHT * x(S + 0.25) + UP * y)
                if norm == "softmax":  # the same chart to its own scale, while it is alone
                    alone.remove(*alone.submobjects)
                    alone.add(*self.bars(norm, i, base, bar / top_of["softmax"], x, cell))
            first = VGroup(query, keys, *rows.values(), notes)
            second = VGroup(
                query, keys, *scores, *charts.values(), *sums.values(), *([sigma] if sums else [])
            )
            return first, second

        # One scale for both halves, as large as the frame allows; then rows and bars spread
        # into any height left over (a long sentence is narrow: width sets its scale)
        room_w, room_h = config.frame_width - 1.0, config.frame_height - 1.55
        first, second = place(PITCH, BAR)
        factor = min(
            GROWTH,
            room_w / first.width,
            room_w / second.width,
            room_h / first.height,
            room_h / second.height,
        )
        pitch = min(1.4 * PITCH, PITCH + (room_h / factor - first.height) / 3)  # 3 row gaps
        bar = min(1.8 * BAR, BAR + (room_h / factor - second.height) / 2)  # 2 charts
        first, second = place(pitch, bar)
        world = VGroup(first, second, sigma, alone)
        world.scale(factor, about_point=ORIGIN)
        world.shift(
            RIGHT * -VGroup(first, second).get_center()[0]
            + UP * (config.frame_height / 2 - 0.45 - keys.get_top()[1])
        )

        # ---- first half: one query, four similarities ----
        self.play(FadeIn(query), FadeIn(keys))
        self.say("intro", ("tokens", i))
        self.wait(0.6)
        for kind in KINDS:
            extra = {"scaled_dot": [root], "additive": [w_a]}.get(kind, [])
            # w_a is the layer's own only if it scores additively; else the core seeds one
            own = self.trace.heads[self.head].w_a is not None
            self.say("additive_seeded" if kind == "additive" and not own else kind)
            self.play(
                Write(labels[kind]),
                self.lagged(table[kind]),
                *(FadeIn(m) for m in extra),
                run_time=1.0,
            )
            self.wait(1.6)
        used = self.frame(rows[own_sim])
        self.play(Create(used))
        self.say("used_similarity")
        self.wait(1.2)

        # ---- second half: the framed row's scores, normalised two ways ----
        # (the layer's scaled scores are its framed similarity: the same values, moved)
        others = [rows[k] for k in KINDS if k != own_sim]
        label = labels[own_sim]
        self.play(
            FadeOut(VGroup(*others, notes, used)),
            label.animate.move_to(RIGHT * label.get_right()[0] + UP * scores[0].get_y(), RIGHT),
            *(ReplacementTransform(a, b) for a, b in zip(table[own_sim], scores)),
            run_time=1.2,
        )
        self.say("normalise")
        self.wait(0.6)
        # softmax alone first, its bars to its own scale: beside ReLU's they may be tiny
        soft, relu = charts["softmax"], charts["relu"]
        self.say("softmax")
        self.play(
            Write(soft[0]), self.grow_bars(alone), self.lagged(weights["softmax"]), run_time=1.2
        )
        self.show_sum("softmax", sums, sigma)
        self.wait(1.6)
        # ReLU below, and both charts on one scale; each negative score framed with its zero
        scaled = lookup_array(self.trace, f"{h}.scaled")[i]
        negative = [j for j in range(S) if scaled[j] < 0]
        self.say("relu" if negative else "relu_positive")
        self.play(
            Write(relu[0]),
            self.grow_bars(relu[1]),
            self.lagged(weights["relu"]),
            ReplacementTransform(alone, soft[1]),
            run_time=1.2,
        )
        boxes = [highlight(m, ROLE["K"]) for j in negative for m in (scores[j], weights["relu"][j])]
        if boxes:
            self.play(*(Create(b) for b in boxes), run_time=0.8)
        self.wait(1.6)
        if boxes:
            self.play(*(FadeOut(b) for b in boxes), run_time=0.4)
        self.say("relu_sum")
        self.show_sum("relu", sums, sigma)
        self.wait(1.6)
        used = self.frame(charts[own_norm])
        self.play(Create(used))
        self.say("used_normaliser")
        self.wait(2.0)

    # -- beats --------------------------------------------------------------------------------

    def show_sum(self, norm: str, sums: dict, sigma: MathTex) -> None:
        """The row sum of one normaliser's weights."""
        shown = [sums[norm]] + ([sigma] if sigma not in self.mobjects else [])
        self.play(*(FadeIn(m) for m in shown), run_time=0.6)

    @staticmethod
    def frame(mob: VMobject) -> SurroundingRectangle:
        """The frame round the choice this lesson's layer made."""
        return SurroundingRectangle(mob, color=ROLE["weights"], buff=0.15, stroke_width=3)

    # -- pieces -------------------------------------------------------------------------------

    def query(self) -> int:
        """The query to follow (qkv/derived.py: the most decided; the last under a mask)."""
        return int(lookup(self.trace, f"heads.{self.head}.focus_query"))

    def notes(self, h: str) -> tuple[VGroup, VGroup]:
        """``√d_k = r`` and ``w_a = [ … ]``: the real divisor and the learned scoring vector."""
        size = NUMBER_SIZE
        root = VGroup(
            MathTex(r"\sqrt{d_k} =", font_size=LABEL_SIZE * 0.9),
            self.num.value("dims.sqrt_d_k", font_size=size, coloured=False),
        )
        root.arrange(RIGHT, buff=0.15)
        entries = [
            MathTex(r"\cdots", font_size=size)
            if m is None
            else self.num.value(f"{h}.w_a", m, font_size=size)
            for m in _elide(self.num.shape(f"{h}.w_a")[0], 8)
        ]
        w_a = VGroup(
            MathTex(r"w_a =", font_size=LABEL_SIZE * 0.9, color=ROLE["learned"]),
            MathTex("[", font_size=LABEL_SIZE, color=ROLE["learned"]),
            *entries,
            MathTex("]", font_size=LABEL_SIZE, color=ROLE["learned"]),
        )
        w_a.arrange(RIGHT, buff=0.15)
        return root, w_a

    def bars(
        self, norm: str, i: int, base: float, unit: float, x: Callable[[float], float], cell: float
    ) -> VGroup:
        """A baseline and one bar per key, ``unit`` tall per unit of weight."""
        values = lookup_array(self.trace, f"heads.{self.head}.{norm}_weights")[i]
        line = Line(
            RIGHT * x(-0.5) + UP * base,
            RIGHT * x(len(values) - 0.5) + UP * base,
            stroke_color=FRAME_LINE,
            stroke_width=2,
        )
        bars = VGroup(line)
        for j, w in enumerate(values):
            height = max(float(w) * unit, 1e-3)  # a zero weight: no bar on the baseline
            bar = Rectangle(width=min(cell * 0.55, 0.7), height=height, stroke_width=0)
            bar.set_fill(ROLE["weights"], opacity=0.85)
            bars.add(bar.move_to(RIGHT * x(j) + UP * base, DOWN))
        return bars

    # -- animation helpers --------------------------------------------------------------------

    def grow_bars(self, bars: VGroup) -> LaggedStart:
        """The baseline drawn, then the bars rising from it."""
        return LaggedStart(
            Create(bars[0]),
            *(FadeIn(b, shift=UP * 0.1) for b in bars[1:]),
            lag_ratio=self.lag(len(bars)),
        )

    @staticmethod
    def lag(n: int) -> float:
        return 0.6 / max(n, 1) ** 0.5  # more cells, less lag: a long row arrives in time

    def lagged(self, mobs: list[VMobject]) -> LaggedStart:
        return LaggedStart(*(FadeIn(m) for m in mobs), lag_ratio=self.lag(len(mobs)))
