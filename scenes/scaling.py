"""Scene 4 (T6, the step): every score divided by √d_k, the grid turning into the scaled one.

Why the division helps (the variance of q·k grows with d_k) is a later scene; this one shows
only what happens, with the trace's own √d_k. Similarities other than the scaled dot product
are not scaled (scaled == scores), and the scene says so instead of dividing.
"""

from __future__ import annotations

from dataclasses import dataclass

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    Create,
    FadeIn,
    FadeOut,
    Indicate,
    LaggedStart,
    MathTex,
    ReplacementTransform,
    TransformFromCopy,
    TransformMatchingShapes,
    VGroup,
    Write,
)

from scenes.kit.base import LessonScene
from scenes.kit.convention import DOT, Convention, score_formula
from scenes.kit.layout import grid_beside, grid_cell
from scenes.kit.style import LABEL_SIZE, NUMBER_SIZE, ROLE
from scenes.kit.widgets import TokenGrid, highlight

__all__ = ["Scaling"]


@dataclass
class Board:
    """What the beats hand on: the trace's similarity, the title and the formula it becomes,
    the panel (d_k, √d_k, one worked cell; empty when nothing is divided), and the two grids,
    the scaled one laid exactly over the scores."""

    similarity: str
    title: MathTex
    final: MathTex
    panel: VGroup
    scores: TokenGrid
    scaled: TokenGrid


class Scaling(LessonScene):
    map_step = "scaling"  # lit on the lesson map
    captions = {
        "scores": {
            "en": "The scores from the last step: every query against every key",
            "zh": "上一步得到的分数：每个查询对每个键",
            "ru": "Оценки из прошлого шага: каждый запрос с каждым ключом",
        },
        "size": {
            "en": "Queries and keys have this many entries each: the key size",
            "zh": "每个查询和键都有这么多个分量：这就是键的维度",
            "ru": "У каждого запроса и ключа столько компонент: это размерность ключа",
        },
        "root": {
            "en": "Every score will be divided by the square root of the key size",
            "zh": "每个分数都要除以键维度的平方根",
            "ru": "Каждую оценку разделим на квадратный корень из размерности ключа",
        },
        "one_cell": {
            "en": 'Query "{0}", key "{1}": the score divided by the root',
            "zh": "查询“{0}”、键“{1}”：分数除以这个平方根",
            "ru": "Запрос «{0}», ключ «{1}»: оценка, делённая на корень",
        },
        "every": {
            "en": "Every score is divided by the same number",
            "zh": "每个分数都除以同一个数",
            "ru": "Каждая оценка делится на одно и то же число",
        },
        "later": {
            "en": "Nothing changes order, the scores only move closer together; why, we see later",
            "zh": "大小顺序不变，分数只是彼此靠近了；为什么要这样做，稍后再讲",
            "ru": "Порядок не меняется, оценки лишь сближаются; зачем это нужно — позже",
        },
        "unscaled_dot": {
            "en": "Plain dot products here: nothing is divided, the scores go on as they are",
            "zh": "这里用的是普通点积：不做除法，分数原样传下去",
            "ru": "Здесь простое скалярное произведение: ничего не делим, оценки идут дальше",
        },
        "unscaled_cosine": {
            "en": "A cosine already lies between minus one and one: it is not scaled",
            "zh": "余弦本来就在负一到一之间：不需要缩放",
            "ru": "Косинус и так лежит между минус единицей и единицей: его не масштабируют",
        },
        "unscaled_additive": {
            "en": "Additive similarity is used as it is: nothing is divided",
            "zh": "加性相似度直接使用：不做除法",
            "ru": "Аддитивное сходство используется как есть: ничего не делим",
        },
    }

    def construct(self) -> None:
        """Every score divided by √d_k: the scores grid turns into the scaled one."""
        board = self.lay_out()
        self.show_the_scores(board)
        if board.similarity != "scaled_dot":  # any other similarity: scaled == scores
            self.nothing_to_divide(board)
            return
        self.key_size_and_its_root(board)
        self.divide_one_cell(board)
        self.divide_every_cell(board)
        self.order_is_unchanged(board)

    def lay_out(self) -> Board:
        """The scores grid with, beside it, a title that will become the scaled formula (and,
        for the scaled dot product, the panel of d_k, √d_k and one worked cell); the scaled
        grid exactly over the scores grid, so only the numbers will change."""
        view = Convention.of(self.trace)
        similarity = self.trace.config["similarity"]
        scaled_dot = similarity == "scaled_dot"
        size = LABEL_SIZE * 1.3
        title = (
            MathTex(view.tex("scores"), font_size=size)
            if similarity in DOT
            else score_formula(view, similarity)
        )  # a cosine is no Q·Kᵀ
        final = MathTex(view.tex("scaled"), font_size=size) if scaled_dot else title
        cell = grid_cell(self.trace)
        scores, scaled = (
            TokenGrid(
                self.num,
                field,
                self.head,
                cell=cell,
                shade=False,
                coloured=True,
                transpose=view.turned(),
            )
            for field in ("scores", "scaled")
        )
        panel = self.panel(f"heads.{self.head}", scores) if scaled_dot else VGroup()
        side = VGroup(final, panel).arrange(DOWN, buff=0.6) if scaled_dot else final
        grid_beside(scores, side)
        title.move_to(final)
        scaled.scale(scores.squares.width / scaled.squares.width)
        scaled.shift(scores.squares.get_center() - scaled.squares.get_center())
        return Board(similarity, title, final, panel, scores, scaled)

    def show_the_scores(self, board: Board) -> None:
        """The scores from the last step: every query against every key."""
        scores = board.scores
        self.play(
            Write(board.title),
            Create(VGroup(*(cell[0] for cell in scores.squares))),
            FadeIn(scores.row_labels),
            FadeIn(scores.col_labels),
        )
        self.play(
            LaggedStart(*(FadeIn(v) for v in scores.values.values()), lag_ratio=0.02), run_time=1.0
        )
        self.say("scores")
        self.wait(1.0)

    def nothing_to_divide(self, board: Board) -> None:
        """Not the scaled dot product: nothing is divided, the scaled scores are the scores."""
        unscaled = {
            "dot": "unscaled_dot",
            "cosine": "unscaled_cosine",
            "additive": "unscaled_additive",
        }
        self.say(unscaled[board.similarity])
        self.play(
            *(
                ReplacementTransform(board.scores.values[rc], board.scaled.values[rc])
                for rc in board.scores.values
            ),
            run_time=0.8,
        )
        self.wait(2.0)

    def key_size_and_its_root(self, board: Board) -> None:
        """d_k and its square root, the trace's own values: every score will be divided by it."""
        size_line, root_line, _ = board.panel
        self.say("size")
        self.play(FadeIn(size_line))
        self.wait(0.8)
        self.say("root")
        self.play(FadeIn(root_line), TransformMatchingShapes(board.title, board.final))
        self.wait(1.0)

    def divide_one_cell(self, board: Board) -> None:
        """One cell worked: its score, divided by the root, is its scaled score."""
        scores, (_, root_line, example) = board.scores, board.panel
        box = highlight(scores.cells[(0, 0)], ROLE["weights"])
        i, j = scores.index_of(0, 0)
        score, div, root, eq, result = example
        self.play(Create(box), TransformFromCopy(scores.values[(0, 0)], score))
        self.say("one_cell", ("tokens", i), ("key_tokens", j))
        self.play(FadeIn(div), TransformFromCopy(root_line[-1], root), FadeIn(eq))
        self.play(FadeIn(result, shift=RIGHT * 0.2))
        self.play(
            FadeOut(box), ReplacementTransform(scores.values[(0, 0)], board.scaled.values[(0, 0)])
        )
        self.wait(0.5)

    def divide_every_cell(self, board: Board) -> None:
        """Every other cell at once, by the same number."""
        rest = [rc for rc in board.scores.values if rc != (0, 0)]
        if not rest:  # a one-token sentence has no other cell
            return
        self.say("every")
        root_line = board.panel[1]
        self.play(Indicate(root_line[-1]), run_time=0.8)
        self.play(
            LaggedStart(
                *(
                    ReplacementTransform(board.scores.values[rc], board.scaled.values[rc])
                    for rc in rest
                ),
                lag_ratio=0.05,
            ),
            run_time=min(3.0, 0.5 + 0.05 * len(rest)),
        )
        self.wait(1.0)

    def order_is_unchanged(self, board: Board) -> None:
        """One query's scores, to read that their order has not changed: they only move closer
        together (why, a later scene)."""
        scores = board.scores
        line = highlight(VGroup(scores.query_line(0), scores.query_label(0)), ROLE["Q"])
        self.play(Create(line))
        self.say("later")
        self.wait(2.5)
        self.play(FadeOut(line))

    def panel(self, h: str, grid: TokenGrid) -> VGroup:
        """``d_k = n``, ``÷ √d_k = ÷ r`` and one worked cell ``s ÷ r = s'``, left-aligned."""
        size = NUMBER_SIZE * 1.3
        size_line = VGroup(MathTex("d_k =", font_size=size), self.num.dim("d_k", font_size=size))
        # √d_k at the lesson's precision (dim() would round it to an integer)
        root_line = VGroup(
            MathTex(r"\div \sqrt{d_k} = \div", font_size=size),
            self.num.value("dims.sqrt_d_k", font_size=size, coloured=False),
        )
        i, j = grid.index_of(0, 0)
        example = VGroup(
            self.num.value(f"{h}.scores", i, j, font_size=size),
            MathTex(r"\div", font_size=size),
            self.num.value("dims.sqrt_d_k", font_size=size, coloured=False),
            MathTex("=", font_size=size),
            self.num.value(f"{h}.scaled", i, j, font_size=size),
        )
        for line in (size_line, root_line, example):
            line.arrange(RIGHT, buff=0.15)
        return VGroup(size_line, root_line, example).arrange(DOWN, aligned_edge=LEFT, buff=0.5)
