"""Manim scenes of the lesson, one teaching step per file, in lesson order in ``LESSON``."""

from scenes.alternatives import Alternatives
from scenes.context import Context
from scenes.cross import Cross
from scenes.encoder_layer import EncoderLayer
from scenes.masking import Masking
from scenes.multi_head import MultiHead
from scenes.overview import Overview
from scenes.projections import Projections
from scenes.recap import Recap
from scenes.scaling import Scaling
from scenes.scores import Scores
from scenes.softmax import Softmax
from scenes.tokens_to_vectors import TokensToVectors
from scenes.trained_heads import TrainedHeads
from scenes.weighted_sum import WeightedSum
from scenes.why_attention import WhyAttention
from scenes.why_scale import WhyScale

__all__ = [
    "LESSON",
    "scene_stem",
    "PART_1",
    "PART_2",
    "Alternatives",
    "Context",
    "Cross",
    "EncoderLayer",
    "Masking",
    "MultiHead",
    "Overview",
    "Projections",
    "Recap",
    "Scaling",
    "Scores",
    "Softmax",
    "TokensToVectors",
    "TrainedHeads",
    "WeightedSum",
    "WhyAttention",
    "WhyScale",
]

# Part 1: why attention, the map, then the single-head path in the order a lecture tells it
# (why √d_k right after the scaling it explains).
PART_1 = [
    WhyAttention,
    Overview,
    TokensToVectors,
    Projections,
    Scores,
    Scaling,
    WhyScale,
    Softmax,
    WeightedSum,
]
# Part 2: what attention does to the vectors, what trained heads do, its variants, the layer
# around it, and a recap.
PART_2 = [Context, TrainedHeads, MultiHead, Masking, Cross, Alternatives, EncoderLayer, Recap]
LESSON = PART_1 + PART_2
for _before, _after in zip(LESSON, LESSON[1:], strict=False):
    _after.previous = _before  # each scene opens on the closing picture of the one before


def scene_stem(cls: type) -> str:
    """``03_Scores``: a scene's files are named by its place in the lesson, whichever scenes
    one render picks."""
    return f"{LESSON.index(cls) + 1:02d}_{cls.__name__}"
