"""Scene 4 (T3, T4): Q = X·W_Q as a matrix product worked entry by entry, then K and V.

It opens on TokensToVectors' last picture, E + P = X: E and P leave, and X itself moves into
the product as its left factor (right in the column convention). The weights W are the learned
parameters; everything else is fixed arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

from manim import (
    DOWN,
    UP,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    MathTex,
    ReplacementTransform,
    VGroup,
    VMobject,
    Write,
)

from scenes.kit.base import LessonScene
from scenes.kit.convention import Convention
from scenes.kit.layout import CAPTION_TOP, CONTENT_WIDTH
from scenes.kit.product import MatrixProduct, fill_rest, work_entry, written_sum
from scenes.kit.style import LABEL_SIZE, ROLE
from scenes.kit.widgets import TraceMatrix, elided, highlight

__all__ = ["Projections"]

GROWTH = 2.0  # how much a small product may grow to fill the frame
SUM_LINE = 1.2  # the room under Q's product for one entry's sum, written term by term
WIDE = 8  # a vector up to this wide shows every component; a wider one its first three and last


@dataclass
class Board:
    """What the next product takes over: the product and the formula on screen."""

    product: MatrixProduct
    formula: MathTex


class Projections(LessonScene):
    map_step = "projections"  # lit on the lesson map
    # said in place of the entry's caption: which token, and what the entry comes to
    narration = {
        "one_entry": {
            "en": 'One entry: the row of "{0}" times a column of weights, term by term. '
            "It comes to {value}",
            "zh": "一个元素：“{0}”的行乘以权重的一列，逐项相加，结果是 {value}",
            "ru": "Один элемент: строка «{0}» на столбец весов, слагаемое за слагаемым. "
            "Получается {value}",
        },
        "one_entry_columns": {
            "en": 'One entry: a row of weights times the column of "{0}", term by term. '
            "It comes to {value}",
            "zh": "一个元素：权重的一行乘以“{0}”的列，逐项相加，结果是 {value}",
            "ru": "Один элемент: строка весов на столбец «{0}», слагаемое за слагаемым. "
            "Получается {value}",
        },
    }
    captions = {
        # the query weights, honest about where they come from: random, hand-set or trained
        "learned_W": {
            "en": "The query weights: learned in training, random here",
            "zh": "查询权重：在训练中学到，这里是随机的",
            "ru": "Веса запросов: выучиваются при обучении, здесь случайны",
        },
        "learned_W_given": {
            "en": "The query weights: learned in training, set by hand here",
            "zh": "查询权重：在训练中学到，这里是手工设定的",
            "ru": "Веса запросов: выучиваются при обучении, здесь заданы вручную",
        },
        "learned_W_trained": {
            "en": "The query weights: the model's own, learned in training",
            "zh": "查询权重：模型自己在训练中学到的",
            "ru": "Веса запросов: собственные, выученные моделью при обучении",
        },
        "one_entry": {
            "en": "One entry: a token's row times a column of weights, term by term",
            "zh": "一个元素：一个词元的行乘以权重的一列，逐项相加",
            "ru": "Один элемент: строка токена на столбец весов, слагаемое за слагаемым",
        },
        "one_entry_columns": {
            "en": "One entry: a row of weights times a token's column, term by term",
            "zh": "一个元素：权重的一行乘以一个词元的列，逐项相加",
            "ru": "Один элемент: строка весов на столбец токена, слагаемое за слагаемым",
        },
        "all_entries": {
            "en": "One matrix product gives every query: what each token looks for",
            "zh": "一次矩阵乘法得到全部查询：每个词元在找什么",
            "ru": "Одно умножение матриц даёт все запросы: что ищет каждый токен",
        },
        "keys": {
            "en": "Keys: what each token offers to be matched",
            "zh": "键：每个词元拿出来供匹配的内容",
            "ru": "Ключи: что каждый токен предлагает для сравнения",
        },
        "keys_cross": {
            "en": "Keys, from the other sentence: what each token offers",
            "zh": "键来自另一个句子：每个词元拿出来供匹配的内容",
            "ru": "Ключи из другого предложения: что предлагает каждый токен",
        },
        "values": {
            "en": "Values: what each token passes on once matched",
            "zh": "值：每个词元被匹配后传递出去的内容",
            "ru": "Значения: что каждый токен передаёт дальше",
        },
    }

    def construct(self) -> None:
        """Q = X·W_Q worked entry by entry; K and V by the same product, at once; only the W
        are learned."""
        queries = self.x_times_the_learned_weights()
        second = self.one_entry_term_by_term(queries)
        self.every_entry_the_same_way(queries, second)
        # K and V: the same product, their own weights and colour (the other sentence's, crossed)
        keys = self.the_same_product_for("K", queries)
        values = self.the_same_product_for("V", keys)
        self.only_the_weights_are_learned(values)
        self.end_on(self.closing_picture())  # the same mobjects: swapped in unseen

    def closing_picture(self) -> VGroup:
        """V = X·W_V whole, under its formula, the learned weights framed."""
        product = self.product("V", "key_tokens")
        return VGroup(self.formula("V"), product, self.learned_frame(product))

    # -- the beats ----------------------------------------------------------------------------

    def x_times_the_learned_weights(self) -> Board:
        """Q = X·W_Q (or W_Q·I): the token vectors, carried over from the scene before, then
        the weights, which are learned."""
        formula = self.formula("Q")
        product = self.product("Q", "tokens")
        x_side, w_side = self.sides()
        self.carry_x(formula, product.factor(x_side))
        source = self.trace.config.get("source")
        if source == "minilm":
            self.say("learned_W_trained")
        elif source == "explicit":
            self.say("learned_W_given")
        else:
            self.say("learned_W")
        self.play(FadeIn(product.factor(w_side)))
        self.hold()
        return Board(product, formula)

    def one_entry_term_by_term(self, board: Board) -> tuple[int, int]:
        """One entry of Q as a sum of products, then a second one faster; returns the second."""
        self.play(FadeIn(board.product.shell()))
        index = board.product.result.index_of(0, 0)  # (token, component) of Q
        self.say(
            "one_entry_columns" if Convention.of(self.trace).columns else "one_entry",
            ("tokens", index[0]),
            numbers={"value": (f"heads.{self.head}.Q", index)},
        )
        second = self.second(board.product)
        self.count_up_entry(board.product, "Q", (0, 0), run_time=3.0)
        self.count_up_entry(board.product, "Q", second, run_time=1.5)
        return second

    def every_entry_the_same_way(self, board: Board, second: tuple[int, int]) -> None:
        """The rest of Q: one matrix product gives every query."""
        self.say("all_entries")
        fill_rest(self, board.product, {(0, 0), second})
        self.hold()

    def the_same_product_for(self, role: str, board: Board) -> Board:
        """K (or V) in one move: the role's own weights take W_Q's place and the whole product
        appears at once, no entry worked again; X stays (the other sentence's, crossed)."""
        old = board.product
        formula = self.formula(role)
        product = self.product(role, "key_tokens")
        x_side, w_side = self.sides()
        # the same token vectors stay put; another sentence's (cross-attention) replace them
        same_x = old.factor(x_side)[0].key == product.factor(x_side)[0].key
        crossed = role == "K" and self.trace.X_kv is not None
        self.say("keys_cross" if crossed else {"K": "keys", "V": "values"}[role])
        self.play(
            FadeTransform(board.formula, formula),
            (ReplacementTransform if same_x else FadeTransform)(
                old.factor(x_side), product.factor(x_side)
            ),
            FadeTransform(old.factor(w_side), product.factor(w_side)),
            ReplacementTransform(old.signs, product.signs),
            ReplacementTransform(self.result_shell(old), self.result_shell(product)),
            # the result's name and shape: its sizes may change (S for T, crossed)
            FadeTransform(old.heads[2], product.heads[2]),
            FadeOut(VGroup(*old.result.entries.values())),
            run_time=0.9,
        )
        fill_rest(self, product, set(), run_time=1.2)
        self.hold()
        return Board(product, formula)

    def only_the_weights_are_learned(self, board: Board) -> None:
        """Only the weights (and biases) are learned; everything else is fixed arithmetic."""
        bias = bool(self.trace.config.get("bias"))
        self.say("learned_bias" if bias else "learned")
        self.play(Create(self.learned_frame(board.product)), run_time=0.6)
        self.hold()

    # -- the opening: X carried over ----------------------------------------------------------

    def carry_x(self, formula: MathTex, x: VGroup) -> None:
        """X from the scene before moves into the product (``x``: the factor, its names and
        heading) while the formula is written; what else that picture showed (E, P, the
        headings) leaves first, so that nothing passes over numbers. Without such a picture,
        X fades in."""
        opening = self.take_opening()
        parts = getattr(opening, "x_parts", None)
        if parts is None:
            self.play(FadeOut(opening), Write(formula), FadeIn(x), run_time=1.2)
            return
        matrix, names, _ = parts  # its heading leaves too: on its way it would cross X
        target, labels, head = x
        # X's own names move along if it had them (on a line apart from E's) for every line
        named = len(names) == len(labels)
        kept = [matrix, names] if named else [matrix]
        rest = VGroup(*split(opening, {id(m) for m in kept}))
        self.remove(opening)
        self.add(rest, *kept)
        self.play(FadeOut(rest), run_time=0.6)
        same = (matrix.key, matrix.row_ids, matrix.col_ids, matrix.transpose) == (
            target.key,
            target.row_ids,
            target.col_ids,
            target.transpose,
        )
        self.play(
            Write(formula),
            (ReplacementTransform if same else FadeTransform)(matrix, target),
            *([ReplacementTransform(names, labels)] if named else [FadeIn(labels)]),
            FadeIn(head),
            run_time=1.2,
        )

    # -- one entry, term by term --------------------------------------------------------------

    def count_up_entry(
        self, product: MatrixProduct, role: str, entry: tuple[int, int], *, run_time: float
    ) -> None:
        """One entry of X·W_role added up term by term, its bias last: the token's line framed
        in the role's colour, the weights' line in the learned colour (the convention decides
        which is left)."""
        h = f"heads.{self.head}"
        terms, partial = f"{h}.{role}_terms", f"{h}.{role}_partial"
        index = product.result.index_of(*entry)
        written = written_sum(self.num, terms, partial, index, self.components(), self.bias(role))
        colours = Convention.of(self.trace).factors(ROLE[role], ROLE["learned"])
        work_entry(self, product, entry, written, colours, partial=partial, run_time=run_time)

    def components(self) -> list[int | None]:
        """The components of a token vector shown (as TokensToVectors shows X, so that X
        carries over whole)."""
        return shown(self.trace.X.shape[1])

    # -- pieces -------------------------------------------------------------------------------

    def formula(self, role: str) -> MathTex:
        """``Q = X·W_Q`` (or its convention's form) at the top of the frame, centred where
        Q's is: every formula takes the place of the one before."""
        view = Convention.of(self.trace)
        formula = MathTex(view.tex(role), font_size=LABEL_SIZE * 1.3, color=ROLE[role])
        return formula.move_to(self.ruler())

    def ruler(self) -> MathTex:
        """Q's formula at the top of the frame: the place of every formula, and the line every
        product hangs from (one ruler, so a product rebuilt for the closing picture lands
        exactly where the scene put it)."""
        view = Convention.of(self.trace)
        return MathTex(view.tex("Q"), font_size=LABEL_SIZE * 1.3).to_edge(UP, buff=0.3)

    def sides(self) -> tuple[int, int]:
        """Which factor is X and which is W: (0, 1), or (1, 0) in the column convention."""
        return (1, 0) if Convention.of(self.trace).columns else (0, 1)

    def learned_frame(self, product: MatrixProduct) -> VMobject:
        """The frame round the weights, the learned part of the product."""
        return highlight(product.factor(self.sides()[1])[0], ROLE["learned"])

    def product(self, role: str, side: str) -> MatrixProduct:
        """X·W_role = role (or W_role·I = role), laid out under Q's formula: X's components as
        TokensToVectors shows them, and W's lines the same ones, so a token's row and a column
        of weights meet term by term. Q's leaves room under it for the sum of one entry; K and
        V, worked at once, take the whole height."""
        view = Convention.of(self.trace)
        h = f"heads.{self.head}"
        x_key = "X_kv" if side == "key_tokens" and self.trace.X_kv is not None else "X"
        width = "d_v" if role == "V" else "d_k"
        parts = self.components()
        size = self.num.shape(f"{h}.W_{role}")[1]
        outs = shown(size)  # the result's components: W's columns, the same ones
        turned = view.turned()

        # tokens side by side (columns): more than 8 show 6, so that the three matrices
        # across the frame keep their numbers large enough to read, as the scores grid does
        n_tokens = len(self.trace.key_tokens if side == "key_tokens" else self.trace.tokens)
        across = {"max_cols": 6} if turned and n_tokens > 8 else {}

        def lines(first, second) -> dict:
            # the rows and columns to show (None: the kit's elision), turned round in columns
            return {"rows": second, "cols": first} if turned else {"rows": first, "cols": second}

        tokens = "S" if side == "key_tokens" else "T"
        x = TraceMatrix(
            self.num,
            x_key,
            role="X",
            transpose=turned,
            dims=(tokens, "d_model"),
            **lines(None, parts),
            **across,
        )
        w = TraceMatrix(
            self.num,
            f"{h}.W_{role}",
            role="learned",
            transpose=turned,
            dims=("d_model", width),
            **lines(parts, outs),
        )
        out = TraceMatrix(
            self.num,
            f"{h}.{role}",
            role=role,
            transpose=turned,
            dims=(tokens, width),
            **lines(None, outs),
            **across,
        )
        # the room under the formula, less the sum's line under Q's
        room = self.ruler().get_bottom()[1] - 0.3 - CAPTION_TOP
        room -= SUM_LINE if role == "Q" else 0.1
        product = MatrixProduct.written(
            self.num,
            view,
            x,
            w,
            out,
            (view.tex("X"), f"W_{role}", role),
            ("X", "learned", role),
            tokens=(side, x),
            height=room,
        )
        # a small product (two tokens of two components) grows to fill the room
        product.scale(min(GROWTH, CONTENT_WIDTH / product.width, room / product.height))
        product.next_to(self.ruler(), DOWN, buff=0.3)
        return product

    def bias(self, role: str) -> str | None:
        """The key of this head's bias for ``role`` (b_Q, b_K, b_V), if the layer has one."""
        if getattr(self.trace.heads[self.head], f"b_{role}") is None:
            return None
        return f"heads.{self.head}.b_{role}"

    @staticmethod
    def result_shell(product: MatrixProduct) -> VGroup:
        """The result's brackets and elision dots: all of it but its numbers and heading."""
        result = product.result
        dots = [m for m in result.matrix.get_entries() if m not in result.entries.values()]
        return VGroup(result.matrix.get_brackets(), *dots)

    @staticmethod
    def second(product: MatrixProduct) -> tuple[int, int]:
        """A second entry to work: the next column of the first row (or the next row)."""
        cols = [c for (r, c) in product.result.entries if r == 0]
        return (0, cols[1]) if len(cols) > 1 else (1, 0)


def shown(size: int) -> list[int | None]:
    """The components of a vector of ``size`` shown: all of them, or for a wide one its first
    three, a ⋯ and its last."""
    return elided(size, size if size <= WIDE else 5)


def split(mob: VMobject, kept: set[int]) -> list[VMobject]:
    """``mob`` as pieces holding none of the ``kept`` mobjects (by id), which are left out."""
    if id(mob) in kept:
        return []
    if not any(id(m) in kept for m in mob.get_family()):
        return [mob]
    return [piece for sub in mob.submobjects for piece in split(sub, kept)]
