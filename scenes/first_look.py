"""A first look: the sentence, its tokens, their vectors X, and who attends to whom."""

from __future__ import annotations

from manim import (
    DOWN, LEFT, RIGHT, UP, Create, FadeIn, FadeOut, LaggedStart, MathTex, ReplacementTransform,
    Transform, TransformMatchingShapes, VGroup, Write, config,
)

from qkv import lookup

from scenes.base import LessonScene
from scenes.provenance import TraceText
from scenes.style import LABEL_SIZE, ROLE
from scenes.widgets import (
    TokenRow, TraceMatrix, WeightGrid, fit, highlight, shape_label, token_labels,
)

__all__ = ["FirstLook"]


class FirstLook(LessonScene):
    """Tokens -> X -> one head's attention weights, every number from the trace."""

    head = 0  # which head's pattern to show

    def construct(self) -> None:
        T = len(self.trace.tokens)
        width = config.frame_width - 1.0  # usable width, half a unit of margin each side

        # The sentence as typed
        sentence = TraceText(self.trace.sentence, "sentence", (), font_size=40)
        sentence.scale_to_fit_width(min(sentence.width, width)).to_edge(UP, buff=0.8)
        self.play(Write(sentence), run_time=1.2)
        self.say("sentence")
        self.wait(0.5)

        # Split into tokens
        tokens = TokenRow(self.num, font_size=34)
        tokens.scale_to_fit_width(min(tokens.width, width)).move_to(sentence)
        self.play(TransformMatchingShapes(sentence, tokens), run_time=1.2)
        self.say("tokens")
        self.wait(0.8)

        # Each token becomes a row of X: the token moves to the left of its vector
        X = TraceMatrix(self.num, "X", role="X")
        names = token_labels(self.num, "tokens", ROLE["X"], font_size=LABEL_SIZE * 0.85)
        for i, name in enumerate(names):
            name.next_to(X.matrix, LEFT, buff=0.3).match_y(X.matrix.get_rows()[i])
        x_title = MathTex("X", font_size=LABEL_SIZE * 1.4, color=ROLE["X"])
        x_shape = shape_label(self.num, "T", "d_model", "T", r"d_{\text{model}}")
        heading = VGroup(x_title, x_shape).arrange(RIGHT, buff=0.4)
        x_block = VGroup(heading, VGroup(names, X)).arrange(DOWN, buff=0.3)
        fit(x_block, width, config.frame_height - 2.0).move_to(UP * 0.3)
        self.play(
            *(ReplacementTransform(tokens.labels[i], names[i]) for i in range(T)),
            *(FadeOut(box[0]) for box in tokens),
            Create(X.matrix.get_brackets()), run_time=1.2,
        )
        self.play(LaggedStart(*(FadeIn(X.row(i), shift=RIGHT * 0.3) for i in range(T)),
                              lag_ratio=0.15), run_time=min(2.5, 0.3 * T + 0.6))
        self.play(FadeIn(heading))
        self.say("vectors")
        self.wait(1.5)

        # One head's attention weights beside X: A names the grid, above its row labels
        grid = WeightGrid(self.num, self.head)
        a_title = MathTex("A", font_size=LABEL_SIZE * 1.6, color=ROLE["weights"])
        # top-left corner: left of the key labels, above the query labels
        a_title.next_to(grid.squares, LEFT, buff=0.2).match_y(grid.col_labels)
        a_block = VGroup(a_title, grid)
        fit(a_block, width * 0.6, config.frame_height - 1.5)
        a_block.to_edge(RIGHT, buff=0.5).to_edge(UP, buff=0.35)
        x_target = x_block.copy()
        fit(x_target, width * 0.38, config.frame_height - 2.0)
        x_target.to_edge(LEFT, buff=0.5).match_y(grid.squares)
        self.play(Transform(x_block, x_target))
        self.play(FadeIn(a_title), FadeIn(grid.row_labels), FadeIn(grid.col_labels))
        self.play(LaggedStart(*(FadeIn(grid.row(i)) for i in range(T)), lag_ratio=0.2),
                  run_time=min(3.0, 0.4 * T + 0.8))
        self.say("weights")
        self.wait(1.2)
        self.say("rows_sum" if self.trace.config["normaliser"] == "softmax" else "rows_relu")
        self.wait(1.2)

        # Read one row: the most decided query, and the key it weights most
        head = f"heads.{self.head}"
        i = int(lookup(self.trace, f"{head}.focus_query"))
        j = int(lookup(self.trace, f"{head}.top_key", (i,)))
        self.play(Create(highlight(VGroup(grid.row(i), grid.row_labels[i]), ROLE["Q"])))
        self.play(Create(highlight(grid.cells[(i, j)], ROLE["K"])),
                  grid.col_labels[j].animate.set_color(ROLE["weights"]))
        self.say("focus", ("tokens", i), ("key_tokens", j))
        self.wait(2.0)
