"""A scene is one encoded stream.

manim gives every animation (each ``play`` and ``wait``) a segment of its own: a new encoder and
a new mp4, flushed at the animation's end and joined into the scene's movie afterwards. The
lesson has about 730 animations, so 730 encoders were opened and flushed, each starting on a
key frame, and the render waited at every animation's end for its encoder's flush. Here every
segment of a scene writes into one encoder (a HoldEncoder, so holds still convert once), opened
by the first segment and closed before manim joins the scene: the same frames at the same time
stamps, in one stream. manim's own join then sees a single segment and adds the sound as before.

manim-slides cuts its slides out of the per-animation segments, so a slides render keeps them
(``convert_holds_once`` only).

What changed with it (issue 22): the same decoded frames with a lossless encoder
(tests/test_one_stream.py); one x264's memory per scene, no longer a new one's per animation;
at the lesson's crf, Softmax at 480p15 against its lossless render: 953 KB at 42.3 dB PSNR in
segments, 506 KB at 43.2 dB in one stream. One stream alone had come to 372 KB but 40.7 dB: a
held picture, coded as the P-frame ending an animation, stayed at that quality for the whole
hold; HoldEncoder now starts every hold on a key frame.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from manim.scene.video_segment_encoder import VideoSegmentEncoder
from manim.typing import RGBAPixelArray

from lecture.holds import HoldEncoder

__all__ = ["encode_as_one_stream"]


class _Stream:
    """The scene's one encoder, opened by its first segment, and the order segments take it."""

    def __init__(self, encoder_class: type[HoldEncoder]) -> None:
        self.encoder_class = encoder_class
        self.encoder: HoldEncoder | None = None
        self.writing: _Segment | None = None  # the segment whose frames go in now

    def take(self, segment: _Segment, spec: Any) -> HoldEncoder:
        # manim runs one segment job at a time (max_inflight_encoders = 1, which runner sets):
        # a segment starts only after the one before it finished. Were that ever to change,
        # frames of two animations would interleave; refuse instead.
        if self.writing is not None and self.writing is not segment:
            raise RuntimeError("two animations' frames written into one scene stream at once")
        self.writing = segment
        if self.encoder is None:
            self.encoder = self.encoder_class(target=segment.target, spec=spec)
        return self.encoder

    def release(self, segment: _Segment) -> None:
        if self.writing is segment:
            self.writing = None

    def abort(self) -> None:
        """A failed render: close the encoder and remove the scene's file."""
        self.writing = None
        if self.encoder is not None:
            self.encoder.abort()


class _Segment(VideoSegmentEncoder):
    """What manim takes for one animation's encoder: its frames go into the scene's stream.

    It opens no file (VideoSegmentEncoder's own set-up is skipped); ``finish`` hands the
    stream on without flushing it."""

    def __init__(self, *, target: Path, spec: Any, stream: _Stream) -> None:  # no super()
        self.target = target
        self.spec = spec
        self._stream_of_scene = stream

    def write_frame(self, pixels: RGBAPixelArray, *, repeat: int = 1) -> None:
        self._stream_of_scene.take(self, self.spec).write_frame(pixels, repeat=repeat)

    def finish(self) -> None:
        self._stream_of_scene.release(self)

    def abort(self) -> None:  # a failed render: nothing of the scene's stream is kept
        self._stream_of_scene.abort()


def encode_as_one_stream(file_writer: Any, encoder_class: type[HoldEncoder] = HoldEncoder) -> None:
    """Make ``file_writer`` (a scene's, before it renders) encode all its animations into one
    stream, holds converted once (``encoder_class``: bench/split.py's clocked one)."""
    stream = _Stream(encoder_class)

    def create(target: Path) -> VideoSegmentEncoder:
        spec = file_writer.video_encoder  # resolved when the render starts
        if spec is None:
            raise RuntimeError("Video segment encoding requires resolved settings.")
        return _Segment(target=target, spec=spec, stream=stream)

    combine = file_writer.combine_to_movie

    def combine_one() -> None:
        encoder = stream.encoder
        if encoder is not None:  # the scene wrote frames: flush and close its one file
            encoder.finish()
            file_writer.partial_movie_files = [str(encoder.target)]
        combine()

    abort_jobs = file_writer.abort_encode_jobs

    def abort_all(reraise_encoder_failures: bool = False) -> None:
        # manim aborts only the animation in progress; a scene that failed between two
        # animations has none, and its stream would stay open
        try:
            abort_jobs(reraise_encoder_failures)
        finally:
            stream.abort()

    file_writer._create_segment_encoder = create
    file_writer.combine_to_movie = combine_one
    file_writer.abort_encode_jobs = abort_all
