"""Are the lesson's pictures unchanged? Render every scene's last frame for a few configs, then
compare two such renders pixel by pixel (a restructuring must not move a single pixel).

    .venv/bin/python bench/same_frames.py render DIR [--project ROOT] [--scenes 3,Softmax]
                                                 [--cases default,zh]  # last frames into DIR
    .venv/bin/python bench/same_frames.py compare BEFORE AFTER          # differing pixels

``render`` runs ROOT's render.py (default: this checkout) at low quality for each case below and
keeps ``NN_Scene.png`` (the last frame, straight from the renderer's pixels, no video decoding)
as DIR/<case>/NN_Scene.png. ``compare`` prints, per frame, how many pixels differ and by how
much, and exits 1 if any does; it compares the frames AFTER has (a render of some scenes is
compared with those scenes of a whole one). Run by hand (a few minutes per case on two cores),
never in CI.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent

# case -> render.py arguments: the default lesson, a Chinese one, a causal one, the trained
# model (its own variants of several scenes) and the column-vector layout in Russian
CASES = {
    "default": [],
    "zh": ["--config", "config/zh.toml"],
    "causal": ["--config", "config/causal.toml"],
    "minilm": ["--config", "config/minilm.toml"],
    "ru-columns": ["--config", "config/ru.toml", "--layout", "columns"],
}


def render(dest: Path, project: Path, scenes: str | None, cases: list[str]) -> None:
    python = ROOT / ".venv" / "bin" / "python"
    for case in cases:
        args = CASES[case] + (["--scenes", scenes] if scenes else [])
        work = dest / f".{case}"
        shutil.rmtree(work, ignore_errors=True)
        command = [
            str(python),
            "render.py",
            *args,
            "--quality",
            "low",
            "--jobs",
            "2",
            "-q",
            "--out",
            str(work),
        ]
        print(f"{case}: {' '.join(command[1:])}", flush=True)
        subprocess.run(command, cwd=project, check=True)
        target = dest / case
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for still in sorted(work.glob("*/[0-9][0-9]_*.png")):
            shutil.copyfile(still, target / still.name)
        shutil.rmtree(work)


def compare(before: Path, after: Path) -> int:
    changed = 0
    names = sorted(p.relative_to(after) for p in after.glob("*/*.png"))
    for name in names:
        a, b = before / name, after / name
        if not a.exists():
            print(f"{name}: not in {before}")
            changed += 1
            continue
        x = np.asarray(Image.open(a).convert("RGB"), dtype=np.int16)
        y = np.asarray(Image.open(b).convert("RGB"), dtype=np.int16)
        if x.shape != y.shape:
            print(f"{name}: size {x.shape} -> {y.shape}")
            changed += 1
            continue
        diff = np.abs(x - y).max(axis=2)  # (H, W) largest channel difference
        pixels = int((diff > 0).sum())
        if pixels:
            changed += 1
            print(f"{name}: {pixels} pixels differ, by up to {int(diff.max())}/255")
    print(f"{len(names)} frames compared, {changed} differ")
    return 1 if changed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    verbs = parser.add_subparsers(dest="verb", required=True)
    draw = verbs.add_parser("render", help="render last frames into DIR")
    draw.add_argument("dir", type=Path)
    draw.add_argument("--project", type=Path, default=ROOT, help="whose render.py to run")
    draw.add_argument("--scenes", help="only these scenes (render.py's --scenes)")
    draw.add_argument("--cases", default=",".join(CASES), help=f"of {', '.join(CASES)}")
    check = verbs.add_parser("compare", help="compare two such folders")
    check.add_argument("before", type=Path)
    check.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.verb == "compare":
        return compare(args.before, args.after)
    render(args.dir.resolve(), args.project.resolve(), args.scenes, args.cases.split(","))
    return 0


if __name__ == "__main__":
    sys.exit(main())
