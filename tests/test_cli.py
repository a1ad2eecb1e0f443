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
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
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
]


@pytest.mark.parametrize(("args", "says"), BAD)
@pytest.mark.parametrize("no_video", [True, False])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    capsys, tmp_path, bad_configs, args, says, no_video
):
    out_dir = tmp_path / "out"
    argv = [a.replace("{dir}", str(bad_configs)) for a in args] + ["--out", str(out_dir)]
    code, out, err = run_cli(capsys, *argv, *(["--no-video"] if no_video else []))
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert says in lines[0]
    assert "Traceback" not in err
    assert not out_dir.exists()


def test_unknown_scene_is_refused_before_writing(capsys, tmp_path):
    code, _, err = run_cli(capsys, "x", "--scenes", "nope", "--out", str(tmp_path / "o"))
    assert code == 2 and "unknown scene 'nope'" in err
    assert not (tmp_path / "o").exists()


def test_no_video_writes_the_trace_and_overrides_apply(capsys, tmp_path):
    code, out, _ = run_cli(
        capsys,
        "один два три",
        "--heads",
        "3",
        "--d-model",
        "9",
        "--seed",
        "4",
        "--causal",
        "--no-video",
        "--out",
        str(tmp_path),
    )
    assert code == 0 and "trace.json" in out
    data = json.loads((tmp_path / "trace.json").read_text(encoding="utf-8"))
    assert data["tokens"] == ["один", "два", "три"]
    assert data["config"]["heads"] == 3 and data["config"]["d_k"] == 3
    assert data["config"]["seed"] == 4 and data["config"]["causal"] is True
    assert len(data["heads"]) == 3 and data["heads"][0]["mask"][0] == [False, True, True]
    assert [f for f in tmp_path.iterdir()] == [tmp_path / "trace.json"]


def test_cross_attention_from_the_command_line(capsys, tmp_path):
    code, _, _ = run_cli(
        capsys, "猫坐着", "--cross", "the cat sat", "--no-video", "--out", str(tmp_path)
    )
    assert code == 0
    data = json.loads((tmp_path / "trace.json").read_text(encoding="utf-8"))
    assert data["tokens"] == ["猫", "坐", "着"] and data["kv_tokens"] == ["the", "cat", "sat"]
    assert len(data["heads"][0]["weights"][0]) == 3 and len(data["X_kv"]) == 3


def test_hostile_text_stays_literal_in_the_trace(capsys, tmp_path):
    sentence = r"\input{x} $y$ <b>%"
    code, _, _ = run_cli(capsys, sentence, "--no-video", "--out", str(tmp_path))
    assert code == 0
    data = json.loads((tmp_path / "trace.json").read_text(encoding="utf-8"))
    assert data["sentence"] == sentence and "input" in data["tokens"] and "<" in data["tokens"]


def test_apple_from_the_command_line(capsys, tmp_path):
    code, _, _ = run_cli(
        capsys,
        "apple orange",
        "--config",
        str(CONFIGS / "apple.toml"),
        "--no-video",
        "--out",
        str(tmp_path),
    )
    assert code == 0
    out = json.loads((tmp_path / "trace.json").read_text(encoding="utf-8"))["output"][0]
    assert [round(v, 4) for v in out] == [1.1454, 2.4273]


def test_no_video_as_a_process_never_imports_manim(tmp_path):
    probe = (
        "import sys, render; code = render.run(sys.argv[1:]); "
        "assert 'manim' not in sys.modules, 'manim was imported'; sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, "the cat", "--no-video", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "trace.json").exists()


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


def test_slides_without_reveal_js_are_refused_before_any_work(capsys, tmp_path, monkeypatch):
    import lecture.system

    monkeypatch.setattr(lecture.system, "REVEAL", tmp_path / "nowhere")
    code, out, err = run_cli(capsys, "x", "--slides", "--out", str(tmp_path / "o"))
    assert code == 2 and out == "" and err.count("\n") == 1
    # where it was looked for, and the command that puts it there for this Python
    assert str(tmp_path / "nowhere") in err and f"{sys.executable} scripts/fetch_reveal.py" in err
    assert not (tmp_path / "o").exists()
