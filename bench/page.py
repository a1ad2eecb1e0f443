"""How big lesson.html is and how fast it opens, by hand (never in CI): python bench/page.py

A 12-token MiniLM lesson (12 heads, 384-wide matrices: the largest page a lesson makes) and the
seeded default, each written by ``render.py --no-video``, then opened from disk in Debian's
chromium (Playwright) ROUNDS times, each in a new tab of one browser: the time from asking for
the page to its steps drawn (the page's own performance.now() when it is ready), and the wall
time Playwright saw. Medians. Writes bench/page.md.
"""

from __future__ import annotations

import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 7
LESSONS = {
    "MiniLM, 12 tokens": [
        "the quick brown fox jumps over the lazy dog today",
        "--source",
        "minilm",
    ],
    "seeded default, 6 tokens": ["the cat sat on the mat"],
}
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # fmt: skip


def page_of(args: list[str], out: Path) -> Path:
    subprocess.run([sys.executable, "render.py", *args, "--no-video", "-q", "--out", str(out)],
                   cwd=ROOT, check=True)  # fmt: skip
    (page,) = out.glob("*/lesson.html")
    return page


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory(prefix="qkv-page-") as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        for name, args in LESSONS.items():
            page_path = page_of(args, Path(tmp) / str(len(rows)))
            ready, wall = [], []
            for _ in range(ROUNDS):
                tab = browser.new_page()
                started = time.perf_counter()
                tab.goto(page_path.as_uri())
                tab.wait_for_selector("body[data-ready='1']")
                wall.append(time.perf_counter() - started)
                ready.append(float(tab.get_attribute("body", "data-ready-at") or "nan") / 1000)
                tab.close()
            size = page_path.stat().st_size / 1e6
            rows.append((name, size, statistics.median(ready), statistics.median(wall), max(wall)))
        browser.close()
    lines = [
        "# lesson.html: size and opening time",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} by `python bench/page.py` on "
        f"{platform.platform()}, Python {platform.python_version()}; chromium from Debian; "
        f"{ROUNDS} openings each, medians.",
        "",
        "| lesson | page MB | ready (page's clock) s | wall s | slowest wall s |",
        "|---|---:|---:|---:|---:|",
        *(f"| {n} | {s:.2f} | {r:.2f} | {w:.2f} | {m:.2f} |" for n, s, r, w, m in rows),
        "",
        "Targets (issue 19): a 12-token MiniLM page under 5 MB, open in under 2 s.",
    ]
    (ROOT / "bench" / "page.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
