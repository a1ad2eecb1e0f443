"""Walk a scene's mobjects and check every visible number and word against the trace.

Used by the tests: the scene runs its ``construct`` (manim's dry run, no pixels written) and
after every animation each text-like mobject on screen is audited:
- a DecimalNumber must have been made by the provenance helper, hold exactly the trace's value
  at its key and index, and draw that value at the lesson's precision;
- a Text must be a token, the sentence or a caption, literally equal to what the trace says,
  or else contain no digit at all;
- a MathTex/Tex (formulas, symbols) must contain no digit: numbers never come from LaTeX strings.
It also checks the layout: everything inside the frame, no two texts overlapping; pictures of
numbers (bars, marks on a number line) against the trace like digits; every ``=`` of a written
sum against its rounded terms; "+ −0.2" (written "− 0.2"); highlights that no longer frame what
they highlight or are left on when the next one comes; a blank frame. ``check_animations``
looks at what an animation is about to do: a number's digits morphing into another's, a
mobject flying across numbers that stay. ``check_closing`` looks at the scene's last frame: more
than a third of the frame empty, or not the closing picture the next scene opens on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from manim import (
    AnimationGroup,
    DecimalNumber,
    FadeTransform,
    FadeTransformPieces,
    MathTex,
    Mobject,
    SingleStringMathTex,
    Tex,
    Text,
    Transform,
    TransformFromCopy,
    VMobject,
    config,
)
from manim.animation.fading import _Fade

from qkv import Trace, lookup
from qkv.derived import lookup_text
from scenes.kit.layout import CAPTION_CLEARANCE, CAPTION_TOP, MARGIN
from scenes.kit.picture import content, signature, visible
from scenes.kit.provenance import SumSign, number_text, provenance_of, rounded_sum_holds
from scenes.kit.roadmap import MAP_STRIP

_DIGIT = re.compile(r"\d")
_TEXTLIKE = (DecimalNumber, Text, SingleStringMathTex, Tex, MathTex)


@dataclass
class Report:
    numbers: int = 0  # number mobjects checked against the trace (summed over checkpoints)
    texts: int = 0
    checkpoints: int = 0
    seen: bool = False  # something has been on screen (a blank frame after it is a gap)
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
    if prov.magnitude:  # shown without its sign, which the operator before it carries
        truth = abs(truth)
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


def _drawn_parts(mob: Mobject):
    """A formula's visible parts (the strings it was written from), anything else whole: a
    number may stand in a formula's placeholder, which is drawn unseen."""
    if isinstance(mob, MathTex) and len(mob.submobjects) > 1:
        yield from (part for part in mob.submobjects if visible(part))
    else:
        yield mob


def _corners(mob: Mobject) -> tuple[np.ndarray, np.ndarray]:
    """The lower-left and upper-right corners of ``mob``'s box, the points manim's
    get_critical_point would find (a curve's anchors, not its handles), in one pass: asked of
    every leaf at every checkpoint, manim's way was a sixth of a scene run."""
    points = []
    for m in mob.get_family():
        if not len(m.points):
            continue
        if isinstance(m, VMobject) and len(m.points) > 1:
            step = m.n_points_per_cubic_curve
            points += [m.points[::step], m.points[step - 1 :: step]]
        else:
            points.append(m.points)
    if not points:
        return mob.get_critical_point((-1, -1, 0)), mob.get_critical_point((1, 1, 0))
    every = np.concatenate(points)
    return every.min(axis=0), every.max(axis=0)


def _check_layout(leaves: list[Mobject], report: Report, where: str) -> None:
    half_w, half_h = config.frame_width / 2, config.frame_height / 2
    boxes = []
    for mob in leaves:
        if not visible(mob):
            continue  # faded out
        lo, hi = _corners(mob)
        if (
            lo[0] < -half_w - 1e-6
            or hi[0] > half_w + 1e-6
            or lo[1] < -half_h - 1e-6
            or hi[1] > half_h + 1e-6
        ):
            report.problems.append(f"{where}: {_name(mob)} leaves the frame")
        for part in _drawn_parts(mob):
            lo, hi = _corners(part)
            boxes.append((lo, hi, mob))
    if len(boxes) < 2:
        return
    # every pair at once (n² pairs of boxes per checkpoint: a loop would cost seconds a scene)
    lo = np.array([b[0][:2] for b in boxes])  # (n, 2)
    hi = np.array([b[1][:2] for b in boxes])
    owner = np.array([id(b[2]) for b in boxes])
    overlap = np.minimum(hi[:, None], hi[None]) - np.maximum(lo[:, None], lo[None])  # (n, n, 2)
    hit = (overlap > 0.02).all(axis=-1) & (owner[:, None] != owner[None])  # not one formula's
    for a, b in np.argwhere(np.triu(hit, k=1)):
        report.problems.append(f"{where}: {_name(boxes[a][2])} overlaps {_name(boxes[b][2])}")


def _check_caption_clear(leaves: list[Mobject], report: Report, where: str) -> None:
    # the caption line keeps a clear band above it: nothing reaches down to it
    captions = [m for m in leaves if getattr(provenance_of(m), "key", "").startswith("caption.")]
    for caption in captions:
        top = caption.get_top()[1] + CAPTION_CLEARANCE
        left, right = caption.get_left()[0], caption.get_right()[0]
        for mob in leaves:
            if mob is caption or not visible(mob):
                continue
            lo, hi = _corners(mob)
            if lo[1] < top and hi[0] > left and lo[0] < right:
                report.problems.append(f"{where}: {_name(mob)} reaches down to the caption")


def _check_pictures(scene, report: Report, where: str) -> None:
    # bars and marks: the length or place drawn is the trace's value
    for mob in (m for top in scene.mobjects for m in top.get_family()):
        prov = provenance_of(mob)
        if prov is None or not hasattr(mob, "shown_value") or not visible(mob):
            continue
        truth = lookup(scene.trace, prov.key, prov.index)
        drawn = mob.shown_value()
        if hasattr(mob, "tolerance"):  # a mark: within half a dot of its value
            wrong = abs(drawn - truth) > mob.tolerance()
        else:  # a bar: its length is |value|
            wrong = abs(drawn - abs(truth)) > 1e-3 * max(1.0, abs(truth))
        if wrong:
            report.problems.append(
                f"{where}: {prov.key}{prov.index} drawn as {drawn:.4f}, trace {truth:.4f}"
            )
        report.numbers += 1
        report.distinct.add((prov.key, prov.index))


def _check_sums(scene, leaves: list[Mobject], report: Report, where: str) -> None:
    for mob in leaves:
        if isinstance(mob, SumSign) and visible(mob):
            holds = rounded_sum_holds(scene.trace, mob.terms, mob.total, mob.precision, mob.how)
            if holds != mob.exact:
                report.problems.append(f"{where}: a sum to {mob.total} written with the wrong sign")


def _check_operators(leaves: list[Mobject], report: Report, where: str) -> None:
    # "+ −0.22" reads as a typo for "− 0.22": a plus right before a negative number
    numbers = [m for m in leaves if isinstance(m, DecimalNumber) and visible(m)]
    for plus in leaves:
        if not isinstance(plus, (MathTex, SingleStringMathTex)) or not visible(plus):
            continue
        if not plus.tex_string.strip().endswith("+"):
            continue
        for number in numbers:
            gap = number.get_left()[0] - plus.get_right()[0]
            level = abs(number.get_center()[1] - plus.get_center()[1])
            if -0.02 < gap < 0.45 and level < 0.15 and number.number < 0:
                text = number._get_num_string(number.number)
                if text.startswith("-"):
                    report.problems.append(f"{where}: '+ {text}' is written for '− {text[1:]}'")


def _check_highlights(scene, report: Report, where: str) -> None:
    on_screen = {id(m) for top in scene.mobjects for m in top.get_family()}
    boxes = [
        m
        for top in scene.mobjects
        for m in top.get_family()
        if hasattr(m, "encloses") and visible(m)
    ]
    for box in boxes:
        target = box.encloses
        drawn = [m for m in target.get_family() if len(m.points)]
        if not any(id(m) in on_screen and visible(m) for m in drawn):
            report.problems.append(f"{where}: a highlight frames nothing on screen")
            continue
        (lo, hi), (tlo, thi) = _corners(box), _corners(target)
        if (tlo[:2] < lo[:2] - 0.02).any() or (thi[:2] > hi[:2] + 0.02).any():
            report.problems.append(f"{where}: a highlight no longer encloses what it highlights")
    passing: dict[str, int] = {}
    for box in boxes:
        if not box.stays:
            colour = box.get_stroke_color().to_hex()
            passing[colour] = passing.get(colour, 0) + 1
    for colour, count in passing.items():
        if count > 1:
            report.problems.append(f"{where}: {count} highlights in {colour} at once (one left on)")


def _check_not_blank(scene, report: Report, where: str) -> None:
    units = [m for top in content(scene.mobjects) for m in top.get_family() if len(m.points)]
    if any(visible(m) for m in units):
        report.seen = True
    elif report.seen:
        report.problems.append(f"{where}: a blank frame (nothing but caption and map)")


def _box(mob: Mobject) -> np.ndarray:
    lo, hi = _corners(mob)
    return np.array([*lo[:2], *hi[:2]])


def _meet(a: np.ndarray, b: np.ndarray, by: float = 0.05) -> bool:
    return bool(min(a[2], b[2]) - max(a[0], b[0]) > by and min(a[3], b[3]) - max(a[1], b[1]) > by)


def _flat(animations):
    for anim in animations:
        if isinstance(anim, AnimationGroup):
            yield from _flat(anim.animations)
        else:
            yield anim


def _has_text(mob: Mobject) -> bool:
    return any(isinstance(m, _TEXTLIKE) for m in mob.get_family())


def check_animations(scene, animations, report: Report, where: str) -> None:
    """Before ``play``: no number's digits morph into another's along a path, and nothing that
    moves far flies across numbers that stay where they are."""
    from manim.animation.animation import prepare_animation

    anims = [a for a in _flat(prepare_animation(a) for a in animations) if isinstance(a, Transform)]
    moving = set()
    paths = []
    for anim in anims:
        source, target = anim.mobject, anim.target_mobject
        if isinstance(anim, TransformFromCopy):
            source, target = target, source
        for mob in (source, target):
            if mob is not None:
                moving.update(id(m) for m in mob.get_family())
        if source is None or target is None:
            continue
        if not isinstance(anim, (FadeTransform, FadeTransformPieces)):
            old = [_name(m) for m in source.get_family() if isinstance(m, DecimalNumber)]
            new = [_name(m) for m in target.get_family() if isinstance(m, DecimalNumber)]
            if old and new and old != new:
                report.problems.append(f"{where}: digits morph from {old[:2]} into {new[:2]}")
        if isinstance(anim, _Fade) or not _has_text(source) or not _has_text(target):
            continue  # a fade does not travel; a frame or an arrow crossing numbers hides none
        start, end = _box(source), _box(target)
        if np.linalg.norm((start[:2] + start[2:]) / 2 - (end[:2] + end[2:]) / 2) > 0.6:
            paths.append((source, start, end))
    if not paths:
        return
    staying = [
        m
        for top in scene.mobjects
        for m in top.get_family()
        if isinstance(m, DecimalNumber) and visible(m) and id(m) not in moving
    ]
    for source, start, end in paths:
        for number in staying:
            spot = _box(number)
            if _meet(start, spot) or _meet(end, spot):
                continue
            if any(_meet(start + (end - start) * t, spot) for t in (0.3, 0.5, 0.7)):
                report.problems.append(f"{where}: {_name(source)} flies across {_name(number)}")
                break


def check_closing(scene, closing: Mobject, report: Report, name: str) -> None:
    """The last frame: its picture is ``closing``, the scene's closing picture the next scene
    opens on, and it fills at least two thirds of the content area (a 6 × 4 grid of cells, each
    touched by something)."""
    where = f"{name} at its end"
    shown = content(scene.mobjects)
    if signature(shown) != signature([closing]):
        report.problems.append(f"{where}: the last frame is not the scene's closing picture")
    left, right = -config.frame_width / 2 + MARGIN, config.frame_width / 2 - MARGIN
    bottom, top = CAPTION_TOP, config.frame_height / 2 - MAP_STRIP
    boxes = [_box(m) for t in shown for m in t.get_family() if len(m.points) and visible(m)]
    empty = 0
    for cx in range(6):
        for cy in range(4):
            x0, y0 = left + (right - left) * cx / 6, bottom + (top - bottom) * cy / 4
            cell = np.array([x0, y0, x0 + (right - left) / 6, y0 + (top - bottom) / 4])
            if not any(_meet(cell, b, by=0.0) for b in boxes):
                empty += 1
    if empty > 8:
        report.problems.append(f"{where}: {empty} of 24 cells of the frame are empty")


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
    _check_pictures(scene, report, where)
    _check_sums(scene, leaves, report, where)
    _check_operators(leaves, report, where)
    _check_highlights(scene, report, where)
    _check_not_blank(scene, report, where)
