"""Walk a scene's mobjects and check every visible number and word against the trace.

Used by the tests: the scene runs its ``construct`` (manim's dry run, no pixels written) and
after every animation each text-like mobject on screen is audited:
- a DecimalNumber must have been made by the provenance helper, hold exactly the trace's value
  at its key and index, and draw that value at the lesson's precision;
- a Text must be a token, the sentence or a caption, literally equal to what the trace says,
  or else contain no digit at all;
- a MathTex/Tex (formulas, symbols) must contain no digit: numbers never come from LaTeX strings.
It also checks the layout: everything inside the frame, no two texts overlapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from manim import DecimalNumber, MathTex, Mobject, SingleStringMathTex, Tex, Text, config

from qkv import Trace, lookup
from qkv.derived import lookup_text
from scenes.kit.layout import CAPTION_CLEARANCE
from scenes.kit.provenance import number_text, provenance_of

_DIGIT = re.compile(r"\d")


@dataclass
class Report:
    numbers: int = 0  # number mobjects checked against the trace (summed over checkpoints)
    texts: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)
    distinct: set = field(default_factory=set)  # (key, index) pairs seen


def _leaves(mob: Mobject):
    """Text-like mobjects in the family of ``mob``, not descending into them."""
    if isinstance(mob, (DecimalNumber, Text, SingleStringMathTex, Tex, MathTex)):
        yield mob
        return
    for sub in mob.submobjects:
        yield from _leaves(sub)


def _check_number(trace: Trace, mob: DecimalNumber, report: Report, where: str) -> None:
    prov = provenance_of(mob)
    if prov is None:
        report.problems.append(f"{where}: number {mob.number!r} has no provenance")
        return
    truth = lookup(trace, prov.key, prov.index)
    shown = mob._get_num_string(mob.number)
    if mob.number != truth:
        report.problems.append(f"{where}: {prov.key}{prov.index} holds {mob.number}, trace {truth}")
    if shown != number_text(truth, mob.num_decimal_places) or shown != prov.text:
        report.problems.append(f"{where}: {prov.key}{prov.index} draws {shown!r}, trace {truth}")
    report.numbers += 1
    report.distinct.add((prov.key, prov.index))


def _check_text(trace: Trace, mob: Text, report: Report, where: str) -> None:
    prov = provenance_of(mob)
    report.texts += 1
    if prov is None:
        if _DIGIT.search(mob.original_text):
            report.problems.append(
                f"{where}: text {mob.original_text!r} shows digits without provenance"
            )
        return
    if prov.key.startswith("caption."):
        template = prov.value  # the caption table's entry; tests/test_captions.py checks tables
        if _DIGIT.search(re.sub(r"\{\d+\}", "", template)):  # {0} is a token slot
            report.problems.append(f"{where}: caption template {template!r} holds a digit")
        truth = template.format(*(lookup_text(trace, side, (i,)) for side, i in prov.index))
    else:
        try:
            truth = lookup_text(trace, prov.key, prov.index)
        except (KeyError, IndexError):
            report.problems.append(f"{where}: text with unknown provenance {prov.key!r}")
            return
    if mob.original_text != truth:
        report.problems.append(f"{where}: text {mob.original_text!r} but the trace says {truth!r}")


def _check_layout(leaves: list[Mobject], report: Report, where: str) -> None:
    half_w, half_h = config.frame_width / 2, config.frame_height / 2
    boxes = []
    for mob in leaves:
        if mob.get_fill_opacity() == 0 and mob.get_stroke_opacity() == 0:
            continue  # invisible (faded out)
        lo, hi = mob.get_critical_point((-1, -1, 0)), mob.get_critical_point((1, 1, 0))
        if (
            lo[0] < -half_w - 1e-6
            or hi[0] > half_w + 1e-6
            or lo[1] < -half_h - 1e-6
            or hi[1] > half_h + 1e-6
        ):
            report.problems.append(f"{where}: {_name(mob)} leaves the frame")
        boxes.append((lo, hi, mob))
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            (lo1, hi1, m1), (lo2, hi2, m2) = boxes[a], boxes[b]
            overlap = np.minimum(hi1, hi2)[:2] - np.maximum(lo1, lo2)[:2]
            if (overlap > 0.02).all():
                report.problems.append(f"{where}: {_name(m1)} overlaps {_name(m2)}")


def _check_caption_clear(leaves: list[Mobject], report: Report, where: str) -> None:
    # the caption line keeps a clear band above it: nothing reaches down to it
    captions = [m for m in leaves if getattr(provenance_of(m), "key", "").startswith("caption.")]
    for caption in captions:
        top = caption.get_top()[1] + CAPTION_CLEARANCE
        left, right = caption.get_left()[0], caption.get_right()[0]
        for mob in leaves:
            if mob is caption or (mob.get_fill_opacity() == 0 and mob.get_stroke_opacity() == 0):
                continue
            lo, hi = mob.get_critical_point((-1, -1, 0)), mob.get_critical_point((1, 1, 0))
            if lo[1] < top and hi[0] > left and lo[0] < right:
                report.problems.append(f"{where}: {_name(mob)} reaches down to the caption")


def _name(mob: Mobject) -> str:
    text = getattr(mob, "original_text", None) or getattr(mob, "tex_string", None)
    if isinstance(mob, DecimalNumber):
        text = mob._get_num_string(mob.number)
    return f"{type(mob).__name__}({text!r})"


def audit(scene, report: Report, where: str) -> None:
    """Check everything on screen now; add what is wrong to ``report.problems``."""
    report.checkpoints += 1
    leaves = [leaf for mob in scene.mobjects for leaf in _leaves(mob)]
    for mob in leaves:
        if isinstance(mob, DecimalNumber):
            _check_number(scene.trace, mob, report, where)
        elif isinstance(mob, Text):
            _check_text(scene.trace, mob, report, where)
        else:  # a formula: symbols only
            if _DIGIT.search(mob.tex_string):
                report.problems.append(f"{where}: formula {mob.tex_string!r} holds a digit")
    _check_layout(leaves, report, where)
    _check_caption_clear(leaves, report, where)
