"""Part 2 (T11): masked, causal self-attention, the way a decoder computes it.

The scaled scores; the rule (a token may not look at the tokens after it) darkens the cells it
hides; their scores become −∞, the first query's first, then all (the mask M added); the
normaliser turns −∞ into exact zeros; the first token can only attend to itself, the last one
sees every token; then the masked weights beside the unmasked ones. Every grid comes from the
study keys of qkv/studies.py (``causal_weights``, ``unmasked_weights``), so a trace computed
without a mask still shows what a decoder's mask would do, and the captions say so.
Cross-attention has no causal mask: its queries see the whole other sentence, and that is all
the scene shows for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from manim import (
    DL,
    DOWN,
    LEFT,
    RIGHT,
    UP,
    UR,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    LaggedStart,
    Line,
    ManimColor,
    MathTex,
    ReplacementTransform,
    Square,
    VGroup,
    VMobject,
    Write,
    config,
)

from qkv import lookup, lookup_array
from scenes.kit.base import LessonScene
from scenes.kit.convention import NORMALISER_TEX, Convention
from scenes.kit.layout import CONTENT_WIDTH, grid_beside, grid_cell
from scenes.kit.matching import MatchingShapes
from scenes.kit.style import BACKGROUND, LABEL_SIZE, ROLE
from scenes.kit.widgets import TokenGrid, highlight, lag_for

__all__ = ["Masking"]

# A hidden cell: filled darker than the frame lines, hatched, under the grid and its numbers.
HIDDEN_FILL = ManimColor("#1C2029")
HIDDEN_HATCH = ManimColor("#454B57")
# Below this cell size (frame units) the side-by-side grids show their shading only: numbers
# would be too small to read.
SMALL_NUMBERS = 0.6
BRIGHT = 0.6  # a cell filled more than this shows its number dark
GROW = 2.0  # how much the side-by-side grids may grow (a lone token's: its one cell)


def weights_tex(view: Convention, masked: bool) -> str:
    """``A = softmax(QKᵀ/√d_k + M)``, or without ``+ M``, as the convention writes it."""
    if not masked:
        return view.tex("weights")
    name = "A' = " if view.columns else "A = "
    inner = view.tex("scaled") + r" + M"
    return name + NORMALISER_TEX[view.normaliser] + r"\!\left(" + inner + r"\right)"


def hidden_look(square: Square) -> VGroup:
    """A masked-out cell's look: a dark fill with three hatching strokes, drawn beneath the
    grid (z-index -1) so that the cell's frame and number stay on top."""
    centre, half = square.get_center(), square.width / 2
    fill = Square(side_length=square.width, stroke_width=0)
    fill.set_fill(HIDDEN_FILL, opacity=1.0).move_to(centre)
    hatch = VGroup(  # bottom-left to top-right, through the middle and half a cell either side
        Line(centre + LEFT * half, centre + UP * half),
        Line(centre + DL * half, centre + UR * half),
        Line(centre + DOWN * half, centre + RIGHT * half),
    ).set_stroke(HIDDEN_HATCH, width=1.5)
    return VGroup(fill, hatch).set_z_index(-1)


def minus_infinity(cell: VGroup) -> MathTex:
    """The symbol −∞ in place of a cell's number: no number can show it."""
    square, number = cell
    symbol = MathTex(r"-\infty", font_size=number.font_size)
    symbol.scale_to_fit_width(min(symbol.width, square.width * 0.8))
    return symbol.move_to(square)


def legible(grid: TokenGrid) -> TokenGrid:
    """Dark digits on the brightest cells: white on a bright orange cell is hard to read."""
    for cell in grid.squares:
        if len(cell) > 1 and cell[0].get_fill_opacity() > BRIGHT:
            cell[1].set_color(BACKGROUND)
    return grid


def frames(grid: TokenGrid, cells: list[tuple[int, int]] | None = None) -> VGroup:
    """The squares of a grid (of some of its cells, given as (query, key)), without numbers."""
    if cells is None:
        return VGroup(*(cell[0] for cell in grid.squares))
    return VGroup(*(grid.cell_at(i, j)[0] for i, j in cells))


@dataclass
class Board:
    """What the beats hand on: the trace's variant, the two grids laid one over the other, the
    formula on screen (and the two it becomes), and what later beats frame or move."""

    view: Convention
    causal: bool  # the trace itself is masked; else the scene shows what a mask would do
    relu: bool  # the normaliser is ReLU: no sums to one
    hidden: list[tuple[int, int]]  # the (query, key) cells the mask hides
    scores: TokenGrid
    weights: TokenGrid  # the masked weights, exactly over the scores
    formula: MathTex  # the formula on screen: the scores', + M, then the weights'
    plus_mask: MathTex
    final: MathTex
    looks: VGroup = field(default_factory=VGroup)  # the hidden cells' dark hatching
    symbols: dict[tuple[int, int], MathTex] = field(default_factory=dict)  # cell -> its −∞
    line: VMobject | None = None  # the frame round the first query's line
    boxes: list[VMobject] = field(default_factory=list)  # the token frame on screen
    free: TokenGrid | None = None  # the unmasked weights, beside the masked ones


class Masking(LessonScene):
    map_step = "softmax"  # lit on the lesson map
    captions = {
        "mask_scores": {
            "en": "The scaled scores again: every query against every key",
            "zh": "再看缩放后的分数：每个查询对每个键",
            "ru": "Снова масштабированные оценки: каждый запрос с каждым ключом",
        },
        "mask_scores_raw": {
            "en": "The scores again: every query against every key",
            "zh": "再看这些分数：每个查询对每个键",
            "ru": "Снова оценки: каждый запрос с каждым ключом",
        },
        "mask_plain": {
            "en": "This lesson used no mask; here is what a decoder's mask would do",
            "zh": "本课的计算没有用掩码；来看看解码器的掩码会怎么做",
            "ru": "В этом уроке маски не было; посмотрим, что сделала бы маска декодера",
        },
        "mask_rule": {
            "en": "In a decoder, a token may not look at the tokens after it",
            "zh": "在解码器里，一个词元不能看它后面的词元",
            "ru": "В декодере токен не может смотреть на токены после него",
        },
        "mask_hidden_row": {
            "en": "The mask hides every cell above the diagonal",
            "zh": "掩码遮住对角线以上的每一个格子",
            "ru": "Маска скрывает все клетки выше диагонали",
        },
        "mask_hidden_column": {
            "en": "The mask hides every cell below the diagonal",
            "zh": "掩码遮住对角线以下的每一个格子",
            "ru": "Маска скрывает все клетки ниже диагонали",
        },
        "mask_first": {
            "en": 'The first token, "{0}": every later score becomes minus infinity',
            "zh": "第一个词元“{0}”：它后面的分数都变成负无穷",
            "ru": "Первый токен, «{0}»: все следующие оценки — минус бесконечность",
        },
        "mask_all": {
            "en": "Every hidden score becomes minus infinity: that is adding the mask M",
            "zh": "每个被遮住的分数都变成负无穷：这就是加上掩码 M",
            "ru": "Каждая скрытая оценка — минус бесконечность: так прибавляется маска M",
        },
        "mask_softmax": {
            "en": "Softmax turns minus infinity into exactly zero: no weight on later tokens",
            "zh": "经过 softmax，负无穷正好变成零：后面的词元得不到任何权重",
            "ru": "Softmax превращает минус бесконечность ровно в ноль: поздним токенам веса нет",
        },
        "mask_relu": {
            "en": "ReLU turns minus infinity into zero too: no weight on later tokens",
            "zh": "ReLU 也把负无穷变成零：后面的词元得不到任何权重",
            "ru": "ReLU тоже превращает минус бесконечность в ноль: поздним токенам веса нет",
        },
        "mask_sums_row": {
            "en": "Each row still adds up to one (before rounding), over the tokens it may see",
            "zh": "每一行加起来仍等于一（四舍五入前），只分给它能看到的词元",
            "ru": "Каждая строка даёт в сумме единицу (до округления) — на видимые ей токены",
        },
        "mask_sums_column": {
            "en": "Each column still adds up to one (before rounding), over the tokens it may see",
            "zh": "每一列加起来仍等于一（四舍五入前），只分给它能看到的词元",
            "ru": "Каждый столбец даёт в сумме единицу (до округления) — на видимые ему токены",
        },
        "mask_alone": {
            "en": "A single token has nothing after it: there is nothing to mask",
            "zh": "只有一个词元，它后面什么也没有：没有什么可遮的",
            "ru": "У единственного токена нет следующих: маскировать нечего",
        },
        "mask_first_one": {
            "en": '"{0}" may only look at itself: its weight there is exactly one',
            "zh": "“{0}”只能看它自己：这个权重正好是一",
            "ru": "«{0}» может смотреть только на себя: этот вес ровно единица",
        },
        "mask_first_self": {
            "en": '"{0}" may only look at itself',
            "zh": "“{0}”只能看它自己",
            "ru": "«{0}» может смотреть только на себя",
        },
        "mask_last": {
            "en": 'The last token, "{0}", may look at every token, itself included',
            "zh": "最后一个词元“{0}”可以看所有词元，包括它自己",
            "ru": "Последний токен, «{0}», видит все токены, включая себя",
        },
        "mask_compare_causal": {
            "en": "Left, this lesson's masked weights; right, the same scores without the mask",
            "zh": "左边是本课加了掩码的权重；右边是同样的分数不加掩码",
            "ru": "Слева веса этого урока с маской; справа те же оценки без маски",
        },
        "mask_compare_plain": {
            "en": "Left, what a decoder would get; right, this lesson's own unmasked weights",
            "zh": "左边是解码器会得到的权重；右边是本课自己不加掩码的权重",
            "ru": "Слева то, что получил бы декодер; справа собственные веса урока без маски",
        },
        "mask_peek_causal": {
            "en": 'Without the mask, "{0}" would look at the tokens after it too',
            "zh": "没有掩码的话，“{0}”也会看它后面的词元",
            "ru": "Без маски «{0}» смотрел бы и на токены после себя",
        },
        "mask_peek_plain": {
            "en": 'With no mask, as in this lesson, "{0}" looks at the tokens after it too',
            "zh": "像本课这样不加掩码，“{0}”也会看它后面的词元",
            "ru": "Без маски, как в этом уроке, «{0}» смотрит и на токены после себя",
        },
        "mask_peek_none": {
            "en": "This head hardly looks ahead even without a mask: here the mask changes little",
            "zh": "即使不加掩码，这个头也几乎不看后面的词元：掩码在这里改变不大",
            "ru": "Эта голова и без маски почти не смотрит вперёд: здесь маска мало что меняет",
        },
        "mask_cross": {
            "en": "Cross-attention: queries from one sentence, keys from the other",
            "zh": "交叉注意力：查询来自一个句子，键来自另一个句子",
            "ru": "Перекрёстное внимание: запросы из одного предложения, ключи из другого",
        },
        "mask_cross_whole": {
            "en": "No causal mask here: each query sees the whole other sentence",
            "zh": "这里没有因果掩码：每个查询都能看到另一个句子的全部",
            "ru": "Причинной маски здесь нет: каждый запрос видит всё другое предложение",
        },
        "mask_cross_first": {
            "en": 'Even the first query, "{0}", looks at every key',
            "zh": "即使是第一个查询“{0}”，也会看每一个键",
            "ru": "Даже первый запрос, «{0}», смотрит на все ключи",
        },
    }

    def construct(self) -> None:
        """The scaled scores; the mask hides the later tokens (−∞); the normaliser makes them
        exact zeros; the first and last tokens; then beside the same scores unmasked."""
        if self.trace.kv_tokens is not None:  # cross-attention: nothing to mask
            grid = self.show_the_cross_weights()
            self.say_each_query_sees_everything()
            self.frame_the_first_query(grid)
            self.end_on(self.closing_picture())
            return
        board = self.lay_out_the_grids()
        self.show_the_scores(board)
        if board.hidden:
            self.hide_the_later_tokens(board)
            self.first_query_scores_minus_infinity(board)
            self.add_the_mask_everywhere(board)
        else:
            self.nothing_to_mask()
        self.normalise_to_exact_zeros(board)
        self.first_token_sees_only_itself(board)
        many = len(self.trace.tokens) > 1  # a lone token: no last token, no later one
        if many:
            self.last_token_sees_every_token(board)
        self.set_beside_the_unmasked(board)
        if many:
            self.frame_the_query_that_looks_ahead(board)
        self.end_on(self.closing_picture())

    def closing_picture(self) -> VGroup:
        """The masked weights beside the unmasked ones, the query that looks ahead most framed
        in both (cross-attention: its weights, the first query framed), laid out by the beats'
        own code."""
        if self.trace.kv_tokens is not None:
            grid, formula = self.cross_grid()
            return VGroup(formula, grid, self.first_query_frame(grid))
        board = self.lay_out_the_grids()
        free, names = self.unmasked(board)
        shrink, about, shift, keep = self.place_beside(board, free, names)
        masked = self.masked_pieces(board, keep)
        for piece in masked:
            piece.scale(shrink, about_point=about).shift(shift)
        return VGroup(
            *masked,
            *self.unmasked_pieces(free, keep),
            *names,
            *(self.look_ahead_frames(board, free) if len(self.trace.tokens) > 1 else []),
        )

    # -- causal self-attention ----------------------------------------------------------------

    def lay_out_the_grids(self) -> Board:
        """The scaled scores, with the formula beside them; the masked weights' grid laid
        exactly over it (its numbers and shading replace the scores' later)."""
        view = Convention.of(self.trace)
        T = len(self.trace.tokens)
        # which cells the mask hides, (query, key) pairs: only their look changes (T, T)
        mask = lookup_array(self.trace, f"heads.{self.head}.causal_mask")
        size = LABEL_SIZE * 1.3
        title = MathTex(view.tex("scaled"), font_size=size)
        plus_mask = MathTex(view.tex("scaled") + " + M", font_size=size)
        final = MathTex(weights_tex(view, masked=True), font_size=size)
        cell = grid_cell(self.trace)
        scores = TokenGrid(
            self.num,
            "scaled",
            self.head,
            cell=cell,
            shade=False,
            coloured=True,
            transpose=view.turned(),
        )
        weights = legible(
            TokenGrid(
                self.num,
                "causal_weights",
                self.head,
                cell=cell,
                transpose=view.turned(),
                shade_field="causal_weights",
            )
        )
        grid_beside(scores, final)  # laid out for the widest formula
        title.move_to(final)
        plus_mask.move_to(final)
        weights.scale(scores.squares.width / weights.squares.width)
        weights.shift(scores.squares.get_center() - weights.squares.get_center())
        hidden = [(i, j) for i in range(T) for j in range(T) if mask[i, j]]
        return Board(
            view=view,
            causal=self.trace.heads[self.head].mask is not None,
            relu=self.trace.config["normaliser"] == "relu",
            hidden=hidden,
            scores=scores,
            weights=weights,
            formula=title,
            plus_mask=plus_mask,
            final=final,
            looks=VGroup(*(hidden_look(scores.cell_at(i, j)[0]) for i, j in hidden)),
        )

    def show_the_scores(self, board: Board) -> None:
        """Every query against every key, before any mask (and whether this lesson has one)."""
        scores = board.scores
        self.play(
            Write(board.formula),
            Create(frames(scores)),
            FadeIn(scores.row_labels),
            FadeIn(scores.col_labels),
        )
        self.play(
            LaggedStart(*(FadeIn(v) for v in scores.values.values()), lag_ratio=0.02), run_time=1.0
        )
        self.say(
            "mask_scores" if self.trace.config["similarity"] == "scaled_dot" else "mask_scores_raw"
        )  # other similarities are not scaled
        self.wait(0.8)
        if not board.causal:
            self.say("mask_plain")
            self.wait(1.2)

    def nothing_to_mask(self) -> None:
        """A single token has no later token to hide."""
        self.say("mask_alone")
        self.wait(1.5)

    def hide_the_later_tokens(self, board: Board) -> None:
        """The rule, and the cells it hides."""
        self.say("mask_rule")
        self.wait(1.6)
        self.say("mask_hidden_column" if board.view.columns else "mask_hidden_row")
        self.play(
            LaggedStart(
                *(FadeIn(look) for look in board.looks), lag_ratio=lag_for(len(board.hidden))
            ),
            run_time=1.2,
        )
        self.wait(0.8)

    def first_query_scores_minus_infinity(self, board: Board) -> None:
        """The first query first: every key after it scores −∞."""
        scores = board.scores
        board.symbols = {ij: minus_infinity(scores.cell_at(*ij)) for ij in board.hidden}
        first = [ij for ij in board.hidden if ij[0] == 0]
        board.line = highlight(VGroup(scores.query_line(0), scores.query_label(0)), ROLE["Q"])
        self.say("mask_first", ("tokens", 0))
        self.play(Create(board.line))
        self.play(
            *(FadeTransform(scores.cell_at(*ij)[1], board.symbols[ij]) for ij in first),
            run_time=1.0,
        )
        self.wait(0.8)

    def add_the_mask_everywhere(self, board: Board) -> None:
        """Then every hidden score: the mask M added to the scaled scores."""
        rest = [ij for ij in board.hidden if ij[0] != 0]
        self.say("mask_all")
        self.play(
            FadeOut(board.line),
            MatchingShapes(board.formula, board.plus_mask),
            *(
                [
                    LaggedStart(
                        *(
                            FadeTransform(board.scores.cell_at(*ij)[1], board.symbols[ij])
                            for ij in rest
                        ),
                        lag_ratio=lag_for(len(rest)),
                    )
                ]
                if rest
                else []
            ),
            run_time=1.5,
        )
        board.formula = board.plus_mask
        self.wait(1.0)

    def normalise_to_exact_zeros(self, board: Board) -> None:
        """The normaliser: −∞ becomes exactly zero, the rest share the weight."""
        scores, weights, symbols = board.scores, board.weights, board.symbols
        if board.hidden:
            self.say("mask_relu" if board.relu else "mask_softmax")
        T = len(self.trace.tokens)
        pairs = [(i, j) for i in range(T) for j in range(T)]
        self.play(
            MatchingShapes(board.formula, board.final),
            *(
                FadeTransform(
                    symbols[ij] if ij in symbols else scores.cell_at(*ij)[1],
                    weights.cell_at(*ij)[1],
                )
                for ij in pairs
            ),
            *(
                ReplacementTransform(scores.cell_at(*ij)[0], weights.cell_at(*ij)[0])
                for ij in pairs
            ),
            run_time=1.5,
        )
        board.formula = board.final
        self.wait(1.2)
        if board.hidden and not board.relu:
            self.say("mask_sums_column" if board.view.columns else "mask_sums_row")
            self.wait(1.5)

    def first_token_sees_only_itself(self, board: Board) -> None:
        """The first token may look at itself alone (under softmax: a weight of exactly one)."""
        board.boxes = [self.first_token_frame(board)]
        self.say("mask_first_self" if board.relu else "mask_first_one", ("tokens", 0))
        self.play(Create(board.boxes[0]))
        self.hold(1.5)

    def last_token_sees_every_token(self, board: Board) -> None:
        """The last token may look at every token, itself included: the first token's frame
        becomes the last token's (one query framed at a time)."""
        T = len(self.trace.tokens)
        box = highlight(
            VGroup(board.weights.query_line(T - 1), board.scores.query_label(T - 1)), ROLE["Q"]
        )
        self.say("mask_last", ("tokens", T - 1))
        self.play(ReplacementTransform(board.boxes[0], box))
        board.boxes = [box]
        self.hold(1.5)

    def set_beside_the_unmasked(self, board: Board) -> None:
        """Shrink the masked grid to the left, the unmasked one beside it, both named by their
        formula."""
        free, names = self.unmasked(board)
        shrink, about, shift, keep = self.place_beside(board, free, names)
        # the numbers stay only if still readable in the small grids
        numbers = list(board.weights.values.values())
        self.play(
            FadeOut(VGroup(*board.boxes)),
            *([] if keep else [FadeOut(VGroup(*numbers))]),
            *(
                piece.animate.scale(shrink, about_point=about).shift(shift)
                for piece in self.masked_pieces(board, keep)
            ),
            # the formula fades across: flown to its new place it would cross the grid
            FadeOut(board.formula),
            FadeIn(names[0]),
            run_time=1.5,
        )
        self.play(FadeIn(VGroup(*self.unmasked_pieces(free, keep))), FadeIn(names[1]), run_time=1.0)
        self.say("mask_compare_causal" if board.causal else "mask_compare_plain")
        self.hold(1.5)
        board.free = free

    def frame_the_query_that_looks_ahead(self, board: Board) -> None:
        """The query that looks ahead most, in each: masked, and free to look at later tokens;
        a head that hardly looks ahead anyway (a trained one may not) is said to."""
        h = f"heads.{self.head}"
        if lookup(self.trace, f"{h}.looks_ahead"):
            q = int(lookup(self.trace, f"{h}.ahead_query"))
            self.say("mask_peek_causal" if board.causal else "mask_peek_plain", ("tokens", q))
        else:
            self.say("mask_peek_none")
        self.play(*(Create(line) for line in self.look_ahead_frames(board, board.free)))
        self.hold(2.0)

    # -- the pair, as the beats and the closing picture lay it out ----------------------------

    def first_token_frame(self, board: Board) -> VMobject:
        return highlight(
            VGroup(board.weights.cell_at(0, 0), board.scores.query_label(0)), ROLE["weights"]
        )

    def unmasked(self, board: Board) -> tuple[TokenGrid, list[MathTex]]:
        """The unmasked weights' grid, as large as the masked one, and the two grids' names."""
        free = legible(
            TokenGrid(
                self.num,
                "unmasked_weights",
                self.head,
                cell=grid_cell(self.trace),
                transpose=board.view.turned(),
                shade_field="unmasked_weights",
            )
        )
        free.scale(board.scores.squares.width / free.squares.width)
        names = [
            MathTex(weights_tex(board.view, masked), font_size=LABEL_SIZE * 1.1)
            for masked in (True, False)
        ]
        return free, names

    @staticmethod
    def masked_pieces(board: Board, keep: bool) -> list[VMobject]:
        """What the masked grid shows once it has its weights (its numbers if ``keep``)."""
        # each square on its own: a new group of them, animated, would be drawn over the numbers
        pieces = [*board.looks, *frames(board.weights)]
        pieces += [board.scores.row_labels, board.scores.col_labels]
        return pieces + (list(board.weights.values.values()) if keep else [])

    @staticmethod
    def unmasked_pieces(free: TokenGrid, keep: bool) -> list[VMobject]:
        pieces = [frames(free), free.row_labels, free.col_labels]
        return pieces + (list(free.values.values()) if keep else [])

    def place_beside(
        self, board: Board, free: TokenGrid, names: list[MathTex]
    ) -> tuple[float, np.ndarray, np.ndarray, bool]:
        """Where the masked grid goes (scale factor, the point it scales about, its shift) and
        whether its numbers stay readable there; places ``free`` and the names."""
        shrink, about, shift = self.place_the_pair(
            self.masked_pieces(board, keep=False), free, names
        )
        keep = board.weights.cell_at(0, 0)[0].width * shrink >= SMALL_NUMBERS
        return shrink, about, shift, keep

    @staticmethod
    def place_the_pair(
        masked: list[VMobject], free: TokenGrid, names: list[MathTex]
    ) -> tuple[float, np.ndarray, np.ndarray]:
        """The pair laid out with a stand-in copy of the masked grid, as large as the room
        under the names allows, far enough apart for the names not to meet."""
        stand_in = VGroup(*masked).copy()
        room_w = CONTENT_WIDTH - 0.9  # two grids and the gap between them
        room_h = config.frame_height - 1.9 - names[0].height
        # a few tokens' small grids grow to fill the frame
        size = min(GROW, room_w / (2 * stand_in.width), room_h / stand_in.height)
        stand_in.scale(size)
        free.scale(size)
        gap = max(0.9, max(name.width for name in names) + 0.4 - stand_in.width)
        pair = VGroup(stand_in, free).arrange(RIGHT, buff=gap, aligned_edge=UP)
        pair.to_edge(UP, buff=0.55 + names[0].height)
        for name, grid in zip(names, pair, strict=True):
            name.next_to(grid, UP, buff=0.3)
        shrink = stand_in.width / VGroup(*masked).width
        about = VGroup(*masked).get_center()
        return shrink, about, stand_in.get_center() - about

    def look_ahead_frames(self, board: Board, free: TokenGrid) -> list[VMobject]:
        """The query that looks ahead most, framed in both grids: one query, shown twice, its
        two frames staying to the end (the closing picture's)."""
        T = len(self.trace.tokens)
        q = int(lookup(self.trace, f"heads.{self.head}.ahead_query"))
        return [
            highlight(
                VGroup(frames(grid, [(q, j) for j in range(T)]), label), ROLE["Q"], stays=True
            )
            for grid, label in (
                (board.weights, board.scores.query_label(q)),
                (free, free.query_label(q)),
            )
        ]

    # -- cross-attention ----------------------------------------------------------------------

    def cross_grid(self) -> tuple[TokenGrid, MathTex]:
        """Cross-attention's weights beside their formula."""
        view = Convention.of(self.trace)
        grid = legible(
            TokenGrid(
                self.num, "weights", self.head, cell=grid_cell(self.trace), transpose=view.turned()
            )
        )
        formula = MathTex(view.tex("weights"), font_size=LABEL_SIZE * 1.1)
        grid_beside(grid, formula)
        return grid, formula

    def show_the_cross_weights(self) -> TokenGrid:
        """Cross-attention's weights: queries from one sentence, keys from the other."""
        grid, formula = self.cross_grid()
        self.play(
            Write(formula), Create(frames(grid)), FadeIn(grid.row_labels), FadeIn(grid.col_labels)
        )
        self.say("mask_cross")
        self.play(
            LaggedStart(*(FadeIn(v) for v in grid.values.values()), lag_ratio=0.02), run_time=1.0
        )
        self.hold(0.8)
        return grid

    def say_each_query_sees_everything(self) -> None:
        """No causal mask here: each query sees the whole other sentence."""
        self.say("mask_cross_whole")
        self.hold(1.5)

    @staticmethod
    def first_query_frame(grid: TokenGrid) -> VMobject:
        return highlight(VGroup(grid.query_line(0), grid.query_label(0)), ROLE["Q"])

    def frame_the_first_query(self, grid: TokenGrid) -> None:
        """Even the first query looks at every key."""
        self.say("mask_cross_first", ("tokens", 0))
        self.play(Create(self.first_query_frame(grid)))
        self.hold(2.0)
