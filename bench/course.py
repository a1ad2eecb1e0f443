"""A course on the local pool and on a one-machine Ray cluster, by hand (never in CI):
python bench/course.py

Four whole lessons at 480p15 (en, zh, ru, en with a causal mask), formulas compiled, each run
into a new --out: once with the local pool (--jobs 2) and once through a Ray cluster started
here (one head, 2 CPUs) with --ray. The difference per scene is Ray's overhead: starting its
workers, sending each trace, returning each scene's files. Writes bench/course.md.
"""

from __future__ import annotations

import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAY = str(Path(sys.executable).with_name("ray"))
COURSE = """
[defaults]
quality = "low"

[[lesson]]
sentence = "the cat sat on the mat"

[[lesson]]
sentence = "猫坐在垫子上"
lang = "zh"

[[lesson]]
sentence = "кошка сидит на ковре"
lang = "ru"

[[lesson]]
sentence = "the cat sat on the mat"
causal = true
"""
SCENES = 4 * 17


def timed(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "render.py", *args, "-q"], cwd=ROOT, check=True)
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="qkv-course-") as tmp:
        course = Path(tmp) / "course.toml"
        course.write_text(COURSE, encoding="utf-8")
        local = timed("--course", str(course), "--jobs", "2", "--out", f"{tmp}/local")
        start = [RAY, "start", "--head", "--node-ip-address=127.0.0.1", "--port=6391",
                 "--num-cpus=2", "--include-dashboard=false", "--disable-usage-stats"]  # fmt: skip
        subprocess.run(start, cwd=tmp, check=True, capture_output=True)
        try:
            on_ray = timed(
                "--course", str(course), "--ray", "127.0.0.1:6391", "--out", f"{tmp}/ray"
            )
        finally:
            subprocess.run([RAY, "stop", "--force"], capture_output=True)
    lines = [
        "# A course: local pool against a one-machine Ray cluster",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} by `python bench/course.py` on "
        f"{platform.platform()}, Python {platform.python_version()}: four whole lessons at "
        f"480p15 ({SCENES} scene renders), formulas compiled, each run into a new --out.",
        "",
        "| run | wall s | per scene s |",
        "|---|---:|---:|",
        f"| local pool, --jobs 2 | {local:.1f} | {local / SCENES:.2f} |",
        f"| Ray, one head with 2 CPUs, --ray | {on_ray:.1f} | {on_ray / SCENES:.2f} |",
        "",
        f"Ray's overhead: {on_ray - local:+.1f} s in all, {(on_ray - local) / SCENES:+.2f} s per "
        "scene (two scenes at a time, so each scene's own overhead is about twice that).",
    ]
    (ROOT / "bench" / "course.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
