"""Videos with PyAV: durations, and scenes joined into one lesson without re-encoding."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
from av.container import OutputContainer
from av.video.stream import VideoStream

from qkv.files import atomic

__all__ = ["duration", "join_videos"]


def duration(path: Path) -> float:
    """Seconds of the first video stream."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        if container.duration is None:
            raise ValueError(f"{path}: neither its video stream nor the file has a duration")
        return container.duration / av.time_base


def join_videos(parts: Sequence[Path], out: Path) -> None:
    """Concatenate videos of one codec and size into ``out`` by copying packets (no re-encode:
    seconds, not minutes). Written under a temporary name, then moved: all or nothing."""
    with atomic(out) as partial, av.open(str(parts[0])) as first:
        template = first.streams.video[0]
        with av.open(str(partial), "w", format=_muxer(out)) as dst:
            stream = dst.add_stream_from_template(template)
            # tags such as WebM's alpha_mode=1 (a transparent video) must survive the join
            stream.metadata.update(
                {k: v for k, v in template.metadata.items() if k.upper() != "DURATION"}
            )
            start = Fraction(0)  # where the next part begins, in seconds
            for part in parts:
                start = _copy(part, dst, stream, start)


def _copy(part: Path, dst: OutputContainer, stream: VideoStream, start: Fraction) -> Fraction:
    """Mux every packet of ``part`` shifted to ``start``; return where the part ends."""
    end = start
    with av.open(str(part)) as src:
        source = src.streams.video[0]
        base = source.time_base
        if base is None:
            raise ValueError(f"{part}: its video stream has no time base")
        shift = int(start / base)  # the offset in this part's own time units
        for packet in src.demux(source):
            if packet.dts is None:  # the demuxer's end-of-stream flush packet
                continue
            if packet.pts is None or packet.duration is None:  # no place in time to move
                raise ValueError(f"{part}: a video packet has no presentation time or duration")
            packet.pts += shift
            packet.dts += shift
            end = max(end, (packet.pts + packet.duration) * base)
            packet.stream = stream
            packet.time_base = base
            dst.mux(packet)
    return end


def _muxer(out: Path) -> str:
    return {".mp4": "mp4", ".mov": "mov", ".webm": "webm"}[out.suffix]
