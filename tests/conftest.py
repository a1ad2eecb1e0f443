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
