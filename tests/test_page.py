"""lesson.html in a real browser (Debian's chromium, driven by Playwright): opened from disk with
every non-file request refused, its numbers compared with the trace, its derivations with the
core's, its head selector, deep links and video chapters used as a student would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT
from playwright.sync_api import Browser, Page, sync_playwright

from qkv import Trace, lookup
from scenes.kit.provenance import number_text, rounded_sum_holds

CHROMIUM = "/usr/bin/chromium"  # Debian's, installed by scripts/setup.sh: nothing downloaded
# as the machine's notes say: no first-run work and no background connections on a closed network
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.xdist_group("page")  # one browser and one set of lessons per worker


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield chromium
        chromium.close()


def lesson(out: Path, *args: str) -> tuple[Path, Trace]:
    """Render ``args`` into ``out`` (a new folder); return its page and its trace."""
    done = subprocess.run([sys.executable, "render.py", *args, "-q", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    (page,) = out.glob("*/lesson.html")
    trace = Trace.from_json(json.loads((out / "trace.json").read_text(encoding="utf-8")))
    return page, trace


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    return lesson(tmp_path_factory.mktemp("seeded"), "the cat sat on the mat", "--no-video")


@pytest.fixture(scope="module")
def minilm(tmp_path_factory):
    sentence = "the quick brown fox jumps over the lazy dog today"  # 12 word pieces
    return lesson(tmp_path_factory.mktemp("minilm"), sentence, "--source", "minilm", "--no-video")


def open_page(browser: Browser, path: Path, fragment: str = "") -> tuple[Page, list[str]]:
    """The page loaded from disk; the list fills with every request that left the disk (each
    is refused)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    outside: list[str] = []

    def refuse(route):
        outside.append(route.request.url)
        route.abort()

    page.route(lambda url: not url.startswith("file:"), refuse)
    page.goto(path.as_uri() + fragment)
    page.wait_for_selector("body[data-ready='1']", timeout=10_000)
    assert not errors, errors
    return page, outside


def shown_numbers(page: Page, within: str = "") -> list[tuple[str, tuple[int, ...], str]]:
    """(data-key, data-index, text) of every number element the page shows now, or those
    inside the element ``within``."""
    found = page.eval_on_selector_all(
        f"{within} [data-key][data-index]:not(line)",
        "els => els.map(e => [e.dataset.key, e.dataset.index, e.textContent])",
    )
    return [(key, tuple(int(i) for i in index.split(",") if i), text) for key, index, text in found]


def written(value: float, precision: int) -> str:
    """A number as the scenes write it; a masked score (−∞) as its symbol."""
    return "−∞" if value == -np.inf else number_text(value, precision)


def assert_the_traces(trace: Trace, numbers: list[tuple[str, tuple[int, ...], str]]) -> None:
    precision = int(trace.config["precision"])
    wrong = [
        (key, index, text, written(lookup(trace, key, index), precision))
        for key, index, text in numbers
        if text != written(lookup(trace, key, index), precision)
    ]
    assert not wrong, wrong[:5]


def test_every_number_shown_is_the_traces_and_nothing_leaves_the_disk(browser, seeded):
    path, trace = seeded
    page, outside = open_page(browser, path)
    numbers = shown_numbers(page)
    keys = {key for key, _, _ in numbers}
    for key in ("E", "P", "X", "heads.0.W_Q", "heads.0.Q", "heads.0.K", "heads.0.V",
                "heads.0.scores", "heads.0.scaled", "heads.0.weights", "heads.0.output",
                "concat", "W_O", "output"):  # fmt: skip
        assert key in keys, f"the page shows no {key}"
    assert len(numbers) > 300
    assert_the_traces(trace, numbers)
    # every kind of number's derivation, opened by a click: its terms are the core's too
    for key in ("X", "heads.0.Q", "heads.0.K", "heads.0.V", "heads.0.scores", "heads.0.scaled",
                "heads.0.weights", "heads.0.output", "concat", "output"):  # fmt: skip
        page.click(f"td[data-key='{key}'][data-index='1,2']")
        assert page.get_attribute("#derivation", "data-cell") == f"{key}:1,2"
        inside = shown_numbers(page, "#derivation")
        assert len(inside) >= 3, key
        assert_the_traces(trace, inside)
    assert page.evaluate("location.hash") == "#cell=output:1,2"  # the last click, as a link
    assert outside == []
    page.close()


# (link, the terms' key, how many terms, whether a bias is added)
LINKS = [
    ("heads.1.scores:2,4", "heads.1.scores_terms", "d_k", False),
    ("heads.0.output:5,1", "heads.0.output_terms", "S", False),
    ("heads.1.Q:3,2", "heads.1.Q_terms", "d_model", True),
    ("output:0,5", "output_terms", "hd_v", True),
]


@pytest.mark.parametrize(("link", "terms_key", "count", "bias"), LINKS)
def test_a_deep_link_opens_its_derivation_and_it_adds_up_as_the_core_says(
    browser, seeded, link, terms_key, count, bias
):
    path, trace = seeded
    page, outside = open_page(browser, path, f"#cell={link}")
    key, index_text = link.split(":")
    index = tuple(int(i) for i in index_text.split(","))
    assert page.get_attribute("#derivation", "data-cell") == link
    assert page.locator(f"td.picked[data-key='{key}'][data-index='{index_text}']").count() == 1
    inside = shown_numbers(page, "#derivation")
    assert_the_traces(trace, inside)
    terms = [ix for k, ix, _ in inside if k == terms_key]
    sizes = {"d_k": trace.heads[0].W_Q.shape[1], "S": len(trace.key_tokens),
             "d_model": trace.X.shape[1], "hd_v": trace.concat.shape[1]}  # fmt: skip
    assert terms == [(*index, m) for m in range(sizes[count])]
    assert_the_sign(page, trace, key, index, terms_key, bias)
    assert outside == []
    page.close()


def assert_the_sign(page, trace, key, index, terms_key, bias) -> None:
    """The sum's sign: "=" exactly when the terms as shown add up to the total as shown (the
    scenes' rule, provenance.rounded_sum_holds), the bias counted when the trace has one."""
    added = [(k, ix) for k, ix, _ in shown_numbers(page, "#derivation") if k == terms_key]
    if bias and trace.config["bias"]:
        bias_key = "b_O" if key == "output" else f"{key.rsplit('.', 1)[0]}.b_{key[-1]}"
        added.append((bias_key, (index[1],)))
    holds = rounded_sum_holds(trace, added, (key, index), int(trace.config["precision"]))
    assert page.inner_text("#derivation .total >> nth=-1").startswith("Σ " + "=≈"[not holds])


def test_a_weights_derivation_shows_each_exponential_and_the_row_sum(browser, seeded):
    path, trace = seeded
    page, _ = open_page(browser, path, "#cell=heads.0.weights:1,3")
    inside = shown_numbers(page, "#derivation")
    assert_the_traces(trace, inside)
    keys = [(k, ix) for k, ix, _ in inside]
    assert [ix for k, ix in keys if k == "heads.0.exp"][:6] == [(1, s) for s in range(6)]
    assert ("heads.0.exp_sum", (1,)) in keys and ("heads.0.weights", (1, 3)) in keys
    page.close()


def test_the_head_selector_changes_the_heat_map_of_a_real_model(browser, minilm):
    path, trace = minilm
    page, outside = open_page(browser, path)
    assert page.locator("#head option").count() == 12
    assert "all-MiniLM-L6-v2" in page.inner_text("#origin")
    assert "0" in page.inner_text("#origin")  # layer 0
    heat = "#step-softmax table.heat td.num"

    def heat_map():
        cells = "els => els.map(e => [e.dataset.key, e.textContent, e.style.background])"
        return page.eval_on_selector_all(heat, cells)

    first = heat_map()
    page.select_option("#head", "5")
    fifth = heat_map()
    assert {k for k, _, _ in first} == {"heads.0.weights"}
    assert {k for k, _, _ in fifth} == {"heads.5.weights"}
    assert [t for _, t, _ in first] != [t for _, t, _ in fifth]
    assert [b for _, _, b in first] != [b for _, _, b in fifth]  # the colours follow the weights
    assert_the_traces(trace, shown_numbers(page))
    assert outside == []
    page.close()


def test_a_real_models_page_is_under_5_mb_and_its_projections_are_the_cores(browser, minilm):
    path, trace = minilm
    assert path.stat().st_size < 5_000_000
    precision = int(trace.config["precision"])

    def holds(i: int, j: int) -> bool:
        terms = [("heads.11.V_terms", (i, j, m)) for m in range(384)] + [("heads.11.b_V", (j,))]
        return rounded_sum_holds(trace, terms, ("heads.11.V", (i, j)), precision)

    cells = [(i, j) for i in range(len(trace.tokens)) for j in range(32)]
    exact = next(c for c in cells if holds(*c))  # one whose shown terms add up, one not
    near = next(c for c in cells if not holds(*c))
    for i, j in (exact, near):
        page, _ = open_page(browser, path, f"#cell=heads.11.V:{i},{j}")
        inside = shown_numbers(page, "#derivation")
        assert len([k for k, _, _ in inside if k == "heads.11.V_terms"]) == 384
        assert ("heads.11.b_V", (j,)) in [(k, ix) for k, ix, _ in inside]
        assert_the_traces(trace, inside)
        assert_the_sign(page, trace, "heads.11.V", (i, j), "heads.11.V_terms", bias=True)
        page.close()


def test_numbers_are_written_as_the_scenes_write_them(browser, seeded):
    """The page's own formatting against provenance.number_text, ties included (Python rounds an
    exact half to even; JavaScript's toFixed away from zero)."""
    page, _ = open_page(browser, seeded[0])
    rng = np.random.default_rng(3)
    values = [0.125, -0.125, 0.375, 2.5, -2.5, 0.005, -0.001, -0.0049, 1e-12, 0.0, 1.005,
              123.455, -7.125, 0.875, 1 / 3, -2 / 3, *rng.normal(0, 3, 200).tolist()]  # fmt: skip
    for precision in (0, 1, 2, 3, 4):
        theirs = page.evaluate("([vs, p]) => vs.map(v => shown(v, p))", [values, precision])
        assert theirs == [number_text(v, precision) for v in values], precision
    page.close()


def test_a_causal_page_shows_the_mask_and_why_a_masked_weight_is_zero(browser, tmp_path):
    path, trace = lesson(tmp_path, "the cat sat on the mat", "--causal", "--no-video")
    page, outside = open_page(browser, path, "#cell=heads.1.weights:1,4")
    masked = page.eval_on_selector_all(
        "#step-mask td.masked", "els => els.map(e => [e.dataset.index, e.textContent])"
    )
    T = len(trace.tokens)
    assert sorted(masked) == sorted([f"{i},{j}", "−∞"] for i in range(T) for j in range(i + 1, T))
    hatched = page.eval_on_selector_all("#step-softmax td.masked", "els => els.length")
    assert hatched == T * (T - 1) // 2
    said = page.inner_text("#derivation")  # query 1 (cat) and key 4 (the second "the")
    assert "0.00" in said and "“cat”" in said and "“the”" in said
    assert_the_traces(trace, shown_numbers(page))
    assert outside == []
    page.close()


@pytest.mark.parametrize(
    ("sentence", "lang", "words"),
    [
        ("猫坐在垫子上", "zh", "它是怎么算出来的"),
        ("кошка сидит на ковре", "ru", "Как это получено"),
    ],
)
def test_chinese_and_russian_pages_speak_their_language(browser, tmp_path, sentence, lang, words):
    path, trace = lesson(tmp_path, sentence, "--lang", lang, "--no-video")
    page, outside = open_page(browser, path)
    assert page.get_attribute("html", "lang") == lang
    assert words in page.inner_text("#derivation")
    labels = page.eval_on_selector_all("#step-scores th", "els => els.map(e => e.textContent)")
    assert set(trace.tokens) <= set(labels)
    font = "16px 'Noto Sans CJK SC'" if lang == "zh" else "16px 'Noto Sans'"
    assert page.evaluate("([f, t]) => document.fonts.check(f, t)", [font, "".join(trace.tokens)])
    assert_the_traces(trace, shown_numbers(page))
    page.screenshot(path=str(tmp_path / f"{lang}.png"))
    assert outside == []
    page.close()


def test_the_video_seeks_to_a_steps_chapter_and_marks_the_step_playing(browser, tmp_path):
    path, trace = lesson(
        tmp_path, "the cat sat", "--scenes", "TokensToVectors,Scores", "--quality", "low",
        "--jobs", "1",
    )  # fmt: skip
    chapters = json.loads((path.parent / "lesson.chapters.json").read_text(encoding="utf-8"))
    assert [c["scene"] for c in chapters] == ["TokensToVectors", "Scores"]
    page, outside = open_page(browser, path)
    assert page.inner_text("#chapters").split("\n") == ["Tokens to vectors", "Scores: Q·Kᵀ"]
    page.wait_for_function("document.getElementById('video').readyState >= 1", timeout=10_000)
    page.click("#step-scores button.seek")
    page.wait_for_function("!document.getElementById('video').seeking", timeout=10_000)
    now = page.evaluate("document.getElementById('video').currentTime")
    assert now == pytest.approx(chapters[1]["start"], abs=0.05)
    assert "playing" in page.get_attribute("#step-scores", "class")
    assert "playing" not in page.get_attribute("#step-vectors", "class")
    assert page.get_attribute("#chapters li.playing", "data-scene") == "Scores"
    # while it plays, the step it shows is marked: back to the first chapter
    page.click("#chapters li >> nth=0 >> button")
    page.wait_for_function("document.getElementById('video').currentTime < 1")
    assert "playing" in page.get_attribute("#step-vectors", "class")
    tracks = page.evaluate(
        "[...document.getElementById('video').textTracks].map(t => [t.kind, t.cues.length])"
    )
    assert ["chapters", 2] in tracks and any(k == "subtitles" and n > 0 for k, n in tracks)
    assert outside == []
    page.close()
