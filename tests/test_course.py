"""render.py --course: a course file's lessons checked before anything is rendered, then
rendered together into the same folders single renders make, with an index."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT, two_lesson_course

import render

COURSE = two_lesson_course(["TokensToVectors"])

L1, L2 = "[[lesson]]\nsentence = 'a b'\n", "[[lesson]]\nsentence = 'c'\n"  # two good lessons
BAD = [
    (None, "no such file"),
    ("[[lesson]\nsentence = 'x'\n", "not valid TOML"),
    ("[defaults]\nquality = 'low'\n", "no [[lesson]]"),
    (L1 + L2 + "heds = 2\n", "lesson 2: unknown key 'heds'"),
    (L1 + "heads = 'two'\n", "lesson 1: heads must be a whole number"),
    (L1 + "slides = 1\n", "lesson 1: slides must be true or false"),
    (L1 + L2 + "lang = 'fr'\n", "lesson 2: Invalid value for '--lang'"),
    ("[[lesson]]\nsentence = 'a b c d e f g h i j k l m'\n", "lesson 1: the sentence has 13"),
    (L1 + "scenes = 'Nope'\n", "lesson 1: unknown scene 'Nope'"),
    (L1 + "format = 'gif'\nslides = true\n", "lesson 1: --slides are made from mp4"),
    ("[defaults]\nheads = 0\n" + L1, "lesson 1"),
    ("lesson = 3\n", "no [[lesson]]"),
    ("title = 'x'\n" + L1, "unknown table or key 'title'"),
]


@pytest.mark.parametrize(("text", "says"), BAD)
def test_a_bad_course_file_is_one_line_exit_2_and_renders_nothing(capsys, tmp_path, text, says):
    course = tmp_path / "course.toml"
    if text is not None:
        course.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code = render.run(["--course", str(course), "--out", str(out)])
    stdout, err = capsys.readouterr()
    assert code == 2 and stdout == ""
    assert err.count("\n") == 1 and says in err, err
    assert not out.exists() or not any(out.iterdir())


def test_lesson_options_on_the_command_line_belong_in_the_course_file(capsys, tmp_path):
    course = tmp_path / "course.toml"
    course.write_text("[[lesson]]\nsentence = 'a'\n", encoding="utf-8")
    code = render.run(["--course", str(course), "--quality", "low", "--out", str(tmp_path / "o")])
    _, err = capsys.readouterr()
    assert code == 2 and "--quality belongs in the course file" in err


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "render.py", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=900)  # fmt: skip


@pytest.mark.xdist_group("course")
def test_a_course_renders_what_single_renders_would_and_lists_them(tmp_path):
    course = tmp_path / "course.toml"
    course.write_text(COURSE, encoding="utf-8")
    done = run("--course", str(course), "--jobs", "2", "--out", str(tmp_path / "course"))
    assert done.returncode == 0, done.stderr
    assert "lessons 2/2" in done.stderr  # the progress line counts whole lessons
    singles = tmp_path / "singles"
    for sentence, lang in (("кошка сидит", "ru"), ("猫坐着", "zh")):
        alone = run(sentence, "--lang", lang, "--scenes", "TokensToVectors", "--quality", "low",
                    "--jobs", "1", "-q", "--out", str(singles))  # fmt: skip
        assert alone.returncode == 0, alone.stderr
    folders = sorted(p for p in (tmp_path / "course").iterdir() if p.is_dir())
    assert [f.name for f in folders] == sorted(p.name for p in singles.iterdir() if p.is_dir())
    for folder in folders:
        single = singles / folder.name

        def names(f):
            return sorted(p.name for p in f.iterdir() if not p.name.startswith("."))

        assert names(folder) == names(single)
        trace = json.loads((folder / "trace.json").read_text(encoding="utf-8"))
        assert trace == json.loads((single / "trace.json").read_text(encoding="utf-8"))
    index = (tmp_path / "course" / "index.html").read_text(encoding="utf-8")
    for folder in folders:
        for name in ("lesson.mp4", "handout.md", "lesson.html", "03_TokensToVectors.png"):
            assert f'"{folder.name}/{name}"' in index
    assert "кошка сидит" in index and "猫坐着" in index
    # run again: every scene is up to date, nothing is rendered
    again = run("--course", str(course), "--jobs", "2", "--out", str(tmp_path / "course"))
    assert again.returncode == 0, again.stderr
    assert "[1/" not in again.stderr and again.stderr.count("up to date: 1 of 1") == 2


def test_every_scene_has_a_cost_to_order_a_course_by():
    from lecture.build import SCENE_COST
    from lecture.scene_choice import SCENE_NAMES

    assert list(SCENE_COST) == list(SCENE_NAMES) and all(c > 0 for c in SCENE_COST.values())


@pytest.mark.parametrize(
    ("address", "says"),
    [("127.0.0.1:1", "nothing answers there"), ("nonsense", "give auto or the head's host:port")],
)
def test_a_ray_address_without_a_cluster_is_one_line_before_any_work(
    capsys, tmp_path, address, says
):
    course = tmp_path / "course.toml"
    course.write_text("[[lesson]]\nsentence = 'a'\nquality = 'low'\n", encoding="utf-8")
    out = tmp_path / "out"
    code = render.run(["--course", str(course), "--ray", address, "--out", str(out)])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and says in err
    assert not out.exists()


def test_no_video_is_for_one_lesson(capsys, tmp_path):
    course = tmp_path / "course.toml"
    course.write_text("[[lesson]]\nsentence = 'a'\n", encoding="utf-8")
    code = render.run(["--course", str(course), "--no-video", "--out", str(tmp_path / "o")])
    _, err = capsys.readouterr()
    assert code == 2 and "drop --no-video" in err and not (tmp_path / "o").exists()
