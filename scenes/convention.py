"""The two ways the lesson writes attention (teaching point T15), chosen by ``convention``.

rows (the paper): a token is a row; Q = X·W_Q, scores Q·Kᵀ, softmax per row, output A·V.
columns (seed 001): a token is a column of I = Xᵀ; Q = W_Q·I, A = Kᵀ·Q, softmax per column,
O = V·A′. The numbers are the same trace's, each matrix shown turned round; a product's factors
swap sides because (L·R)ᵀ = Rᵀ·Lᵀ.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Convention"]

# symbol -> (rows form, columns form), LaTeX without digits
_TEX = {
    "X": ("X", "I"),
    "Q": (r"Q = X\,W_Q", r"Q = W_Q\,I"),
    "K": (r"K = X\,W_K", r"K = W_K\,I"),
    "V": (r"V = X\,W_V", r"V = W_V\,I"),
    "scores": (r"Q\,K^{\top}", r"K^{\top} Q"),
    "scaled": (r"\frac{Q\,K^{\top}}{\sqrt{d_k}}", r"\frac{K^{\top} Q}{\sqrt{d_k}}"),
    "weights": (r"A = \mathrm{softmax}\!\left(\frac{Q\,K^{\top}}{\sqrt{d_k}}\right)",
                r"A' = \mathrm{softmax}\!\left(\frac{K^{\top} Q}{\sqrt{d_k}}\right)"),
    "output": (r"\mathrm{out} = A\,V", r"O = V A'"),
    "attention": (r"\mathrm{softmax}\!\left(\frac{Q\,K^{\top}}{\sqrt{d_k}}\right) V",
                  r"V\,\mathrm{softmax}\!\left(\frac{K^{\top} Q}{\sqrt{d_k}}\right)"),
    "A": ("A", "A'"),
}


@dataclass(frozen=True)
class Convention:
    columns: bool

    @classmethod
    def of(cls, trace) -> Convention:
        return cls(trace.config.get("convention", "rows") == "columns")

    def turned(self, transposed_in_rows: bool = False) -> bool:
        """Whether to show a trace array turned round (its rows-convention flag flipped)."""
        return transposed_in_rows != self.columns

    def factors(self, left, right) -> tuple:
        """The factors of a product in the order this convention writes them."""
        return (right, left) if self.columns else (left, right)

    def tex(self, name: str) -> str:
        return _TEX[name][self.columns]

    @property
    def along(self) -> str:
        """Which way one query's weights run: 'row' or 'column' (caption keys use it)."""
        return "column" if self.columns else "row"
