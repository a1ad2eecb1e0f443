"""Scene 1 (T2): why attention. A word's meaning depends on its neighbours.

Seed 004's example, computed by the core for every lesson (the companions ``apple_fruit`` and
``apple_phone``, config/apple.toml: explicit vectors, cosine similarity, W = identity, so
Q = K = V = X): "apple" (2, 2) beside "orange" (0, 3), then beside "phone" (4, 0). One big plane
holds the three word vectors as arrows; beside it, apple's cosine with each word of its context,
the softmax weights as bars, and the weighted sum that gives its new vector, which lands pulled
toward the fruit or toward the phone, a trail from where it stood. The numbers are shown at the
example's own precision (config/apple.toml), so the sum on screen adds up digit for digit.
The scene is the same in every lesson (it does not use the lesson's sentence); only its
captions follow the lesson's language.
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
    FadeTransform,
    GrowArrow,
    GrowFromEdge,
    Indicate,
    LaggedStart,
    MathTex,
    NumberPlane,
    ReplacementTransform,
    SurroundingRectangle,
    Text,
    VGroup,
)

from qkv import lookup
from qkv.studies.companions import companion
from scenes.kit.base import LessonScene
from scenes.kit.layout import CAPTION_TOP, MARGIN
from scenes.kit.provenance import TraceNumber, TraceText
from scenes.kit.style import FONT, FRAME_LINE, LABEL_SIZE, MUTED, ROLE
from scenes.kit.widgets import fade_to, fit

__all__ = ["WhyAttention"]

FRUIT, PHONE = "apple_fruit", "apple_phone"  # the two contexts (companion traces)
APPLE, NEIGHBOUR = 0, 1  # each context's tokens: apple, then its neighbour
# The plane: grid lines one unit of the vectors apart, big on the frame's left
UNIT = 1.2
X_RANGE, Y_RANGE = (-1, 5), (-1, 4)
PLANE_LEFT, PLANE_BOTTOM = -6.65, CAPTION_TOP + 0.2
ORIGIN_AT = np.array([PLANE_LEFT - X_RANGE[0] * UNIT, PLANE_BOTTOM - Y_RANGE[0] * UNIT, 0.0])
# The panel of numbers on the right
PANEL_LEFT, PANEL_RIGHT = 1.0, 7.1 - MARGIN
BAR_FULL = 1.5  # a weight bar's length at weight one
SIZE = 28  # words of the panel
NUM = 36  # its numbers (a formula's digits look smaller than a word's letters at one size)
WORD = ROLE["X"]
NEW = ROLE["output"]
# Reading time of a caption: characters per second (Chinese fewer), and at least this long

# Words of the panel (no digits), in the lesson's language
LABELS = {
    "alike": {"en": "alike", "zh": "相似度", "ru": "сходство"},
    "weight": {"en": "weight", "zh": "权重", "ru": "вес"},
    "new": {"en": "new", "zh": "新的", "ru": "новый"},
}


@dataclass
class Context:
    """One context's panel and picture: its sentence, apple's row of cosines and weights, the
    weighted sum, and apple's new arrow with its trail and label."""

    study: str
    sentence: VGroup
    table: VGroup  # the header, then a line per token: word, cosine, bar, weight
    total: VGroup  # w · apple + w · neighbour, then = (x, y)
    arrow: Arrow
    trail: Arrow
    label: VGroup


@dataclass
class Board:
    """What the beats hand on: the plane, each word's arrow and label, the list of vectors."""

    plane: NumberPlane
    arrows: dict[str, Arrow]  # apple, orange (FRUIT), phone (PHONE)
    labels: dict[str, VGroup]
    vectors: dict[str, VGroup]  # the panel's list: word = (x, y)
    contexts: list[Context] = field(default_factory=list)


def at(x: float, y: float) -> np.ndarray:
    """The scene point of a vector of the plane."""
    return ORIGIN_AT + np.array([x, y, 0.0]) * UNIT


class WhyAttention(LessonScene):
    captions = {
        "hook": {
            "en": 'What does "{0}" mean? A fruit, or a phone? It depends on its neighbours',
            "zh": "“{0}”是什么意思？水果，还是手机？要看它旁边的词",
            "ru": "Что значит «{0}»? Фрукт или телефон? Это зависит от соседних слов",
        },
        "arrows": {
            "en": "Give every word a vector of numbers: here, an arrow in a plane",
            "zh": "给每个词一个由数字组成的向量：在这里，就是平面上的一支箭头",
            "ru": "Дадим каждому слову вектор из чисел: здесь это стрелка на плоскости",
        },
        "between": {
            "en": '"{0}" points between "{1}" and "{2}": on its own, it could be either',
            "zh": "“{0}”指向“{1}”和“{2}”之间：单看它自己，两种意思都有可能",
            "ru": "«{0}» смотрит между «{1}» и «{2}»: само по себе оно может быть любым",
        },
        "fruit": {
            "en": 'First context: "{0}" beside "{1}"',
            "zh": "第一个语境：“{0}”在“{1}”旁边",
            "ru": "Первый контекст: «{0}» рядом с «{1}»",
        },
        "compare": {
            "en": '"{0}" compares itself with each word: the more alike, the larger its weight',
            "zh": "“{0}”把自己和每个词比较：越相似，权重越大",
            "ru": "«{0}» сравнивает себя с каждым словом: чем больше сходство, тем больше вес",
        },
        "gather": {
            "en": 'Its new vector mixes the words by those weights: pulled toward "{0}"',
            "zh": "它的新向量按这些权重混合各个词：被拉向“{0}”",
            "ru": "Его новый вектор смешивает слова с этими весами: он тянется к «{0}»",
        },
        "phone": {
            "en": 'Second context: "{0}" beside "{1}". The same weights, another neighbour',
            "zh": "第二个语境：“{0}”在“{1}”旁边。权重相同，邻居不同",
            "ru": "Второй контекст: «{0}» рядом с «{1}». Те же веса, другой сосед",
        },
        "pulled": {
            "en": 'Now the mix pulls "{0}" toward "{1}"',
            "zh": "这一次，混合把“{0}”拉向“{1}”",
            "ru": "Теперь смесь тянет «{0}» к «{1}»",
        },
        "two": {
            "en": "The same word in two contexts: two different vectors",
            "zh": "同一个词，两个语境：两个不同的向量",
            "ru": "Одно и то же слово в двух контекстах: два разных вектора",
        },
        "attention": {
            "en": "Attention is how each word gathers what it needs from its neighbours",
            "zh": "注意力机制，就是每个词从邻居那里收集所需信息的方式",
            "ru": "Внимание — это то, как каждое слово собирает нужное у своих соседей",
        },
    }

    def construct(self) -> None:
        """A word alone is ambiguous; beside a fruit or a phone, attention moves it there."""
        word = self.ask_what_the_word_means()
        board = self.draw_the_words(word)
        self.point_between_the_two(board)
        fruit = self.enter_the_context(board, FRUIT, "fruit")
        self.weigh_the_neighbours(fruit)
        self.gather_into_a_new_vector(board, fruit)
        phone = self.swap_the_neighbour(board, fruit)
        self.gather_again(board, phone)
        self.two_contexts_two_vectors(board)
        self.name_attention()
        self.end_on(self.closing_picture())  # the same mobjects: swapped in unseen

    def closing_picture(self) -> VGroup:
        """Both contexts' new vectors on the plane beside the list of vectors and the two
        results: what the scene's last frame shows, rebuilt from the trace."""
        board = self.board()
        contexts = [self.context(study) for study in (FRUIT, PHONE)]
        return VGroup(
            board.plane,
            *board.arrows.values(),
            *board.labels.values(),
            *board.vectors.values(),
            *(VGroup(c.trail, c.arrow, c.label) for c in contexts),
            self.summary(),
        )

    # -- the beats ----------------------------------------------------------------------------

    def ask_what_the_word_means(self) -> TraceText:
        """The word alone, large: a fruit or a phone?"""
        word = self.num.token(APPLE, f"{FRUIT}.tokens", font_size=LABEL_SIZE * 3, color=WORD)
        self.play(FadeIn(word, scale=0.8), run_time=0.8)
        self.say("hook", (f"{FRUIT}.tokens", APPLE))
        self.hold()
        return word

    def draw_the_words(self, word: TraceText) -> Board:
        """The three words' vectors as arrows on a big plane, their coordinates beside it; the
        word asked about becomes its arrow's label."""
        board = self.board()
        plane, arrows, labels, vectors = (board.plane, board.arrows, board.labels, board.vectors)
        self.say("arrows")
        self.play(Create(plane), word.animate.scale(0.6).to_edge(UP), run_time=1.2)
        self.play(
            *(GrowArrow(a) for a in arrows.values()),
            ReplacementTransform(word, labels["apple"]),
            *(FadeIn(labels[n]) for n in ("orange", "phone")),
            run_time=1.2,
        )
        self.play(LaggedStart(*(FadeIn(v) for v in vectors.values()), lag_ratio=0.4))
        self.hold()
        return board

    def point_between_the_two(self, board: Board) -> None:
        """On its own the word points between the fruit and the phone."""
        self.say(
            "between",
            (f"{FRUIT}.tokens", APPLE),
            (f"{FRUIT}.tokens", NEIGHBOUR),
            (f"{PHONE}.tokens", NEIGHBOUR),
        )
        self.play(
            LaggedStart(
                *(Indicate(board.labels[n], color=WORD) for n in ("apple", "orange", "phone")),
                lag_ratio=0.5,
            ),
            run_time=2.0,
        )
        self.hold()

    def enter_the_context(self, board: Board, study: str, key: str) -> Context:
        """A context: its sentence over the panel; the word it leaves out dims."""
        context = self.context(study)
        board.contexts.append(context)
        left_out = "phone" if study == FRUIT else "orange"
        self.say(key, (f"{study}.tokens", APPLE), (f"{study}.tokens", NEIGHBOUR))
        self.play(
            FadeIn(context.sentence, shift=DOWN * 0.2),
            *self.dim(board, left_out, 0.25),
        )
        self.hold()
        return context

    def weigh_the_neighbours(self, context: Context) -> None:
        """Apple's cosine with each word, and the softmax weights as bars."""
        header, *lines = context.table
        self.say("compare", (f"{context.study}.tokens", APPLE))
        self.play(FadeIn(header), *(FadeIn(VGroup(line[0], line[1])) for line in lines))
        self.play(
            *(GrowFromEdge(line[2], LEFT) for line in lines),
            *(FadeIn(line[3]) for line in lines),
            run_time=1.0,
        )
        self.hold()

    def gather_into_a_new_vector(self, board: Board, context: Context) -> None:
        """The weighted sum of the two words: apple's new arrow, pulled toward the fruit."""
        self.say("gather", (f"{context.study}.tokens", NEIGHBOUR))
        self.play(FadeIn(context.total[0]))
        self.play(FadeIn(context.total[1]))
        self.move_the_word(board, context)
        self.hold()

    def swap_the_neighbour(self, board: Board, fruit: Context) -> Context:
        """The second context: the same weights, but the phone instead of the orange."""
        phone = self.context(PHONE)
        board.contexts.append(phone)
        self.say("phone", (f"{PHONE}.tokens", APPLE), (f"{PHONE}.tokens", NEIGHBOUR))
        self.play(
            *self.swap(fruit.sentence, phone.sentence, changed=NEIGHBOUR),
            *self.swap(fruit.table, phone.table, changed=1 + NEIGHBOUR),
            FadeOut(fruit.total),
            *self.dim(board, "orange", 0.25),
            *self.dim(board, "phone", 1.0),
            fade_to(fruit.arrow, 0.35),
            fade_to(fruit.trail, 0.25),
            fade_to(fruit.label, 0.35),
        )
        self.hold()
        return phone

    @staticmethod
    def swap(old: VGroup, new: VGroup, changed: int) -> list:
        """Part ``changed`` of ``old`` holds another word than ``new``'s: it fades into it (a
        word never morphs into another); the other parts move into their new selves."""
        moves = [
            ReplacementTransform(a, b)
            for k, (a, b) in enumerate(zip(old, new, strict=True))
            if k != changed
        ]
        a, b = old[changed], new[changed]
        if isinstance(a, VGroup) and len(a) == 4:  # a table line: word, cosine, bar, weight
            moves += [FadeTransform(a[0], b[0])]
            moves += [ReplacementTransform(x, y) for x, y in zip(a[1:], b[1:], strict=True)]
        else:
            moves.append(FadeTransform(a, b))
        return moves

    def gather_again(self, board: Board, context: Context) -> None:
        """The same mix with the phone: apple lands near the phone now."""
        self.say(
            "pulled", (f"{context.study}.tokens", APPLE), (f"{context.study}.tokens", NEIGHBOUR)
        )
        self.play(FadeIn(context.total[0]))
        self.play(FadeIn(context.total[1]))
        self.move_the_word(board, context)
        self.hold()

    def two_contexts_two_vectors(self, board: Board) -> None:
        """Both new vectors at once, each with its context's sentence and coordinates."""
        fruit, phone = board.contexts
        summary = self.summary()
        self.say("two")
        self.play(
            FadeOut(VGroup(phone.sentence, phone.table, phone.total)),
            *self.dim(board, "orange", 1.0),
            *(fade_to(m, 1.0) for m in (fruit.arrow, fruit.label, fruit.trail)),
        )
        self.play(LaggedStart(*(FadeIn(line) for line in summary), lag_ratio=0.5))
        self.play(*(Indicate(c.label, color=NEW) for c in board.contexts))
        self.hold()

    def name_attention(self) -> None:
        """What attention is: each word gathering from its neighbours."""
        self.say("attention")
        self.hold()

    # -- pieces -------------------------------------------------------------------------------

    def board(self) -> Board:
        """The plane, each word's arrow and label, and the panel's list of vectors, in their
        places (not yet on screen)."""
        plane = NumberPlane(
            x_range=[*X_RANGE, 1],
            y_range=[*Y_RANGE, 1],
            x_length=(X_RANGE[1] - X_RANGE[0]) * UNIT,
            y_length=(Y_RANGE[1] - Y_RANGE[0]) * UNIT,
            background_line_style={
                "stroke_color": FRAME_LINE,
                "stroke_width": 1.5,
                "stroke_opacity": 0.8,
            },
            axis_config={"stroke_color": MUTED, "stroke_width": 2},
        )
        plane.shift(ORIGIN_AT - plane.c2p(0, 0))
        words = {"apple": (FRUIT, APPLE), "orange": (FRUIT, NEIGHBOUR), "phone": (PHONE, NEIGHBOUR)}
        arrows = {name: self.arrow(self.vector(*w), WORD) for name, w in words.items()}
        labels = {name: self.word(*w, WORD) for name, w in words.items()}
        # each label beside its arrow's tip: orange left of it, phone below, apple right
        labels["orange"].next_to(arrows["orange"].get_end(), LEFT, buff=0.15)
        labels["phone"].next_to(arrows["phone"].get_end(), DOWN, buff=0.2)
        labels["apple"].next_to(arrows["apple"].get_end(), RIGHT, buff=0.15)
        vectors = {name: self.vector_line(*w) for name, w in words.items()}
        column = VGroup(*vectors.values()).arrange(DOWN, buff=0.22, aligned_edge=LEFT)
        for line in vectors.values():  # the = signs one above the other
            line.shift(RIGHT * (column.get_left()[0] + 1.5 - line[1].get_x()))
        column.move_to([PANEL_LEFT, 2.05, 0], aligned_edge=LEFT)
        return Board(plane, arrows, labels, vectors)

    def summary(self) -> VGroup:
        """Each context's sentence and apple's new vector there, under the list of vectors."""
        summary = VGroup(*(self.result_line(study) for study in (FRUIT, PHONE)))
        summary.arrange(DOWN, buff=0.5, aligned_edge=LEFT)
        fit(summary, PANEL_RIGHT - PANEL_LEFT, 3.3)
        return summary.move_to([PANEL_LEFT, -0.75, 0], aligned_edge=LEFT)

    def vector(self, study: str, i: int) -> np.ndarray:
        """Token ``i``'s word vector in context ``study``: its scene point."""
        return at(
            lookup(self.trace, f"{study}.X", (i, 0)), lookup(self.trace, f"{study}.X", (i, 1))
        )

    def arrow(self, tip: np.ndarray, colour, start: np.ndarray = ORIGIN_AT, **style) -> Arrow:
        style = {"stroke_width": 6, "tip_length": 0.28, **style}
        return Arrow(start, tip, buff=0, color=colour, max_tip_length_to_length_ratio=0.2, **style)

    def word(self, study: str, i: int, colour, size: float = LABEL_SIZE) -> TraceText:
        return self.num.token(i, f"{study}.tokens", font_size=size, color=colour)

    def number(self, key: str, *index: int, **kwargs) -> TraceNumber:
        """A number of the example at its own precision (config/apple.toml's)."""
        places = int(companion(self.trace, FRUIT).config["precision"])
        kwargs.setdefault("font_size", NUM)
        return self.num.value(key, *index, precision=places, **kwargs)

    def pair(self, key: str, i: int, colour=None) -> VGroup:
        """``(x, y)``: row ``i`` of a two-column array of the example."""
        entries = [self.number(key, i, k, coloured=colour is None) for k in (0, 1)]
        if colour is not None:
            for entry in entries:
                entry.set_color(colour)
        comma = MathTex(",", font_size=NUM)
        pair = VGroup(
            MathTex("(", font_size=NUM), entries[0], comma, entries[1], MathTex(")", font_size=NUM)
        ).arrange(RIGHT, buff=0.08)
        comma.align_to(entries[0], DOWN).shift(DOWN * 0.07)  # on the line, not in its middle
        return pair

    def vector_line(self, study: str, i: int) -> VGroup:
        """``word = (x, y)`` for the panel's list of vectors."""
        return VGroup(
            self.word(study, i, WORD, SIZE),
            MathTex("=", font_size=NUM),
            self.pair(f"{study}.X", i),
        ).arrange(RIGHT, buff=0.2)

    def dim(self, board: Board, name: str, opacity: float) -> list:
        """Fade a word's arrow, label and line of the list to ``opacity`` (1: back to full)."""
        return [
            fade_to(part[name], opacity) for part in (board.arrows, board.labels, board.vectors)
        ]

    def context(self, study: str) -> Context:
        """Everything one context shows, laid out but not yet on screen."""
        # the sentence: its tokens, boxed, at the top of the panel
        boxes = self.sentence(study).move_to([(PANEL_LEFT + PANEL_RIGHT) / 2, 3.4, 0])
        table = self.table(study)
        total = self.total(study)
        # apple's new vector, the trail from where it stood, and its label
        start = self.vector(study, APPLE)
        key = f"{study}.output"
        end = at(lookup(self.trace, key, (APPLE, 0)), lookup(self.trace, key, (APPLE, 1)))
        arrow = self.arrow(end, NEW)
        trail = self.arrow(
            end, NEW, start=start, stroke_width=3, tip_length=0.16, stroke_opacity=0.8
        )
        label = VGroup(
            Text(LABELS["new"][self.language], font=FONT, font_size=SIZE * 0.8, color=NEW),
            self.word(study, APPLE, NEW, SIZE),
        ).arrange(RIGHT, buff=0.12)
        # the fruit's above its tip, the phone's to the right of it
        side = UP if study == FRUIT else RIGHT
        label.next_to(end, side, buff=0.2)
        return Context(study, boxes, table, total, arrow, trail, label)

    def table(self, study: str) -> VGroup:
        """Header (alike: cos, weight: softmax), then apple and its neighbour: word, cosine,
        weight bar, weight."""
        language = self.language
        header = VGroup(
            self.heading(LABELS["alike"][language], r"\cos"),
            self.heading(LABELS["weight"][language], r"\mathrm{softmax}"),
        )
        x_word, x_cos, x_bar = PANEL_LEFT, PANEL_LEFT + 2.2, PANEL_LEFT + 3.3
        top = 0.55
        header[0].move_to([x_cos, top, 0])
        header[1].move_to([x_bar, top, 0], aligned_edge=LEFT)
        lines = []
        for row, j in enumerate((APPLE, NEIGHBOUR)):
            y = top - 0.75 - 0.6 * row
            name = self.word(study, j, WORD, SIZE).move_to([x_word, y, 0], aligned_edge=LEFT)
            cosine = self.number(f"{study}.heads.0.scores", APPLE, j).move_to([x_cos, y, 0])
            bar = self.num.bar(
                f"{study}.heads.0.weights",
                APPLE,
                j,
                unit=BAR_FULL,
                thickness=0.3,
                colour=ROLE["weights"],
            ).move_to([x_bar, y, 0], aligned_edge=LEFT)
            shown = self.number(f"{study}.heads.0.weights", APPLE, j, coloured=False)
            shown.set_color(ROLE["weights"]).next_to(bar, RIGHT, buff=0.15)
            lines.append(VGroup(name, cosine, bar, shown))
        return VGroup(header, *lines)

    def heading(self, words: str, tex: str) -> VGroup:
        return VGroup(
            Text(words, font=FONT, font_size=SIZE * 0.85, color=MUTED),
            MathTex(tex, font_size=NUM, color=MUTED),
        ).arrange(DOWN, buff=0.08)

    def total(self, study: str) -> VGroup:
        """``w · apple + w · neighbour`` and, under it, ``= (x, y)`` in the output's colour."""
        weights = f"{study}.heads.0.weights"
        terms = VGroup(
            self.number(weights, APPLE, APPLE, coloured=False).set_color(ROLE["weights"]),
            MathTex(r"\times", font_size=NUM),
            self.word(study, APPLE, WORD, SIZE),
            MathTex("+", font_size=NUM),
            self.number(weights, APPLE, NEIGHBOUR, coloured=False).set_color(ROLE["weights"]),
            MathTex(r"\times", font_size=NUM),
            self.word(study, NEIGHBOUR, WORD, SIZE),
        ).arrange(RIGHT, buff=0.15)
        result = VGroup(MathTex("=", font_size=NUM), self.pair(f"{study}.output", APPLE, NEW))
        result.arrange(RIGHT, buff=0.2)
        total = VGroup(terms, result).arrange(DOWN, buff=0.3, aligned_edge=LEFT)
        result.shift(RIGHT * 0.4)
        fit(total, PANEL_RIGHT - PANEL_LEFT, 1.5)
        return total.move_to([PANEL_LEFT, -1.95, 0], aligned_edge=LEFT)

    def result_line(self, study: str) -> VGroup:
        """The context's sentence and, under it, apple's new vector there."""
        new = VGroup(
            Text(LABELS["new"][self.language], font=FONT, font_size=SIZE * 0.8, color=NEW),
            self.word(study, APPLE, NEW, SIZE),
            MathTex("=", font_size=NUM),
            self.pair(f"{study}.output", APPLE, NEW),
        ).arrange(RIGHT, buff=0.15)
        return VGroup(self.sentence(study), new).arrange(DOWN, buff=0.2, aligned_edge=LEFT)

    def sentence(self, study: str) -> VGroup:
        """A context's tokens, each boxed, in reading order."""
        words = VGroup(*(self.word(study, i, WORD, SIZE) for i in (APPLE, NEIGHBOUR)))
        return VGroup(
            *(
                VGroup(SurroundingRectangle(w, color=WORD, buff=0.12, corner_radius=0.08), w)
                for w in words
            )
        ).arrange(RIGHT, buff=0.25)

    def move_the_word(self, board: Board, context: Context) -> None:
        """Apple's arrow travels to its new place, leaving its old one and a trail."""
        travelling = board.arrows["apple"].copy()
        self.play(
            ReplacementTransform(travelling, context.arrow),
            GrowArrow(context.trail),
            run_time=1.8,
        )
        self.play(FadeIn(context.label))
