"""Which scenes to render (``--scenes``), checked without importing manim, so ``--no-video``
refuses a bad list as a render does. The names are the lesson's order (scenes/__init__.py's
LESSON; tests/test_cli.py checks the two agree)."""

from __future__ import annotations

from qkv import BadInput

__all__ = ["SCENE_NAMES", "choose_scenes", "stem_of"]

SCENE_NAMES = (
    "WhyAttention",
    "Overview",
    "TokensToVectors",
    "Projections",
    "Scores",
    "Scaling",
    "WhyScale",
    "Softmax",
    "WeightedSum",
    "Context",
    "TrainedHeads",
    "MultiHead",
    "Masking",
    "Cross",
    "Alternatives",
    "EncoderLayer",
    "Recap",
)
_EXAMPLE = "e.g. --scenes 3,Softmax"


def choose_scenes(names: str | None) -> list[str]:
    """The scenes ``names`` asks for (comma-separated class names, any case, or numbers from 1),
    each once, in the order given; None: every scene."""
    if names is None:
        return list(SCENE_NAMES)
    items = [name.strip() for name in names.split(",")]
    if not any(items):
        raise BadInput(f"--scenes names no scene; give names or numbers, {_EXAMPLE}")
    if not all(items):
        raise BadInput(f"--scenes {names!r} has an empty item; separate names by one comma")
    by_name = {name.lower(): name for name in SCENE_NAMES}
    chosen: list[str] = []
    for item in items:
        if item.isascii() and item.isdigit() and 1 <= int(item) <= len(SCENE_NAMES):
            name = SCENE_NAMES[int(item) - 1]
        elif item.lower() in by_name:
            name = by_name[item.lower()]
        else:
            raise BadInput(
                f"unknown scene {item!r}; choose from: {', '.join(SCENE_NAMES)} "
                f"(or 1-{len(SCENE_NAMES)}), {_EXAMPLE}"
            )
        if name not in chosen:  # twice would render it twice into one work folder
            chosen.append(name)
    return chosen


def stem_of(name: str) -> str:
    """``05_Scores``: a scene's files are named by its place in the lesson, whichever scenes one
    render picks (scenes.scene_stem says the same of a scene's class)."""
    return f"{SCENE_NAMES.index(name) + 1:02d}_{name}"
