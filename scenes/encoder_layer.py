"""Part 2 (T14): where attention sits. One layer around this lesson's attention:
X → multi-head attention → Add & Norm → feed-forward → Add & Norm → Y, with the core's numbers.

First the block diagram, the attention block lit as what the lesson built and a skip connection
round each sub-block; it folds into a strip along the top that marks where the numbers below
are. Then the one view of the residual, X + Attention(X) = R (one entry worked, then all), and
the one view of LayerNorm: a token's row of R, its mean and standard deviation, the row brought
to mean zero and spread one, then every row (N). The rest of the layer, feed-forward and Add &
Norm again, is one step from N to the layer's output Y, shaped like X. For the seeded and
explicit sources the feed-forward weights are seeded at random, not trained; for a pretrained
model they are its own (and LayerNorm has its trained gain and shift), and Y is the model's own
hidden state after the layer. The captions say which. Every number is an ``encoder.*`` key of
qkv/studies. Masked or cross-attention is named as such and its layer called a Transformer layer
(it would sit in a decoder). The layer is drawn in the paper's rows (a token is a row) whatever
the convention: Add & Norm and the feed-forward network act on each token's vector alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from manim import (
    DOWN,
    LEFT,
    PI,
    RIGHT,
    UP,
    WHITE,
    Animation,
    Arrow,
    Create,
    DashedVMobject,
    Dot,
    FadeIn,
    FadeOut,
    FadeTransform,
    GrowArrow,
    Indicate,
    LaggedStart,
    Line,
    MathTex,
    MobjectMatrix,
    ReplacementTransform,
    RoundedRectangle,
    SurroundingRectangle,
    Text,
    VGroup,
    VMobject,
)

from qkv import lookup
from scenes.kit.base import LessonScene
from scenes.kit.layout import CAPTION_TOP, CONTENT_WIDTH
from scenes.kit.style import FONT, LABEL_SIZE, MUTED, NUMBER_SIZE, ROLE
from scenes.kit.widgets import DIM_TEX, TraceMatrix, elided, fit, highlight, shape_label

__all__ = ["EncoderLayer"]

# The top of the upright diagram; all ends above the caption line (CAPTION_TOP).
DIAGRAM_TOP = 3.85
# The strip's skips rise this far over its blocks; the cursor frames a block this far out.
SKIP_RISE = 0.4
CURSOR_BUFF = 0.08
# The strip's parts, as the upright diagram's fold into them.
STRIP_PARTS = ("x", "y", "boxes", "arrows", "skips")
# Room kept under an equation for a worked line (x + a = r).
WORKED = 0.8
# Columns shown of a d_model-wide matrix (the rest elided with ⋯).
MODEL_COLS = 8
NAME_SIZE = LABEL_SIZE * 1.05
# How much a small layout (two tokens, two dimensions) may grow: more would look empty-handed.
MAX_GROWTH = 1.4
# A sentence this short may end on N over Y (side by side, a token or two can leave the frame
# empty), and grow more: its numbers are few.
SMALL_TOKENS = 2
SMALL_GROWTH = 2.0
# The room between a sign and the numbers after it, as drawn: "+ −1.2" would read as a typo
# for "− 1.2" (the audit flags a plus closer than 0.45 to a negative number).
SIGN_CLEAR = 0.5
# The sub-blocks of the layer, bottom to top.
BLOCKS = ("attention", "add_norm", "ffn", "add_norm")


class Seeded:
    """The seeded layer: LayerNorm with gain one and shift zero (its feed-forward network, ReLU
    and no biases, is seeded at random)."""

    normed = r"N = \mathrm{LayerNorm}(R)"


class Trained(Seeded):
    """A pretrained model's own layer: LayerNorm's trained gain γ and shift β (and a trained
    feed-forward network with GELU and biases)."""

    normed = r"N = \gamma \odot \frac{R - \mu}{\sigma} + \beta"


@dataclass
class Equation:
    """``M₁ + M₂ = M₃`` (or →) on screen: its matrices and signs, the tokens' names left of the
    first, each matrix's name and shape above it, and ``whole`` (all of them, for layout)."""

    mats: list[TraceMatrix]
    signs: VGroup
    labels: VGroup
    heads: VGroup
    whole: VGroup


@dataclass
class Board:
    """What the beats hand on: the layer's strip along the top, the cursor on it, the token
    worked by hand, where the numbers' region starts, and the equation now on screen (the next
    step starts from its last matrix)."""

    strip: dict[str, VMobject]
    cursor: VMobject
    token: int
    top: float
    shown: Equation | None = None


class EncoderLayer(LessonScene):
    captions = {
        "layer": {
            "en": "Where attention sits: inside a layer of the Transformer",
            "zh": "注意力在哪里：在 Transformer 的一层之中",
            "ru": "Где стоит внимание: внутри слоя трансформера",
        },
        "ours": {
            "en": "The lit block is the attention this lesson built",
            "zh": "亮起的模块就是本课搭建的注意力",
            "ru": "Подсвеченный блок — внимание, которое мы построили",
        },
        "decoder_causal": {
            "en": "A decoder wraps its masked attention the same way",
            "zh": "解码器也这样包装它的带掩码注意力",
            "ru": "Декодер так же оборачивает своё маскированное внимание",
        },
        "decoder_cross": {
            "en": "A decoder wraps its cross-attention the same way",
            "zh": "解码器也这样包装它的交叉注意力",
            "ru": "Декодер так же оборачивает своё перекрёстное внимание",
        },
        "add": {
            "en": "Add: a skip path adds X to attention's output",
            "zh": "相加：残差连接把 X 加到注意力的输出上",
            "ru": "Сложение: обходной путь прибавляет X к выходу внимания",
        },
        "norm_row": {
            "en": 'Norm: the row of "{0}", its mean and deviation',
            "zh": "归一化：“{0}”这一行的均值和标准差",
            "ru": "Нормировка: строка «{0}», среднее и отклонение",
        },
        "norm_result": {
            "en": "Minus the mean, over the deviation: mean zero, spread one",
            "zh": "减去均值，除以标准差：均值为零，离散程度为一",
            "ru": "Минус среднее, делим на отклонение: среднее ноль, разброс один",
        },
        "norm_result_trained": {
            "en": "Minus the mean, over the deviation, then the model's gain and shift",
            "zh": "减去均值，除以标准差，再用模型训练好的缩放和偏移",
            "ru": "Минус среднее, делим на отклонение, затем обученные масштаб и сдвиг",
        },
        "rest": {
            "en": "Then feed-forward, with random weights here, and Add & Norm again",
            "zh": "然后是前馈网络（这里权重随机），再做一次 Add & Norm",
            "ru": "Затем сеть прямой связи, здесь со случайными весами, и снова Add & Norm",
        },
        "rest_trained": {
            "en": "Then the model's trained feed-forward and Add & Norm again",
            "zh": "然后是模型训练好的前馈网络，再做一次 Add & Norm",
            "ru": "Затем обученная сеть прямой связи модели и снова Add & Norm",
        },
        "output": {
            "en": "Out comes Y: one vector per token, the shape of X",
            "zh": "输出 Y：每个词元一个向量，形状和 X 相同",
            "ru": "На выходе Y: по вектору на токен, той же формы, что X",
        },
        "output_trained": {
            "en": "Out comes Y: the model's own state after this layer",
            "zh": "输出 Y：模型在这一层之后的状态",
            "ru": "На выходе Y: состояние модели после этого слоя",
        },
    }
    # The names written in the diagram's boxes (Text, not captions: no slots, no sentence).
    labels = {
        "attention": {
            "en": "Multi-head attention",
            "zh": "多头注意力",
            "ru": "Многоголовое внимание",
        },
        "attention_causal": {
            "en": "Masked multi-head attention",
            "zh": "带掩码的多头注意力",
            "ru": "Маскированное внимание",
        },
        "attention_cross": {
            "en": "Cross-attention",
            "zh": "交叉注意力",
            "ru": "Перекрёстное внимание",
        },
        "add_norm": {"en": "Add & Norm", "zh": "Add & Norm", "ru": "Add & Norm"},
        "ffn": {"en": "Feed-forward", "zh": "前馈网络", "ru": "Сеть прямой связи"},
        "layer": {"en": "Encoder layer", "zh": "编码器层", "ru": "Слой кодировщика"},
        # masked or cross-attention belongs to a decoder layer, which holds more than this
        "layer_decoder": {
            "en": "Transformer layer",
            "zh": "Transformer 层",
            "ru": "Слой трансформера",
        },
    }

    def construct(self) -> None:
        """The layer around attention; one view of its residual and of LayerNorm; the rest."""
        diagram = self.diagram()
        self.draw_the_layer(diagram)
        self.light_our_attention(diagram)
        board = self.fold_into_a_strip(diagram)
        self.add_the_input_back(board)
        band, panel = self.normalise_one_row(board)
        self.normalise_every_row(board, band, panel)
        self.through_the_rest_of_the_layer(board)
        self.show_the_output(board)
        self.end_on(self.closing_picture())

    def closing_picture(self) -> VGroup:
        """The strip, its cursor on Y, and N → Y under it: the layer's output, shaped like X."""
        strip = self.strip()
        self.lit(strip["boxes"][0][0], animate=False)
        out = self.last_step(self.numbers_top(strip))
        return VGroup(*(strip[k] for k in STRIP_PARTS), self.cursor(strip["y"]), out.whole)

    # -- the variants ---------------------------------------------------------------------------

    @cached_property
    def kind(self) -> str:
        """The attention the layer wraps: ``self``, or a decoder's ``causal`` or ``cross``."""
        if self.trace.X_kv is not None:
            return "cross"
        return "causal" if self.trace.heads[0].mask is not None else "self"

    @cached_property
    def trained(self) -> bool:
        """A pretrained model's own layer (gain and shift, GELU, biases), not the seeded one."""
        return bool(lookup(self.trace, "encoder.trained"))

    @property
    def formulas(self) -> type[Seeded]:
        """How this layer's steps are written: the seeded one's or a trained model's."""
        return Trained if self.trained else Seeded

    # -- the beats ------------------------------------------------------------------------------

    def draw_the_layer(self, diagram: dict[str, VMobject]) -> None:
        """The layer: X in at the bottom, four blocks, Y out at the top, a skip round each pair.
        The first blocks come in as the scene before fades, then the caption."""
        self.play(
            FadeIn(diagram["x"]),
            LaggedStart(
                *(
                    FadeIn(VGroup(a, b))
                    for a, b in zip(diagram["arrows"], diagram["boxes"], strict=False)
                ),
                lag_ratio=0.4,
            ),
            run_time=1.6,
        )
        self.say("layer")
        self.play(
            GrowArrow(diagram["arrows"][-1]),
            FadeIn(diagram["y"]),
            *(Create(s) for s in diagram["skips"]),
            Create(diagram["frame"]),
            FadeIn(diagram["name"]),
            run_time=1.0,
        )
        self.wait(1.0)

    def light_our_attention(self, diagram: dict[str, VMobject]) -> None:
        """The attention block is what this lesson built (a decoder would wrap it alike)."""
        attention = diagram["boxes"][0]
        self.say("ours")
        self.play(
            self.lit(attention[0]), Indicate(attention[1], color=ROLE["output"]), run_time=0.8
        )
        # the strip folds under the last caption said here (beat 3), so each reads long enough
        self.wait(1.2 if self.kind == "self" else 2.4)
        if self.kind != "self":
            self.say("decoder_causal" if self.kind == "causal" else "decoder_cross")
            self.wait(2.2)

    def fold_into_a_strip(self, diagram: dict[str, VMobject]) -> Board:
        """The diagram folds into a strip along the top: a map of where the numbers below are."""
        strip = self.strip()
        self.lit(strip["boxes"][0][0], animate=False)
        self.play(
            *(ReplacementTransform(diagram[k], strip[k]) for k in STRIP_PARTS),
            FadeOut(diagram["frame"]),
            FadeOut(diagram["name"]),
            run_time=1.2,
        )
        return Board(
            strip,
            self.cursor(strip["boxes"][1]),
            token=(len(self.trace.tokens) - 1) // 2,  # the token worked by hand: a middle one
            top=self.numbers_top(strip),
        )

    def add_the_input_back(self, board: Board) -> None:
        """Add: the skip carries X round attention, X + Attention(X) = R, one entry by hand."""
        i = board.token
        add = self.equation(
            board.top,
            [
                ("encoder.X", "X", "X"),
                ("encoder.attention", r"\mathrm{Attention}(X)", "output"),
                ("encoder.residual", "R", "X"),
            ],
            ["+", "="],
            room=WORKED,
        )
        x, a, r = add.mats
        self.say("add")
        self.play(
            Create(board.cursor),
            Indicate(board.strip["skips"][0], color=WHITE),
            FadeIn(VGroup(add.labels, x, add.heads[0])),
            FadeIn(VGroup(add.signs, a, add.heads[1], add.heads[2], self.shell(r)), shift=UP * 0.1),
            run_time=1.0,
        )
        self.work_sum(add, i)
        self.fill(r, skip={(i, 0)})
        board.shown = add

    def normalise_one_row(self, board: Board) -> tuple[VMobject, VGroup]:
        """Norm: one token's row, its mean and deviation, to mean zero and spread one."""
        i, add = board.token, board.shown
        norm = self.equation(board.top, [("encoder.residual", "R", "X")], [], width=5.2, growth=1)
        panel = self.norm_panel(i)
        VGroup(norm.whole, panel).arrange(RIGHT, buff=0.8)
        grow(VGroup(norm.whole, panel), CONTENT_WIDTH, board.top - CAPTION_TOP)
        VGroup(norm.whole, panel).move_to(UP * (board.top + CAPTION_TOP) / 2)
        x, a, _ = add.mats
        # X and Attention(X) leave first: R then moves left over nothing
        self.play(
            FadeOut(VGroup(x, a, add.heads[0], add.heads[1], add.signs, add.labels)),
            run_time=0.6,
        )
        self.carry(add, norm, 0, FadeIn(norm.labels), move_labels=False)
        band = highlight(VGroup(norm.mats[0].row_band(i), norm.labels[i]), ROLE["X"])
        row, stats, _ = panel
        self.say("norm_row", ("tokens", i))
        # the row written out beside R (it appears there: flown out, it would cross R's rows)
        self.play(Create(band), FadeIn(row, shift=RIGHT * 0.2))
        self.play(FadeIn(stats, shift=DOWN * 0.15), run_time=0.8)
        self.wait(1.2)
        board.shown = norm
        return band, panel

    def normalise_every_row(self, board: Board, band: VMobject, panel: VGroup) -> None:
        """The row to mean zero and spread one; LayerNorm does so to every row (N): each number
        fades into the one computed from it, in its place (never a morph of digits)."""
        norm = board.shown
        result = panel[2]
        self.say("norm_result_trained" if self.trained else "norm_result")
        self.play(FadeIn(result[0]), FadeIn(result[1], shift=DOWN * 0.15), run_time=1.0)
        self.wait(1.1 if self.trained else 0.8)  # the trained caption is the longer
        normed = self.in_place(norm, "encoder.normed", self.formulas.normed, "X")
        self.play(
            FadeOut(band),
            FadeOut(panel),
            FadeTransform(norm.mats[0], normed.mats[0]),
            FadeTransform(norm.heads[0], normed.heads[0]),
            run_time=1.2,
        )
        self.wait(0.6)
        board.shown = normed

    def through_the_rest_of_the_layer(self, board: Board) -> None:
        """Feed-forward, then Add & Norm again: N becomes the layer's output Y."""
        out = self.last_step(board.top)
        self.say("rest_trained" if self.trained else "rest")
        step = self.step(board, board.strip["boxes"][2])
        self.carry(board.shown, out, 0, step, head=FadeTransform)
        self.play(
            GrowArrow(out.signs[0][0]),
            FadeIn(out.signs[0][1]),
            self.step(board, board.strip["boxes"][3]),
            run_time=1.0,
        )
        y = out.mats[1]
        self.play(FadeIn(out.heads[1]), FadeIn(self.shell(y)), run_time=0.6)
        self.fill(y)
        self.wait(0.8)
        board.shown = out

    def show_the_output(self, board: Board) -> None:
        """Y, the layer's output: one vector per token, shaped like its input X."""
        out = board.shown
        self.say("output_trained" if self.trained else "output")
        self.play(
            self.step(board, board.strip["y"]),
            Indicate(out.heads[1], color=ROLE["output"]),
            run_time=1.0,
        )
        self.wait(2.2)

    def last_step(self, top: float) -> Equation:
        """N → Y: the rest of the layer in one arrow (the closing picture's numbers). A
        sentence of a token or two may grow more, side by side or N over Y, whichever covers
        more of the frame (one token's long rows stack; two narrow matrices sit side by side)."""
        terms = [("encoder.normed", "N", "X"), ("encoder.output", "Y", "output")]
        if len(self.trace.tokens) > SMALL_TOKENS:
            return self.equation(top, terms, [self.rest_arrow()])
        ways = [
            self.equation(top, terms, [self.rest_arrow(down)], stacked=down, growth=SMALL_GROWTH)
            for down in (False, True)
        ]
        return max(ways, key=lambda e: e.whole.width * e.whole.height)

    # -- the steps between equations ------------------------------------------------------------

    def carry(
        self,
        old: Equation,
        new: Equation,
        into: int,
        *also: Animation,
        head: type[Animation] = ReplacementTransform,
        move_labels: bool = True,
        run_time: float = 0.8,
    ) -> None:
        """``old``'s last matrix (the same numbers) becomes ``new``'s matrix ``into``, with its
        name and shape; the tokens' names move along, or ``also`` brings them."""
        labels = [ReplacementTransform(old.labels, new.labels)] if move_labels else []
        self.play(
            *also,
            ReplacementTransform(old.mats[-1], new.mats[into]),
            head(old.heads[-1], new.heads[into]),
            *labels,
            run_time=run_time,
        )

    # -- the diagram --------------------------------------------------------------------------

    def label(self, key: str) -> str:
        """A box's name in the lesson's language, for the trace's kind of attention."""
        if key == "attention":
            key = {"self": "attention", "causal": "attention_causal", "cross": "attention_cross"}[
                self.kind
            ]
        if key == "layer" and self.kind != "self":
            key = "layer_decoder"  # masked or cross-attention: a decoder layer holds more
        return self.labels[key][self.language]

    def block(self, key: str, width: float, height: float, size: float) -> VGroup:
        """A rounded box with its name; the attention block in the outputs' green frame."""
        colour = ROLE["output"] if key == "attention" else MUTED
        box = RoundedRectangle(
            width=width, height=height, corner_radius=0.12, stroke_color=colour, stroke_width=2.5
        )
        box.set_fill(colour, opacity=0.06)
        name = Text(self.label(key), font=FONT, font_size=size, disable_ligatures=True)
        fit(name, width - 0.3, height - 0.15).move_to(box)
        return VGroup(box, name)

    def diagram(self) -> dict[str, VMobject]:
        """The layer upright, as the paper draws it: X, four blocks, Y, and the two skips."""
        boxes = VGroup(
            *(self.block(k, 4.4, 0.6 if k == "add_norm" else 0.9, 28) for k in BLOCKS)
        ).arrange(UP, buff=0.5)
        x = MathTex("X", font_size=NAME_SIZE * 1.2).next_to(boxes, DOWN, buff=0.6)
        y = MathTex("Y", font_size=NAME_SIZE * 1.2).next_to(boxes, UP, buff=0.6)
        ends = [x, *boxes, y]
        arrows = VGroup(
            *(self.arrow(a.get_top(), b.get_bottom()) for a, b in zip(ends, ends[1:], strict=False))
        )
        # each skip leaves the stream below a sub-block and joins its Add & Norm from the right
        side = boxes.get_right()[0] + 0.6
        skips = VGroup()
        for below, target in ((arrows[0], boxes[1]), (arrows[2], boxes[3])):
            start = below.get_center()
            corner, top = [side, start[1], 0], [side, target.get_y(), 0]
            path = VGroup(
                Dot(start, radius=0.05, color=MUTED),
                Line(start, corner, color=MUTED, stroke_width=3),
                Line(corner, top, color=MUTED, stroke_width=3),
                Arrow(
                    top,
                    target.get_right(),
                    buff=0,
                    color=MUTED,
                    stroke_width=3,
                    max_tip_length_to_length_ratio=0.5,
                    tip_length=0.18,
                ),
            )
            skips.add(path)
        frame = DashedVMobject(
            SurroundingRectangle(VGroup(boxes, skips), buff=0.3, corner_radius=0.2, color=MUTED),
            num_dashes=60,
        )
        name = Text(
            self.label("layer"), font=FONT, font_size=26, color=MUTED, disable_ligatures=True
        )
        name.next_to(frame, LEFT, buff=0.3)
        whole = VGroup(x, boxes, y, arrows, skips, frame, name)
        fit(whole, CONTENT_WIDTH, DIAGRAM_TOP - CAPTION_TOP - 0.1)
        whole.move_to(UP * (DIAGRAM_TOP + CAPTION_TOP) / 2)
        return {
            "x": x,
            "boxes": boxes,
            "y": y,
            "arrows": arrows,
            "skips": skips,
            "frame": frame,
            "name": name,
        }

    def strip(self) -> dict[str, VMobject]:
        """The same layer lying along the top of the frame. Each skip rises from the stream,
        runs over the blocks and comes down onto its Add & Norm, ending above the cursor's
        frame: it never cuts through a frame."""
        boxes = VGroup()
        for k in BLOCKS:
            probe = Text(self.label(k), font=FONT, font_size=22)
            boxes.add(self.block(k, probe.width + 0.4, 0.55, 22))
        x = MathTex("X", font_size=NAME_SIZE)
        y = MathTex("Y", font_size=NAME_SIZE)
        row = VGroup(x, *boxes, y).arrange(RIGHT, buff=0.55)
        fit(row, CONTENT_WIDTH, 0.6)
        row.to_edge(UP, buff=0.15 + SKIP_RISE)
        ends = [x, *boxes, y]
        arrows = VGroup(
            *(self.arrow(a.get_right(), b.get_left()) for a, b in zip(ends, ends[1:], strict=False))
        )
        level = boxes.get_top()[1] + SKIP_RISE - 0.05
        skips = VGroup()
        for below, target in ((arrows[0], boxes[1]), (arrows[2], boxes[3])):
            start = below.get_center()
            up, over = [start[0], level, 0], [target.get_x(), level, 0]
            skips.add(
                VGroup(
                    Dot(start, radius=0.04, color=MUTED),
                    Line(start, up, color=MUTED, stroke_width=2.5),
                    Line(up, over, color=MUTED, stroke_width=2.5),
                    Arrow(
                        over,
                        target.get_top() + UP * (CURSOR_BUFF + 0.06),
                        buff=0,
                        color=MUTED,
                        stroke_width=2.5,
                        tip_length=0.12,
                        max_tip_length_to_length_ratio=0.6,
                    ),
                )
            )
        return {"x": x, "boxes": boxes, "y": y, "arrows": arrows, "skips": skips}

    def numbers_top(self, strip: dict[str, VMobject]) -> float:
        """Where the numbers' region starts, under the strip."""
        return float(strip["boxes"].get_bottom()[1] - 0.3)

    @staticmethod
    def arrow(start, end) -> Arrow:
        return Arrow(
            start,
            end,
            buff=0.1,
            color=MUTED,
            stroke_width=3,
            tip_length=0.18,
            max_tip_length_to_length_ratio=0.5,
        )

    @staticmethod
    def lit(box: VMobject, animate: bool = True):
        """The attention block lit: what this lesson computed."""
        target = box.animate if animate else box
        return target.set_fill(ROLE["output"], opacity=0.3).set_stroke(ROLE["output"], width=3.5)

    @staticmethod
    def cursor(target: VMobject) -> VMobject:
        """The frame that marks, in the strip, the step the numbers below are at: it stays on
        for the whole scene, moving from block to block."""
        return highlight(target, WHITE, buff=CURSOR_BUFF, stays=True, corner_radius=0.1)

    def step(self, board: Board, target: VMobject) -> Animation:
        """The cursor moves on to ``target`` (it becomes a frame round it)."""
        old, board.cursor = board.cursor, self.cursor(target)
        return ReplacementTransform(old, board.cursor)

    # -- the numbers --------------------------------------------------------------------------

    def matrix(self, key: str, role: str) -> TraceMatrix:
        """An ``encoder.*`` matrix (T × d_model); a wide d_model elided with ⋯."""
        return TraceMatrix(self.num, key, role=role, dims=_AXES, max_rows=12, max_cols=MODEL_COLS)

    def shape(self) -> VGroup:
        """``(T × d_model) = (6 × 6)``: every matrix of the layer has its input's shape."""
        rows, cols = _AXES
        return shape_label(self.num, rows, cols, DIM_TEX[rows], DIM_TEX[cols])

    def rest_arrow(self, down: bool = False) -> VGroup:
        """An arrow through the rest of the layer, named by the strip's boxes: feed-forward
        above it, Add & Norm below (pointing ``down``: both to its right)."""
        over, under = (
            Text(self.label(k), font=FONT, font_size=22, color=MUTED, disable_ligatures=True)
            for k in ("ffn", "add_norm")
        )
        length = 1.2 if down else max(over.width, under.width) + 0.5
        arrow = Arrow(
            LEFT * length / 2,
            RIGHT * length / 2,
            buff=0,
            color=MUTED,
            stroke_width=4,
            tip_length=0.2,
            max_tip_length_to_length_ratio=0.5,
        )
        over.next_to(arrow, UP, buff=0.12)
        under.next_to(arrow, DOWN, buff=0.12)
        if down:
            arrow.rotate(-PI / 2)
            VGroup(over, under).arrange(DOWN, buff=0.2, aligned_edge=LEFT)
            VGroup(over, under).next_to(arrow, RIGHT, buff=0.25)
        return VGroup(arrow, VGroup(over, under))

    def equation(
        self,
        top: float,
        terms: list[tuple[str, str, str]],
        signs: list[str | VMobject],
        *,
        room: float = 0.0,
        width: float | None = None,
        growth: float = MAX_GROWTH,
        stacked: bool = False,
    ) -> Equation:
        """``M₁ + M₂ = M₃`` (or →): each matrix named and shaped above it, the tokens left of the
        first (a sign is LaTeX or a mobject); fitted under the strip (leaving ``room`` below for
        a worked line) and centred. ``stacked``: the matrices one under the other (a sentence of
        a token or two: side by side, its rows would leave the frame empty)."""
        mats = [self.matrix(key, role) for key, _, role in terms]
        heads = VGroup(
            *(
                VGroup(MathTex(name, font_size=NAME_SIZE, color=ROLE[role]), self.shape()).arrange(
                    DOWN, buff=0.12
                )
                for _, name, role in terms
            )
        )
        sign_mobs = VGroup(
            *(MathTex(s, font_size=NAME_SIZE * 1.2) if isinstance(s, str) else s for s in signs)
        )
        height = top - CAPTION_TOP - room
        buff = 0.3
        for _ in range(3):  # side by side: room round the signs, as drawn, after the growth
            if stacked:  # each matrix under its name, one block under the other
                blocks = [
                    VGroup(h, m).arrange(DOWN, buff=0.25) for h, m in zip(heads, mats, strict=True)
                ]
                VGroup(*between(blocks, sign_mobs)).arrange(DOWN, buff=0.3)
            else:
                VGroup(*between(mats, sign_mobs)).arrange(RIGHT, buff=buff)
                over = VGroup(*mats).get_top()[1]
                for m, head in zip(mats, heads, strict=True):
                    head.next_to(m.get_center() * RIGHT + over * UP, UP, buff=0.25)
            labels = mats[0].name_lines()  # T ≤ 12 rows: every token's row is shown
            whole = VGroup(VGroup(*mats, sign_mobs), labels, heads)
            factor = min(growth, (width or CONTENT_WIDTH) / whole.width, height / whole.height)
            gap = min(
                (sign_gap(s, m) for s, m in zip(sign_mobs, mats[1:], strict=True)),
                default=SIGN_CLEAR,
            )
            if stacked or gap * factor >= SIGN_CLEAR:
                break
            buff += SIGN_CLEAR / factor - gap + 0.02
        whole.scale(factor)
        whole.move_to(UP * (top - height / 2))
        return Equation(mats, sign_mobs, labels, heads, whole)

    @staticmethod
    def shell(m: TraceMatrix) -> VGroup:
        """A result's brackets and elision dots: the matrix before its numbers arrive."""
        dots = [e for e in m.matrix.get_entries() if e not in m.entries.values()]
        return VGroup(m.matrix.get_brackets(), *dots)

    def fill(self, m: TraceMatrix, skip: set = frozenset()) -> None:
        """Every entry of ``m`` (but those in ``skip``), row after row."""
        rows = [
            VGroup(*(e for (r, c), e in m.entries.items() if r == row and (r, c) not in skip))
            for row in m.row_ids
            if row is not None
        ]
        rows = [r for r in rows if len(r)]
        if rows:
            self.play(
                LaggedStart(*(FadeIn(r) for r in rows), lag_ratio=0.25),
                run_time=min(1.6, 0.8 + 0.1 * len(rows)),
            )

    def work_sum(self, add: Equation, i: int) -> None:
        """x + a = r for token ``i``'s first entry, written under the matrices (``x − a`` when
        a is negative; ≈ when the rounded terms do not add up to the rounded r); the result
        then appears in R, framed."""
        x, a, r = add.mats
        size = NUMBER_SIZE * 1.2
        parts = [("encoder.X", (i, 0)), ("encoder.attention", (i, 0))]
        total = ("encoder.residual", (i, 0))
        line = VGroup(
            self.num.term("encoder.X", i, 0, first=True, font_size=size),
            self.num.term("encoder.attention", i, 0, font_size=size),
            self.num.relation(terms=parts, total=total, font_size=size),
            self.num.value(total[0], i, 0, font_size=size),
        ).arrange(RIGHT, buff=0.2)
        line.next_to(add.whole, DOWN, buff=0.35)
        boxes = [
            highlight(x.entries[(i, 0)], ROLE["X"]),
            highlight(a.entries[(i, 0)], ROLE["output"]),
        ]
        self.play(*(Create(b) for b in boxes), FadeIn(line[:2]), run_time=1.0)
        self.play(FadeIn(line[2]), FadeIn(line[3], shift=RIGHT * 0.2), run_time=0.6)
        result = highlight(r.entries[(i, 0)], WHITE)
        self.play(FadeIn(r.entries[(i, 0)]), Create(result), run_time=0.7)
        self.wait(0.3)
        self.play(FadeOut(VGroup(*boxes, result, line)), run_time=0.5)

    def norm_panel(self, i: int) -> VGroup:
        """``r = [...]``, ``μ = m  σ = s``, ``(r − μ)/σ = [...]`` for token ``i``, left-aligned."""
        size = NUMBER_SIZE * 1.2
        row = VGroup(MathTex("r =", font_size=NAME_SIZE), self.row_vector("encoder.residual", i))
        stats = VGroup(
            MathTex(r"\mu =", font_size=NAME_SIZE),
            self.num.value("encoder.mean", i, font_size=size),
            MathTex(r"\sigma =", font_size=NAME_SIZE),
            self.num.value("encoder.std", i, font_size=size),
        )
        result = VGroup(
            MathTex(r"\frac{r - \mu}{\sigma} =", font_size=NAME_SIZE),
            self.row_vector("encoder.standardised", i),
        )
        for line in (row, stats, result):
            line.arrange(RIGHT, buff=0.2)
        stats[2:].shift(RIGHT * 0.6)  # μ and σ apart
        return VGroup(row, stats, result).arrange(DOWN, aligned_edge=LEFT, buff=0.5)

    def row_vector(self, key: str, i: int) -> MobjectMatrix:
        """Row ``i`` of ``key`` as a one-row matrix, elided like the matrices."""
        shown = elided(self.num.shape(key)[1], MODEL_COLS)
        cells = [
            MathTex(r"\cdots", font_size=NUMBER_SIZE) if j is None else self.num.value(key, i, j)
            for j in shown
        ]
        widest = max(c.width for c in cells)
        vec = MobjectMatrix([cells], h_buff=widest + 0.3, bracket_h_buff=0.15)
        vec.get_brackets().set_color(ROLE["X"])
        return vec

    def in_place(self, old: Equation, key: str, name: str, role: str) -> Equation:
        """The matrix of ``key`` over ``old``'s only one (same height and centre: each number
        takes the place of the one it is computed from), its name and shape where ``old``'s
        were, the tokens' names kept."""
        old_mat, old_head = old.mats[0], old.heads[0]
        new = self.matrix(key, role)
        factor = old_mat.height / new.height  # the scale the old one's layout was fitted to
        new.scale(factor).move_to(old_mat)
        head = VGroup(MathTex(name, font_size=NAME_SIZE, color=ROLE[role]), self.shape()).arrange(
            DOWN, buff=0.12
        )
        head.scale(factor).match_x(new).align_to(old_head, DOWN)
        return Equation([new], VGroup(), old.labels, VGroup(head), VGroup(new, old.labels, head))


def sign_gap(sign: VMobject, m: TraceMatrix) -> float:
    """From a sign to the first numbers of the matrix after it."""
    return float(min(e.get_left()[0] for e in m.entries.values()) - sign.get_right()[0])


def between(items: list, signs: VGroup) -> list:
    """``items`` with a sign between each two: M₁, +, M₂, =, M₃."""
    return [items[0], *(x for pair in zip(signs, items[1:], strict=True) for x in pair)]


def grow(mob: VMobject, width: float, height: float, limit: float = MAX_GROWTH) -> VMobject:
    """Scale ``mob`` to fill ``width`` x ``height``, growing by at most ``limit``."""
    return mob.scale(min(limit, width / mob.width, height / mob.height))


# The axes of every matrix the scene shows (X, Attention(X), R, N, Y), as named in dims.*.
_AXES = ("T", "d_model")
