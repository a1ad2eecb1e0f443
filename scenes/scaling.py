"""Scene 4 (T6, the step): every score divided by √d_k, the grid turning into the scaled one,
and one query's scores before and after on two number lines of one scale: closer together.

It opens on Scores' closing picture (the grid, the formula, the followed query's scores on a
number line: scenes/scores.py ``ScoreBoard``) and keeps it. Why the division helps (the
variance of q·k grows with d_k) is the next scene; this one shows only what happens, with the
trace's own √d_k. Similarities other than the scaled dot product are not scaled (scaled ==
scores), and the scene says so instead of dividing.
"""

from __future__ import annotations

from dataclasses import dataclass

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    AnimationGroup,
    Create,
    FadeIn,
    FadeOut,
    Indicate,
    LaggedStart,
    Line,
    MathTex,
    TransformFromCopy,
    VGroup,
)

from scenes.kit.base import LessonScene
from scenes.kit.convention import Convention
from scenes.kit.matching import MatchingShapes
from scenes.kit.picture import signature
from scenes.kit.score_board import LINE_Y, SIDE, ZERO_REACH, ScoreBoard
from scenes.kit.style import FRAME_LINE, LABEL_SIZE, NUMBER_SIZE, ROLE
from scenes.kit.widgets import TokenGrid, highlight

__all__ = ["Scaling"]


@dataclass
class Board:
    """What the beats hand on: the trace's similarity; Scores' picture (``scores``) and the
    same picture over the scaled grid (``scaled``); the title and the formula it becomes; the
    panel (d_k, √d_k, one worked cell) and the second number line with its marks and their
    paths from the first (all empty when nothing is divided)."""

    similarity: str
    scores: ScoreBoard
    scaled: ScoreBoard
    title: MathTex
    final: MathTex
    panel: VGroup
    line: VGroup  # axis, name, marks, paths


class Scaling(LessonScene):
    map_step = "scaling"  # lit on the lesson map
    # said in place of the worked cell's caption: its division, in numbers
    narration = {
        "one_cell": {
            "en": 'Query "{0}", key "{1}": the score {score}, divided by {root}, gives {scaled}',
            "zh": "查询“{0}”、键“{1}”：分数 {score} 除以 {root}，得到 {scaled}",
            "ru": "Запрос «{0}», ключ «{1}»: оценка {score}, делённая на {root}, даёт {scaled}",
        },
    }
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
        "closer_line": {
            "en": 'Below, the scores of "{0}" divided by the root, on the same scale',
            "zh": "下面是“{0}”的分数除以平方根之后，用同一个刻度",
            "ru": "Ниже — оценки «{0}», делённые на корень, в том же масштабе",
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
        """Every score divided by √d_k: the grid turns into the scaled one, and one query's
        scores move closer together on a number line."""
        board = self.lay_out()
        self.open_on_the_scores(board)
        if board.similarity == "scaled_dot":
            self.key_size_and_its_root(board)
            self.divide_one_cell(board)
            self.divide_every_cell(board)
            self.closer_on_the_line(board)
        else:  # any other similarity: scaled == scores
            self.nothing_to_divide(board)
        self.end_on(self.closing_picture())

    def closing_picture(self) -> VGroup:
        """The scaled grid, the formula (and panel), the followed query's scores on a line and,
        when divided, its scaled scores on a second line of the same scale."""
        board = self.lay_out()
        # the panel takes the place of the grid's name and shape; undivided, they stay
        named = board.panel if board.similarity == "scaled_dot" else board.scaled.shape
        return VGroup(
            board.scaled.grid,
            board.final,
            named,
            board.scaled.frame,
            board.scaled.line,
            board.line,
        )

    def lay_out(self) -> Board:
        """Scores' picture, the same over the scaled grid, and in the column beside it a title
        that becomes the scaled formula, the panel of d_k, √d_k and one worked cell, and the
        second number line (for the scaled dot product)."""
        view = Convention.of(self.trace)
        similarity = self.trace.config["similarity"]
        scores = ScoreBoard(self.num, self.trace, self.head)
        scaled = ScoreBoard(self.num, self.trace, self.head, "scaled")
        size = LABEL_SIZE * 1.3
        if similarity != "scaled_dot":  # nothing divided: Scores' picture stays as it is
            formula = scaled.formula
            return Board(similarity, scores, scaled, formula, formula, VGroup(), VGroup())
        title = MathTex(view.tex("scores"), font_size=size)
        final = MathTex(view.tex("scaled"), font_size=size)
        final.move_to([scores.x, scores.top - final.height / 2, 0])
        title.move_to(final)
        panel = self.panel(f"heads.{self.head}", scores)
        panel.next_to(final, DOWN, buff=0.45).align_to(scores.label, LEFT)
        return Board(similarity, scores, scaled, title, final, panel, self.second_line(scores))

    def second_line(self, board: ScoreBoard) -> VGroup:
        """The followed query's scaled scores on a line of the same scale below its scores,
        each joined to its score by a thin path: every one moves toward zero."""
        axis = board.number_line(LINE_Y[1])
        name = MathTex(r"\div\sqrt{d_k}", font_size=NUMBER_SIZE * 1.2)
        name.next_to(axis, LEFT, buff=0.3)
        marks = board.marks_on(axis, f"heads.{self.head}.scaled")
        paths = VGroup(
            *(
                Line(a.get_center(), b.get_center(), color=FRAME_LINE, stroke_width=2)
                for a, b in zip(board.marks, marks, strict=True)
            )
        )
        zero = board.zero_guide(LINE_Y[0] - ZERO_REACH, LINE_Y[1] - ZERO_REACH)
        return VGroup(axis, name, zero, paths, marks)

    def open_on_the_scores(self, board: Board) -> None:
        """Scores' last picture, kept as it is (rebuilt the same, swapped in unseen); the
        formula of one score gives way to the matrix's name."""
        opening, shown = self.take_opening(), board.scores.picture()
        if signature([opening]) == signature([shown]):
            self.remove(opening)
            self.add(shown)
        else:  # opened after another scene, or Scores' picture changed: a crossfade
            self.play(FadeOut(opening), FadeIn(shown))
        self.say("scores")
        if board.similarity == "scaled_dot":  # the panel will take the shape's place
            self.play(FadeOut(board.scores.formula, board.scores.shape), FadeIn(board.title))
        self.wait(1.0)

    def nothing_to_divide(self, board: Board) -> None:
        """Not the scaled dot product: nothing is divided, the scaled scores are the scores
        (the same digits in the same places: swapped in unseen)."""
        before, after = board.scores.grid.values, board.scaled.grid.values
        self.remove(*before.values())
        self.add(*after.values())
        unscaled = {
            "dot": "unscaled_dot",
            "cosine": "unscaled_cosine",
            "additive": "unscaled_additive",
        }
        self.say(unscaled[board.similarity])
        self.wait(2.0)

    def key_size_and_its_root(self, board: Board) -> None:
        """d_k and its square root, the trace's own values: every score will be divided by it."""
        size_line, root_line, _ = board.panel
        self.say("size")
        self.play(FadeIn(size_line))
        self.wait(0.8)
        self.say("root")
        self.play(FadeIn(root_line), MatchingShapes(board.title, board.final))
        self.wait(1.0)

    def divide_one_cell(self, board: Board) -> None:
        """One cell of the followed query worked: its score, divided by the root, is its scaled
        score, which takes the score's place (a crossfade: digits never morph)."""
        grid, (_, root_line, example) = board.scores.grid, board.panel
        i = board.scores.focus
        cell = grid.cell_at(i, 0)
        box = highlight(cell, ROLE["weights"])
        score, div, root, eq, result = example
        self.play(Create(box), FadeIn(score))
        h = f"heads.{self.head}"
        self.say(
            "one_cell",
            ("tokens", i),
            ("key_tokens", 0),
            numbers={
                "score": (f"{h}.scores", (i, 0)),
                "root": ("dims.sqrt_d_k", ()),
                "scaled": (f"{h}.scaled", (i, 0)),
            },
        )
        self.play(FadeIn(div), TransformFromCopy(root_line[-1], root), FadeIn(eq))
        self.play(FadeIn(result, shift=RIGHT * 0.2))
        self.play(FadeOut(box), *self.crossfade(board, [place(grid, i, 0)]))
        self.wait(0.5)

    def divide_every_cell(self, board: Board) -> None:
        """Every other cell at once, by the same number."""
        worked = place(board.scores.grid, board.scores.focus, 0)
        rest = [rc for rc in board.scores.grid.values if rc != worked]
        if not rest:  # a one-token sentence has no other cell
            return
        self.say("every")
        self.play(Indicate(board.panel[1][-1]), run_time=0.8)
        self.play(
            LaggedStart(*self.crossfade(board, rest), lag_ratio=0.05),
            run_time=min(3.0, 0.5 + 0.05 * len(rest)),
        )
        self.wait(1.0)

    def closer_on_the_line(self, board: Board) -> None:
        """The followed query's scaled scores on a second line of the same scale: each score
        travels down to its scaled value, nearer zero. The caption says they only move closer
        together while both lines are on screen."""
        axis, name, zero, paths, marks = board.line
        focus = ("tokens", board.scores.focus)
        self.say("closer_line", focus)
        self.play(Create(axis), FadeIn(name), Create(zero))
        self.play(
            *(TransformFromCopy(a, b) for a, b in zip(board.scores.marks, marks, strict=True)),
            *(Create(p) for p in paths),
            run_time=1.5,
        )
        self.say("later")
        self.hold()

    @staticmethod
    def crossfade(board: Board, cells) -> list[AnimationGroup]:
        """Each score fades out as its scaled value fades in, in its place."""
        before, after = board.scores.grid.values, board.scaled.grid.values
        return [AnimationGroup(FadeOut(before[rc]), FadeIn(after[rc])) for rc in cells]

    def panel(self, h: str, board: ScoreBoard) -> VGroup:
        """``d_k = n``, ``÷ √d_k = ÷ r`` and the followed query's first cell worked,
        ``s ÷ r = s'``, left-aligned."""
        size = NUMBER_SIZE * 1.3
        size_line = VGroup(MathTex("d_k =", font_size=size), self.num.dim("d_k", font_size=size))
        # √d_k at the lesson's precision (dim() would round it to an integer)
        root_line = VGroup(
            MathTex(r"\div \sqrt{d_k} = \div", font_size=size),
            self.num.value("dims.sqrt_d_k", font_size=size, coloured=False),
        )
        i = board.focus
        example = VGroup(
            self.num.value(f"{h}.scores", i, 0, font_size=size),
            MathTex(r"\div", font_size=size),
            self.num.value("dims.sqrt_d_k", font_size=size, coloured=False),
            self.num.relation(
                terms=[(f"{h}.scores", (i, 0)), ("dims.sqrt_d_k", ())],
                total=(f"{h}.scaled", (i, 0)),
                how="quotient",
                font_size=size,
            ),
            self.num.value(f"{h}.scaled", i, 0, font_size=size),
        )
        for line in (size_line, root_line, example):
            line.arrange(RIGHT, buff=0.15)
        panel = VGroup(size_line, root_line, example).arrange(DOWN, aligned_edge=LEFT, buff=0.4)
        return panel.scale(min(1.0, (SIDE - 0.2) / panel.width))


def place(grid: TokenGrid, i: int, j: int) -> tuple[int, int]:
    """Where the cell of query ``i`` and key ``j`` is displayed (turned in columns)."""
    return (j, i) if grid.transpose else (i, j)
