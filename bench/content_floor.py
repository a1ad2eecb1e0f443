"""What encoding the lesson's own pictures costs, by hand (never in CI):
python bench/content_floor.py MEDIA/LESSON/lesson.mp4

The physical floor (bench/holds.py) encodes one still picture. A lesson's animated frames are
harder to compress than a still, so even a renderer that did nothing but encode could not reach
it. This measures that second floor: the lesson video is decoded (already yuv420p: no conversion)
and encoded again by one x264 with the lesson's settings. Decoding alone is timed apart, so the
encoding's share is the difference (an upper bound: both run on the same cores).
"""

from __future__ import annotations

import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from lecture.runner import ENCODER_OPTIONS  # noqa: E402


def decode_only(video: Path) -> tuple[float, int]:
    """Seconds to decode every frame of ``video``, and how many there are."""
    started = time.perf_counter()
    with av.open(str(video)) as source:
        stream = source.streams.video[0]
        stream.thread_type = "AUTO"
        frames = sum(1 for _ in source.decode(stream))
    return time.perf_counter() - started, frames


def decode_and_encode(video: Path, target: Path) -> float:
    """Seconds to decode ``video`` and encode its frames again with the lesson's settings."""
    started = time.perf_counter()
    with av.open(str(video)) as source, av.open(str(target), "w") as out:
        stream = source.streams.video[0]
        stream.thread_type = "AUTO"
        rate = stream.average_rate
        encoder = out.add_stream("libx264", rate=rate, options=ENCODER_OPTIONS["mp4"])
        encoder.width, encoder.height, encoder.pix_fmt = stream.width, stream.height, "yuv420p"
        for n, frame in enumerate(source.decode(stream)):
            frame.pts, frame.time_base = n, Fraction(rate.denominator, rate.numerator)
            out.mux(encoder.encode(frame))
        out.mux(encoder.encode(None))
    return time.perf_counter() - started


def main(video: Path) -> None:
    with av.open(str(video)) as source:
        stream = source.streams.video[0]
        seconds = float(stream.duration * stream.time_base)
        size = f"{stream.width}x{stream.height} at {stream.average_rate} fps"
    decoding, frames = decode_only(video)
    with tempfile.TemporaryDirectory(prefix="qkv-content-") as tmp:
        both = decode_and_encode(video, Path(tmp) / "again.mp4")
    print(f"{video}: {frames} frames, {seconds:.1f} s of video, {size}")
    print(f"decoding alone:        {decoding:7.1f} s")
    print(f"decoding and encoding: {both:7.1f} s")
    encoding = both - decoding
    print(f"encoding (difference): {encoding:7.1f} s = {encoding / seconds:.3f} s/s")
    print(f"encoding (upper bound): {both / seconds:.3f} s/s")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python bench/content_floor.py PATH/lesson.mp4")
    main(Path(sys.argv[1]))
