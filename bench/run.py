"""Speed and memory of the default lesson against the physical floor, by hand (never in CI):
python bench/run.py

For 480p15 and 1080p60: the floors (bench/holds.py: a still lesson frame encoded as the lesson
is, converted once, and through manim's own segment encoder); the lesson with --jobs 2 cold (an
empty formula cache, as on a new machine) and warm (the formulas compiled, as after the
README's set-up), each into a new --out: wall time, video length, real-time factor, its ratio
to the physical floor and the peak memory of the whole process tree. Runs are repeated and
reported as their median: 480p15 three times each, 1080p60 warm three times (one run on these
two cores was up to 20% off, 12-05) and cold once (about seven minutes). Then an unchanged
re-render and --no-video (medians of three), and bench/split.py's account of where the work
goes. Writes bench/results.md.
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
from holds import ENCODER_OPTIONS, ROUNDS, SECONDS, lesson_frame, physical_floor, through
from manim.scene.video_segment_encoder import VideoSegmentEncoder

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
QUALITY_NAME = {"low": "480p15", "high": "1080p60"}
# seconds between memory samples: a render's memory rises and falls over seconds (a scene's
# process), and each sample reads every process's smaps_rollup
SAMPLE = 1.0
SAMPLER_CPU = [0.0]  # CPU seconds the samplers took, all runs


def tree_memory(pid: int) -> tuple[int, int]:
    """Memory (bytes) of ``pid`` and all its descendants, from /proc: resident (RSS, each
    process's shared pages counted in each) and proportional (PSS, a page shared by n processes
    counted 1/n in each: the render workers share manim's libraries)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    rss = pss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            rollup = Path(f"/proc/{p}/smaps_rollup").read_text()
        except OSError:  # ended meanwhile
            continue
        for line in rollup.splitlines():
            if line.startswith("Rss:"):
                rss += int(line.split()[1]) * 1024
            elif line.startswith("Pss:"):
                pss += int(line.split()[1]) * 1024
    return rss, pss


def run(
    command: list[str], env: dict | None = None, *, memory: bool = True
) -> tuple[float, tuple[int, int]]:
    """Wall seconds and peak memory (bytes, whole process tree, sampled every SAMPLE s): RSS,
    PSS.

    Walking /proc to sample costs CPU the command would otherwise have (SAMPLER_CPU adds it
    up): sampled every 0.1 s, bench/run.py itself took 16% of a core through the whole run
    (12-05), which slowed the renders it timed; a run of a few seconds on two cores is timed
    with ``memory=False`` (peaks 0)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = (0, 0)

    def sample() -> None:
        nonlocal peak
        while process.poll() is None:
            rss, pss = tree_memory(process.pid)
            peak = (max(peak[0], rss), max(peak[1], pss))
            time.sleep(SAMPLE)
        SAMPLER_CPU[0] += time.thread_time()

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
    return {
        "wall": wall, "peak": peak[0], "pss": peak[1], "seconds": seconds, "frames": frames,
        "folder": folder,
    }  # fmt: skip


def floors(quality: str, work: Path) -> dict[str, float]:
    """Seconds of work per second of video for a still lesson frame at ``quality``: the
    physical floor (PyAV, converted once) with the lesson's x264 settings and with x264's own
    "veryfast" (the issue's floor), and manim's own segment encoder (converted every frame),
    medians of five rounds (bench/holds.py)."""
    pixels = lesson_frame(work / f"still-{quality}", quality)
    rate = {"low": 15, "high": 60}[quality]
    times: dict[str, list[float]] = {"physical": [], "veryfast": [], "manim": []}
    for k in range(ROUNDS):
        times["physical"].append(physical_floor(pixels, work / f"p{k}.mp4", rate))
        times["veryfast"].append(
            physical_floor(pixels, work / f"v{k}.mp4", rate, {"preset": "veryfast"})
        )
        times["manim"].append(through(VideoSegmentEncoder, pixels, work / f"m{k}.mp4", rate))
    return {way: median(t) / SECONDS for way, t in times.items()}


def split(quality: str, scenes: list[str]) -> str:
    """bench/split.py's table for ``scenes`` at ``quality``."""
    done = subprocess.run(
        [PY, "bench/split.py", quality, *scenes], cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"bench/split.py failed:\n{done.stderr[-2000:]}")
    return done.stdout.strip()


def main() -> None:
    rows, notes, splits = [], [], []
    work = Path(tempfile.mkdtemp(prefix="qkv-bench-"))
    per_second: dict[str, dict[str, float]] = {}
    try:
        for quality, repeats in (("low", (3, 3)), ("high", (1, 3))):
            per_second[quality] = floors(quality, work / f"floors-{quality}")
            for state, times in zip(("cold", "warm"), repeats, strict=True):
                runs = []
                for k in range(times):
                    if state == "cold":  # an empty formula cache, as on a new machine
                        os.environ["QKV_CACHE"] = str(work / f"cache-{quality}-{k}")
                    runs.append(lesson(quality, 2, work / f"{quality}-{state}-{k}"))
                middle = sorted(runs, key=lambda r: r["wall"])[len(runs) // 2]
                rows.append((quality, state, [r["wall"] for r in runs], middle))
        # a few seconds each, so the median of three runs
        again = median(
            run([PY, "render.py", "--quality", "high", "--jobs", "2", "--out",
                 str(work / "high-warm-0"), "-q"], memory=False)[0]
            for _ in range(3)
        )  # fmt: skip
        no_video = median(
            run([PY, "render.py", "--no-video", "--out", str(work / "nv"), "-q"], memory=False)[0]
            for _ in range(3)
        )
        splits.append(split("low", []))
        splits.append(split("high", ["Scores", "Softmax", "MultiHead"]))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    lines = [
        "# Benchmark results",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} by `python bench/run.py` on this machine:",
        "",
        f"- {_machine()}",
        "",
        "The floors, in seconds of work per second of video, for a still lesson frame "
        f"(bench/holds.py; the lesson's libx264 settings are {ENCODER_OPTIONS['mp4']}):",
        "",
        "| quality | physical floor (PyAV, converted once, the lesson's settings) | the same "
        "with x264's own veryfast (the issue's floor) | manim's segment encoder (converted "
        "every frame) |",
        "|---|---:|---:|---:|",
        *(
            f"| {QUALITY_NAME[q]} | {f['physical']:.3f} | {f['veryfast']:.3f} | {f['manim']:.3f} |"
            for q, f in per_second.items()
        ),
        "",
        "The default lesson, `--jobs 2`; cold: an empty formula cache and a new `--out`; warm: "
        "the formulas compiled (as after the README's set-up), a new `--out`:",
        "",
        "| quality | cache | runs | wall s | video s | real-time factor | to the physical floor "
        "| to the issue's floor | peak RSS MB | peak PSS MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for quality, state, walls, r in rows:
        floor_s = per_second[quality]["physical"] * r["seconds"]
        issue_s = per_second[quality]["veryfast"] * r["seconds"]
        lines.append(
            f"| {QUALITY_NAME[quality]} | {state} | {len(walls)} | {r['wall']:.1f} | "
            f"{r['seconds']:.1f} | {r['wall'] / r['seconds']:.3f} | "
            f"{r['wall'] / floor_s:.2f}x | {r['wall'] / issue_s:.2f}x | "
            f"{r['peak'] / 2**20:.0f} | {r['pss'] / 2**20:.0f} |"
        )
    notes.append(
        "- wall s is the median of the runs; peak memory is the whole process tree's, sampled "
        f"every {SAMPLE:g} s (the sampling took {SAMPLER_CPU[0]:.1f} CPU s in all): RSS counts "
        "the libraries the processes share once in each, PSS divides "
        "each shared page among its processes (what the tree takes from the machine)"
    )
    notes.append(
        "- every run's wall s, in the order run: "
        + "; ".join(
            f"{QUALITY_NAME[q]} {state} " + ", ".join(f"{w:.1f}" for w in walls)
            for q, state, walls, _ in rows
        )
    )
    notes.append(f"- unchanged re-render (high, --jobs 2, cache hit): {again:.1f} s (median of 3)")
    notes.append(f"- --no-video: {no_video:.1f} s (median of 3)")
    lines += ["", *notes, "", "Where the work goes (bench/split.py, one process):", ""]
    for table in splits:
        lines += [table, ""]
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
