"""A shape-matching transform draws its parts in the same order in every process, whatever
Python's hash salt (scenes/kit/matching.py): the order decides which part is on top where two
overlap mid-transform, so with manim's own keys two renders of Scaling differed."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT

# the parts' order in the matched group, from a process with the hash salt given
ORDER = """
import sys
from manim import Circle, RegularPolygon, Square, Star, Triangle, VGroup
from manim import TransformMatchingShapes
from scenes.kit.matching import MatchingShapes
kind = {"ours": MatchingShapes, "manim's": TransformMatchingShapes}[sys.argv[1]]
shapes = [Square(), Circle(), Triangle(), RegularPolygon(5), RegularPolygon(6), Star(),
          Star(7), RegularPolygon(8)]
source = VGroup(*shapes).arrange()
target = VGroup(*(s.copy() for s in reversed(shapes))).arrange().shift([0, -2, 0])
matched = kind(source, target).animations[0].mobject
print([shapes.index(group[0]) for group in matched.submobjects])  # a group per key
"""


def order(kind: str, salt: int) -> str:
    done = subprocess.run(
        [sys.executable, "-c", ORDER, kind], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "PYTHONHASHSEED": str(salt)}, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_parts_are_drawn_in_one_order_whatever_the_hash_salt():
    orders = {order("ours", salt) for salt in (1, 2, 3)}
    assert len(orders) == 1 and sorted(eval(orders.pop())) == list(range(8))


def test_manims_own_keys_do_depend_on_the_salt():
    """What the class is for: without it, the order changes with the salt (if manim changes
    this, scenes/kit/matching.py can go)."""
    assert len({order("manim's", salt) for salt in (1, 2, 3)}) > 1
