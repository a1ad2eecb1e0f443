"""A matrix product on screen, L · R = P, and the beat that works one entry of it.

Shared by the projections (X·W_Q), the scores (Q·Kᵀ) and the weighted sum (A·V): the same
layout and the same count-up through real partial sums, so the viewer learns it once.
"""

from __future__ import annotations

from typing import Any

from manim import (
    DOWN,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    LaggedStart,
    MathTex,
    ReplacementTransform,
    VGroup,
    VMobject,
    config,
)

from scenes.kit.convention import Convention
from scenes.kit.provenance import Numbers
from scenes.kit.style import LABEL_SIZE, NUMBER_SIZE, ROLE
from scenes.kit.widgets import TraceMatrix, elided, fit, highlight

__all__ = ["MatrixProduct", "work_entry", "fill_rest"]

MANY_TERMS = 64  # a dot product longer than this shows its terms with two more decimals


class MatrixProduct(VGroup):
    """``left · right = result`` with each factor's name and shape above it.

    ``tokens`` = (side, matrix) puts the tokens of ``side`` beside the matrix whose rows (or,
    turned, columns) they are. The result starts as empty brackets; ``work_entry`` and
    ``fill_rest`` fill it.
    """

    def __init__(
        self,
        numbers: Numbers,
        left: TraceMatrix,
        right: TraceMatrix,
        result: TraceMatrix,
        names: tuple[str, str, str],
        roles: tuple[str, str, str],
        *,
        tokens: tuple[str, TraceMatrix] | None = None,
        height: float | None = None,
        width: float | None = None,
    ) -> None:
        self.left, self.right, self.result = left, right, result
        dot = MathTex(r"\cdot", font_size=LABEL_SIZE * 1.3)
        eq = MathTex("=", font_size=LABEL_SIZE * 1.3)
        body = VGroup(left, dot, right, eq, result).arrange(RIGHT, buff=0.3)
        self.labels, self._owner = VGroup(), None
        if tokens is not None:
            side, owner = tokens
            self._owner = owner
            self.labels = owner.name_lines(side)
            if not owner.transpose and owner is left:  # room for the labels left of X
                body.shift(RIGHT * self.labels.width / 2)
                self.labels.shift(RIGHT * self.labels.width / 2)
        # every name and shape on one line, above the tallest factor (or its token labels)
        top = VGroup(body, self.labels).get_top()[1]
        self.heads = VGroup()
        for matrix, name, role in zip((left, right, result), names, roles, strict=True):
            title = MathTex(name, font_size=LABEL_SIZE * 1.2, color=ROLE[role])
            head = VGroup(title, matrix.shape_label()).arrange(DOWN, buff=0.12)
            head.next_to(matrix.get_center() * RIGHT + top * UP, UP, buff=0.25)
            self.heads.add(head)
        self.signs = VGroup(dot, eq)
        super().__init__(body, self.labels, self.heads)
        fit(self, width or config.frame_width - 1.0, height or config.frame_height - 3.2)

    @classmethod
    def written(
        cls,
        numbers: Numbers,
        view: Convention,
        left: TraceMatrix,
        right: TraceMatrix,
        result: TraceMatrix,
        names: tuple[str, str, str],
        roles: tuple[str, str, str],
        **layout: Any,
    ) -> MatrixProduct:
        """The product as ``view`` writes it: in the column convention the factors swap sides,
        with their names and roles, since (L·R)ᵀ = Rᵀ·Lᵀ. ``names`` and ``roles`` are given in
        the paper's order (left, right, result); ``layout`` goes to the constructor."""
        first, second = view.factors(left, right)
        named = (*view.factors(names[0], names[1]), names[2])
        roled = (*view.factors(roles[0], roles[1]), roles[2])
        return cls(numbers, first, second, result, named, roled, **layout)

    def factor(self, k: int) -> VGroup:
        """Factor ``k`` (0 left, 1 right) whole, with its name, shape and any token labels."""
        matrix = (self.left, self.right)[k]
        labels = self.labels if self.labels and self._owner is matrix else VGroup()
        return VGroup(matrix, labels, self.heads[k])

    def shell(self) -> VGroup:
        """Everything but the result's entries: the product before it is computed."""
        dots = [
            m for m in self.result.matrix.get_entries() if m not in self.result.entries.values()
        ]
        return VGroup(
            self.factor(0),
            self.factor(1),
            self.signs,
            self.result.matrix.get_brackets(),
            *dots,
            self.heads[2],
        )


def _shown_terms(numbers: Numbers, terms_key: str, bias_key: str | None) -> list[int | None]:
    # the steps of the count whose terms are written out (None: a ⋯), the bias last
    inner = numbers.shape(terms_key)[-1]
    return elided(inner, 8) + ([inner] if bias_key is not None else [])


def _entry_sum(
    numbers: Numbers,
    product: MatrixProduct,
    terms_key: str,
    partial_key: str,
    r: int,
    c: int,
    bias_key: str | None,
) -> tuple[list[VGroup], VGroup, VMobject]:
    """``t₁ + t₂ + … (+ b) = total`` for the result entry at (r, c): the term groups (each term
    with the + before it, the bias last, named b), the '=' and the running total (shown at its
    first partial sum)."""
    index = product.result.index_of(r, c)
    size = NUMBER_SIZE * 1.1
    inner = numbers.shape(terms_key)[-1]
    # many terms (a real model's 384) are each tiny: two more decimals keep them readable
    places = numbers.precision + (2 if inner > MANY_TERMS else 0)
    groups = []
    for m in elided(inner, 8):
        shown = (
            MathTex(r"\cdots", font_size=size)
            if m is None
            else numbers.value(terms_key, *index, m, font_size=size, precision=places)
        )
        plus = [MathTex("+", font_size=size)] if groups else []
        groups.append(VGroup(*plus, shown).arrange(RIGHT, buff=0.15))
    if bias_key is not None:  # the bias of the result's column: the count's last step
        bias = numbers.value(bias_key, index[1], font_size=size, precision=places)
        groups.append(VGroup(MathTex("+", font_size=size), bias).arrange(RIGHT, buff=0.15))
    equals = MathTex("=", font_size=size)
    total = numbers.value(partial_key, *index, 0, font_size=size * 1.2)
    VGroup(*groups, equals, total).arrange(RIGHT, buff=0.15)
    if bias_key is not None:  # named under it, in the colour of learned parameters
        groups[-1].add(
            MathTex("b", font_size=size * 0.8, color=ROLE["learned"]).next_to(
                groups[-1][1], DOWN, buff=0.08
            )
        )
    return groups, equals, total


def work_entry(
    scene,
    product: MatrixProduct,
    terms_key: str,
    partial_key: str,
    r: int,
    c: int,
    *,
    role: str,
    run_time: float = 3.0,
    bias_key: str | None = None,
) -> None:
    """Highlight a row of the left factor and a column of the right one, add their products
    term by term (every frame shows a real partial sum), then the bias ``bias_key`` if the
    product has one, and fly the total into the result."""
    num = scene.num
    groups, equals, total = _entry_sum(num, product, terms_key, partial_key, r, c, bias_key)
    line = VGroup(*groups, equals, total)
    fit(line, config.frame_width - 1.0, 0.8)
    line.next_to(product, DOWN, buff=0.3)
    boxes = [
        highlight(product.left.row_band(r), ROLE[role]),
        highlight(product.right.col_band(c), ROLE[role]),
    ]
    # the total starts at the first term, so that term is there from the start
    scene.play(
        *(Create(b) for b in boxes), FadeIn(groups[0]), FadeIn(equals), FadeIn(total), run_time=0.6
    )
    index = product.result.index_of(r, c)
    # the other terms appear one per step of the count, so the total matches what is shown
    later = [FadeIn(g) for g in groups[1:]]
    scene.play(
        num.count_up(
            total,
            partial_key,
            index,
            run_time=run_time,
            shown=_shown_terms(num, terms_key, bias_key),
        ),
        *([LaggedStart(*later, lag_ratio=1.0, run_time=run_time)] if later else []),
    )
    target = product.result.entries[(r, c)]
    scene.play(
        ReplacementTransform(total.copy(), target),
        *(FadeOut(b) for b in boxes),
        FadeOut(VGroup(*groups, equals, total)),
        run_time=0.9,
    )


def fill_rest(
    scene, product: MatrixProduct, done: set[tuple[int, int]], *, run_time: float = 2.0
) -> None:
    """Every other entry of the result, row after row."""
    rows = {}
    for (r, c), m in product.result.entries.items():
        if (r, c) not in done:
            rows.setdefault(r, []).append(m)
    scene.play(
        LaggedStart(*(FadeIn(VGroup(*ms)) for _, ms in sorted(rows.items())), lag_ratio=0.3),
        run_time=run_time,
    )
