"""A real render through the command line: the files a user gets are whole, sized and moving."""

import subprocess
import sys

import av
import pytest
import srt
import numpy as np
from PIL import Image

from conftest import ROOT
from scenes import LESSON, TokensToVectors


def render(*args):
    return subprocess.run([sys.executable, "render.py", *args, "--quality", "low", "-q"],
                          cwd=ROOT, capture_output=True, text=True)


def test_video_of_the_first_scene(tmp_path):
    done = render("the cat sat", "--scenes", "TokensToVectors", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    video = tmp_path / "01_TokensToVectors.mp4"
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (854, 480)
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    assert len(frames) / 15 > 10  # seconds at 15 fps: the whole storyboard, not one shot
    assert not np.array_equal(frames[len(frames) // 2], frames[-1])  # it moves
    assert frames[-1].std() > 10  # the last frame is not an empty background
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == \
        ["01_TokensToVectors.mp4", "01_TokensToVectors.srt", "trace.json"]
    # the subtitles are the captions, in order, with their spaces, within the video's length
    cues = list(srt.parse((tmp_path / "01_TokensToVectors.srt").read_text(encoding="utf-8")))
    assert cues[0].content == TokensToVectors.captions["sentence"]["en"]
    assert all(a.end <= b.start for a, b in zip(cues, cues[1:]))
    assert cues[-1].end.total_seconds() <= len(frames) / 15 + 0.1
    assert not list(tmp_path.glob("*.part")) and not list(tmp_path.glob(".*.part"))


def test_still_of_the_first_scene(tmp_path):
    done = render("我爱注意力", "--format", "png", "--scenes", "1", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    still = np.asarray(Image.open(tmp_path / "01_TokensToVectors.png").convert("RGB"))
    assert still.shape == (480, 854, 3)
    assert still.std() > 10


@pytest.mark.parametrize("scene_cls", LESSON, ids=lambda c: c.__name__)
def test_plain_manim_cli_renders_each_scene(scene_cls, tmp_path):
    # The user's other way in: manim's own CLI on the scene file, the default config's trace.
    # The first two animations prove the file imports and finds its trace and template.
    module = sys.modules[scene_cls.__module__].__file__
    done = subprocess.run(
        [sys.executable, "-m", "manim", "-ql", "--dry_run", "-n", "0,1", "--progress_bar",
         "none", "--media_dir", str(tmp_path), module, scene_cls.__name__],
        cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"Rendered {scene_cls.__name__}" in done.stdout + done.stderr
