"""Scene 2 (T3, T4): Q = X·W_Q as a matrix product worked entry by entry, then K and V.

The weights W are the learned parameters; everything else is fixed arithmetic.
"""

from __future__ import annotations

from manim import DOWN, UP, FadeIn, FadeOut, FadeTransform, MathTex, Write, config

from scenes.kit.base import LessonScene
from scenes.kit.convention import Convention
from scenes.kit.product import MatrixProduct, fill_rest, work_entry
from scenes.kit.style import LABEL_SIZE, ROLE
from scenes.kit.widgets import TraceMatrix

__all__ = ["Projections"]


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
        view = Convention.of(self.trace)
        h = f"heads.{self.head}"
        formula = MathTex(view.tex("Q"), font_size=LABEL_SIZE * 1.3, color=ROLE["Q"])
        formula.to_edge(UP, buff=0.3)
        self.play(Write(formula))
        first = self.product("Q", "tokens", below=formula)
        x_side, w_side = (1, 0) if view.columns else (0, 1)
        self.play(FadeIn(first.factor(x_side)))
        self.play(FadeIn(first.factor(w_side)))
        self.say("learned_W")
        self.wait(1.0)
        self.play(FadeIn(first.shell()))
        self.say("one_entry_columns" if view.columns else "one_entry")
        work_entry(
            self,
            first,
            f"{h}.Q_terms",
            f"{h}.Q_partial",
            0,
            0,
            role="Q",
            run_time=3.0,
            bias_key=self.bias("Q"),
        )
        work_entry(
            self,
            first,
            f"{h}.Q_terms",
            f"{h}.Q_partial",
            *self.second(first),
            role="Q",
            run_time=1.5,
            bias_key=self.bias("Q"),
        )
        self.say("all_entries")
        fill_rest(self, first, {(0, 0), self.second(first)})
        self.wait(1.0)
        self.say("learned_bias" if self.trace.config.get("bias") else "learned")
        self.wait(1.5)

        # K and V: the same code, their own colour; the keys' side in cross-attention
        current, shown = first, formula
        for role, caption in (("K", "keys"), ("V", "values")):
            nxt_formula = MathTex(view.tex(role), font_size=LABEL_SIZE * 1.3, color=ROLE[role])
            nxt_formula.move_to(formula)
            nxt = self.product(role, "key_tokens", below=formula)
            self.play(FadeOut(current), FadeTransform(shown, nxt_formula), FadeIn(nxt.shell()))
            self.say(caption)
            work_entry(
                self,
                nxt,
                f"{h}.{role}_terms",
                f"{h}.{role}_partial",
                0,
                0,
                role=role,
                run_time=1.2,
                bias_key=self.bias(role),
            )
            fill_rest(self, nxt, {(0, 0)}, run_time=1.5)
            self.wait(1.0)
            current, shown = nxt, nxt_formula

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
        left, right = view.factors(x, w)
        names = view.factors(view.tex("X"), f"W_{role}") + (role,)
        roles = view.factors("X", "learned") + (role,)
        product = MatrixProduct(
            self.num,
            left,
            right,
            out,
            names,
            roles,
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
