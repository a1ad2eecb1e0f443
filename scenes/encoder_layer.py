"""Part 2 (T14): where attention sits. One encoder layer around this lesson's attention:
attention → Add & Norm → feed-forward → Add & Norm, with the core's real numbers.

First the block diagram, its skip connections drawn round each sub-block; it then folds into a
strip along the top that marks where the numbers below are. Then X + Attention(X) = R (one entry
worked, then all), LayerNorm on one token's row (its mean and standard deviation, the normed
row), the feed-forward network N·W_up → ReLU → H·W_down with real shapes (d_ff from the core),
and Add & Norm again: N + F = R′, R′ → LayerNorm → Y, the layer's output. For the seeded and
explicit sources the feed-forward weights are seeded, not trained, and LayerNorm's learned gain
and shift stay at one and zero; for a pretrained model they are the model's own trained ones
(with GELU and biases), and Y is the hidden state entering its next layer. The captions say
which. Every number is an ``encoder.*`` key of qkv/studies.py. Masked or
cross-attention is named as such and its layer called a Transformer layer (it would sit in a
decoder). The layer is drawn in the paper's rows (a token is a row) whatever the convention:
Add & Norm and the feed-forward network act on each token's vector alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    WHITE,
    Animation,
    Arrow,
    Create,
    CurvedArrow,
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
    TransformFromCopy,
    VGroup,
    VMobject,
)

from qkv import lookup, lookup_array
from scenes.kit.base import LessonScene
from scenes.kit.layout import CAPTION_TOP, CONTENT_WIDTH
from scenes.kit.style import FONT, LABEL_SIZE, MUTED, NUMBER_SIZE, ROLE
from scenes.kit.widgets import (
    DIM_TEX,
    TraceMatrix,
    elided,
    fit,
    highlight,
    shape_label,
)

__all__ = ["EncoderLayer"]

# The top of the upright diagram and of the stack; all ends above the caption line (CAPTION_TOP).
DIAGRAM_TOP = 3.85
# Room kept under an equation for a worked line (x + a = r).
WORKED = 0.8
# Columns shown of a d_model-wide matrix, and of a d_ff-wide one (the rest elided with ⋯).
MODEL_COLS, FF_COLS = 8, 5
NAME_SIZE = LABEL_SIZE * 1.05
# How much a small layout (two tokens, two dimensions) may grow: more would look empty-handed.
MAX_GROWTH = 1.4
# How the widths are written (dims.* keys; d_ff is a study key of its own).
_DIM_TEX = {**DIM_TEX, "d_ff": r"d_{\text{ff}}"}
# The sub-blocks of the layer, bottom to top.
BLOCKS = ("attention", "add_norm", "ffn", "add_norm")


class Seeded:
    """The seeded layer's formulas: ReLU, no biases, LayerNorm's gain one and shift zero."""

    normed = r"N = \mathrm{LayerNorm}(R)"
    up = r"\xrightarrow{\;\mathrm{ReLU}\;}"  # the sign from N·W_up to H
    hidden = r"H = \mathrm{ReLU}(N\,W_{\text{up}})"
    down = "="  # the sign from H·W_down to F


class Trained(Seeded):
    """A pretrained model's own layer: trained gain γ and shift β, GELU, biases b."""

    normed = r"N = \gamma \odot \frac{R - \mu}{\sigma} + \beta"
    up = r"\xrightarrow{\;+\,b,\ \mathrm{GELU}\;}"
    hidden = r"H = \mathrm{GELU}(N\,W_{\text{up}} + b)"
    down = r"\xrightarrow{\;+\,b\;}"


@dataclass
class Equation:
    """``M₁ + M₂ = M₃`` (or ·) on screen: its matrices and signs, the tokens' names left of the
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
    cursor: SurroundingRectangle
    token: int
    top: float
    shown: Equation | None = None


class EncoderLayer(LessonScene):
    captions = {
        "layer": {
            "en": "One encoder layer: attention, then feed-forward, each followed by Add & Norm",
            "zh": "一个编码器层：先是注意力，再是前馈网络，每一步后面都有 Add & Norm",
            "ru": "Слой кодировщика: внимание, затем сеть прямой связи, за каждым — Add & Norm",
        },
        "ours": {
            "en": "The attention block is what this lesson computed: its output flows in here",
            "zh": "注意力模块就是本课算出来的部分：它的输出从这里流入",
            "ru": "Блок внимания — то, что мы посчитали в этом уроке: его выход входит сюда",
        },
        "decoder_causal": {
            "en": "A decoder wraps its masked attention the same way: Add & Norm, feed-forward",
            "zh": "解码器里的带掩码注意力也这样包装：Add & Norm，再接前馈网络",
            "ru": (
                "В декодере маскированное внимание обёрнуто так же: Add & Norm, сеть прямой связи"
            ),
        },
        "decoder_cross": {
            "en": "A decoder wraps its cross-attention the same way: Add & Norm, feed-forward",
            "zh": "解码器里的交叉注意力也这样包装：Add & Norm，再接前馈网络",
            "ru": (
                "В декодере перекрёстное внимание обёрнуто так же: Add & Norm, сеть прямой связи"
            ),
        },
        "skip": {
            "en": "Skip connections carry each sub-block's input around it, to be added back",
            "zh": "残差连接让每个子模块的输入绕过它，再加回到输出上",
            "ru": "Остаточные связи несут вход подблока в обход него и прибавляют к выходу",
        },
        "add": {
            "en": "Add: each token's input plus what attention brought, entry by entry",
            "zh": "相加：每个词元的输入加上注意力带来的内容，逐个元素相加",
            "ru": "Сложение: вход каждого токена плюс то, что дало внимание, поэлементно",
        },
        "all_entries": {
            "en": "Every entry alike: the residual sum",
            "zh": "每个元素都这样相加：得到残差和",
            "ru": "Так же для каждой компоненты: остаточная сумма",
        },
        "norm_row": {
            "en": 'Norm: the row of "{0}", its mean and its standard deviation',
            "zh": "归一化：取“{0}”这一行，求它的均值和标准差",
            "ru": "Нормировка: строка токена «{0}», её среднее и стандартное отклонение",
        },
        "norm_result": {
            "en": "Subtract the mean, divide by the deviation: mean zero, spread one",
            "zh": "减去均值，再除以标准差：均值为零，离散程度为一",
            "ru": "Вычитаем среднее, делим на отклонение: среднее ноль, разброс единица",
        },
        "norm_all": {
            "en": "LayerNorm does this to every token's row on its own",
            "zh": "层归一化对每个词元的那一行分别这样做",
            "ru": "LayerNorm делает это с каждой строкой-токеном отдельно",
        },
        "norm_gain": {
            "en": "LayerNorm's learned gain and shift are left at one and zero here",
            "zh": "层归一化可学习的缩放和偏移在这里保持为一和零",
            "ru": "Обучаемые масштаб и сдвиг LayerNorm здесь оставлены единицей и нулём",
        },
        "ffn_up": {
            "en": "Feed-forward: every token, on its own, is widened into a larger hidden layer",
            "zh": "前馈网络：每个词元各自被扩展成一个更宽的隐藏层",
            "ru": "Сеть прямой связи: каждый токен отдельно расширяется в широкий скрытый слой",
        },
        "relu": {
            "en": "ReLU keeps the positive entries and sets the negative ones to zero",
            "zh": "ReLU 保留正的元素，把负的变成零",
            "ru": "ReLU оставляет положительные компоненты, а отрицательные обнуляет",
        },
        "ffn_down": {
            "en": "Then each token is narrowed back to the model's width",
            "zh": "然后每个词元再被压缩回模型的宽度",
            "ru": "Затем каждый токен сжимается обратно до ширины модели",
        },
        "seeded": {
            "en": "These feed-forward weights are seeded at random here, not trained",
            "zh": "这里的前馈网络权重是随机生成的，没有经过训练",
            "ru": "Веса этой сети здесь заданы случайно, а не обучены",
        },
        # a pretrained model's own layer: trained gain and shift, GELU, biases
        "trained_gain": {
            "en": "Then the model's trained gain and shift rescale and move each column",
            "zh": "接着，模型训练好的缩放和偏移再调整每一列",
            "ru": "Затем обученные масштаб и сдвиг модели растягивают и смещают каждый столбец",
        },
        "gelu": {
            "en": "GELU lets positive entries through and squeezes negative ones towards zero",
            "zh": "GELU 让正的元素通过，把负的压向零",
            "ru": "GELU пропускает положительные компоненты и прижимает отрицательные к нулю",
        },
        "trained_ffn": {
            "en": "These are the model's own trained feed-forward weights and biases",
            "zh": "这些是模型自己训练好的前馈网络权重和偏置",
            "ru": "Это собственные обученные веса и смещения этой сети в модели",
        },
        "add_again": {
            "en": "Add & Norm again: the normed input plus the feed-forward output",
            "zh": "再做一次 Add & Norm：归一化后的输入加上前馈网络的输出",
            "ru": "Снова Add & Norm: нормированный вход плюс выход сети прямой связи",
        },
        "output": {
            "en": "The layer's output: one vector per token, the same shape as its input",
            "zh": "这一层的输出：每个词元一个向量，形状和输入相同",
            "ru": "Выход слоя: по вектору на токен, той же формы, что и вход",
        },
        "stack": {
            "en": "A Transformer stacks many such layers, each one feeding the next",
            "zh": "Transformer 把许多这样的层叠起来，每一层的输出送入下一层",
            "ru": "Трансформер ставит много таких слоёв подряд: выход одного — вход следующего",
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
        diagram = self.diagram()
        self.draw_the_layer(diagram)
        self.light_our_attention(diagram)
        self.name_the_decoder()
        self.draw_the_skips(diagram)
        board = self.fold_into_a_strip(diagram)
        self.add_the_input_back(board)
        band, panel = self.normalise_one_row(board)
        self.normalise_every_row(board, band, panel)
        self.widen_each_token(board)
        self.show_the_activation(board)
        self.narrow_each_token_back(board)
        self.add_and_norm_again(board)
        self.show_the_output(board)
        self.stack_the_layers(board)

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
        """The block diagram: X in at the bottom, through the four blocks, Y out at the top."""
        self.say("layer")
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
        self.play(
            GrowArrow(diagram["arrows"][-1]),
            FadeIn(diagram["y"]),
            Create(diagram["frame"]),
            FadeIn(diagram["name"]),
            run_time=0.8,
        )
        self.wait(0.6)

    def light_our_attention(self, diagram: dict[str, VMobject]) -> None:
        """The attention block is what this lesson computed."""
        attention = diagram["boxes"][0]
        self.say("ours")
        self.play(
            self.lit(attention[0]), Indicate(attention[1], color=ROLE["output"]), run_time=0.8
        )
        self.wait(0.8)

    def name_the_decoder(self) -> None:
        """Masked or cross-attention: a decoder wraps it the same way."""
        if self.kind != "self":
            self.say("decoder_causal" if self.kind == "causal" else "decoder_cross")
            self.wait(1.2)

    def draw_the_skips(self, diagram: dict[str, VMobject]) -> None:
        """Skip connections carry each sub-block's input round it, to be added back."""
        self.play(*(Create(s) for s in diagram["skips"]), run_time=1.2)
        self.say("skip")
        self.wait(1.0)

    def fold_into_a_strip(self, diagram: dict[str, VMobject]) -> Board:
        """The diagram folds into a strip along the top: a map of where the numbers below are."""
        strip = self.strip()
        top = strip["boxes"].get_bottom()[1] - 0.3  # the numbers' region starts here
        self.lit(strip["boxes"][0][0], animate=False)
        self.play(
            *(
                ReplacementTransform(diagram[k], strip[k])
                for k in ("x", "y", "boxes", "arrows", "skips")
            ),
            FadeOut(diagram["frame"]),
            FadeOut(diagram["name"]),
            run_time=1.2,
        )
        return Board(
            strip,
            self.cursor(strip["boxes"][1]),
            token=(len(self.trace.tokens) - 1) // 2,  # the token worked by hand: a middle one
            top=top,
        )

    def add_the_input_back(self, board: Board) -> None:
        """Add: X + Attention(X) = R, one entry by hand, then all of them."""
        i = board.token
        add = self.equation(
            board,
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
        self.play(Create(board.cursor), FadeIn(VGroup(add.labels, x, add.heads[0])), run_time=0.8)
        self.play(
            FadeIn(VGroup(add.signs, a, add.heads[1], add.heads[2], self.shell(r))), run_time=0.8
        )
        self.work_sum(add, i)
        self.say("all_entries")
        self.fill(r, skip={(i, 0)})
        self.wait(1.0)
        board.shown = add

    def normalise_one_row(self, board: Board) -> tuple[VMobject, VGroup]:
        """Norm: one token's row, its mean and deviation, to mean zero and spread one."""
        i, add = board.token, board.shown
        norm = self.equation(board, [("encoder.residual", "R", "X")], [], width=5.2, growth=1.0)
        panel = self.norm_panel(i)
        VGroup(norm.whole, panel).arrange(RIGHT, buff=0.8)
        grow(VGroup(norm.whole, panel), CONTENT_WIDTH, board.top - CAPTION_TOP)
        VGroup(norm.whole, panel).move_to(UP * (board.top + CAPTION_TOP) / 2)
        x, a, _ = add.mats
        self.play(FadeOut(VGroup(x, a, add.heads[0], add.heads[1], add.signs)), run_time=0.5)
        self.carry(add, norm, 0)
        band = highlight(VGroup(norm.mats[0].row_band(i), norm.labels[i]), WHITE)
        row, stats, result = panel
        self.say("norm_row", ("tokens", i))
        self.play(Create(band), TransformFromCopy(norm.mats[0].row(i), row[1]), FadeIn(row[0]))
        self.play(
            FadeIn(stats[0]),
            TransformFromCopy(row[1], stats[1]),
            FadeIn(stats[2]),
            TransformFromCopy(row[1], stats[3]),
            run_time=1.2,
        )
        self.wait(0.3)
        self.say("norm_result")
        self.play(
            FadeIn(result[0]),
            TransformFromCopy(VGroup(row[1], stats[1], stats[3]), result[1]),
            run_time=1.2,
        )
        self.wait(1.6)
        board.shown = norm
        return band, panel

    def normalise_every_row(self, board: Board, band: VMobject, panel: VGroup) -> None:
        """LayerNorm does this to every token's row on its own; then its gain and shift."""
        norm = board.shown
        normed = self.in_place(norm, "encoder.normed", self.formulas.normed, "X")
        self.say("norm_all")
        self.play(
            FadeOut(band),
            FadeOut(panel),
            ReplacementTransform(norm.mats[0], normed.mats[0]),
            FadeTransform(norm.heads[0], normed.heads[0]),
            run_time=1.5,
        )
        self.wait(0.6)
        self.say("trained_gain" if self.trained else "norm_gain")
        self.wait(1.6)
        board.shown = normed

    def widen_each_token(self, board: Board) -> None:
        """Feed-forward: N·W_up widens every token, on its own, into the hidden layer H."""
        up = self.equation(
            board,
            [
                ("encoder.normed", "N", "X"),
                ("encoder.W_1", r"W_{\text{up}}", "learned"),
                ("encoder.hidden", self.formulas.hidden, "X"),
            ],
            ["\\cdot", self.formulas.up],
        )
        step = self.step(board.cursor, board.strip["boxes"][2])
        self.carry(board.shown, up, 0, step, head=FadeTransform, run_time=1.0)
        self.say("ffn_up")
        _, w_up, h = up.mats
        self.play(FadeIn(VGroup(up.signs, w_up, up.heads[1], up.heads[2], self.shell(h))))
        self.fill(h)
        self.wait(0.5)
        board.shown = up

    def show_the_activation(self, board: Board) -> None:
        """ReLU zeroes H's negative entries (a trained GELU squeezes them): zeros pointed at."""
        self.say("gelu" if self.trained else "relu")
        zeros = self.zeros(board.shown.mats[2])
        if zeros:
            self.play(
                LaggedStart(*(Indicate(z, color=WHITE) for z in zeros), lag_ratio=0.1), run_time=1.2
            )
        self.wait(0.5)

    def narrow_each_token_back(self, board: Board) -> None:
        """H·W_down narrows each token back to the model's width: F."""
        down = self.equation(
            board,
            [
                ("encoder.hidden", "H", "X"),
                ("encoder.W_2", r"W_{\text{down}}", "learned"),
                ("encoder.ffn", "F", "X"),
            ],
            ["\\cdot", self.formulas.down],
        )
        self.clear_factors(board.shown)
        self.carry(board.shown, down, 0, head=FadeTransform)
        self.say("ffn_down")
        _, w_down, f = down.mats
        self.play(FadeIn(VGroup(down.signs, w_down, down.heads[1], down.heads[2], self.shell(f))))
        self.fill(f)
        self.say("trained_ffn" if self.trained else "seeded")
        self.wait(1.3)
        board.shown = down

    def add_and_norm_again(self, board: Board) -> None:
        """Add & Norm again: the normed input plus the feed-forward output, N + F = R′."""
        again = self.equation(
            board,
            [
                ("encoder.normed", "N", "X"),
                ("encoder.ffn", "F", "X"),
                ("encoder.residual_2", "R'", "X"),
            ],
            ["+", "="],
        )
        self.clear_factors(board.shown)
        self.carry(board.shown, again, 1, self.step(board.cursor, board.strip["boxes"][3]))
        n, _, r2 = again.mats
        self.play(
            FadeIn(VGroup(n, again.heads[0], again.signs, again.heads[2], self.shell(r2))),
            run_time=0.8,
        )
        self.say("add_again")
        self.fill(r2)
        self.wait(0.3)
        board.shown = again

    def show_the_output(self, board: Board) -> None:
        """R′ → LayerNorm → Y: the layer's output, one vector per token, shaped like its input."""
        out = self.equation(
            board,
            [("encoder.residual_2", "R'", "X"), ("encoder.output", "Y", "output")],
            [r"\xrightarrow{\;\mathrm{LayerNorm}\;}"],
        )
        self.clear_factors(board.shown)
        self.carry(board.shown, out, 0)
        self.say("output")
        self.play(
            FadeIn(VGroup(out.signs, out.heads[1])),
            self.step(board.cursor, board.strip["y"]),
            TransformFromCopy(out.mats[0], out.mats[1]),
            run_time=1.5,
        )
        self.wait(1.2)
        board.shown = out

    def stack_the_layers(self, board: Board) -> None:
        """Many such layers, one after another: the layer becomes one of a stack."""
        stack = self.stack()
        strip, out = board.strip, board.shown
        numbers = VGroup(out.labels, *out.mats, out.signs, out.heads)
        layer = VGroup(strip["boxes"], strip["arrows"][1:-1], strip["skips"])
        self.play(
            FadeOut(numbers),
            FadeOut(board.cursor),
            FadeTransform(layer, stack["layers"][0]),
            ReplacementTransform(strip["x"], stack["x"]),
            ReplacementTransform(strip["y"], stack["y"]),
            ReplacementTransform(
                VGroup(strip["arrows"][0], strip["arrows"][-1]),
                VGroup(stack["arrows"][0], stack["arrows"][-1]),
            ),
            run_time=1.2,
        )
        self.play(
            LaggedStart(
                *(FadeIn(m) for m in (*stack["layers"][1:], stack["dots"], *stack["arrows"][1:-1])),
                lag_ratio=0.2,
            ),
            run_time=1.0,
        )
        self.say("stack")
        self.wait(1.8)

    # -- the steps between equations ------------------------------------------------------------

    def carry(
        self,
        old: Equation,
        new: Equation,
        into: int,
        *also: Animation,
        head: type[Animation] = ReplacementTransform,
        run_time: float = 0.8,
    ) -> None:
        """``old``'s last matrix becomes ``new``'s matrix ``into``, with its name and shape, and
        the tokens' names move along (``also`` plays first, alongside)."""
        self.play(
            *also,
            ReplacementTransform(old.mats[-1], new.mats[into]),
            head(old.heads[-1], new.heads[into]),
            ReplacementTransform(old.labels, new.labels),
            run_time=run_time,
        )

    def clear_factors(self, eq: Equation) -> None:
        """An equation's first two matrices, its signs and their names leave: the result stays."""
        self.play(
            FadeOut(VGroup(eq.mats[0], eq.mats[1], eq.signs, eq.heads[0], eq.heads[1])),
            run_time=0.5,
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
        """The same layer lying along the top of the frame, skips arching over the blocks."""
        boxes = VGroup()
        for k in BLOCKS:
            probe = Text(self.label(k), font=FONT, font_size=22)
            boxes.add(self.block(k, probe.width + 0.4, 0.55, 22))
        x = MathTex("X", font_size=NAME_SIZE)
        y = MathTex("Y", font_size=NAME_SIZE)
        VGroup(x, *boxes, y).arrange(RIGHT, buff=0.55)
        ends = [x, *boxes, y]
        arrows = VGroup(
            *(self.arrow(a.get_right(), b.get_left()) for a, b in zip(ends, ends[1:], strict=False))
        )
        skips = VGroup(
            *(
                CurvedArrow(
                    below.get_center(),
                    target.get_top() + UP * 0.04,
                    angle=-1.3,
                    color=MUTED,
                    stroke_width=2.5,
                    tip_length=0.15,
                )
                for below, target in ((arrows[0], boxes[1]), (arrows[2], boxes[3]))
            )
        )
        whole = VGroup(x, boxes, y, arrows, skips)
        fit(whole, CONTENT_WIDTH, 1.1)
        whole.to_edge(UP, buff=0.15)
        return {"x": x, "boxes": boxes, "y": y, "arrows": arrows, "skips": skips}

    def stack(self) -> dict[str, VMobject]:
        """X, a layer, another, ⋮, the last, Y: the encoder as a stack of these layers."""
        layers = VGroup(*(self.block("layer", 4.4, 0.7, 26) for _ in range(3)))
        for layer in layers:  # a whole layer wears the colour of what the lesson computed
            self.lit(layer[0], animate=False)
        dots = MathTex(r"\vdots", font_size=NAME_SIZE)
        x = MathTex("X", font_size=NAME_SIZE * 1.2)
        y = MathTex("Y", font_size=NAME_SIZE * 1.2)
        ends = [x, layers[0], layers[1], dots, layers[2], y]
        VGroup(*ends).arrange(UP, buff=0.45).move_to(UP * (DIAGRAM_TOP + CAPTION_TOP) / 2)
        arrows = VGroup(
            *(
                self.arrow(a.get_top(), b.get_bottom())
                for a, b in zip(ends, ends[1:], strict=False)
                if dots not in (a, b)
            )
        )
        return {"x": x, "y": y, "layers": layers, "dots": dots, "arrows": arrows}

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
    def cursor(target: VMobject) -> SurroundingRectangle:
        """The frame that marks, in the strip, the step the numbers below are at."""
        return SurroundingRectangle(
            target, color=WHITE, buff=0.08, corner_radius=0.1, stroke_width=3
        )

    def step(self, cursor: SurroundingRectangle, target: VMobject):
        return cursor.animate.become(self.cursor(target))

    # -- the numbers --------------------------------------------------------------------------

    def matrix(self, key: str, role: str) -> TraceMatrix:
        """An ``encoder.*`` matrix; wide axes (d_ff, large d_model) elided with ⋯ and ⋮."""
        limit = {"d_ff": FF_COLS, "d_model": MODEL_COLS, "T": 12}
        rows, cols = _AXES[key]
        return TraceMatrix(
            self.num,
            key,
            role=role,
            dims=(rows, cols),
            max_rows=8 if rows == "d_ff" else limit[rows],
            max_cols=limit[cols],
        )

    def shape(self, rows: str, cols: str) -> VGroup:
        """``(T × d_ff) = (6 × 24)``: d_ff, which no trace dimension holds, comes from
        ``encoder.d_ff``."""

        def key(name: str) -> str:
            return "encoder.d_ff" if name == "d_ff" else name

        return shape_label(self.num, key(rows), key(cols), _DIM_TEX[rows], _DIM_TEX[cols])

    def equation(
        self,
        board: Board,
        terms: list[tuple[str, str, str]],
        signs: list[str],
        *,
        room: float = 0.0,
        width: float | None = None,
        growth: float = MAX_GROWTH,
    ) -> Equation:
        """``M₁ + M₂ = M₃`` (or ·): each matrix named and shaped above it, the tokens left of the
        first; fitted under the strip (leaving ``room`` below for a worked line) and centred."""
        mats = [self.matrix(key, role) for key, _, role in terms]
        body = VGroup()
        sign_mobs = VGroup()
        for k, m in enumerate(mats):
            body.add(m)
            if k < len(signs):
                sign = MathTex(signs[k], font_size=NAME_SIZE * 1.2)
                sign_mobs.add(sign)
                body.add(sign)
        body.arrange(RIGHT, buff=0.3)
        first = mats[0]
        labels = first.name_lines()  # T ≤ 12 rows: every token's row is shown
        heads = VGroup()
        top = VGroup(*mats).get_top()[1]
        for m, (key, name, role) in zip(mats, terms, strict=True):
            rows, cols = _AXES[key]
            head = VGroup(
                MathTex(name, font_size=NAME_SIZE, color=ROLE[role]), self.shape(rows, cols)
            ).arrange(DOWN, buff=0.12)
            heads.add(head.next_to(m.get_center() * RIGHT + top * UP, UP, buff=0.25))
        whole = VGroup(body, labels, heads)
        height = board.top - CAPTION_TOP - room
        grow(whole, width or CONTENT_WIDTH, height, growth)
        whole.move_to(UP * (board.top - height / 2))
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
        """x + a = r for token ``i``'s first entry, copied out of the matrices and back."""
        x, a, r = add.mats
        size = NUMBER_SIZE * 1.2
        line = VGroup(
            self.num.value("encoder.X", i, 0, font_size=size),
            MathTex("+", font_size=size),
            self.num.value("encoder.attention", i, 0, font_size=size),
            MathTex("=", font_size=size),
            self.num.value("encoder.residual", i, 0, font_size=size),
        )
        line.arrange(RIGHT, buff=0.2)
        line.next_to(add.whole, DOWN, buff=0.35)
        boxes = [
            highlight(x.entries[(i, 0)], ROLE["X"]),
            highlight(a.entries[(i, 0)], ROLE["output"]),
        ]
        self.play(
            *(Create(b) for b in boxes),
            TransformFromCopy(x.entries[(i, 0)], line[0]),
            TransformFromCopy(a.entries[(i, 0)], line[2]),
            FadeIn(line[1]),
            run_time=1.0,
        )
        self.play(FadeIn(line[3]), FadeIn(line[4], shift=RIGHT * 0.2), run_time=0.6)
        self.wait(0.4)
        self.play(
            ReplacementTransform(line[4].copy(), r.entries[(i, 0)]),
            FadeOut(VGroup(*boxes, line)),
            run_time=0.9,
        )

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
        rows, cols = _AXES[key]
        head = VGroup(
            MathTex(name, font_size=NAME_SIZE, color=ROLE[role]), self.shape(rows, cols)
        ).arrange(DOWN, buff=0.12)
        head.scale(factor).match_x(new).align_to(old_head, DOWN)
        return Equation([new], VGroup(), old.labels, VGroup(head), VGroup(new, old.labels, head))

    def zeros(self, m: TraceMatrix) -> list:
        """The shown entries ReLU set to zero (read from the trace, to point at them)."""
        values = lookup_array(self.trace, m.key)
        return [e for (r, c), e in m.entries.items() if values[r, c] == 0.0]


def grow(mob: VMobject, width: float, height: float, limit: float = MAX_GROWTH) -> VMobject:
    """Scale ``mob`` to fill ``width`` x ``height``, growing by at most ``limit``."""
    return mob.scale(min(limit, width / mob.width, height / mob.height))


# The axes of each matrix the scene shows, as named in dims.* (d_ff from encoder.d_ff).
_AXES = {
    "encoder.X": ("T", "d_model"),
    "encoder.attention": ("T", "d_model"),
    "encoder.residual": ("T", "d_model"),
    "encoder.normed": ("T", "d_model"),
    "encoder.W_1": ("d_model", "d_ff"),
    "encoder.W_2": ("d_ff", "d_model"),
    "encoder.hidden": ("T", "d_ff"),
    "encoder.ffn": ("T", "d_model"),
    "encoder.residual_2": ("T", "d_model"),
    "encoder.output": ("T", "d_model"),
}
