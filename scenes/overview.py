"""Scene 2: the roadmap. The whole of attention in one formula, softmax(Q·Kᵀ/√d_k)·V, and the
pipeline the lesson is about to walk, on the lesson's own sentence and shapes: tokens → X →
Q, K, V → scores → scaled → (mask) → weights → outputs → (heads, joined, W_O).

Each stage is a card (its symbol, its name, its shape with the trace's real sizes); the captions
announce what the coming scenes will do, and each lights its part of the formula. The variants
follow the trace: the column-vector convention turns every shape and writes V·softmax(Kᵀ·Q/√d_k);
a causal lesson adds the mask M; cross-attention starts from two sentences; a cosine or additive
score has no √d_k; ReLU replaces softmax; a single head has no concatenation.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    LaggedStart,
    Line,
    MathTex,
    ReplacementTransform,
    Text,
    VGroup,
    VMobject,
    Write,
)

from scenes.kit.base import LessonScene
from scenes.kit.convention import NORMALISER_TEX, Convention
from scenes.kit.layout import CAPTION_TOP, CONTENT_WIDTH
from scenes.kit.style import FONT, LABEL_SIZE, MUTED, ROLE
from scenes.kit.widgets import DIM_TEX, TokenRow, fit, highlight, shape_label

__all__ = ["Overview"]

# The parts of the formula that light up, as LaTeX substrings of its tex; a part missing from
# the trace's formula (no √d_k in a cosine, no M without a mask) is simply not lit
_PARTS = {
    "Q": "Q",
    "K": r"K^{\top}",
    "V": "V",
    "sqrt": r"\sqrt{d_k}",
    "M": "M",
    **NORMALISER_TEX,  # softmax, relu: the formula names one of them
    "open": r"\left(",
    "close": r"\right)",
}
# The colour each part of the formula is lit in, once its stage has been told
LIT = {
    "Q": "Q",
    "K": "K",
    "V": "V",
    "sqrt": "weights",
    "M": "weights",
    "norm": "weights",
    "open": "weights",
    "close": "weights",
}
# Stage symbols that differ between rows and columns
_SCALED = (r"\frac{Q\,K^{\top}}{\sqrt{d_k}}", r"\frac{K^{\top} Q}{\sqrt{d_k}}")
_HEADS = (r"\mathrm{Concat}\,W_O", r"W_O\,\mathrm{Concat}")
# Reading time of a caption: characters per second (Chinese fewer), and at least this long
GAP = 0.7  # between cards in a row (room for an arrow)

# Each stage's name on its card (no digits), in the lesson's language
NAMES = {
    "X": {"en": "token vectors", "zh": "词元向量", "ru": "векторы токенов"},
    "QKV": {"en": "queries, keys, values", "zh": "查询、键、值", "ru": "запросы, ключи, значения"},
    "scores": {"en": "scores", "zh": "分数", "ru": "оценки"},
    "scaled": {"en": "scaled", "zh": "缩放", "ru": "масштаб"},
    "mask": {"en": "mask", "zh": "掩码", "ru": "маска"},
    "weights": {"en": "weights", "zh": "权重", "ru": "веса"},
    "output": {"en": "outputs", "zh": "输出", "ru": "выходы"},
    "heads": {"en": "heads joined, mixed", "zh": "多头拼接、混合", "ru": "головы: склейка, смесь"},
}


def formula_tex(view: Convention, masked: bool) -> str:
    """softmax(Q·Kᵀ/√d_k [+ M])·V as this convention writes it (V·softmax(...) in columns)."""
    if not masked:
        return view.tex("attention")
    inner = NORMALISER_TEX[view.normaliser] + r"\!\left(" + view.tex("scaled") + r" + M\right)"
    return r"V\," + inner if view.columns else inner + " V"


def after_the_opening(opening: VMobject, animation) -> LaggedStart:
    """The scene before fades out, and ``animation`` begins as it has all but gone: a
    crossfade in which the new picture is never drawn over the old one."""
    return LaggedStart(FadeOut(opening, run_time=0.6), animation, lag_ratio=0.7)


def light(part: dict[str, VMobject], name: str) -> list:
    """Colour a part of the formula in its stage's colour, glyph by glyph: a part is a group of
    the formula's glyphs, not one of its submobjects, and animating the group itself would
    take it out of the formula."""
    return [g.animate.set_color(ROLE[LIT[name]]) for g in part[name].family_members_with_points()]


@dataclass
class Board:
    """What the beats hand on: the formula and its parts, the tokens, every stage's card in
    pipeline order with the arrow into it, and the frame on what is being told."""

    view: Convention
    formula: MathTex
    part: dict[str, VMobject]  # Q, K, V, sqrt, M (if any), norm, open, close
    tokens: VGroup
    card: dict[str, VGroup]  # X, QKV, scores, scaled?, mask?, weights, output, heads?
    into: dict[str, VMobject]  # the arrow into each card (X's: from the tokens)
    lit: VMobject | None = None  # the frame on the part of the formula being told

    @property
    def cross(self) -> bool:
        return len(self.tokens) == 2


class Overview(LessonScene):
    captions = {
        "whole": {
            "en": "Where we are going: attention in one line",
            "zh": "我们要去的地方：一行写完注意力",
            "ru": "Куда мы идём: внимание в одной строке",
        },
        "begin": {
            "en": "We begin with a vector for each token",
            "zh": "我们从每个词元的向量出发",
            "ru": "Начнём с вектора для каждого токена",
        },
        "begin_cross": {
            "en": "We begin with two sentences, a vector for each token",
            "zh": "我们从两句话出发，每个词元一个向量",
            "ru": "Начнём с двух предложений, по вектору на токен",
        },
        "project": {
            "en": "Then learned projections make queries, keys and values",
            "zh": "然后，学到的投影给出查询、键和值",
            "ru": "Затем обучаемые проекции дадут запросы, ключи и значения",
        },
        "project_cross": {
            "en": "Then queries from the first sentence, keys and values from the second",
            "zh": "然后，查询来自第一句，键和值来自第二句",
            "ru": "Затем запросы из первого предложения, ключи и значения из второго",
        },
        "scores": {
            "en": "Next, every query meets every key",
            "zh": "接着，每个查询与每个键相遇",
            "ru": "Дальше каждый запрос встретится с каждым ключом",
        },
        "scale": {
            "en": "We divide by the root of the key size, and see why",
            "zh": "再除以键维度的平方根，并看看为什么",
            "ru": "Разделим на корень из размерности ключа и поймём зачем",
        },
        "mask": {
            "en": "A mask hides the tokens that come later",
            "zh": "掩码遮住后面的词元",
            "ru": "Маска скроет токены, идущие позже",
        },
        "softmax": {
            "en": "Softmax makes each query's weights, adding up to one",
            "zh": "softmax 给出每个查询的权重，总和为一",
            "ru": "Softmax даст веса каждого запроса, в сумме один",
        },
        "relu": {
            "en": "ReLU makes the weights: negative scores become zero",
            "zh": "ReLU 给出权重：负的分数变成零",
            "ru": "ReLU даст веса: отрицательные оценки станут нулём",
        },
        "mix": {
            "en": "Last, the weights mix the values into new vectors",
            "zh": "最后，权重把值混合成新的向量",
            "ru": "Наконец веса смешают значения в новые векторы",
        },
        "heads": {
            "en": "Several heads run side by side, then are joined and mixed",
            "zh": "多个头并行运行，再拼接、混合",
            "ru": "Несколько голов работают рядом, затем их склеят и смешают",
        },
        "go": {
            "en": "Now, one step at a time",
            "zh": "现在，一步一步来",
            "ru": "Теперь по шагу за раз",
        },
    }

    def construct(self) -> None:
        """The formula, then the pipeline it stands for, stage by stage, announced."""
        board = self.road()
        self.write_the_whole_formula(board)
        self.begin_with_the_token_vectors(board)
        self.project_to_queries_keys_and_values(board)
        self.score_every_query_against_every_key(board)
        if "scaled" in board.card:
            self.divide_by_the_root_of_d_k(board)
        if "mask" in board.card:
            self.hide_the_later_tokens(board)
        self.normalise_into_weights(board)
        self.mix_the_values(board)
        if "heads" in board.card:
            self.join_the_heads(board)
        self.set_off(board)
        self.end_on(self.closing_picture())  # the same mobjects: swapped in unseen

    def closing_picture(self) -> VGroup:
        """The formula, every part lit, over the whole road: the tokens and every stage."""
        board = self.road()
        for name, mob in board.part.items():
            mob.set_color(ROLE[LIT[name]])
        return VGroup(board.formula, board.tokens, *board.into.values(), *board.card.values())

    # -- the beats ----------------------------------------------------------------------------

    def write_the_whole_formula(self, board: Board) -> None:
        """All of attention in one line, every part still unlit, written as the scene before
        has nearly faded (never over it)."""
        self.play(after_the_opening(self.take_opening(), Write(board.formula, run_time=1.2)))
        self.say("whole")
        self.hold()

    def begin_with_the_token_vectors(self, board: Board) -> None:
        """The sentence's tokens (both sentences' for cross-attention) and their vectors."""
        self.say("begin_cross" if board.cross else "begin")
        self.play(LaggedStart(*(FadeIn(t) for t in board.tokens), lag_ratio=0.4))
        self.enter(board, "X")
        self.hold()

    def project_to_queries_keys_and_values(self, board: Board) -> None:
        """Q, K and V, their letters lit in the formula."""
        part = board.part
        self.say("project_cross" if board.cross else "project")
        self.enter(board, "QKV")
        self.play(*(a for n in "QKV" for a in light(part, n)), run_time=1.0)
        self.hold()

    def score_every_query_against_every_key(self, board: Board) -> None:
        """Q and K make the scores: Q·Kᵀ boxed in the formula and on its card."""
        self.say("scores")
        self.enter(board, "scores", VGroup(board.part["Q"], board.part["K"]))
        self.hold()

    def divide_by_the_root_of_d_k(self, board: Board) -> None:
        """The scores divided by √d_k (a scaled dot product only)."""
        part = board.part
        self.say("scale")
        self.enter(board, "scaled", VGroup(part["Q"], part["K"], part["sqrt"]))
        self.play(*light(part, "sqrt"))
        self.hold()

    def hide_the_later_tokens(self, board: Board) -> None:
        """The causal mask M (a masked lesson only)."""
        self.say("mask")
        self.enter(board, "mask", board.part["M"])
        self.play(*light(board.part, "M"))
        self.hold()

    def normalise_into_weights(self, board: Board) -> None:
        """Softmax (or ReLU) makes each query's weights."""
        part = board.part
        bracket = VGroup(part["norm"], part["open"], part["close"])
        self.say("relu" if board.view.normaliser == "relu" else "softmax")
        self.enter(board, "weights", VGroup(bracket, part["Q"], part["K"]))
        self.play(*(a for n in ("norm", "open", "close") for a in light(part, n)))
        self.hold()

    def mix_the_values(self, board: Board) -> None:
        """The weighted sum of the values: the whole formula lit, the outputs."""
        self.say("mix")
        self.enter(board, "output", board.formula, ROLE["output"])
        self.hold()

    def join_the_heads(self, board: Board) -> None:
        """Several heads side by side, joined and mixed by W_O (more than one head only): a step
        beyond the formula, so the frame leaves it for the card."""
        self.say("heads")
        self.enter(board, "heads", board.card["heads"], ROLE["learned"])
        self.hold()

    def set_off(self, board: Board) -> None:
        """Now the steps, one at a time: the last frame leaves, the whole road stays."""
        self.say("go")
        if board.lit is not None:
            self.play(FadeOut(board.lit), run_time=0.5)
            board.lit = None
        self.hold()

    # -- the road -----------------------------------------------------------------------------

    @property
    def masked(self) -> bool:
        return bool(self.trace.config.get("causal")) and self.trace.X_kv is None

    def road(self) -> Board:
        """The formula (every part unlit) at the top; under it the tokens, then every stage's
        card in two rows (left to right, the second row continuing the first), the whole
        fitted between the formula and the caption. Nothing is on screen yet."""
        view = Convention.of(self.trace)
        formula, part = self.formula(view)
        scaled = view.similarity == "scaled_dot"
        stages = [
            "X",
            "QKV",
            "scores",
            *(["scaled"] if scaled else []),
            *(["mask"] if self.masked else []),
            "weights",
            "output",
            *(["heads"] if len(self.trace.heads) > 1 else []),
        ]
        card = {name: self.card(view, name) for name in stages}
        half = (len(stages) + 1) // 2
        rows = [VGroup(*(card[n] for n in part)) for part in (stages[:half], stages[half:])]
        # one grid: every card centred in its slot, the slots as wide as the widest card
        slot = max(c.width for c in card.values()) + GAP
        VGroup(*rows).arrange(DOWN, buff=0.7)
        for row in rows:
            for k, c in enumerate(row):
                c.set_x((k - (half - 1) / 2) * slot)
        tokens = self.token_rows()
        tokens.next_to(rows[0], UP, buff=0.55)
        road = VGroup(tokens, *rows)
        top, bottom = formula.get_bottom()[1] - 0.3, CAPTION_TOP + 0.15
        fit(road, CONTENT_WIDTH, top - bottom)
        road.move_to([0, (top + bottom) / 2, 0])
        # the tokens start where the road does, over the first card (or across, if long)
        tokens.align_to(rows[0], LEFT)
        into = {"X": self.down_arrow(tokens, card["X"])}
        for a, b in zip(stages, stages[1:], strict=False):
            turn = b == stages[half]  # the second row continues the first
            into[b] = self.elbow(card[a], card[b]) if turn else self.arrow(card[a], card[b])
        return Board(view, formula, part, tokens, card, into)

    def formula(self, view: Convention) -> tuple[MathTex, dict[str, VMobject]]:
        """The whole formula at the top of the frame, and its parts by name."""
        tex = formula_tex(view, self.masked)
        parts = {name: t for name, t in _PARTS.items() if t in tex}
        parts.setdefault("K", "K")  # a cosine or additive score names K unturned
        formula = MathTex(
            tex, font_size=LABEL_SIZE * 1.6, substrings_to_isolate=list(parts.values())
        )
        formula.to_edge(UP, buff=0.3)
        part = {name: formula.get_part_by_tex(t) for name, t in parts.items()}
        part["norm"] = part.pop(view.normaliser)  # the one normaliser the formula names
        return formula, part

    def token_rows(self) -> VGroup:
        """The sentence's tokens; for cross-attention, the other sentence's beside them."""
        sides = ["tokens", "key_tokens"] if self.trace.X_kv is not None else ["tokens"]
        rows = VGroup(*(TokenRow(self.num, side, ROLE["X"]) for side in sides))
        apart = 1.6  # two sentences, clearly two
        for row in rows:
            fit(row, (CONTENT_WIDTH - apart * (len(rows) - 1)) / len(rows), 1.0)
        return rows.arrange(RIGHT, buff=apart)

    def card(self, view: Convention, name: str) -> VGroup:
        """One stage: its symbol (or symbols, each with its shape), its name, its shape."""
        kv = "S" if self.trace.X_kv is not None else "T"
        if name == "X":
            lines = [(view.tex("X"), "X", ("T", "d_model"))]
            if self.trace.X_kv is not None:
                lines.append((view.tex("X") + r"_{\mathrm{kv}}", "X", ("S", "d_model")))
        elif name == "QKV":
            lines = [("Q", "Q", ("T", "d_k")), ("K", "K", (kv, "d_k")), ("V", "V", (kv, "d_v"))]
        else:
            tex, role, dims = {
                "scores": (view.tex("scores"), "weights", ("T", kv)),
                "scaled": (_SCALED[view.columns], "weights", ("T", kv)),
                "mask": ("+M", "weights", ("T", kv)),
                "weights": (NORMALISER_TEX[view.normaliser], "weights", ("T", kv)),
                "output": (view.tex("output"), "output", ("T", "d_v")),
                "heads": (_HEADS[view.columns], "learned", ("T", "d_model")),
            }[name]
            lines = [(tex, role, dims)]
        body = VGroup(*(self.line(view, *line, alone=len(lines) == 1) for line in lines))
        body.arrange(DOWN, buff=0.15, aligned_edge=LEFT)
        title = Text(
            NAMES[name][self.language],
            font=FONT,
            font_size=LABEL_SIZE * 0.8,
            color=MUTED,
            disable_ligatures=True,
        )
        if name == "heads":  # how many heads, from the trace
            count = VGroup(MathTex("h =", font_size=LABEL_SIZE * 0.8), self.num.dim("h"))
            title = VGroup(title, count.arrange(RIGHT, buff=0.12)).arrange(DOWN, buff=0.1)
        return VGroup(title, body).arrange(DOWN, buff=0.15)

    def line(self, view: Convention, tex: str, role: str, dims: tuple[str, str], alone: bool):
        """A symbol in its role's colour and its shape: under it when alone on its card, beside
        it on a card of several."""
        symbol = MathTex(tex, font_size=LABEL_SIZE * (1.3 if alone else 1.1), color=ROLE[role])
        rows, cols = dims[::-1] if view.columns else dims
        shape = shape_label(self.num, rows, cols, DIM_TEX[rows], DIM_TEX[cols])
        if alone:
            return VGroup(symbol, shape).arrange(DOWN, buff=0.15)
        return VGroup(symbol, shape).arrange(RIGHT, buff=0.25)

    @staticmethod
    def _arrow(start, end) -> Arrow:
        return Arrow(
            start,
            end,
            buff=0.1,
            color=MUTED,
            stroke_width=3,
            tip_length=0.18,
            max_tip_length_to_length_ratio=0.3,
        )

    def arrow(self, a: VGroup, b: VGroup) -> Arrow:
        """From one card to the next in its row."""
        return self._arrow(a.get_right(), b.get_left())

    def down_arrow(self, tokens: VGroup, card: VGroup) -> VGroup:
        """From the tokens (each sentence's, for cross-attention) down to the first card:
        straight down where the card stands under the tokens, else to its nearer corner."""
        arrows = VGroup()
        for row in tokens:
            left, right = row.get_left()[0] + 0.2, row.get_right()[0] - 0.2
            x = min(max(card.get_x(), left), right)
            if x == card.get_x():
                end = card.get_top()
            else:  # from the side: to the top corner, over nothing of the card
                end = card.get_corner(UP + (RIGHT if x > card.get_x() else LEFT))
            arrows.add(self._arrow([x, row.get_bottom()[1], 0], end))
        return arrows

    def elbow(self, a: VGroup, b: VGroup) -> VGroup:
        """From the end of the first row to the start of the second: down, left, down."""
        middle = (a.get_bottom()[1] + b.get_top()[1]) / 2
        down = a.get_bottom() + DOWN * 0.1
        turn = [down[0], middle, 0]
        over = [b.get_x(), middle, 0]
        lines = VGroup(
            Line(down, turn, color=MUTED, stroke_width=3),
            Line(turn, over, color=MUTED, stroke_width=3),
        )
        tip = Arrow(
            over,
            b.get_top(),
            buff=0.1,
            color=MUTED,
            stroke_width=3,
            tip_length=0.18,
            max_tip_length_to_length_ratio=0.5,
        )
        tip.put_start_and_end_on(over, b.get_top() + UP * 0.1)
        return VGroup(*lines, tip)

    # -- pieces -------------------------------------------------------------------------------

    def enter(self, board: Board, name: str, framed=None, colour=ROLE["weights"]) -> None:
        """A stage's arrow and card appear; with ``framed`` (a part of the formula, or the card
        itself for a step beyond the formula), the frame moves there: one frame at a time."""
        into, card = board.into[name], board.card[name]
        grow = Create(into) if isinstance(into, VGroup) else GrowArrow(into)
        if framed is None:
            self.play(grow, FadeIn(card))
            return
        new = highlight(framed, colour, buff=0.1, corner_radius=0.08)
        box = FadeIn(new) if board.lit is None else ReplacementTransform(board.lit, new)
        self.play(grow, FadeIn(card), box)
        board.lit = new
