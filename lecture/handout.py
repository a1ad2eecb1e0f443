"""handout.md: the lesson's matrices with their real values, in the lesson's language, for a
student to check by hand or a lecturer to print. Values come straight from the trace."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from qkv import Trace, lookup_array
from qkv.files import atomic

__all__ = ["HANDOUT_TEXT", "write_handout"]

_SHOWN_COLUMNS = 12  # wider matrices (a real model's 384) keep their first columns here
_SHOWN_ROWS = 16  # and taller ones (W_Q's 384 rows) their first rows; a sentence has at most 12

# Every heading and sentence of the handout, per language; {…} are filled from the trace.
HANDOUT_TEXT = {
    "en": {
        "title": "Attention, step by step: {sentence}",
        "setup": "{T} tokens, d_model = {d_model}, {h} head(s), d_k = {d_k}, d_v = {d_v}; "
        "similarity: {similarity}; normaliser: {normaliser}; causal mask: {causal}.",
        "digest": "Every number below is in trace.json (digest {digest}).",
        "elided": "Only the first {n} of {m} columns are printed; trace.json has them all.",
        "E": "E: each token's own vector, whatever its place (T × d_model)",
        "P": "P: the position vectors (T × d_model)",
        "X": "X: what enters the layer (T × d_model)",
        "X_kv": "X_kv: the other sentence's token vectors (S × d_model)",
        "head": "Head {k}",
        "layer": "All heads together",
        "W_Q": "W_Q: learned query weights (d_model × d_k)",
        "W_K": "W_K: learned key weights (d_model × d_k)",
        "W_V": "W_V: learned value weights (d_model × d_v)",
        "Q": "Q = X·W_Q: queries (T × d_k)",
        "K": "K = X·W_K: keys (S × d_k)",
        "V": "V = X·W_V: values (S × d_v)",
        "scores": "Scores: every query against every key (T × S)",
        "scaled": "Scaled scores, divided by √d_k = {sqrt_d_k} (T × S)",
        "weights": "Attention weights: each row adds up to one (T × S)",
        "output": "Output of the head = weights·V (T × d_v)",
        "concat": "The heads' outputs side by side (T × h·d_v)",
        "W_O": "W_O: learned output weights (h·d_v × d_model)",
        "final": "Output of the layer = concat·W_O (T × d_model)",
        "part2": "Part 2: beside the layer",
        "spread": "Why √d_k: the spread σ of q·k for {n} random pairs of each width",
        "unmasked": "Head {k} without the causal mask (T × S)",
        "causal": "Head {k} with a causal mask, as a decoder would (T × S)",
        "relu": "Head {k} normalised by ReLU instead of softmax (T × S)",
        "softmax": "Head {k} normalised by softmax (T × S)",
        "residual": "Encoder layer: R = X + attention output (T × d_model)",
        "normed": "LayerNorm(R), each row to mean 0 and spread 1 (T × d_model)",
        "encoder": "The encoder layer's output, after the feed-forward network (seeded, not "
        "trained) and Add & Norm (T × d_model)",
        "encoder_trained": "The layer's output: the model's own trained LayerNorms, GELU "
        "feed-forward network and biases; the hidden state entering the next "
        "layer (T × d_model)",
        "normed_trained": "LayerNorm(R) with the model's trained gain and shift (T × d_model)",
        "elided_rows": "Only the first {n} of {m} rows are printed; trace.json has them all.",
        "yes": "yes",
        "no": "no",
    },
    "zh": {
        "title": "注意力，一步一步：{sentence}",
        "setup": "{T} 个词元，d_model = {d_model}，{h} 个头，d_k = {d_k}，d_v = {d_v}；"
        "相似度：{similarity}；归一化：{normaliser}；因果掩码：{causal}。",
        "digest": "下面的每个数都在 trace.json 里（摘要 {digest}）。",
        "elided": "只列出 {m} 列中的前 {n} 列；完整数据见 trace.json。",
        "E": "E：每个词元自己的向量，与位置无关（T × d_model）",
        "P": "P：位置向量（T × d_model）",
        "X": "X：进入这一层的向量（T × d_model）",
        "X_kv": "X_kv：另一个句子的词元向量（S × d_model）",
        "head": "第 {k} 个头",
        "layer": "所有的头合在一起",
        "W_Q": "W_Q：学到的查询权重（d_model × d_k）",
        "W_K": "W_K：学到的键权重（d_model × d_k）",
        "W_V": "W_V：学到的值权重（d_model × d_v）",
        "Q": "Q = X·W_Q：查询（T × d_k）",
        "K": "K = X·W_K：键（S × d_k）",
        "V": "V = X·W_V：值（S × d_v）",
        "scores": "分数：每个查询对每个键（T × S）",
        "scaled": "缩放后的分数，除以 √d_k = {sqrt_d_k}（T × S）",
        "weights": "注意力权重：每一行加起来等于一（T × S）",
        "output": "这个头的输出 = 权重·V（T × d_v）",
        "concat": "各个头的输出并排拼接（T × h·d_v）",
        "W_O": "W_O：学到的输出权重（h·d_v × d_model）",
        "final": "这一层的输出 = 拼接·W_O（T × d_model）",
        "part2": "第二部分：这一层之外",
        "spread": "为什么除以 √d_k：每种维度下 {n} 对随机向量的 q·k 的散布 σ",
        "unmasked": "第 {k} 个头，不加因果掩码（T × S）",
        "causal": "第 {k} 个头，像解码器那样加上因果掩码（T × S）",
        "relu": "第 {k} 个头，用 ReLU 代替 softmax 归一化（T × S）",
        "softmax": "第 {k} 个头，用 softmax 归一化（T × S）",
        "residual": "编码器层：R = X + 注意力输出（T × d_model）",
        "normed": "LayerNorm(R)：每一行化为均值 0、散布 1（T × d_model）",
        "encoder": "编码器层的输出，经过前馈网络（随机生成，未训练）和 Add & Norm（T × d_model）",
        "encoder_trained": "这一层的输出：模型自己训练好的 LayerNorm、GELU 前馈网络和偏置；"
        "也就是进入下一层的隐藏状态（T × d_model）",
        "normed_trained": "LayerNorm(R)，带模型训练好的缩放和偏移（T × d_model）",
        "elided_rows": "只列出 {m} 行中的前 {n} 行；完整数据见 trace.json。",
        "yes": "是",
        "no": "否",
    },
    "ru": {
        "title": "Внимание шаг за шагом: {sentence}",
        "setup": "токенов: {T}, d_model = {d_model}, голов: {h}, d_k = {d_k}, d_v = {d_v}; "
        "сходство: {similarity}; нормировка: {normaliser}; каузальная маска: {causal}.",
        "digest": "Каждое число ниже есть в trace.json (дайджест {digest}).",
        "elided": "Показаны первые {n} столбцов из {m}; все они есть в trace.json.",
        "E": "E: собственный вектор каждого токена, независимо от места (T × d_model)",
        "P": "P: векторы позиций (T × d_model)",
        "X": "X: то, что входит в слой (T × d_model)",
        "X_kv": "X_kv: векторы токенов другого предложения (S × d_model)",
        "head": "Голова {k}",
        "layer": "Все головы вместе",
        "W_Q": "W_Q: обучаемые веса запросов (d_model × d_k)",
        "W_K": "W_K: обучаемые веса ключей (d_model × d_k)",
        "W_V": "W_V: обучаемые веса значений (d_model × d_v)",
        "Q": "Q = X·W_Q: запросы (T × d_k)",
        "K": "K = X·W_K: ключи (S × d_k)",
        "V": "V = X·W_V: значения (S × d_v)",
        "scores": "Оценки: каждый запрос с каждым ключом (T × S)",
        "scaled": "Масштабированные оценки, делённые на √d_k = {sqrt_d_k} (T × S)",
        "weights": "Веса внимания: каждая строка в сумме даёт единицу (T × S)",
        "output": "Выход головы = веса·V (T × d_v)",
        "concat": "Выходы голов рядом (T × h·d_v)",
        "W_O": "W_O: обучаемые выходные веса (h·d_v × d_model)",
        "final": "Выход слоя = concat·W_O (T × d_model)",
        "part2": "Часть 2: рядом со слоем",
        "spread": "Зачем √d_k: разброс σ произведений q·k для {n} случайных пар каждой размерности",
        "unmasked": "Голова {k} без каузальной маски (T × S)",
        "causal": "Голова {k} с каузальной маской, как в декодере (T × S)",
        "relu": "Голова {k} с нормировкой ReLU вместо softmax (T × S)",
        "softmax": "Голова {k} с нормировкой softmax (T × S)",
        "residual": "Слой кодировщика: R = X + выход внимания (T × d_model)",
        "normed": "LayerNorm(R): каждая строка к среднему 0 и разбросу 1 (T × d_model)",
        "encoder": "Выход слоя кодировщика после сети прямого распространения (случайной, "
        "не обученной) и Add & Norm (T × d_model)",
        "encoder_trained": "Выход слоя: обученные LayerNorm модели, сеть с GELU и смещения; "
        "это скрытое состояние на входе следующего слоя (T × d_model)",
        "normed_trained": "LayerNorm(R) с обученными масштабом и сдвигом модели (T × d_model)",
        "elided_rows": "Показаны первые {n} строк из {m}; все они есть в trace.json.",
        "yes": "да",
        "no": "нет",
    },
}


# The columns of part 2's spread table, per language.
_SPREAD_COLUMNS = {
    "en": ["σ", "√d_k", "σ after ÷ √d_k"],
    "zh": ["σ", "√d_k", "除以 √d_k 后的 σ"],
    "ru": ["σ", "√d_k", "σ после ÷ √d_k"],
}

# a titled table of the handout: (title, matrix, row labels, column labels)
_Table = Callable[[str, np.ndarray, list[str], list[str]], None]


def write_handout(trace: Trace, path: Path) -> Path:
    """Write ``path`` (Markdown) for ``trace`` in its config's language."""
    config = trace.config
    language = config.get("language", "en")
    text = HANDOUT_TEXT[language]
    precision = int(config.get("precision", 2))
    tokens = list(trace.tokens)
    keys = list(trace.key_tokens)
    dims = [str(i + 1) for i in range(max(trace.X.shape[1], 1))]
    head0 = trace.heads[0]
    d_k, d_v = head0.W_Q.shape[1], head0.W_V.shape[1]
    facts = dict(
        T=len(tokens),
        d_model=trace.X.shape[1],
        h=len(trace.heads),
        d_k=d_k,
        d_v=d_v,
        similarity=config.get("similarity"),
        normaliser=config.get("normaliser"),
        causal=text["yes" if config.get("causal") else "no"],
        digest=trace.digest[:12],
        sentence=_escape(trace.sentence),
    )
    out = [
        f"# {text['title'].format(**facts)}",
        "",
        text["setup"].format(**facts),
        "",
        text["digest"].format(**facts),
        "",
    ]

    def table(title: str, matrix: np.ndarray, rows: list[str], cols: list[str]) -> None:
        out.extend([f"### {title}", ""])
        out.extend(_table(matrix, rows, cols, precision, text))
        out.append("")

    table(text["E"], trace.E, tokens, dims)
    if trace.P is not None:
        table(text["P"], trace.P, tokens, dims)
    table(text["X"], trace.X, tokens, dims)
    if trace.X_kv is not None:
        table(text["X_kv"], trace.X_kv, keys, dims)
    scale = f"{np.sqrt(d_k):.{precision}f}"
    for k, head in enumerate(trace.heads):  # numbered from 0, as --head counts them
        out.extend([f"## {text['head'].format(k=k)}", ""])
        table(text["W_Q"], head.W_Q, dims, _index(d_k))
        table(text["W_K"], head.W_K, dims, _index(d_k))
        table(text["W_V"], head.W_V, dims, _index(d_v))
        table(text["Q"], head.Q, tokens, _index(d_k))
        table(text["K"], head.K, keys, _index(d_k))
        table(text["V"], head.V, keys, _index(d_v))
        table(text["scores"], head.scores, tokens, keys)
        if config.get("similarity") == "scaled_dot":
            table(text["scaled"].format(sqrt_d_k=scale), head.scaled, tokens, keys)
        table(text["weights"], head.weights, tokens, keys)
        table(text["output"], head.output, tokens, _index(d_v))
    out.extend([f"## {text['layer']}", ""])
    table(text["concat"], trace.concat, tokens, _index(trace.concat.shape[1]))
    table(text["W_O"], trace.W_O, _index(trace.W_O.shape[0]), dims)
    table(text["final"], trace.output, tokens, dims)
    _part_two(trace, text, _SPREAD_COLUMNS[language], table, tokens, keys, dims, out)
    with atomic(path) as partial:
        partial.write_text("\n".join(out), encoding="utf-8")
    return path


def _part_two(
    trace: Trace,
    text: dict[str, str],
    spread_columns: list[str],
    table: _Table,
    tokens: list[str],
    keys: list[str],
    dims: list[str],
    out: list[str],
) -> None:
    """The studies the lesson's second part shows beside the layer (qkv/studies.py)."""
    out.extend([f"## {text['part2']}", ""])
    spread = np.stack(
        [lookup_array(trace, f"spread.{k}") for k in ("d_k", "std", "sqrt_d_k", "scaled_std")],
        axis=1,
    )  # (widths, 4)
    samples = lookup_array(trace, "spread.samples").shape[1]
    table(
        text["spread"].format(n=samples),
        spread[:, 1:],
        [f"d_k = {d:.0f}" for d in spread[:, 0]],
        spread_columns,
    )
    focus = int(trace.config.get("head", 0))  # the head the lesson's scenes follow
    if trace.kv_tokens is None:  # a causal mask is for self-attention only
        masked = trace.config.get("causal")
        table(
            text["unmasked" if masked else "causal"].format(k=focus),
            lookup_array(trace, f"heads.{focus}.{'unmasked' if masked else 'causal'}_weights"),
            tokens,
            keys,
        )
    other = "softmax" if trace.config.get("normaliser") == "relu" else "relu"
    table(
        text[other].format(k=focus),
        lookup_array(trace, f"heads.{focus}.{other}_weights"),
        tokens,
        keys,
    )
    trained = "_trained" if lookup_array(trace, "encoder.trained") else ""
    table(text["residual"], lookup_array(trace, "encoder.residual"), tokens, dims)
    table(text["normed" + trained], lookup_array(trace, "encoder.normed"), tokens, dims)
    table(text["encoder" + trained], lookup_array(trace, "encoder.output"), tokens, dims)


def _table(
    matrix: np.ndarray, rows: list[str], cols: list[str], precision: int, text: dict[str, str]
) -> list[str]:
    shown = min(matrix.shape[1], _SHOWN_COLUMNS)
    head = "| | " + " | ".join(_escape(c) for c in cols[:shown]) + " |"
    rule = "|---|" + "---:|" * shown
    lines = min(matrix.shape[0], _SHOWN_ROWS)
    body = [
        f"| {_escape(r)} | " + " | ".join(f"{v:.{precision}f}" for v in row[:shown]) + " |"
        for r, row in zip(rows[:lines], matrix[:lines], strict=True)
    ]
    note = (
        [] if shown == matrix.shape[1] else ["", text["elided"].format(n=shown, m=matrix.shape[1])]
    )
    if lines < matrix.shape[0]:
        note += ["", text["elided_rows"].format(n=lines, m=matrix.shape[0])]
    return [head, rule, *body, *note]


def _index(n: int) -> list[str]:
    return [str(i + 1) for i in range(n)]


def _escape(token: str) -> str:
    """A token as literal Markdown text: its characters shown, never read as markup."""
    out = token.replace("\\", "\\\\")
    for ch in "|*_`[]<>#!":
        out = out.replace(ch, "\\" + ch)
    return out
