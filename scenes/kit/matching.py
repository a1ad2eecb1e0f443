"""``MatchingShapes``: manim's ``TransformMatchingShapes`` with the same frames in every run.

manim keys each part of a shape by ``hash()`` of its normalised points' bytes, and Python salts
the hash of bytes anew in every process (PYTHONHASHSEED). The keys go through a ``set``, whose
order follows the keys' values, and that order is the order the matched parts are drawn in: where
two parts overlap mid-transform (Scaling's fraction bar at 10.3 s, Masking's formula), the
pixels differed from one run to the next. Here the key is a digest of the same bytes, an ``int``
that no salt changes, so the set's order, and the frames, are the same in every run.
"""

from __future__ import annotations

import hashlib

import numpy as np
from manim import Mobject, TransformMatchingShapes

__all__ = ["MatchingShapes"]


class MatchingShapes(TransformMatchingShapes):
    @staticmethod
    def get_mobject_key(mobject: Mobject) -> int:
        """The part's shape, whatever its place and size: its points centred, at height 1,
        rounded to 3 places (as manim matches them), as 8 bytes of BLAKE2b read as an int."""
        mobject.save_state()
        mobject.center()
        mobject.set(height=1)
        shape = np.round(mobject.points, 3) + 0.0  # + 0.0: -0.0 and 0.0 are one shape
        mobject.restore()
        digest = hashlib.blake2b(shape.tobytes(), digest_size=8).digest()
        return int.from_bytes(digest, "little")
