"""Every caption can be read at the speed it runs: on screen at least READ_MIN seconds and no
faster than READ_RATE characters a second (8 in Chinese), in every scene, for every case the
scene audit runs (the three languages, short and long sentences, every config), without pixels.
"""

import pytest
from scene_runs import CASES, run_scene, scene_params, trace_of

from scenes import LESSON
from scenes.kit.base import READ_MIN, READ_RATE


@pytest.mark.parametrize(("scene_cls", "case"), scene_params(LESSON, CASES))
def test_every_caption_stays_long_enough_to_read(scene_cls, case):
    run = run_scene(scene_cls, case)
    assert run.said, f"{scene_cls.__name__} says nothing"
    rate = READ_RATE[run.trace.config["language"]]
    too_fast = [
        (round(seconds, 2), text)
        for _, text, seconds in run.said
        if seconds < READ_MIN or len(text) / seconds > rate
    ]
    assert not too_fast, f"{scene_cls.__name__}: captions too fast to read: {too_fast}"


def test_the_cases_cover_three_languages_with_short_and_long_sentences():
    lengths: dict[str, list[int]] = {}
    for case in CASES:
        trace = trace_of(case)
        lengths.setdefault(trace.config["language"], []).append(len(trace.tokens))
    assert set(lengths) == {"en", "zh", "ru"}
    assert all(min(n) <= 6 and max(n) >= 10 for n in lengths.values()), lengths
