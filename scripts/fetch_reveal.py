"""Fetch reveal.js (the slides' player) once, so that the HTML slides work with no network.

manim-slides writes HTML that loads reveal.js from a CDN; render.py points it at this local copy
instead and copies it next to the slides. The tarball comes from the npm registry and must match
its pinned SHA-256. Usage: python scripts/fetch_reveal.py [DEST] (default .venv/share/reveal.js).
"""

from __future__ import annotations

import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "6.0.1"  # the version manim-slides 5.7.0's template is written for
URL = f"https://registry.npmjs.org/reveal.js/-/reveal.js-{VERSION}.tgz"
SHA256 = "7a3bc5096c435b893fd7488ff444c1c1c232e1e6987b6de68696e706437d0a4f"


def fetch(dest: Path) -> Path:
    target = dest / VERSION
    if (target / "dist" / "reveal.js").exists():
        return target
    with urllib.request.urlopen(URL, timeout=60) as response:
        data = response.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        sys.exit(f"reveal.js {VERSION}: checksum mismatch ({digest}); refusing to install it")
    partial = dest / f".{VERSION}.part"
    partial.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        members = [m for m in archive.getmembers() if m.name.startswith("package/dist/")]
        for member in members:
            member.name = member.name.removeprefix("package/")
        archive.extractall(partial, members=members, filter="data")
    partial.rename(target)
    return target


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    print(fetch(Path(sys.argv[1]) if len(sys.argv) > 1 else root / ".venv" / "share" / "reveal.js"))
