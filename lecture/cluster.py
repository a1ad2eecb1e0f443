"""``--ray ADDRESS``: scene renders as Ray tasks on a cluster (``ray start --head`` on one
machine, ``ray start --address`` on the others), for courses that outgrow one machine.

Only this module imports Ray, and only when ``--ray`` is given. Each task renders one scene into
a temporary folder on whichever node runs it and returns the files' bytes through Ray, so the
nodes need no shared file system; this process writes them into the lesson folder, each under
its final name whole. A task whose worker dies is run again by Ray (``max_retries``); an
interrupted course run again renders only what the stamps say is missing.
"""

from __future__ import annotations

import logging
import signal
import socket
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lecture.options import RenderOptions
from qkv import BadInput, Trace
from qkv.files import atomic

__all__ = ["RETRIES", "connected", "render_on_ray"]

RETRIES = 3  # a scene whose worker died (a node lost, a process killed) is run again this often
# what one render process needs at most, as measured (bench/results.md: about 0.52 GiB at
# 1080p60, 0.4 at 480p15), with room: Ray places a task only where this much memory is free
_GIB = {"low": 0.6, "medium": 0.7, "high": 0.8, "4k": 1.6}


@contextmanager
def connected(address: str) -> Iterator[None]:
    """This process connected to the Ray cluster at ``address`` (``auto``: the one started on
    this machine) while the block runs; BadInput if there is none."""
    _reachable(address)
    import ray

    try:
        ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False)
    except (ConnectionError, ValueError, RuntimeError) as err:
        raise BadInput(
            f"--ray {address}: no Ray cluster there ({err}); start one with `ray start --head` "
            "(see the README), or leave out --ray to render on this machine"
        ) from None
    try:
        yield
    finally:  # Ctrl-C or a failed scene: what is not finished is dropped with this driver
        ray.shutdown()


def _reachable(address: str) -> None:
    """A head named host:port must answer: Ray itself would retry for minutes first."""
    if address == "auto":  # Ray finds the cluster started on this machine, or says at once
        return
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise BadInput(f"--ray {address}: give auto or the head's host:port, e.g. --ray auto")
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as err:
        raise BadInput(
            f"--ray {address}: nothing answers there ({err.strerror or err}); start the head "
            "with `ray start --head` (see the README), or leave out --ray"
        ) from None


def render_on_ray(
    tasks: Sequence[tuple[Trace, str, Path, RenderOptions]],
) -> Iterator[tuple[int, list[Path]]]:
    """Render each (trace, scene name, lesson folder, options) as a Ray task on the connected
    cluster; yield (its index in ``tasks``, the files written) as each finishes."""
    import ray

    remote = ray.remote(_render_here)
    traces: dict[int, Any] = {}  # each lesson's trace sent once, not once per scene
    running = {}
    for index, (trace, name, _, options) in enumerate(tasks):
        if id(trace) not in traces:
            traces[id(trace)] = ray.put(trace)
        ref = remote.options(
            num_cpus=1, memory=int(_GIB[options.quality] * 2**30), max_retries=RETRIES
        ).remote(traces[id(trace)], name, options)
        running[ref] = index
    try:
        with _interrupt_noted() as interrupted:
            while running:
                finished, _ = ray.wait(list(running), num_returns=1, timeout=_LOOK)
                if interrupted.is_set():
                    raise KeyboardInterrupt
                for ref in finished:
                    index = running.pop(ref)
                    yield index, _write(tasks[index][2], ray.get(ref))
    finally:  # interrupted: the rest is cancelled (an unchanged rerun renders only those)
        for ref in running:
            ray.cancel(ref, force=True)


_LOOK = 0.25  # seconds between looks for Ctrl-C while the cluster renders


@contextmanager
def _interrupt_noted() -> Iterator[threading.Event]:
    """Ctrl-C (SIGINT) sets the event instead of raising where it lands; the caller raises
    KeyboardInterrupt at a point of its own, between scenes. Raised wherever it landed in
    Ray's driver, it was lost: in two runs of the whole test suite, every course interrupted
    after its first scene went on to render all the others and ended well (the likeliest
    cause, not proven: Python drops an exception raised inside a finalizer, and Ray's driver
    runs many). In a thread other than the main one (where Python allows no handler) nothing
    changes."""
    interrupted = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield interrupted
        return
    before = signal.signal(signal.SIGINT, lambda signum, frame: interrupted.set())
    try:
        yield interrupted
    finally:
        signal.signal(signal.SIGINT, before)
        if interrupted.is_set():  # pressed while the caller wrote the last scene's files
            raise KeyboardInterrupt


def _render_here(trace: Trace, name: str, options: RenderOptions) -> list[tuple[str, bytes]]:
    """On a Ray worker: render the scene into a temporary folder, return its files' names and
    bytes. Formulas come from this node's own user cache."""
    from lecture.outline_cache import shared_folder
    from lecture.runner import render_scene

    with tempfile.TemporaryDirectory(prefix="qkv-ray-") as tmp:
        written = render_scene(trace, name, Path(tmp), options, shared_folder())
        return [(path.name, path.read_bytes()) for path in written]


def _write(folder: Path, files: list[tuple[str, bytes]]) -> list[Path]:
    paths = []
    for name, data in files:
        with atomic(folder / name) as partial:
            partial.write_bytes(data)
        paths.append(folder / name)
    return paths
