"""lesson.html: the lesson's numbers as a page a student opens from disk, where any number shows
how it was computed.

Written from the trace alone (no manim), by every render and by ``--no-video``. Everything the
page needs is inside it: its script and style, and the numbers of the trace and of the core's
derived quantities (qkv/derived.py) as little-endian binary arrays in base64, each under its
lookup key. Weights a model learned in float32 (MiniLM's) travel as float32, which holds them
exactly; everything else as float64. The page multiplies two of these numbers to show a term of
a sum (the same IEEE product NumPy makes, tested against qkv.derived.products) and writes every
number at the lesson's precision as the scenes do (tested against provenance.number_text).

With a lesson video beside it (lesson.mp4 or .webm) the page plays it, with its subtitles and a
chapter per scene, from ``lesson.chapters.json``, which the build writes when it joins the video.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

import numpy as np
import srt

from lecture.handout import HANDOUT_TEXT
from lecture.page_text import CHAPTERS, PAGE_TEXT
from qkv import Trace
from qkv.derived import DERIVED, dims, lookup_array, model_name
from qkv.files import atomic

__all__ = ["CHAPTERS_FILE", "PAGE", "page_data", "write_chapters", "write_page"]

PAGE = "lesson.html"
CHAPTERS_FILE = "lesson.chapters.json"  # [{"scene", "start", "end"}] of the joined video
_ASSETS = Path(__file__).resolve().parent / "page"

# What the page carries: the layer's fields, and each head's fields and derived quantities.
_LAYER_KEYS = ("E", "P", "X", "E_kv", "P_kv", "X_kv", "concat", "W_O", "b_O", "output")
_HEAD_FIELDS = ("W_Q", "W_K", "W_V", "b_Q", "b_K", "b_V", "Q", "K", "V")
_HEAD_STEPS = ("scores", "scaled", "mask", "masked", "weights", "output")
_HEAD_DERIVED = ("exp", "exp_sum", "exp_shift")  # softmax's: its exponentials and row sums


def write_page(trace: Trace, folder: Path) -> Path:
    """Write ``folder/lesson.html`` for ``trace``: the lesson video is included when the folder
    has one and its chapters."""
    data = page_data(trace, _video(folder))
    text = data["text"]
    page = (_ASSETS / "page.html").read_text(encoding="utf-8")
    filled = {
        "LANG": html.escape(data["lang"]),
        "TITLE": html.escape(text["title"]),
        "STYLE": (_ASSETS / "page.css").read_text(encoding="utf-8"),
        "SCRIPT": (_ASSETS / "page.js").read_text(encoding="utf-8"),
        # JSON inside <script>: "<" escaped, so no token can close the element
        "DATA": json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c"),
    }
    for name, value in filled.items():
        page = page.replace(f"%%{name}%%", value)
    with atomic(folder / PAGE) as partial:
        partial.write_text(page, encoding="utf-8")
    return folder / PAGE


def page_data(trace: Trace, video: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the page shows, as JSON: the trace's facts, texts and arrays by lookup key."""
    config = trace.config
    language = str(config.get("language", "en"))
    sizes = dims(trace)
    text = {**HANDOUT_TEXT[language], **PAGE_TEXT[language]}
    facts = {
        "T": sizes["T"],
        "d_model": sizes["d_model"],
        "h": sizes["h"],
        "d_k": sizes["d_k"],
        "d_v": sizes["d_v"],
        "similarity": config.get("similarity"),
        "normaliser": config.get("normaliser"),
        "causal": text["yes" if config.get("causal") else "no"],
        "digest": trace.digest[:12],
        "sentence": trace.sentence,
    }
    for name in ("title", "setup", "digest"):
        text[name] = text[name].format(**facts)
    arrays: dict[str, Any] = {}
    for key in _LAYER_KEYS:
        if getattr(trace, key) is not None:
            arrays[key] = _array(lookup_array(trace, key))
    arrays["dims.sqrt_d_k"] = _array(lookup_array(trace, "dims.sqrt_d_k"))  # the scaling's divisor
    softmax = config.get("normaliser") == "softmax"
    for k, head in enumerate(trace.heads):
        for name in (*_HEAD_FIELDS, *_HEAD_STEPS, *(_HEAD_DERIVED if softmax else ())):
            if name == "masked" and head.mask is None:  # −∞ where the mask forbids looking
                continue
            if name in DERIVED or getattr(head, name) is not None:
                arrays[f"heads.{k}.{name}"] = _array(lookup_array(trace, f"heads.{k}.{name}"))
    return {
        "lang": language,
        "precision": int(config.get("precision", 2)),
        "sentence": trace.sentence,
        "kv_sentence": trace.kv_sentence,
        "tokens": list(trace.tokens),
        "key_tokens": list(trace.key_tokens),
        "model": model_name(trace),
        "layer": sizes.get("layer"),
        "seed": config.get("seed"),
        "source": config.get("source"),
        "focus_head": sizes["head"],
        "similarity": config.get("similarity"),
        "normaliser": config.get("normaliser"),
        "dims": sizes,
        "text": text,
        "chapter_titles": CHAPTERS[language],
        "arrays": arrays,
        "video": video,
    }


def write_chapters(folder: Path, chapters: list[tuple[str, float]]) -> Path:
    """``folder/lesson.chapters.json``: each scene of the joined video, (name, seconds), in
    order, as its start and end."""
    rows, start = [], 0.0
    for name, seconds in chapters:
        rows.append({"scene": name, "start": round(start, 3), "end": round(start + seconds, 3)})
        start += seconds
    with atomic(folder / CHAPTERS_FILE) as partial:
        partial.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return folder / CHAPTERS_FILE


def _video(folder: Path) -> dict[str, Any] | None:
    """The joined lesson video beside the page, its chapters and subtitles; None without one."""
    chapters = folder / CHAPTERS_FILE
    video = next((v for v in ("lesson.mp4", "lesson.webm") if (folder / v).exists()), None)
    if video is None or not chapters.exists():
        return None
    rows = json.loads(chapters.read_text(encoding="utf-8"))
    subtitles = folder / "lesson.srt"
    cues = []
    if subtitles.exists():
        for cue in srt.parse(subtitles.read_text(encoding="utf-8")):
            cues.append(
                {
                    "start": cue.start.total_seconds(),
                    "end": cue.end.total_seconds(),
                    "text": cue.content,
                }
            )
    return {"src": video, "chapters": rows, "cues": cues}


def _array(values: np.ndarray) -> dict[str, Any]:
    """An array as the page reads it: shape, type and little-endian bytes in base64. float32
    only where it holds every value exactly (a model's own float32 weights)."""
    if values.dtype == np.bool_:
        kind, raw = "u1", values.astype("u1")
    elif np.array_equal(values, values.astype(np.float32), equal_nan=True):
        kind, raw = "f4", values.astype("<f4")
    else:
        kind, raw = "f8", values.astype("<f8")
    return {
        "shape": list(values.shape),
        "type": kind,
        "data": base64.b64encode(np.ascontiguousarray(raw).tobytes()).decode("ascii"),
    }
