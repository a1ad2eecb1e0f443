"""--voice: every caption spoken (espeak-ng, or the lecturer's recordings), measured on the
decoded audio of the videos a user gets, in all three languages."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import wave
from pathlib import Path

import av
import numpy as np
import pytest
import srt
from conftest import ROOT

from lecture import duration
from lecture.video import join_videos
from lecture.voice import ESPEAK, VOICES, number_words, spoken
from qkv import Trace, lookup
from scenes.kit.provenance import number_text

RATE = 22050  # samples a second of the decoded audio, and of the test's recordings
QUIET = 0.01  # RMS of a window with no speech in it (full scale 1.0)


def render(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "render.py", *args, "--quality", "low", "-q", "--jobs", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def lesson_folder(out: Path) -> Path:
    (folder,) = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return folder


def audio_of(video: Path) -> tuple[np.ndarray, float]:
    """The video's audio as one mono channel at RATE from the video's time 0 (a track that
    starts later, as a joined WebM's does, is placed where its first sound plays), and the
    audio stream's length."""
    with av.open(str(video)) as container:
        stream = container.streams.audio[0]
        length = float(stream.duration * stream.time_base)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        frames = list(container.decode(stream))
        chunks = [out.to_ndarray().ravel() for f in frames for out in resampler.resample(f)]
    samples = np.concatenate(chunks)
    begins = round(float(frames[0].pts * frames[0].time_base) * RATE) if frames[0].pts else 0
    if begins > 0:
        return np.concatenate([np.zeros(begins, samples.dtype), samples]), length
    return samples[-begins:], length


def loudness(samples: np.ndarray, start: float, end: float) -> np.ndarray:
    """RMS of each 50 ms window between two times."""
    part = samples[int(start * RATE) : int(end * RATE)]
    step = RATE // 20
    windows = part[: len(part) // step * step].reshape(-1, step)
    return np.sqrt((windows**2).mean(axis=1))


def check_spoken(video: Path, cues: list[srt.Subtitle]) -> None:
    """One audio stream as long as the pictures; speech under every caption, and each
    caption's speech over before the next caption comes."""
    samples, length = audio_of(video)
    assert abs(length - duration(video)) <= 0.1
    for cue in cues:
        start, end = cue.start.total_seconds(), cue.end.total_seconds()
        assert loudness(samples, start, end).max() > 5 * QUIET, f"silent caption: {cue.content}"
        # the hold waits for the voice and a breath: the caption's last 0.3 s are quiet
        assert loudness(samples, end - 0.3, end).max() < QUIET, f"speech cut: {cue.content}"


def test_spoken_text_says_the_signs_and_numbers_as_words():
    assert spoken('Query "cat" against key "mat": −0.22', "en") == (
        "Query cat against key mat: minus zero point two two"
    )
    assert spoken("q·k = -1.50 × 2", "en") == "q times k = minus one point five zero times two"
    assert spoken("Запрос «кошка»: −0.22", "ru") == (
        "Запрос кошка: минус ноль целых двадцать две сотых"
    )
    assert spoken("得分−0.22", "zh") == "得分负零点二二"
    assert spoken("state-of-the-art", "en") == "state-of-the-art"  # a hyphen in a word stays
    assert spoken("attention's output, x1 and W_2", "en") == "attention's output, x1 and W_2"
    assert spoken("Add & Norm", "ru") == "Add и Norm"


@pytest.mark.parametrize(
    ("shown", "en", "ru", "zh"),
    [
        ("1.00", "one point zero zero", "одна целая ноль сотых", "一点零零"),
        ("−21.31", "minus twenty-one point three one",
         "минус двадцать одна целая тридцать одна сотая", "负二十一点三一"),
        ("2.5", "two point five", "две целых пять десятых", "二点五"),
        ("8103.08", "eight thousand one hundred and three point zero eight",
         "восемь тысяч сто три целых восемь сотых", "八千一百零三点零八"),
        ("105", "one hundred and five", "сто пять", "一百零五"),
        ("10", "ten", "десять", "十"),
        ("0.011", "zero point zero one one", "ноль целых одиннадцать тысячных", "零点零一一"),
    ],
)  # fmt: skip
def test_numbers_are_read_at_the_precision_shown(shown, en, ru, zh):
    assert [number_words(shown, lang) for lang in ("en", "ru", "zh")] == [en, ru, zh]


@pytest.mark.parametrize("language", ["en", "ru", "zh"])
def test_the_voice_reads_the_lessons_language(language):
    """espeak-ng says a caption in its language's phonemes: no word falls back to English
    (espeak-ng's plain Mandarin voice read most characters' pinyin as English words)."""
    text = {"en": "Every row adds up to one", "ru": "Каждая строка в сумме даёт единицу",
            "zh": "每一行加起来都等于一"}[language]  # fmt: skip
    done = subprocess.run([ESPEAK, "-q", "-x", "-v", VOICES[language], text],
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert done.stdout.strip() and "(en)" not in done.stdout


def test_espeak_failing_is_one_line(tmp_path):
    """espeak-ng there but failing (a broken install): exit 2, one line naming the beat."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "espeak-ng"
    fake.write_text("#!/bin/sh\necho 'cannot load voice data' >&2\nexit 1\n")
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    done = subprocess.run(
        [sys.executable, "render.py", "the cat", "--scenes", "17", "--quality", "low", "-q",
         "--voice", "espeak", "--out", str(tmp_path / "out")],
        cwd=ROOT, capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "Recap-01-recap" in line and "cannot load voice data" in line
    assert "Traceback" not in done.stderr


def _part(path: Path, seconds: float, tone: float) -> None:
    """A video with an AAC track: a tone from 0.2 s to 0.2 s before its end."""
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=10)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        audio = out.add_stream("aac", rate=RATE)
        audio.layout = "mono"
        for _ in range(int(seconds * 10)):
            picture = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), "rgb24")
            out.mux(video.encode(picture))
        out.mux(video.encode(None))
        t = np.arange(int(seconds * RATE)) / RATE
        wave_ = np.where((t > 0.2) & (t < seconds - 0.2), 0.5 * np.sin(2 * np.pi * tone * t), 0)
        frame = av.AudioFrame.from_ndarray(wave_.astype(np.float32)[None, :], "fltp", "mono")
        frame.sample_rate = RATE
        out.mux(audio.encode(frame))
        out.mux(audio.encode(None))


def test_joined_scenes_keep_each_voice_with_its_pictures(tmp_path):
    parts = [tmp_path / "a.mp4", tmp_path / "b.mp4"]
    _part(parts[0], 2.0, 440.0)
    _part(parts[1], 3.0, 880.0)
    join_videos(parts, tmp_path / "lesson.mp4")
    samples, length = audio_of(tmp_path / "lesson.mp4")
    assert abs(length - duration(tmp_path / "lesson.mp4")) <= 0.1
    assert abs(duration(tmp_path / "lesson.mp4") - 5.0) <= 0.11
    for start, tone in ((0.4, 440.0), (2.4, 880.0)):  # the second tone starts where b does
        window = samples[int(start * RATE) : int((start + 0.5) * RATE)]
        peak = np.argmax(np.abs(np.fft.rfft(window))) * RATE / len(window)
        assert abs(peak - tone) < 10
    assert loudness(samples, 1.85, 2.15).max() < QUIET  # the seam: silence, no overlap


@pytest.mark.parametrize(
    ("language", "sentence", "scenes", "fmt"),
    [
        ("en", "the cat sat on the mat", "4,17", "mp4"),
        ("ru", "кошка сидит", "17", "mov"),
        ("zh", "我爱你", "17", "webm"),
    ],
)
def test_espeak_speaks_every_caption(tmp_path, language, sentence, scenes, fmt):
    done = render(sentence, "--lang", language, "--scenes", scenes, "--voice", "espeak",
                  "--format", fmt, "--out", str(tmp_path))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "warning: no recording" not in done.stderr  # every beat spoken
    folder = lesson_folder(tmp_path)
    for video in sorted(folder.glob(f"*.{fmt}")):  # each scene, and the lesson joined
        cues = list(srt.parse(video.with_suffix(".srt").read_text(encoding="utf-8")))
        check_spoken(video, cues)
        with av.open(str(video)) as container:  # the container's own audio codec
            codec = container.streams.audio[0].codec_context.name
        assert codec == {"mp4": "aac", "mov": "aac", "webm": "opus"}[fmt]
    # narration.md: every beat, in order, with its id and what is said; a number said is the
    # trace's, as the lesson shows it
    script = (folder / "narration.md").read_text(encoding="utf-8")
    trace = Trace.read_json(folder / "trace.json")
    precision = int(trace.config["precision"])
    said = []
    for beats in sorted(folder.glob(".*.beats.json")):
        for beat in json.loads(beats.read_text(encoding="utf-8")):
            assert f"- `{beat['id']}`: {beat['spoken']}" in script
            for n in beat["numbers"]:
                value = lookup(trace, n["key"], tuple(n["index"]))
                assert n["shown"] == number_text(value, precision)
                assert n["shown"] in beat["spoken"]
                said.append(n["key"])
    if "4" in scenes.split(","):  # Projections says what its worked entry comes to
        assert said == ["heads.0.Q"]


def _tone(path: Path, seconds: float, tone: float) -> None:
    t = np.arange(int(seconds * RATE)) / RATE
    pcm = (0.5 * np.sin(2 * np.pi * tone * t) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm.tobytes())


def test_a_recorded_voice_is_placed_at_its_beat(tmp_path):
    """The lecturer's recording of the first beat plays as its caption appears and holds the
    caption for its length; the beat not recorded is spoken by espeak, with a warning."""
    recordings = tmp_path / "voice"
    recordings.mkdir()
    _tone(recordings / "Recap-01-recap.wav", 6.0, 330.0)  # longer than the caption's reading
    done = render("the cat sat", "--scenes", "17", "--voice", str(recordings),
                  "--out", str(tmp_path / "out"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    folder = lesson_folder(tmp_path / "out")
    beats = json.loads((folder / ".17_Recap.beats.json").read_text(encoding="utf-8"))
    assert beats[0]["id"] == "Recap-01-recap"
    missing = [beat["id"] for beat in beats[1:]]
    assert missing and all(f"no recording {beat}.wav" in done.stderr for beat in missing)
    video = folder / "17_Recap.mp4"
    cues = list(srt.parse((folder / "17_Recap.srt").read_text(encoding="utf-8")))
    check_spoken(video, cues)
    samples, _ = audio_of(video)
    start = cues[0].start.total_seconds()
    window = samples[int((start + 1.0) * RATE) : int((start + 2.0) * RATE)]
    peak = np.argmax(np.abs(np.fft.rfft(window))) * RATE / len(window)
    assert abs(peak - 330.0) < 5  # the recording, at its caption
    assert cues[0].end.total_seconds() - start >= 6.0  # held while it plays


def test_slides_carry_their_stretch_of_the_voice(tmp_path):
    """manim-slides cuts clips from silent partial movies: each slide's clip gets the scene's
    audio from where the clip starts, so a lecturer stepping through the slides hears every
    beat with its slide."""
    done = render("the cat sat", "--scenes", "17", "--slides", "--voice", "espeak",
                  "--out", str(tmp_path))  # fmt: skip
    assert done.returncode == 0, done.stderr
    folder = lesson_folder(tmp_path)
    page = (folder / "slides.html").read_text(encoding="utf-8")
    clips = [folder / c for c in re.findall(r'data-background-video="([^"]+)"', page)]
    scene, _ = audio_of(folder / "17_Recap.mp4")
    start, spoken_slides = 0.0, 0
    for clip in clips:
        samples, length = audio_of(clip)
        assert abs(length - duration(clip)) <= 0.05
        # the same sound as the scene's over the same stretch (AAC is not sample-exact)
        ours = loudness(samples, 0.0, length)
        theirs = loudness(scene, start, start + length)[: len(ours)]
        assert np.abs(ours[: len(theirs)] - theirs).max() < 0.02
        spoken_slides += bool(ours.max() > 5 * QUIET)
        start += duration(clip)
    assert abs(start - duration(folder / "17_Recap.mp4")) <= 0.05
    assert spoken_slides == 2  # the recap's caption with its lines, and the closing caption
