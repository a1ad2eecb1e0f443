"""Scene 2 (T3, T4): Q = X·W_Q as a matrix product worked entry by entry, then K and V.

The weights W are the learned parameters; everything else is fixed arithmetic.
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
    Write,
    config,
)

from scenes.kit.base import LessonScene
from scenes.kit.convention import Convention
from scenes.kit.product import MatrixProduct, fill_rest, work_entry
from scenes.kit.style import LABEL_SIZE, ROLE
from scenes.kit.widgets import TraceMatrix, highlight

__all__ = ["Projections"]


@dataclass
class Board:
    """What the next product takes over: the product and the formula on screen, and Q's
    formula, the anchor every later formula moves to and every product is laid out under."""

    product: MatrixProduct
    formula: MathTex
    anchor: MathTex


class Projections(LessonScene):
    map_step = "projections"  # lit on the lesson map
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

    def x_times_the_learned_weights(self) -> Board:
        """Q = X·W_Q (or W_Q·I): the token vectors, then the weights, which are learned."""
        view = Convention.of(self.trace)
        formula = MathTex(view.tex("Q"), font_size=LABEL_SIZE * 1.3, color=ROLE["Q"])
        formula.to_edge(UP, buff=0.3)
        product = self.product("Q", "tokens", below=formula)
        x_side, w_side = (1, 0) if view.columns else (0, 1)
        self.play(Write(formula), FadeIn(product.factor(x_side)), run_time=1.2)
        source = self.trace.config.get("source")
        if source == "minilm":
            self.say("learned_W_trained")
        elif source == "explicit":
            self.say("learned_W_given")
        else:
            self.say("learned_W")
        self.play(FadeIn(product.factor(w_side)))
        self.wait(1.9)
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
        self.wait(1.9)

    def the_same_product_for(self, role: str, board: Board) -> Board:
        """K (or V) in one move: the role's own weights take W_Q's place and the whole product
        appears at once, no entry worked again; X stays (the other sentence's, crossed)."""
        view = Convention.of(self.trace)
        old = board.product
        formula = MathTex(view.tex(role), font_size=LABEL_SIZE * 1.3, color=ROLE[role])
        formula.move_to(board.anchor)
        product = self.product(role, "key_tokens", below=board.anchor)
        x_side, w_side = (1, 0) if view.columns else (0, 1)
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
            FadeOut(VGroup(*old.result.entries.values())),
            run_time=0.9,
        )
        fill_rest(self, product, set(), run_time=1.2)
        self.wait(1.3 if crossed else 0.9)
        return Board(product, formula, board.anchor)

    def only_the_weights_are_learned(self, board: Board) -> None:
        """Only the weights (and biases) are learned; everything else is fixed arithmetic."""
        w_side = 0 if Convention.of(self.trace).columns else 1
        frame = highlight(board.product.factor(w_side)[0], ROLE["learned"])
        bias = bool(self.trace.config.get("bias"))
        self.say("learned_bias" if bias else "learned")
        self.play(Create(frame), run_time=0.6)
        self.wait(5.3 if bias else 4.1)

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
    def result_shell(product: MatrixProduct) -> VGroup:
        """The result's brackets, elision dots, name and shape: all of it but its numbers."""
        result = product.result
        dots = [m for m in result.matrix.get_entries() if m not in result.entries.values()]
        return VGroup(result.matrix.get_brackets(), *dots, product.heads[2])

    @staticmethod
    def second(product: MatrixProduct) -> tuple[int, int]:
        """A second entry to work: the next column of the first row (or the next row)."""
        cols = [c for (r, c) in product.result.entries if r == 0]
        return (0, cols[1]) if len(cols) > 1 else (1, 0)
