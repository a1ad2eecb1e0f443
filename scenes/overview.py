"""Scene 7 (recap): the whole of attention in one formula, softmax(Q·Kᵀ/√d_k)·V, each part lit
in step with a miniature of the pipeline X → Q, K, V → scores → scaled → weights → output.

The miniatures are the trace's own matrices, elided to a few real entries; in the column-vector
convention they are turned round and the formula reads V·softmax(Kᵀ·Q/√d_k).
"""

from __future__ import annotations

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
    Write,
    config,
)

from scenes.kit.base import LessonScene
from scenes.kit.convention import Convention
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
    "softmax": r"\mathrm{softmax}",
    "relu": r"\mathrm{ReLU}",
    "open": r"\left(",
    "close": r"\right)",
}
# Names over the miniatures: rows, then columns
_SCALED = (r"\tfrac{Q\,K^{\top}}{\sqrt{d_k}}", r"\tfrac{K^{\top} Q}{\sqrt{d_k}}")
_OUTPUT = (r"\mathrm{out}", "O")


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
        cross = self.trace.X_kv is not None

        # The formula, every part still unlit
        tex = view.tex("attention")
        parts = {name: t for name, t in _PARTS.items() if t in tex}
        parts.setdefault("K", "K")  # a cosine or additive score names K unturned
        formula = MathTex(
            tex, font_size=LABEL_SIZE * 1.7, substrings_to_isolate=list(parts.values())
        )
        formula.to_edge(UP, buff=0.35)
        part = {name: formula.get_part_by_tex(t) for name, t in parts.items()}
        part["norm"] = part.pop("softmax", None) or part.pop("relu")
        scaled = view.similarity == "scaled_dot"  # otherwise the scaled scores are the scores
        self.play(Write(formula), run_time=1.5)
        self.say("whole")
        self.wait(1.0)

        # The miniatures: the sources and projections above, the attention below
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
        if cross:  # queries from one sentence, keys and values from the other
            sources = [card["X"], card["X_kv"]]
            card["X"].next_to(pair, LEFT, buff=1.0)
        else:
            sources = [card["X"]]
        middle = card["X_kv"] if cross else card["X"]
        free = card["V"].get_left()[0] - pair.get_right()[0]
        if free >= middle.width + 2.0:  # room between K and V for the tokens that feed them
            middle.set_x((pair.get_right()[0] + card["V"].get_left()[0]) / 2)
        else:  # tiny attention matrices: the top row simply runs on
            middle.next_to(pair, RIGHT, buff=1.0)
            card["V"].next_to(middle, RIGHT, buff=1.0)
        top = VGroup(*sources, pair, card["V"])
        for c in (*sources, card["V"]):  # the top row's matrices level with Q's
            c.shift(UP * (card["Q"][1].get_y() - c[1].get_y()))
        layout = VGroup(top, bottom)
        room = formula.get_bottom()[1] - 0.75 - (-config.frame_height / 2 + 1.1)
        layout.scale(min(1.0, (config.frame_width - 1.0) / layout.width, room / layout.height))
        layout.next_to(formula, DOWN, buff=0.75)  # room for the arc from X over K to Q

        # Tokens: the start of everything
        self.play(*(FadeIn(c) for c in sources))
        self.say("start_cross" if cross else "start")
        self.wait(0.8)

        # Q, K, V: three projections; their letters light up in the formula
        if cross:
            arrows = [
                self.arrow(card["X"], card["Q"]),
                self.arrow(card["X_kv"], card["K"]),
                self.arrow(card["X_kv"], card["V"]),
            ]
        else:  # X sits between K and V; its arrow to Q arcs over K
            arrows = [
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
        self.play(
            *(Create(a) for a in arrows),
            LaggedStart(*(FadeIn(card[n]) for n in "QKV"), lag_ratio=0.3),
            *(part[n].animate.set_color(ROLE[n]) for n in "QKV"),
            run_time=1.5,
        )
        self.say("project")
        self.play(*(Indicate(part[n], color=ROLE[n]) for n in "QKV"))
        self.wait(0.6)

        # Scores: every query against every key
        lit = (
            self.box(VGroup(part["Q"], part["K"]), ROLE["weights"]),
            self.box(card["scores"], ROLE["weights"]),
        )
        self.play(
            *(GrowArrow(self.arrow(card[n], card["scores"], down=True)) for n in "QK"),
            FadeIn(card["scores"]),
            *(FadeIn(b) for b in lit),
        )
        self.say("scores")
        self.wait(1.2)

        # Scaled by √d_k (a scaled dot product only)
        before = "scores"
        if scaled:
            lit = self.move_boxes(
                lit,
                VGroup(part["Q"], part["K"], part["sqrt"]),
                card["scaled"],
                ROLE["weights"],
                GrowArrow(self.arrow(card["scores"], card["scaled"])),
                FadeIn(card["scaled"]),
                part["sqrt"].animate.set_color(ROLE["weights"]),
            )
            self.say("scale")
            self.wait(1.2)
            before = "scaled"

        # Normalised: weights per query
        bracket = VGroup(part["norm"], part["open"], part["close"])
        lit = self.move_boxes(
            lit,
            VGroup(bracket, part["Q"], part["K"]),
            card["weights"],
            ROLE["weights"],
            GrowArrow(self.arrow(card[before], card["weights"])),
            FadeIn(card["weights"]),
            bracket.animate.set_color(ROLE["weights"]),
        )
        self.say(view.normaliser)
        self.wait(1.2)

        # The weighted sum of the values: the whole formula
        self.move_boxes(
            lit,
            formula,
            card["output"],
            ROLE["output"],
            GrowArrow(self.arrow(card["weights"], card["output"])),
            GrowArrow(self.arrow(card["V"], card["output"], down=True)),
            FadeIn(card["output"]),
        )
        self.say("mix")
        self.wait(1.5)
        self.say("learned_bias" if self.trace.config.get("bias") else "learned")
        self.wait(1.5)

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
        for prev, card in zip(row, row[1:]):
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

    def move_boxes(self, boxes, part, card, colour, *animations) -> tuple:
        """Slide the two highlight boxes to the next formula part and stage."""
        new = (self.box(part, colour), self.box(card, colour))
        self.play(*(ReplacementTransform(old, b) for old, b in zip(boxes, new)), *animations)
        return new
