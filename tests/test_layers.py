"""The architecture as the folders show it: imports point one way,
render.py → lecture/ → scenes/ → scenes/kit/ → qkv/, with no cycle and no lesson scene
importing another; every scene's construct() reads as a storyboard (a short list of beats).

Read from the source (ast), so a test fails the moment a file imports the wrong way.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from scenes import LESSON

ROOT = Path(__file__).resolve().parent.parent
# a layer may import the layers after it in this list, never one before it
LAYERS = ["render", "lecture", "scenes", "scenes.kit", "qkv"]
STORYBOARD_LINES = 60  # the longest construct() a scene may have


def _modules() -> dict[str, Path]:
    found = {"render": ROOT / "render.py"}
    for package in ("qkv", "lecture", "scenes"):
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The project modules ``name`` imports (a package's own ``from . import x`` names x)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES]
            found.update(subs or [base])
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def layer_of(module: str) -> str:
    """The layer a module belongs to: the longest layer name it starts with."""
    return max((lay for lay in LAYERS if module == lay or module.startswith(lay + ".")), key=len)


def test_layers_import_one_way():
    backwards = [
        f"{a} imports {b}"
        for a, deps in GRAPH.items()
        for b in deps
        if LAYERS.index(layer_of(b)) < LAYERS.index(layer_of(a))
    ]
    assert not backwards


def test_no_lesson_scene_imports_another():
    lesson = {n for n in MODULES if layer_of(n) == "scenes" and n != "scenes"}
    assert len(lesson) == len(LESSON)  # one file per teaching step
    assert not [f"{a} imports {b}" for a in lesson for b in GRAPH[a] if b in lesson]


def test_no_import_cycle():
    # depth-first search for a back edge, over every module
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                return [*path, node, nxt]
            if nxt not in state and (cycle := visit(nxt, [*path, node])):
                return cycle
        state[node] = 2
        return None

    for start in sorted(GRAPH):
        if start not in state:
            assert visit(start, []) is None


def test_the_core_never_draws():
    core = [n for n in MODULES if layer_of(n) == "qkv"]
    for name in core:
        tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not [n for n in names if n.split(".")[0] == "manim"], name


@pytest.mark.parametrize("cls", LESSON, ids=[cls.__name__ for cls in LESSON])
def test_construct_is_a_storyboard(cls):
    module = cls.__module__
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    lengths = [
        node.end_lineno - node.lineno + 1
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == "construct"
    ]
    assert lengths, f"{cls.__name__} has no construct()"
    assert max(lengths) <= STORYBOARD_LINES


def test_render_stamps_hash_every_file_a_scene_depends_on():
    # a scene re-renders when any module it imports, at any depth, changes (lecture/build.py)
    from lecture.build import pixel_sources

    hashed = {path.resolve() for path in pixel_sources()}
    needed, todo = set(), [cls.__module__ for cls in LESSON]
    while todo:
        module = todo.pop()
        if module not in needed:
            needed.add(module)
            todo.extend(GRAPH[module])
    assert {MODULES[m].resolve() for m in needed} <= hashed
    assert (ROOT / "lecture" / "tex_template.tex").resolve() in hashed
