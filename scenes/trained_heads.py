"""Part 2: what trained heads do with the lesson's sentence (all-MiniLM-L6-v2, 6 × 12 heads).

The lesson so far followed one layer whose weights were seeded at random (or written by hand),
so its patterns meant nothing. Here the same sentence goes through a pretrained model, the
study ``trained`` of qkv/studies/trained_heads.py: its word pieces ([CLS] ... [SEP]; a sentence
of more pieces than a frame shows is cut to the first ones, and the frame says so), every
layer's heads as small shaded patterns (cell opacity from the weight as in the lesson's grids,
0.9·√w, in 32 shades), then, for each habit the core measures (previous piece, next piece,
the added end pieces, spreading evenly), the head that shows it most, enlarged, with the cells
its measure averages framed and the measure itself as a number and a bar. For a minilm lesson
the layer it opened is framed in the grid and the head it followed is enlarged first. The scene
reads the study's numbers only; the habits' names say no more than their measures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    WHITE,
    Arrow,
    Create,
    FadeIn,
    FadeOut,
    LaggedStart,
    Rectangle,
    ReplacementTransform,
    Square,
    SurroundingRectangle,
    Text,
    VGroup,
    VMobject,
    config,
)

from qkv import lookup, lookup_array
from qkv.derived import lookup_text
from qkv.studies.trained_heads import ENDS, HABITS
from scenes.kit.base import LessonScene
from scenes.kit.layout import CAPTION_TOP, CONTENT_WIDTH, FRAME_TOP, MARGIN
from scenes.kit.provenance import TraceNumber
from scenes.kit.style import FONT, FRAME_LINE, LABEL_SIZE, MUTED, ROLE
from scenes.kit.widgets import fit, fit_in_slots, highlight, in_reading_order, stagger

__all__ = ["TrainedHeads"]

SIDE = "trained.tokens"  # the study's word pieces
FOCUS = ROLE["Q"]  # the frame round the head enlarged
# the cells a measure averages: white, which shows on bright cells as on dark ones
FRAMED = WHITE
OWN = ROLE["learned"]  # the frame round the lesson's own layer (a minilm lesson)
MINI_GAP = 0.1  # between the small patterns of the grid
BAR_WIDTH = 3.0  # a measure's bar at its largest possible value, 1
# A number's digits drawn as tall as a label's (LaTeX digits are smaller at one font size).
DIGITS = 1.45
NUMBER_BIG = LABEL_SIZE * DIGITS
PANEL_WIDTH = CONTENT_WIDTH * 0.44  # the grid's width once moved aside, and its panel's
# The label under each habit's head, saying what its number measures.
MEASURE = {
    "previous": "measure_previous",
    "next": "measure_next",
    "ends": "measure_ends",
    "broad": "measure_broad",
}
HABIT_TIME = 6.0  # seconds each enlarged head stays, at least
LEVELS = 32  # shades of a small pattern's cells
# Reading time of a caption: characters per second (Chinese fewer), and at least this long.


def shade(weight: float) -> float:
    """A cell's fill opacity for a weight, the lesson's heat-map look (scenes/kit TokenGrid):
    the square root, so that small weights stay visible."""
    return 0.9 * min(max(weight, 0.0), 1.0) ** 0.5


@dataclass
class Board:
    """What the beats hand on: the study's size, the grid of small patterns, and what stays
    on screen from one enlarged head to the next."""

    count: int  # word pieces shown
    cut: bool  # the sentence has more pieces than the study shows
    grid: VGroup | None = None  # the small patterns with the axis names
    minis: list[list[VGroup]] = field(default_factory=list)  # [layer][head]: frame, cells
    axes: VGroup = field(default_factory=VGroup)  # the axis names of the full-frame grid
    own: VMobject | None = None  # the frame round the lesson's layer (minilm lesson)
    shown: list[VMobject] = field(default_factory=list)  # the enlarged head on screen
    region: tuple[float, float] = (0.0, 0.0)  # x range free for the enlarged head


class TrainedHeads(LessonScene):
    captions = {
        "trained_intro_seeded": {
            "en": "So far the weights were random. Here is the same sentence in a trained model",
            "zh": "到目前为止权重都是随机的。现在看同一个句子进入训练好的模型",
            "ru": "До сих пор веса были случайными. Теперь то же предложение в обученной модели",
        },
        "trained_intro_explicit": {
            "en": "So far the weights were set by hand. Here is the same sentence in a trained "
            "model",
            "zh": "到目前为止权重都是手工给定的。现在看同一个句子进入训练好的模型",
            "ru": "До сих пор веса задавались вручную. Теперь то же предложение в обученной модели",
        },
        "trained_intro_minilm": {
            "en": "Now the same sentence through every layer and head of the trained model",
            "zh": "现在看同一个句子经过这个训练好的模型的每一层、每个头",
            "ru": "Теперь то же предложение через все слои и головы обученной модели",
        },
        "trained_pieces": {
            "en": "The model reads word pieces, and adds {0} at the start and {1} at the end",
            "zh": "模型读的是词片，并在开头加上 {0}，在结尾加上 {1}",
            "ru": "Модель читает части слов и добавляет {0} в начало и {1} в конец",
        },
        "trained_pieces_cut": {
            "en": "The model reads word pieces, from {0} on; here they are more than fit",
            "zh": "模型读的是词片，从 {0} 开始；这里的词片多得放不下",
            "ru": "Модель читает части слов, начиная с {0}; здесь их больше, чем помещается",
        },
        "trained_unknown": {
            "en": "{0} stands for a character the model's vocabulary lacks",
            "zh": "{0} 代表模型词表里没有的字",
            "ru": "{0} обозначает знак, которого нет в словаре модели",
        },
        "trained_grid": {
            "en": "Each small square is one head's attention weights, shaded like the lesson's "
            "grids",
            "zh": "每个小方块是一个头的注意力权重，涂色方式和前面的网格一样",
            "ru": "Каждый квадратик — веса внимания одной головы, закрашенные как сетки урока",
        },
        "trained_grid_all": {
            "en": "Every head of every layer, each with a pattern of its own",
            "zh": "每一层的每一个头，各有各的模式",
            "ru": "Все головы всех слоёв, у каждой свой узор",
        },
        "trained_own": {
            "en": "The lesson opened the framed layer and followed this head; the others are new",
            "zh": "本课打开的是框出的那一层，跟随的是这个头；其余的都是新的",
            "ru": "Урок раскрыл выделенный слой и следил за этой головой; остальные — новые",
        },
        "trained_previous": {
            "en": "Of all the heads, this one looks most at the previous piece",
            "zh": "在所有头中，这个头最关注前一个词片",
            "ru": "Из всех голов эта больше всех смотрит на предыдущую часть",
        },
        "trained_next": {
            "en": "Of all the heads, this one looks most at the next piece",
            "zh": "在所有头中，这个头最关注后一个词片",
            "ru": "Из всех голов эта больше всех смотрит на следующую часть",
        },
        "trained_ends": {
            "en": "Of all the heads, this one looks most at {0} and {1}",
            "zh": "在所有头中，这个头最关注 {0} 和 {1}",
            "ru": "Из всех голов эта больше всех смотрит на {0} и {1}",
        },
        "trained_ends_one": {
            "en": "Of all the heads, this one looks most at {0}",
            "zh": "在所有头中，这个头最关注 {0}",
            "ru": "Из всех голов эта больше всех смотрит на {0}",
        },
        "trained_broad": {
            "en": "Of all the heads, this one spreads its weight most evenly",
            "zh": "在所有头中，这个头的权重分得最均匀",
            "ru": "Из всех голов эта распределяет вес равномернее всех",
        },
        "trained_outro": {
            "en": "A layer runs all its heads side by side; next, how their outputs combine",
            "zh": "一层里的所有头并排运行；接下来看它们的输出怎样合在一起",
            "ru": "Слой запускает все головы рядом; дальше — как объединяются их выходы",
        },
    }
    # Words on the frame (Text, not captions); {0}, {1} are numbers of the study.
    labels = {
        "layers": {"en": "layers", "zh": "层", "ru": "слои"},
        "heads": {"en": "heads", "zh": "头", "ru": "головы"},
        "layer": {"en": "layer", "zh": "层", "ru": "слой"},
        "head": {"en": "head", "zh": "头", "ru": "голова"},
        "own_head": {
            "en": "the lesson's layer and head",
            "zh": "本课的层和头",
            "ru": "слой и голова урока",
        },
        "cut": {
            "en": "the first {0} of {1} word pieces",
            "zh": "共 {1} 个词片，这里是前 {0} 个",
            "ru": "первые {0} из {1} частей слов",
        },
        "measure_previous": {
            "en": "average weight on the previous piece (framed)",
            "zh": "前一个词片（框出）的平均权重",
            "ru": "средний вес предыдущей части (в рамках)",
        },
        "measure_next": {
            "en": "average weight on the next piece (framed)",
            "zh": "后一个词片（框出）的平均权重",
            "ru": "средний вес следующей части (в рамках)",
        },
        "measure_ends": {
            "en": "average weight on the framed pieces",
            "zh": "框出的词片得到的平均权重",
            "ru": "средний вес выделенных частей",
        },
        "measure_broad": {
            "en": "how evenly each piece spreads its weight\n(full bar: over all pieces alike)",
            "zh": "每个词片的权重分得多均匀\n（满格：所有词片完全一样）",
            "ru": "насколько равномерно часть распределяет вес\n"
            "(полная шкала: на все части поровну)",
        },
    }

    def construct(self) -> None:
        board = self.set_up()
        self.introduce()
        pieces = self.show_the_pieces(board)
        self.name_unknown_pieces(board)
        self.show_every_head(board, pieces)
        self.make_room(board)
        if self.minilm:
            self.compare_the_lessons_layer(board)
        for k, habit in enumerate(HABITS):
            self.enlarge_a_habit(board, k, habit)
        self.close(board)
        self.end_on(self.closing_picture())

    def closing_picture(self) -> VGroup:
        """Every layer's heads as small patterns, each layer's row framed: a layer runs its
        heads side by side (the next scene combines them)."""
        board = self.set_up()
        self.lay_out_grid(board)
        frames = VGroup(
            *(
                highlight(row, FOCUS, buff=0.025, stroke_width=2, stays=True)
                for row in board.grid[0]
            )
        )
        return VGroup(board.grid, frames)

    # --- beats -------------------------------------------------------------------------------

    def set_up(self) -> Board:
        """(No animation.) The study's size, and whether the sentence was cut."""
        self.weights = lookup_array(self.trace, "trained.weights")  # (layers, heads, T, T)
        self.turned = self.trace.config["convention"] == "columns"
        self.minilm = self.trace.config["source"] == "minilm"
        cut = lookup(self.trace, "trained.pieces") > lookup(self.trace, "trained.shown")
        return Board(count=self.num.shape("trained.weights")[-1], cut=cut)

    def introduce(self) -> None:
        """The same sentence now goes through a trained model."""
        sentence = self.num.text("sentence", font_size=LABEL_SIZE * 1.4, color=ROLE["X"])
        fit(sentence, CONTENT_WIDTH, 1.2).move_to(UP * 0.5)
        # the sentence comes in as the last scene's picture fades (the kit's crossfade)
        self.play(FadeIn(sentence, shift=UP * 0.2), run_time=0.8)
        source = self.trace.config["source"]
        if source == "minilm":
            self.say("trained_intro_minilm")
        elif source == "explicit":
            self.say("trained_intro_explicit")
        else:
            self.say("trained_intro_seeded")
        self.hold()
        self.sentence = sentence

    def show_the_pieces(self, board: Board) -> VGroup:
        """The model's word pieces ([CLS] first); a long sentence shows its first ones only."""
        row = VGroup()
        for i in range(board.count):
            text = self.num.token(i, SIDE, font_size=LABEL_SIZE, color=ROLE["X"])
            box = SurroundingRectangle(
                text, color=ROLE["X"], buff=0.12, corner_radius=0.08, stroke_width=2
            )
            row.add(VGroup(box, text))
        in_reading_order(row, self.trace.sentence, buff=0.2)
        if board.cut:
            self.say("trained_pieces_cut", (SIDE, 0))
        else:
            self.say("trained_pieces", (SIDE, 0), (SIDE, board.count - 1))
        self.play(self.sentence.animate.to_edge(UP, buff=0.9), run_time=0.6)
        fit(row, CONTENT_WIDTH, 1.2).next_to(self.sentence, DOWN, buff=1.0)
        arrow = Arrow(self.sentence.get_bottom(), row.get_top(), buff=0.15, color=MUTED)
        self.play(Create(arrow), LaggedStart(*(FadeIn(p) for p in row), lag_ratio=0.15))
        shown = VGroup(self.sentence, arrow, row)
        if board.cut:
            size = LABEL_SIZE * 0.85
            note = self.with_numbers(
                "cut",
                [
                    self.num.value(key, precision=0, coloured=False, font_size=size * DIGITS)
                    for key in ("trained.shown", "trained.pieces")
                ],
                size=size,
            )
            note.next_to(row, DOWN, buff=0.5)
            self.play(FadeIn(note))
            shown.add(note)
        self.hold()
        self.pieces = row
        return shown

    def name_unknown_pieces(self, board: Board) -> None:
        """[UNK]: a character the model's vocabulary lacks (only when the sentence has one)."""
        unknown = [i for i in range(board.count) if lookup_text(self.trace, SIDE, (i,)) == "[UNK]"]
        if not unknown:
            return
        self.say("trained_unknown", (SIDE, unknown[0]))
        # one frame per unknown piece, on and off together
        frames = VGroup(*(highlight(self.pieces[i], FOCUS, stays=True) for i in unknown))
        self.play(Create(frames), run_time=0.6)
        self.hold()
        self.play(FadeOut(frames), run_time=0.3)

    def lay_out_grid(self, board: Board) -> None:
        """(No animation.) Every layer's heads as small patterns filling the frame, with the
        names of its axes."""
        layers, heads = self.num.shape("trained.weights")[:2]
        side = min(
            (CONTENT_WIDTH - 0.7 - (heads - 1) * MINI_GAP) / heads,
            (FRAME_TOP - CAPTION_TOP - 0.9 - (layers - 1) * MINI_GAP) / layers,
        )
        board.minis = [
            [self.mini(layer, head, side) for head in range(heads)] for layer in range(layers)
        ]
        rows = VGroup(*(VGroup(*row).arrange(RIGHT, buff=MINI_GAP) for row in board.minis))
        rows.arrange(DOWN, buff=MINI_GAP)
        board.axes = self.axis_names(rows)
        board.grid = VGroup(rows, board.axes)
        board.grid.move_to(ORIGIN).to_edge(UP, buff=0.35)

    def show_every_head(self, board: Board, pieces: VGroup) -> None:
        """Every layer's heads as small patterns: each head has a pattern of its own (they
        come in as the pieces leave: the frame is never empty)."""
        self.lay_out_grid(board)
        rows = board.grid[0]
        self.say("trained_grid")
        self.play(
            FadeOut(pieces, run_time=0.5),
            LaggedStart(*(FadeIn(row) for row in rows), lag_ratio=0.3),
            FadeIn(board.axes),
            run_time=2.0,
        )
        self.hold()
        self.say("trained_grid_all")
        self.hold()

    def make_room(self, board: Board) -> None:
        """(Transition.) The grid moves to the top right, a map of the heads to enlarge."""
        rows = board.grid[0]
        target_width = PANEL_WIDTH
        self.play(FadeOut(board.axes), run_time=0.4)
        self.play(
            rows.animate.scale(target_width / rows.width).to_corner(UP + RIGHT, buff=MARGIN),
            run_time=1.2,
        )
        board.region = (-config.frame_width / 2 + MARGIN, rows.get_left()[0] - 0.5)

    def compare_the_lessons_layer(self, board: Board) -> None:
        """A minilm lesson: its own layer framed in the grid, the head it followed enlarged."""
        layer, head = int(self.trace.config["layer"]), self.head
        board.own = highlight(VGroup(*board.minis[layer]), OWN, buff=0.05, stays=True)
        self.say("trained_own")
        self.play(Create(board.own), run_time=0.6)
        panel = self.panel(
            self.num.dim("layer", font_size=NUMBER_BIG, color=OWN),
            self.num.dim("head", font_size=NUMBER_BIG, color=OWN),
            heading="own_head",
        )
        self.enlarge(board, layer, head, panel, framed=[])
        self.hold()

    def enlarge_a_habit(self, board: Board, k: int, habit: str) -> None:
        """The head that shows a habit most, enlarged: its pattern, its measure, its place."""
        layer, head = (int(v) for v in lookup_array(self.trace, "trained.best")[k, :2])
        refs: list[tuple[str, int]] = []
        if habit == "previous":
            framed = [(i, i - 1) for i in range(1, board.count)]
        elif habit == "next":
            framed = [(i, i + 1) for i in range(board.count - 1)]
        elif habit == "ends":
            ends = [j for j in range(board.count) if lookup_text(self.trace, SIDE, (j,)) in ENDS]
            framed = [(i, j) for j in ends for i in range(board.count)]
            refs = [(SIDE, j) for j in ends]
        else:
            framed = []
        number = self.num.value("trained.best", k, 2, font_size=NUMBER_BIG)
        panel = self.panel(
            self.num.value("trained.best", k, 0, precision=0, coloured=False, font_size=NUMBER_BIG),
            self.num.value("trained.best", k, 1, precision=0, coloured=False, font_size=NUMBER_BIG),
            measure=(MEASURE[habit], number, ("trained.best", k, 2)),
        )
        if habit == "previous":
            self.say("trained_previous")
        elif habit == "next":
            self.say("trained_next")
        elif habit == "ends" and len(refs) == 2:
            self.say("trained_ends", *refs)
        elif habit == "ends":
            self.say("trained_ends_one", *refs[:1])
        else:
            self.say("trained_broad")
        self.enlarge(board, layer, head, panel, framed)
        self.hold(at_least=HABIT_TIME)

    def close(self, board: Board) -> None:
        """A layer runs all its heads side by side: the grid grows back to fill the frame
        (into the closing picture's own patterns), each layer's row framed."""
        self.say("trained_outro")
        picture = self.closing_picture()
        (rows, axes), frames = picture
        gone = [*board.shown, *([board.own] if board.own is not None else [])]
        self.play(FadeOut(VGroup(*gone)), run_time=0.6)
        self.play(
            *(ReplacementTransform(a, b) for a, b in zip(board.grid[0], rows, strict=True)),
            FadeIn(axes),
            run_time=1.2,
        )
        self.play(LaggedStart(*(Create(f) for f in frames), lag_ratio=0.4), run_time=1.6)
        self.hold()

    # --- pieces ------------------------------------------------------------------------------

    def label(self, key: str) -> str:
        return self.labels[key][self.language]

    def words(self, text: str, size: float, colour=MUTED) -> Text:
        return Text(text, font=FONT, font_size=size, color=colour, disable_ligatures=True)

    def with_numbers(self, key: str, numbers: list[TraceNumber], size: float) -> VGroup:
        """A label of the table with the study's numbers in its {0}, {1} slots (the numbers
        made at ``size * DIGITS``, as tall as the words)."""
        line = VGroup()
        for part in re.split(r"(\{\d\})", self.label(key)):
            if re.fullmatch(r"\{\d\}", part):
                line.add(numbers[int(part[1])])
            elif part.strip():
                line.add(self.words(part.strip(), size))
        return line.arrange(RIGHT, buff=0.15)

    def mini(self, layer: int, head: int, side: float) -> VGroup:
        """One head's pattern, small: a frame and its shaded cells, no numbers.

        The cells of one shade are one outline of many squares: the grid's 72 heads of up to
        144 cells are then about 2,000 shapes to draw instead of 10,000 (the cost of every
        frame the grid moves in). Shades are the cells' opacities to 1/LEVELS, finer than the
        eye tells apart; a cell too faint for the first level is left out."""
        weights = self.weights[layer, head]
        n = weights.shape[0]
        cell = side / n
        unit = Square(side_length=cell).points
        start = np.array([-(n - 1) * cell / 2, (n - 1) * cell / 2, 0.0])
        shades: dict[int, list[np.ndarray]] = {}
        for r in range(n):
            for c in range(n):
                i, j = (c, r) if self.turned else (r, c)
                level = round(shade(float(weights[i, j])) * LEVELS)
                if level:
                    offset = start + np.array([c * cell, -r * cell, 0.0])
                    shades.setdefault(level, []).append(unit + offset)
        cells = VGroup()
        for level, squares in sorted(shades.items()):
            outline = VMobject(stroke_width=0)
            outline.set_points(np.concatenate(squares))
            cells.add(outline.set_fill(ROLE["weights"], opacity=level / LEVELS))
        frame = Square(side_length=side, stroke_color=FRAME_LINE, stroke_width=1)
        return VGroup(frame, cells)

    def cells(self, layer: int, head: int, side: float, stroke: float) -> VGroup:
        """The shaded cells of one head's weights, query rows (columns when turned), centred at
        the origin: one square per cell, in reading order (copies of one square: fast)."""
        weights = self.weights[layer, head]
        n = weights.shape[0]
        cell = side / n
        proto = Square(side_length=cell, stroke_color=FRAME_LINE, stroke_width=stroke)
        proto.set_fill(ROLE["weights"], opacity=0.0)
        start = np.array([-(n - 1) * cell / 2, (n - 1) * cell / 2, 0.0])
        squares = []
        for r in range(n):
            for c in range(n):
                i, j = (c, r) if self.turned else (r, c)
                square = proto.copy()
                square.points = square.points + start + np.array([c * cell, -r * cell, 0.0])
                square.set_fill(opacity=shade(float(weights[i, j])), family=False)
                squares.append(square)
        return VGroup(*squares)

    def axis_names(self, rows: VGroup) -> VGroup:
        """ "layers" down the left of the grid, "heads" along its top, each with an arrow."""
        size = LABEL_SIZE * 0.75
        heads = self.words(self.label("heads"), size)
        heads_arrow = Arrow(LEFT, RIGHT, color=MUTED, buff=0, stroke_width=3).set_length(1.0)
        top = VGroup(heads, heads_arrow).arrange(RIGHT, buff=0.15)
        top.next_to(rows, UP, buff=0.12).align_to(rows, LEFT)
        layers = self.words(self.label("layers"), size)  # upright, as every word of the lesson
        layers_arrow = Arrow(UP, DOWN, color=MUTED, buff=0, stroke_width=3).set_length(1.0)
        left = VGroup(layers, layers_arrow).arrange(DOWN, buff=0.15)
        left.next_to(rows, LEFT, buff=0.15).align_to(rows, UP)
        return VGroup(top, left)

    def panel(
        self,
        layer: TraceNumber,
        head: TraceNumber,
        *,
        heading: str | None = None,
        measure: tuple[str, TraceNumber, tuple] | None = None,
    ) -> VGroup:
        """Under the grid: which head (layer, head), and its measure as a number and a bar."""
        size = LABEL_SIZE
        title = VGroup(
            self.words(self.label("layer"), size, ROLE["X"]),
            layer,
            self.words("·", size),
            self.words(self.label("head"), size, ROLE["X"]),
            head,
        ).arrange(RIGHT, buff=0.15)
        lines = VGroup()
        if heading is not None:
            lines.add(self.words(self.label(heading), size * 0.8, OWN))
        lines.add(title)
        if measure is not None:
            key, number, source = measure  # source: the measure's key and index
            lines.add(self.words(self.label(key), size * 0.75))
            outline = Rectangle(width=BAR_WIDTH, height=0.24, stroke_color=MUTED, stroke_width=1.5)
            # the measure runs from 0 to 1: the outline is the bar at 1
            fill = self.num.bar(
                *source, unit=BAR_WIDTH, thickness=0.24, colour=ROLE["weights"], opacity=0.9
            ).on(outline.get_left())
            lines.add(VGroup(number, VGroup(outline, fill)).arrange(RIGHT, buff=0.3))
        for line in lines:  # a long line shrinks alone, the others keep their size
            fit(line, PANEL_WIDTH, line.height)
        return lines.arrange(DOWN, buff=0.25, aligned_edge=LEFT)

    def enlarge(
        self,
        board: Board,
        layer: int,
        head: int,
        panel: VGroup,
        framed: list[tuple[int, int]],
    ) -> None:
        """Frame head (layer, head) in the grid and grow its pattern at the left, its pieces on
        both axes, the (query, key) cells ``framed`` outlined, ``panel`` under the grid."""
        rows = board.grid[0]
        mini = board.minis[layer][head]
        focus = highlight(mini, FOCUS, buff=0.04)
        left, right = board.region
        cell = min(1.1, 5.4 / board.count)
        big = self.cells(layer, head, cell * board.count, stroke=1.5)
        row_labels, col_labels = self.axis_tokens(cell)
        for r, label in enumerate(row_labels):
            label.next_to(big[r * board.count], LEFT, buff=0.15)
        staggered = fit_in_slots(col_labels, cell)
        for c, label in enumerate(col_labels):
            label.next_to(big[c], UP, buff=0.15)
        if staggered:
            stagger(col_labels)
        outlines = VGroup()
        for i, j in framed:
            r, c = (j, i) if self.turned else (i, j)
            square = big[r * board.count + c]
            outlines.add(
                Square(side_length=cell * 0.92, color=FRAMED, stroke_width=2.5).move_to(square)
            )
        whole = VGroup(big, row_labels, col_labels, outlines)
        fit(whole, right - left, FRAME_TOP - 0.45 - (CAPTION_TOP + 0.15))
        whole.move_to([(left + right) / 2, (FRAME_TOP - 0.45 + CAPTION_TOP + 0.15) / 2, 0])
        fit(panel, PANEL_WIDTH, rows.get_bottom()[1] - CAPTION_TOP - 0.5)
        panel.next_to(rows, DOWN, buff=0.45).align_to(rows, LEFT)
        self.play(*(FadeOut(m) for m in board.shown), Create(focus), run_time=0.5)
        grown = mini.copy()  # the small picture grows into the large one, then gains its lines
        self.play(
            grown.animate.scale(big.width / mini.width).move_to(big),
            FadeIn(row_labels),
            FadeIn(col_labels),
            FadeIn(panel),
            run_time=1.0,
        )
        self.play(FadeOut(grown), FadeIn(big), run_time=0.3)
        if len(outlines):
            self.play(Create(outlines), run_time=0.6)
        board.shown = [focus, big, row_labels, col_labels, outlines, panel]

    def axis_tokens(self, cell: float) -> tuple[VGroup, VGroup]:
        """The word pieces beside the rows and above the columns: queries and keys (turned
        round in the column-vector convention), one size for all."""
        size = min(LABEL_SIZE * 0.8, 60 * cell)

        def side(colour) -> VGroup:
            labels = VGroup(
                *(
                    self.num.token(i, SIDE, font_size=size, color=colour)
                    for i in range(self.num.shape("trained.weights")[-1])
                )
            )
            widest = max(label.width for label in labels)
            if widest > 1.8:
                labels.scale(1.8 / widest)
            return labels

        queries, keys = side(ROLE["Q"]), side(ROLE["K"])
        return (keys, queries) if self.turned else (queries, keys)
