"""Every caption can be read at the speed it runs: on screen at least READ_MIN seconds and no
faster than READ_RATE characters a second (8 in Chinese), in every scene, in the three languages,
for short and long sentences, run without pixels."""

import pytest
from test_honest_captions import _trace, said_and_shown

from scenes import LESSON
from scenes.kit.base import READ_MIN, READ_RATE


@pytest.mark.parametrize(
    "case", ["seeded", "zh", "ru", "en long", "zh long", "ru long", "one token"]
)
@pytest.mark.parametrize("scene_cls", LESSON, ids=lambda c: c.__name__)
def test_every_caption_stays_long_enough_to_read(scene_cls, case):
    said = said_and_shown(scene_cls, case)
    assert said, f"{scene_cls.__name__} says nothing"
    rate = READ_RATE[_trace(case).config["language"]]
    too_fast = [
        (round(seconds, 2), text)
        for _, text, seconds in said
        if seconds < READ_MIN or len(text) / seconds > rate
    ]
    assert not too_fast, f"{scene_cls.__name__}: captions too fast to read: {too_fast}"
