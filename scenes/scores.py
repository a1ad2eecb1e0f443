"""Scene 3 (T5): the scores, every query against every key: one q·k worked as a dot product,
then all of them at once as Q·Kᵀ, then the same numbers as a grid labelled by tokens, and one
query's scores as marks on a number line.

In the column-vector convention the product is Kᵀ·Q = A (S × T): keys on the rows. The grid,
the formula and the number line (``ScoreBoard``) are the picture Scaling opens on.
"""

from __future__ import annotations

from dataclasses import dataclass

from manim import (
    DOWN,
    UP,
    Create,
    FadeIn,
    FadeOut,
    LaggedStart,
    MathTex,
    ReplacementTransform,
    VGroup,
    config,
)

from qkv import lookup
from scenes.kit.base import LessonScene
from scenes.kit.convention import DOT, Convention, score_formula
from scenes.kit.product import MatrixProduct, fill_rest, work_entry, written_sum
from scenes.kit.score_board import ScoreBoard
from scenes.kit.style import ROLE
from scenes.kit.widgets import (
    TokenGrid,
    TraceMatrix,
    elided,
    highlight,
)

__all__ = ["Scores"]

# The name over the product's result: the paper writes Q·Kᵀ, seed 001 calls Kᵀ·Q "A".
_RESULT = (r"Q\,K^{\top}", "A")


@dataclass
class Board:
    """What the beats hand on: the score formula (it leaves for the grid's column), the trace's
    similarity, and Q·Kᵀ once it is on screen (only for a dot product)."""

    formula: MathTex
    similarity: str
    product: MatrixProduct | None = None


class Scores(LessonScene):
    map_step = "scores"  # lit on the lesson map
    # said in place of the first score's caption: what the score comes to
    narration = {
        "one_score": {
            "en": 'Query "{0}" against key "{1}": multiply term by term, then add. '
            "The score is {value}",
            "zh": "查询“{0}”对键“{1}”：逐项相乘，再相加，分数是 {value}",
            "ru": "Запрос «{0}» и ключ «{1}»: перемножаем по слагаемым и складываем. "
            "Оценка равна {value}",
        },
    }
    captions = {
        "question": {
            "en": "Each query asks every key: how well do we match?",
            "zh": "每个查询都去问每个键：我们有多匹配？",
            "ru": "Каждый запрос спрашивает каждый ключ: насколько мы подходим друг другу?",
        },
        "keys_rows": {
            "en": "The keys are turned on their side: each column is one key",
            "zh": "把键矩阵转置过来：每一列是一个键",
            "ru": "Матрицу ключей переворачиваем: каждый столбец — один ключ",
        },
        "keys_columns": {
            "en": "The keys are turned on their side: each row is one key",
            "zh": "把键矩阵转置过来：每一行是一个键",
            "ru": "Матрицу ключей переворачиваем: каждая строка — один ключ",
        },
        "one_score": {
            "en": 'Query "{0}" against key "{1}": multiply term by term, then add',
            "zh": "查询“{0}”对键“{1}”：逐项相乘，再相加",
            "ru": "Запрос «{0}» и ключ «{1}»: перемножаем по слагаемым и складываем",
        },
        "next_key": {
            "en": 'The same query against the next key, "{1}"',
            "zh": "同一个查询，对下一个键“{1}”",
            "ru": "Тот же запрос и следующий ключ, «{1}»",
        },
        "all_scores": {
            "en": "Every query against every key: all the scores are one matrix product",
            "zh": "每个查询对每个键：所有分数就是一次矩阵乘法",
            "ru": "Каждый запрос с каждым ключом: все оценки — одно умножение матриц",
        },
        "grid_rows": {
            "en": "The same scores as a grid: a row per query token, a column per key token",
            "zh": "同样的分数排成表格：每行是一个查询词元，每列是一个键词元",
            "ru": "Те же оценки в таблице: строка — токен запроса, столбец — токен ключа",
        },
        "grid_columns": {
            "en": "The same scores as a grid: a column per query token, a row per key token",
            "zh": "同样的分数排成表格：每列是一个查询词元，每行是一个键词元",
            "ru": "Те же оценки в таблице: столбец — токен запроса, строка — токен ключа",
        },
        "bigger": {
            "en": "A score is big when query and key point alike and are long",
            "zh": "查询和键方向越一致、长度越大，分数就越大",
            "ru": "Оценка велика, когда запрос и ключ сонаправлены и длинны",
        },
        "line": {
            "en": 'The scores of query "{0}" as marks on a number line',
            "zh": "查询“{0}”的分数，画成数轴上的点",
            "ru": "Оценки запроса «{0}» — точки на числовой прямой",
        },
        "best": {
            "en": 'For the query "{0}", the key "{1}" has the highest score',
            "zh": "对查询“{0}”来说，键“{1}”的分数最高",
            "ru": "У запроса «{0}» самая высокая оценка — с ключом «{1}»",
        },
        "best_tie": {
            "en": 'The highest score of "{0}" is a tie: the framed keys show the same number',
            "zh": "“{0}”的最高分是并列的：框出的几个键显示同一个数",
            "ru": "Наивысшая оценка запроса «{0}» — ничья: у выделенных ключей одно и то же число",
        },
        "not_dot_cosine": {
            "en": "Here similarity is the cosine: the dot product of the directions alone",
            "zh": "这里的相似度是余弦：只比较方向的点积",
            "ru": "Здесь сходство — косинус: скалярное произведение одних направлений",
        },
        "not_dot_additive": {
            "en": "Here similarity is additive: a small learned network scores each pair",
            "zh": "这里的相似度是加性的：由一个学出来的小网络给每一对打分",
            "ru": "Здесь сходство аддитивное: каждую пару оценивает маленькая обучаемая сеть",
        },
    }

    def construct(self) -> None:
        """One score worked as q·k, all of Q·Kᵀ at once, the same numbers as a token grid, and
        one query's scores on a number line."""
        board = self.what_one_score_is()
        if board.similarity in DOT:
            board.product = self.queries_beside_keys_turned(board)
            done = self.show_one_dot_product(board)
            self.fill_all_scores(board, done)
        else:
            self.name_the_similarity(board)
        picture = ScoreBoard(self.num, self.trace, self.head)
        self.scores_as_a_grid(board, picture)
        self.bigger_means_more_alike()
        self.one_query_on_a_line(picture)
        self.its_highest_score(picture)
        self.end_on(self.closing_picture())

    def closing_picture(self) -> VGroup:
        """The grid; beside it the formula, the matrix's name and shape, and the followed
        query's scores on a number line."""
        return ScoreBoard(self.num, self.trace, self.head).picture()

    def what_one_score_is(self) -> Board:
        """A score is one query's vector against one key's: the formula of one entry."""
        similarity = self.trace.config["similarity"]
        formula = score_formula(Convention.of(self.trace), similarity).to_edge(UP, buff=0.3)
        self.play(FadeIn(formula))  # a crossfade with the scene before's formula, not a rewrite
        self.say("question")
        return Board(formula, similarity)

    def queries_beside_keys_turned(self, board: Board) -> MatrixProduct:
        """Q and Kᵀ (or Kᵀ and Q) side by side: the keys turned on their side."""
        product = self.product(below=board.formula)
        self.play(FadeIn(product.factor(0)), FadeIn(product.factor(1)))
        self.say("keys_columns" if Convention.of(self.trace).columns else "keys_rows")
        self.wait(0.8)
        self.play(FadeIn(product.shell()))
        return product

    def show_one_dot_product(self, board: Board) -> set[tuple[int, int]]:
        """One score counted up through its real partial sums, then the same query against the
        next key; returns the entries worked."""
        product, first = board.product, (0, 0)
        score = (f"heads.{self.head}.scores", product.result.index_of(*first))
        self.say("one_score", *self.refs(product, *first), numbers={"value": score})
        self.count_up_score(product, first, run_time=3.0)
        done = {first}
        second = self.next_key(product)
        if second is not None:
            self.say("next_key", *self.refs(product, *second))
            self.count_up_score(product, second, run_time=1.5)
            done.add(second)
        return done

    def fill_all_scores(self, board: Board, done: set[tuple[int, int]]) -> None:
        """All of Q·Kᵀ at once: every query against every key is one matrix product."""
        product = board.product
        self.say("all_scores")
        if len(done) < len(product.result.entries):  # one token: nothing else to fill
            rows = len(product.result.row_ids)
            fill_rest(self, product, done, run_time=min(2.5, 0.25 * rows + 0.8))
        self.wait(1.0)

    def name_the_similarity(self, board: Board) -> None:
        """No dot product to work: the scene names the similarity instead."""
        self.say({"cosine": "not_dot_cosine", "additive": "not_dot_additive"}[board.similarity])
        self.wait(1.5)

    def scores_as_a_grid(self, board: Board, picture: ScoreBoard) -> None:
        """The same numbers as a grid of tokens: row = query, column = key (turned in columns).
        The formula fades at the top and comes back beside the grid: it never flies across."""
        grid = picture.grid
        frame = (
            FadeIn(grid.row_labels),
            FadeIn(grid.col_labels),
            FadeIn(picture.formula),
            FadeIn(picture.shape),
        )
        if board.product is not None:  # the computed scores fly into their cells
            self.into_grid(board.product, grid, board.formula, frame)
        else:
            self.play(FadeOut(board.formula), Create(grid.squares), *frame)
        view = Convention.of(self.trace)
        self.say("grid_columns" if view.columns else "grid_rows")
        self.wait(1.5)

    def bigger_means_more_alike(self) -> None:
        """A bigger score means more alike; random weights make a meaningless grid."""
        self.say("bigger")
        self.hold()
        if self.random_weights:  # the lesson's first pattern of this layer
            self.say("random_weights")
            self.hold()

    def one_query_on_a_line(self, picture: ScoreBoard) -> None:
        """The followed query's row framed, its scores as marks on a number line."""
        self.say("line", ("tokens", picture.focus))
        self.play(
            Create(picture.frame), Create(picture.axis), FadeIn(picture.zero), FadeIn(picture.label)
        )
        self.play(LaggedStart(*(FadeIn(m, scale=2) for m in picture.marks), lag_ratio=0.15))
        self.wait(1.0)

    def its_highest_score(self, picture: ScoreBoard) -> None:
        """The top score of the followed query (or its tie), as the grid shows it: only for
        softmax, whose largest weight is the top score."""
        if self.trace.config["normaliser"] != "softmax":
            return
        grid, i = picture.grid, picture.focus
        j = int(lookup(self.trace, f"heads.{self.head}.top_key", (i,)))
        tops = grid.shown_alike(i, j)
        tie = len(tops) > 1  # the tied cells are framed together and leave together
        boxes = [
            *(highlight(grid.cell_at(i, k), ROLE["weights"], stays=tie) for k in tops),
            *(highlight(grid.key_label(k), ROLE["K"], stays=tie) for k in tops),
        ]
        self.play(*(Create(b) for b in boxes))
        if tie:
            self.say("best_tie", ("tokens", i))
        else:
            self.say("best", ("tokens", i), ("key_tokens", j))
        self.hold()
        self.play(*(FadeOut(b) for b in boxes))

    def count_up_score(
        self, product: MatrixProduct, entry: tuple[int, int], *, run_time: float
    ) -> None:
        """One q·k added up term by term: the query's line framed in its colour, the key's in
        its own."""
        h = f"heads.{self.head}"
        terms, partial = f"{h}.scores_terms", f"{h}.scores_partial"
        index = product.result.index_of(*entry)
        shown = elided(self.num.shape(terms)[-1], 8)
        written = written_sum(self.num, terms, partial, index, shown)
        colours = Convention.of(self.trace).factors(ROLE["Q"], ROLE["K"])
        work_entry(self, product, entry, written, colours, partial=partial, run_time=run_time)

    def product(self, *, below) -> MatrixProduct:
        """Q·Kᵀ = scores (or Kᵀ·Q = A), the query tokens beside Q, under ``below``."""
        view = Convention.of(self.trace)
        h = f"heads.{self.head}"
        # 12 tokens: fewer shown key columns keep the numbers large enough to read
        cols = 8 if len(self.trace.key_tokens) <= 8 else 6
        q = TraceMatrix(
            self.num, f"{h}.Q", role="Q", transpose=view.turned(), dims=("T", "d_k"), max_cols=cols
        )
        k = TraceMatrix(
            self.num,
            f"{h}.K",
            role="K",
            transpose=view.turned(True),
            dims=("S", "d_k"),
            max_cols=cols,
        )
        scores = TraceMatrix(
            self.num,
            f"{h}.scores",
            role="weights",
            transpose=view.turned(),
            dims=("T", "S"),
            max_cols=cols,
        )
        product = MatrixProduct.written(
            self.num,
            view,
            q,
            k,
            scores,
            ("Q", r"K^{\top}", _RESULT[view.columns]),
            ("Q", "K", "weights"),
            tokens=("tokens", q),
            height=config.frame_height - 2.7,
        )
        product.next_to(below, DOWN, buff=0.3)
        return product

    @staticmethod
    def refs(product: MatrixProduct, r: int, c: int) -> tuple[tuple[str, int], ...]:
        """The query and key tokens of the result entry displayed at (r, c), for a caption."""
        i, j = product.result.index_of(r, c)
        return ("tokens", i), ("key_tokens", j)

    @staticmethod
    def next_key(product: MatrixProduct) -> tuple[int, int] | None:
        """The entry of the first query and the second key, if there is a second key."""
        result = product.result
        along = result.row_ids if result.transpose else result.col_ids
        if len(along) < 2 or along[1] is None:
            return None
        return (along[1], 0) if result.transpose else (0, along[1])

    def into_grid(self, product: MatrixProduct, grid: TokenGrid, formula, also) -> None:
        """Each computed score flies to its cell of the grid once the rest of the product (and
        the formula over it) has left, so nothing crosses a number that stays."""
        moved = product.result.entries
        fresh = [v for rc, v in grid.values.items() if rc not in moved]  # elided in the product
        self.play(FadeOut(product.shell()), FadeOut(formula), run_time=0.6)
        self.play(
            *(ReplacementTransform(m, grid.values[rc]) for rc, m in moved.items()), run_time=1.0
        )
        self.play(
            Create(VGroup(*(cell[0] for cell in grid.squares))),
            FadeIn(VGroup(*fresh)),
            *also,
            run_time=1.0,
        )
