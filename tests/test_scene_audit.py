"""Every scene, for many sentences: every number on screen is the trace's, nothing leaves the
frame or overlaps, at the end of every animation (no pixels are rendered)."""

import numpy as np
import pytest
from conftest import CONFIGS
from manim import DOWN as DOWN_
from manim import RIGHT as RIGHT_
from manim import UP as UP_
from scene_audit import Report, audit, check_animations
from scene_runs import CASES, run_scene, scene_params, trace_of

from qkv import MAX_TOKENS, build_trace, load_config, lookup, lookup_array
from scenes import LESSON
from scenes.kit.provenance import Numbers, number_text

# What each scene must show whole: every entry at least once, through the helper (heads.H: the
# head the scene follows, the config's ``head``; ``key[i]``: only row i; a key the trace lacks,
# such as P without positions, is skipped).
SHOWS = {
    "WhyAttention": ["apple_fruit.output[0]", "apple_phone.output[0]", "apple_fruit.X"],
    "TokensToVectors": ["E", "P", "X"],
    "Projections": ["heads.H.W_Q", "heads.H.Q", "heads.H.K", "heads.H.V"],
    "Scores": ["heads.H.scores"],
    "Scaling": ["heads.H.scaled"],
    "Softmax": ["heads.H.weights"],
    "WeightedSum": ["heads.H.output"],
    "WhyScale": ["spread.d_k", "spread.std", "spread.scaled_std", "spread.sqrt_d_k"],
    "Cross": ["pair.heads.H.weights", "pair.heads.H.output"],
    "TrainedHeads": ["trained.best"],
}


def test_the_longest_english_case_is_at_the_limit():
    assert len(trace_of("en_long").tokens) == MAX_TOKENS


@pytest.mark.parametrize(("scene_cls", "case"), scene_params(LESSON, CASES))
def test_scene_shows_only_trace_numbers(scene_cls, case):
    run = run_scene(scene_cls, case)
    trace, report = run.trace, run.report
    assert run.refused is None, f"the honesty rule refused {run.refused!r}"
    assert report.problems == [], "\n".join(report.problems[:20])
    assert report.checkpoints > 5
    # the scene shows the whole of what it teaches (when small enough not to be elided)
    for entry in SHOWS.get(scene_cls.__name__, []):
        key, _, row = entry.replace("heads.H.", f"heads.{trace.config['head']}.").partition("[")
        try:
            shape = lookup_array(trace, key).shape
        except KeyError:
            continue  # absent from this trace (P without positions)
        shown = shape if len(shape) == 2 else (1, *shape)  # a vector shows as one line
        # matrices beyond 12 rows x 8 columns as displayed are elided (turned in columns)
        rows, cols = shown[::-1] if trace.config["convention"] == "columns" else shown
        if rows <= 12 and cols <= 8:
            wanted = [ix for ix in np.ndindex(shape) if not row or ix[0] == int(row.rstrip("]"))]
            missing = [ix for ix in wanted if (key, ix) not in report.distinct]
            assert not missing, f"{key} never shows {missing[:5]}"
    print(
        f"{scene_cls.__name__} {case}: audited {report.numbers} numbers "
        f"({len(report.distinct)} distinct) and {report.texts} texts "
        f"at {report.checkpoints} checkpoints"
    )


def test_count_up_steps_through_real_partial_sums(default_trace):
    num = Numbers(default_trace)
    shown = num.value("heads.0.Q", 2, 1)
    anim = num.count_up(shown, "heads.0.Q_partial", (2, 1))
    d_model = default_trace.X.shape[1]
    partials = [lookup(default_trace, "heads.0.Q_partial", (2, 1, n)) for n in range(d_model)]
    seen = []
    anim.begin()
    for alpha in [k / 50 for k in range(51)]:
        anim.interpolate(alpha)
        assert shown.number in partials  # every frame: a genuine partial sum
        assert shown.provenance.key == "heads.0.Q_partial"
        seen.append(shown.number)
    anim.finish()
    assert sorted(set(seen), key=partials.index) == partials  # every step appears, in order
    assert shown.number == pytest.approx(default_trace.heads[0].Q[2, 1], abs=1e-12)


def test_an_elided_count_up_never_runs_ahead_of_its_terms():
    """384 terms written as 6, a ⋯ and the last, then the bias: each written item gets its share
    of the time; every frame is a genuine partial sum, in order, ending with the bias added."""
    trace = build_trace(load_config(CONFIGS / "minilm.toml"))
    num = Numbers(trace)
    shown_terms = list(range(6)) + [None, 383, 384]  # 384 products, then b_Q as step 384
    number = num.value("heads.0.Q", 1, 2)
    anim = num.count_up(number, "heads.0.Q_partial", (1, 2), shown=shown_terms)
    partials = lookup_array(trace, "heads.0.Q_partial")[1, 2]
    assert partials.shape == (385,)
    steps = []
    anim.begin()
    for k in range(901):
        alpha = k / 900
        anim.interpolate(alpha)
        step = int(np.flatnonzero(partials == number.number)[0])
        timed = anim.rate_func(alpha)  # the count's own easing
        slot = min(int(timed * len(shown_terms)), len(shown_terms) - 1)
        if shown_terms[slot] is not None:
            assert step == shown_terms[slot]  # the term being written is the one counted
        steps.append(step)
    anim.finish()
    assert steps == sorted(steps) and steps[0] == 0 and steps[-1] == 384
    hidden = [k for k in steps if 6 <= k <= 382]  # the ⋯ runs through the steps it hides
    assert min(hidden) <= 20 and max(hidden) >= 365  # 900 frames: about 9 steps apart
    assert number.number == pytest.approx(trace.heads[0].Q[1, 2], abs=1e-12)  # bias included


def test_audit_catches_a_typed_in_number(default_trace):
    from manim import DOWN, UP, DecimalNumber, Scene, Text

    class Liar(Scene):
        trace = default_trace

    scene = Liar()
    scene.add(DecimalNumber(0.42).shift(UP), Text("costs 100 dollars").shift(DOWN))
    report = Report()
    audit(scene, report, "liar")
    assert len(report.problems) == 2
    assert "no provenance" in report.problems[0] and "digits" in report.problems[1]


def test_audit_catches_a_wrong_value(default_trace):
    from manim import Scene

    class Liar(Scene):
        trace = default_trace

    scene = Liar()
    number = Numbers(default_trace).value("X", 0, 0)
    number.set_value(number.number + 0.5)  # drawn value no longer the trace's
    scene.add(number)
    report = Report()
    audit(scene, report, "liar")
    assert report.problems


def _screen(trace, *mobs):
    from manim import Scene

    class Screen(Scene):
        pass

    scene = Screen()
    scene.trace = trace
    scene.add(*mobs)
    return scene


def test_audit_checks_bars_and_marks_like_numbers(default_trace):
    from manim import NumberLine

    num = Numbers(default_trace)
    true_bar = num.bar("heads.0.weights", 1, 2, unit=3.0)
    assert true_bar.width == pytest.approx(3.0 * default_trace.heads[0].weights[1, 2])
    true_bar.scale(0.5)  # a picture scaled as a whole stays true
    stretched = num.bar("heads.0.weights", 1, 3, unit=3.0).shift(2 * DOWN_)
    stretched.stretch(1.5, 0)
    axis = NumberLine(x_range=[-6, 6, 1], length=8).shift(2 * UP_)
    on_mark = num.mark("heads.0.scores", 0, 1, axis=axis)
    off_mark = num.mark("heads.0.scores", 0, 2, axis=axis).shift(0.5 * RIGHT_)
    report = Report()
    audit(_screen(default_trace, true_bar, stretched, axis, on_mark, off_mark), report, "bars")
    assert len(report.problems) == 2, report.problems
    assert "(1, 3)" in report.problems[0] or "(1, 3)" in report.problems[1]
    assert any("scores(0, 2)" in p for p in report.problems)


def test_a_term_carries_its_sign_and_a_plus_before_a_negative_is_caught(default_trace):
    from manim import MathTex, VGroup

    num = Numbers(default_trace)
    X = default_trace.X
    i, j = map(int, np.argwhere(X < -0.05)[0])
    term = num.term("X", i, j)
    assert term[0].tex_string == "-" and term[1].number == pytest.approx(-X[i, j])
    report = Report()
    audit(_screen(default_trace, term), report, "term")
    assert report.problems == []  # the magnitude shown is the trace's, audited as such
    typo = VGroup(MathTex("+"), num.value("X", i, j)).arrange(RIGHT_, buff=0.1)
    audit(_screen(default_trace, typo), report, "typo")
    assert len(report.problems) == 1 and "is written for" in report.problems[0]


def test_a_sum_whose_rounded_terms_miss_its_rounded_total_is_written_approx():
    from scenes.kit.provenance import rounded_sum_holds

    found = {True: None, False: None}
    for config in ("default.toml", "minilm.toml"):
        trace = build_trace(load_config(CONFIGS / config))
        weights = trace.heads[0].weights
        for i in range(weights.shape[0]):
            terms = [("heads.0.weights", (i, j)) for j in range(weights.shape[1])]
            holds = rounded_sum_holds(trace, terms, ("heads.0.weights_sum", (i,)), 2)
            found[holds] = found[holds] or (trace, terms, i)
    assert all(found.values()), "need rows of both kinds to test with"
    for holds, (trace, terms, i) in found.items():
        sign = Numbers(trace).relation(terms, ("heads.0.weights_sum", (i,)))
        assert sign.tex_string == ("=" if holds else r"\approx")
        sign.exact = not sign.exact  # a forged choice is caught
        report = Report()
        audit(_screen(trace, sign), report, "sum")
        assert report.problems and "wrong sign" in report.problems[0]


def test_a_quotient_is_written_approx_when_its_rounded_parts_miss(default_trace):
    # s ÷ √d_k = s' (Scaling's worked cell): 1.23 ÷ 1.41 is 0.8723…, so "=" only if s' shows 0.87
    num, p = Numbers(default_trace), default_trace.config["precision"]
    signs = []
    for i, j in np.ndindex(default_trace.heads[0].scores.shape):
        parts = [("heads.0.scores", (i, j)), ("dims.sqrt_d_k", ())]
        sign = num.relation(parts, ("heads.0.scaled", (i, j)), how="quotient")
        s, r = (float(number_text(lookup(default_trace, k, ix), p)) for k, ix in parts)
        shown = number_text(lookup(default_trace, "heads.0.scaled", (i, j)), p)
        assert (sign.tex_string == "=") == (f"{s / r:.{p}f}" == shown), (i, j)
        signs.append(sign.tex_string)
    assert "=" in signs
    with pytest.raises(ValueError, match="sum or a quotient"):
        num.relation(parts, ("heads.0.scaled", (0, 0)), how="product")


def test_audit_catches_a_highlight_off_its_target_and_one_left_on(default_trace):
    from scenes.kit.widgets import highlight

    num = Numbers(default_trace)
    a, b = num.value("X", 0, 0), num.value("X", 1, 0).shift(DOWN_)
    old, new = highlight(a, "#F5C542"), highlight(b, "#F5C542")
    report = Report()
    audit(_screen(default_trace, a, b, old, new), report, "two")
    assert len(report.problems) == 1 and "left on" in report.problems[0]
    report = Report()
    kept = highlight(a, "#F5C542", stays=True)
    audit(_screen(default_trace, a, b, kept, new), report, "kept")
    assert report.problems == []
    b.shift(RIGHT_)  # what the frame framed has moved away
    audit(_screen(default_trace, a, b, kept, new), report, "moved")
    assert len(report.problems) == 1 and "no longer encloses" in report.problems[0]


def test_audit_catches_digits_morphing_and_a_number_flying_across_others(default_trace):
    from manim import FadeTransform, ReplacementTransform

    num = Numbers(default_trace)
    a, b = num.value("X", 0, 0), num.value("X", 0, 1).shift(3 * RIGHT_)
    staying = num.value("X", 2, 2).shift(1.5 * RIGHT_)
    scene = _screen(default_trace, a, staying)
    report = Report()
    check_animations(scene, [FadeTransform(a, b.copy().move_to(a))], report, "fade")
    assert report.problems == []
    check_animations(scene, [ReplacementTransform(a, b)], report, "morph")
    assert any("morph" in p for p in report.problems)
    assert any("flies across" in p for p in report.problems)


def test_audit_catches_a_blank_frame_after_something_was_shown(default_trace):
    report = Report()
    number = Numbers(default_trace).value("X", 0, 0)
    audit(_screen(default_trace, number), report, "shown")
    audit(_screen(default_trace), report, "gone")
    assert len(report.problems) == 1 and "blank" in report.problems[0]


def test_crowded_labels_stay_upright_shrunk_or_staggered():
    from manim import Text, VGroup

    from scenes.kit.widgets import fit_in_slots, stagger

    words = ["Внимательный", "переводчик", "на"]
    labels = VGroup(*(Text(w, font_size=24) for w in words)).arrange(RIGHT_, buff=0.5)
    shapes = [lab.width / lab.height for lab in labels]
    widest = max(lab.width for lab in labels)
    assert not fit_in_slots(labels, widest + 0.2)  # room enough: left alone
    assert fit_in_slots(labels, widest * 0.95) is False  # a little crowded: shrunk by one factor
    assert max(lab.width for lab in labels) <= widest * 0.95 - 0.1 + 1e-9
    pitch = max(lab.width for lab in labels) * 0.5
    assert fit_in_slots(labels, pitch)  # crowded past the floor: to be staggered
    assert max(lab.width for lab in labels) <= 2 * pitch - 0.1 + 1e-9
    assert [lab.width / lab.height for lab in labels] == pytest.approx(shapes)  # never turned
    bottoms = [lab.get_bottom()[1] for lab in labels]
    stagger(labels)
    lifted = [lab.get_bottom()[1] - b for lab, b in zip(labels, bottoms, strict=True)]
    assert lifted[0] == lifted[2] == 0 and lifted[1] > max(lab.height for lab in labels)


def test_a_worked_entry_s_total_keeps_step_with_its_terms(default_trace):
    """While term n is written, the total shows the running sum up to term n: never a sum
    that includes a term not yet on screen, never one behind the terms shown."""
    from scenes.kit.picture import visible
    from scenes.kit.product import count_terms, written_sum

    num = Numbers(default_trace)
    terms, partial, index = "heads.0.scores_terms", "heads.0.scores_partial", (1, 2)
    written = written_sum(num, terms, partial, index, list(range(num.shape(terms)[-1])))
    partials = lookup_array(default_trace, partial)[index]
    group = count_terms(num, written, partial, index, run_time=3.0)
    group.begin()
    samples = 240
    for k in range(samples):
        group.interpolate((k + 0.5) / samples)  # between frames, never on a slot's edge
        step = int(np.flatnonzero(partials == written.total.number)[0])
        on = [n for n, term in enumerate(written.terms) if n == 0 or visible(term)]
        assert step == max(on), f"at {(k + 0.5) / samples:.3f}: total at step {step}, terms {on}"
    group.finish()
    assert written.total.number == partials[-1]


def test_audit_catches_two_numbers_overlapping_but_not_a_formula_s_own_parts(default_trace):
    from manim import MathTex

    num = Numbers(default_trace)
    a = num.value("X", 0, 0)
    b = num.value("X", 0, 1).move_to(a.get_center() + RIGHT_ * 0.05)  # on top of a
    apart = num.value("X", 0, 2).shift(RIGHT_ * 3)
    formula = MathTex(r"\mathrm{head}", "_{x}", r"\,W_O").shift(DOWN_ * 2)
    report = Report()
    audit(_screen(default_trace, a, b, apart, formula), report, "ov")
    first, second = (n.provenance.text for n in (a, b))
    assert [p for p in report.problems if "overlaps" in p] == [
        f"ov: TraceNumber('{first}') overlaps TraceNumber('{second}')"
    ]


def test_the_audit_s_boxes_are_manim_s(tmp_path):
    from manim import Circle, Line, MathTex, Matrix, Text, VGroup, tempconfig
    from scene_audit import _corners

    with tempconfig({"media_dir": str(tmp_path), "dry_run": True}):
        shapes = [
            Text("собака").shift(UP_),
            MathTex(r"s_{ij} = q_i \cdot k_j").rotate(0.3),
            Matrix([[1, -2], [3, 4]]).shift(DOWN_ * 2),
            Circle().stretch(2, 0),  # curved: handles outside the anchors
            Line(DOWN_, RIGHT_ * 3),
            VGroup(Text("a"), VGroup()),
        ]
        for shape in shapes:
            lo, hi = _corners(shape)
            assert np.allclose(lo, shape.get_critical_point((-1, -1, 0))), type(shape)
            assert np.allclose(hi, shape.get_critical_point((1, 1, 0))), type(shape)
