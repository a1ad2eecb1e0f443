"""Part 2 (T6, the why): why the scores are divided by √d_k, with real samples.

Three beats, every value computed by the core (qkv/studies.py):
1. q·k for random queries and keys of width d_k = 4, 16, 64, 256: dots on one axis, each row's
   spread (σ) beside √d_k. The wider the vectors, the wider the scores.
2. Each row divided by its √d_k: all four rows shrink to the same spread; the axis zooms in.
3. This lesson's own tokens through heads 256 wide: one query's softmax weights from unscaled
   scores (almost one-hot) beside those from scaled scores (soft), and each row's largest slope
   ∂a/∂s, which is what learning follows: almost nothing passes back through a one-hot row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Circle,
    Create,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    Line,
    MathTex,
    NumberLine,
    Transform,
    VGroup,
    VMobject,
    Write,
)

from qkv import lookup, lookup_array
from scenes.kit.base import LessonScene
from scenes.kit.layout import CAPTION_TOP
from scenes.kit.provenance import Numbers
from scenes.kit.style import FRAME_LINE, LABEL_SIZE, NUMBER_SIZE, ROLE
from scenes.kit.widgets import fit_in_slots, stagger, token_labels

__all__ = ["WhyScale"]

AXIS_WIDTH = 8.0  # scene units from the axis' left end to its right end
ROW_GAP = 1.05  # between the strips of two widths
DOT_RADIUS = 0.035
CENTRE_X = -0.6  # the axes sit a little left of centre: σ columns right


class DotStrip(VMobject):
    """Many dots as ONE outline: a strip of samples costs one drawn mobject, not hundreds,
    and moving every dot at once is a single point-wise Transform."""

    def __init__(self, xs: np.ndarray, y: float, colour) -> None:
        super().__init__(fill_color=colour, fill_opacity=0.75, stroke_width=0)
        circle = Circle(radius=DOT_RADIUS).points  # one dot's outline around the origin
        # a small vertical jitter by sample index, so that coinciding dots stay visible
        jitter = (np.arange(len(xs)) % 5 - 2) * DOT_RADIUS * 1.2
        self.points = np.concatenate(
            [circle + np.array([x, y + dy, 0.0]) for x, dy in zip(xs, jitter, strict=True)]
        )


class BarChart(VGroup):
    """One query's weights over the keys as bars, each with its real value above it, the keys
    named under them and the chart's formula over it."""

    def __init__(self, num: Numbers, key: str, title_tex: str, focus: int) -> None:
        weights = lookup_array(num.trace, key)[focus]  # (S,)
        keys = len(weights)
        pitch = min(2.2, 5.8 / keys)  # a short sentence's few bars stand wider
        tall = 2.8  # a weight of one
        self.base = Line(LEFT * 0.1, RIGHT * (pitch * keys + 0.1), color=FRAME_LINE, stroke_width=2)
        self.bars, self.values = VGroup(), VGroup()
        for j, w in enumerate(weights):
            x = pitch * (j + 0.5)
            # a bar as long as the weight (a weight of one: ``tall``), on the chart's base
            bar = num.bar(
                key,
                focus,
                j,
                unit=tall,
                thickness=pitch * 0.7,
                direction=UP,
                colour=ROLE["weights"],
            ).on([x, 0, 0])
            value = num.value(key, focus, j, coloured=False, font_size=NUMBER_SIZE)
            value.scale_to_fit_width(min(value.width, pitch * 0.85))
            value.next_to([x, tall * w, 0], UP, buff=0.08)
            self.bars.add(bar)
            self.values.add(value)
        self.labels = token_labels(
            num, "key_tokens", ROLE["K"], font_size=LABEL_SIZE * 0.8, max_width=1.3
        )
        staggered = fit_in_slots(self.labels, pitch)
        for j, lab in enumerate(self.labels):
            lab.next_to([pitch * (j + 0.5), 0, 0], DOWN, buff=0.15)
        if staggered:
            stagger(self.labels, DOWN)
        self.title = MathTex(title_tex, font_size=LABEL_SIZE)
        self.title.next_to([pitch * keys / 2, tall, 0], UP, buff=0.5)
        super().__init__(self.title, self.base, self.bars, self.values, self.labels)


@dataclass
class Spread:
    """What the spread beats hand on: the formula, one axis per width with its samples, the
    widths' names, the axis' marks, and the σ and √d_k columns."""

    title: MathTex
    axes: VGroup
    zero: Line
    names: VGroup
    ticks: VGroup
    strips: VGroup
    heads: VGroup  # σ and √d_k over their columns
    sigmas: VGroup
    roots: VGroup


@dataclass
class Weights:
    """What the saturation beats hand on: the query followed, its unscaled and scaled softmax
    weights, and each one's largest slope."""

    header: VGroup  # d_k of the wide heads and the query followed
    focus: int
    onehot: bool  # the core's verdict on the unscaled weights
    raw: BarChart
    soft: BarChart
    slopes: VGroup


class WhyScale(LessonScene):
    map_step = "scaling"  # lit on the lesson map
    captions = {
        "random": {
            "en": "Take random queries and keys: every entry a standard normal number",
            "zh": "随机取一些查询和键：每个分量都是标准正态分布的数",
            "ru": "Возьмём случайные запросы и ключи: каждая компонента — стандартная нормальная",
        },
        "grows": {
            "en": "The longer the vectors, the wider their dot products spread",
            "zh": "向量越长，它们的点积就散得越开",
            "ru": "Чем длиннее векторы, тем шире разброс их скалярных произведений",
        },
        "sigma": {
            "en": "The spread grows like the square root of the key size",
            "zh": "散布大约按键维度的平方根增长",
            "ru": "Разброс растёт примерно как корень из размерности ключа",
        },
        "divide": {
            "en": "Divide each dot product by the square root of its key size",
            "zh": "把每个点积除以它的键维度的平方根",
            "ru": "Разделим каждое произведение на корень из размерности ключа",
        },
        "same": {
            "en": "Zoomed in: now every key size gives scores of the same spread",
            "zh": "放大来看：现在无论键维度多大，分数的散布都一样",
            "ru": "Крупнее: теперь при любой размерности разброс оценок одинаков",
        },
        "sentence": {
            "en": "Now this sentence, through heads far wider than ours",
            "zh": "现在让这句话通过比我们宽得多的注意力头",
            "ru": "Теперь это предложение, но через гораздо более широкие головы",
        },
        "onehot": {
            "en": 'Unscaled, the softmax of "{0}" puts almost all weight on one key',
            "zh": "不缩放时，“{0}”的 softmax 几乎把全部权重给了一个键",
            "ru": "Без масштабирования softmax для «{0}» отдаёт почти весь вес одному ключу",
        },
        "sharper": {
            "en": 'Unscaled, the softmax of "{0}" leans harder on its highest-scoring key',
            "zh": "不缩放时，“{0}”的 softmax 更加偏向得分最高的那个键",
            "ru": "Без масштаба softmax «{0}» сильнее клонится к ключу с высшей оценкой",
        },
        "soft": {
            "en": "Scaled, the weights are spread more evenly over the keys",
            "zh": "缩放之后，权重在各个键之间分布得更均匀",
            "ru": "После масштабирования веса распределены по ключам ровнее",
        },
        "slope": {
            "en": "A one-hot softmax barely changes when a score changes: learning stalls",
            "zh": "接近独热的 softmax 几乎不随分数变化：学习就停滞了",
            "ru": "Почти единичный softmax почти не меняется вслед за оценкой: обучение стоит",
        },
        "slope_sharper": {
            "en": "The more lopsided a softmax, the less its weights follow its scores",
            "zh": "softmax 越偏向一边，权重就越不随分数变化",
            "ru": "Чем однобокее softmax, тем слабее его веса следуют за оценками",
        },
        "single": {
            "en": "With a single key, every weight is one either way",
            "zh": "只有一个键时，无论缩不缩放权重都是一",
            "ru": "При одном ключе вес в любом случае равен единице",
        },
    }

    def construct(self) -> None:
        axes = self.lay_out_the_axes()
        self.show_random_dot_products(axes)
        self.show_the_spread_growing(axes)
        self.set_the_spread_beside_the_root(axes)
        self.divide_by_the_root(axes)
        self.zoom_in_on_one_spread(axes)
        weights = self.wide_board()
        self.take_this_sentence_wide(axes, weights)
        self.show_the_unscaled_weights(weights)
        self.show_the_scaled_weights(weights)
        self.show_where_learning_stalls(weights)
        self.end_on(self.closing_picture())

    def closing_picture(self) -> VGroup:
        """This sentence through wide heads: its softmax weights unscaled beside scaled, each
        chart's largest slope under it."""
        board = self.wide_board()
        return VGroup(board.header, board.raw, board.soft, board.slopes)

    # ---- beats 1 and 2: the spread of q·k by width ----

    def lay_out_the_axes(self) -> Spread:
        """One axis per width with its samples of q·k; σ and √d_k columns at the right."""
        num, trace = self.num, self.trace
        reach = lookup(trace, "spread.axis", (2,))
        ys = self.rows()
        title = MathTex(r"q \cdot k = \sum_{m} q_m k_m", font_size=LABEL_SIZE * 1.2)
        title.to_edge(UP, buff=0.35)
        axes = self.number_lines(reach)
        zero = Line(
            axes[0].n2p(0) + UP * 0.4,
            axes[-1].n2p(0) + DOWN * 0.3,
            color=FRAME_LINE,
            stroke_width=1.5,
        )
        names = VGroup()
        for w, line in enumerate(axes):
            name = VGroup(
                MathTex("d_k =", font_size=NUMBER_SIZE * 1.2),
                num.value(
                    "spread.d_k", w, precision=0, coloured=False, font_size=NUMBER_SIZE * 1.2
                ),
            ).arrange(RIGHT, buff=0.12)
            names.add(name.next_to(line, LEFT, buff=0.3))
        ticks = self.ticks("spread.axis", axes[-1], reach)
        strips = strips_on(axes, lookup_array(trace, "spread.samples"))  # (widths, N)

        sigma_x, root_x = axes[0].get_right()[0] + 1.2, axes[0].get_right()[0] + 2.5
        heads = VGroup(
            MathTex(r"\sigma", font_size=LABEL_SIZE).move_to([sigma_x, ys[0] + 0.7, 0]),
            MathTex(r"\sqrt{d_k}", font_size=LABEL_SIZE).move_to([root_x, ys[0] + 0.7, 0]),
        )
        sigmas = VGroup(
            *(
                num.value("spread.std", w, coloured=False).move_to([sigma_x, y, 0])
                for w, y in enumerate(ys)
            )
        )
        roots = VGroup(
            *(
                num.value("spread.sqrt_d_k", w, precision=0, coloured=False).move_to([root_x, y, 0])
                for w, y in enumerate(ys)
            )
        )
        return Spread(title, axes, zero, names, ticks, strips, heads, sigmas, roots)

    def show_random_dot_products(self, board: Spread) -> None:
        """Random queries and keys of the narrowest width: their dot products on an axis."""
        self.play(
            Write(board.title),
            Create(board.axes),
            FadeIn(board.zero),
            FadeIn(board.names),
            FadeIn(board.ticks),
        )
        self.say("random")  # after the axes: the picture before it never goes blank
        self.play(FadeIn(board.strips[0]))
        self.wait(0.5)

    def show_the_spread_growing(self, board: Spread) -> None:
        """The wider the vectors, the wider their dot products spread."""
        self.say("grows")
        for strip in board.strips[1:]:
            self.play(FadeIn(strip), run_time=0.6)
        self.wait(1.0)

    def set_the_spread_beside_the_root(self, board: Spread) -> None:
        """Each width's spread σ beside √d_k: they grow alike."""
        self.say("sigma")
        self.play(FadeIn(board.heads[0]), FadeIn(board.sigmas))
        self.play(FadeIn(board.heads[1]), FadeIn(board.roots))
        self.wait(1.5)

    def divide_by_the_root(self, board: Spread) -> None:
        """Every row divided by its √d_k, on the same axis: all shrink to one spread."""
        self.say("divide")
        divided = MathTex(r"\frac{q \cdot k}{\sqrt{d_k}}", font_size=LABEL_SIZE * 1.2)
        divided.move_to(board.title)
        shrunk = strips_on(board.axes, lookup_array(self.trace, "spread.scaled"))
        sigmas = VGroup(
            *(
                self.num.value("spread.scaled_std", w, coloured=False).move_to(s)
                for w, s in enumerate(board.sigmas)
            )
        )
        self.play(
            FadeOut(board.title),  # the formula fades into the divided one: no shape morph
            FadeIn(divided),
            *(Transform(a, b) for a, b in zip(board.strips, shrunk, strict=True)),
            run_time=1.5,
        )
        # each σ fades into the divided one in its place: digits never morph
        self.play(FadeOut(board.sigmas), FadeIn(sigmas))
        board.title, board.sigmas = divided, sigmas
        self.wait(0.8)

    def zoom_in_on_one_spread(self, board: Spread) -> None:
        """The axis zooms in on the divided scores: every width now spreads alike."""
        zoomed = lookup(self.trace, "spread.scaled_axis", (2,))
        axes = self.number_lines(zoomed)
        strips = strips_on(axes, lookup_array(self.trace, "spread.scaled"))
        ticks = self.ticks("spread.scaled_axis", axes[-1], zoomed)
        self.say("same")
        self.play(
            *(Transform(a, b) for a, b in zip(board.strips, strips, strict=True)),
            Transform(board.axes, axes),
            FadeOut(board.ticks),
            FadeIn(ticks),
            run_time=1.5,
        )
        board.ticks = ticks
        self.wait(2.0)

    def rows(self) -> list[float]:
        """The height of each width's axis, narrowest at the top."""
        widths = len(lookup_array(self.trace, "spread.d_k"))
        return [2.2 - ROW_GAP * w for w in range(widths)]

    def number_lines(self, half: float) -> VGroup:
        """One manim NumberLine per width, from −half to half; numbers come from the core."""
        return VGroup(
            *(
                NumberLine(
                    x_range=[-half, half, half / 2],
                    length=AXIS_WIDTH,
                    color=FRAME_LINE,
                    stroke_width=2,
                    tick_size=0.06,
                    include_numbers=False,
                ).move_to([CENTRE_X, y, 0])
                for y in self.rows()
            )
        )

    def ticks(self, key: str, line: NumberLine, half: float) -> VGroup:
        """The axis' three marks (−half, 0, half: the core's ``key``) under the lowest line."""
        marks = VGroup()
        for k, at in enumerate((-half, 0.0, half)):
            mark = self.num.value(key, k, precision=0, coloured=False, font_size=NUMBER_SIZE * 0.9)
            marks.add(mark.next_to(line.n2p(at), DOWN, buff=0.25))
        return marks

    # ---- beat 3: this sentence, unscaled and scaled, at d_k = 256 ----

    def wide_board(self) -> Weights:
        """This sentence's query through heads far wider than ours: the header and its two
        charts laid out (the closing picture's layout too)."""
        num = self.num
        focus = int(lookup(self.trace, "wide.focus"))
        width = VGroup(
            MathTex("d_k =", font_size=LABEL_SIZE),
            num.value("wide.d_k", precision=0, coloured=False, font_size=LABEL_SIZE),
        ).arrange(RIGHT, buff=0.12)
        query = VGroup(
            MathTex(r"q =", font_size=LABEL_SIZE),
            num.token(focus, font_size=LABEL_SIZE, color=ROLE["Q"]),
        )
        query.arrange(RIGHT, buff=0.15)
        header = VGroup(width, query).arrange(RIGHT, buff=1.0).to_edge(UP, buff=0.35)
        raw = BarChart(num, "wide.raw_weights", r"\mathrm{softmax}(q \cdot k)", focus)
        soft = BarChart(
            num,
            "wide.scaled_weights",
            r"\mathrm{softmax}\!\left(\frac{q \cdot k}{\sqrt{d_k}}\right)",
            focus,
        )
        panels = VGroup(raw, soft).arrange(RIGHT, buff=1.2, aligned_edge=DOWN)
        panels.next_to(header, DOWN, buff=0.3)
        if max(raw.width, soft.width) < 6.4:  # each chart in the middle of its half
            raw.set_x(-3.6)
            soft.set_x(3.6)
        slopes = VGroup()
        for panel, key in zip(panels, ("wide.raw_slope", "wide.scaled_slope"), strict=True):
            line = VGroup(
                MathTex(r"\max_j \frac{\partial a_j}{\partial s_j} =", font_size=LABEL_SIZE * 0.9),
                num.value(key, focus, coloured=False, font_size=LABEL_SIZE * 0.9),
            )
            slopes.add(line.arrange(RIGHT, buff=0.15).next_to(panel, DOWN, buff=0.35))
        # long key words stand turned under the bars: the charts, scaled as one (bars stay
        # true), fill the frame down to the caption
        body = VGroup(panels, slopes)
        top = body.get_top()[1]
        body.scale(min(13.4 / body.width, (top - CAPTION_TOP - 0.1) / body.height))
        body.move_to([0, top - body.height / 2, 0])
        onehot = lookup(self.trace, "wide.raw_onehot", (focus,)) == 1
        return Weights(header, focus, onehot, raw, soft, slopes)

    def take_this_sentence_wide(self, spread: Spread, board: Weights) -> None:
        """The spread leaves as this sentence's header comes: never a blank frame."""
        b = spread
        self.say("sentence")
        self.play(
            FadeOut(
                VGroup(
                    b.title, b.axes, b.zero, b.names, b.ticks, b.strips, b.heads, b.sigmas, b.roots
                )
            ),
            FadeIn(board.header),
        )

    def show_the_unscaled_weights(self, board: Weights) -> None:
        """Unscaled, the softmax puts (almost) all the weight on one key."""
        self.draw_chart(board.raw)
        single = len(self.trace.key_tokens) == 1
        self.say(
            "single" if single else "onehot" if board.onehot else "sharper", ("tokens", board.focus)
        )
        self.wait(1.5)

    def show_the_scaled_weights(self, board: Weights) -> None:
        """Scaled, the weights spread more evenly over the keys."""
        self.draw_chart(board.soft)
        if len(self.trace.key_tokens) > 1:
            self.say("soft")
            self.wait(1.5)

    def show_where_learning_stalls(self, board: Weights) -> None:
        """Each chart's largest slope: almost nothing passes back through a one-hot row."""
        self.play(FadeIn(board.slopes))
        self.say("slope" if board.onehot else "slope_sharper")
        self.wait(3.0)

    def draw_chart(self, chart: BarChart) -> None:
        """A chart's formula, keys and axis, then its bars, then their values."""
        self.play(FadeIn(chart.title), FadeIn(chart.labels), Create(chart.base))
        self.play(*(GrowFromEdge(b, DOWN) for b in chart.bars), run_time=0.8)
        self.play(FadeIn(chart.values))


def strips_on(lines: VGroup, values: np.ndarray) -> VGroup:
    """Each width's samples (a row of ``values``) as dots on its own line."""
    return VGroup(
        *(
            DotStrip(np.array([line.n2p(v)[0] for v in row]), line.get_y(), ROLE["Q"])
            for line, row in zip(lines, values, strict=True)
        )
    )
