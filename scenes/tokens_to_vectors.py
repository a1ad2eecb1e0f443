"""Scene (T1): the sentence, its tokens, each token's vector E, its position's vector P, and their
sum X = E + P (T × d_model), so that a repeated word gets one row of E but two rows of X.

Without positions (an explicit source's default) X is E itself. A pretrained model adds its own
learned positions, then normalises (and, past its first layer, runs the earlier layers): the
scene shows E + P and names what turns it into X. In the column-vector convention the vectors
stand as columns (Eᵀ + Pᵀ = I).
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
    LaggedStart,
    Line,
    MathTex,
    Rectangle,
    ReplacementTransform,
    Text,
    TransformMatchingShapes,
    VGroup,
    VMobject,
    Write,
)

from qkv import lookup
from qkv.derived import model_name
from scenes.kit.base import LessonScene
from scenes.kit.convention import Convention
from scenes.kit.layout import CAPTION_TOP, CONTENT_WIDTH, FRAME_TOP
from scenes.kit.provenance import TraceText
from scenes.kit.style import FONT, LABEL_SIZE, MUTED, ROLE, sign_colour
from scenes.kit.widgets import TokenRow, TraceMatrix, elided, highlight, lag_for

__all__ = ["TokensToVectors"]

# Lines (tokens) a turned matrix shows side by side before eliding; columns of d_model shown.
TOKEN_COLUMNS = 7
GROWTH = 1.5  # how much a small matrix may grow to fill the frame
WIDE = 8  # d_model up to this is shown whole; wider vectors show their first three and last


@dataclass
class Board:
    """What the beats point at: E, P (None: no positions) and X, their token names, their
    headings (name and shape), the signs between them, P drawn as bars, and E first shown
    large on its own (``stage``: a copy of E, its names and heading) before it moves into the
    sum."""

    view: Convention
    E: TraceMatrix
    P: TraceMatrix | None
    X: TraceMatrix
    names: VGroup
    headings: dict[str, VGroup]
    signs: list[VMobject]  # + (if P), then = or the arrow that turns E + P into X
    bars: VGroup  # P's entries as bars where they stand (empty without sinusoidal positions)
    repeat: tuple[int, int] | None  # the first repeated token's two places, if both are shown
    stage: VGroup  # E, its names and its heading, large in the middle: (E, names, heading)
    settled: bool = False  # whether E has moved from the stage into the sum

    def line(self, matrix: TraceMatrix, k: int) -> VMobject:
        """Token ``k``'s vector in ``matrix``: a row, or a column when turned."""
        return matrix.col_band(k) if self.view.columns else matrix.row_band(k)

    def lines(self, matrix: TraceMatrix) -> list[int | None]:
        """The tokens whose vectors ``matrix`` shows, in order (None: a ⋯ or ⋮)."""
        return matrix.col_ids if self.view.columns else matrix.row_ids


class TokensToVectors(LessonScene):
    map_step = "vectors"  # lit on the lesson map
    captions = {
        "sentence": {
            "en": "A sentence, as you typed it",
            "zh": "你输入的一句话",
            "ru": "Предложение, как вы его ввели",
        },
        "tokens": {
            "en": "First it is split into tokens",
            "zh": "首先把它切分成词元（token）",
            "ru": "Сначала оно делится на токены",
        },
        "model_tokens": {
            "en": "The model's own tokenizer: word pieces, with [CLS] first and [SEP] last",
            "zh": "模型自己的分词器：子词，开头是 [CLS]，结尾是 [SEP]",
            "ru": "Собственный токенизатор модели: части слов, [CLS] в начале, [SEP] в конце",
        },
        "lookup_rows": {
            "en": "Each token looks up its vector in a table: one row of E per token",
            "zh": "每个词元在一张表里查到自己的向量：每个词元是 E 的一行",
            "ru": "Каждый токен берёт свой вектор из таблицы: по строке E на токен",
        },
        "lookup_columns": {
            "en": "Each token looks up its vector in a table: one column per token",
            "zh": "每个词元在一张表里查到自己的向量：每个词元一列",
            "ru": "Каждый токен берёт свой вектор из таблицы: по столбцу на токен",
        },
        "model_lookup": {
            "en": "The model's learned table: a vector per word piece, plus its segment's",
            "zh": "模型学到的表：每个子词一个向量，再加上它所在段的向量",
            "ru": "Выученная таблица модели: вектор части слова плюс вектор её сегмента",
        },
        "same_in_e": {
            "en": '"{0}" appears more than once: the table gives it the same vector each time',
            "zh": "“{0}”不止出现一次：表每次给它同一个向量",
            "ru": "«{0}» встречается не раз: таблица каждый раз даёт тот же вектор",
        },
        "positions": {
            "en": "P adds a vector for each position, the same whatever word stands there",
            "zh": "P 给每个位置一个向量，不管那里是哪个词",
            "ru": "P добавляет вектор для каждой позиции, какое бы слово там ни стояло",
        },
        "model_positions": {
            "en": "The model adds a learned vector for each position: P",
            "zh": "模型给每个位置加上一个学到的向量：P",
            "ru": "Модель добавляет выученный вектор для каждой позиции: P",
        },
        "waves": {
            "en": "Sine and cosine waves: the first dimensions change fast with position, "
            "the last ones slowly",
            "zh": "正弦和余弦波：前面的维度随位置变得快，后面的变得慢",
            "ru": "Синусы и косинусы: первые измерения меняются с позицией быстро, последние — "
            "медленно",
        },
        "sum": {
            "en": "Their sum is X: each vector now also says where its token stands",
            "zh": "两者相加得到 X：每个向量现在也说明了词元所在的位置",
            "ru": "Их сумма — X: теперь вектор говорит и о том, где стоит токен",
        },
        "no_positions": {
            "en": "No positions are added here: X is E itself",
            "zh": "这里没有加位置向量：X 就是 E",
            "ru": "Здесь позиции не добавляются: X — это сама E",
        },
        "model_norm": {
            "en": "The model normalises their sum (LayerNorm): that is X, entering its first layer",
            "zh": "模型把两者之和归一化（LayerNorm）：这就是进入第一层的 X",
            "ru": "Модель нормирует их сумму (LayerNorm): это X на входе в первый слой",
        },
        "model_layers": {
            "en": "Normalised, then changed by the layers before this one, their sum enters "
            "it as X",
            "zh": "两者之和经过归一化，再经过前面各层，才成为进入这一层的 X",
            "ru": "Их сумма, нормированная и изменённая предыдущими слоями, входит в этот слой "
            "как X",
        },
        "two_rows": {
            "en": 'Two places of "{0}": one vector in E, two different vectors in X, since '
            "their positions differ",
            "zh": "“{0}”的两个位置：在 E 中是同一个向量，在 X 中却不同，因为位置不同",
            "ru": "Два места «{0}»: в E один вектор, в X два разных, ведь позиции различны",
        },
        "still_same": {
            "en": 'With no positions, "{0}" has the same vector in X too, wherever it stands',
            "zh": "没有位置向量，“{0}”在 X 中的向量处处一样",
            "ru": "Без позиций у «{0}» и в X везде один и тот же вектор",
        },
        "random_table": {
            "en": "A model learns the table E; here it is drawn at random",
            "zh": "E 这张表本该由模型学出来；这里是随机生成的",
            "ru": "Таблицу E модель выучивает; здесь она случайная",
        },
        "typed_table": {
            "en": "A model learns the table E; here it is typed in by hand",
            "zh": "E 这张表本该由模型学出来；这里是手工写入的",
            "ru": "Таблицу E модель выучивает; здесь она задана вручную",
        },
    }

    def construct(self) -> None:
        """The sentence, its tokens, E, then P, then X (E + P), and a repeated word in both."""
        self.name_the_model()
        sentence = self.write_the_sentence()
        tokens = self.split_into_tokens(sentence)
        board = self.lay_out(tokens)
        self.each_token_looks_up_its_vector(tokens, board)
        self.a_repeated_word_looks_up_one_vector(board)
        self.add_a_vector_for_each_position(board)
        self.their_sum_is_x(board)
        self.the_repeated_word_now_has_two_vectors(board)
        self.where_the_table_comes_from()

    @property
    def pretrained(self) -> bool:
        """Whether the vectors are a pretrained model's (word pieces, positions added)."""
        return model_name(self.trace) is not None

    # -- the beats ------------------------------------------------------------------------

    def name_the_model(self) -> None:
        """Whose numbers these are, for a pretrained model: its name, the layer, the head."""
        if self.pretrained:
            self.add(self.model_badge().to_corner(UP + LEFT, buff=0.25))

    def write_the_sentence(self) -> TraceText:
        """The sentence, as typed."""
        sentence = self.num.text("sentence", font_size=40)
        sentence.scale_to_fit_width(min(sentence.width, CONTENT_WIDTH)).to_edge(UP, buff=0.8)
        self.play(Write(sentence), run_time=1.2)
        self.say("sentence")
        self.hold()
        return sentence

    def split_into_tokens(self, sentence: TraceText) -> TokenRow:
        """The sentence splits into tokens (a model's own: word pieces between [CLS] and [SEP])."""
        tokens = TokenRow(self.num, font_size=34)
        tokens.scale_to_fit_width(min(tokens.width, CONTENT_WIDTH)).move_to(sentence)
        self.say("model_tokens" if self.pretrained else "tokens")
        self.play(TransformMatchingShapes(sentence, tokens), run_time=1.2)
        self.hold()
        return tokens

    def each_token_looks_up_its_vector(self, tokens: TokenRow, board: Board) -> None:
        """Each token becomes a vector, a line of E; its name moves beside it."""
        E, names, heading = board.stage
        shown = board.lines(E)
        lines = [k for k in shown if k is not None]
        self.play(
            *(ReplacementTransform(tokens.labels[k], names[i]) for i, k in enumerate(lines)),
            *(FadeOut(tokens.labels[k]) for k in range(len(tokens)) if k not in lines),
            *(FadeOut(box[0]) for box in tokens),
            Create(E.matrix.get_brackets()),
            run_time=1.2,
        )
        if self.pretrained:
            self.say("model_lookup")
        else:
            self.say("lookup_columns" if board.view.columns else "lookup_rows")
        across = DOWN if board.view.columns else RIGHT
        self.play(
            FadeIn(heading),  # once the tokens have left the top of the frame
            LaggedStart(
                *(FadeIn(board.line(E, k), shift=across * 0.3) for k in shown),
                lag_ratio=lag_for(len(shown)),
            ),
            run_time=min(2.5, 0.3 * len(shown) + 0.6),
        )
        self.hold()

    def a_repeated_word_looks_up_one_vector(self, board: Board) -> None:
        """A repeated token gets the same vector of E twice."""
        if board.repeat is None:
            return
        E = board.stage[0]
        boxes = [highlight(board.line(E, k), ROLE["Q"]) for k in board.repeat]
        self.play(*(Create(b) for b in boxes))
        self.say("same_in_e", ("tokens", board.repeat[1]))
        self.hold()
        self.play(*(FadeOut(b) for b in boxes), run_time=0.4)

    def settle(self, board: Board) -> None:
        """E moves from the middle of the frame to its place in the sum."""
        if not board.settled:
            target = VGroup(board.E, board.names, board.headings["E"])
            self.play(ReplacementTransform(board.stage, target), run_time=1.0)
            board.settled = True

    def add_a_vector_for_each_position(self, board: Board) -> None:
        """P: one vector per position (none here: X is E); sinusoidal ones drawn as bars."""
        if board.P is None:
            return
        self.settle(board)
        P = board.P
        shown = board.lines(P)
        self.play(
            FadeIn(board.signs[0]), FadeIn(board.headings["P"]), Create(P.matrix.get_brackets())
        )
        self.say("model_positions" if self.pretrained else "positions")
        self.play(
            LaggedStart(*(FadeIn(board.line(P, k)) for k in shown), lag_ratio=lag_for(len(shown))),
            run_time=min(2.0, 0.2 * len(shown) + 0.6),
        )
        self.hold()
        if len(board.bars):
            numbers = VGroup(*P.entries.values())
            self.play(numbers.animate.set_opacity(0.15), FadeIn(board.bars), run_time=1.0)
            self.say("waves")
            self.hold()
            self.play(numbers.animate.set_opacity(1.0), FadeOut(board.bars), run_time=0.8)

    def their_sum_is_x(self, board: Board) -> None:
        """X: E + P (E itself without positions; normalised, and more, in a model)."""
        self.settle(board)
        X, sign = board.X, board.signs[-1]
        self.play(FadeIn(sign), FadeIn(board.headings["X"]), Create(X.matrix.get_brackets()))
        self.play(
            LaggedStart(*(FadeIn(v) for v in X.entries.values()), lag_ratio=0.02),
            *(FadeIn(m) for m in X.matrix.get_entries() if m not in X.entries.values()),
            run_time=1.2,
        )
        if board.P is None:
            self.say("no_positions")
        elif not self.pretrained:
            self.say("sum")
        elif lookup(self.trace, "dims.layer") == 0:
            self.say("model_norm")
        else:
            self.say("model_layers")
        self.hold()

    def the_repeated_word_now_has_two_vectors(self, board: Board) -> None:
        """The repeated token: one vector of E, two of X (the same two without positions)."""
        if board.repeat is None:
            return
        boxes = [
            highlight(board.line(m, k), ROLE["Q"]) for m in (board.E, board.X) for k in board.repeat
        ]
        self.play(*(Create(b) for b in boxes))
        self.say("still_same" if board.P is None else "two_rows", ("tokens", board.repeat[1]))
        self.hold()
        self.play(*(FadeOut(b) for b in boxes), run_time=0.4)

    def where_the_table_comes_from(self) -> None:
        """A model learns E; here it is random (seeded) or typed in (explicit)."""
        if self.pretrained:
            return  # the model's own table was named when E appeared
        seeded = self.trace.config["source"] == "seeded"
        self.say("random_table" if seeded else "typed_table")
        self.hold()

    # -- layout ---------------------------------------------------------------------------

    def lay_out(self, tokens: TokenRow) -> Board:
        """E + P = X (E = X; or E + P → X in a model) in the content box, nothing shown yet:
        the names beside E's lines, a heading (name and shape) over each matrix; and E alone,
        larger, for the first beats."""
        view = Convention.of(self.trace)
        repeat = first_repeat(self.trace.tokens)
        positioned = self.trace.P is not None
        lines = token_lines(len(self.trace.tokens), view.columns, repeat)
        width = self.trace.X.shape[1]
        dims = elided(width, width if width <= WIDE else 5)
        matrices = {
            key: self.matrix(key, view, lines, dims)
            for key in ("E", "P", "X")
            if key != "P" or positioned
        }
        titles = {"E": "E", "P": "P", "X": view.tex("X")}
        if view.columns:
            titles.update(E=r"E^{\top}", P=r"P^{\top}")
        signs = ([MathTex("+", font_size=LABEL_SIZE * 1.4)] if positioned else []) + [
            self.arrow_to_x() if self.pretrained else MathTex("=", font_size=LABEL_SIZE * 1.4)
        ]
        headings = {}
        for key, matrix in matrices.items():
            title = MathTex(titles[key], font_size=LABEL_SIZE * 1.4, color=ROLE["X"])
            headings[key] = VGroup(title, matrix.shape_label()).arrange(RIGHT, buff=0.3)
        # side by side, each matrix in a slot as wide as its heading, so headings never touch
        order = [matrices["E"], *signs[:-1], *([matrices["P"]] if positioned else [])]
        order += [signs[-1], matrices["X"]]
        slots = {id(matrices[key]): headings[key].width for key in matrices}
        x = 0.0
        for mob in order:
            span = max(mob.width, slots.get(id(mob), 0.0))
            mob.move_to(RIGHT * (x + span / 2))
            x += span + 0.35
        body = VGroup(*order)
        names = matrices["E"].name_lines(
            font_size=LABEL_SIZE * 0.85, max_width=1.6, left_buff=0.3, up_buff=0.25
        )
        above = VGroup(body, names).get_top()[1]
        for key, matrix in matrices.items():
            headings[key].next_to(matrix.get_center() * RIGHT + above * UP, UP, buff=0.3)
        # E alone first, as large as the room allows (never enlarged), in the middle
        top, bottom = FRAME_TOP - (0.85 if self.pretrained else 0.35), CAPTION_TOP + 0.25
        room, middle = top - bottom, (top + bottom) / 2  # below a model's badge
        stage = VGroup(matrices["E"], names, headings["E"]).copy()
        grow(stage, CONTENT_WIDTH, room).move_to(UP * middle)
        block = VGroup(body, names, *headings.values())
        grow(block, CONTENT_WIDTH, room).move_to(UP * middle)
        both = repeat is not None and all(k in lines for k in repeat)
        P = matrices.get("P")
        waves = P is not None and self.trace.config.get("positions") == "sinusoidal"
        bars = p_bars(self.trace, P, view.columns) if waves and len(lines) > 2 else VGroup()
        return Board(
            view,
            matrices["E"],
            P,
            matrices["X"],
            names,
            headings,
            signs,
            bars,
            repeat if both else None,
            stage,
        )

    def matrix(
        self, key: str, view: Convention, lines: list[int | None], dims: list[int | None]
    ) -> TraceMatrix:
        """E, P or X: a line per token (shown ones: ``lines``), the components ``dims``."""
        rows, cols = (dims, lines) if view.columns else (lines, dims)
        return TraceMatrix(
            self.num,
            key,
            role="X",
            transpose=view.turned(),
            dims=("T", "d_model"),
            rows=rows,
            cols=cols,
        )

    def arrow_to_x(self) -> VGroup:
        """→ with what turns E + P into X in the model: LayerNorm (and the earlier layers)."""
        first = lookup(self.trace, "dims.layer") == 0
        words = STEPS["norm" if first else "norm_layers"][self.language]
        label = Text(words, font=FONT, font_size=LABEL_SIZE * 0.75, color=MUTED)
        label.scale_to_fit_width(min(label.width, 2.2))
        half = max(0.7, label.width / 2 + 0.1)
        arrow = Arrow(LEFT * half, RIGHT * half, buff=0, color=MUTED, stroke_width=4)
        return VGroup(label, arrow).arrange(DOWN, buff=0.12)

    def model_badge(self) -> VGroup:
        """``all-MiniLM-L6-v2 · layer 2 · head 0``: the numbers from the trace's config."""
        size = LABEL_SIZE * 0.6
        words = BADGE[self.language]
        parts = [self.num.model(font_size=size, color=MUTED)]
        for word, dim in zip(words, ("layer", "head"), strict=True):
            parts += [
                Text(word, font=FONT, font_size=size, color=MUTED),
                self.num.dim(dim, font_size=size * 1.4, color=MUTED),
            ]  # TeX runs small
        return VGroup(*parts).arrange(RIGHT, buff=0.15)


def grow(mob: VMobject, width: float, height: float) -> VMobject:
    """Scale ``mob`` to fit in ``width`` x ``height``: a small one (two tokens of two
    dimensions) grows by half at most, a large one shrinks."""
    return mob.scale(min(GROWTH, width / mob.width, height / mob.height))


def first_repeat(tokens: tuple[str, ...]) -> tuple[int, int] | None:
    """The first token that appears again: its first place and its second, or None."""
    later = next((i for i in range(len(tokens)) if tokens[i] in tokens[:i]), None)
    return None if later is None else (tokens.index(tokens[later]), later)


def token_lines(count: int, turned: bool, keep: tuple[int, int] | None) -> list[int | None]:
    """The tokens whose vectors are shown (None: a ⋯ or ⋮ for the ones between): all of them
    as rows (up to twelve), at most ``TOKEN_COLUMNS`` side by side as columns, the first ones,
    the repeated word's two places and the last."""
    limit = TOKEN_COLUMNS if turned else 12
    if count <= limit:
        return list(range(count))
    chosen = {count - 1, *(keep or ())}
    k = 0
    while len(chosen) < limit - 2:
        chosen.add(k)
        k += 1
    lines: list[int | None] = []
    for k in sorted(chosen):
        if lines and lines[-1] is not None and k != lines[-1] + 1:
            lines.append(None)
        lines.append(k)
    return lines


def p_bars(trace, P: TraceMatrix, turned: bool) -> VGroup:
    """Each shown entry of P as a bar where it stands, up (right) for positive, down (left)
    for negative, from a faint zero line through each position's line: sinusoidal positions
    lie in [-1, 1], so a full bar spans most of the gap to the next line."""
    entries = P.entries
    rows = sorted({rc[0] for rc in entries})
    cols = sorted({rc[1] for rc in entries})
    ys = [VGroup(*(entries[(r, c)] for c in cols)).get_y() for r in rows]
    xs = [VGroup(*(entries[(r, c)] for r in rows)).get_x() for c in cols]
    pitch_y = abs(ys[1] - ys[0]) if len(ys) > 1 else 0.5
    pitch_x = abs(xs[1] - xs[0]) if len(xs) > 1 else 0.8
    bars, zero_lines = VGroup(), VGroup()
    for (r, c), entry in entries.items():
        value = lookup(trace, "P", P.index_of(r, c))
        centre = entry.get_center()
        if turned:  # a position is a column: bars run sideways from its centre line
            length = abs(value) * 0.45 * pitch_x
            bar = Rectangle(width=max(length, 1e-3), height=0.5 * pitch_y)
            bar.move_to(centre + RIGHT * (length / 2 if value >= 0 else -length / 2))
        else:
            length = abs(value) * 0.45 * pitch_y
            bar = Rectangle(width=0.45 * pitch_x, height=max(length, 1e-3))
            bar.move_to(centre + UP * (length / 2 if value >= 0 else -length / 2))
        bar.set_fill(sign_colour(value), opacity=0.95).set_stroke(width=0)
        bars.add(bar)
    if turned:
        for x in xs:
            zero_lines.add(Line([x, ys[0] + 0.3 * pitch_y, 0], [x, ys[-1] - 0.3 * pitch_y, 0]))
    else:
        for y in ys:
            zero_lines.add(Line([xs[0] - 0.3 * pitch_x, y, 0], [xs[-1] + 0.3 * pitch_x, y, 0]))
    zero_lines.set_stroke(MUTED, width=1, opacity=0.6)
    return VGroup(zero_lines, bars)


# What turns E + P into X in a pretrained model, over the arrow (no digits)
STEPS = {
    "norm": {"en": "LayerNorm", "zh": "LayerNorm", "ru": "LayerNorm"},
    "norm_layers": {
        "en": "LayerNorm,\nearlier layers",
        "zh": "LayerNorm，\n前面各层",
        "ru": "LayerNorm,\nпрежние слои",
    },
}
# "· layer", "· head" before their numbers, in the lesson's language
BADGE = {"en": ("· layer", "· head"), "zh": ("· 第", "层 · 注意力头"), "ru": ("· слой", "· голова")}
