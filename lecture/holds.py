"""A hold costs its encoding only.

While a caption is read or a voice speaks, manim draws the frame once and hands the encoder the
same RGBA picture with a repeat count (a static ``wait``). manim's segment encoder then builds
and converts a new frame for every repeat, RGBA to yuv420p, though the picture never changes:
at 1080p60 that conversion costs about as much as the encoding. Here the picture is converted
once per hold and the one converted frame is encoded at each time stamp; the encoder sees the
same pixels it would have converted itself (tests/test_holds.py compares the decoded frames).
An animation's frames go through the same converter, which converts only the rows that changed
since the picture before (lecture/changed_rows.py); a hold whose picture is the animation's last
frame is then not converted at all.
"""

from __future__ import annotations

import ctypes
from fractions import Fraction
from typing import Any

import av
import numpy as np
import numpy.typing as npt
from av.video.frame import PictureType
from av.video.stream import VideoStream
from manim.scene.video_segment_encoder import VideoSegmentEncoder
from manim.typing import RGBAPixelArray

from lecture.changed_rows import ChangedRows

__all__ = ["HoldEncoder", "convert_holds_once"]

# glibc's malloc_trim; None with another C library (which returns memory its own way)
_TRIM = getattr(ctypes.CDLL(None), "malloc_trim", None)


class HoldEncoder(VideoSegmentEncoder):
    """manim's segment encoder, a repeated frame converted once (and an animation's frames
    converted only where they changed, lecture/changed_rows.py)."""

    _converter: ChangedRows | None = None

    def write_frame(self, pixels: RGBAPixelArray, *, repeat: int = 1) -> None:
        self._validate_frame(pixels, repeat)
        frame = self._convert(np.asarray(pixels, dtype=np.uint8))  # as validated
        rate = self.spec.frame_rate
        frame.time_base = Fraction(rate.denominator, rate.numerator)  # as manim stamps frames
        try:
            for k in range(repeat):
                # a held picture is what a student reads: it starts on a key frame, coded
                # whole at x264's better I-frame quality, as when every animation had a file of
                # its own (lecture/one_stream.py measures it); one I-frame per hold, about 175
                # in the lesson
                held = repeat > 1 and k == 0
                frame.pict_type = PictureType.I if held else PictureType.NONE
                frame.pts = self._next_pts
                self._next_pts += 1
                self._encode(frame)
        except BaseException as error:
            raise self._operation_error("encode", error) from error

    def _convert(self, pixels: npt.NDArray[np.uint8]) -> av.VideoFrame:
        """The conversion PyAV's encode would make of each frame (to the codec's size and pixel
        format), made once per picture and only where it changed."""
        if self._converter is None:
            stream = self._stream
            assert isinstance(stream, VideoStream)  # manim's segment: one video stream
            self._converter = ChangedRows(stream.width, stream.height, str(stream.pix_fmt))
        return self._converter.convert(pixels)

    def _encode(self, frame: av.VideoFrame) -> None:
        stream = self._stream
        assert isinstance(stream, VideoStream)
        for packet in stream.encode(frame):
            self._container.mux(packet)

    def finish(self) -> None:
        super().finish()
        # An encoder's frame buffers (about 250 MB at 1080p) are freed when it closes: at a
        # scene's end (lecture/one_stream.py), or after each animation in a slides render,
        # which keeps an encoder per animation. glibc keeps freed pages for reuse, and the
        # next encoder's buffers do not fit the holes exactly, so a render process would grow
        # by leftovers. Handing them back after each segment took a 1080p scene's peak from
        # 503-533 MB to 446-454, for about 4% more work (issue 22, measured per animation).
        if _TRIM is not None:
            _TRIM(0)


def convert_holds_once(file_writer: Any) -> None:
    """Make ``file_writer`` (a scene's, before it renders) encode its partial movies with
    HoldEncoder."""

    def create(target: Any) -> VideoSegmentEncoder:
        spec = file_writer.video_encoder  # resolved when the render starts
        if spec is None:
            raise RuntimeError("Video segment encoding requires resolved settings.")
        return HoldEncoder(target=target, spec=spec)

    file_writer._create_segment_encoder = create
