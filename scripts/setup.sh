#!/usr/bin/env bash
# One-command set-up on Debian/Ubuntu: system packages, a virtual environment with the
# project installed, then the default lesson rendered into media/.
# Idempotent: a second run skips what is already in place.
#   bash scripts/setup.sh            # install and render the default lesson
#   bash scripts/setup.sh --no-render
set -euo pipefail
cd "$(dirname "$0")/.."

render=1
[ "${1:-}" = "--no-render" ] && render=0

# System packages, and why each is here:
#   libcairo2-dev libpango1.0-dev pkg-config  build pycairo and manimpango (manim's drawing and text)
#   python3-venv python3-dev gcc              the virtual environment and compiling those two
#   texlive-latex-base dvisvgm                formulas (MathTex) and manim's number glyphs
#   fonts-noto-cjk                            Chinese/Japanese glyphs in Text (else tofu boxes)
#   fonts-noto-core                           the scripts users type besides: Arabic, Hebrew,
#                                             Devanagari, Thai, ... (render.py refuses a token
#                                             no installed font can draw, naming this package)
#   fonts-symbola                             emoji and symbols as outlines (colour emoji fonts
#                                             are bitmaps, which manim's Text cannot draw)
#   fontconfig                                fc-list: which characters the installed fonts have
#   espeak-ng                                 --voice espeak: speaks every caption offline
#                                             (English, Russian and Mandarin voices included)
#   chromium                                  the tests open lesson.html in a real browser
#                                             (Playwright drives it; it downloads none)
APT_PACKAGES=(libcairo2-dev libpango1.0-dev pkg-config python3-venv python3-dev gcc
              texlive-latex-base dvisvgm fonts-noto-cjk fonts-noto-core fonts-symbola fontconfig
              espeak-ng chromium)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PY=${PYTHON:-python3}
"$PY" -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
[ -x .venv/bin/python ] || "$PY" -m venv .venv

# Reinstall only when pyproject.toml changed since the last successful install.
stamp=.venv/.qkv-installed
if [ ! -f "$stamp" ] || ! cmp -s pyproject.toml "$stamp"; then
  echo "setup: installing Python packages into .venv (first time: a few minutes)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test,cluster]"  # cluster: Ray, for --ray and its tests
  cp pyproject.toml "$stamp"
fi

# reveal.js for offline HTML slides (npm registry tarball, checksum pinned; once)
.venv/bin/python scripts/fetch_reveal.py > /dev/null

if [ "$render" = 1 ]; then
  .venv/bin/python render.py
fi
