"""One run of a scene on one case, shared by every test that reads it.

A scene run without pixels (manim's dry run) costs seconds, and three test files ask the same
run different questions: the scene audit (every number and picture against the trace), the
pacing test (how long each caption stays) and the honest-caption tests (which captions are
said). ``run_scene`` runs a (scene, case) once per test process and records all three answers;
``scene_params`` marks the tests of one case as one xdist group (scripts/test.sh runs pytest
with ``--dist loadgroup``), so they land in one worker and the run is made once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from tempfile import mkdtemp

import pytest
from conftest import CONFIGS
from manim import Mobject, tempconfig
from scene_audit import Report, audit, check_animations, check_closing

from lecture.runner import TEX_TEMPLATE
from qkv import Trace, build_trace, load_config, lookup
from scenes.kit.base import HonestyError, LessonScene
from scenes.kit.provenance import number_text

LONG = {
    "en": "the quick brown fox jumps over the lazy dog near the river",
    "zh": "我爱注意力机制因为它有用",
    "ru": "Внимательный переводчик аккуратно перечитывает предложение",
}
# name -> (config file in config/, overrides): the sentences and configs every scene is run on
CASES: dict[str, tuple[str, dict]] = {
    "one_token": ("default.toml", {"sentence": "attention"}),
    "seeded": ("default.toml", {}),  # random weights: the honest-caption tests read it
    "en_long": ("default.toml", {"sentence": LONG["en"]}),  # the longest: widest token labels
    "zh_long": ("default.toml", {"sentence": LONG["zh"], "language": "zh"}),
    "ru_long": ("default.toml", {"sentence": LONG["ru"], "language": "ru"}),
    "hostile": ("default.toml", {"sentence": r"\input{x} $y$ <b>%"}),
    "digits": ("default.toml", {"sentence": "route 66 has 2 lanes"}),
    "causal": ("causal.toml", {}),
    "cross": ("cross.toml", {}),
    "chosen": ("apple.toml", {"sentence": "apple orange"}),  # chosen weights, never "random"
    "wide": ("default.toml", {"heads": 4, "d_model": 32}),  # wide X: elided columns
    "one_head": ("default.toml", {"heads": 1}),
    "zh": ("default.toml", {"sentence": "the cat sat on the mat", "language": "zh"}),
    "ru": ("ru.toml", {}),
    "en_columns": ("default.toml", {"convention": "columns", "sentence": LONG["en"]}),
    "ru_causal_columns": (
        "causal.toml",
        {"convention": "columns", "sentence": LONG["ru"], "language": "ru"},
    ),
    # seed 001's and 003's alternatives: no √d_k step, no softmax
    "additive_relu": ("default.toml", {"similarity": "additive", "normaliser": "relu"}),
    # the pretrained model: 384-wide vectors, 12 heads, word pieces, another head followed
    "minilm": ("minilm.toml", {}),
    # layer 0's head 2: scaled scores up to ~26, so Softmax shows e^(s − m)
    "minilm_zh": (
        "minilm.toml",
        {"sentence": "中国人学中文", "language": "zh", "layer": 0, "head": 2},
    ),
    "minilm_ru": (
        "minilm.toml",
        {"sentence": "кошка спит", "language": "ru", "layer": 5, "head": 11},
    ),
    "minilm_columns": (
        "minilm.toml",
        {"sentence": "the quick brown fox jumps over the lazy dog", "convention": "columns"},
    ),
}
# without positions the two "the" are one vector: Scores and Softmax must call it a tie (run for
# those two scenes only, by tests/test_honest_captions.py)
TIE = ("default.toml", {"sentence": "the cat the", "positions": "none"})


@dataclass(frozen=True)
class Run:
    trace: Trace
    report: Report  # the audit's findings
    said: tuple[tuple[str, str, float], ...]  # (caption key, text, seconds on screen)
    refused: str | None  # the caption key the honesty rule refused, ending the run


@cache
def trace_of(case: str) -> Trace:
    config, overrides = TIE if case == "tie" else CASES[case]
    return build_trace(load_config(CONFIGS / config).with_overrides(**overrides))


@cache
def _media() -> Path:
    # private to this process: parallel workers sharing one Text cache race on its files
    return Path(mkdtemp(prefix="scene_runs_"))


@cache
def closing_picture(scene_cls: type[LessonScene], case: str) -> Mobject:
    """The scene's closing picture for the case: built once, for the check of the scene's own
    last frame and for the next scene to open on (a copy each time)."""
    return scene_cls.picture_for(trace_of(case))


def _built_once(before: type[LessonScene], case: str) -> type[LessonScene]:
    """The scene before, whose closing picture (the one the next scene opens on) is built once
    per case: a sixth of a run went into building it again."""

    class Before(before):
        @classmethod
        def picture_for(cls, trace: Trace) -> Mobject:
            return closing_picture(before, case).copy()

    return Before


@cache
def run_scene(scene_cls: type[LessonScene], case: str) -> Run:
    """Run the scene on the case's trace without pixels, auditing after every animation and
    recording every caption with the time it stayed on screen."""
    trace = trace_of(case)
    report = Report(seen=scene_cls.previous is not None)  # it opens on the last picture
    said: list[tuple[str, str]] = []
    shown: list[float] = []
    refused: list[str] = []

    class Recorded(scene_cls):
        if scene_cls.previous is not None:
            previous = _built_once(scene_cls.previous, case)

        def setup(self):
            # even a dry run draws the frame's still part before each animation and at the
            # end; nothing here reads pixels, and drawing was a sixth of a run
            self.renderer.update_frame = lambda *args, **kwargs: None
            super().setup()

        def play(self, *animations, **kwargs):
            where = f"{scene_cls.__name__} animation {report.checkpoints + 1}"
            check_animations(self, animations, report, where)
            super().play(*animations, **kwargs)
            audit(self, report, f"{scene_cls.__name__} after animation {report.checkpoints}")

        def _end_subtitle(self) -> None:
            if self._caption is not None:
                shown.append(self.time - self._caption_since)
            super()._end_subtitle()

        def say(self, key: str, *refs: tuple[str, int], **kwargs) -> None:
            try:
                super().say(key, *refs, **kwargs)
            except HonestyError:
                refused.append(key)
                raise
            said.append((key, self._caption.original_text))

    # skip_animations jumps each animation to its end without drawing frames; the audit only
    # reads mobjects, so no pixels and no cache hashing are needed.
    with tempconfig(
        {
            "dry_run": True,
            "disable_caching": True,
            "verbosity": "ERROR",
            "media_dir": str(_media()),
            "tex_template_file": str(TEX_TEMPLATE),
            "progress_bar": "none",
        }
    ):
        scene = Recorded(trace=trace, skip_animations=True)
        try:
            scene.render()
        except HonestyError:
            pass  # recorded: the honest-caption tests name the key
        else:
            check_closing(scene, closing_picture(scene_cls, case), report, scene_cls.__name__)
            check_spoken_numbers(scene, report)
    captions = tuple(
        (key, text, seconds) for (key, text), seconds in zip(said, shown, strict=False)
    )
    return Run(trace, report, captions, refused[0] if refused else None)


def check_spoken_numbers(scene: LessonScene, report: Report) -> None:
    """A number the voice says is one the frame shows: the trace's, at the lesson's precision,
    and audited on screen in the scene."""
    for beat in scene.beats:
        for n in beat["numbers"]:
            key, index = n["key"], tuple(n["index"])
            value = number_text(lookup(scene.trace, key, index), scene.num.precision)
            if n["shown"] != value or value not in beat["spoken"]:
                report.problems.append(f"{beat['id']} says {n['shown']}, {key}{index} is {value}")
            if (key, index) not in report.distinct:
                report.problems.append(f"{beat['id']} says {key}{index}, never on screen")


def scene_params(scenes, cases) -> list:
    """pytest parameters (scene class, case name) for every pair, the tests of one case in one
    xdist group: the worker that runs a case's first test has its runs for the rest."""
    return [
        pytest.param(cls, case, marks=pytest.mark.xdist_group(case), id=f"{case}-{cls.__name__}")
        for case in cases
        for cls in scenes
    ]
