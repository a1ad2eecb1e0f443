"""Scene 7 (recap): the whole of attention in one formula, softmax(Q·Kᵀ/√d_k)·V, each part lit
in step with a miniature of the pipeline X → Q, K, V → scores → scaled → weights → output.

The miniatures are the trace's own matrices, elided to a few real entries; in the column-vector
convention they are turned round and the formula reads V·softmax(Kᵀ·Q/√d_k).
"""

from __future__ import annotations

from dataclasses import dataclass

from manim import (
    DOWN,
    LEFT,
    PI,
    RIGHT,
    UP,
    Arrow,
    Create,
    CurvedArrow,
    FadeIn,
    GrowArrow,
    Indicate,
    LaggedStart,
    MathTex,
    ReplacementTransform,
    SurroundingRectangle,
    VGroup,
    VMobject,
    Write,
)

from scenes.kit.base import LessonScene
from scenes.kit.convention import NORMALISER_TEX, Convention
from scenes.kit.layout import CONTENT_WIDTH, FRAME_TOP
from scenes.kit.style import LABEL_SIZE, MUTED, ROLE
from scenes.kit.widgets import TraceMatrix

__all__ = ["Overview"]

# The parts of the formula that light up, as LaTeX substrings of view.tex("attention");
# a part missing from the trace's formula (no √d_k in a cosine) is simply not lit
_PARTS = {
    "Q": "Q",
    "K": r"K^{\top}",
    "V": "V",
    "sqrt": r"\sqrt{d_k}",
    **NORMALISER_TEX,  # softmax, relu: the formula names one of them
    "open": r"\left(",
    "close": r"\right)",
}
# Names over the miniatures: rows, then columns
_SCALED = (r"\tfrac{Q\,K^{\top}}{\sqrt{d_k}}", r"\tfrac{K^{\top} Q}{\sqrt{d_k}}")
_OUTPUT = (r"\mathrm{out}", "O")


@dataclass
class Board:
    """What the beats hand on: the formula and its parts, every stage's card, the lit boxes."""

    view: Convention
    formula: MathTex
    part: dict[str, VMobject]  # Q, K, V, sqrt (if any), norm, open, close
    card: dict[str, VGroup]  # X (and X_kv), Q, K, V, scores (scaled), weights, output
    lit: tuple[SurroundingRectangle, ...] = ()  # a formula part and its stage, boxed

    @property
    def cross(self) -> bool:
        """Queries from one sentence, keys and values from another."""
        return "X_kv" in self.card

    @property
    def scaled(self) -> bool:
        """A scaled dot product: its own stage, and √d_k in the formula."""
        return "scaled" in self.card

    @property
    def sources(self) -> list[VGroup]:
        return [self.card[n] for n in ("X", "X_kv") if n in self.card]


class Overview(LessonScene):
    shown = 4  # rows and columns of each miniature before the rest are elided

    captions = {
        "whole": {
            "en": "All of attention fits in one line",
            "zh": "整个注意力机制可以写成一行",
            "ru": "Всё внимание умещается в одну строку",
        },
        "start": {
            "en": "It starts from the token vectors",
            "zh": "一切从词元向量开始",
            "ru": "Всё начинается с векторов токенов",
        },
        "start_cross": {
            "en": "It starts from the token vectors of both sentences",
            "zh": "一切从两个句子的词元向量开始",
            "ru": "Всё начинается с векторов токенов обоих предложений",
        },
        "project": {
            "en": "Three learned projections give the queries, the keys and the values",
            "zh": "三个学到的投影给出查询、键和值",
            "ru": "Три обучаемые проекции дают запросы, ключи и значения",
        },
        "scores": {
            "en": "Every query meets every key: the scores",
            "zh": "每个查询与每个键相遇：得到分数",
            "ru": "Каждый запрос встречается с каждым ключом: это оценки",
        },
        "scale": {
            "en": "The scores are divided by the square root of the key size",
            "zh": "分数除以键维度的平方根",
            "ru": "Оценки делятся на квадратный корень из размерности ключа",
        },
        "softmax": {
            "en": "Softmax turns each query's scores into weights that add up to one",
            "zh": "softmax 把每个查询的分数变成加起来等于一的权重",
            "ru": "Softmax превращает оценки каждого запроса в веса, дающие в сумме единицу",
        },
        "relu": {
            "en": "ReLU keeps each positive score as its weight and sets the others to zero",
            "zh": "ReLU 保留每个正的分数作为权重，其余的变成零",
            "ru": "ReLU оставляет положительные оценки весами, а остальные обнуляет",
        },
        "mix": {
            "en": "The weights mix the values into one output for every token",
            "zh": "权重把值混合起来，每个词元得到一个输出",
            "ru": "Веса смешивают значения: по одному выходу на каждый токен",
        },
    }

    def construct(self) -> None:
        view = Convention.of(self.trace)
        formula, part = self.write_the_whole_formula(view)
        board = Board(view, formula, part, self.lay_out_the_miniatures(view, formula))
        self.start_from_the_tokens(board)
        self.project_to_queries_keys_and_values(board)
        self.score_every_query_against_every_key(board)
        if board.scaled:
            self.divide_by_the_root_of_d_k(board)
        self.normalise_each_query_into_weights(board)
        self.mix_the_values_into_outputs(board)
        self.name_what_is_learned()

    # -- the beats ----------------------------------------------------------------------------

    def write_the_whole_formula(self, view: Convention) -> tuple[MathTex, dict[str, VMobject]]:
        """All of attention in one line, every part still unlit; returns it and its parts."""
        tex = view.tex("attention")
        parts = {name: t for name, t in _PARTS.items() if t in tex}
        parts.setdefault("K", "K")  # a cosine or additive score names K unturned
        formula = MathTex(
            tex, font_size=LABEL_SIZE * 1.7, substrings_to_isolate=list(parts.values())
        )
        formula.to_edge(UP, buff=0.35)
        part = {name: formula.get_part_by_tex(t) for name, t in parts.items()}
        part["norm"] = part.pop(view.normaliser)  # the one normaliser the formula names
        self.play(Write(formula), run_time=1.5)
        self.say("whole")
        self.wait(1.0)
        return formula, part

    def start_from_the_tokens(self, board: Board) -> None:
        """The token vectors (of both sentences, for cross-attention) start everything."""
        self.play(*(FadeIn(c) for c in board.sources))
        self.say("start_cross" if board.cross else "start")
        self.wait(0.8)

    def project_to_queries_keys_and_values(self, board: Board) -> None:
        """Three projections give Q, K and V; their letters light up in the formula."""
        card, part = board.card, board.part
        self.play(
            *(Create(a) for a in self.projection_arrows(board)),
            LaggedStart(*(FadeIn(card[n]) for n in "QKV"), lag_ratio=0.3),
            *(part[n].animate.set_color(ROLE[n]) for n in "QKV"),
            run_time=1.5,
        )
        self.say("project")
        self.play(*(Indicate(part[n], color=ROLE[n]) for n in "QKV"))
        self.wait(0.6)

    def score_every_query_against_every_key(self, board: Board) -> None:
        """Q and K make the scores; a box lights Q·Kᵀ in the formula and the scores' card."""
        card, part = board.card, board.part
        board.lit = (
            self.box(VGroup(part["Q"], part["K"]), ROLE["weights"]),
            self.box(card["scores"], ROLE["weights"]),
        )
        self.play(
            *(GrowArrow(self.arrow(card[n], card["scores"], down=True)) for n in "QK"),
            FadeIn(card["scores"]),
            *(FadeIn(b) for b in board.lit),
        )
        self.say("scores")
        self.wait(1.2)

    def divide_by_the_root_of_d_k(self, board: Board) -> None:
        """The scores scaled by √d_k (a scaled dot product only)."""
        card, part = board.card, board.part
        self.move_boxes(
            board,
            VGroup(part["Q"], part["K"], part["sqrt"]),
            card["scaled"],
            ROLE["weights"],
            GrowArrow(self.arrow(card["scores"], card["scaled"])),
            FadeIn(card["scaled"]),
            part["sqrt"].animate.set_color(ROLE["weights"]),
        )
        self.say("scale")
        self.wait(1.2)

    def normalise_each_query_into_weights(self, board: Board) -> None:
        """Softmax (or ReLU) makes each query's scores its weights."""
        card, part = board.card, board.part
        bracket = VGroup(part["norm"], part["open"], part["close"])
        before = "scaled" if board.scaled else "scores"
        self.move_boxes(
            board,
            VGroup(bracket, part["Q"], part["K"]),
            card["weights"],
            ROLE["weights"],
            GrowArrow(self.arrow(card[before], card["weights"])),
            FadeIn(card["weights"]),
            bracket.animate.set_color(ROLE["weights"]),
        )
        self.say("relu" if board.view.normaliser == "relu" else "softmax")
        self.wait(1.2)

    def mix_the_values_into_outputs(self, board: Board) -> None:
        """The weighted sum of the values: the whole formula lit, and the output."""
        card = board.card
        self.move_boxes(
            board,
            board.formula,
            card["output"],
            ROLE["output"],
            GrowArrow(self.arrow(card["weights"], card["output"])),
            GrowArrow(self.arrow(card["V"], card["output"], down=True)),
            FadeIn(card["output"]),
        )
        self.say("mix")
        self.wait(1.5)

    def name_what_is_learned(self) -> None:
        """Only the weight matrices (and biases) are learned; the rest is fixed arithmetic."""
        self.say("learned_bias" if self.trace.config.get("bias") else "learned")
        self.wait(1.5)

    # -- the miniatures -----------------------------------------------------------------------

    def lay_out_the_miniatures(self, view: Convention, formula: MathTex) -> dict[str, VGroup]:
        """Every stage's card, none shown yet: the sources and projections above, the attention
        below, the whole fitted under the formula."""
        cross = self.trace.X_kv is not None
        scaled = view.similarity == "scaled_dot"  # otherwise the scaled scores are the scores
        stages = (
            ("scores", "scaled", "weights", "output") if scaled else ("scores", "weights", "output")
        )
        card = {
            name: self.card(view, name)
            for name in ("X", "X_kv", "Q", "K", "V", *stages)
            if name != "X_kv" or cross
        }
        bottom = self.spread(VGroup(*(card[n] for n in stages)), 1.0)
        pair = self.spread(VGroup(card["Q"], card["K"]), 0.5)
        # Q and K stand over the scores they make, V over the output it feeds
        pair.next_to(bottom, UP, buff=1.0).match_x(card["scores"])
        card["V"].match_x(card["output"])
        sources = self.place_the_sources(card, pair)
        top = VGroup(*sources, pair, card["V"])
        for c in (*sources, card["V"]):  # the top row's matrices level with Q's
            c.shift(UP * (card["Q"][1].get_y() - c[1].get_y()))
        layout = VGroup(top, bottom)
        room = formula.get_bottom()[1] - 0.75 - (-FRAME_TOP + 1.1)
        layout.scale(min(1.0, CONTENT_WIDTH / layout.width, room / layout.height))
        layout.next_to(formula, DOWN, buff=0.75)  # room for the arc from X over K to Q
        return card

    @staticmethod
    def place_the_sources(card: dict[str, VGroup], pair: VGroup) -> list[VGroup]:
        """The token vectors in the top row, beside Q and K; returns them (X, then X_kv)."""
        if "X_kv" in card:  # cross: queries from one sentence, keys and values from the other
            sources = [card["X"], card["X_kv"]]
            card["X"].next_to(pair, LEFT, buff=1.0)
            middle = card["X_kv"]
        else:
            sources = [card["X"]]
            middle = card["X"]
        free = card["V"].get_left()[0] - pair.get_right()[0]
        if free >= middle.width + 2.0:  # room between K and V for the tokens that feed them
            middle.set_x((pair.get_right()[0] + card["V"].get_left()[0]) / 2)
        else:  # tiny attention matrices: the top row simply runs on
            middle.next_to(pair, RIGHT, buff=1.0)
            card["V"].next_to(middle, RIGHT, buff=1.0)
        return sources

    def projection_arrows(self, board: Board) -> list[VMobject]:
        """From the token vectors to Q, K and V."""
        card = board.card
        if board.cross:
            return [
                self.arrow(card["X"], card["Q"]),
                self.arrow(card["X_kv"], card["K"]),
                self.arrow(card["X_kv"], card["V"]),
            ]
        # X sits between K and V; its arrow to Q arcs over K
        return [
            self.arrow(card["X"], card["K"]),
            self.arrow(card["X"], card["V"]),
            CurvedArrow(
                card["X"][0].get_top() + UP * 0.08,
                card["Q"][0].get_top() + UP * 0.08,
                angle=PI / 7,
                color=MUTED,
                stroke_width=3,
                tip_length=0.18,
            ),
        ]

    def card(self, view: Convention, name: str) -> VGroup:
        """One stage: its name over its matrix, a few real entries and ⋯ for the rest."""
        h = f"heads.{self.head}"
        key, role, tex = {
            "X": ("X", "X", view.tex("X")),
            "X_kv": ("X_kv", "X", view.tex("X") + r"_{\mathrm{kv}}"),  # the other sentence
            "Q": (f"{h}.Q", "Q", "Q"),
            "K": (f"{h}.K", "K", "K"),
            "V": (f"{h}.V", "V", "V"),
            "scores": (f"{h}.scores", "weights", view.tex("scores")),
            "scaled": (f"{h}.scaled", "weights", _SCALED[view.columns]),
            "weights": (f"{h}.weights", "weights", view.tex("A")),
            "output": (f"{h}.output", "output", _OUTPUT[view.columns]),
        }[name]
        matrix = TraceMatrix(
            self.num,
            key,
            role=role,
            transpose=view.turned(),
            max_rows=self.shown,
            max_cols=self.shown,
        )
        label = MathTex(tex, font_size=LABEL_SIZE * 1.5, color=ROLE[role])
        return VGroup(label, matrix).arrange(DOWN, buff=0.2)

    @staticmethod
    def spread(row: VGroup, gap: float) -> VGroup:
        """Cards side by side, ``gap`` apart (room for arrows), their matrices level."""
        for prev, card in zip(row, row[1:], strict=False):
            card.next_to(prev, RIGHT, buff=gap)
            card.shift(UP * (prev[1].get_y() - card[1].get_y()))
        return row

    @staticmethod
    def arrow(start: VGroup, end: VGroup, *, down: bool = False) -> Arrow:
        """From one card's matrix to another's: sideways within a row, or ``down`` from the
        projections to the attention below."""
        a, b = start[1], end[1]
        if down:
            points = a.get_bottom(), end.get_top()
        elif b.get_x() > a.get_x():
            points = a.get_right(), b.get_left()
        else:
            points = a.get_left(), b.get_right()
        return Arrow(
            *points,
            buff=0.12,
            color=MUTED,
            stroke_width=3,
            tip_length=0.18,
            max_tip_length_to_length_ratio=0.3,
        )

    @staticmethod
    def box(mob, colour) -> SurroundingRectangle:
        return SurroundingRectangle(mob, color=colour, buff=0.1, corner_radius=0.08)

    def move_boxes(self, board: Board, part, card, colour, *animations) -> None:
        """Slide the two highlight boxes to the next formula part and stage."""
        new = (self.box(part, colour), self.box(card, colour))
        self.play(
            *(ReplacementTransform(old, b) for old, b in zip(board.lit, new, strict=True)),
            *animations,
        )
        board.lit = new
