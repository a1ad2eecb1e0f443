"""The two ways the lesson writes attention (teaching point T15), chosen by ``convention``.

rows (the paper): a token is a row; Q = X·W_Q, scores Q·Kᵀ, softmax per row, output A·V.
columns (seed 001): a token is a column of I = Xᵀ; Q = W_Q·I, A = Kᵀ·Q, softmax per column,
O = V·A′. The numbers are the same trace's, each matrix shown turned round; a product's factors
swap sides because (L·R)ᵀ = Rᵀ·Lᵀ.
"""

from __future__ import annotations

from dataclasses import dataclass

from manim import MathTex

from scenes.kit.style import LABEL_SIZE
from scenes.kit.widgets import role_formula

__all__ = ["DOT", "NORMALISER_TEX", "ONE_OUTPUT", "Convention", "score_formula"]

# symbol -> (rows form, columns form), LaTeX without digits
_TEX = {
    "X": ("X", "I"),
    "Q": (r"Q = X\,W_Q", r"Q = W_Q\,I"),
    "K": (r"K = X\,W_K", r"K = W_K\,I"),
    "V": (r"V = X\,W_V", r"V = W_V\,I"),
    "output": (r"\mathrm{out} = A\,V", r"O = V A'"),
    "A": ("A", "A'"),
}
# Every query's score against every key, per similarity: raw, then as the normaliser gets it.
_SCORES = {
    "dot": (r"Q\,K^{\top}", r"K^{\top} Q"),
    "cosine": (r"\cos(Q, K)", r"\cos(K, Q)"),
    "additive": (r"\mathrm{add}(Q, K)", r"\mathrm{add}(K, Q)"),
}
_SCORES["scaled_dot"] = _SCORES["dot"]
_SCALED = dict(
    _SCORES, scaled_dot=(r"\frac{Q\,K^{\top}}{\sqrt{d_k}}", r"\frac{K^{\top} Q}{\sqrt{d_k}}")
)
NORMALISER_TEX = {"softmax": r"\mathrm{softmax}", "relu": r"\mathrm{ReLU}"}
# One output as a formula, (LaTeX, role) in reading order: rows, then columns (O = V·A′).
ONE_OUTPUT = (
    (
        (r"\mathrm{out}_i", "output"),
        ("=", None),
        (r"\sum_j", None),
        ("a_{ij}", "weights"),
        (r"\,v_j", "V"),
    ),
    (("o_i", "output"), ("=", None), (r"\sum_j", None), ("v_j", "V"), (r"\,a'_{ji}", "weights")),
)


@dataclass(frozen=True)
class Convention:
    columns: bool
    similarity: str = "scaled_dot"  # the formulas name the trace's own score and normaliser
    normaliser: str = "softmax"
    bias: bool = False  # projections with biases: Q = X·W_Q + b_Q

    @classmethod
    def of(cls, trace) -> Convention:
        c = trace.config
        return cls(
            c.get("convention", "rows") == "columns",
            c.get("similarity", "scaled_dot"),
            c.get("normaliser", "softmax"),
            bool(c.get("bias", False)),
        )

    def turned(self, transposed_in_rows: bool = False) -> bool:
        """Whether to show a trace array turned round (its rows-convention flag flipped)."""
        return transposed_in_rows != self.columns

    def factors(self, left, right) -> tuple:
        """The factors of a product in the order this convention writes them."""
        return (right, left) if self.columns else (left, right)

    def tex(self, name: str) -> str:
        """The LaTeX of ``name`` as this convention writes it (no digits: numbers come from
        the trace)."""
        if name == "scores":
            return _SCORES[self.similarity][self.columns]
        if name == "scaled":
            return _SCALED[self.similarity][self.columns]
        if name in ("weights", "attention"):
            inner = NORMALISER_TEX[self.normaliser] + r"\!\left(" + self.tex("scaled") + r"\right)"
            if name == "weights":
                return ("A' = " if self.columns else "A = ") + inner
            return r"V\," + inner if self.columns else inner + " V"
        if self.bias and name in ("Q", "K", "V"):
            return _TEX[name][self.columns] + rf" + b_{name}"
        return _TEX[name][self.columns]

    @property
    def along(self) -> str:
        """Which way one query's weights run: 'row' or 'column' (caption keys use it)."""
        return "column" if self.columns else "row"


# One score as a formula, (LaTeX part, role) in reading order, per similarity: rows, columns.
_ENTRY = {
    "dot": (
        ((r"s_{i,j}", "weights"), ("=", None), ("q_i", "Q"), (r"\cdot", None), ("k_j", "K")),
        ((r"\alpha_{j,i}", "weights"), ("=", None), (r"k_j^{\top}", "K"), ("q_i", "Q")),
    ),
    "cosine": (
        (
            (r"s_{i,j}", "weights"),
            ("=", None),
            (r"\cos(", None),
            ("q_i", "Q"),
            (",", None),
            ("k_j", "K"),
            (")", None),
        ),
        (
            (r"\alpha_{j,i}", "weights"),
            ("=", None),
            (r"\cos(", None),
            ("k_j", "K"),
            (",", None),
            ("q_i", "Q"),
            (")", None),
        ),
    ),
    "additive": (
        (
            (r"s_{i,j}", "weights"),
            ("=", None),
            (r"w_a^{\top}", "learned"),
            (r"\tanh(", None),
            ("q_i", "Q"),
            ("+", None),
            ("k_j", "K"),
            (")", None),
        ),
        (
            (r"\alpha_{j,i}", "weights"),
            ("=", None),
            (r"w_a^{\top}", "learned"),
            (r"\tanh(", None),
            ("k_j", "K"),
            ("+", None),
            ("q_i", "Q"),
            (")", None),
        ),
    ),
}
_ENTRY["scaled_dot"] = _ENTRY["dot"]  # the scaling is the next scene's step
# Similarities whose score is the plain dot product q·k (scaled or not: scaling is scene 4).
DOT = ("dot", "scaled_dot")


def score_formula(view: Convention, similarity: str) -> MathTex:
    """``s_ij = q_i · k_j`` (or ``α_ji = k_jᵀ q_i``; or the cosine, the additive score), each
    symbol in its role's colour."""
    return role_formula(_ENTRY[similarity][view.columns], LABEL_SIZE * 1.3)
