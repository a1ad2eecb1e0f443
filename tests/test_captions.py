"""Every caption the lesson can say exists in English, Chinese and Russian, and holds no number."""

import re
import string

import pytest

from scenes import LESSON
from scenes.kit.captions import CAPTIONS

LANGUAGES = {"en", "zh", "ru"}
TABLES = [("shared", CAPTIONS)] + [(cls.__name__, cls.captions) for cls in LESSON]
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
        assert not set(cls.captions) & set(CAPTIONS), cls.__name__


def test_chinese_and_russian_are_really_translated():
    for where, key, entry in ENTRIES:
        assert re.search(r"[\u4e00-\u9fff]", entry["zh"]), f"{where}.{key}: zh has no Chinese"
        assert re.search(r"[\u0400-\u04ff]", entry["ru"]), f"{where}.{key}: ru has no Cyrillic"


def test_latin_and_cyrillic_captions_avoid_full_width_quotes():
    # the CJK face draws “ ” full width: English quotes straight, Russian with « »
    for where, key, entry in ENTRIES:
        for language in ("en", "ru"):
            assert not re.search("[“”„]", entry[language]), f"{where}.{key}.{language}"
