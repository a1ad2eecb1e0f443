"""One film: each scene opens on the picture the scene before it closed on.

That a scene ends on its closing picture, and that the picture fills the frame, the scene audit
checks for every scene and config (scene_audit.check_closing); that the rendered videos join
without a visible cut, tests/test_render.py measures on the pixels.
"""

import pytest
from manim import tempconfig

from lecture.runner import TEX_TEMPLATE
from scenes import LESSON
from scenes.kit.base import LessonScene
from scenes.kit.picture import content, signature


@pytest.mark.parametrize("scene_cls", LESSON, ids=lambda c: c.__name__)
def test_every_scene_has_a_closing_picture_of_its_own(scene_cls):
    assert "closing_picture" in vars(scene_cls), f"{scene_cls.__name__} inherits none"


def test_the_lesson_is_chained_in_order():
    assert LESSON[0].previous is None
    assert [cls.previous for cls in LESSON[1:]] == LESSON[:-1]


@pytest.mark.parametrize("scene_cls", LESSON[1:], ids=lambda c: c.__name__)
def test_a_scene_opens_on_the_closing_picture_before_it(scene_cls, default_trace):
    with tempconfig(
        {"dry_run": True, "tex_template_file": str(TEX_TEMPLATE), "verbosity": "ERROR"}
    ):
        scene = scene_cls(trace=default_trace, skip_animations=True)
        scene.setup()
    opening = signature(content(scene.mobjects))
    closing = signature([scene_cls.previous.picture_for(default_trace)])
    assert opening and opening == closing


def test_the_closing_picture_needs_only_the_trace(default_trace):
    # built on a stand-in: no renderer, no camera, nothing from construct
    for cls in LESSON:
        picture = cls.picture_for(default_trace)
        assert signature([picture]), f"{cls.__name__}'s closing picture is empty"
    assert not hasattr(LessonScene.__new__(LESSON[-1]), "renderer")
