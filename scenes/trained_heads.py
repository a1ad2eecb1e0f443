"""Placeholder: being written (issue 16)."""

from scenes.kit.base import LessonScene


class TrainedHeads(LessonScene):
    captions = {"todo": {"en": "Coming next.", "zh": "稍后。", "ru": "Скоро."}}

    def construct(self) -> None:
        self.say("todo")
        self.wait(2)
