"""A scene encoded as one stream (lecture/one_stream.py) has the very frames, time stamps and
sound of manim's one segment per animation."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np
import pytest
from manim import BLUE, Circle, Create, Scene, Square, tempconfig
from test_holds import Held, low_settings

from lecture.holds import HoldEncoder
from lecture.one_stream import _Segment, _Stream, encode_as_one_stream

# x264 without loss: the decoded frames are the encoder's input, so two ways of encoding the
# same pictures must decode to the same arrays, bit for bit
LOSSLESS = {"preset": "veryfast", "crf": "0"}


class Played(Held):
    def construct(self) -> None:
        super().construct()  # drawn, held a second, faded
        self.play(Create(Circle(color=BLUE)), run_time=0.4)
        self.wait(0.3)


class Voiced(Played):
    sound: Path

    def construct(self) -> None:
        self.add_sound(str(self.sound))
        super().construct()


class Broken(Scene):
    def construct(self) -> None:
        self.play(Create(Square()), run_time=0.3)
        raise RuntimeError("the scene fails after its first animation")


def render(cls: type[Scene], media: Path, one_stream: bool) -> Path:
    lossless = {"video_encoder_options": LOSSLESS, "max_inflight_encoders": 1}
    with tempconfig({**low_settings(media), **lossless}):
        scene = cls()
        if one_stream:
            encode_as_one_stream(scene.renderer.file_writer)
        scene.render()
        return Path(scene.renderer.file_writer.movie_file_path)


def decoded(movie: Path) -> tuple[list[np.ndarray], list[float], int]:
    with av.open(str(movie)) as container:
        frames = list(container.decode(video=0))
    keys = sum(frame.key_frame for frame in frames)
    return [f.to_ndarray(format="rgb24") for f in frames], [f.time for f in frames], keys


def test_one_stream_has_the_segments_frames_and_times(tmp_path):
    segments = render(Played, tmp_path / "segments", one_stream=False)
    one = render(Played, tmp_path / "one", one_stream=True)
    plain_frames, plain_times, plain_keys = decoded(segments)
    one_frames, one_times, one_keys = decoded(one)
    assert len(plain_frames) == len(one_frames) == 41  # 0.5 + 1 + 0.4 + 0.5 + 0.3 s at 15 fps
    assert all(np.array_equal(a, b) for a, b in zip(plain_frames, one_frames, strict=True))
    assert one_times == pytest.approx(plain_times, abs=1e-3)
    # a key frame per animation, against one per scene and per hold (the held picture is coded
    # whole: lecture/holds.py)
    assert plain_keys == 5 and one_keys == 3
    made = list((tmp_path / "one").rglob("partial_movie_files/**/*.mp4"))
    assert len(made) == 1  # one encoder, one file


def test_the_sound_is_muxed_as_with_segments(tmp_path):
    sound = tmp_path / "tone.wav"
    rate = 22050
    samples = (np.sin(np.arange(rate) * 2 * np.pi * 440 / rate) * 8000).astype(np.int16)
    with wave.open(str(sound), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    Voiced.sound = sound
    movies = [render(Voiced, tmp_path / w, one_stream=w == "one") for w in ("segments", "one")]
    lengths = []
    for movie in movies:
        with av.open(str(movie)) as container:
            audio = container.streams.audio[0]
            lengths.append(
                float(
                    sum(p.duration for p in container.demux(audio) if p.duration) * audio.time_base
                )
            )
    assert lengths[0] == pytest.approx(lengths[1], abs=0.05)
    assert lengths[1] == pytest.approx(1.0, abs=0.05)  # the whole tone
    assert decoded(movies[0])[1] == pytest.approx(decoded(movies[1])[1], abs=1e-3)


def test_a_failed_scene_leaves_no_stream(tmp_path):
    with pytest.raises(RuntimeError, match="fails after"):
        render(Broken, tmp_path / "one", one_stream=True)
    assert not list((tmp_path / "one").rglob("*.mp4"))


def test_two_animations_never_share_the_stream_at_once(tmp_path):
    stream = _Stream(HoldEncoder)
    first, second = (_Segment(target=tmp_path / n, spec=None, stream=stream) for n in "ab")
    stream.writing = first  # the first animation's frames are still going in
    with pytest.raises(RuntimeError, match="at once"):
        stream.take(second, spec=None)
