"""Part 2 (T12): cross-attention, queries from one sentence, keys and values from another.

With a cross trace (``--cross OTHER``, config/cross.toml): the two sentences, what each one
feeds (Q from the first; K and V from the other), the rectangular T × S pattern with each
query's strongest key, and one output per query token. With a self-attention trace the scene
shows the one-sentence case, with its square pattern, and says what cross-attention changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    MathTex,
    VGroup,
    Write,
)

from qkv import lookup
from qkv.derived import model_name
from scenes.kit.base import LessonScene
from scenes.kit.style import LABEL_SIZE, ROLE
from scenes.kit.widgets import TokenGrid, TokenRow, fit, highlight, shape_label

__all__ = ["Cross"]


@dataclass
class Pattern:
    """What the later beats point at: the T × S grid of weights and its shape label."""

    grid: TokenGrid
    shape: VGroup


class Cross(LessonScene):
    captions = {
        "two": {
            "en": "Two sentences: the one being written, and the one it translates",
            "zh": "两个句子：正在生成的那句，和它要翻译的那句",
            "ru": "Два предложения: то, что пишется, и то, что оно переводит",
        },
        "queries": {
            "en": "The queries come from the sentence being written",
            "zh": "查询来自正在生成的句子",
            "ru": "Запросы берутся из предложения, которое пишется",
        },
        "keys": {
            "en": "Keys and values come from the other sentence",
            "zh": "键和值来自另一个句子",
            "ru": "Ключи и значения берутся из другого предложения",
        },
        "pattern": {
            "en": "One row per query token, one column per source token: a rectangle",
            "zh": "每个查询词元一行，每个源词元一列：一个长方形",
            "ru": "Строка на каждый токен-запрос, столбец на каждый исходный: прямоугольник",
        },
        "pattern_square": {
            "en": "Both sentences happen to have the same length here: the rectangle is square",
            "zh": "这里两句话恰好一样长：长方形正好是正方形",
            "ru": "Здесь предложения одной длины: прямоугольник оказался квадратом",
        },
        "looks": {
            "en": '"{0}" looks most at "{1}"',
            "zh": "“{0}”最关注“{1}”",
            "ru": "«{0}» больше всего смотрит на «{1}»",
        },
        "outputs": {
            "en": "One output per query token, mixed from the other sentence's values",
            "zh": "每个查询词元一个输出，由另一句的值混合而成",
            "ru": "По выходу на каждый токен-запрос, смесь значений другого предложения",
        },
        "self": {
            "en": "In self-attention, queries, keys and values all come from one sentence",
            "zh": "在自注意力中，查询、键和值都来自同一个句子",
            "ru": "В самовнимании запросы, ключи и значения берутся из одного предложения",
        },
        "self_pattern": {
            "en": "So its pattern is square: every token against every token",
            "zh": "所以它的注意力图是正方形：每个词元对每个词元",
            "ru": "Поэтому его картина квадратная: каждый токен с каждым",
        },
        "cross_would": {
            "en": "Cross-attention takes keys and values from another sentence instead",
            "zh": "交叉注意力则从另一个句子取键和值",
            "ru": "Перекрёстное внимание берёт ключи и значения из другого предложения",
        },
        "how": {
            "en": "Give this lesson a second sentence with --cross to see it with real numbers",
            "zh": "用 --cross 给这节课第二个句子，就能看到真实的数字",
            "ru": "Дайте уроку второе предложение через --cross, и увидите реальные числа",
        },
        "how_encoder": {
            "en": "This model is an encoder and has none: cross-attention sits in a decoder",
            "zh": "这个模型是编码器，没有交叉注意力：交叉注意力在解码器里",
            "ru": "Эта модель — кодировщик, такого внимания в ней нет: оно бывает в декодере",
        },
    }

    def construct(self) -> None:
        """Where Q, K and V come from; the pattern they make; what it does (or would do)."""
        cross = self.trace.kv_tokens is not None
        if cross:
            self.show_two_sentences_feeding_queries_and_keys()
        else:
            self.show_one_sentence_feeding_all_three()
        pattern = self.show_the_pattern(cross)
        if cross:
            self.show_where_queries_look(pattern)
            self.show_one_output_per_query(pattern)
        else:
            self.say_what_cross_attention_changes()

    def show_two_sentences_feeding_queries_and_keys(self) -> None:
        """Q comes from the sentence being written; K and V from the one it translates."""
        top = TokenRow(self.num, "tokens", ROLE["Q"])
        bottom = TokenRow(self.num, "key_tokens", ROLE["K"])
        q, k, v = self._feeds(kv_from="X_{\\text{kv}}")
        # each sentence on the left, what it feeds on the right of it
        for row, y in ((top, 2.4), (bottom, -0.4)):
            fit(row, 8.5, 1.0).move_to([-2.0, y, 0])
        q.next_to([2.8, 2.4, 0], RIGHT, buff=0)
        kv = VGroup(k, v).arrange(DOWN, buff=0.35).next_to([2.8, -0.4, 0], RIGHT, buff=0)
        self.say("two")
        self.play(FadeIn(top), FadeIn(bottom))
        self.wait(0.8)
        self.say("queries")
        self.play(FadeIn(q, shift=DOWN * 0.2))
        self.say("keys")
        self.play(FadeIn(kv, shift=DOWN * 0.2))
        self.wait(1.2)
        self.play(FadeOut(VGroup(top, bottom, q, kv)))

    def show_one_sentence_feeding_all_three(self) -> None:
        """In self-attention one sentence gives the queries, the keys and the values."""
        top = TokenRow(self.num, "tokens", ROLE["Q"])
        feeds = VGroup(*self._feeds(kv_from="X"))
        fit(top, 12.5, 1.0).move_to(UP * 2.0)
        feeds.arrange(RIGHT, buff=0.8).next_to(top, DOWN, buff=0.7)
        self.say("self")
        self.play(FadeIn(top))
        self.play(FadeIn(feeds, shift=DOWN * 0.2))
        self.wait(1.2)
        self.play(FadeOut(VGroup(top, feeds)))

    def show_the_pattern(self, cross: bool) -> Pattern:
        """The pattern has T rows of queries and S columns of keys."""
        grid = TokenGrid(self.num, "weights", self.head, cell=0.8)
        shape = shape_label(self.num, "T", "S", "T", "S").scale(1.25)
        fit(grid, 9.0, 6.4)
        grid.move_to([-1.6, 0.15, 0])
        shape.next_to(grid, RIGHT, buff=0.6)
        self.play(
            Create(grid.squares), FadeIn(grid.row_labels), FadeIn(grid.col_labels), run_time=1.2
        )
        self.play(Write(shape))
        square = len(self.trace.tokens) == len(self.trace.key_tokens)
        if cross:
            self.say("pattern_square" if square else "pattern")
        else:
            self.say("self_pattern")
        self.wait(1.5)
        return Pattern(grid, shape)

    def say_what_cross_attention_changes(self) -> None:
        """Cross-attention would take the keys and values from another sentence."""
        self.say("cross_would")
        self.wait(2.0)
        # a pretrained encoder has no cross-attention to show; the seeded layer can have it
        self.say("how_encoder" if model_name(self.trace) is not None else "how")
        self.wait(2.0)

    def show_where_queries_look(self, pattern: Pattern) -> None:
        """Each query's strongest key, for the first few queries."""
        for i in range(min(3, len(self.trace.tokens))):
            j = int(lookup(self.trace, f"heads.{self.head}.top_key", (i,)))
            box = highlight(pattern.grid.cell_at(i, j), ROLE["weights"])
            self.play(Create(box), run_time=0.5)
            self.say("looks", ("tokens", i), ("key_tokens", j))
            self.wait(1.0)
            self.play(FadeOut(box), run_time=0.3)

    def show_one_output_per_query(self, pattern: Pattern) -> None:
        """One output per query token, mixed from the other sentence's values."""
        out = self._feed(r"\mathrm{out} = A\,V", ("T", "d_v"), "output")
        out.next_to(pattern.shape, DOWN, buff=0.6).align_to(pattern.shape, LEFT)
        self.say("outputs")
        self.play(FadeIn(out))
        self.wait(2.0)

    def _feeds(self, kv_from: str) -> tuple[VGroup, VGroup, VGroup]:
        """Q, K and V with their shapes, K and V computed from ``kv_from``."""
        return (
            self._feed(r"Q = X\,W_Q", ("T", "d_k"), "Q"),
            self._feed(rf"K = {kv_from}\,W_K", ("S", "d_k"), "K"),
            self._feed(rf"V = {kv_from}\,W_V", ("S", "d_v"), "V"),
        )

    def _feed(self, tex: str, dims: tuple[str, str], role: str) -> VGroup:
        """A formula in its role's colour over its real shape, e.g. ``K = X W_K`` and
        ``(S × d_k) = (6 × 3)``."""
        formula = MathTex(tex, font_size=LABEL_SIZE, color=ROLE[role])
        size = shape_label(self.num, *dims, *dims)  # these sizes are written as they are named
        return VGroup(formula, size).arrange(DOWN, buff=0.15).scale(1.25)
