"""Every caption of the lesson in English, Chinese and Russian.

A caption may name tokens ({0}, {1}, ...) but never contains a number: numbers are drawn
from the trace, never written into prose.
"""

__all__ = ["CAPTIONS"]

CAPTIONS: dict[str, dict[str, str]] = {
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
    "vectors": {
        "en": "Each token becomes a vector; stacked as rows, they form the matrix X",
        "zh": "每个词元变成一个向量；按行堆叠，得到矩阵 X",
        "ru": "Каждый токен становится вектором; строки вместе образуют матрицу X",
    },
    "weights": {
        "en": "Attention weights: a row per query token, a column per key token",
        "zh": "注意力权重：每行是一个查询词元，每列是一个键词元",
        "ru": "Веса внимания: строка на каждый токен-запрос, столбец на каждый токен-ключ",
    },
    "rows_sum": {
        "en": "After softmax every row sums to one",
        "zh": "经过 softmax，每一行的和都是一",
        "ru": "После softmax сумма каждой строки равна единице",
    },
    "rows_relu": {
        "en": "With ReLU instead of softmax, rows need not sum to one",
        "zh": "用 ReLU 代替 softmax 时，每行的和不必是一",
        "ru": "С ReLU вместо softmax сумма строки не обязана быть единицей",
    },
    "focus": {
        "en": "\"{0}\" attends most to \"{1}\"",
        "zh": "“{0}”最关注“{1}”",
        "ru": "«{0}» больше всего смотрит на «{1}»",
    },
}
