"""The base of every lesson scene: its trace, its number factory, its captions."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Protocol

from manim import DOWN, FadeIn, FadeOut, Mobject, Scene, Text, Transform, VGroup, config
from manim.utils.exceptions import EndSceneEarlyException

from qkv import Trace, build_trace, load_config, lookup
from qkv.derived import lookup_text
from scenes.kit import (
    fast_glyphs,  # noqa: F401  (glyphs parsed once, copies share their path)
    fast_paths,  # noqa: F401  (a shape traced for cairo in one pass)
)
from scenes.kit.captions import CAPTIONS
from scenes.kit.layout import CAPTION_BUFF, CONTENT_WIDTH
from scenes.kit.picture import content, signature
from scenes.kit.provenance import LTR_MARK, Numbers, Provenance, number_text
from scenes.kit.roadmap import Roadmap
from scenes.kit.style import BACKGROUND, CAPTION_SIZE, FONT, MUTED

__all__ = [
    "LessonScene",
    "Caption",
    "HonestyError",
    "READ_MIN",
    "READ_RATE",
    "TRACE_ENV",
    "default_trace",
]

# Reading speed (the quality bar): a caption stays up at least READ_MIN seconds and shows no
# more than READ_RATE characters a second (8 in Chinese, whose characters each carry a word).
READ_RATE = {"en": 15.0, "ru": 15.0, "zh": 8.0}
READ_MIN = 2.0
READ_MARGIN = 0.4  # the caption's fade-in, when it cannot be read yet
SPEECH_PAUSE = 0.5  # after a spoken beat, a breath before the next caption


class Narrator(Protocol):
    """What speaks a beat (lecture/voice.py): the audio file and how many seconds it lasts."""

    def speak(self, beat: str, text: str, language: str) -> tuple[str, float]: ...


# render.py hands a worker its trace through this variable (a trace.json path).
TRACE_ENV = "QKV_TRACE"


def default_trace() -> Trace:
    """The trace for a scene run by the plain manim CLI: $QKV_TRACE, else the default config."""
    path = os.environ.get(TRACE_ENV)
    return Trace.read_json(Path(path)) if path else build_trace(load_config())


class HonestyError(RuntimeError):
    """A caption that reads meaning into a pattern, said of a layer whose weights are random."""


class Caption(Text):
    """A caption in the lesson's language; the tokens it names are recorded like numbers.

    ``template`` is a caption table's entry (no digits; ``{0}`` slots for tokens) and ``refs``
    name the tokens as (side, index) pairs, side being ``tokens``, ``key_tokens`` or a study's
    (``pair.key_tokens``, ``trained.tokens``).
    """

    def __init__(
        self, trace: Trace, key: str, template: str, refs: tuple[tuple[str, int], ...] = ()
    ) -> None:
        text = template.format(*(lookup_text(trace, side, (i,)) for side, i in refs))
        # shaped and left-aligned as the tokens in it need (kit/provenance.py's TraceText)
        super().__init__(LTR_MARK + text, font=FONT, font_size=CAPTION_SIZE, color=MUTED)
        self.original_text = text
        self.provenance = Provenance(f"caption.{key}", refs, template, text)
        self.furniture = True  # on every frame, not part of the picture (kit/picture.py)


class LessonScene(Scene):
    """A scene that reads one trace. Subclasses write ``construct`` as a storyboard.

    ``captions`` is the scene's own table, key -> {"en": ..., "zh": ..., "ru": ...}; ``say`` looks
    there first, then in the shared table of scenes/captions.py.

    ``reads_pattern`` lists the scene's caption keys that say what a pattern does or means
    ("X attends most to Y"): at best true of a trained layer's numbers, so ``say`` refuses them
    when the weights are random (``random_weights``), where the scene says a plain fact instead
    (tests/test_honest_captions.py).
    """

    captions: dict[str, dict[str, str]] = {}
    # what the voice says instead of a caption that is too terse to be said aloud: the same
    # {0} token slots, and named slots for numbers on screen (``say(..., numbers=...)``)
    narration: dict[str, dict[str, str]] = {}
    reads_pattern: frozenset[str] = frozenset()
    map_step: str | None = None  # the lesson map's step this scene is on (kit/roadmap.py)
    # the scene before this one in the lesson (scenes/__init__.py sets it): this scene opens on
    # that one's closing picture, so the lesson plays as one film
    previous: type[LessonScene] | None = None
    # who speaks each caption (the renderer sets it for --voice); None: a silent lesson
    narrator: Narrator | None = None

    def __init__(self, trace: Trace | None = None, **kwargs) -> None:
        self._bind(trace if trace is not None else default_trace())
        self._caption: Caption | None = None
        self._caption_since = 0.0
        self._speech_until = 0.0  # when the speech started last ends (scene time)
        self.beats: list[dict] = []  # every beat in order: id, caption, spoken text, numbers
        self.opening: Mobject = VGroup()
        self._opening_fades = False
        self._map: Roadmap | None = None
        super().__init__(**kwargs)

    def _bind(self, trace: Trace) -> None:
        self.trace = trace
        self.num = Numbers(trace)
        self.language = trace.config["language"]
        # the head the single-head scenes follow (--head); traces from before it: the first
        self.head = int(trace.config.get("head", 0))

    @classmethod
    def picture_for(cls, trace: Trace) -> Mobject:
        """This scene's closing picture for ``trace``, built without rendering the scene: the
        next scene opens on it. Only the trace-bound attributes exist on the stand-in."""
        stand_in = cls.__new__(cls)
        stand_in._bind(trace)
        return stand_in.closing_picture()

    def closing_picture(self) -> Mobject:
        """The picture the scene ends on, rebuilt from the trace alone: the same mobjects in the
        same places as the last frame shows (tests/test_continuity.py). Every scene has one."""
        raise NotImplementedError(f"{type(self).__name__} has no closing picture")

    def setup(self) -> None:
        self.camera.background_color = BACKGROUND
        if self.previous is not None:  # open on where the scene before ended
            self.opening = self.previous.picture_for(self.trace)
            self._opening_fades = True
            self.add(self.opening)
        if self.map_step is not None:  # the map stays in the top strip for the whole scene
            before = self.previous.map_step if self.previous is not None else None
            self._map = Roadmap(before if before is not None else self.map_step).in_corner()
            self._map_turns = before is not None and before != self.map_step
            if before is not None:
                self.add(self._map)

    def take_opening(self) -> Mobject:
        """The opening picture, now the scene's own to keep or change (it no longer fades out
        by itself with the first animation)."""
        self._opening_fades = False
        return self.opening

    def play(self, *animations, **kwargs) -> None:
        """The first animation also hands over from the scene before: its picture fades out
        (unless taken) and the map lights this scene's step."""
        extra = []
        if self._opening_fades:
            self._opening_fades = False
            if self.opening.submobjects or len(self.opening.points):
                extra.append(FadeOut(self.opening))
        if self._map is not None and self._map not in self.mobjects:
            extra.append(FadeIn(self._map))
        elif self._map is not None and self._map_turns:
            self._map_turns = False
            extra.append(Transform(self._map, Roadmap(self.map_step).in_corner()))
        super().play(*animations, *extra, **kwargs)

    def end_on(self, picture: Mobject, run_time: float = 0.8) -> None:
        """Close on ``picture`` (the scene's closing picture): swapped in unseen when it is what
        the frame already shows, else the frame's content turns into it."""
        now = content(self.mobjects)
        if signature(now) == signature([picture]):
            self.remove(*now)
            self.add(picture)
            return
        self.play(*(FadeOut(m) for m in now), FadeIn(picture), run_time=run_time)

    @property
    def random_weights(self) -> bool:
        """The layer's weights are seeded at random, untrained: its patterns mean nothing."""
        return bool(self.trace.config["source"] == "seeded")

    def hold(self, at_least: float = 0.0) -> None:
        """Wait until the caption on screen has been up long enough to read: READ_MIN seconds,
        no faster than READ_RATE characters a second, and at least ``at_least`` seconds."""
        if self._caption is None:
            return
        reading = len(self._caption.original_text) / READ_RATE[self.language]
        shown = self.time - self._caption_since
        left = max(max(READ_MIN, at_least, reading) + READ_MARGIN - shown, self._voice_left())
        if left > 1 / config.frame_rate:  # less than a frame already reads as long enough
            self.wait(left)

    def _voice_left(self) -> float:
        # seconds until the last speech and a breath after it are over (0: silent, or over)
        return self._speech_until + SPEECH_PAUSE - self.time if self._speech_until else 0.0

    def say(
        self,
        key: str,
        *refs: tuple[str, int],
        numbers: dict[str, tuple[str, tuple[int, ...]]] | None = None,
    ) -> None:
        """Replace the caption at the bottom of the frame (and write it as a subtitle); the
        caption before it stays until it has been read. The voice says the caption, or the
        scene's ``narration`` for ``key`` with ``numbers`` (slot -> trace key and index: values
        on screen) read at the lesson's precision."""
        if key in self.reads_pattern and self.random_weights:
            raise HonestyError(
                f"{type(self).__name__} says {key!r}, a reading of a pattern, "
                "but this layer's weights are random: say what the numbers show instead"
            )
        if hasattr(self, "next_slide"):  # rendered as slides: every caption opens a slide
            self.next_slide()
        table = self.captions if key in self.captions else CAPTIONS
        caption = Caption(self.trace, key, table[key][self.language], refs)
        caption.scale_to_fit_width(min(caption.width, CONTENT_WIDTH))
        caption.to_edge(DOWN, buff=CAPTION_BUFF)
        self.hold()
        self._end_subtitle()
        old, self._caption = self._caption, caption
        self._caption_since = self.time
        self._speak(key, caption.original_text, self._narration(key, refs, numbers or {}))
        if old is not None:  # out, then in: two captions never share the line
            self.play(FadeOut(old), run_time=0.25)
        self.play(FadeIn(caption), run_time=0.4)

    def narrate(self, key: str, text: str) -> None:
        """A beat the voice says with no caption of its own (a line the picture already shows,
        as the recap's): after the speech before it; the scene goes on while it is said."""
        gap = self._voice_left()
        if self.narrator is not None and gap > 1 / config.frame_rate:
            self.wait(gap)
        self._speak(key, None, (text, []))

    def _narration(
        self, key: str, refs: tuple[tuple[str, int], ...], numbers: dict
    ) -> tuple[str, list[dict]] | None:
        # the narration text for a caption, with its numbers as shown and where they came from
        if key not in self.narration:
            return None
        said = {
            slot: number_text(lookup(self.trace, at, index), self.num.precision)
            for slot, (at, index) in numbers.items()
        }
        tokens = (lookup_text(self.trace, side, (i,)) for side, i in refs)
        text = self.narration[key][self.language].format(*tokens, **said)
        where = [
            {"slot": slot, "key": at, "index": list(index), "shown": said[slot]}
            for slot, (at, index) in numbers.items()
        ]
        return text, where

    def _speak(self, key: str, caption: str | None, narration: tuple[str, list] | None) -> None:
        # one beat: recorded for narration.md, and spoken if the lesson has a voice
        beat = f"{type(self).__name__}-{len(self.beats) + 1:02d}-{key}"
        text, numbers = narration if narration is not None else (caption or "", [])
        self.beats.append({"id": beat, "caption": caption, "spoken": text, "numbers": numbers})
        if self.narrator is not None:  # the voice starts with the beat
            sound, seconds = self.narrator.speak(beat, text, self.language)
            self.add_sound(sound)
            self._speech_until = self.time + seconds

    def _end_subtitle(self) -> None:
        # A subtitle lasts exactly as long as its caption is on screen.
        if self._caption is not None and self.time > self._caption_since:
            shown = self.time - self._caption_since
            self.add_subcaption(self._caption.original_text, duration=shown, offset=-shown)

    def tear_down(self) -> None:
        # the last caption is read too, then leaves: the next scene opens on the picture alone;
        # unless the render stops early on purpose (manim's -n): the scene has ended, and the
        # exception would escape tear_down as an error
        with contextlib.suppress(EndSceneEarlyException):
            self.hold()
            self._end_subtitle()
            if self._caption is not None:
                self.play(FadeOut(self._caption), run_time=0.3)
            self._caption = None
        self._end_subtitle()
        self._caption = None
        if self.narrator is not None:  # the voice track lasts as long as the pictures
            from pydub import AudioSegment  # manim's own audio mixer

            self.renderer.file_writer.add_audio_segment(AudioSegment.silent(0), time=self.time)
