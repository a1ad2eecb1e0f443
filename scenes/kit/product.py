"""A matrix product on screen, L · R = P, and the beats that fill it: one entry worked term by
term (``work_entry``), then the rest (``fill_rest``).

Shared by the projections (X·W_Q), the scores (Q·Kᵀ), the weighted sum (A·V) and W_O: the same
layout, so the viewer learns it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from manim import (
    DOWN,
    RIGHT,
    UP,
    AnimationGroup,
    Create,
    FadeIn,
    FadeOut,
    LaggedStart,
    MathTex,
    VGroup,
    VMobject,
    config,
    linear,
)

from scenes.kit.convention import Convention
from scenes.kit.provenance import Numbers
from scenes.kit.style import LABEL_SIZE, NUMBER_SIZE, ROLE
from scenes.kit.widgets import TraceMatrix, fit, highlight

__all__ = [
    "MANY_TERMS",
    "MatrixProduct",
    "WrittenSum",
    "count_terms",
    "fill_rest",
    "work_entry",
    "written_sum",
]

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


@dataclass
class WrittenSum:
    """``t₁ + t₂ − t₃ … (+ b) = total``: one entry of a product written out."""

    terms: list[VGroup]  # each term with its sign ("− 0.22"), a ⋯ where terms are elided
    sign: VMobject  # = , or ≈ where the rounded terms do not add up to the rounded total
    total: VMobject  # the running sum, at its first partial sum
    steps: list[int | None]  # the count's steps, one per written term (None: the ⋯)

    def line(self) -> VGroup:
        return VGroup(*self.terms, self.sign, self.total)


def written_sum(
    num: Numbers,
    terms: str,
    partial: str,
    index: tuple[int, ...],
    shown: list[int | None],
    bias: str | None = None,
    *,
    at_end: bool = False,
) -> WrittenSum:
    """The sum for the entry at ``index`` from the trace's products ``terms`` (shape: the
    result's, then n) and running sums ``partial`` (n steps, n + 1 with the bias): the terms
    ``shown`` (None: a ⋯), then the bias of the entry's column, named b; a sum of many tiny
    terms (a real model's 384) is written with two more decimals. The total shows the first
    partial sum, where a count starts (``at_end``: the last, the sum laid out done)."""
    size = NUMBER_SIZE * 1.1
    inner = num.shape(terms)[-1]
    places = num.precision + (2 if inner > MANY_TERMS else 0)
    groups: list[VGroup] = []
    for m in shown:
        if m is None:
            groups.append(VGroup(MathTex(r"+\,\cdots", font_size=size)))
        else:
            term = num.term(terms, *index, m, first=not groups, font_size=size, precision=places)
            groups.append(term)
    added = [(terms, (*index, m)) for m in range(inner)]
    steps = list(shown)
    if bias is not None:  # the bias of the entry's column: the count's last step
        groups.append(num.term(bias, index[-1], font_size=size, precision=places))
        added.append((bias, (index[-1],)))
        steps.append(inner)
    sign = num.relation(
        terms=added, total=(partial, (*index, len(added) - 1)), precision=places, font_size=size
    )
    first = len(added) - 1 if at_end else 0
    total = num.value(partial, *index, first, font_size=size * 1.2, precision=places)
    VGroup(*groups, sign, total).arrange(RIGHT, buff=0.15)
    if bias is not None:  # named under its number, in the colour of learned parameters
        b = MathTex("b", font_size=size * 0.8, color=ROLE["learned"])
        groups[-1].add(b.next_to(groups[-1][1], DOWN, buff=0.08))
    return WrittenSum(groups, sign, total, steps)


def _appear_early(t: float) -> float:
    # a term is on within the first fifth of its slot: the total that includes it follows
    return min(1.0, 5.0 * t)


def count_terms(
    num: Numbers, written: WrittenSum, partial: str, index: tuple[int, ...], *, run_time: float
) -> AnimationGroup:
    """The terms after the first, one per slot of equal time, and the total stepping through
    the running sums in step with them: while a term is written, the total is the sum up to it
    (never ahead of the terms, never behind; both linear in time)."""
    later = written.terms[1:]
    return AnimationGroup(
        num.count_up(
            written.total,
            partial,
            index,
            shown=written.steps[1:],  # the first partial sum shows already
            rate_func=linear,
            run_time=run_time,
        ),
        LaggedStart(
            *(FadeIn(t, rate_func=_appear_early) for t in later),
            lag_ratio=1.0,
            run_time=run_time,
        ),
    )


def work_entry(
    scene,
    product: MatrixProduct,
    entry: tuple[int, int],
    written: WrittenSum,
    colours: tuple[str, str],
    *,
    partial: str,
    run_time: float,
) -> None:
    """One entry of ``product`` added up term by term under it, every frame a real partial sum
    (``partial``): the left factor's line framed in ``colours[0]``, the right one's in
    ``colours[1]``; the total then appears in its entry, in place, never flying across the
    brackets, and the frames and the sum leave."""
    r, c = entry
    line = written.line()
    fit(line, config.frame_width - 1.0, 0.8)
    line.next_to(product, DOWN, buff=0.3)
    boxes = [
        highlight(product.left.row_band(r), colours[0]),
        highlight(product.right.col_band(c), colours[1]),
    ]
    scene.play(
        *(Create(b) for b in boxes),
        FadeIn(written.terms[0]),
        FadeIn(written.sign),
        FadeIn(written.total),
        run_time=0.6,
    )
    index = product.result.index_of(r, c)
    if len(written.terms) > 1:
        scene.play(count_terms(scene.num, written, partial, index, run_time=run_time))
    scene.play(
        FadeIn(product.result.entries[(r, c)], scale=1.4),
        *(FadeOut(b) for b in boxes),
        FadeOut(line),
        run_time=0.9,
    )
