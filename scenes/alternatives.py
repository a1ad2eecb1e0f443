"""Scene (T13): the choices inside attention, on the same tokens, with real values.

One query against every key, compared four ways (seeds 003, 004): the dot product, the scaled
dot product, the cosine and the additive score with its vector w_a. Then that layer's own scores
normalised two ways (seed 001): softmax, and ReLU, which Hung-yi Lee notes works too. A frame
marks the choice this lesson's layer actually made. Every value is a core study of the trace's
own queries and keys (qkv/studies): the scene only lays them out.

Each way is a group of bars side by side with the others, one bar per key, its number beside
it: the keys are the rows, the same for every group, so a key's row reads across the choices.
One query against every key is a single line in either convention, so it is drawn down the
rows in both. The dot product and its scaled form share one scale (the scaled bars are the same
bars, shorter); the layer's scores and their ReLU share one too (a positive score is its own
ReLU weight, a bar of the same length).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from manim import (
    LEFT,
    RIGHT,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    GrowFromEdge,
    LaggedStart,
    Line,
    MathTex,
    ReplacementTransform,
    SurroundingRectangle,
    VGroup,
    VMobject,
    Write,
)

from qkv import lookup, lookup_array
from scenes.kit.base import LessonScene
from scenes.kit.layout import CAPTION_TOP, CONTENT_WIDTH, FRAME_TOP
from scenes.kit.roadmap import MAP_STRIP
from scenes.kit.style import FRAME_LINE, LABEL_SIZE, NUMBER_SIZE, ROLE
from scenes.kit.widgets import elided, fit, highlight, lag_for, lagged, role_formula, token_labels

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
KINDS = tuple(_SIMILARITY)  # group order: dot, scaled dot, cosine, additive
# One key's weight, the j-th entry, as each normaliser gives it (the groups' headers)
_WEIGHT_J_TEX = {"softmax": r"\mathrm{softmax}(s)_j", "relu": r"\mathrm{ReLU}(s_j)"}
NORMALISERS = tuple(_WEIGHT_J_TEX)  # softmax, then ReLU

# The content area: under the frame's top strip, above the caption band.
TOP = FRAME_TOP - MAP_STRIP - 0.05
BOTTOM = CAPTION_TOP + 0.15
LEFT_X = -CONTENT_WIDTH / 2
HEAD = 0.8  # the header band (formulas, the query) over the rows, at size one
FOOT = 0.75  # the band under the rows (√d_k and w_a; the weights' sums), at size one
GAP = 0.5  # between two groups
NUMBER_GAP = 0.2  # between a group's bars and its numbers
PITCH = 1.15  # the rows' pitch at most
SOLO_BAR = 1.0  # a single key's bar thickness: its row is the whole height


@dataclass(frozen=True)
class Sheet:
    """Where things go: the rows' y, the label column's right edge, the size factor (larger
    for a few keys), the pitch."""

    rows: tuple[float, ...]
    label_right: float
    size: float
    pitch: float
    thickness: float  # the bars'

    @property
    def header_y(self) -> float:
        return self.rows[0] + self.pitch / 2 + HEAD * self.size / 2

    @property
    def foot_y(self) -> float:
        return self.rows[-1] - self.pitch / 2 - FOOT * self.size / 2

    def slot(self, k: int, n: int) -> tuple[float, float]:
        """Left and right x of group ``k`` of ``n`` side by side."""
        start = self.label_right + GAP
        width = (CONTENT_WIDTH / 2 - start - (n - 1) * GAP) / n
        left = start + k * (width + GAP)
        return left, left + width


@dataclass
class Group:
    """One way of turning the query's line into numbers: a header, a zero line, and one bar
    and one number per key (for weights, also their sum Σ under them)."""

    header: VMobject
    zero: Line
    bars: list
    numbers: list
    total: VGroup = field(default_factory=VGroup)

    @property
    def whole(self) -> VGroup:
        return VGroup(self.header, self.zero, *self.bars, *self.numbers, self.total)

    def body(self) -> VGroup:
        """All but the sum."""
        return VGroup(self.header, self.zero, *self.bars, *self.numbers)

    def row(self, j: int) -> VGroup:
        return VGroup(self.bars[j], self.numbers[j])


@dataclass
class Half:
    """One half of the scene as laid out: the query over the key tokens, and its groups."""

    query: VGroup
    keys: VGroup
    groups: dict[str, Group]
    notes: dict[str, VMobject] = field(default_factory=dict)  # √d_k and w_a, under their groups

    def picture(self) -> VGroup:
        return VGroup(
            self.query,
            self.keys,
            *(g.whole for g in self.groups.values()),
            *self.notes.values(),
        )


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
            "en": "Scaled: the same bars, divided by the root of the key size",
            "zh": "缩放点积：同样的柱，除以键维度的平方根",
            "ru": "Масштабированное: те же столбцы, делённые на корень из размерности ключа",
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
            "en": "These scores s become weights in two ways: softmax, or ReLU",
            "zh": "这些分数 s 有两种方式变成权重：softmax，或者 ReLU",
            "ru": "Эти оценки s становятся весами двумя способами: softmax или ReLU",
        },
        "softmax": {
            "en": "Softmax: no weight is negative, and together they add up to one",
            "zh": "softmax：没有负的权重，合起来等于一",
            "ru": "Softmax: отрицательных весов нет, и вместе они дают единицу",
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
            "en": "Softmax is not the only choice; this lesson's layer uses the framed one",
            "zh": "softmax 不是唯一的选择；本课的注意力层用的是框出来的这一种",
            "ru": "Softmax — не единственный выбор; слой этого урока использует выделенный",
        },
    }

    def construct(self) -> None:
        """One query against every key compared four ways, the layer's own framed; then the
        layer's scores normalised two ways, its own framed."""
        first, second = self.first_half(), self.second_half()
        self.one_query_every_key(first)
        for kind in KINDS:
            self.compare_one_way(first, kind)
        used = self.frame_the_layer_similarity(first)
        self.keep_the_layer_scores(first, second, used)
        self.normalise_with_softmax(second)
        self.normalise_with_relu(second)
        self.relu_weights_need_not_add_to_one(second)
        self.frame_the_layer_normaliser(second)
        self.end_on(self.closing_picture())

    def closing_picture(self) -> VGroup:
        """The layer's scores beside their softmax and ReLU weights, with their sums; the
        layer's normaliser framed."""
        second = self.second_half()
        return VGroup(second.picture(), self.used_frame(second))

    # -- first half: one query, four similarities ---------------------------------------------

    def one_query_every_key(self, half: Half) -> None:
        """The query over the key tokens, a row per key."""
        self.play(FadeIn(half.query), lagged(half.keys))
        self.say("intro", ("tokens", self.query()))
        self.wait(0.4)

    def compare_one_way(self, half: Half, kind: str) -> None:
        """One similarity's group: its formula, a bar and the number per key."""
        # w_a is the layer's own only if it scores additively; else the core seeds one
        own = self.trace.heads[self.head].w_a is not None
        self.say({"additive": "additive" if own else "additive_seeded"}.get(kind, kind))
        group = half.groups[kind]
        self.play(
            Write(group.header),
            *self.grow(group),
            *([FadeIn(half.notes[kind])] if kind in half.notes else []),
            run_time=1.2,
        )
        self.wait(1.0)

    def frame_the_layer_similarity(self, half: Half) -> VMobject:
        """The frame round the way this lesson's layer compares."""
        used = self.frame(half.groups[self.trace.config["similarity"]].body())
        self.play(Create(used))
        self.say("used_similarity")
        self.wait(0.8)
        return used

    # -- second half: the framed group's scores, normalised two ways ---------------------------

    def keep_the_layer_scores(self, first: Half, second: Half, used: VMobject) -> None:
        """The other groups go; the framed one moves to the front as the scores s (the layer's
        scaled scores are its framed similarity: the same values, moved, never morphed)."""
        own = self.trace.config["similarity"]
        gone = [first.groups[k].whole for k in KINDS if k != own]
        self.play(FadeOut(VGroup(*gone, *first.notes.values(), used)), run_time=0.6)
        old, new = first.groups[own], second.groups["scores"]
        self.say("normalise")
        self.play(
            FadeTransform(old.header, new.header),
            ReplacementTransform(old.zero, new.zero),
            *(ReplacementTransform(a, b) for a, b in zip(old.bars, new.bars, strict=True)),
            *(ReplacementTransform(a, b) for a, b in zip(old.numbers, new.numbers, strict=True)),
            run_time=1.2,
        )
        self.wait(0.4)

    def normalise_with_softmax(self, half: Half) -> None:
        """Softmax's weights beside the scores, and their sum."""
        group = half.groups["softmax"]
        self.say("softmax")
        self.play(Write(group.header), *self.grow(group), run_time=1.2)
        self.play(FadeIn(group.total), run_time=0.6)
        self.wait(1.0)

    def normalise_with_relu(self, half: Half) -> None:
        """ReLU's weights, to the scores' own scale; the most negative score's row framed
        across the groups: a small softmax weight, a ReLU zero."""
        group, j = half.groups["relu"], self.most_negative()
        self.say("relu" if j is not None else "relu_positive")
        self.play(Write(group.header), *self.grow(group), run_time=1.2)
        if j is not None:
            row = highlight(self.key_row(half, j), ROLE["K"], buff=0.08)
            self.play(Create(row), run_time=0.6)
            self.hold()
            self.play(FadeOut(row), run_time=0.4)
        else:
            self.wait(1.0)

    def relu_weights_need_not_add_to_one(self, half: Half) -> None:
        """Nothing is divided: the ReLU weights' sum."""
        self.say("relu_sum")
        self.play(FadeIn(half.groups["relu"].total), run_time=0.6)
        self.wait(1.4)

    def frame_the_layer_normaliser(self, half: Half) -> None:
        """The frame round the normaliser this lesson's layer uses."""
        self.play(Create(self.used_frame(half)))
        self.say("used_normaliser")
        self.wait(1.2)

    # -- the halves -----------------------------------------------------------------------------

    def first_half(self) -> Half:
        """The four similarities, side by side; √d_k and w_a under their groups."""
        sheet, i, h = self.sheet(), self.query(), f"heads.{self.head}"
        # the dot product and its scaled form share the dot product's scale
        dot = lookup_array(self.trace, f"{h}.sim_dot")[i]
        groups = {}
        for k, kind in enumerate(KINDS):
            scale_of = dot if kind in ("dot", "scaled_dot") else None
            groups[kind] = self.group(
                sheet,
                sheet.slot(k, len(KINDS)),
                f"{h}.sim_{kind}",
                role_formula(_SIMILARITY[kind], LABEL_SIZE * sheet.size),
                scale_of=scale_of,
            )
        notes = dict(zip(("scaled_dot", "additive"), self.notes(sheet), strict=True))
        for kind, note in notes.items():
            left, right = sheet.slot(KINDS.index(kind), len(KINDS))
            fit(note, right - left, FOOT * sheet.size * 0.7)
            note.move_to([(left + right) / 2, sheet.foot_y, 0])
        return Half(self.query_box(sheet), self.key_labels(sheet), groups, notes)

    def second_half(self) -> Half:
        """The layer's scores s, then softmax's and ReLU's weights of them, each with its sum;
        ReLU to the scores' scale."""
        sheet, i, h = self.sheet(), self.query(), f"heads.{self.head}"
        own = self.trace.config["similarity"]
        scores = lookup_array(self.trace, f"{h}.sim_{own}")[i]
        parts = ((r"s_j =", None), *_SIMILARITY[own])
        groups = {
            "scores": self.group(
                sheet,
                sheet.slot(0, 3),
                f"{h}.sim_{own}",
                role_formula(parts, LABEL_SIZE * sheet.size),
                scale_of=scores,
            )
        }
        for k, norm in enumerate(NORMALISERS, start=1):
            header = MathTex(_WEIGHT_J_TEX[norm], font_size=LABEL_SIZE * sheet.size)
            groups[norm] = self.group(
                sheet,
                sheet.slot(k, 3),
                f"{h}.{norm}_weights",
                header.set_color(ROLE["weights"]),
                scale_of=scores if norm == "relu" else None,
                weights=True,
            )
            groups[norm].total = self.total(sheet, groups[norm], f"{h}.{norm}_weights")
        return Half(self.query_box(sheet), self.key_labels(sheet), groups)

    def group(
        self,
        sheet: Sheet,
        slot: tuple[float, float],
        key: str,
        header: VMobject,
        *,
        scale_of: np.ndarray | None = None,
        weights: bool = False,
    ) -> Group:
        """The query's line of ``key`` in one slot: a bar per key from a zero line, the
        numbers in a column at the slot's right. ``scale_of``: the values whose reach sets the
        bars' scale (the group's own, if None)."""
        i, left, right = self.query(), *slot
        size = NUMBER_SIZE * sheet.size
        colour = {"coloured": False, "color": ROLE["weights"]} if weights else {}
        numbers = [
            self.num.value(key, i, j, font_size=size, **colour) for j in range(len(sheet.rows))
        ]
        for m, y in zip(numbers, sheet.rows, strict=True):
            m.move_to([right, y, 0], RIGHT)
        width = right - left - NUMBER_GAP - max(m.width for m in numbers)
        own = lookup_array(self.trace, key)[i]
        reach = own if scale_of is None else scale_of
        below, above = max(0.0, -float(reach.min())), max(0.0, float(reach.max()))
        unit = width / max(below + above, 1e-9)
        zero_x = left + max(0.0, -float(own.min())) * unit  # room left of it for its negatives
        fill = ROLE["weights"] if weights else None  # weights orange, scores by sign
        bars = [
            self.num.bar(key, i, j, unit=unit, thickness=sheet.thickness, colour=fill).on(
                [zero_x, y, 0]
            )
            for j, y in enumerate(sheet.rows)
        ]
        half_pitch = sheet.pitch * 0.45
        zero = Line(
            [zero_x, sheet.rows[0] + half_pitch, 0],
            [zero_x, sheet.rows[-1] - half_pitch, 0],
            stroke_color=FRAME_LINE,
            stroke_width=2,
        )
        fit(header, right - left, HEAD * sheet.size * 0.75)
        header.move_to([(left + right) / 2, sheet.header_y, 0])
        return Group(header, zero, bars, numbers)

    def total(self, sheet: Sheet, group: Group, key: str) -> VGroup:
        """``Σ = 1.00`` under a column of weights (≈ when the shown weights do not add up to
        the shown sum), a rule over it as under a written sum."""
        i, S = self.query(), len(sheet.rows)
        size = NUMBER_SIZE * sheet.size
        total = self.num.value(f"{key}_sum", i, font_size=size, coloured=False)
        total.set_color(ROLE["weights"])
        sign = self.num.relation(
            terms=[(key, (i, j)) for j in range(S)], total=(f"{key}_sum", (i,)), font_size=size
        )
        sigma = MathTex(r"\Sigma", font_size=size * 1.1, color=ROLE["weights"])
        line = VGroup(sigma, sign, total).arrange(RIGHT, buff=0.12)
        column = VGroup(*group.numbers)
        line.move_to([column.get_right()[0], sheet.foot_y - 0.05, 0], RIGHT)
        rule = Line(
            [column.get_left()[0] - 0.05, 0, 0],
            [column.get_right()[0] + 0.05, 0, 0],
            stroke_color=FRAME_LINE,
            stroke_width=2,
        ).set_y(line.get_top()[1] + 0.18)
        return VGroup(rule, line)

    def sheet(self) -> Sheet:
        """The rows as large as the frame allows: a pitch per key (more for a few), and the
        size factor of every text and number with it. A single key's row takes all the height
        between the headers and the sums, and a thicker bar."""
        S = len(self.trace.key_tokens)
        room = TOP - BOTTOM
        size = float(np.clip(min(PITCH, (room - HEAD - FOOT) / S) / 0.6, 1.0, 1.3))
        pitch = (room - (HEAD + FOOT) * size) / S
        if S > 1:
            pitch = min(PITCH, pitch)
        block = (HEAD + FOOT) * size + S * pitch
        first_y = TOP - (room - block) / 2 - HEAD * size - pitch / 2
        rows = tuple(first_y - j * pitch for j in range(S))
        probe = self.key_labels_at(size)
        width = max(probe.width, self.query_token(size).width + 0.24)
        thickness = min(0.5 * pitch, 0.45 if S > 1 else SOLO_BAR)
        return Sheet(rows, LEFT_X + width, size, pitch, thickness)

    # -- pieces -------------------------------------------------------------------------------

    def query(self) -> int:
        """The query to follow (qkv/derived.py: the most decided; the last under a mask)."""
        return int(lookup(self.trace, f"heads.{self.head}.focus_query"))

    def most_negative(self) -> int | None:
        """The key with the query's most negative score (None: none is negative)."""
        scaled = lookup_array(self.trace, f"heads.{self.head}.scaled")[self.query()]
        j = int(np.argmin(scaled))
        return j if scaled[j] < 0 else None

    def key_labels_at(self, size: float) -> VGroup:
        return token_labels(
            self.num, "key_tokens", ROLE["K"], font_size=LABEL_SIZE * 0.8 * size, max_width=1.8
        )

    def key_labels(self, sheet: Sheet) -> VGroup:
        """The key tokens down the left, one per row, their right ends aligned."""
        keys = self.key_labels_at(sheet.size)
        for lab, y in zip(keys, sheet.rows, strict=True):
            lab.move_to([sheet.label_right, y, 0], RIGHT)
        return keys

    def query_token(self, size: float):
        token = self.num.token(
            self.query(), "tokens", font_size=LABEL_SIZE * 0.8 * size, color=ROLE["Q"]
        )
        # as large as the key tokens: shrunk by the factor they were, if one was too long
        probe = self.num.token(0, "key_tokens", font_size=LABEL_SIZE * 0.8 * size)
        return token.scale(self.key_labels_at(size)[0].width / probe.width)

    def query_box(self, sheet: Sheet) -> VGroup:
        """The query, boxed, over the key tokens (level with the groups' headers)."""
        token = self.query_token(sheet.size)
        box = SurroundingRectangle(
            token, color=ROLE["Q"], buff=0.12, corner_radius=0.08, stroke_width=2
        )
        return VGroup(box, token).move_to([sheet.label_right, sheet.header_y, 0], RIGHT)

    def key_row(self, half: Half, j: int) -> VGroup:
        """Key ``j``'s row across every group, its token included."""
        return VGroup(half.keys[j], *(g.row(j) for g in half.groups.values()))

    def notes(self, sheet: Sheet) -> tuple[VGroup, VGroup]:
        """``√d_k = r`` and ``w_a = [ … ]``: the real divisor and the scoring vector."""
        h, size = f"heads.{self.head}", NUMBER_SIZE * sheet.size
        label = LABEL_SIZE * 0.9 * sheet.size
        root = VGroup(
            MathTex(r"\sqrt{d_k} =", font_size=label),
            self.num.value("dims.sqrt_d_k", font_size=size, coloured=False),
        ).arrange(RIGHT, buff=0.15)
        entries = [
            MathTex(r"\cdots", font_size=size)
            if m is None
            else self.num.value(f"{h}.w_a", m, font_size=size)
            for m in elided(self.num.shape(f"{h}.w_a")[0], 5)
        ]
        w_a = VGroup(
            MathTex(r"w_a =", font_size=label, color=ROLE["learned"]),
            MathTex("[", font_size=label, color=ROLE["learned"]),
            *entries,
            MathTex("]", font_size=label, color=ROLE["learned"]),
        ).arrange(RIGHT, buff=0.12)
        return root, w_a

    def used_frame(self, half: Half) -> VMobject:
        """The frame round the normaliser this lesson's layer uses (with its sum)."""
        return self.frame(half.groups[self.trace.config["normaliser"]].whole)

    @staticmethod
    def frame(mob: VMobject) -> VMobject:
        """The frame round the choice this lesson's layer made."""
        return highlight(mob, ROLE["weights"], buff=0.15)

    @staticmethod
    def grow(group: Group) -> list:
        """The zero line, then each bar growing out of it, its number beside it."""
        return [
            Create(group.zero),
            LaggedStart(
                *(GrowFromEdge(b, LEFT if b.value >= 0 else RIGHT) for b in group.bars),
                lag_ratio=lag_for(len(group.bars)),
            ),
            lagged(group.numbers),
        ]
