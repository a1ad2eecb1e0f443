"""Render the attention lesson for a sentence: python render.py "the cat sat on the mat".

Exit codes: 0 done; 2 bad input or config (one plain line says what and how to fix); 1 anything
else. ``--no-video`` writes DIR/trace.json only and never imports manim.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from qkv import BadInput, build_trace, load_config

EXAMPLES = """
\b
Examples:
  python render.py                                 # the default config's sentence
  python render.py "the cat sat on the mat" --quality low
  python render.py "我爱注意力机制" --heads 1 --format png
  python render.py "apple orange" --config config/apple.toml --no-video
  python render.py "猫坐在垫子上" --cross "the cat sat on the mat"
"""


@click.command(epilog=EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("sentence", required=False)
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="A TOML config (default: config/default.toml).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("media"), show_default=True,
              help="Folder for trace.json and the rendered scenes.")
@click.option("--no-video", is_flag=True, help="Write trace.json only; do not render.")
@click.option("--heads", type=int, help="Number of attention heads, e.g. --heads 2.")
@click.option("--d-model", type=int, help="Width of each token vector, e.g. --d-model 6.")
@click.option("--seed", type=int, help="Seed of the seeded source, e.g. --seed 7.")
@click.option("--causal/--no-causal", default=None, help="Mask future tokens (decoder).")
@click.option("--cross", metavar="OTHER", help="Cross-attention: keys and values from OTHER.")
@click.option("--lang", "language", type=click.Choice(["en", "zh", "ru"]),
              help="Language of the captions and subtitles.")
@click.option("--convention", type=click.Choice(["rows", "columns"]),
              help="rows: Q = X·W_Q (the paper); columns: Q = W_Q·I (column vectors).")
@click.option("--quality", type=click.Choice(["low", "medium", "high", "4k"]), default="high",
              show_default=True, help="480p15, 720p30, 1080p60 or 2160p60.")
@click.option("--scenes", "scene_names", metavar="NAMES",
              help="Comma-separated scene names or numbers (default: all).")
@click.option("--format", "fmt", type=click.Choice(["mp4", "png"]), default="mp4",
              show_default=True, help="png: a still of each scene's last frame.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
def main(sentence: str | None, config_path: Path | None, out: Path, no_video: bool,
         heads: int | None, d_model: int | None, seed: int | None, causal: bool | None,
         cross: str | None, language: str | None, convention: str | None, quality: str, scene_names: str | None, fmt: str,
         quiet: bool) -> None:
    """Render a 3Blue1Brown-style lesson on attention in which every number is computed."""
    started = time.perf_counter()
    cfg = load_config(config_path).with_overrides(
        sentence=sentence, heads=heads, d_model=d_model, seed=seed, causal=causal, cross=cross,
        language=language, convention=convention)
    trace = build_trace(cfg)
    scenes = None
    if not no_video:
        from scenes.runner import pick_scenes  # imports manim: only when rendering

        scenes = pick_scenes(scene_names)  # validate before writing anything
    trace_path = out / "trace.json"
    trace.write_json(trace_path)
    if not quiet:
        click.echo(f"trace: {trace_path} ({len(trace.tokens)} tokens, digest {trace.digest[:12]})")
    if scenes is None:
        return
    from scenes.runner import render_scenes

    for path in render_scenes(trace, scenes, out, quality=quality, fmt=fmt, quiet=quiet):
        if not quiet:
            click.echo(f"wrote: {path}")
    if not quiet:
        click.echo(f"done in {time.perf_counter() - started:.1f} s")


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and turn every failure into an exit code and, for bad input, one line."""
    try:
        main.main(args=argv, prog_name="render.py", standalone_mode=False)
    except BadInput as err:
        click.echo(f"error: {err}", err=True)
        return 2
    except click.UsageError as err:  # wrong option, wrong type, missing value
        click.echo(f"error: {err.format_message()} (see --help)", err=True)
        return 2
    except (click.Abort, KeyboardInterrupt):
        click.echo("interrupted", err=True)
        return 1
    except click.exceptions.Exit as err:  # --help
        return err.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(run())
