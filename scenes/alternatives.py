"""Scene (T13): the choices inside attention, on the same tokens, with real values.

One query against every key, compared four ways (seeds 003, 004): the dot product, the scaled
dot product, the cosine and the additive score with its learned vector w_a. Then that layer's
own scores normalised two ways (seed 001): softmax, and ReLU, which Hung-yi Lee notes works too.
A frame marks the choice this lesson's layer actually made. Every value is a core study of the
trace's own queries and keys (qkv/studies.py); the scene only lays them out. One query against
every key is a single line in either convention, so it is drawn across in both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
from scenes.kit.layout import CONTENT_WIDTH, FRAME_TOP
from scenes.kit.provenance import TraceNumber
from scenes.kit.style import FRAME_LINE, LABEL_SIZE, NUMBER_SIZE, ROLE
from scenes.kit.widgets import (
    elided,
    highlight,
    lag_for,
    lagged,
    role_formula,
    token_labels,
    turn_if_crowded,
)

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
# One key's weight, the j-th entry, as each normaliser gives it: the charts' labels (not the
# function names of convention.NORMALISER_TEX)
_WEIGHT_J_TEX = {"softmax": r"\mathrm{softmax}(s)_j", "relu": r"\mathrm{ReLU}(s_j)"}
NORMALISERS = tuple(_WEIGHT_J_TEX)  # chart order: softmax, then ReLU
# The row sum of each normaliser's weights (qkv/derived.py)
_SUM = {"softmax": "softmax_weights_sum", "relu": "relu_weights_sum"}

PITCH = 0.75  # between rows of the similarity table (scene units, before fitting), at least
BAR = 1.0  # the tallest bar of the weight charts, at least
GROWTH = 1.4  # how much a short sentence's layout may grow: more would look empty-handed


@dataclass(frozen=True)
class Columns:
    """The table's columns: the formulas end at ``label_w``, then a column ``cell`` wide per key
    (and a narrower one for the sums)."""

    label_w: float
    cell: float

    def x(self, j: float) -> float:
        """The x of key column ``j``."""
        return self.label_w + 0.4 + self.cell * (j + 0.5)


@dataclass
class Board:
    """What the beats hand on: every piece of both halves, built and laid out once so that the
    key tokens stay put between them, and the frame round the layer's own choice."""

    i: int  # the query followed
    query: VGroup  # its token, boxed, over the formulas
    keys: VGroup  # the key tokens over the columns
    labels: dict[str, MathTex]  # each similarity's formula, at its row's left
    table: dict[str, list[TraceNumber]]  # each similarity: the query against every key
    root: VGroup  # √d_k = r
    w_a: VGroup  # w_a = [ … ]
    notes: VGroup  # both, under the table
    scores: list[TraceNumber]  # the layer's own scores, the second half's first line
    norm_labels: dict[str, MathTex]  # each chart's label
    weights: dict[str, list[TraceNumber]]  # each normaliser's weights
    sums: dict[str, TraceNumber]  # each normaliser's row sum
    sigma: MathTex  # Σ over the sums
    alone: VGroup = field(default_factory=VGroup)  # softmax's bars to its own scale, while alone
    rows: dict[str, VGroup] = field(default_factory=dict)  # a similarity's formula and numbers
    charts: dict[str, VGroup] = field(default_factory=dict)  # label, bars and weights
    used: VMobject | None = None  # the frame round the similarity the layer uses


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
        """One query against every key compared four ways, the layer's own framed; then the
        layer's scores normalised two ways, its own framed."""
        board = self.lay_out_both_halves()
        self.one_query_every_key(board)
        for kind in KINDS:
            self.compare_one_way(board, kind)
        self.frame_the_layer_similarity(board)
        self.keep_the_layer_scores(board)
        self.normalise_with_softmax(board)
        self.normalise_with_relu(board)
        self.relu_weights_need_not_add_to_one(board)
        self.frame_the_layer_normaliser(board)

    # -- first half: one query, four similarities ---------------------------------------------

    def one_query_every_key(self, board: Board) -> None:
        """The query over the formulas, the keys over the columns."""
        self.play(FadeIn(board.query), FadeIn(board.keys))
        self.say("intro", ("tokens", board.i))
        self.wait(0.6)

    def compare_one_way(self, board: Board, kind: str) -> None:
        """One similarity's row: its formula and the query's score against every key."""
        extra = {"scaled_dot": [board.root], "additive": [board.w_a]}.get(kind, [])
        # w_a is the layer's own only if it scores additively; else the core seeds one
        own = self.trace.heads[self.head].w_a is not None
        self.say(
            {
                "dot": "dot",
                "scaled_dot": "scaled_dot",
                "cosine": "cosine",
                "additive": "additive" if own else "additive_seeded",
            }[kind]
        )
        self.play(
            Write(board.labels[kind]),
            lagged(board.table[kind]),
            *(FadeIn(m) for m in extra),
            run_time=1.0,
        )
        self.wait(1.6)

    def frame_the_layer_similarity(self, board: Board) -> None:
        """The frame round the way this lesson's layer compares."""
        board.used = self.frame(board.rows[self.trace.config["similarity"]])
        self.play(Create(board.used))
        self.say("used_similarity")
        self.wait(1.2)

    # -- second half: the framed row's scores, normalised two ways ----------------------------

    def keep_the_layer_scores(self, board: Board) -> None:
        """The other rows go; the framed row's numbers move to the scores' line (the layer's
        scaled scores are its framed similarity: the same values, moved)."""
        own_sim = self.trace.config["similarity"]
        others = [board.rows[k] for k in KINDS if k != own_sim]
        label = board.labels[own_sim]
        self.play(
            FadeOut(VGroup(*others, board.notes, board.used)),
            label.animate.move_to(
                RIGHT * label.get_right()[0] + UP * board.scores[0].get_y(), RIGHT
            ),
            *(
                ReplacementTransform(a, b)
                for a, b in zip(board.table[own_sim], board.scores, strict=True)
            ),
            run_time=1.2,
        )
        self.say("normalise")
        self.wait(0.6)

    def normalise_with_softmax(self, board: Board) -> None:
        """Softmax alone first, its bars to its own scale: beside ReLU's they may be tiny."""
        self.say("softmax")
        self.play(
            Write(board.charts["softmax"][0]),
            self.grow_bars(board.alone),
            lagged(board.weights["softmax"]),
            run_time=1.2,
        )
        self.show_sum(board, "softmax")
        self.wait(1.6)

    def normalise_with_relu(self, board: Board) -> None:
        """ReLU below, and both charts on one scale; each negative score framed with its zero."""
        soft, relu = board.charts["softmax"], board.charts["relu"]
        scaled = lookup_array(self.trace, f"heads.{self.head}.scaled")[board.i]
        negative = [j for j in range(len(scaled)) if scaled[j] < 0]
        self.say("relu" if negative else "relu_positive")
        self.play(
            Write(relu[0]),
            self.grow_bars(relu[1]),
            lagged(board.weights["relu"]),
            ReplacementTransform(board.alone, soft[1]),
            run_time=1.2,
        )
        boxes = [
            highlight(m, ROLE["K"])
            for j in negative
            for m in (board.scores[j], board.weights["relu"][j])
        ]
        if boxes:
            self.play(*(Create(b) for b in boxes), run_time=0.8)
        self.wait(1.6)
        if boxes:
            self.play(*(FadeOut(b) for b in boxes), run_time=0.4)

    def relu_weights_need_not_add_to_one(self, board: Board) -> None:
        """Nothing is divided: the ReLU weights' sum."""
        self.say("relu_sum")
        self.show_sum(board, "relu")
        self.wait(1.6)

    def frame_the_layer_normaliser(self, board: Board) -> None:
        """The frame round the normaliser this lesson's layer uses."""
        used = self.frame(board.charts[self.trace.config["normaliser"]])
        self.play(Create(used))
        self.say("used_normaliser")
        self.wait(2.0)

    def show_sum(self, board: Board, norm: str) -> None:
        """The row sum of one normaliser's weights (and Σ over them, the first time)."""
        shown = [board.sums[norm]] + ([board.sigma] if board.sigma not in self.mobjects else [])
        self.play(*(FadeIn(m) for m in shown), run_time=0.6)

    @staticmethod
    def frame(mob: VMobject) -> SurroundingRectangle:
        """The frame round the choice this lesson's layer made."""
        return SurroundingRectangle(mob, color=ROLE["weights"], buff=0.15, stroke_width=3)

    # -- layout -------------------------------------------------------------------------------

    def lay_out_both_halves(self) -> Board:
        """Every piece placed for both halves: one scale for both, as large as the frame allows;
        then rows and bars spread into any height left over (a long sentence is narrow: width
        sets its scale)."""
        board, columns = self.make_pieces()
        room_w, room_h = CONTENT_WIDTH, config.frame_height - 1.55
        first, second = self.place(board, columns, PITCH, BAR)
        factor = min(
            GROWTH,
            room_w / first.width,
            room_w / second.width,
            room_h / first.height,
            room_h / second.height,
        )
        pitch = min(1.4 * PITCH, PITCH + (room_h / factor - first.height) / 3)  # 3 row gaps
        bar = min(1.8 * BAR, BAR + (room_h / factor - second.height) / 2)  # 2 charts
        first, second = self.place(board, columns, pitch, bar)
        world = VGroup(first, second, board.sigma, board.alone)
        world.scale(factor, about_point=ORIGIN)
        world.shift(
            RIGHT * -VGroup(first, second).get_center()[0]
            + UP * (FRAME_TOP - 0.45 - board.keys.get_top()[1])
        )
        return board

    def make_pieces(self) -> tuple[Board, Columns]:
        """Every piece at scene size, the columns they share, and the query and key tokens
        already in place over them (the key tokens' bottoms on y = 0, as over a token grid)."""
        i, S = self.query(), len(self.trace.key_tokens)
        table, scores, weights, sums = self.numbers_of(i)
        keys = token_labels(
            self.num, "key_tokens", ROLE["K"], font_size=LABEL_SIZE * 0.8, max_width=1.8
        )
        # the factor by which all key tokens shrank if one was too long: the query's too
        shrink = keys[0].width / self.num.token(0, "key_tokens", font_size=LABEL_SIZE * 0.8).width
        labels = {kind: role_formula(_SIMILARITY[kind], LABEL_SIZE) for kind in KINDS}
        norm_labels = {
            norm: MathTex(tex, font_size=LABEL_SIZE, color=ROLE["weights"])
            for norm, tex in _WEIGHT_J_TEX.items()
        }
        numbers = [m for row in (*table.values(), scores, *weights.values()) for m in row]
        columns = self.columns(
            [*numbers, *sums.values()], keys, [*labels.values(), *norm_labels.values()]
        )
        turn_if_crowded(keys, columns.cell if S > 1 else 0)
        for j, lab in enumerate(keys):
            lab.move_to(RIGHT * columns.x(j), DOWN)
        root, w_a = self.notes()
        sigma = MathTex(r"\Sigma", font_size=LABEL_SIZE, color=ROLE["weights"])
        sigma.move_to(RIGHT * columns.x(S + 0.25)).align_to(keys, DOWN)
        board = Board(
            i=i,
            query=self.boxed_query(i, shrink, columns.label_w),
            keys=keys,
            labels=labels,
            table=table,
            root=root,
            w_a=w_a,
            notes=VGroup(root, w_a).arrange(RIGHT, buff=1.0),
            scores=scores,
            norm_labels=norm_labels,
            weights=weights,
            sums=sums,
            sigma=sigma,
        )
        return board, columns

    def numbers_of(
        self, i: int
    ) -> tuple[
        dict[str, list[TraceNumber]],
        list[TraceNumber],
        dict[str, list[TraceNumber]],
        dict[str, TraceNumber],
    ]:
        """Query ``i``'s numbers: each similarity against every key, the layer's scores, each
        normaliser's weights and their sum."""
        h, S, size = f"heads.{self.head}", len(self.trace.key_tokens), NUMBER_SIZE
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
            for norm in NORMALISERS
        }
        sums = {
            norm: self.num.value(
                f"{h}.{key}", i, font_size=size, coloured=False, color=ROLE["weights"]
            )
            for norm, key in _SUM.items()
        }
        return table, scores, weights, sums

    @staticmethod
    def columns(numbers: list[VMobject], keys: VGroup, formulas: list[VMobject]) -> Columns:
        """Columns as wide as the widest number; as wide as the key tokens when the frame has
        room, so that they need not turn (turned, long words make a tall header that shrinks
        everything under it)."""
        cell = max(m.width for m in numbers) + 0.35  # one column's width
        label_w = max(m.width for m in formulas)  # the labels end left of the first column
        slots = len(keys) + 0.75  # the key columns and the sums' narrower one
        flat = max(cell, max(lab.width for lab in keys) + 0.3)
        if label_w + 0.4 + flat * slots <= CONTENT_WIDTH:
            cell = flat
        return Columns(label_w, cell)

    def boxed_query(self, i: int, shrink: float, label_w: float) -> VGroup:
        """The query over the formulas, boxed, as large as the key tokens."""
        token = self.num.token(i, "tokens", font_size=LABEL_SIZE * 0.8, color=ROLE["Q"])
        token.scale(shrink)
        query = VGroup(
            SurroundingRectangle(
                token, color=ROLE["Q"], buff=0.12, corner_radius=0.08, stroke_width=2
            ),
            token,
        )
        return query.move_to(RIGHT * label_w, DR)

    def place(
        self, board: Board, columns: Columns, pitch: float, bar: float
    ) -> tuple[VGroup, VGroup]:
        """Both halves at scene size under the key tokens, table rows ``pitch`` apart and bars
        up to ``bar`` tall."""
        x, label_w, i, S = columns.x, columns.label_w, board.i, len(board.keys)
        # First half: a row per similarity, its formula at the left; below, √d_k and w_a
        for r, kind in enumerate(KINDS):
            y = -(0.45 + r * pitch)
            board.labels[kind].move_to(RIGHT * label_w + UP * y, RIGHT)
            for j, m in enumerate(board.table[kind]):
                m.move_to(RIGHT * x(j) + UP * y)
            board.rows[kind] = VGroup(board.labels[kind], *board.table[kind])
        board.notes.next_to(VGroup(*board.rows.values()), DOWN, buff=0.5)
        # Second half: the layer's own scores, then each normaliser as bars over numbers
        for j, m in enumerate(board.scores):
            m.move_to(RIGHT * x(j) + DOWN * 0.45)
        # both charts share one scale: the tallest weight of either gets the full bar
        top_of = {n: self.tallest(i, n) for n in NORMALISERS}
        top = max(top_of.values())
        for k, norm in enumerate(NORMALISERS):
            base = -0.95 - bar - k * (bar + 0.95)  # the bars' baseline
            y = base - 0.28  # the numbers under it
            for j, m in enumerate(board.weights[norm]):
                m.move_to(RIGHT * x(j) + UP * y)
            board.norm_labels[norm].move_to(RIGHT * label_w + UP * y, RIGHT)
            board.charts[norm] = VGroup(
                board.norm_labels[norm],
                self.bars(norm, i, base, bar / top, columns),
                *board.weights[norm],
            )
            board.sums[norm].move_to(RIGHT * x(S + 0.25) + UP * y)
            if norm == "softmax":  # the same chart to its own scale, while it is alone
                board.alone.remove(*board.alone.submobjects)
                board.alone.add(*self.bars(norm, i, base, bar / top_of["softmax"], columns))
        first = VGroup(board.query, board.keys, *board.rows.values(), board.notes)
        second = VGroup(
            board.query,
            board.keys,
            *board.scores,
            *board.charts.values(),
            *board.sums.values(),
            board.sigma,
        )
        return first, second

    # -- pieces -------------------------------------------------------------------------------

    def query(self) -> int:
        """The query to follow (qkv/derived.py: the most decided; the last under a mask)."""
        return int(lookup(self.trace, f"heads.{self.head}.focus_query"))

    def tallest(self, i: int, norm: str) -> float:
        """Query ``i``'s largest weight under ``norm`` (never zero: it divides)."""
        return max(1e-9, lookup_array(self.trace, f"heads.{self.head}.{norm}_weights")[i].max())

    def notes(self) -> tuple[VGroup, VGroup]:
        """``√d_k = r`` and ``w_a = [ … ]``: the real divisor and the learned scoring vector."""
        h, size = f"heads.{self.head}", NUMBER_SIZE
        root = VGroup(
            MathTex(r"\sqrt{d_k} =", font_size=LABEL_SIZE * 0.9),
            self.num.value("dims.sqrt_d_k", font_size=size, coloured=False),
        )
        root.arrange(RIGHT, buff=0.15)
        entries = [
            MathTex(r"\cdots", font_size=size)
            if m is None
            else self.num.value(f"{h}.w_a", m, font_size=size)
            for m in elided(self.num.shape(f"{h}.w_a")[0], 8)
        ]
        w_a = VGroup(
            MathTex(r"w_a =", font_size=LABEL_SIZE * 0.9, color=ROLE["learned"]),
            MathTex("[", font_size=LABEL_SIZE, color=ROLE["learned"]),
            *entries,
            MathTex("]", font_size=LABEL_SIZE, color=ROLE["learned"]),
        )
        w_a.arrange(RIGHT, buff=0.15)
        return root, w_a

    def bars(self, norm: str, i: int, base: float, unit: float, columns: Columns) -> VGroup:
        """A baseline and one bar per key, ``unit`` tall per unit of weight."""
        x = columns.x
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
            bar = Rectangle(width=min(columns.cell * 0.55, 0.7), height=height, stroke_width=0)
            bar.set_fill(ROLE["weights"], opacity=0.85)
            bars.add(bar.move_to(RIGHT * x(j) + UP * base, DOWN))
        return bars

    # -- animation helpers --------------------------------------------------------------------

    def grow_bars(self, bars: VGroup) -> LaggedStart:
        """The baseline drawn, then the bars rising from it."""
        return LaggedStart(
            Create(bars[0]),
            *(FadeIn(b, shift=UP * 0.1) for b in bars[1:]),
            lag_ratio=lag_for(len(bars)),
        )
