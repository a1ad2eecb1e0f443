"""Fetch reveal.js (the slides' player) once, so that the HTML slides work with no network.

manim-slides writes HTML that loads reveal.js from a CDN; render.py points it at this local copy
instead and copies it next to the slides. The tarball comes from the npm registry and must match
its pinned SHA-256. It goes where lecture/slides.py looks for it: the running Python's
environment, ``<sys.prefix>/share/reveal.js/<version>`` (``.venv/share/reveal.js/6.0.1`` when
run as ``.venv/bin/python scripts/fetch_reveal.py``, as scripts/setup.sh does).
Usage: python scripts/fetch_reveal.py [DEST] (the folder that holds the version folders).
"""

from __future__ import annotations

import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

from lecture.slides import REVEAL, REVEAL_VERSION

VERSION = REVEAL_VERSION  # one version, named in lecture/slides.py
URL = f"https://registry.npmjs.org/reveal.js/-/reveal.js-{VERSION}.tgz"
# the npm tarball's SHA-256 for each version: a new REVEAL_VERSION needs its own line here
SHA256 = {"6.0.1": "7a3bc5096c435b893fd7488ff444c1c1c232e1e6987b6de68696e706437d0a4f"}
DEST = REVEAL.parent  # <sys.prefix>/share/reveal.js


def fetch(dest: Path = DEST) -> Path:
    """``dest/VERSION`` with reveal.js's ``dist/`` in it; downloaded only when missing."""
    target = dest / VERSION
    if (target / "dist" / "reveal.js").exists():
        return target
    if VERSION not in SHA256:
        sys.exit(f"reveal.js {VERSION}: no pinned SHA-256 in scripts/fetch_reveal.py")
    with urllib.request.urlopen(URL, timeout=60) as response:
        data = response.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256[VERSION]:
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
    print(fetch(Path(sys.argv[1]) if len(sys.argv) > 1 else DEST))
