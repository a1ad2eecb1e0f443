"""render.py as a user meets it: bad input gives one line and exit code 2, and writes nothing."""

import json
import subprocess
import sys

import pytest
from conftest import CONFIGS, ROOT

import render


def run_cli(capsys, *args):
    code = render.run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def bad_configs(tmp_path):
    files = {
        "unknown.toml": 'sentence = "x"\nheds = 2\n',
        "type.toml": 'sentence = "x"\nheads = "two"\n',
        "parse.toml": 'sentence = "x\nheads = 2\n',
        "length.toml": 'sentence = "apple"\nsource = "explicit"\nd_model = 2\nheads = 1\n'
        "[explicit.vectors]\napple = [1.0, 2.0, 3.0]\n",
    }
    # explicit numbers: finite, not huge; cosine needs every query and key to have a length
    explicit = (
        'sentence = "apple orange"\nsource = "explicit"\nd_model = 2\nheads = 1\n'
        'second_sentence = "orange apple"\nsimilarity = "{similarity}"\n{head}'
        "[explicit.vectors]\napple = [2.0, 2.0]\norange = [{orange}]\n"
    )
    for name, orange, similarity, head in [
        ("nan", "nan, 1.0", "dot", ""),
        ("inf", "-inf, 1.0", "dot", ""),
        ("huge", "1e308, 1.0", "dot", ""),
        ("zero", "0.0, 0.0", "cosine", ""),
        (
            "zero_query",
            "1.0, 0.0",
            "cosine",
            "[[explicit.heads]]\nW_Q = [[0.0, 0.0], [0.0, 0.0]]\n",
        ),
        ("huge_w_o", "1.0, 0.0", "dot", "[explicit]\nW_O = [[1e9, 0.0], [0.0, 1.0]]\n"),
    ]:
        files[f"{name}.toml"] = explicit.format(orange=orange, similarity=similarity, head=head)
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "junkvoice").mkdir()
    (tmp_path / "junkvoice" / "Recap-01-recap.wav").write_text("not audio", encoding="utf-8")
    return tmp_path


BAD = [
    ([""], "empty"),
    (["   "], "empty"),
    (["a b c d e f g h i j k l m"], "at most 12"),
    (["a\x07b"], "control character"),
    (["x", "--heads", "0"], "--heads"),
    (["x", "--heads", "two"], "--heads"),
    (["x", "--d-model", "-3"], "--d-model"),
    (["x", "--d-model", "six"], "--d-model"),
    (["x", "--d-model", "7"], "divisible"),
    # sizes beyond what a lesson can show or memory holds: refused naming the limit
    (["x", "--d-model", "1024"], "less than or equal to 512"),
    (["x", "--heads", "17"], "less than or equal to 16"),
    (["x", "--d-k", "600"], "less than or equal to 512"),
    (["x", "--seed", "-1"], "--seed"),
    (["x", "--seed", "1.5"], "--seed"),
    (["x", "--cross", ""], "cross is empty"),
    (["x", "--cross", "   "], "cross is empty"),
    (["x", "--causal", "--cross", "y"], "self-attention"),
    (["x", "--config", "{dir}/missing.toml"], "does not exist"),
    (["x", "--config", "{dir}/unknown.toml"], "unknown key 'heds'"),
    (["x", "--config", "{dir}/type.toml"], "heads"),
    (["x", "--config", "{dir}/parse.toml"], "not valid TOML"),
    (["apple", "--config", "{dir}/length.toml"], "length 3"),
    (["banana", "--config", str(CONFIGS / "apple.toml")], "no vector"),
    (["x", "--quality", "ultra"], "--quality"),
    (["x", "--format", "avi"], "--format"),
    (["x", "--jobs", "0"], "--jobs"),
    (["x", "--jobs", "-2"], "--jobs"),
    (["x", "--lang", "de"], "--lang"),
    (["x", "--layout", "diagonal"], "--layout"),
    (["x", "--transparent"], "--transparent needs --format mov or webm"),
    (["x", "--precision", "9"], "--precision"),
    (["x", "--slides", "--format", "gif"], "--slides are made from mp4"),
    (["x", "--no-such-option"], "no-such-option"),
    ([r"\input{/etc/hostname} $x$ 100% a&b <b>bold</b>"], "at most 12"),
    # the pretrained source: its sizes and its kind of attention are the model's
    (["x", "--source", "minilm", "--heads", "2"], "heads is 12, not 2"),
    (["x", "--source", "minilm", "--d-model", "8"], "d_model is 384"),
    (["x", "--source", "minilm", "--layer", "6"], "--layer"),
    (["x", "--source", "minilm", "--head", "12"], "numbered 0 to 11"),
    (["x", "--head", "2"], "numbered 0 to 1"),
    (["x", "--layer", "1"], "minilm"),
    (["x", "--source", "minilm", "--causal"], "drop causal"),
    (["x", "--source", "minilm", "--cross", "y"], "drop cross"),
    (["кошка сидит на ковре", "--source", "minilm"], "17 MiniLM tokens"),
    # --voice: espeak or a folder of recordings that all decode
    (["x", "--voice", "{dir}/novoice"], "not a folder"),
    (["x", "--voice", " "], "--voice is empty"),
    (["x", "--voice", "{dir}/junkvoice"], "junkvoice/Recap-01-recap.wav cannot be read as audio"),
    # --scenes is checked with --no-video too, before anything is written
    (["x", "--scenes", ","], "names no scene"),
    (["x", "--scenes", " "], "names no scene"),
    (["x", "--scenes", ""], "names no scene"),
    (["x", "--scenes", "1,,2"], "empty item"),
    (["x", "--scenes", "³"], "unknown scene '³'"),
    (["x", "--scenes", "Nope"], "unknown scene 'Nope'"),
    (["x", "--scenes", "0"], "unknown scene '0'"),
    (["x", "--scenes", "18"], "unknown scene '18'"),
    # messages that point to what the user can type
    (["x", "--d-model", "7"], "--d-k"),
    (["x", "--d-k", "0"], "--d-k"),
    (["x", "--d-v", "0"], "--d-v"),
    (["x", "--layer", "2"], "--source minilm"),
    (["-1 is negative"], 'goes after --: render.py -- "-1'),
    (["apple orange", "--config", "{dir}/nan.toml"], "finite number"),
    (["apple orange", "--config", "{dir}/inf.toml"], "finite number"),
    (["apple orange", "--config", "{dir}/huge.toml"], "less than or equal to 1000"),
    (["apple orange", "--config", "{dir}/huge_w_o.toml"], "less than or equal to 1000"),
    (["apple orange", "--config", "{dir}/zero.toml"], "query of 'orange' is all zeros"),
    (["apple orange", "--config", "{dir}/zero_query.toml"], "query of 'apple' is all zeros"),
    # text that would pass a naive check and then fail to draw
    (["\u200d"], "shows nothing on its own"),
    (["cat \u200d dog"], "shows nothing on its own"),
    (["a" * 400], "word of 400 characters"),
    (["\u3000\u3000"], "empty"),
]


@pytest.mark.parametrize(("args", "says"), BAD)
@pytest.mark.parametrize("no_video", [True, False])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    tmp_path, bad_configs, args, says, no_video
):
    """Each case as a user types it: a real process, its real exit code and stderr."""
    out_dir = tmp_path / "out"
    argv = [a.replace("{dir}", str(bad_configs)) for a in args] + ["--out", str(out_dir)]
    before = sorted(tmp_path.rglob("*"))
    done = subprocess.run(
        [sys.executable, "render.py", *argv, *(["--no-video"] if no_video else [])],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert says in lines[0]
    assert "Traceback" not in done.stderr
    assert sorted(tmp_path.rglob("*")) == before  # nothing final, nothing temporary


def test_no_video_as_a_process_never_imports_manim(tmp_path):
    probe = (
        "import sys, render; code = render.run(sys.argv[1:]); "
        "assert 'manim' not in sys.modules, 'manim was imported'; "
        "assert 'ray' not in sys.modules, 'ray was imported'; sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, "the cat", "--no-video", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "trace.json").exists()
    (page,) = tmp_path.glob("*/lesson.html")  # the interactive page needs no manim either
    assert "lesson-data" in page.read_text(encoding="utf-8")


def test_real_process_exit_code_and_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "render.py", "x", "--heads", "0", "--out", str(tmp_path / "o")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


@pytest.mark.parametrize("config", sorted(p.name for p in CONFIGS.glob("*.toml")))
def test_every_shipped_config_builds(capsys, tmp_path, config):
    code, _, err = run_cli(
        capsys, "--config", str(CONFIGS / config), "--no-video", "--out", str(tmp_path)
    )
    assert code == 0, err


def test_list_scenes_names_every_scene_in_order(capsys, tmp_path):
    from scenes import LESSON

    code, out, _ = run_cli(capsys, "--list-scenes", "--out", str(tmp_path / "o"))
    assert code == 0
    assert out.split() == [w for n, cls in enumerate(LESSON, 1) for w in (str(n), cls.__name__)]
    assert not (tmp_path / "o").exists()


def test_layout_source_and_precision_reach_the_trace(capsys, tmp_path):
    code, _, _ = run_cli(
        capsys,
        "a b",
        "--layout",
        "columns",
        "--precision",
        "3",
        "--source",
        "seeded",
        "--no-video",
        "--out",
        str(tmp_path),
    )
    assert code == 0
    config = json.loads((tmp_path / "trace.json").read_text(encoding="utf-8"))["config"]
    assert (config["convention"], config["precision"], config["source"]) == ("columns", 3, "seeded")


def test_missing_system_piece_is_named_before_any_work(capsys, tmp_path, monkeypatch):
    import shutil

    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda p: None if p == "dvisvgm" else real(p))
    code, out, err = run_cli(capsys, "x", "--out", str(tmp_path / "o"))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "apt-get install dvisvgm" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("sentence", "cannot", "package"),
    [
        ("the cat שלום", "Hebrew, U+05E9", "fonts-noto-core"),
        ("the cat 👨\u200d👩\u200d👧", "a symbol, U+1F468", "fonts-symbola"),
    ],
)
def test_a_token_no_installed_font_draws_is_named_before_any_work(
    capsys, tmp_path, monkeypatch, sentence, cannot, package
):
    from lecture import system

    covered = system._covered()
    missing = {int(cannot.split("U+")[1], 16)}
    monkeypatch.setattr(system, "_covered", lambda: covered - missing)  # as without the fonts
    code, out, err = run_cli(capsys, sentence, "--out", str(tmp_path / "o"))
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert cannot in err and f"apt-get install {package}" in err
    assert not (tmp_path / "o").exists()


def test_a_token_that_draws_nothing_is_refused(capsys, tmp_path, monkeypatch):
    from lecture import system

    monkeypatch.setattr(system, "_draws_something", lambda text: text != "cat")
    code, _, err = run_cli(capsys, "the cat", "--out", str(tmp_path / "o"))
    assert code == 2 and "'cat' cannot be drawn" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "text",
    ["cat", "猫", "שלום", "مرحبا", "नमस्ते", "a b", "\u3164a"]
    + ["\u3164", "\u3164\u3164", "\u2800", " "],  # Hangul fillers, a blank Braille cell, a space
)
def test_the_drawability_check_agrees_with_what_the_scenes_draw(text, tmp_path):
    # lecture.system asks pango itself (no manim in the planning process); the scenes draw a
    # token as a TraceText: the two must agree on whether anything is drawn at all
    from manim import tempconfig

    from lecture.system import _draws_something
    from scenes.kit.provenance import TraceText

    with tempconfig({"media_dir": str(tmp_path)}):
        drawn = bool(TraceText(text, "tokens", (0,)).family_members_with_points())
    assert _draws_something(text) == drawn
    assert drawn == (text not in ("\u3164", "\u3164\u3164", "\u2800", " "))


@pytest.mark.xdist_group("render")
def test_the_process_that_plans_a_render_never_imports_manim(tmp_path):
    # with --jobs 2 the render processes draw; the one that plans and joins would otherwise
    # carry manim's 70 MB for the whole render (bench/results.md)
    code = (
        "import sys, render; "
        f"code = render.run(['the cat', '--scenes', '1,2', '--jobs', '2', '--quality', 'low', "
        f"'--format', 'png', '--out', {str(tmp_path)!r}, '-q']); "
        "heavy = ('manim', 'scenes', 'torch', 'ray'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy)); "
        "sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert sorted(p.name for p in tmp_path.glob("*/0*.png")) == [
        "01_WhyAttention.png",
        "02_Overview.png",
    ]


def test_slides_without_reveal_js_are_refused_before_any_work(capsys, tmp_path, monkeypatch):
    import lecture.system

    monkeypatch.setattr(lecture.system, "REVEAL", tmp_path / "nowhere")
    code, out, err = run_cli(capsys, "x", "--slides", "--out", str(tmp_path / "o"))
    assert code == 2 and out == "" and err.count("\n") == 1
    # where it was looked for, and the command that puts it there for this Python
    assert str(tmp_path / "nowhere") in err and f"{sys.executable} scripts/fetch_reveal.py" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("out", "says"),
    [
        ("", "--out': is empty"),
        ("   ", "--out': is empty"),
        ("{file}", "is a file; name a folder"),
        ("{file}/inside", "is a file"),  # nothing can be created under a file
        ("{taken}", "trace.json is a folder"),
    ],
)
@pytest.mark.parametrize("no_video", [True, False])
def test_a_bad_out_folder_is_refused_before_any_work(capsys, tmp_path, out, says, no_video):
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "taken" / "trace.json").mkdir(parents=True)
    out = out.format(file=tmp_path / "notes.txt", taken=tmp_path / "taken")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    code, stdout, err = run_cli(capsys, "x", "--out", out, *(["--no-video"] if no_video else []))
    assert code == 2 and stdout == "" and err.count("\n") == 1 and says in err, err
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_a_full_disk_is_one_line_exit_2_and_leaves_no_partial_file(capsys, tmp_path, monkeypatch):
    import errno
    import pathlib

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(pathlib.Path, "write_text", full)
    code, _, err = run_cli(capsys, "x", "--no-video", "--out", str(tmp_path / "o"))
    assert code == 2 and err.count("\n") == 1, err
    assert "No space left on device" in err and "free some disk space" in err
    assert [p.name for p in (tmp_path / "o").iterdir()] == []  # no .trace.part file


def test_the_scene_list_without_manim_is_the_lesson(capsys):
    from lecture.scene_choice import SCENE_NAMES, choose_scenes, stem_of
    from lecture.system import LESSON_FONT
    from scenes import LESSON, scene_stem
    from scenes.kit.style import FONT

    assert list(SCENE_NAMES) == [cls.__name__ for cls in LESSON]
    assert [stem_of(name) for name in SCENE_NAMES] == [scene_stem(cls) for cls in LESSON]
    assert LESSON_FONT == FONT  # the font the system check looks for is the one drawn in
    # numbers and names in any case, each once, in the order asked
    assert choose_scenes("5, softmax,5,SCORES") == ["Scores", "Softmax"]


def test_switching_source_drops_the_old_source_s_head(capsys, tmp_path):
    code, _, err = run_cli(
        capsys,
        "x",
        "--config",
        str(CONFIGS / "minilm.toml"),
        "--source",
        "seeded",
        "--no-video",
        "--out",
        str(tmp_path),
    )
    assert code == 0, err
    assert json.loads((tmp_path / "trace.json").read_text())["config"]["head"] == 0
