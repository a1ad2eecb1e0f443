"""A real render through the command line: the files a user gets are whole, sized and moving."""

import json
import os
import re
import subprocess
import sys
from itertools import pairwise

import av
import numpy as np
import pytest
import srt
from conftest import ROOT
from PIL import Image

from lecture import duration
from lecture.system import cores
from qkv import Trace
from scenes import LESSON, TokensToVectors, scene_stem
from scenes.kit.style import BACKGROUND

T2V = scene_stem(TokensToVectors)  # the one scene these tests render: its file stem


def render(*args):
    return subprocess.run(
        [sys.executable, "render.py", *args, "--quality", "low", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def lesson_folder(out):
    """The one lesson folder under ``out``."""
    (folder,) = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return folder


def test_video_of_the_first_scene(tmp_path):
    done = render("the cat sat", "--scenes", "TokensToVectors", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    folder = lesson_folder(tmp_path)
    assert folder.name.startswith("the-cat-sat-")
    video = folder / f"{T2V}.mp4"
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (854, 480)
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    assert len(frames) / 15 > 10  # seconds at 15 fps: the whole storyboard, not one shot
    assert not np.array_equal(frames[len(frames) // 2], frames[-1])  # it moves
    assert frames[-1].std() > 10  # the last frame is not an empty background
    names = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    assert names == [
        f"{T2V}.mp4",
        f"{T2V}.png",
        f"{T2V}.srt",
        f"{T2V}.vtt",
        "handout.md",
        "lesson.chapters.json",
        "lesson.html",
        "lesson.mp4",
        "lesson.srt",
        "lesson.vtt",
        "narration.md",
        "trace.json",
    ]
    assert not av.open(str(video)).streams.audio  # no --voice: a silent video, as before
    # the still is the video's last frame
    still = np.asarray(Image.open(folder / f"{T2V}.png").convert("RGB"))
    assert still.shape == frames[-1].shape
    assert np.abs(still.astype(int) - frames[-1].astype(int)).mean() < 3  # codec noise only
    # the subtitles are the captions, in order, with their spaces, within the video's length
    cues = list(srt.parse((folder / f"{T2V}.srt").read_text(encoding="utf-8")))
    assert cues[0].content == TokensToVectors.captions["sentence"]["en"]
    assert all(a.end <= b.start for a, b in pairwise(cues))
    assert cues[-1].end.total_seconds() <= len(frames) / 15 + 0.1
    assert not list(folder.glob("*.part*")) and not list(folder.glob(".*.part*"))


def test_still_of_a_scene(tmp_path):
    done = render(
        "我爱注意力", "--format", "png", "--scenes", "TokensToVectors", "--out", str(tmp_path)
    )
    assert done.returncode == 0, done.stderr
    still = np.asarray(Image.open(lesson_folder(tmp_path) / f"{T2V}.png").convert("RGB"))
    assert still.shape == (480, 854, 3)
    assert still.std() > 10


def _end_frames(video) -> tuple[np.ndarray, np.ndarray]:
    """A video's first and last frames, as RGB arrays."""
    with av.open(str(video)) as container:
        first = last = None
        for frame in container.decode(video=0):
            last = frame.to_ndarray(format="rgb24")
            first = last if first is None else first
    return first.astype(float), last.astype(float)


def _cuts(folder) -> list[tuple[str, float]]:
    """For each pair of scenes in a row: how much the next scene's first frame differs from the
    last frame before it (mean absolute difference of their 8x8-pixel block means, of 255).
    Block means keep what a viewer sees change and drop most of the encoder's noise around
    edges, which differs between a stream's last frame and the next stream's key frame."""
    ends = [_end_frames(folder / f"{scene_stem(cls)}.mp4") for cls in LESSON]
    return [
        (cls.__name__, float(np.abs(_blocks(before[1]) - _blocks(after[0])).mean()))
        for cls, before, after in zip(LESSON[1:], ends[:-1], ends[1:], strict=True)
    ]


def _blocks(frame: np.ndarray, n: int = 8) -> np.ndarray:
    height, width = frame.shape[0] // n * n, frame.shape[1] // n * n
    return frame[:height, :width].reshape(height // n, n, width // n, n, 3).mean(axis=(1, 3))


def test_whole_lesson_in_chinese_then_unchanged_rerun_renders_nothing(tmp_path):
    args = ("我爱注意力机制", "--lang", "zh", "--jobs", "2", "--out", str(tmp_path))
    done = render(*args)
    assert done.returncode == 0, done.stderr
    folder = lesson_folder(tmp_path)
    lengths = []
    # two workers: each worker's x264 has its share of the cores (x264 writes its settings
    # into the stream)
    share = f"threads={max(1, cores() // 2)} ".encode()
    for n, cls in enumerate(LESSON, 1):
        stem = folder / f"{n:02d}_{cls.__name__}"
        lengths.append(duration(stem.with_suffix(".mp4")))
        assert lengths[-1] > 3
        assert share in stem.with_suffix(".mp4").read_bytes()
        assert Image.open(stem.with_suffix(".png")).size == (854, 480)
        cues = list(srt.parse(stem.with_suffix(".srt").read_text(encoding="utf-8")))
        assert cues and all(re.search(r"[\u4e00-\u9fff]", c.content) for c in cues)
        assert stem.with_suffix(".vtt").read_text(encoding="utf-8").startswith("WEBVTT")
    assert duration(folder / "lesson.mp4") == pytest.approx(sum(lengths), abs=0.2)
    # one film: every scene opens on the picture the one before it closed on. Measured at 480p
    # (12-02, pixel by pixel): joins differ by 0.4–0.6 of 255 (the last caption's last faded
    # frame, the map's lit step), a hard cut between two of the lesson's pictures by about 8.
    # With a scene one stream (12-05) the encoder's noise alone made TrainedHeads' 72 small heat
    # maps differ by 2.65 from the same picture opening MultiHead: 1.2 in 8x8 block means, where
    # TrainedHeads' first picture and MultiHead's differ by 23
    cuts = [(name, round(diff, 2)) for name, diff in _cuts(folder) if diff > 2.0]
    assert not cuts, f"visible cuts into these scenes (mean pixel difference): {cuts}"
    lesson_cues = list(srt.parse((folder / "lesson.srt").read_text(encoding="utf-8")))
    assert lesson_cues[-1].end.total_seconds() <= sum(lengths) + 0.1
    assert len(lesson_cues) == sum(
        len(list(srt.parse(p.read_text(encoding="utf-8")))) for p in folder.glob("[0-9][0-9]_*.srt")
    )
    # the folder's trace is the command's trace, and the handout speaks Chinese
    top = json.loads((tmp_path / "trace.json").read_text(encoding="utf-8"))
    inner = json.loads((folder / "trace.json").read_text(encoding="utf-8"))
    assert top["digest"] == inner["digest"] == Trace.from_json(inner).digest
    assert "查询" in (folder / "handout.md").read_text(encoding="utf-8")
    # unchanged: nothing is rendered again
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if p.suffix == ".mp4"}
    again = render(*args)
    assert again.returncode == 0, again.stderr
    after = {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if p.suffix == ".mp4"}
    assert after == before


@pytest.mark.parametrize("scene_cls", LESSON, ids=lambda c: c.__name__)
def test_plain_manim_cli_renders_each_scene(scene_cls, tmp_path):
    # The user's other way in: manim's own CLI on the scene file, the default config's trace.
    # The first two animations prove the file imports and finds its trace and template.
    module = sys.modules[scene_cls.__module__].__file__
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "manim",
            "-ql",
            "--dry_run",
            "-n",
            "0,1",
            "--progress_bar",
            "none",
            "--media_dir",
            str(tmp_path),
            module,
            scene_cls.__name__,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"Rendered {scene_cls.__name__}" in done.stdout + done.stderr


def test_slides_one_per_beat_offline_html_and_pptx(tmp_path):
    from pptx import Presentation

    from lecture.slides import BACKGROUND as DECK_BACKGROUND
    from lecture.slides import remote_references

    done = render("the cat sat", "--scenes", "TokensToVectors", "--slides", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    folder = lesson_folder(tmp_path)
    cues = list(srt.parse((folder / f"{T2V}.srt").read_text(encoding="utf-8")))
    page = (folder / "slides.html").read_text(encoding="utf-8")
    live = re.sub(r"<!--.*?-->", "", page, flags=re.S)  # what a browser actually loads
    assert remote_references(live) == []
    local = re.findall(r'(?:src|href|data-background-video)="([^"#]+)"', live)
    assert any("reveal.js/dist/reveal.js" in ref for ref in local)
    assert all((folder / ref).is_file() for ref in local), [
        r for r in local if not (folder / r).is_file()
    ]
    clips = [ref for ref in local if ref.endswith(".mp4")]
    # the opening animation, then one slide per caption beat
    assert len(clips) == len(cues) + 1
    # every slide on the lesson's background, and reveal.js showing its progress bar
    colours = re.findall(r'data-background-color="([^"]*)"', live)
    assert len(colours) == len(clips)
    assert {c.upper() for c in colours} == {BACKGROUND.to_hex().upper()}
    assert DECK_BACKGROUND.upper() == BACKGROUND.to_hex().upper()  # the deck's, in step
    assert re.search(r"\bprogress:\s*true\b", live)
    deck = Presentation(str(folder / "slides.pptx"))
    assert len(deck.slides) == len(cues) + 1


def test_two_renders_at_once_into_different_folders_do_not_interfere(tmp_path):
    commands = [
        (sentence, tmp_path / name) for sentence, name in (("the cat sat", "a"), ("猫坐着", "b"))
    ]
    running = [
        subprocess.Popen(
            [
                sys.executable,
                "render.py",
                sentence,
                "--scenes",
                "TokensToVectors",
                "--quality",
                "low",
                "--jobs",
                "1",
                "-q",
                "--out",
                str(out),
            ],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for sentence, out in commands
    ]
    for process in running:
        _, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
    for sentence, out in commands:
        folder = lesson_folder(out)
        trace = json.loads((folder / "trace.json").read_text(encoding="utf-8"))
        assert trace["sentence"] == sentence  # each folder holds its own lesson, whole
        assert duration(folder / f"{T2V}.mp4") > 3
        assert duration(folder / "lesson.mp4") == pytest.approx(
            duration(folder / f"{T2V}.mp4"), abs=0.1
        )


def test_renders_and_no_video_runs_into_one_out_at_once_are_safe(tmp_path):
    """The same lesson twice at once (the second waits for the first, then finds it done), and
    --no-video runs writing the shared trace.json beside them, twice over: every run ends 0, no
    partial file is left, and trace.json is whole: the trace of one of the runs."""
    out = tmp_path / "out"
    scene = ["--scenes", "TokensToVectors", "--format", "png", "--quality", "low", "--jobs", "1"]
    runs = [
        ["the cat sat", *scene],
        ["the cat sat", *scene],
        ["the cat sat", "--no-video"],
        ["a dog ran home", "--no-video"],
        ["猫坐着", "--no-video"],
    ]
    for _ in range(2):
        running = [
            subprocess.Popen(
                [sys.executable, "render.py", *args, "--out", str(out)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for args in runs
        ]
        said = [process.communicate(timeout=600) for process in running]
        for process, (_, err) in zip(running, said, strict=True):
            assert process.returncode == 0, err
        printed = {m for stdout, _ in said for m in re.findall(r"digest ([0-9a-f]{12})", stdout)}
        assert len(printed) == 3  # three lessons: the two renders print one digest
        data = json.loads((out / "trace.json").read_text(encoding="utf-8"))
        assert Trace.from_json(data).digest[:12] in printed
        assert not list(out.rglob(".*.part*")), "a partial file was left behind"
    folders = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert len(folders) == 3 and all((f / "lesson.html").exists() for f in folders)
    (folder,) = out.glob("the-cat-sat-*")  # the render and --no-video share its folder
    assert (folder / f"{T2V}.png").exists()
    assert not any((folder / ".manim").glob("*")), "a manim work folder was left behind"


def test_a_new_out_folder_starts_with_the_users_compiled_formulas(tmp_path):
    """The formula cache is the user's, not the --out's: a lesson rendered into a new folder
    needs no LaTeX for the formulas an earlier lesson compiled (here LaTeX is made to fail)."""
    cache = {**os.environ, "QKV_CACHE": str(tmp_path / "cache")}
    args = ["the cat sat", "--scenes", "Scaling", "--quality", "low", "-q", "--jobs", "1"]
    first = subprocess.run([sys.executable, "render.py", *args, "--out", str(tmp_path / "a")],
                           cwd=ROOT, capture_output=True, text=True, env=cache)  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert list((tmp_path / "cache").rglob("Tex/*.svg"))  # compiled once, kept for the user
    broken = tmp_path / "bin"
    broken.mkdir()
    for tool in ("latex", "dvisvgm"):  # present (the set-up check passes) but failing
        (broken / tool).write_text("#!/bin/sh\nexit 1\n")
        (broken / tool).chmod(0o755)
    env = {**cache, "PATH": f"{broken}:{os.environ['PATH']}"}
    again = subprocess.run([sys.executable, "render.py", *args, "--out", str(tmp_path / "b")],
                           cwd=ROOT, capture_output=True, text=True, env=env)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert list((tmp_path / "b").glob("*/06_Scaling.mp4"))
    # the same with an empty cache fails: the formulas did come from the cache
    cold = {**env, "QKV_CACHE": str(tmp_path / "empty")}
    fails = subprocess.run([sys.executable, "render.py", *args, "--out", str(tmp_path / "c")],
                           cwd=ROOT, capture_output=True, text=True, env=cold)  # fmt: skip
    assert fails.returncode != 0
