"""Captions shared by several scenes, in English, Chinese and Russian.

Each scene keeps its own captions in its ``captions`` table; this one holds the few that more
than one scene says. A caption may name tokens ({0}, {1}, ...) but never contains a number:
numbers are drawn from the trace, never written into prose (tests/test_captions.py).
"""

__all__ = ["CAPTIONS"]

CAPTIONS: dict[str, dict[str, str]] = {
    "learned": {
        "en": "Only the weight matrices are learned; everything else is fixed arithmetic",
        "zh": "只有权重矩阵是学出来的；其余都是固定的运算",
        "ru": "Обучаются только весовые матрицы; всё остальное — фиксированная арифметика",
    },
    "learned_bias": {  # a layer with biases (a pretrained model's)
        "en": "Only the weight matrices and biases are learned; "
        "everything else is fixed arithmetic",
        "zh": "只有权重矩阵和偏置是学出来的；其余都是固定的运算",
        "ru": "Обучаются только весовые матрицы и смещения; "
        "всё остальное — фиксированная арифметика",
    },
    # said where a seeded layer's first pattern appears (Scores): its weights are random
    "random_weights": {
        "en": "This layer's weights are random, not trained: its patterns carry no meaning",
        "zh": "这一层的权重是随机的，没有经过训练：它的模式没有任何含义",
        "ru": "Веса этого слоя случайны, а не обучены: его узоры ничего не значат",
    },
}
