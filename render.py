"""Render the attention lesson for a sentence: python render.py "the cat sat on the mat".

Exit codes: 0 done; 2 bad input or config (one plain line says what and how to fix); 1 anything
else. ``--no-video`` writes DIR/trace.json and the lesson's interactive page (lesson.html) only,
and never imports manim.
"""

from __future__ import annotations

import errno
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import click

from lecture.scene_choice import SCENE_NAMES, choose_scenes
from qkv import BadInput, Trace, build_trace, load_config

EXAMPLES = """
\b
Examples:
  python render.py                                 # the default config's sentence
  python render.py "the cat sat on the mat" --quality low --jobs 2
  python render.py "我爱注意力机制" --lang zh --heads 1 --format png
  python render.py "apple orange" --config config/apple.toml --no-video
  python render.py "the cat sat on the mat" --source minilm --layer 2 --head 5
  python render.py "猫坐在垫子上" --cross "the cat sat on the mat"
  python render.py "the cat sat" --format mov --transparent --scenes 3,5
  python render.py "the cat sat on the mat" --slides     # + slides.html and slides.pptx
  python render.py --list-scenes
"""
QUALITY_ORDER = ("low", "medium", "high", "4k")  # lightest first
FORMATS = ("mp4", "webm", "gif", "mov", "png")  # manim's formats; png: stills only
TRANSPARENT_FORMATS = ("webm", "mov")  # those that carry an alpha channel


def _out_folder(ctx: click.Context, param: click.Parameter, value: str) -> Path:
    # checked before any work: a run that computed everything and then cannot write is waste
    if not value.strip():
        raise click.BadParameter("is empty; name a folder, e.g. --out lectures", ctx, param)
    out = Path(value)
    if out.exists() and not out.is_dir():
        raise click.BadParameter(f"{out} is a file; name a folder, e.g. --out lectures", ctx, param)
    if (out / "trace.json").is_dir():
        raise click.BadParameter(f"{out / 'trace.json'} is a folder; move it away", ctx, param)
    there = next(p for p in (out, *out.parents) if p.exists())  # where the first write lands
    if not there.is_dir():
        raise click.BadParameter(f"{there} is a file, so {out} cannot be made", ctx, param)
    try:
        with tempfile.TemporaryFile(dir=there):
            pass
    except OSError as err:
        raise click.BadParameter(
            f"cannot write in {there} ({err.strerror}); choose a folder you can write to",
            ctx,
            param,
        ) from None
    return out


def _positive(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    if value is not None and value < 1:
        raise click.BadParameter(f"must be 1 or more (got {value})", ctx, param)
    return value


@click.command(epilog=EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("sentence", required=False)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="A TOML config (default: config/default.toml), e.g. --config config/causal.toml.",
)
@click.option(
    "--course",
    type=click.Path(path_type=Path),
    help="Render every lesson of a course file (TOML: [defaults] and one [[lesson]] per lesson, "
    "keys named as these options), e.g. --course config/course.toml.",
)
@click.option(
    "--out",
    default="media",
    callback=_out_folder,
    show_default=True,
    help="Where the lesson folder (named after the sentence) and trace.json go, "
    "e.g. --out lectures.",
)
@click.option("--no-video", is_flag=True, help="Write OUT/trace.json only; no manim, no video.")
@click.option("--list-scenes", is_flag=True, help="List the lesson's scenes and stop.")
@click.option(
    "--scenes",
    "scene_names",
    metavar="NAMES",
    help="Only these scenes, by name or number, e.g. --scenes 3,Softmax.",
)
@click.option(
    "--quality",
    type=click.Choice(QUALITY_ORDER),
    default="high",
    show_default=True,
    help="480p15, 720p30, 1080p60 or 2160p60, e.g. --quality low.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="mp4",
    show_default=True,
    help="Video format, or png for stills only, e.g. --format webm.",
)
@click.option(
    "--transparent",
    is_flag=True,
    help="No background, for overlaying on slides, e.g. --format mov --transparent.",
)
@click.option(
    "--slides", is_flag=True, help="Also write slides (one per caption): offline HTML and PPTX."
)
@click.option(
    "--voice",
    metavar="espeak|FOLDER",
    help="Speak every caption: espeak (offline, in the lesson's language), or a folder of your "
    "own recordings named as narration.md lists the beats, e.g. --voice espeak.",
)
@click.option(
    "--jobs",
    type=int,
    callback=_positive,
    help="Scenes rendered at once in separate processes (default: one per core, as many as "
    "free memory holds), e.g. --jobs 2.",
)
@click.option(
    "--ray",
    metavar="ADDRESS",
    help="Render the scenes on a Ray cluster (ray start --head), e.g. --ray auto or "
    "--ray 10.0.0.5:6379.",
)
@click.option(
    "--lang",
    "language",
    type=click.Choice(["en", "zh", "ru"]),
    help="Language of the captions, subtitles and handout, e.g. --lang zh.",
)
@click.option(
    "--layout",
    "--convention",
    "convention",
    type=click.Choice(["rows", "columns"]),
    help="rows: Q = X·W_Q (the paper); columns: Q = W_Q·I (column vectors).",
)
@click.option("--heads", type=int, help="Number of attention heads, e.g. --heads 2.")
@click.option("--d-model", type=int, help="Width of each token vector, e.g. --d-model 6.")
@click.option(
    "--d-k", type=int, help="Width of each head's queries and keys (default d_model/heads)."
)
@click.option("--d-v", type=int, help="Width of each head's values (default d_k).")
@click.option("--seed", type=int, help="Seed of the seeded source, e.g. --seed 7.")
@click.option(
    "--source",
    type=click.Choice(["seeded", "explicit", "minilm"]),
    help="Where vectors and weights come from; minilm: the pretrained all-MiniLM-L6-v2, "
    "e.g. --source minilm.",
)
@click.option("--layer", type=int, help="The minilm layer shown, 0 to 5, e.g. --layer 2.")
@click.option(
    "--head", type=int, help="The head the single-head scenes show, from 0, e.g. --head 3."
)
@click.option("--precision", type=int, help="Decimals shown for each number, e.g. --precision 3.")
@click.option(
    "--positions",
    type=click.Choice(["sinusoidal", "none"]),
    help="Position vectors added to the token vectors (X = E + P), e.g. --positions none.",
)
@click.option("--causal/--no-causal", default=None, help="Mask future tokens (a decoder).")
@click.option(
    "--cross",
    metavar="OTHER",
    help='Cross-attention: keys and values from OTHER, e.g. --cross "the cat sat".',
)
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
def main(
    sentence: str | None,
    config_path: Path | None,
    course: Path | None,
    out: Path,
    no_video: bool,
    list_scenes: bool,
    scene_names: str | None,
    quality: str,
    fmt: str,
    transparent: bool,
    slides: bool,
    voice: str | None,
    jobs: int | None,
    ray: str | None,
    language: str | None,
    convention: str | None,
    heads: int | None,
    d_model: int | None,
    d_k: int | None,
    d_v: int | None,
    seed: int | None,
    source: str | None,
    layer: int | None,
    head: int | None,
    precision: int | None,
    positions: str | None,
    causal: bool | None,
    cross: str | None,
    quiet: bool,
) -> None:
    """Render a 3Blue1Brown-style lesson on attention in which every number is computed."""
    started = time.perf_counter()
    say = (lambda line: None) if quiet else (lambda line: click.echo(line, err=True))
    tell = (lambda line: None) if quiet else click.echo  # results: stdout; progress: stderr
    if course is not None:
        _course(click.get_current_context(), course, out, jobs, ray, say, tell)
        tell(f"done in {time.perf_counter() - started:.1f} s")
        return
    chosen = choose_scenes(scene_names)  # checked with --no-video too
    if list_scenes:
        for number, name in enumerate(SCENE_NAMES, 1):
            click.echo(f"{number}  {name}")
        return
    trace, voice = _lesson(click.get_current_context().params, no_video)
    trace.write_json(out / "trace.json")  # the contract's place, whatever else is rendered
    tell(f"trace: {out / 'trace.json'} ({len(trace.tokens)} tokens, digest {trace.digest[:12]})")
    if no_video:  # the interactive page needs only the trace (no manim): it is written too
        from lecture.build import fingerprint
        from lecture.folder import lesson_folder
        from lecture.page import write_page

        folder = lesson_folder(out, trace.sentence, fingerprint(trace))
        folder.mkdir(parents=True, exist_ok=True)
        tell(f"page: {write_page(trace, folder)}")
        return
    from lecture.build import build_lesson
    from lecture.options import RenderOptions
    from lecture.system import default_jobs

    jobs = jobs or default_jobs(quality, len(chosen))
    # manim's own bars only for one scene at a time on a terminal; else one line per scene
    options = RenderOptions(
        quality=quality,
        fmt=fmt,
        transparent=transparent,
        slides=slides,
        voice=voice,
        bars=sys.stderr.isatty() and not quiet and jobs == 1,
    )
    with _cluster(ray):
        folder, files = build_lesson(
            trace, chosen, out, options, jobs=jobs, say=say, on_ray=ray is not None
        )
    tell(f"lesson: {folder}")
    for path in files:
        tell(f"  {path.name}")
    tell(f"done in {time.perf_counter() - started:.1f} s")


def _lesson(p: dict[str, Any], no_video: bool) -> tuple[Trace, str | None]:
    """One lesson's trace and checked voice from its options (a command line's, or a course
    lesson's): every check is made here, before anything is written."""
    if p["slides"] and p["fmt"] != "mp4":
        raise BadInput(f"--slides are made from mp4 scenes: drop --format {p['fmt']} (or --slides)")
    if p["transparent"] and p["fmt"] not in TRANSPARENT_FORMATS:
        raise BadInput(f"--transparent needs --format mov or webm (got --format {p['fmt']})")
    voice = _checked_voice(p["voice"])
    overrides = ("sentence", "heads", "d_model", "d_k", "d_v", "seed", "causal", "cross",
                 "language", "convention", "source", "layer", "head", "precision",
                 "positions")  # fmt: skip
    cfg = load_config(p["config_path"]).with_overrides(**{k: p[k] for k in overrides})
    # a render goes on for minutes: its torch check runs apart, so this process never holds torch
    trace = build_trace(cfg, apart=not no_video)
    if not no_video:
        from lecture.system import check_drawable, check_system

        check_system(slides=p["slides"], voice=voice is not None)
        check_drawable(_shown_texts(trace))
    return trace, voice


# the options that belong to the whole run, not to one lesson of a course
_RUN_OPTIONS = ("course", "out", "jobs", "ray", "quiet")


def _cluster(address: str | None) -> AbstractContextManager[None]:
    """Connected to the Ray cluster at ``address`` while rendering; nothing without --ray (and
    then Ray is never imported)."""
    if address is None:
        return nullcontext()
    if not address.strip():
        raise BadInput("--ray is empty; give auto or the head's address, e.g. --ray auto")
    from lecture.cluster import connected

    return connected(address)


def _course(
    ctx: click.Context,
    course: Path,
    out: Path,
    jobs: int | None,
    ray: str | None,
    say: Callable[[str], None],
    tell: Callable[[str], None],
) -> None:
    """Every lesson of the course file, checked first (nothing is rendered if one is bad), then
    rendered together: one pool for all their scenes, then out/index.html."""
    from lecture.course import read_course, write_index
    from lecture.options import RenderOptions

    given = [
        name
        for name, value in ctx.params.items()
        if name not in _RUN_OPTIONS
        and ctx.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE
    ]
    if "no_video" in given or "list_scenes" in given:
        raise BadInput("--course renders whole lessons: drop --no-video and --list-scenes")
    if given:
        flag = "the sentence" if given[0] == "sentence" else f"--{given[0].replace('_', '-')}"
        raise BadInput(f"--course: {flag} belongs in the course file ([defaults] or a lesson)")
    lessons = []
    for n, argv in enumerate(read_course(course), 1):
        try:
            with main.make_context("render.py", ["--out", str(out), *argv]) as sub:
                chosen = choose_scenes(sub.params["scene_names"])
                trace, voice = _lesson(sub.params, no_video=False)
                p = sub.params
        except click.UsageError as err:
            raise BadInput(f"{course}: lesson {n}: {err.format_message()}") from None
        except BadInput as err:
            raise BadInput(f"{course}: lesson {n}: {err}") from None
        options = RenderOptions(
            quality=p["quality"],
            fmt=p["fmt"],
            transparent=p["transparent"],
            slides=p["slides"],
            voice=voice,
        )
        lessons.append((trace, chosen, options))
    from lecture.build import build_lessons
    from lecture.system import default_jobs

    scenes = sum(len(chosen) for _, chosen, _ in lessons)
    heaviest = max((o.quality for _, _, o in lessons), key=list(QUALITY_ORDER).index)
    jobs = jobs or default_jobs(heaviest, scenes)
    with _cluster(ray):
        built = build_lessons(lessons, out, jobs=jobs, say=say, on_ray=ray is not None)
    for folder, _ in built:
        tell(f"lesson: {folder}")
    index = write_index(
        out, [(t, f, o.fmt) for (t, _, o), (f, _) in zip(lessons, built, strict=True)]
    )
    tell(f"course: {index}")


# what the user can do about an error while writing (exit 2); any other OSError is exit 1
_USERS_TO_FIX = {
    errno.ENOSPC: "free some disk space or choose another --out",
    errno.EDQUOT: "free some of your quota or choose another --out",
    errno.EACCES: "choose a folder you can write to with --out",
    errno.EPERM: "choose a folder you can write to with --out",
    errno.EROFS: "the disk is read-only; choose another --out",
}


def _checked_voice(voice: str | None) -> str | None:
    """``espeak``, or the absolute path of a folder whose recordings all decode."""
    if voice is None or voice == "espeak":
        return voice
    if not voice.strip():
        raise BadInput("--voice is empty; give espeak or a folder of recordings")
    from lecture.voice import check_recordings

    folder = Path(voice).expanduser().resolve()
    check_recordings(folder)
    return str(folder)


def _shown_texts(trace: Trace) -> list[str]:
    """Every text of the user's the scenes draw: the sentences and their tokens, the Cross
    scene's second sentence included."""
    from qkv.studies.companions import companion

    pair = companion(trace, "pair")
    texts = [trace.sentence, *trace.tokens, *trace.key_tokens, *pair.key_tokens]
    return texts + [s for s in (trace.kv_sentence, pair.kv_sentence) if s is not None]


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and turn every failure into an exit code and, for bad input, one line."""
    try:
        main.main(args=argv, prog_name="render.py", standalone_mode=False)
    except BadInput as err:
        click.echo(f"error: {err}", err=True)
        return 2
    except click.UsageError as err:  # wrong option, wrong type, missing value
        hint = "see --help"
        if isinstance(err, click.NoSuchOption) and err.option_name[1:2].isdigit():
            # "-1 is negative" read as an option: after --, everything is the sentence
            hint = (
                f'a sentence that starts with "-" goes after --: render.py -- "{err.option_name} …"'
            )
        click.echo(f"error: {err.format_message()} ({hint})", err=True)
        return 2
    except OSError as err:  # writing: a full disk, a folder taken away, permissions
        where = f" {err.filename}" if err.filename else ""
        if err.errno in _USERS_TO_FIX:
            click.echo(
                f"error: cannot write{where}: {err.strerror}; {_USERS_TO_FIX[err.errno]}", err=True
            )
            return 2
        click.echo(f"error: {err.strerror or err}{where}", err=True)
        return 1
    except (click.Abort, KeyboardInterrupt):
        click.echo("interrupted", err=True)
        return 1
    except click.exceptions.Exit as err:  # --help
        return err.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(run())
