"""--voice: every caption spoken (espeak-ng, or the lecturer's recordings), measured on the
decoded audio of the videos a user gets, in all three languages."""

from __future__ import annotations

import json
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
from lecture.voice import spoken

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
    """The video's audio as one mono channel at RATE, and the audio stream's length."""
    with av.open(str(video)) as container:
        stream = container.streams.audio[0]
        length = float(stream.duration * stream.time_base)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        chunks = [
            out.to_ndarray().ravel()
            for frame in container.decode(stream)
            for out in resampler.resample(frame)
        ]
    return np.concatenate(chunks), length


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


def test_spoken_text_says_the_signs_as_words():
    assert spoken('Query "cat" against key "mat": −0.22', "en") == (
        "Query cat against key mat: minus 0.22"
    )
    assert spoken("q·k = -1.5 × 2", "en") == "q times k = minus 1.5 times 2"
    assert spoken("Запрос «кошка»: −0,22", "ru") == "Запрос кошка: минус 0,22"
    assert spoken("得分 −0.22", "zh") == "得分 负0.22"
    assert spoken("state-of-the-art", "en") == "state-of-the-art"  # a hyphen in a word stays


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
    ("language", "sentence", "scenes"),
    [("en", "the cat sat on the mat", "4,17"), ("ru", "кошка сидит", "17"), ("zh", "我爱你", "17")],
)
def test_espeak_speaks_every_caption(tmp_path, language, sentence, scenes):
    done = render(sentence, "--lang", language, "--scenes", scenes, "--voice", "espeak",
                  "--out", str(tmp_path))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no warning: every beat spoken
    folder = lesson_folder(tmp_path)
    for video in sorted(folder.glob("*.mp4")):  # each scene, and the lesson joined
        cues = list(srt.parse(video.with_suffix(".srt").read_text(encoding="utf-8")))
        check_spoken(video, cues)
    # narration.md: every beat, in order, with its id and its caption
    script = (folder / "narration.md").read_text(encoding="utf-8")
    for beats in sorted(folder.glob(".*.beats.json")):
        for beat, text in json.loads(beats.read_text(encoding="utf-8")):
            assert f"- `{beat}`: {text}" in script


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
    assert beats[0][0] == "Recap-01-recap"
    missing = [beat for beat, _ in beats[1:]]
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
