"""Shared fixtures: configs and traces built once per test session."""

import os
from pathlib import Path

import pytest

from qkv import build_trace, load_config

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "config"


def two_lesson_course(scenes: list[str]) -> str:
    """A course file of two short lessons (Russian, Chinese) at low quality: ``scenes`` each."""
    return (
        f'[defaults]\nquality = "low"\nscenes = {scenes!r}\n\n'
        '[[lesson]]\nsentence = "кошка сидит"\nlang = "ru"\n\n'
        '[[lesson]]\nsentence = "猫坐着"\nlang = "zh"\n'
    )


@pytest.fixture(scope="session")
def default_trace():
    return build_trace(load_config())


def trace_for(config: str = "default.toml", **overrides):
    """A trace of a config in config/, with optional overrides."""
    return build_trace(load_config(CONFIGS / config).with_overrides(**overrides))


@pytest.fixture(scope="session", autouse=True)
def manim_media(tmp_path_factory):
    """A media folder for manim private to this test process (never the project's media/):
    parallel workers sharing one Text cache race on its files."""
    from manim import config

    folder = tmp_path_factory.mktemp("manim_media")
    config.media_dir = str(folder)
    return folder


@pytest.fixture(scope="session", autouse=True)
def outline_cache(tmp_path_factory):
    """The renders' formula cache (lecture/outline_cache.py) for this test session only, shared
    by its workers: the session compiles every formula through LaTeX at least once, so a broken
    LaTeX install cannot hide behind the user's own warm cache."""
    base = tmp_path_factory.getbasetemp()  # a worker's own, under the session's
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "outline_cache"
    os.environ["QKV_CACHE"] = str(folder)  # render.py subprocesses inherit it
    return folder
