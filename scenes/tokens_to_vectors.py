"""Scene (T1): the sentence, its tokens, each token's vector E, its position's vector P, and their
sum X = E + P (T × d_model), so that a repeated word gets one row of E but two rows of X.

Without positions (an explicit source's default) X is E itself. A pretrained model adds its own
learned positions, then normalises (and, past its first layer, runs the earlier layers): the
scene shows E + P and names what turns it into X. In the column-vector convention the vectors
stand as columns (Eᵀ + Pᵀ = I).

The sum takes the whole frame so that its numbers stay readable: on one line, or E + P over
= X when that is larger (a short sentence). The scene ends on it, and Projections opens on it,
carrying X into its product.
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
    ReplacementTransform,
    Text,
    VGroup,
    VMobject,
    Write,
)

from qkv import lookup
from qkv.derived import model_name
from scenes.kit.base import LessonScene
from scenes.kit.convention import Convention
from scenes.kit.layout import CAPTION_TOP, CONTENT_WIDTH, FRAME_TOP
from scenes.kit.matching import MatchingShapes
from scenes.kit.provenance import TraceText
from scenes.kit.roadmap import MAP_STRIP
from scenes.kit.style import FONT, LABEL_SIZE, MUTED, ROLE
from scenes.kit.widgets import TokenRow, TraceMatrix, elided, fade_to, lag_for

__all__ = ["TokensToVectors"]

GAP = 0.3  # between the parts of the sum, and between its lines
SIGN_CLEAR = 0.35  # more room either side of a + or = sign
DIMMED = 0.2  # the opacity of the lines that step back while a repeated word is shown
# Lines (tokens) a turned matrix shows side by side before eliding; columns of d_model shown.
TOKEN_COLUMNS = 7
GROWTH = 2.5  # how much a small matrix (two tokens of two dimensions) may grow to fill the frame
WIDE = 8  # d_model up to this is shown whole; wider vectors show their first three and last


@dataclass
class Board:
    """What the beats point at: E, P (None: no positions) and X, the token names beside E's
    lines and X's (X's empty when they share a line), their headings (name and shape), the
    signs between them, P drawn as bars, the whole sum, and E first shown large on its own
    (``stage``: a copy of E, its names and heading) before it moves into the sum."""

    view: Convention
    E: TraceMatrix
    P: TraceMatrix | None
    X: TraceMatrix
    names: dict[str, VGroup]  # E, X
    headings: dict[str, VGroup]
    signs: list[VMobject]  # + (if P), then = or the arrow that turns E + P into X
    bars: VGroup  # P's entries as bars where they stand (empty without sinusoidal positions)
    repeat: tuple[int, int] | None  # the first repeated token's two places, if both are shown
    stage: VGroup  # E, its names and its heading, large in the middle: (E, names, heading)
    sum: VGroup  # everything of E + P = X, in place: the closing picture
    settled: bool = False  # whether E has moved from the stage into the sum

    def bands(self, matrix: TraceMatrix) -> list[VMobject]:
        """Every displayed line of ``matrix`` (rows, or columns when turned), ⋯ lines too, in
        order: by place, as a matrix may show more than one ⋯."""
        return list(matrix.matrix.get_columns() if self.view.columns else matrix.matrix.get_rows())

    def lines(self, matrix: TraceMatrix) -> list[int | None]:
        """The tokens whose vectors ``matrix`` shows, in order (None: a ⋯ or ⋮)."""
        return matrix.col_ids if self.view.columns else matrix.row_ids

    def others(self, shown: list[tuple[TraceMatrix, VGroup]]) -> list[VMobject]:
        """Every entry, ⋯ and name of the lines other than the repeated word's two, in each
        (matrix, its names): one by one, as each is a part of its matrix (a group made for
        the occasion would be taken out of it when animated)."""
        keep, out = set(self.repeat or ()), []
        for matrix, names in shown:
            ids, grid = self.lines(matrix), matrix.matrix.mob_matrix
            for i, k in enumerate(ids):
                if k not in keep:
                    out += [row[i] for row in grid] if self.view.columns else list(grid[i])
            named = [k for k in ids if k is not None]
            out += [label for k, label in zip(named, names, strict=False) if k not in keep]
        return out


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
        board = self.lay_out()
        self.each_token_looks_up_its_vector(tokens, board)
        self.a_repeated_word_looks_up_one_vector(board)
        self.add_a_vector_for_each_position(board)
        self.their_sum_is_x(board)
        self.the_repeated_word_now_has_two_vectors(board)
        self.where_the_table_comes_from()
        self.end_on(self.closing_picture())  # the same mobjects: swapped in unseen

    def closing_picture(self) -> VGroup:
        """E + P = X (E = X; E + P → X in a model) filling the frame, every entry shown, and a
        model's badge: what the scene ends on, rebuilt from the trace."""
        board = self.lay_out()
        picture = VGroup(*self.badge(), board.sum)
        # the next scene (Projections) carries X over into its product
        picture.x_parts = (board.X, board.names["X"], board.headings["X"])
        return picture

    @property
    def pretrained(self) -> bool:
        """Whether the vectors are a pretrained model's (word pieces, positions added)."""
        return model_name(self.trace) is not None

    # -- the beats ------------------------------------------------------------------------

    def name_the_model(self) -> None:
        """Whose numbers these are, for a pretrained model: its name, the layer, the head."""
        self.add(*self.badge())

    def write_the_sentence(self) -> TraceText:
        """The sentence, as typed, once the scene before has all but faded (it is not written
        over that scene's formula)."""
        sentence = self.num.text("sentence", font_size=40)
        sentence.scale_to_fit_width(min(sentence.width, CONTENT_WIDTH)).to_edge(UP, buff=0.8)
        gone = FadeOut(self.take_opening(), run_time=0.6)
        self.play(LaggedStart(gone, Write(sentence, run_time=1.2), lag_ratio=0.7))
        self.say("sentence")
        self.hold()
        return sentence

    def split_into_tokens(self, sentence: TraceText) -> TokenRow:
        """The sentence splits into tokens (a model's own: word pieces between [CLS] and [SEP])."""
        tokens = TokenRow(self.num, font_size=34)
        tokens.scale_to_fit_width(min(tokens.width, CONTENT_WIDTH)).move_to(sentence)
        self.say("model_tokens" if self.pretrained else "tokens")
        self.play(MatchingShapes(sentence, tokens), run_time=1.2)
        self.hold()
        return tokens

    def each_token_looks_up_its_vector(self, tokens: TokenRow, board: Board) -> None:
        """Each token becomes a vector, a line of E; its name moves beside it."""
        E, names, heading = board.stage
        shown = board.bands(E)
        lines = [k for k in board.lines(E) if k is not None]
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
                *(FadeIn(band, shift=across * 0.3) for band in shown),
                lag_ratio=lag_for(len(shown)),
            ),
            run_time=min(2.5, 0.3 * len(shown) + 0.6),
        )
        self.hold()

    def a_repeated_word_looks_up_one_vector(self, board: Board) -> None:
        """A repeated token gets the same vector of E twice: the other lines step back."""
        if board.repeat is None:
            return
        E, names, _ = board.stage
        others = board.others([(E, names)])
        self.say("same_in_e", ("tokens", board.repeat[1]))
        self.play(*(fade_to(m, DIMMED) for m in others), run_time=0.8)
        self.hold()
        self.play(*(fade_to(m, 1.0) for m in others), run_time=0.5)

    def settle(self, board: Board) -> None:
        """E moves from the middle of the frame to its place in the sum."""
        if not board.settled:
            target = VGroup(board.E, board.names["E"], board.headings["E"])
            self.play(ReplacementTransform(board.stage, target), run_time=1.0)
            board.settled = True

    def add_a_vector_for_each_position(self, board: Board) -> None:
        """P: one vector per position (none here: X is E); sinusoidal ones drawn as bars."""
        if board.P is None:
            return
        P = board.P
        shown = board.bands(P)
        self.say("model_positions" if self.pretrained else "positions")
        self.settle(board)  # E makes room for P as the caption names it
        self.play(
            FadeIn(board.signs[0]),
            FadeIn(board.headings["P"]),
            FadeIn(board.names["P"]),  # on a line of its own, P has the tokens beside it too
            Create(P.matrix.get_brackets()),
        )
        self.play(
            LaggedStart(*(FadeIn(band) for band in shown), lag_ratio=lag_for(len(shown))),
            run_time=min(2.0, 0.2 * len(shown) + 0.6),
        )
        self.hold()
        if len(board.bars):
            numbers = list(P.entries.values())
            self.say("waves")
            self.play(*(fade_to(m, 0.15) for m in numbers), FadeIn(board.bars), run_time=1.0)
            self.hold()
            self.play(*(fade_to(m, 1.0) for m in numbers), FadeOut(board.bars), run_time=0.8)

    def their_sum_is_x(self, board: Board) -> None:
        """X: E + P (E itself without positions; normalised, and more, in a model)."""
        X, sign = board.X, board.signs[-1]
        if board.P is None:
            self.say("no_positions")
        elif not self.pretrained:
            self.say("sum")
        elif lookup(self.trace, "dims.layer") == 0:
            self.say("model_norm")
        else:
            self.say("model_layers")
        self.settle(board)  # without positions, E moves beside X only now
        self.play(
            FadeIn(sign),
            FadeIn(board.headings["X"]),
            FadeIn(board.names["X"]),
            Create(X.matrix.get_brackets()),
        )
        self.play(
            LaggedStart(*(FadeIn(v) for v in X.entries.values()), lag_ratio=0.02),
            *(FadeIn(m) for m in X.matrix.get_entries() if m not in X.entries.values()),
            run_time=1.2,
        )
        self.hold()

    def the_repeated_word_now_has_two_vectors(self, board: Board) -> None:
        """The repeated token: one vector of E, two of X (the same two without positions); the
        other lines step back so the two places stand side by side."""
        if board.repeat is None:
            return
        pairs = [(board.E, board.names["E"]), (board.X, board.names["X"])]
        if board.P is not None:
            pairs.insert(1, (board.P, board.names["P"]))
        others = board.others(pairs)
        self.say("still_same" if board.P is None else "two_rows", ("tokens", board.repeat[1]))
        self.play(*(fade_to(m, DIMMED) for m in others), run_time=0.8)
        self.hold()
        self.play(*(fade_to(m, 1.0) for m in others), run_time=0.5)

    def where_the_table_comes_from(self) -> None:
        """A model learns E; here it is random (seeded) or typed in (explicit)."""
        if self.pretrained:
            return  # the model's own table was named when E appeared
        seeded = self.trace.config["source"] == "seeded"
        self.say("random_table" if seeded else "typed_table")
        self.hold()

    # -- layout ---------------------------------------------------------------------------

    def lay_out(self) -> Board:
        """E + P = X (E = X; or E + P → X in a model) as large as the frame allows, on one line
        or, when that is larger, E + P over = X; nothing shown yet. The names beside E's lines
        (and X's, on its own line), a heading (name and shape) over each matrix; and E alone,
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
        names = {
            key: matrix.name_lines(
                font_size=LABEL_SIZE * 0.85, max_width=1.6, left_buff=0.3, up_buff=0.25
            )
            for key, matrix in matrices.items()
        }
        # the content box: under the map strip (or a model's badge), over the caption band
        top, bottom = FRAME_TOP - (0.85 if self.pretrained else MAP_STRIP + 0.1), CAPTION_TOP + 0.1
        room, middle = top - bottom, (top + bottom) / 2  # below a model's badge
        # E alone first, as large as the room allows, in the middle
        headings["E"].next_to(VGroup(matrices["E"], names["E"]), UP, buff=0.2)
        stage = VGroup(matrices["E"], names["E"], headings["E"]).copy()
        grow(stage, CONTENT_WIDTH, room).move_to(UP * middle)
        # the sum on one, two or three lines, whichever is largest
        parts = (matrices, signs, headings, names)
        options = [(lines, beside) for lines in sum_layouts(positioned) for beside in (0, 1)]
        scale = [
            min(GROWTH, CONTENT_WIDTH / b.width, room / b.height)
            for b in (arrange_sum(*parts, *option) for option in options)
        ]
        chosen, beside = options[scale.index(max(scale))]
        block = arrange_sum(*parts, chosen, beside)
        block.scale(max(scale)).move_to(UP * middle)
        for key in matrices:  # a matrix named by the one before it on its line has no names
            if key not in named(chosen):
                names[key] = VGroup()
        both = repeat is not None and all(k in lines for k in repeat)
        P = matrices.get("P")
        waves = P is not None and self.trace.config.get("positions") == "sinusoidal"
        bars = p_bars(self.num, P, view.columns) if waves and len(lines) > 2 else VGroup()
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
            block,
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

    def badge(self) -> list[VGroup]:
        """A pretrained model's badge in the top left corner (none for other sources)."""
        return [self.model_badge().to_corner(UP + LEFT, buff=0.25)] if self.pretrained else []

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


def sum_layouts(positioned: bool) -> list[list[list[str]]]:
    """The ways to write E + P = X (E = X without positions), as lines of parts ("+" and "="
    for the signs): on one line; E + P over = X; E over + P over = X, like a column sum."""
    if not positioned:
        return [[["E", "=", "X"]], [["E"], ["=", "X"]]]
    return [
        [["E", "+", "P", "=", "X"]],
        [["E", "+", "P"], ["=", "X"]],
        [["E"], ["+", "P"], ["=", "X"]],
    ]


def named(lines: list[list[str]]) -> list[str]:
    """The matrices that show their token names: the first of each line."""
    return [next(part for part in line if part not in ("+", "=")) for line in lines]


def arrange_sum(matrices, signs, headings, names, lines: list[list[str]], beside: int) -> VGroup:
    """E + P = X at unit scale, laid out as ``lines`` (see sum_layouts): every matrix's centre
    on its line's axis, the first matrix of a line named by its tokens, headings over their
    matrices (``beside``: a lone matrix's to its right, where a line under a longer one has
    room); every line after the first with its matrix under E. Returns the block."""
    sign = {"+": signs[0], "=": signs[-1]}
    first = named(lines)
    placed = VGroup()
    for n, line in enumerate(lines):
        row, x = VGroup(), 0.0
        for part in line:
            mob = sign.get(part) if part in sign else matrices[part]
            unit = VGroup(names[part], mob) if part in first else mob  # takes room on the line
            # each matrix in a slot as wide as its heading, so headings above never touch
            # a sign keeps clear of the matrix after it: "+" beside its first number would
            # read as that number's sign ("+ −0.02")
            span = headings[part].width if part in matrices else unit.width + 2 * SIGN_CLEAR
            span = max(unit.width, span)
            step = RIGHT * (x + span / 2 - unit.get_x()) + UP * (0 - mob.get_y())
            # a matrix's names go where it goes, shown or not (the next layout may show them)
            VGroup(mob, names[part] if part in matrices else VGroup()).shift(step)
            x += span + GAP
            row.add(unit)
        keys = [part for part in line if part in matrices]
        top = row.get_top()[1]
        for key in keys:
            if len(keys) > 1 or not beside:
                headings[key].next_to(matrices[key].get_center() * RIGHT + top * UP, UP, buff=0.2)
            else:
                headings[key].next_to(matrices[key], RIGHT, buff=0.5)
            row.add(headings[key])
        if n:  # under the line before, its matrix under E
            row.shift(RIGHT * (matrices["E"].get_left()[0] - matrices[keys[0]].get_left()[0]))
            row.shift(UP * (placed.get_bottom()[1] - GAP - row.get_top()[1]))
        placed.add(*row)
    return placed


def grow(mob: VMobject, width: float, height: float) -> VMobject:
    """Scale ``mob`` to fit in ``width`` x ``height``: a small one (two tokens of two
    dimensions) grows up to GROWTH, a large one shrinks."""
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


def p_bars(num, P: TraceMatrix, turned: bool) -> VGroup:
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
        # a position is a column when turned: its bars run sideways from its centre line
        along, across, direction = (pitch_x, pitch_y, RIGHT) if turned else (pitch_y, pitch_x, UP)
        bar = num.bar(
            "P",
            *P.index_of(r, c),
            unit=0.45 * along,
            thickness=(0.5 if turned else 0.45) * across,
            direction=direction,
            opacity=0.95,
        )
        bars.add(bar.on(entry.get_center()))
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
