"""The last scene: the steps of the lesson again, each in one line with its formula and a small
picture drawn from the trace (no number shown, no new teaching).

tokens → vectors (X as a strip of coloured entries), queries, keys and values (three strips),
scores (the followed head's grid, coloured by sign), the scaling, the mask (a causal lesson: its
weights with the hidden triangle), the weights (the followed query's as bars), the weighted sum
(the opening's apple, moved toward the fruit), and the heads (each head's weights, small). The
formulas follow the convention, the similarity and the normaliser of the lesson.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    FadeIn,
    Line,
    MathTex,
    Rectangle,
    Text,
    VGroup,
    VMobject,
)

from qkv import lookup, lookup_array
from scenes.kit.base import READ_RATE, LessonScene
from scenes.kit.convention import NORMALISER_TEX, Convention
from scenes.kit.layout import CAPTION_TOP, FRAME_TOP, MARGIN
from scenes.kit.style import FONT, FRAME_LINE, LABEL_SIZE, MUTED, ROLE, sign_colour
from scenes.kit.widgets import fit, role_formula

__all__ = ["Recap"]

# Three columns: formulas (right-aligned), the meaning of each step, its picture; the lines
# spread down the whole frame (the lesson's last), at most PITCH apart
FORMULA_RIGHT = -4.2
TEXT_LEFT = -3.9
TEXT_WIDTH = 7.3
PICTURE_X = (3.8, 7.1 - MARGIN)  # the pictures' column, left and right
PICTURE_H = 1.15
PITCH = 1.3
MAX_STRIP = 16  # a strip of a wide vector shows its first entries only (a picture, not data)
NARROW_STRIP = 8  # ... and a strip of queries, keys or values, three side by side
HEADS_PER_LINE = 6  # the heads' small patterns, in lines of at most this many
# Reading time: characters per second (Chinese fewer), and at least this long
APPLE = "apple_fruit"  # the opening's example, apple beside orange

# What each step did, one line each (no digits), in the lesson's language
STEPS = {
    "tokens": {
        "en": "Each token became a vector",
        "zh": "每个词元变成一个向量",
        "ru": "Каждый токен стал вектором",
    },
    "project": {
        "en": "Weight matrices gave each token a query, a key and a value",
        "zh": "权重矩阵给每个词元一个查询、一个键和一个值",
        "ru": "Матрицы весов дали каждому токену запрос, ключ и значение",
    },
    "project_cross": {
        "en": "Queries from one sentence, keys and values from the other",
        "zh": "查询来自一句话，键和值来自另一句",
        "ru": "Запросы из одного предложения, ключи и значения из другого",
    },
    "scores": {
        "en": "Every query was compared with every key",
        "zh": "每个查询都和每个键做了比较",
        "ru": "Каждый запрос сравнили с каждым ключом",
    },
    "scale": {
        "en": "Dividing by the root of the key size kept softmax from going one-hot",
        "zh": "除以键维度的平方根，softmax 就不会变成独热",
        "ru": "Деление на корень из размерности ключа не даёт softmax стать one-hot",
    },
    "mask": {
        "en": "The mask hid every token's later tokens",
        "zh": "掩码遮住了每个词元后面的词元",
        "ru": "Маска скрыла от каждого токена последующие",
    },
    "softmax": {
        "en": "Softmax made each query's weights, adding up to one",
        "zh": "softmax 给出每个查询的权重，总和为一",
        "ru": "Softmax дал веса каждого запроса, в сумме один",
    },
    "relu": {
        "en": "ReLU made the weights, zero for negative scores",
        "zh": "ReLU 给出权重，负的分数变成零",
        "ru": "ReLU дал веса, ноль для отрицательных оценок",
    },
    "output": {
        "en": "Each output mixed the values by those weights",
        "zh": "每个输出按这些权重混合了值",
        "ru": "Каждый выход смешал значения с этими весами",
    },
    "heads": {
        "en": "Several heads ran side by side, joined and mixed by the output weights",
        "zh": "多个头并行运行，再拼接，由输出权重混合",
        "ru": "Несколько голов работали рядом; их склеили и смешали выходными весами",
    },
}


@dataclass
class Step:
    """One line of the recap: its formula, its meaning, its picture (if any)."""

    formula: VMobject
    text: Text
    picture: VMobject | None
    key: str  # its line in STEPS

    @property
    def whole(self) -> VGroup:
        return VGroup(self.formula, self.text, *([self.picture] if self.picture else []))


class Recap(LessonScene):
    captions = {
        "recap": {
            "en": "Looking back: the steps we took, one line each",
            "zh": "回顾：我们走过的每一步，各一行",
            "ru": "Оглянемся: каждый пройденный шаг в одной строке",
        },
        "end": {
            "en": "Step by step, every token leaves with a new vector",
            "zh": "一步一步，每个词元都带着新的向量离开",
            "ru": "Шаг за шагом каждый токен уходит с новым вектором",
        },
    }

    def construct(self) -> None:
        """The steps, one line each, then the point of it all."""
        steps = self.lay_out_the_steps(Convention.of(self.trace))
        self.walk_through(steps)
        self.close()
        self.end_on(self.closing_picture())

    def closing_picture(self) -> VGroup:
        """Every step in its line: the lesson's last frame."""
        return VGroup(*(s.whole for s in self.lay_out_the_steps(Convention.of(self.trace))))

    # -- the beats ----------------------------------------------------------------------------

    def walk_through(self, steps: list[Step]) -> None:
        """Each step appears in turn, given time to be read."""
        rate = READ_RATE[self.language]  # the lines are read like captions
        for k, step in enumerate(steps):
            self.play(FadeIn(step.whole, shift=RIGHT * 0.2), run_time=0.6)
            if k == 0:  # the first line is in (the scene before has faded): the caption
                self.say("recap")
            self.narrate(f"line_{step.key}", step.text.original_text)  # the voice reads it
            # the lines stay: reading may run on while the next one comes in
            self.wait(max(1.0, len(step.text.original_text) / rate - 0.6))

    def close(self) -> None:
        """One formula, a new vector for every token."""
        self.say("end")
        self.hold()

    # -- the steps ----------------------------------------------------------------------------

    def lay_out_the_steps(self, view: Convention) -> list[Step]:
        """Every step of this lesson's attention, one row each, from the top of the frame."""
        h = f"heads.{self.head}"
        cross = self.trace.X_kv is not None
        masked = bool(self.trace.config.get("causal")) and not cross
        size = LABEL_SIZE * 1.1
        rows: list[tuple[VMobject, str, VMobject | None]] = [
            (MathTex(view.tex("X"), font_size=size, color=ROLE["X"]), "tokens", self.strip("X")),
            (
                role_formula(((r"Q,\ ", "Q"), (r"K,\ ", "K"), ("V", "V")), size),
                "project_cross" if cross else "project",
                self.projections(h),
            ),
            (
                MathTex(view.tex("scores"), font_size=size, color=ROLE["weights"]),
                "scores",
                self.grid(f"{h}.scores", view, signed=True),
            ),
        ]
        if view.similarity == "scaled_dot":
            rows.append((MathTex(r"\div\sqrt{d_k}", font_size=size), "scale", None))
        if masked:
            mask = (MathTex("+M", font_size=size), "mask", self.grid(f"{h}.weights", view))
            rows.append(mask)
        normaliser = view.normaliser
        rows += [
            (
                MathTex(NORMALISER_TEX[normaliser], font_size=size, color=ROLE["weights"]),
                "relu" if normaliser == "relu" else "softmax",
                self.bars(f"{h}.weights", int(lookup(self.trace, f"{h}.focus_query"))),
            ),
            (
                MathTex(view.tex("output"), font_size=size, color=ROLE["output"]),
                "output",
                self.apple(),
            ),
        ]
        if len(self.trace.heads) > 1:
            heads = r"W_O\,\mathrm{Concat}" if view.columns else r"\mathrm{Concat}\,W_O"
            rows.append(
                (MathTex(heads, font_size=size, color=ROLE["learned"]), "heads", self.heads(view))
            )
        return self.arrange(rows)

    def arrange(self, rows: list[tuple[VMobject, str, VMobject | None]]) -> list[Step]:
        """Rows evenly down the frame, the three columns aligned; the texts share one size."""
        texts = [
            Text(
                STEPS[key][self.language],
                font=FONT,
                font_size=LABEL_SIZE * 0.95,
                disable_ligatures=True,
            )
            for _, key, _ in rows
        ]
        widest = max(t.width for t in texts)
        if widest > TEXT_WIDTH:  # one factor for all: the lines keep one size
            for t in texts:
                t.scale(TEXT_WIDTH / widest)
        top, bottom = FRAME_TOP - 0.75, CAPTION_TOP + 0.6  # the lines' centres
        pitch = min(PITCH, (top - bottom) / max(len(rows) - 1, 1))
        top -= (top - bottom - pitch * (len(rows) - 1)) / 2  # fewer lines: centred
        steps = []
        for k, ((formula, key, picture), text) in enumerate(zip(rows, texts, strict=True)):
            y = top - k * pitch
            fit(formula, FORMULA_RIGHT - (-7.1 + MARGIN), pitch * 0.85)
            formula.move_to([FORMULA_RIGHT, y, 0], aligned_edge=RIGHT)
            text.move_to([TEXT_LEFT, y, 0], aligned_edge=LEFT)
            if picture is not None:  # as large as its place (a picture, not numbers)
                width, height = PICTURE_X[1] - PICTURE_X[0], min(PICTURE_H, pitch * 0.8)
                picture.scale(min(width / picture.width, height / picture.height))
                picture.move_to([(PICTURE_X[0] + PICTURE_X[1]) / 2, y, 0])
            steps.append(Step(formula, text, picture, key))
        return steps

    # -- the pictures (no numbers: shapes and shades from the trace) ---------------------------

    def strip(self, key: str, frame=None, columns: int = MAX_STRIP) -> VGroup:
        """A matrix as a block of cells coloured by sign (rows: tokens), framed in its role's
        colour; a wide one shows its first ``columns``."""
        values = lookup_array(self.trace, key)[:, :columns]
        cell = 0.12
        cells = VGroup(
            *(
                Rectangle(width=cell, height=cell, stroke_width=0)
                .set_fill(sign_colour(float(v)), opacity=1.0)
                .move_to([c * cell, -r * cell, 0])
                for (r, c), v in np.ndenumerate(values)
            )
        )
        border = Rectangle(
            width=cells.width + 0.06, height=cells.height + 0.06, stroke_width=1.5
        ).set_stroke(frame or FRAME_LINE)
        return VGroup(cells, border.move_to(cells))

    def projections(self, h: str) -> VGroup:
        """Q, K and V side by side, each framed in its role's colour."""
        strips = (self.strip(f"{h}.{n}", ROLE[n], NARROW_STRIP) for n in "QKV")
        return VGroup(*strips).arrange(RIGHT, buff=0.2)

    def grid(self, key: str, view: Convention, *, signed: bool = False) -> VGroup:
        """A token-by-token array as a small heat map: signed (blue/red), or weights (the
        lesson's orange, brighter for more weight)."""
        values = lookup_array(self.trace, key)
        if view.columns:
            values = values.T
        cell = 0.2
        cells = VGroup()
        for (r, c), v in np.ndenumerate(values):
            square = Rectangle(width=cell, height=cell, stroke_width=0)
            if signed:
                square.set_fill(sign_colour(float(v)), opacity=0.9)
            else:
                square.set_fill(ROLE["weights"], opacity=0.9 * min(max(float(v), 0.0), 1.0) ** 0.5)
            cells.add(square.move_to([c * cell, -r * cell, 0]))
        border = Rectangle(width=cells.width, height=cells.height, stroke_width=1.5)
        return VGroup(cells, border.set_stroke(FRAME_LINE).move_to(cells))

    def bars(self, key: str, query: int) -> VGroup:
        """The followed query's weights as bars, one per key, on a base line."""
        weights = lookup_array(self.trace, key)[query]
        top = max(1.0, float(weights.max()))  # ReLU weights may pass one
        width, gap, height = 0.22, 0.08, 1.0
        bars = VGroup(
            *(
                Rectangle(width=width, height=max(height * float(w) / top, 0.01), stroke_width=0)
                .set_fill(ROLE["weights"], opacity=0.9)
                .move_to([j * (width + gap), 0, 0], aligned_edge=DOWN)
                for j, w in enumerate(weights)
            )
        )
        base = Line(bars.get_corner(DOWN + LEFT), bars.get_corner(DOWN + RIGHT), stroke_width=1.5)
        query_name = self.num.token(query, font_size=LABEL_SIZE * 0.6, color=ROLE["Q"])
        fit(query_name, 1.0, 0.4)
        picture = VGroup(bars, base.set_color(MUTED))
        return VGroup(query_name, picture).arrange(RIGHT, buff=0.2, aligned_edge=DOWN)

    def apple(self) -> VGroup:
        """The opening's picture: apple and orange, and apple's new vector between them."""
        unit = 0.3
        X = lookup_array(self.trace, f"{APPLE}.X")
        new = lookup_array(self.trace, f"{APPLE}.output")[0]

        def tip(v) -> np.ndarray:
            return np.array([float(v[0]), float(v[1]), 0.0]) * unit

        def arrow(v, colour) -> Arrow:
            return Arrow(
                np.zeros(3),
                tip(v),
                buff=0,
                color=colour,
                stroke_width=3,
                tip_length=0.1,
                max_tip_length_to_length_ratio=0.3,
            )

        reach = float(np.abs(X).max()) * unit
        axes = VGroup(
            Line(np.zeros(3), RIGHT * reach, stroke_width=1, color=MUTED),
            Line(np.zeros(3), UP * reach, stroke_width=1, color=MUTED),
        )
        return VGroup(axes, *(arrow(x, ROLE["X"]) for x in X), arrow(new, ROLE["output"]))

    def heads(self, view: Convention) -> VGroup:
        """Every head's weights, small, side by side (in lines, for many heads)."""
        maps = [self.grid(f"heads.{k}.weights", view) for k in range(len(self.trace.heads))]
        lines = VGroup(
            *(
                VGroup(*maps[k : k + HEADS_PER_LINE]).arrange(RIGHT, buff=0.3)
                for k in range(0, len(maps), HEADS_PER_LINE)
            )
        )
        return lines.arrange(DOWN, buff=0.3, aligned_edge=LEFT)
