"""Shared fixtures: configs and traces built once per test session."""

from pathlib import Path

import pytest

from qkv import build_trace, load_config

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "config"


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
