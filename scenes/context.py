"""Part 2 (T1, T2): context changes a token's vector; attention is what moves it.

Every token's value vector (of the head the lesson follows) as an arrow in a plane: the vectors
themselves when they have two entries (seed 004's apple example, config/apple.toml, where the
values are the word vectors), else their best 2-D projection, computed by the core and labelled
as one. Each output is its weights' mix of the values, so it lands among them, pulled toward
what it attends to (a cross-attention trace draws its inputs X and layer outputs instead). One
query's similarity with every key and its weights, in a table; its arrow moves to its output,
then every token's does. Rendering "apple orange" and "apple phone" with
config/apple.toml gives seed 004's two contexts, each with its exact values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Create,
    FadeIn,
    FadeOut,
    GrowArrow,
    Indicate,
    MathTex,
    NumberPlane,
    ReplacementTransform,
    Text,
    Transform,
    VGroup,
    VMobject,
)

from qkv import lookup, lookup_array
from scenes.kit.base import LessonScene
from scenes.kit.provenance import TraceText
from scenes.kit.style import FONT, FRAME_LINE, LABEL_SIZE, MUTED, NUMBER_SIZE, ROLE
from scenes.kit.widgets import DIM_TEX, fit

__all__ = ["Context"]

PLANE_HALF = 2.9  # scene units from the plane's centre to its edge
PLANE_CENTRE = np.array([-3.5, 0.1, 0.0])
# How each similarity is written in the table's header (no digits)
_SIMILARITY_TEX = {
    "scaled_dot": r"\frac{q\cdot k}{\sqrt{d_k}}",
    "dot": r"q\cdot k",
    "cosine": r"\cos(q, k)",
    "additive": r"w_a^{\top}\tanh(q + k)",
}


# The plane's title when it is a projection, in the lesson's language (the width follows it)
_PROJECTION = {"en": "flat projection of", "zh": "平面投影，原维度", "ru": "плоская проекция,"}


def _box(mob: VMobject) -> tuple[np.ndarray, np.ndarray]:
    return mob.get_corner(DOWN + LEFT), mob.get_corner(UP + RIGHT)


def _place_labels(
    labels: list[VMobject],
    tips: list[np.ndarray],
    origin: np.ndarray,
    bounds: tuple[np.ndarray, np.ndarray],
    obstacles: list[VMobject] = (),
    arrows: list[np.ndarray] = (),
) -> None:
    """Put each label near its arrow's tip where it covers no label placed before it, no
    obstacle and no arrow (arrows: their tips, all drawn from ``origin``): first straight
    beyond the tip, then round it at growing distances. Longest arrows first; a label with no
    free place keeps the last one tried."""
    placed = [_box(mob) for mob in obstacles]
    # points along every arrow, which a label's box must not contain
    along = np.linspace(0.15, 1.0, 12)[:, None]
    points = [origin + along * (tip - origin) for tip in arrows]
    points = np.concatenate(points)[:, :2] if points else np.zeros((0, 2))
    lo_bound, hi_bound = bounds

    def free(lo: np.ndarray, hi: np.ndarray) -> bool:
        inside = (lo[:2] >= lo_bound[:2]).all() and (hi[:2] <= hi_bound[:2]).all()
        covers = ((points >= lo[:2] - 0.05) & (points <= hi[:2] + 0.05)).all(axis=1).any()
        return (
            inside
            and not covers
            and not any(
                (np.minimum(hi, high)[:2] - np.maximum(lo, low)[:2] > -0.03).all()
                for low, high in placed
            )
        )

    order = sorted(range(len(labels)), key=lambda i: -np.linalg.norm(tips[i] - origin))
    for i in order:
        label, tip = labels[i], tips[i]
        out = tip - origin
        out = out / np.linalg.norm(out) if np.linalg.norm(out) > 1e-9 else UP
        candidates = [out] + [
            np.array([np.cos(a), np.sin(a), 0.0])
            for a in np.linspace(0, 2 * np.pi, 16, endpoint=False)
        ]
        done = False
        for reach in (0.25, 0.45, 0.7, 1.0, 1.4):
            for direction in candidates:
                label.move_to(tip + direction * (reach + label.width / 2 * abs(direction[0])))
                if free(*_box(label)):
                    done = True
                    break
            if done:
                break
        placed.append(_box(label))


@dataclass
class Table:
    """Key | similarity to the query | weight: the whole table and the parts shown in turn."""

    whole: VGroup
    header: VGroup  # the query and k, the similarity's formula, a
    keys: VGroup
    similarity: VGroup
    weights: VGroup


@dataclass
class Board:
    """What the beats hand on: the plane and where a vector lands on it, the input arrows with
    their labels, and the query followed with its table."""

    projected: bool  # the plane is the best flat projection of wider vectors
    values: bool  # self-attention draws the head's values and outputs; cross-attention X
    drawn: tuple[str, str]  # the trace keys of the drawn vectors: inputs, outputs
    unit: float  # scene units per unit of the vectors
    inputs: np.ndarray  # (T, 2) the input vectors in the plane
    outputs: np.ndarray  # (T, 2) the outputs in the plane
    bounds: tuple[np.ndarray, np.ndarray]  # where labels may stand
    first: list[int] = field(default_factory=list)  # one token per distinct input vector
    arrows: dict[int, Arrow] = field(default_factory=dict)  # the input arrows, by that token
    labels: dict[int, TraceText] = field(default_factory=dict)
    coordinates: VGroup = field(default_factory=VGroup)  # (x, y) under each label: 2-D only
    in_tips: list[np.ndarray] = field(default_factory=list)
    focus: int = 0  # the query followed
    table: Table | None = None

    def at(self, xy: np.ndarray) -> np.ndarray:
        """The scene point of a vector of the plane."""
        return PLANE_CENTRE + np.array([xy[0], xy[1], 0.0]) * self.unit

    def start_of(self, i: int) -> int:
        """The token whose input arrow stands for token ``i``'s (a repeated word is one)."""
        return next(k for k in self.first if np.allclose(self.inputs[k], self.inputs[i]))


class Context(LessonScene):
    captions = {
        "vectors": {
            "en": "Every token is a vector: an arrow from the origin",
            "zh": "每个词元都是一个向量：从原点出发的箭头",
            "ru": "Каждый токен — вектор: стрелка из начала координат",
        },
        "vectors_values": {
            "en": "Every token's value vector, its vector times the value weights: an arrow",
            "zh": "每个词元的值向量（它的向量乘以值权重）：从原点出发的箭头",
            "ru": "Вектор значения каждого токена (его вектор на веса значений): стрелка",
        },
        "projected": {
            "en": "The vectors have more than two entries: we see their best flat shadow",
            "zh": "这些向量不止两个分量：我们看到的是它们最好的平面投影",
            "ru": "У векторов больше двух компонент: мы видим их лучшую плоскую проекцию",
        },
        "similar": {
            "en": "Words with similar meaning get vectors pointing in similar directions",
            "zh": "意思相近的词，向量指向相近的方向",
            "ru": "У близких по смыслу слов векторы смотрят в близкие стороны",
        },
        "random": {
            "en": "These vectors are drawn at random; a trained model places similar words close",
            "zh": "这些向量是随机生成的；训练好的模型会把相近的词放得很近",
            "ru": "Эти векторы случайны; обученная модель ставит близкие слова рядом",
        },
        "query": {
            "en": 'How much is "{0}" like each token?',
            "zh": "“{0}”和每个词元有多像？",
            "ru": "Насколько «{0}» похож на каждый токен?",
        },
        "weights": {
            "en": "Softmax turns the similarities into weights",
            "zh": "softmax 把相似度变成权重",
            "ru": "Softmax превращает сходства в веса",
        },
        "weights_relu": {
            "en": "ReLU turns the similarities into weights",
            "zh": "ReLU 把相似度变成权重",
            "ru": "ReLU превращает сходства в веса",
        },
        "moves": {
            "en": '"{0}" gets a new vector: the values mixed by those weights',
            "zh": "“{0}”得到一个新向量：按这些权重混合的值",
            "ru": "«{0}» получает новый вектор: значения, смешанные с этими весами",
        },
        "everyone": {
            "en": "Every token moves, pulled by the tokens it attends to",
            "zh": "每个词元都在移动，被它关注的词元拉过去",
            "ru": "Каждый токен сдвигается к тем токенам, на которые смотрит",
        },
        "context": {
            "en": "The same word in another sentence would land somewhere else: context",
            "zh": "同一个词放进另一句话，会落到别处：这就是上下文",
            "ru": "То же слово в другом предложении окажется в другом месте: это контекст",
        },
    }

    def construct(self) -> None:
        """Every token an arrow; one query's similarities and weights; its arrow moves to its
        output, then every token's does: context moves a word."""
        board = self.draw_the_plane()
        self.every_token_is_an_arrow(board)
        self.read_the_arrows(board)
        self.ask_how_alike(board)
        self.turn_similarities_into_weights(board)
        self.move_the_query(board)
        self.move_every_token(board)
        self.elsewhere_in_another_sentence()

    def draw_the_plane(self) -> Board:
        """The plane, one grid line per unit of the vectors, titled by their width (the input
        arrows laid out on it, not yet shown)."""
        trace = self.trace
        h = f"heads.{self.head}"
        # self-attention: the head's values and outputs (out_i = Σ_j a_ij·v_j); cross: X
        values = lookup(trace, "plane.values") == 1
        unit = PLANE_HALF * 0.92 / max(lookup(trace, "plane.reach"), 1e-9)
        board = Board(
            projected=lookup(trace, "plane.projected") == 1,
            values=values,
            drawn=(f"{h}.V", f"{h}.output") if values else ("X", "output"),
            unit=unit,
            inputs=lookup_array(trace, "plane.X"),
            outputs=lookup_array(trace, "plane.output"),
            # labels may stand a little beyond the plane's edge, never over the table on the right
            bounds=(
                PLANE_CENTRE - PLANE_HALF - np.array([0.4, 0.3, 0.0]),
                PLANE_CENTRE + PLANE_HALF + np.array([0.6, 0.0, 0.0]),
            ),
        )
        steps = max(1, int(PLANE_HALF / unit))  # one grid line per unit of the vectors
        plane = NumberPlane(
            x_range=[-steps, steps, 1],
            y_range=[-steps, steps, 1],
            x_length=2 * steps * unit,
            y_length=2 * steps * unit,
            background_line_style={
                "stroke_color": FRAME_LINE,
                "stroke_width": 1,
                "stroke_opacity": 0.6,
            },
            axis_config={"stroke_color": MUTED, "stroke_width": 1.5},
        ).move_to(PLANE_CENTRE)
        title = self._plane_title(board.projected, "d_v" if values else "d_model").next_to(
            PLANE_CENTRE + UP * PLANE_HALF, UP, buff=0.1
        )
        self.place_input_arrows(board)
        self.play(Create(plane), FadeIn(title), run_time=1.0)
        return board

    def place_input_arrows(self, board: Board) -> None:
        """The input arrows, one per distinct vector (a repeated word is one arrow); in a plane
        of two entries each label carries its vector's real coordinates."""
        board.first = first = self._first_of_each(board.inputs)
        colour = ROLE["V" if board.values else "X"]
        board.arrows = {i: self._arrow(board.at(board.inputs[i]), colour) for i in first}
        board.labels = {
            i: self.num.token(i, font_size=LABEL_SIZE * 0.75, color=colour) for i in first
        }
        pairs = {i: self._pair(board.drawn[0], i) for i in first} if not board.projected else {}
        tags = [
            VGroup(board.labels[i], *([pairs[i]] if pairs else [])).arrange(DOWN, buff=0.06)
            for i in first
        ]
        board.in_tips = [board.at(board.inputs[i]) for i in first]
        _place_labels(tags, board.in_tips, PLANE_CENTRE, board.bounds, arrows=board.in_tips)
        board.coordinates = VGroup(*pairs.values())

    def every_token_is_an_arrow(self, board: Board) -> None:
        """Every token's vector grows from the origin, named by its token."""
        self.say("vectors_values" if board.values else "vectors")
        self.play(
            *(GrowArrow(a) for a in board.arrows.values()),
            *(FadeIn(lab) for lab in board.labels.values()),
            run_time=1.2,
        )

    def read_the_arrows(self, board: Board) -> None:
        """Their coordinates (or: this is a projection), and what their directions mean."""
        if not board.projected:
            self.play(FadeIn(board.coordinates))
        else:
            self.say("projected")
            self.wait(1.5)
        # seeded vectors are random: only vectors someone chose (or trained) carry meaning
        self.say("random" if self.trace.config["source"] == "seeded" else "similar")
        self.wait(1.5)

    def ask_how_alike(self, board: Board) -> None:
        """One query against every key: the similarity, from the trace."""
        board.focus = focus = int(lookup(self.trace, f"heads.{self.head}.focus_query"))
        board.table = table = self._table(focus)
        self.play(FadeOut(board.coordinates), Indicate(board.labels[board.start_of(focus)]))
        self.say("query", ("tokens", focus))
        self.play(FadeIn(table.header[0]), FadeIn(table.keys), FadeIn(table.header[1]))
        self.play(FadeIn(table.similarity))
        self.wait(1.0)

    def turn_similarities_into_weights(self, board: Board) -> None:
        """The normaliser turns the query's similarities into its weights."""
        self.say("weights_relu" if self.trace.config["normaliser"] == "relu" else "weights")
        self.play(FadeIn(board.table.header[2]), FadeIn(board.table.weights))
        self.wait(1.0)

    def move_the_query(self, board: Board) -> None:
        """The query's arrow moves to its output, leaving a ghost where it was; then, with the
        table, it goes."""
        focus, end = board.focus, board.at(board.outputs[board.focus])
        moved = self._arrow(end, ROLE["output"])
        moved_label = self.num.token(focus, font_size=LABEL_SIZE * 0.75, color=ROLE["output"])
        extra = self._pair(board.drawn[1], focus) if not board.projected else VGroup()
        tag = VGroup(moved_label, extra).arrange(DOWN, buff=0.06)
        _place_labels(
            [tag],
            [end],
            PLANE_CENTRE,
            board.bounds,
            obstacles=list(board.labels.values()),
            arrows=[*board.in_tips, end],
        )
        self.say("moves", ("tokens", focus))
        ghost = board.arrows[board.start_of(focus)].copy().set_opacity(0.35)
        self.add(ghost)
        travelling = board.arrows[board.start_of(focus)].copy()
        self.play(Transform(travelling, moved), FadeIn(moved_label), run_time=1.8)
        if not board.projected:
            self.play(FadeIn(extra))
        self.wait(2.0)
        self.play(
            FadeOut(board.table.whole),
            FadeOut(extra),
            FadeOut(travelling),
            FadeOut(moved_label),
            FadeOut(ghost),
        )

    def move_every_token(self, board: Board) -> None:
        """Every token at once: the inputs stay as faint ghosts, the outputs labelled."""
        ends = self._first_of_each(board.outputs)
        out_arrows = [self._arrow(board.at(board.outputs[i]), ROLE["output"]) for i in ends]
        out_labels = [
            self.num.token(i, font_size=LABEL_SIZE * 0.75, color=ROLE["output"]) for i in ends
        ]
        out_tips = [board.at(board.outputs[i]) for i in ends]
        _place_labels(
            out_labels, out_tips, PLANE_CENTRE, board.bounds, arrows=[*board.in_tips, *out_tips]
        )
        starts = [board.arrows[board.start_of(i)] for i in ends]
        self.say("everyone")
        self.play(
            *(a.animate.set_opacity(0.3) for a in board.arrows.values()),
            *(FadeOut(lab) for lab in board.labels.values()),
            run_time=0.6,
        )
        self.play(
            *(
                ReplacementTransform(s.copy().set_opacity(1), e)
                for s, e in zip(starts, out_arrows, strict=True)
            ),
            *(FadeIn(lab) for lab in out_labels),
            run_time=2.0,
        )
        self.wait(1.5)

    def elsewhere_in_another_sentence(self) -> None:
        """The same word in another sentence would land somewhere else: context."""
        self.say("context")
        self.wait(2.5)

    # ---- pieces ----

    def _plane_title(self, projected: bool, width: str) -> VGroup:
        size = LABEL_SIZE
        tex = MathTex(DIM_TEX[width] + " =", font_size=size)
        if projected:  # a projection of wider vectors, said with the real width
            words = Text(
                _PROJECTION[self.language],
                font=FONT,
                font_size=size * 0.8,
                color=MUTED,
                disable_ligatures=True,
            )
            return VGroup(words, tex, self.num.dim(width, font_size=size)).arrange(RIGHT, buff=0.15)
        return VGroup(tex, self.num.dim(width, font_size=size)).arrange(RIGHT, buff=0.12)

    def _arrow(self, tip: np.ndarray, colour) -> Arrow:
        return Arrow(
            PLANE_CENTRE,
            tip,
            buff=0,
            color=colour,
            stroke_width=4,
            max_tip_length_to_length_ratio=0.15,
            tip_length=0.2,
        )

    def _pair(self, key: str, i: int) -> VGroup:
        """``(x, y)``: both entries of a two-dimensional vector from the trace."""
        size = NUMBER_SIZE
        return VGroup(
            MathTex("(", font_size=size),
            self.num.value(key, i, 0, font_size=size),
            MathTex(",", font_size=size),
            self.num.value(key, i, 1, font_size=size),
            MathTex(")", font_size=size),
        ).arrange(RIGHT, buff=0.1)

    @staticmethod
    def _first_of_each(points: np.ndarray) -> list[int]:
        """Indices of the first of each group of coinciding points (a repeated word)."""
        kept: list[int] = []
        for i, p in enumerate(points):
            if not any(np.allclose(p, points[k]) for k in kept):
                kept.append(i)
        return kept

    def _table(self, focus: int) -> Table:
        """Key | similarity to the query | weight: one line per key token."""
        num, trace = self.num, self.trace
        h = f"heads.{self.head}"
        S = len(trace.key_tokens)
        similarity = trace.config["similarity"]
        row = min(0.6, 5.4 / (S + 1))
        size = NUMBER_SIZE * 1.2
        columns = (-1.8, 0.4, 2.1)  # key, similarity, weight
        header = VGroup(
            MathTex("k", font_size=LABEL_SIZE, color=ROLE["K"]),
            MathTex(_SIMILARITY_TEX[similarity], font_size=LABEL_SIZE * 0.85),
            MathTex("a", font_size=LABEL_SIZE, color=ROLE["weights"]),
        )
        for mob, x in zip(header, columns, strict=True):
            mob.move_to([x, 0, 0])
        keys, sims, weights = VGroup(), VGroup(), VGroup()
        for j in range(S):
            y = -row * (j + 1) - 0.25
            key = num.token(j, "key_tokens", font_size=LABEL_SIZE * 0.85, color=ROLE["K"])
            fit(key, 2.0, row * 0.9)
            keys.add(key.move_to([columns[0], y, 0]))
            sim = num.value(f"{h}.scaled", focus, j, font_size=size)
            fit(sim, 1.6, row * 0.8)
            sims.add(sim.move_to([columns[1], y, 0]))
            weight = num.value(f"{h}.weights", focus, j, font_size=size, coloured=False)
            fit(weight, 1.4, row * 0.8)
            weights.add(weight.move_to([columns[2], y, 0]).set_color(ROLE["weights"]))
        query = VGroup(
            MathTex("q =", font_size=LABEL_SIZE),
            num.token(focus, font_size=LABEL_SIZE, color=ROLE["Q"]),
        )
        query.arrange(RIGHT, buff=0.15).next_to(header, UP, buff=0.35)
        whole = VGroup(query, header, keys, sims, weights)
        fit(whole, 5.8, 6.2)
        whole.move_to([3.8, 0.1, 0])
        return Table(
            whole, VGroup(VGroup(query, header[0]), header[1], header[2]), keys, sims, weights
        )
