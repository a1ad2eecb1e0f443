"""Every caption and label the lesson can show exists in English, Chinese and Russian, holds no
number, and is named by a plain string that grep finds: a key no scene says, a key built at
run time (an f-string) or a language missing a key fails here."""

from __future__ import annotations

import ast
import re
import string
import sys
from pathlib import Path

import pytest

from scenes import LESSON
from scenes.kit import captions as shared

LANGUAGES = {"en", "zh", "ru"}
KIT_CAPTIONS = Path(shared.__file__)


def _is_language_table(value: object) -> bool:
    """A dict of entries, each a dict from language to text (a caption or label table)."""
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(v, dict) and set(v) & LANGUAGES for v in value.values())
    )


def _tables() -> list[tuple[str, dict[str, dict[str, str]]]]:
    """Every language table of the lesson: the shared captions, each scene's class attributes
    (captions, labels, ...) and its module's own tables."""
    found = [("shared", shared.CAPTIONS)]
    for cls in LESSON:
        for name, value in vars(cls).items():
            if _is_language_table(value):
                found.append((f"{cls.__name__}.{name}", value))
        for name, value in vars(sys.modules[cls.__module__]).items():
            if _is_language_table(value):
                found.append((f"{cls.__module__}.{name}", value))
    return found


TABLES = _tables()
ENTRIES = [(where, key, entry) for where, table in TABLES for key, entry in table.items()]


def slots(template: str) -> list[str]:
    return sorted(f for _, f, _, _ in string.Formatter().parse(template) if f is not None)


@pytest.mark.parametrize(
    ("where", "key", "entry"), ENTRIES, ids=[f"{w}.{k}" for w, k, _ in ENTRIES]
)
def test_caption_is_translated_and_number_free(where, key, entry):
    assert set(entry) == LANGUAGES
    for language, template in entry.items():
        assert template.strip(), f"{where}.{key}.{language} is empty"
        # {0}, {1} are token slots; any other digit would be a number typed into prose
        assert not re.search(r"\d", re.sub(r"\{\d+\}", "", template)), (language, template)
    assert len({tuple(slots(t)) for t in entry.values()}) == 1, "languages name different tokens"


def test_scene_captions_do_not_shadow_shared_ones():
    for cls in LESSON:
        assert not set(cls.captions) & set(shared.CAPTIONS), cls.__name__


def test_chinese_and_russian_are_really_translated():
    # captions are sentences; a label may keep a technical name (Add & Norm) in every language
    for where, key, entry in ENTRIES:
        if not (where == "shared" or where.endswith(".captions")):
            continue
        assert re.search(r"[\u4e00-\u9fff]", entry["zh"]), f"{where}.{key}: zh has no Chinese"
        assert re.search(r"[\u0400-\u04ff]", entry["ru"]), f"{where}.{key}: ru has no Cyrillic"


def test_latin_and_cyrillic_captions_avoid_full_width_quotes():
    # the CJK face draws “ ” full width: English quotes straight, Russian with « »
    for where, key, entry in ENTRIES:
        for language in ("en", "ru"):
            assert not re.search("[“”„]", entry[language]), f"{where}.{key}.{language}"


def _source(path: Path) -> tuple[set[str], set[str], list[str]]:
    """A file's language-table keys, the other string literals it holds, and every say() whose
    key is built at run time (f-string, concatenation, formatting)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    table_keys: set[int] = set()  # ids of the key nodes of language tables
    keys: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Dict)
            and node.values
            and all(
                isinstance(v, ast.Dict)
                and {k.value for k in v.keys if isinstance(k, ast.Constant)} & LANGUAGES
                for v in node.values
            )
        ):
            for k in node.keys:
                if isinstance(k, ast.Constant) and isinstance(k.value, str):
                    table_keys.add(id(k))
                    keys.add(k.value)
    literals = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in table_keys
    }
    built = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", None) == "say"
        and node.args
        and any(isinstance(n, (ast.JoinedStr, ast.BinOp)) for n in ast.walk(node.args[0]))
    ]
    return keys, literals, built


SCENE_FILES = sorted({Path(sys.modules[cls.__module__].__file__) for cls in LESSON})


@pytest.mark.parametrize("path", SCENE_FILES, ids=[p.stem for p in SCENE_FILES])
def test_every_key_is_a_literal_the_scene_uses(path):
    keys, literals, built = _source(path)
    assert not built, f"caption keys built at run time: {built}"
    unused = sorted(keys - literals)
    assert not unused, f"keys no line of {path.name} names: {unused}"


def test_every_shared_caption_is_said_by_some_scene():
    named = set().union(*(_source(path)[1] for path in SCENE_FILES))
    assert not set(shared.CAPTIONS) - named
