"""Videos with PyAV: durations, and scenes joined into one lesson without re-encoding."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.audio.stream import AudioStream
from av.container import OutputContainer
from av.stream import Stream
from av.video.stream import VideoStream

from qkv.files import atomic

__all__ = ["duration", "join_videos", "voice_clips"]

# the audio codec each container carries (gif carries none)
AUDIO_CODEC = {".mp4": "aac", ".mov": "aac", ".webm": "libopus"}


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
    seconds, not minutes), their narration too when they have one. Written under a temporary
    name, then moved: all or nothing."""
    with atomic(out) as partial, av.open(str(parts[0])) as first:
        template = first.streams.video[0]
        voiced = bool(first.streams.audio)
        with av.open(str(partial), "w", format=_muxer(out)) as dst:
            video = dst.add_stream_from_template(template)
            # tags such as WebM's alpha_mode=1 (a transparent video) must survive the join
            video.metadata.update(
                {k: v for k, v in template.metadata.items() if k.upper() != "DURATION"}
            )
            audio = dst.add_stream_from_template(first.streams.audio[0]) if voiced else None
            start = Fraction(0)  # where the next part begins, in seconds
            for part in parts:
                start = _copy(part, dst, video, audio, start)


def _copy(
    part: Path,
    dst: OutputContainer,
    video: VideoStream,
    audio: AudioStream | None,
    start: Fraction,
) -> Fraction:
    """Mux every packet of ``part`` shifted to ``start``; return where its video ends (the
    next part starts there, so each scene's voice stays with its pictures).

    A voice track runs a few milliseconds past its pictures (AAC's last frame) and begins with
    an encoder delay before time 0; both are silence (a scene neither starts nor ends
    speaking) and would overlap the neighbouring scene's audio, so they are left out."""
    end = start
    pictures = Fraction(duration(part))
    with av.open(str(part)) as src:
        sources: list[tuple[Stream, Stream]] = [(src.streams.video[0], video)]
        if audio is not None and src.streams.audio:
            sources.append((src.streams.audio[0], audio))
        targets = {s.index: (s, d) for s, d in sources}
        for packet in src.demux([s for s, _ in sources]):
            if packet.dts is None:  # the demuxer's end-of-stream flush packet
                continue
            source, target = targets[packet.stream.index]
            base = source.time_base
            if base is None:
                raise ValueError(f"{part}: a stream has no time base")
            if packet.pts is None or packet.duration is None:  # no place in time to move
                raise ValueError(f"{part}: a packet has no presentation time or duration")
            if source.type == "audio" and not 0 <= packet.pts * base < pictures:
                continue
            shift = int(start / base)  # the offset in this stream's own time units
            packet.pts += shift
            packet.dts += shift
            if source.type == "video":
                end = max(end, (packet.pts + packet.duration) * base)
            packet.stream = target
            packet.time_base = base
            dst.mux(packet)
    return end


def _muxer(out: Path) -> str:
    return {".mp4": "mp4", ".mov": "mov", ".webm": "webm"}[out.suffix]


def voice_clips(scene_video: Path, clips: Sequence[Path]) -> None:
    """Give each clip its stretch of the scene's audio: the clips are the scene cut in order
    (a slide each), so clip k plays what the scene plays from the end of clip k−1. Video
    packets are copied; the audio is encoded anew for the clip. A clip of a silent scene loses
    any audio it had (a clip kept from a narrated render)."""
    samples, rate, layout = None, 0, ""
    with av.open(str(scene_video)) as src:
        if src.streams.audio:
            stream = src.streams.audio[0]
            # by its channels: manim's WAV says "1 channels", a layout AAC refuses
            rate, layout = stream.rate, "mono" if stream.channels == 1 else "stereo"
            planar = av.AudioResampler(format="fltp", layout=layout, rate=rate)
            chunks = [o.to_ndarray() for f in src.decode(stream) for o in planar.resample(f)]
            samples = np.concatenate(chunks, axis=1) if chunks else None  # (channels, n)
    start = 0.0
    for clip in clips:
        length = duration(clip)
        part = None
        if samples is not None:
            part = samples[:, round(start * rate) : round((start + length) * rate)]
        _set_audio(clip, part, rate, layout)
        start += length


def _set_audio(clip: Path, samples: np.ndarray | None, rate: int, layout: str) -> None:
    # the clip's video packets, and ``samples`` (planar float, (channels, n)) as its audio
    with av.open(str(clip)) as src:
        if samples is None and not src.streams.audio:
            return
    voiced = samples is not None and samples.shape[1] > 0
    with (
        atomic(clip) as partial,
        av.open(str(clip)) as src,
        av.open(str(partial), "w", format=_muxer(clip)) as dst,
    ):
        video = dst.add_stream_from_template(src.streams.video[0])
        audio: AudioStream | None = None
        if voiced:
            made = dst.add_stream(AUDIO_CODEC[clip.suffix], rate=rate, layout=layout)
            assert isinstance(made, AudioStream)  # an audio codec makes an audio stream
            audio = made
        for packet in src.demux(src.streams.video[0]):
            if packet.dts is None:  # the demuxer's flush packet
                continue
            packet.stream = video
            dst.mux(packet)
        if audio is not None and samples is not None:
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(samples, dtype=np.float32), format="fltp", layout=layout
            )
            frame.sample_rate, frame.pts = rate, 0
            dst.mux(audio.encode(frame))
            dst.mux(audio.encode(None))
