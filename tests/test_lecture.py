"""The lecture files made from rendered scenes: folder names, joined videos and subtitles,
WebVTT, the handout. Small synthetic inputs; the real render is in test_render.py."""

import sys
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import av
import numpy as np
import pytest
import srt
from conftest import ROOT

from lecture import (
    duration,
    join_subtitles,
    join_videos,
    lesson_folder,
    slug,
    write_handout,
    write_vtt,
)
from lecture.build import fingerprint
from qkv import build_trace, load_config, lookup
from qkv.files import PARTIAL_GLOB


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("the cat sat on the mat", "the-cat-sat-on-the-mat"),
        ("我爱注意力机制", "我爱注意力机制"),
        ("Кошка СИДЕЛА", "кошка-сидела"),
        ("../../etc/passwd", "etc-passwd"),
        (r"\input{x} $y$ <b>%", "input-x-y-b"),
        ("%%% ///", "lesson"),
        ("नमस्ते दुनिया", "नमस्ते-दुनिया"),  # vowel signs and viramas stay in their words
        ("สวัสดีครับ", "สวัสดีครับ"),
        ("Crème brûlée", "crème-brûlée"),
        ("न" + "\u094d" * 50, "lesson"),  # one character longer than the limit: not cut
        ("नि" * 30, "नि" * 20),  # between two characters, never inside one
    ],
)
def test_slug_keeps_letters_of_any_script_and_nothing_else(sentence, expected):
    assert slug(sentence) == expected


def test_slug_is_bounded_and_folders_differ_by_config(tmp_path):
    assert len(slug("word " * 100)) <= 40
    a = build_trace(load_config().with_overrides(sentence="the cat"))
    b = build_trace(load_config().with_overrides(sentence="the cat", language="zh"))
    fa, fb = (lesson_folder(tmp_path, t.sentence, fingerprint(t)) for t in (a, b))
    assert fa != fb and fa.name.startswith("the-cat-") and fa.parent == tmp_path
    assert fa == lesson_folder(tmp_path, a.sentence, fingerprint(a))  # stable: the cache finds it


def _video(path, seconds: int, shade: int, fps: int = 10) -> None:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for _ in range(seconds * fps):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), shade, np.uint8), "rgb24")
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def test_joined_video_plays_the_parts_in_order(tmp_path):
    parts = [tmp_path / "a.mp4", tmp_path / "b.mp4"]
    _video(parts[0], 2, 30)
    _video(parts[1], 3, 220)
    joined = tmp_path / "lesson.mp4"
    join_videos(parts, joined)
    assert duration(joined) == pytest.approx(5.0, abs=0.15)
    with av.open(str(joined)) as c:
        frames = [(f.time, f.to_ndarray(format="gray").mean()) for f in c.decode(video=0)]
    assert len(frames) == 50
    assert all(b[0] > a[0] for a, b in pairwise(frames))  # time only moves forward
    assert frames[5][1] < 60 and frames[30][1] > 190  # first part dark, second bright
    assert not list(tmp_path.glob(PARTIAL_GLOB))


def test_subtitles_join_at_scene_offsets_and_convert_to_vtt(tmp_path):
    one, two = tmp_path / "1.srt", tmp_path / "2.srt"

    def cue(a, b, text):
        return srt.Subtitle(0, timedelta(seconds=a), timedelta(seconds=b), text)

    one.write_text(srt.compose([cue(0.5, 2, "первый"), cue(2, 4.25, "second")]), encoding="utf-8")
    two.write_text(srt.compose([cue(1, 3, "第三")]), encoding="utf-8")
    cues = join_subtitles([(one, 5.0), (two, 4.0)], tmp_path / "lesson.srt")
    assert [(c.start.total_seconds(), c.end.total_seconds(), c.content) for c in cues] == [
        (0.5, 2.0, "первый"),
        (2.0, 4.25, "second"),
        (6.0, 8.0, "第三"),
    ]
    vtt = write_vtt(tmp_path / "lesson.srt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nпервый\n")
    assert "00:00:06.000 --> 00:00:08.000\n第三" in vtt


@pytest.mark.parametrize(
    ("language", "word"), [("en", "queries"), ("zh", "查询"), ("ru", "запросы")]
)
def test_handout_holds_the_real_matrices_in_the_lesson_language(tmp_path, language, word):
    trace = build_trace(load_config().with_overrides(sentence="a | *b*", language=language))
    text = write_handout(trace, tmp_path / "handout.md").read_text(encoding="utf-8")
    assert word in text and trace.digest[:12] in text
    assert r"| \| |" in text and r"| \* |" in text  # tokens stay literal, tables stay intact
    p = trace.config["precision"]
    assert f"{trace.heads[0].weights[1, 2]:.{p}f}" in text
    assert f"{trace.output[-1, -1]:.{p}f}" in text
    # part 2's studies, from the core: the encoder layer's output and the √d_k spread table
    assert f"{lookup(trace, 'encoder.output', (0, 1)):.{p}f}" in text
    assert rf"| d\_k = 256 | {lookup(trace, 'spread.std', (3,)):.{p}f} |" in text
    # every row of a T x S table has its label and S cells: no token broke a table apart
    T = len(trace.tokens)
    table = text.split("(T × S)")[-1].split("###")[0] if language == "en" else None
    if table:
        rows = [line for line in table.splitlines() if line.startswith("| ")]
        assert len(rows) == T + 1 and {r.count(" | ") for r in rows[1:]} == {T}


def test_interrupted_build_keeps_finished_scenes_and_resumes_with_the_rest(tmp_path, monkeypatch):
    import lecture.runner as runner
    from lecture.build import build_lesson
    from lecture.options import RenderOptions
    from lecture.scene_choice import SCENE_NAMES

    trace = build_trace(load_config().with_overrides(sentence="the cat"))
    options = RenderOptions(quality="low", fmt="png")
    rendered, interrupt = [], {"at": None}
    first = list(SCENE_NAMES[:3])

    def fake(trace, name, folder, options, outlines=None):  # stands in for manim: one file each
        if name == interrupt["at"]:
            raise KeyboardInterrupt  # Ctrl-C while this scene renders
        rendered.append(name)
        still = folder / f"{SCENE_NAMES.index(name) + 1:02d}_{name}.png"
        still.write_bytes(b"png")
        return [still]

    monkeypatch.setattr(runner, "render_scene", fake)
    interrupt["at"] = first[1]
    with pytest.raises(KeyboardInterrupt):
        build_lesson(trace, first, tmp_path, options)
    folder = lesson_folder(tmp_path, trace.sentence, fingerprint(trace))
    assert rendered == first[:1]
    assert not list(folder.glob("02_*"))  # nothing under the interrupted scene's name
    interrupt["at"] = None
    _, files = build_lesson(trace, first, tmp_path, options)
    assert rendered == first  # the finished scene is not redone
    assert {f.name for f in files} >= {
        *(f"{n:02d}_{name}.png" for n, name in enumerate(first, 1)),
        "trace.json",
        "handout.md",
    }


def test_joined_transparent_webm_keeps_its_alpha(tmp_path):
    parts = []
    for k in range(2):
        path = tmp_path / f"{k}.webm"
        with av.open(str(path), "w") as out:  # as manim writes --format webm --transparent
            stream = out.add_stream("libvpx-vp9", rate=10)
            stream.width, stream.height, stream.pix_fmt = 64, 48, "yuva420p"
            stream.metadata["alpha_mode"] = "1"
            for _ in range(10):
                rgba = np.zeros((48, 64, 4), np.uint8)
                rgba[10:30, 10:40] = (200, 80, 40, 255)  # an opaque box on a clear ground
                out.mux(stream.encode(av.VideoFrame.from_ndarray(rgba, "rgba")))
            out.mux(stream.encode(None))
        parts.append(path)
    joined = tmp_path / "lesson.webm"
    join_videos(parts, joined)
    assert duration(joined) == pytest.approx(2.0, abs=0.15)
    with av.open(str(joined)) as c:
        stream = c.streams.video[0]
        assert {k.lower(): v for k, v in stream.metadata.items()}.get("alpha_mode") == "1"
        decoder = av.CodecContext.create("libvpx-vp9", "r")  # reads the alpha side data
        formats = {f.format.name for p in c.demux(stream) for f in decoder.decode(p)}
    assert formats == {"yuva420p"}


@pytest.mark.parametrize(
    "cores, free_gib, quality, scenes, expected",
    [
        (2, 23.0, "high", 7, 2),  # this machine: one per core
        (8, 23.0, "low", 3, 3),  # never more processes than scenes
        (8, 1.7, "high", 7, 2),  # memory caps before cores do
        (4, 0.3, "4k", 7, 1),  # always at least one
    ],
)
def test_default_jobs_is_capped_by_cores_scenes_and_memory(
    monkeypatch, cores, free_gib, quality, scenes, expected
):
    from lecture import system

    monkeypatch.setattr(system.os, "sched_getaffinity", lambda pid: set(range(cores)))
    monkeypatch.setattr(system, "_available_gib", lambda: free_gib)
    assert system.default_jobs(quality, scenes) == expected


def test_available_memory_is_read_from_this_machine():
    from lecture.system import _available_gib

    free = _available_gib()
    assert free is not None and 0 < free < 2**16


def test_outline_cache_shares_whole_files_only(tmp_path):
    from lecture.outline_cache import publish, seed

    shared, first, second = tmp_path / "shared", tmp_path / "a", tmp_path / "b"
    (first / "Tex").mkdir(parents=True)
    (first / "Tex" / "abc.svg").write_text("<svg/>")
    (first / "Tex" / "abc.tex").write_text("not an outline")
    (first / "texts").mkdir()
    (first / "texts" / ".half.svg").write_text("<sv")  # hidden: a partial, never shared
    publish(first, shared)
    assert sorted(p.name for p in shared.rglob("*") if p.is_file()) == ["abc.svg"]
    seed(second, shared)
    assert (second / "Tex" / "abc.svg").read_text() == "<svg/>"
    assert not list((second / "texts").iterdir())


def _load(path, name, monkeypatch):
    """A fresh copy of a module file (the imported one, and its REVEAL, stay as they are)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)
    spec.loader.exec_module(module)
    return module


def test_reveal_js_is_looked_up_in_the_running_environment(monkeypatch, tmp_path):
    """Wherever the project is installed, reveal.js is the running Python's: sys.prefix/share,
    where scripts/fetch_reveal.py (run by that Python) puts it; one version names both."""
    from lecture import slides

    here = Path(sys.prefix) / "share" / "reveal.js" / slides.REVEAL_VERSION
    assert here == slides.REVEAL
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "other-env"))
    elsewhere = _load(ROOT / "lecture" / "slides.py", "_slides_elsewhere", monkeypatch)
    there = tmp_path / "other-env" / "share" / "reveal.js" / elsewhere.REVEAL_VERSION
    assert there == elsewhere.REVEAL
    monkeypatch.setitem(sys.modules, "lecture.slides", elsewhere)  # what fetch_reveal imports
    fetch = _load(ROOT / "scripts" / "fetch_reveal.py", "_fetch_reveal", monkeypatch)
    assert fetch.VERSION == slides.REVEAL_VERSION and fetch.VERSION in fetch.SHA256
    assert fetch.DEST / fetch.VERSION == elsewhere.REVEAL
    (elsewhere.REVEAL / "dist").mkdir(parents=True)
    (elsewhere.REVEAL / "dist" / "reveal.js").write_text("", encoding="utf-8")
    assert fetch.fetch() == elsewhere.REVEAL  # already there: nothing downloaded
