"""Manim scenes of the lesson, one teaching step per file, in lesson order in ``LESSON``."""

from scenes.overview import Overview
from scenes.projections import Projections
from scenes.scaling import Scaling
from scenes.scores import Scores
from scenes.softmax import Softmax
from scenes.tokens_to_vectors import TokensToVectors
from scenes.weighted_sum import WeightedSum

__all__ = ["LESSON", "Overview", "Projections", "Scaling", "Scores", "Softmax",
           "TokensToVectors", "WeightedSum"]

# Part 1: the single-head path, in the order a lecture tells it.
LESSON = [TokensToVectors, Projections, Scores, Scaling, Softmax, WeightedSum, Overview]
