"""Scene 2 (T3, T4): Q = X·W_Q as a matrix product worked entry by entry, then K and V.

The weights W are the learned parameters; everything else is fixed arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

from manim import DOWN, UP, FadeIn, FadeOut, FadeTransform, MathTex, Write, config

from scenes.kit.base import LessonScene
from scenes.kit.convention import Convention
from scenes.kit.product import MatrixProduct, fill_rest, work_entry
from scenes.kit.style import LABEL_SIZE, ROLE
from scenes.kit.widgets import TraceMatrix

__all__ = ["Projections"]


@dataclass
class Board:
    """What the next product takes over: the product and the formula on screen, and Q's
    formula, the anchor every later formula moves to and every product is laid out under."""

    product: MatrixProduct
    formula: MathTex
    anchor: MathTex


class Projections(LessonScene):
    captions = {
        "learned_W": {
            "en": "The query weights are learned in training; here they are given",
            "zh": "查询权重是在训练中学到的；在这里它们是给定的",
            "ru": "Веса запросов выучиваются при обучении; здесь они заданы",
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
            "en": "Every entry the same way: one matrix product gives all the queries",
            "zh": "其余元素同理：一次矩阵乘法得到全部查询向量",
            "ru": "Остальные элементы так же: одно умножение матриц даёт все запросы",
        },
        "keys": {
            "en": "The same product with the key weights gives the keys",
            "zh": "同样的乘法，换成键的权重，得到键",
            "ru": "То же произведение с весами ключей даёт ключи",
        },
        "values": {
            "en": "And with the value weights, the values",
            "zh": "换成值的权重，得到值",
            "ru": "А с весами значений — значения",
        },
    }

    def construct(self) -> None:
        """Q = X·W_Q worked entry by entry, then K and V by the same product."""
        queries = self.x_times_the_learned_weights()
        second = self.one_entry_term_by_term(queries)
        self.every_entry_the_same_way(queries, second)
        self.only_the_weights_are_learned()
        # K and V: the same code, their own colour; the keys' side in cross-attention
        keys = self.the_same_product_for("K", queries)
        self.the_same_product_for("V", keys)

    def x_times_the_learned_weights(self) -> Board:
        """Q = X·W_Q (or W_Q·I): the token vectors, then the weights, which are learned."""
        view = Convention.of(self.trace)
        formula = MathTex(view.tex("Q"), font_size=LABEL_SIZE * 1.3, color=ROLE["Q"])
        formula.to_edge(UP, buff=0.3)
        self.play(Write(formula))
        product = self.product("Q", "tokens", below=formula)
        x_side, w_side = (1, 0) if view.columns else (0, 1)
        self.play(FadeIn(product.factor(x_side)))
        self.play(FadeIn(product.factor(w_side)))
        self.say("learned_W")
        self.wait(1.0)
        return Board(product, formula, anchor=formula)

    def one_entry_term_by_term(self, board: Board) -> tuple[int, int]:
        """One entry of Q as a sum of products, then a second one faster; returns the second."""
        self.play(FadeIn(board.product.shell()))
        self.say("one_entry_columns" if Convention.of(self.trace).columns else "one_entry")
        second = self.second(board.product)
        self.count_up_entry(board.product, "Q", (0, 0), run_time=3.0)
        self.count_up_entry(board.product, "Q", second, run_time=1.5)
        return second

    def every_entry_the_same_way(self, board: Board, second: tuple[int, int]) -> None:
        """The rest of Q: one matrix product gives every query."""
        self.say("all_entries")
        fill_rest(self, board.product, {(0, 0), second})
        self.wait(1.0)

    def only_the_weights_are_learned(self) -> None:
        """Only the weights (and biases) are learned; everything else is fixed arithmetic."""
        self.say("learned_bias" if self.trace.config.get("bias") else "learned")
        self.wait(1.5)

    def the_same_product_for(self, role: str, board: Board) -> Board:
        """K (or V): the same product with the role's own weights, one entry worked, the rest
        filled, in place of the product before it."""
        view = Convention.of(self.trace)
        formula = MathTex(view.tex(role), font_size=LABEL_SIZE * 1.3, color=ROLE[role])
        formula.move_to(board.anchor)
        product = self.product(role, "key_tokens", below=board.anchor)
        self.play(
            FadeOut(board.product),
            FadeTransform(board.formula, formula),
            FadeIn(product.shell()),
        )
        self.say({"K": "keys", "V": "values"}[role])
        self.count_up_entry(product, role, (0, 0), run_time=1.2)
        fill_rest(self, product, {(0, 0)}, run_time=1.5)
        self.wait(1.0)
        return Board(product, formula, board.anchor)

    def count_up_entry(
        self, product: MatrixProduct, role: str, entry: tuple[int, int], *, run_time: float
    ) -> None:
        """Count one entry of X·W_role up through its real partial sums (its bias last)."""
        h = f"heads.{self.head}"
        work_entry(
            self,
            product,
            f"{h}.{role}_terms",
            f"{h}.{role}_partial",
            *entry,
            role=role,
            run_time=run_time,
            bias_key=self.bias(role),
        )

    def product(self, role: str, side: str, *, below) -> MatrixProduct:
        """X·W_role = role (or W_role·I = role), laid out under ``below``."""
        view = Convention.of(self.trace)
        h = f"heads.{self.head}"
        x_key = "X_kv" if side == "key_tokens" and self.trace.X_kv is not None else "X"
        width = "d_v" if role == "V" else "d_k"
        x = TraceMatrix(
            self.num,
            x_key,
            role="X",
            transpose=view.turned(),
            dims=("S" if side == "key_tokens" else "T", "d_model"),
        )
        w = TraceMatrix(
            self.num,
            f"{h}.W_{role}",
            role="learned",
            transpose=view.turned(),
            dims=("d_model", width),
        )
        out = TraceMatrix(
            self.num,
            f"{h}.{role}",
            role=role,
            transpose=view.turned(),
            dims=("S" if side == "key_tokens" else "T", width),
        )
        product = MatrixProduct.written(
            self.num,
            view,
            x,
            w,
            out,
            (view.tex("X"), f"W_{role}", role),
            ("X", "learned", role),
            tokens=(side, x),
            height=config.frame_height - 3.4,
        )
        product.next_to(below, DOWN, buff=0.3)
        return product

    def bias(self, role: str) -> str | None:
        """The key of this head's bias for ``role`` (b_Q, b_K, b_V), if the layer has one."""
        if getattr(self.trace.heads[self.head], f"b_{role}") is None:
            return None
        return f"heads.{self.head}.b_{role}"

    @staticmethod
    def second(product: MatrixProduct) -> tuple[int, int]:
        """A second entry to work: the next column of the first row (or the next row)."""
        cols = [c for (r, c) in product.result.entries if r == 0]
        return (0, cols[1]) if len(cols) > 1 else (1, 0)
