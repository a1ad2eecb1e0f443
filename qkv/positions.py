"""Where each token stands: the position vectors P added to the token vectors, X = E + P.

Attention itself is blind to order (permute the tokens and every output is permuted the same
way), so a repeated word would get the same row everywhere. Adding a vector that depends only on
the position gives the two "the"s of "the cat sat on the mat" two different rows of X.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["WAVELENGTH_BASE", "sinusoidal"]

Array = NDArray[np.float64]

WAVELENGTH_BASE = 10000.0  # the paper's: wavelengths from 2π to 10000·2π


def sinusoidal(T: int, d_model: int) -> Array:
    """The paper's positions (Vaswani et al. 2017, §3.5), shape (T, d_model).

    P[pos, 2i] = sin(pos / 10000^(2i/d_model)), P[pos, 2i+1] = cos(the same angle): every pair of
    columns is a clock turning at its own speed, so each position has its own pattern."""
    pos = np.arange(T, dtype=np.float64)[:, None]  # (T, 1)
    pair = np.arange(0, d_model, 2, dtype=np.float64)  # (ceil(d/2),) the 2i of each pair
    angle = pos / WAVELENGTH_BASE ** (pair / d_model)  # (T, ceil(d/2))
    P = np.empty((T, d_model))
    P[:, 0::2] = np.sin(angle)
    P[:, 1::2] = np.cos(angle[:, : d_model // 2])  # an odd width has no last cosine
    return P
