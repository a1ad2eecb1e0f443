"""What a held picture costs to encode, by hand (never in CI): python bench/holds.py

Ten seconds of one still 1080p60 lesson frame (the default lesson's Scores scene, last frame,
as RGBA) encoded three ways, with the lesson's encoder settings (libx264, veryfast, yuv420p):
- the physical floor: PyAV alone, the picture converted to yuv420p once, then encoded 600 times;
- manim's own segment encoder, as a static ``wait`` reaches it: one picture with a repeat
  count, converted again for every repeat;
- lecture/holds.py's HoldEncoder, which the renderer uses: converted once per hold.
Each is the median of five runs taken in turn, in seconds of work per second of video.
Writes bench/holds.md.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from statistics import median

import av
import numpy as np
from manim._config.video_encoder import VideoEncoderSpec
from manim.scene.video_segment_encoder import VideoSegmentEncoder
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from lecture.holds import HoldEncoder  # noqa: E402
from lecture.runner import ENCODER_OPTIONS  # noqa: E402

SECONDS, RATE, SIZE = 10, 60, (1920, 1080)
ROUNDS = 5


def lesson_frame(work: Path, quality: str = "high") -> np.ndarray:
    """A real frame: the default lesson's Scores scene rendered as a still."""
    subprocess.run(
        [sys.executable, "render.py", "--scenes", "Scores", "--format", "png",
         "--quality", quality, "-q", "--out", str(work)],
        cwd=ROOT, check=True,
    )  # fmt: skip
    (png,) = work.rglob("05_Scores.png")
    return np.ascontiguousarray(np.asarray(Image.open(png).convert("RGBA")))


def physical_floor(
    pixels: np.ndarray, target: Path, rate: int = RATE, options: dict[str, str] | None = None
) -> float:
    """Seconds to encode SECONDS of ``pixels`` at ``rate``, converted once, with x264's
    ``options`` (the lesson's unless given)."""
    started = time.perf_counter()
    with av.open(str(target), "w") as out:
        stream = out.add_stream("libx264", rate=rate, options=options or ENCODER_OPTIONS["mp4"])
        stream.height, stream.width = pixels.shape[:2]
        stream.pix_fmt = "yuv420p"
        still = av.VideoFrame.from_ndarray(pixels, format="rgba").reformat(format="yuv420p")
        for n in range(SECONDS * rate):
            still.pts = n
            out.mux(stream.encode(still))
        out.mux(stream.encode(None))
    return time.perf_counter() - started


def through(
    encoder: type[VideoSegmentEncoder], pixels: np.ndarray, target: Path, rate: int = RATE
) -> float:
    """Seconds for ``encoder`` to write SECONDS of ``pixels`` held at ``rate``."""
    spec = VideoEncoderSpec(
        container_format="mp4",
        codec="libx264",
        pixel_format="yuv420p",
        width=pixels.shape[1],
        height=pixels.shape[0],
        frame_rate=Fraction(rate),
        options=tuple(ENCODER_OPTIONS["mp4"].items()),
    )
    started = time.perf_counter()
    segment = encoder(target=target, spec=spec)
    segment.write_frame(pixels, repeat=SECONDS * rate)
    segment.finish()
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="qkv-holds-") as tmp:
        work = Path(tmp)
        pixels = lesson_frame(work / "still")
        ways = {
            "physical floor (PyAV, converted once)": lambda k: physical_floor(
                pixels, work / f"floor{k}.mp4"
            ),
            "manim's segment encoder (converted every frame)": lambda k: through(
                VideoSegmentEncoder, pixels, work / f"manim{k}.mp4"
            ),
            "HoldEncoder (converted once per hold)": lambda k: through(
                HoldEncoder, pixels, work / f"hold{k}.mp4"
            ),
        }
        # the three in turn, five rounds: the machine's drift touches each alike
        times: dict[str, list[float]] = {name: [] for name in ways}
        for k in range(ROUNDS):
            for name, way in ways.items():
                times[name].append(way(k))
        took = {name: median(t) for name, t in times.items()}
    floor = took["physical floor (PyAV, converted once)"]
    lines = [
        "# What a held picture costs",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} by `python bench/holds.py`: {SECONDS} s "
        f"of one still {SIZE[0]}x{SIZE[1]} frame at {RATE} fps (the Scores scene's last frame),",
        f"libx264 {ENCODER_OPTIONS['mp4']}, yuv420p; median of five rounds.",
        "",
        "| way | s of work per s of video | to the floor |",
        "|---|---:|---:|",
        *(f"| {name} | {t / SECONDS:.3f} | {t / floor:.2f}x |" for name, t in took.items()),
        "",
    ]
    (ROOT / "bench" / "holds.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
