"""Speed and memory of the default lesson, by hand (never in CI): python bench/run.py

Measures, for the default lesson at low and high quality: its first run (empty formula cache,
--jobs 2), then --jobs 1 and --jobs 2 with the formulas compiled (what a lecturer iterating
sees), then another sentence into the same folder, then the lesson narrated (--voice espeak).
For each: wall time, video length, real-time factor (render time / video length), frame count
and peak memory of the whole process tree.
Also the floor (bench/floor.py: a still picture of the same length and resolution, encoded as
the lesson is), the speed-up of --jobs 2 over --jobs 1, an unchanged re-render (cache hit) and
--no-video. Writes bench/results.md.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from statistics import median

import av

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def tree_rss(pid: int) -> int:
    """Resident memory (bytes) of ``pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss[int(entry.name)] = int(line.split()[1]) * 1024
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def run(command: list[str], env: dict | None = None, *, memory: bool = True) -> tuple[float, int]:
    """Wall seconds and peak memory (bytes, whole process tree, sampled every 0.1 s).

    Walking /proc to sample costs CPU the command would otherwise have: a run of a few seconds
    on two cores is timed with ``memory=False`` (peak 0)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = 0

    def sample() -> None:
        nonlocal peak
        while process.poll() is None:
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    if memory:
        sampler.start()
    _, err = process.communicate()
    if memory:
        sampler.join()
    if process.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{err[-2000:]}")
    return time.perf_counter() - started, peak


def video_facts(path: Path) -> tuple[float, int]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        seconds = float(stream.duration * stream.time_base)
        frames = stream.frames or sum(1 for _ in container.demux(stream))
    return seconds, frames


def lesson(quality: str, jobs: int, out: Path, sentence: str | None = None, *extra: str) -> dict:
    """Render a lesson into ``out``: a fresh folder means an empty formula (Tex) cache.
    ``extra``: more options, e.g. ``--voice espeak``."""
    before = set(out.iterdir()) if out.exists() else set()
    wall, peak = run(
        [
            PY,
            "render.py",
            *([sentence] if sentence else []),
            "--quality",
            quality,
            "--jobs",
            str(jobs),
            "--out",
            str(out),
            "-q",
            *extra,
        ]
    )
    (folder,) = [p for p in set(out.iterdir()) - before if p.is_dir() and p.name[0] != "."]
    seconds, frames = video_facts(folder / "lesson.mp4")
    return {"wall": wall, "peak": peak, "seconds": seconds, "frames": frames, "folder": folder}


def floor(quality: str, seconds: float, media: Path) -> dict:
    from lecture.runner import ENCODER_OPTIONS  # the lesson's own encoder settings

    flag = {"low": "-ql", "high": "-qh"}[quality]
    media.mkdir(parents=True)
    encoder = media / "encoder.cfg"
    encoder.write_text(
        "[video_encoder.options]\n"
        + "".join(f"{key} = {value}\n" for key, value in ENCODER_OPTIONS["mp4"].items())
    )
    env = dict(os.environ, FLOOR_SECONDS=str(seconds), PYTHONPATH=str(ROOT))
    wall, peak = run(
        [
            PY,
            "-m",
            "manim",
            flag,
            "--disable_caching",
            "--progress_bar",
            "none",
            "-c",
            str(encoder),
            "--media_dir",
            str(media),
            "bench/floor.py",
            "Floor",
        ],
        env,
    )
    (video,) = media.rglob("Floor.mp4")
    length, frames = video_facts(video)
    return {"wall": wall, "peak": peak, "seconds": length, "frames": frames}


def main() -> None:
    rows, notes = [], []
    work = Path(tempfile.mkdtemp(prefix="qkv-bench-"))
    try:
        for quality in ("low", "high"):
            # an empty formula cache of the bench's own (render.py reads $QKV_CACHE)
            os.environ["QKV_CACHE"] = str(work / f"cache-{quality}")
            cold = work / f"{quality}-cold"  # nothing compiled: every formula goes through LaTeX
            r = lesson(quality, 2, cold)
            rows.append((f"lesson, {quality}, --jobs 2, first run (empty formula cache)", r))
            for jobs in (1, 2):  # as a lecturer iterating sees it: formulas already compiled
                out = work / f"{quality}-{jobs}"
                r = lesson(quality, jobs, out)
                rows.append((f"lesson, {quality}, --jobs {jobs}", r))
            # the next sentence into the same --out: new tokens, new captions, mostly old formulas
            r = lesson(quality, 2, work / f"{quality}-2", "a dog ran to the park")
            rows.append((f"another sentence, {quality}, --jobs 2, same --out", r))
            # narrated: espeak-ng's speech, the holds it asks for, and the audio track
            voiced = work / f"{quality}-voice"
            r = lesson(quality, 2, voiced, None, "--voice", "espeak")
            rows.append((f"lesson, {quality}, --jobs 2, --voice espeak", r))
            f = floor(quality, rows[-3][1]["seconds"], work / f"floor-{quality}")
            rows.append((f"floor, {quality} (still picture, same length)", f))
        # a few seconds each, so the median of three runs
        again = median(
            run(
                [
                    PY,
                    "render.py",
                    "--quality",
                    "high",
                    "--jobs",
                    "2",
                    "--out",
                    str(work / "high-2"),
                    "-q",
                ],
                memory=False,
            )[0]
            for _ in range(3)
        )
        no_video = median(
            run([PY, "render.py", "--no-video", "--out", str(work / "nv"), "-q"], memory=False)[0]
            for _ in range(3)
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    by = dict(rows)
    for quality in ("low", "high"):
        one, two = by[f"lesson, {quality}, --jobs 1"], by[f"lesson, {quality}, --jobs 2"]
        base = by[f"floor, {quality} (still picture, same length)"]
        voiced = by[f"lesson, {quality}, --jobs 2, --voice espeak"]
        notes.append(
            f"- {quality}: --voice espeak makes the lesson {voiced['seconds']:.0f} s long "
            f"(silent {two['seconds']:.0f} s) and costs {voiced['wall'] / two['wall']:.2f}x "
            "the silent render's time"
        )
        notes.append(
            f"- {quality}: --jobs 2 is {one['wall'] / two['wall']:.2f}x faster than "
            f"--jobs 1; the lesson (--jobs 1) costs {one['wall'] / base['wall']:.1f}x the "
            f"floor, (--jobs 2) {two['wall'] / base['wall']:.1f}x"
        )
    notes.append(f"- unchanged re-render (high, --jobs 2, cache hit): {again:.1f} s (median of 3)")
    notes.append(f"- --no-video: {no_video:.1f} s (median of 3)")

    lines = [
        "# Benchmark results",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} by `python bench/run.py` on this machine:",
        "",
        f"- {_machine()}",
        "",
        "| run | wall s | video s | real-time factor | frames | peak memory MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows:
        lines.append(
            f"| {name} | {r['wall']:.1f} | {r['seconds']:.1f} | "
            f"{r['wall'] / r['seconds']:.2f} | {r['frames']} | {r['peak'] / 2**20:.0f} |"
        )
    lines += ["", *notes, ""]
    (ROOT / "bench" / "results.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


def _machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    import manim

    return (
        f"{cpu}, {os.cpu_count()} cores, {mem / 2**20:.0f} GiB RAM; {platform.platform()}; "
        f"Python {platform.python_version()}, manim {manim.__version__}"
    )


if __name__ == "__main__":
    main()
