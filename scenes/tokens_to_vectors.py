"""Scene 1 (T1): the sentence, its tokens, each token's vector, stacked into X (T × d_model).

In the column-vector convention the vectors stand as the columns of I (d_model × T).
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
    LaggedStart,
    MathTex,
    ReplacementTransform,
    Text,
    TransformMatchingShapes,
    VGroup,
    Write,
    config,
)

from qkv import lookup
from qkv.derived import model_name
from scenes.kit.base import LessonScene
from scenes.kit.convention import Convention
from scenes.kit.layout import CONTENT_WIDTH
from scenes.kit.provenance import TraceText
from scenes.kit.style import FONT, LABEL_SIZE, MUTED, ROLE
from scenes.kit.widgets import TokenRow, TraceMatrix, fit, highlight

__all__ = ["TokensToVectors"]


@dataclass
class Board:
    """What the later beats point at: the matrix of vectors, the token names beside it, and
    its heading (name and shape)."""

    X: TraceMatrix
    names: VGroup
    heading: VGroup


class TokensToVectors(LessonScene):
    captions = {
        "sentence": {
            "en": "A sentence, as you typed it",
            "zh": "你输入的一句话",
            "ru": "Предложение, как вы его ввели",
        },
        "tokens": {
            "en": "First it is split into tokens",
            "zh": "首先把它切分成词元（token）",
            "ru": "Сначала оно делится на токены",
        },
        "vectors_rows": {
            "en": "Each token becomes a vector; stacked as rows, they form the matrix X",
            "zh": "每个词元变成一个向量；按行堆叠，得到矩阵 X",
            "ru": "Каждый токен становится вектором; строки вместе образуют матрицу X",
        },
        "vectors_columns": {
            "en": "Each token becomes a vector; side by side as columns, they form the matrix I",
            "zh": "每个词元变成一个向量；按列并排，得到矩阵 I",
            "ru": "Каждый токен становится вектором; столбцы вместе образуют матрицу I",
        },
        "same_token": {
            "en": '"{0}" appears twice: the same token, the same vector',
            "zh": "“{0}”出现了两次：同一个词元，同一个向量",
            "ru": "«{0}» встречается дважды: тот же токен, тот же вектор",
        },
        "learned_table": {
            "en": "These vectors come from a table the model learns; here they are fixed",
            "zh": "这些向量来自模型学到的一张表；在这里它们是固定的",
            "ru": "Эти векторы берутся из таблицы, которую модель выучивает; здесь они заданы",
        },
        # the pretrained model: word pieces, positions, and the layers before this one
        "model_tokens": {
            "en": "The model's own tokenizer: word pieces, with [CLS] first and [SEP] last",
            "zh": "模型自己的分词器：子词，开头是 [CLS]，结尾是 [SEP]",
            "ru": "Собственный токенизатор модели: части слов, [CLS] в начале, [SEP] в конце",
        },
        "model_same_token": {
            "en": '"{0}" appears twice, yet its two vectors differ: each has its position added',
            "zh": "“{0}”出现了两次，向量却不同：每个都加上了自己位置的向量",
            "ru": "«{0}» встречается дважды, но векторы разные: к каждому добавлена его позиция",
        },
        "model_embeddings": {
            "en": (
                "The model's own vectors: a learned word vector plus a position vector, normalised"
            ),
            "zh": "这是模型自己的向量：学到的词向量加上位置向量，再做归一化",
            "ru": (
                "Это векторы самой модели: выученный вектор слова плюс вектор позиции, "
                "нормированные"
            ),
        },
        "model_hidden": {
            "en": (
                "The model's own vectors as they enter this layer, shaped by the layers before it"
            ),
            "zh": "这是进入这一层时模型自己的向量，已被前面各层改变",
            "ru": "Это векторы самой модели на входе в этот слой, изменённые предыдущими слоями",
        },
    }

    def construct(self) -> None:
        """The sentence, its tokens, each token's vector, stacked into X (or I)."""
        self.name_the_model()
        sentence = self.write_the_sentence()
        tokens = self.split_into_tokens(sentence)
        board = self.tokens_become_vectors(tokens)
        self.same_token_same_vector(board)
        self.where_the_vectors_come_from()

    @property
    def pretrained(self) -> bool:
        """Whether the vectors are a pretrained model's (word pieces, positions added)."""
        return model_name(self.trace) is not None

    def name_the_model(self) -> None:
        """Whose numbers these are, for a pretrained model: its name, the layer, the head."""
        if self.pretrained:
            self.add(self.model_badge().to_corner(UP + LEFT, buff=0.25))

    def write_the_sentence(self) -> TraceText:
        """The sentence, as typed."""
        sentence = TraceText(self.trace.sentence, "sentence", (), font_size=40)
        sentence.scale_to_fit_width(min(sentence.width, CONTENT_WIDTH)).to_edge(UP, buff=0.8)
        self.play(Write(sentence), run_time=1.2)
        self.say("sentence")
        self.wait(0.5)
        return sentence

    def split_into_tokens(self, sentence: TraceText) -> TokenRow:
        """The sentence splits into tokens (a model's own: word pieces between [CLS] and [SEP])."""
        tokens = TokenRow(self.num, font_size=34)
        tokens.scale_to_fit_width(min(tokens.width, CONTENT_WIDTH)).move_to(sentence)
        self.play(TransformMatchingShapes(sentence, tokens), run_time=1.2)
        self.say("model_tokens" if self.pretrained else "tokens")
        self.wait(0.8)
        return tokens

    def tokens_become_vectors(self, tokens: TokenRow) -> Board:
        """Each token becomes a vector: a row of X (or a column of I); its name moves beside it."""
        view = Convention.of(self.trace)
        board = self.lay_out_matrix(tokens)
        X, count = board.X, len(self.trace.tokens)
        self.play(
            *(ReplacementTransform(tokens.labels[i], board.names[i]) for i in range(count)),
            *(FadeOut(box[0]) for box in tokens),
            Create(X.matrix.get_brackets()),
            run_time=1.2,
        )
        vector = X.col if view.columns else X.row
        self.play(
            LaggedStart(
                *(
                    FadeIn(vector(i), shift=(DOWN if view.columns else RIGHT) * 0.3)
                    for i in range(count)
                ),
                lag_ratio=0.15,
            ),
            run_time=min(2.5, 0.3 * count + 0.6),
        )
        # the ⋯ (⋮) standing for the columns (rows) too many to show
        dots = [m for m in X.matrix.get_entries() if m not in X.entries.values()]
        self.play(FadeIn(board.heading), *(FadeIn(d) for d in dots))
        self.say("vectors_columns" if view.columns else "vectors_rows")
        self.wait(1.5)
        return board

    def lay_out_matrix(self, tokens: TokenRow) -> Board:
        """X (or I) under the tokens, its name and shape above it, each token's name beside its
        vector: to the left of its row, or above its column."""
        view = Convention.of(self.trace)
        # max_cols 12: in columns every token keeps its own column (and its name above it)
        X = TraceMatrix(
            self.num, "X", role="X", transpose=view.turned(), dims=("T", "d_model"), max_cols=12
        )
        names = X.name_lines(
            font_size=LABEL_SIZE * 0.85, max_width=1.6, left_buff=0.3, up_buff=0.25
        )
        title = MathTex(view.tex("X"), font_size=LABEL_SIZE * 1.4, color=ROLE["X"])
        heading = VGroup(title, X.shape_label()).arrange(RIGHT, buff=0.4)
        block = VGroup(heading, VGroup(names, X)).arrange(DOWN, buff=0.3)
        fit(block, CONTENT_WIDTH, config.frame_height - 3.0).next_to(tokens, DOWN, buff=0.4)
        return Board(X, names, heading)

    def same_token_same_vector(self, board: Board) -> None:
        """A repeated token has the same vector twice (no position yet); a model's differ."""
        tokens = self.trace.tokens
        later = next((i for i in range(len(tokens)) if tokens[i] in tokens[:i]), None)
        if later is None:
            return
        earlier = tokens.index(tokens[later])
        band = board.X.col_band if Convention.of(self.trace).columns else board.X.row_band
        boxes = [highlight(VGroup(band(k), board.names[k]), ROLE["Q"]) for k in (earlier, later)]
        self.play(*(Create(b) for b in boxes))
        self.say("model_same_token" if self.pretrained else "same_token", ("tokens", later))
        self.wait(1.5)
        self.play(*(FadeOut(b) for b in boxes))

    def where_the_vectors_come_from(self) -> None:
        """A table the model learns (fixed here), or the model's own vectors at this layer."""
        if not self.pretrained:
            self.say("learned_table")
        elif lookup(self.trace, "dims.layer") == 0:
            self.say("model_embeddings")
        else:
            self.say("model_hidden")
        self.wait(1.5)

    def model_badge(self) -> VGroup:
        """``all-MiniLM-L6-v2 · layer 2 · head 0``: the numbers from the trace's config."""
        size = LABEL_SIZE * 0.6
        words = BADGE[self.language]
        parts = [self.num.model(font_size=size, color=MUTED)]
        for word, dim in zip(words, ("layer", "head"), strict=True):
            parts += [
                Text(word, font=FONT, font_size=size, color=MUTED),
                self.num.dim(dim, font_size=size * 1.4, color=MUTED),
            ]  # TeX runs small
        return VGroup(*parts).arrange(RIGHT, buff=0.15)


# "· layer", "· head" before their numbers, in the lesson's language
BADGE = {"en": ("· layer", "· head"), "zh": ("· 第", "层 · 注意力头"), "ru": ("· слой", "· голова")}
