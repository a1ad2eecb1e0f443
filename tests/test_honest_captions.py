"""Honest captions (issue 16): the lesson never shows its audience the command line, and never
reads meaning into a pattern made by random weights.

- No caption or label of any table (found as tests/test_captions.py finds them) names a
  command-line option or a file.
- Each scene, run without pixels (as the scene audit runs it) on a seeded trace, whose weights
  are random, never says a caption key its class lists in ``reads_pattern`` (what a pattern
  means: true of a trained layer's numbers at best), nor a caption with a reading phrase.
- Where the followed query's top two numbers look equal, Scores and Softmax call it a tie
  rather than name one key.
- A seeded lesson says the shared disclaimer (scenes/kit/captions.py ``random_weights``); a
  lesson whose weights were chosen or trained never does.
"""

from __future__ import annotations

import re

import pytest
from manim import tempconfig
from scene_runs import run_scene, scene_params, trace_of
from test_captions import ENTRIES

from scenes import LESSON, Scores, Softmax
from scenes.kit import captions as shared
from scenes.kit.base import HonestyError, LessonScene

DISCLAIMER = "random_weights"
# A command-line option (--cross, -q) or a file name (render.py, minilm.toml, trace.json).
COMMAND_LINE = re.compile(
    r"(?<![\w-])--?[a-z][\w-]*|\b[\w-]+\.(py|toml|json|md|srt|vtt|mp4|png|html|pptx)\b|"
    r"\b(render\.py|python|command line)\b",
    re.IGNORECASE,
)
# Phrases that read a pattern: said of random weights, they invent a meaning (backstop for
# captions whose keys no class lists in reads_pattern yet; the seeded runs are English).
READINGS = re.compile(
    r"attends? (most|mostly|mainly)|most alike|favou?rite|looks? hardest|prefers?|"
    r"cares? (most|about)|because they",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    ("where", "key", "entry"), ENTRIES, ids=[f"{w}.{k}" for w, k, _ in ENTRIES]
)
def test_no_caption_shows_the_command_line(where, key, entry):
    for language, text in entry.items():
        found = COMMAND_LINE.search(text)
        assert not found, f"{where}.{key}.{language} shows {found.group(0)!r}: {text!r}"


def test_the_disclaimer_is_shared_and_translated():
    assert set(shared.CAPTIONS[DISCLAIMER]) == {"en", "zh", "ru"}


@pytest.mark.parametrize("scene_cls", LESSON, ids=lambda c: c.__name__)
def test_pattern_readings_are_real_keys(scene_cls):
    unknown = set(scene_cls.reads_pattern) - set(scene_cls.captions) - set(shared.CAPTIONS)
    assert not unknown, f"{scene_cls.__name__}.reads_pattern names no caption: {unknown}"
    assert DISCLAIMER not in scene_cls.reads_pattern


def _said(scene_cls: type[LessonScene], case: str) -> list[tuple[str, str]]:
    """(key, text) of every caption the scene says, run without pixels on the case's trace
    (tests/scene_runs.py); a caption the base class refused is recorded with the text "refused"."""
    run = run_scene(scene_cls, case)
    said = [(key, text) for key, text, _ in run.said]
    return said + [(run.refused, "refused")] if run.refused else said


@pytest.mark.parametrize(("scene_cls", "case"), scene_params(LESSON, ["seeded"]))
def test_a_random_pattern_is_never_read(scene_cls, case):
    said = _said(scene_cls, case)
    readings = [key for key, _ in said if key in scene_cls.reads_pattern]
    assert not readings, f"{scene_cls.__name__} reads a random pattern: {readings}"
    phrased = [(key, text) for key, text in said if READINGS.search(text)]
    assert not phrased, f"{scene_cls.__name__} reads a random pattern: {phrased}"


@pytest.mark.xdist_group("seeded")
def test_a_seeded_lesson_says_its_weights_are_random():
    # in the lesson's order, up to the first scene that says it (the earlier, the better)
    for cls in LESSON:
        if DISCLAIMER in (key for key, _ in _said(cls, "seeded")):
            return
    pytest.fail(f"no scene of a seeded lesson says {DISCLAIMER!r}")


@pytest.mark.parametrize(("scene_cls", "case"), scene_params(LESSON, ["chosen"]))
def test_chosen_weights_are_never_called_random(scene_cls, case):
    assert DISCLAIMER not in (key for key, _ in _said(scene_cls, case))


@pytest.mark.parametrize(
    ("scene_cls", "tie", "one_key"),
    [(Scores, "best_tie", "best"), (Softmax, "focus_tie", "focus_random")],
    ids=lambda v: getattr(v, "__name__", v),
)
@pytest.mark.xdist_group("tie")
def test_a_tie_is_named_as_a_tie(scene_cls, tie, one_key):
    said = [key for key, _ in _said(scene_cls, "tie")]
    assert tie in said and one_key not in said, said


def test_the_base_class_refuses_a_reading_of_random_weights():
    class Reader(LessonScene):
        captions = {"reading": {"en": "It means something", "zh": "有含义", "ru": "Это значит"}}
        reads_pattern = frozenset({"reading"})

    with (
        tempconfig({"dry_run": True, "disable_caching": True, "verbosity": "ERROR"}),
        pytest.raises(HonestyError, match="reading"),
    ):
        Reader(trace=trace_of("seeded"), skip_animations=True).say("reading")
