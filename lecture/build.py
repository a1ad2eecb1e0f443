"""The whole lesson for one trace, in one folder: each scene rendered (in several processes
when asked), then the scenes joined into one video, the subtitles joined and converted, a
still of each scene, trace.json, the handout and the interactive page (lesson.html).

Re-running an unchanged command renders nothing: each scene's files are stamped with what made
them (trace, config, quality, format, the project's code), and only stale scenes are redone.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import multiprocessing
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from lecture.folder import lesson_folder
from lecture.handout import write_handout
from lecture.narration import write_narration
from lecture.options import RenderOptions
from lecture.outline_cache import shared_folder
from lecture.page import write_chapters, write_page
from lecture.scene_choice import SCENE_NAMES, stem_of
from lecture.subtitles import join_subtitles, write_vtt
from lecture.system import cores
from lecture.video import duration, join_videos
from qkv import Trace
from qkv.files import PARTIAL_GLOB, atomic

__all__ = ["SCENE_COST", "build_lesson", "build_lessons", "clock", "fingerprint"]

_ROOT = Path(__file__).resolve().parent.parent
JOINABLE = ("mp4", "webm", "mov")  # packets copy across; a GIF stays one file per scene


def fingerprint(trace: Trace) -> str:
    """What the lesson shows: the numbers (digest) and every config key (language, layout)."""
    config = json.dumps(trace.config, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{trace.digest}\n{config}".encode()).hexdigest()


def build_lesson(
    trace: Trace,
    scenes: Sequence[str],
    out: Path,
    options: RenderOptions,
    *,
    jobs: int = 1,
    say: Callable[[str], None] = lambda line: None,
    on_ray: bool = False,
) -> tuple[Path, list[Path]]:
    """Render ``scenes`` (names, lecture.scene_choice) of ``trace`` under ``out``; return the
    lesson folder and every file written or found up to date, lesson files last.

    Only the processes that render import manim: with ``jobs`` > 1 this one plans, waits and
    joins."""
    lessons = [(trace, scenes, options)]
    ((folder, files),) = build_lessons(lessons, out, jobs=jobs, say=say, on_ray=on_ray)
    return folder, files


def build_lessons(
    lessons: Sequence[tuple[Trace, Sequence[str], RenderOptions]],
    out: Path,
    *,
    jobs: int = 1,
    say: Callable[[str], None] = lambda line: None,
    on_ray: bool = False,
) -> list[tuple[Path, list[Path]]]:
    """Several lessons (a course) at once: every stale scene of every lesson goes to one pool of
    ``jobs`` processes, the longest first, then each lesson is joined. Returns each lesson's
    folder and files, in the order given. ``on_ray``: the scenes go to the connected Ray
    cluster (lecture/cluster.py) instead."""
    folders = []
    for trace, _, _ in lessons:
        folders.append(lesson_folder(out, trace.sentence, fingerprint(trace)))
        folders[-1].mkdir(parents=True, exist_ok=True)
    with ExitStack() as held:
        for folder in sorted(set(folders)):  # one order for all renders: none waits in a ring
            held.enter_context(_only_render_of(folder, say))
        plans = [
            _plan(trace, scenes, folder, options, say)
            for (trace, scenes, options), folder in zip(lessons, folders, strict=True)
        ]
        tasks = [(plan, name) for plan in plans for name in plan.todo]  # one lesson: in order
        if len(plans) > 1:  # a course: the longest first, so the last to finish are short
            tasks.sort(key=lambda task: -SCENE_COST[task[1]])
        left = {id(plan): len(plan.todo) for plan in plans}

        def lessons_done(plan: _Plan) -> str:
            left[id(plan)] -= 1
            if len(plans) == 1:
                return ""
            done = sum(1 for p in plans if left[id(p)] == 0)
            return f" · {plan.folder.name} · lessons {done}/{len(plans)}"

        for (plan, name), written in _render_all(tasks, jobs, say, lessons_done, on_ray):
            plan.stamps.record(plan.stems[name], plan.keys[name], written)
        return [(plan.folder, _finish(plan)) for plan in plans]


# Seconds each scene took at 480p15 for the default lesson (one process, 2026-12-04): a course
# renders the longest first, so the last scenes to finish are short ones.
SCENE_COST = {
    "WhyAttention": 7.0,
    "Overview": 6.0,
    "TokensToVectors": 8.8,
    "Projections": 7.3,
    "Scores": 7.9,
    "Scaling": 5.4,
    "WhyScale": 7.0,
    "Softmax": 7.1,
    "WeightedSum": 8.6,
    "Context": 7.6,
    "TrainedHeads": 19.6,
    "MultiHead": 14.0,
    "Masking": 10.7,
    "Cross": 8.0,
    "Alternatives": 7.6,
    "EncoderLayer": 8.8,
    "Recap": 4.4,
}


@contextmanager
def _only_render_of(folder: Path, say: Callable[[str], None]) -> Iterator[None]:
    """Hold the lesson folder for this render: a second render of the same lesson (the same
    command twice) waits here, then finds the scenes already rendered. The lock is the
    kernel's: it ends with the process, however the process ends."""
    with open(folder / ".lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"waiting: another render is writing {folder.name}")
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield  # the lock goes with the file's closing


@dataclass
class _Plan:
    """One lesson's folder, its scenes in order, what each is stamped with, and what is stale."""

    trace: Trace
    folder: Path
    options: RenderOptions
    ordered: list[str]
    stems: dict[str, str]
    keys: dict[str, str]
    todo: list[str]
    stamps: _Stamps
    files: list[Path]


def _plan(
    trace: Trace,
    scenes: Sequence[str],
    folder: Path,
    options: RenderOptions,
    say: Callable[[str], None],
) -> _Plan:
    # left by an interrupted run (no other render is in this folder now): never a final name
    for stale in folder.glob(PARTIAL_GLOB):
        stale.unlink()
    shutil.rmtree(folder / ".manim", ignore_errors=True)  # scenes' work folders, likewise
    trace.write_json(folder / "trace.json")
    files = [folder / "trace.json", write_handout(trace, folder / "handout.md")]

    stamps = _Stamps(folder / ".stamps.json")
    key = _render_key(trace, options)
    ordered = sorted(scenes, key=SCENE_NAMES.index)
    stems = {name: stem_of(name) for name in ordered}
    keys = {name: _scene_key(key, options.voice, name) for name in ordered}
    todo = [n for n in ordered if not stamps.fresh(stems[n], keys[n], folder, options.fmt)]
    if len(todo) < len(ordered):
        say(f"up to date: {len(ordered) - len(todo)} of {len(ordered)} scenes of {folder.name}")
    return _Plan(trace, folder, options, ordered, stems, keys, todo, stamps, files)


def _finish(plan: _Plan) -> list[Path]:
    """The lesson's files once its scenes are rendered: narration, the joined video and
    subtitles, slides, the page."""
    folder, ordered, stems, stamps = plan.folder, plan.ordered, plan.stems, plan.stamps
    files = list(plan.files)
    for name in ordered:
        files += [Path(p) for p in stamps.files(stems[name])]
    # what joins them: every scene's key (with recordings, each scene's own files)
    key = hashlib.sha256("".join(plan.keys[name] for name in ordered).encode()).hexdigest()
    stem_list = [stems[name] for name in ordered]
    files.append(write_narration(folder, stem_list, plan.trace.sentence))
    if plan.options.fmt != "png":
        files += _join(folder, stem_list, plan.options.fmt, stamps, key)
    if plan.options.slides:
        files += _slides(folder, list(ordered), plan.trace.sentence, stamps, key)
    files.append(write_page(plan.trace, folder))  # after the video: the page plays it
    return files


def _slides(folder: Path, names: list[str], title: str, stamps: _Stamps, key: str) -> list[Path]:
    from lecture.slides import write_slides

    slides_key = hashlib.sha256((key + "".join(names)).encode()).hexdigest()
    if stamps.fresh("slides", slides_key, folder, "pptx"):
        return [Path(p) for p in stamps.files("slides")]
    written = write_slides(folder, names, title)
    stamps.record("slides", slides_key, written)
    return written


def _render_all(
    tasks: list[tuple[_Plan, str]],
    jobs: int,
    say: Callable[[str], None],
    after: Callable[[_Plan], str],
    on_ray: bool = False,
) -> Iterator[tuple[tuple[_Plan, str], list[Path]]]:
    """Yield ((lesson, scene name), files written) as each scene finishes, with one overall
    progress line per scene: done of total, elapsed, an estimate of what is left, and what
    ``after`` adds (a course: the lesson and how many lessons are done). The line comes once
    the caller has stamped the scene: a run stopped after it never renders that scene again."""
    started, total = time.perf_counter(), len(tasks)
    outlines = shared_folder()  # formulas and texts, shared by all the user's lessons

    def progress(done: int, task: tuple[_Plan, str]) -> None:
        elapsed = time.perf_counter() - started
        left = elapsed / done * (total - done) if done < total else 0.0
        say(
            f"[{done}/{total}] {task[1]}{after(task[0])} · {clock(elapsed)} elapsed"
            + (f" · about {clock(left)} left" if done < total else "")
        )

    if on_ray:  # the cluster's nodes render; their files come back through Ray
        from lecture.cluster import render_on_ray

        flat = [(plan.trace, name, plan.folder, plan.options) for plan, name in tasks]
        for done, (index, written) in enumerate(render_on_ray(flat), 1):
            yield tasks[index], written
            progress(done, tasks[index])
        return
    if jobs <= 1 or total <= 1:  # this process renders: it imports manim
        from lecture.runner import render_scene

        for done, (plan, name) in enumerate(tasks, 1):
            written = render_scene(plan.trace, name, plan.folder, plan.options, outlines)
            yield (plan, name), written
            progress(done, (plan, name))
        return
    # spawn, not fork: each worker starts clean (manim's global config, torch's threads)
    context = multiprocessing.get_context("spawn")
    workers = min(jobs, total)
    # each worker's encoder gets its share of the cores: with as many workers as cores, x264's
    # own threads only fight the other workers for them (lecture/runner.py)
    threads = max(1, cores() // workers)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        running = {
            pool.submit(
                _render_in_worker, plan.trace, name, plan.folder, plan.options, outlines, threads
            ): (plan, name)
            for plan, name in tasks
        }
        done = 0
        try:
            while running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    task = running.pop(future)
                    written = future.result()
                    done += 1
                    yield task, written
                    progress(done, task)
        except BaseException:  # Ctrl-C or a failed scene: stop the others, keep what is done
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _render_in_worker(
    trace: Trace, name: str, folder: Path, options: RenderOptions, outlines: Path, threads: int
) -> list[Path]:
    """lecture.runner.render_scene, imported in the worker: to submit runner's function
    itself, this process would have to import runner, and with it manim."""
    from lecture.runner import render_scene

    return render_scene(trace, name, folder, options, outlines, encoder_threads=threads)


def _join(folder: Path, stems: list[str], fmt: str, stamps: _Stamps, key: str) -> list[Path]:
    """Per-scene .vtt, then the lesson's video and subtitles; skipped when nothing changed."""
    lesson_key = hashlib.sha256((key + "".join(stems)).encode()).hexdigest()
    if stamps.fresh("lesson", lesson_key, folder, fmt):
        return [Path(p) for p in stamps.files("lesson")]
    written: list[Path] = []
    parts = []
    chapters = []  # (scene name, seconds of its video): the page's chapters of the lesson video
    for stem in stems:
        srt_path = folder / f"{stem}.srt"
        seconds = duration(folder / f"{stem}.{fmt}")
        chapters.append((stem.split("_", 1)[1], seconds))  # NN_Name: the scene Name
        if srt_path.exists():
            written.append(write_vtt(srt_path))
            parts.append((srt_path, seconds))
    if fmt in JOINABLE:
        join_videos([folder / f"{stem}.{fmt}" for stem in stems], folder / f"lesson.{fmt}")
        written += [folder / f"lesson.{fmt}", write_chapters(folder, chapters)]
    if parts:
        join_subtitles(parts, folder / "lesson.srt")
        written += [folder / "lesson.srt", write_vtt(folder / "lesson.srt")]
    stamps.record("lesson", lesson_key, written)
    return written


def pixel_sources() -> list[Path]:
    """Every file a scene's pixels depend on: the scenes and their kit (at any depth), the core,
    and the rendering side's runner and TeX template."""
    return sorted(
        [
            *(_ROOT / "scenes").rglob("*.py"),
            *(_ROOT / "qkv").rglob("*.py"),
            _ROOT / "lecture" / "runner.py",
            _ROOT / "lecture" / "tex_template.tex",
        ]
    )


def _render_key(trace: Trace, options: RenderOptions) -> str:
    """Everything a scene's pixels depend on, the project's own code included."""
    code = hashlib.sha256()
    for path in pixel_sources():
        code.update(str(path.relative_to(_ROOT)).encode())  # a moved file is a change too
        code.update(path.read_bytes())
    what = (
        f"{fingerprint(trace)} {options.quality} {options.fmt} {options.transparent} "
        f"{options.slides} {options.voice}"
    )
    return hashlib.sha256(f"{what} {code.hexdigest()}".encode()).hexdigest()


def _scene_key(key: str, voice: str | None, scene: str) -> str:
    """A scene's key: the render's, and with recordings, each of the scene's own files (name,
    size, time): a beat recorded again re-renders its scene and no other."""
    if voice is None or voice == "espeak":
        return key
    own = " ".join(
        f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
        for p in sorted(Path(voice).glob(f"{scene}-*"))
        if p.is_file()
    )
    return hashlib.sha256(f"{key} {own}".encode()).hexdigest()


class _Stamps:
    """``.stamps.json``: for each scene (and the joined lesson), the key that made its files."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.data = {}

    def fresh(self, name: str, key: str, folder: Path, fmt: str) -> bool:
        entry = self.data.get(name)
        return (
            entry is not None
            and entry["key"] == key
            and all((folder / f).exists() for f in entry["files"])
            and any(f.endswith(f".{fmt}") for f in entry["files"])
        )

    def files(self, name: str) -> list[str]:
        return [str(self.path.parent / f) for f in self.data.get(name, {}).get("files", [])]

    def record(self, name: str, key: str, written: Sequence[Path]) -> None:
        self.data[name] = {"key": key, "files": [Path(p).name for p in written]}
        with atomic(self.path) as partial:
            partial.write_text(json.dumps(self.data, indent=1), encoding="utf-8")


def clock(seconds: float) -> str:
    """Seconds as m:ss."""
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}:{secs:02d}"
