"""One visual language for every scene: a colour per role, number colours, fonts, sizes."""

import numpy as np
from manim import GREY_B, GREY_E, RED_C, WHITE, ManimColor, interpolate_color

__all__ = [
    "ROLE",
    "FONT",
    "NUMBER_SIZE",
    "LABEL_SIZE",
    "CAPTION_SIZE",
    "BACKGROUND",
    "sign_colour",
    "MUTED",
    "FRAME_LINE",
]

# A colour per role, the same in every scene: the viewer learns it once.
ROLE: dict[str, ManimColor] = {
    "X": ManimColor("#D0D0D0"),  # token vectors
    "Q": ManimColor("#F5C542"),  # queries
    "K": ManimColor("#3FC1C9"),  # keys
    "V": ManimColor("#C38FFF"),  # values
    "weights": ManimColor("#FF9F43"),  # attention weights
    "output": ManimColor("#6FCF97"),  # outputs
    "learned": ManimColor("#FF6B9A"),  # learned parameters (W_Q, W_K, W_V, W_O)
}
BACKGROUND = ManimColor("#0E1117")
FRAME_LINE = GREY_E
MUTED = GREY_B

# Noto Sans CJK covers Latin, Cyrillic and CJK in one consistent face.
FONT = "Noto Sans CJK SC"
NUMBER_SIZE = 24
LABEL_SIZE = 30
CAPTION_SIZE = 26

# a true blue for positive numbers: BLUE_C sat too close to the keys' teal
_POSITIVE, _NEGATIVE = ManimColor("#5FA8FF"), RED_C


def sign_colour(value: float) -> ManimColor:
    """Blue for positive, red for negative, paler near zero (3Blue1Brown's embedding look)."""
    # tanh saturates smoothly: the seeded sources keep entries near unit size
    strength = float(np.tanh(abs(value)))
    target = _POSITIVE if value >= 0 else _NEGATIVE
    return interpolate_color(WHITE, target, 0.2 + 0.8 * strength)
