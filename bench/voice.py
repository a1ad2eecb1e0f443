"""What narration costs, by hand (never in CI): python bench/voice.py

The default lesson rendered silent and with --voice espeak, at low and high quality, --jobs 2,
into folders whose formulas are already compiled (one first run warms them: the outlines do
not depend on the quality), so the difference is the voice's own: espeak-ng's speech, the holds
it asks for where a caption's speech outlasts its reading time, and the audio track. Each pair
runs back to back, silent first. Writes bench/voice.md.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ROOT, _machine, lesson  # noqa: E402  (bench/ is scripts, not a package)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="qkv-voice-"))
    os.environ["QKV_CACHE"] = str(work / "cache")  # the bench's own formula cache (render.py)
    rows = []
    try:
        lesson("low", 2, work / "warm")  # compiles every formula once
        for quality in ("low", "high"):
            for voice in ((), ("--voice", "espeak")):
                out = work / f"{quality}-{'voice' if voice else 'silent'}"
                rows.append((quality, bool(voice), lesson(quality, 2, out, None, *voice)))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    lines = [
        "# What --voice espeak costs",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} by `python bench/voice.py` on this machine:",
        "",
        f"- {_machine()}",
        "",
        "The default lesson, --jobs 2, formulas already compiled.",
        "",
        "| quality | voice | wall s | video s | real-time factor | peak memory MB |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for quality, voiced, r in rows:
        lines.append(
            f"| {quality} | {'espeak' if voiced else 'none'} | {r['wall']:.1f} | "
            f"{r['seconds']:.1f} | {r['wall'] / r['seconds']:.2f} | {r['peak'] / 2**20:.0f} |"
        )
    lines.append("")
    for quality in ("low", "high"):
        silent, voiced = (r for q, _, r in rows if q == quality)
        lines.append(
            f"- {quality}: the narrated lesson is {voiced['seconds'] - silent['seconds']:+.1f} s "
            f"longer ({voiced['seconds']:.0f} s against {silent['seconds']:.0f} s) and takes "
            f"{voiced['wall'] / silent['wall']:.2f}x the silent render's time "
            f"({voiced['wall'] - silent['wall']:+.0f} s)"
        )
    lines.append("")
    (ROOT / "bench" / "voice.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
