"""render.py --course --ray against a real Ray cluster on this machine, started and stopped by
the tests: a head on 127.0.0.1 and a second node, one CPU each, both started from a folder
without the project's manim.cfg (as a remote machine's workers would be)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import ROOT, two_lesson_course

RAY = str(Path(sys.executable).with_name("ray"))
COURSE = two_lesson_course(["TokensToVectors", "Scaling"])


@contextmanager
def cluster(folder: Path) -> Iterator[str]:
    """A cluster of this test's own: its address while the block runs. Each node is a
    ``ray start --block`` process; ending it ends that node's processes (and no others: ``ray
    stop`` would stop every Ray process on the machine)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"127.0.0.1:{port}"
    common = ["--num-cpus=1", "--disable-usage-stats", "--block"]
    head = [RAY, "start", "--head", "--node-ip-address=127.0.0.1", f"--port={port}",
            "--include-dashboard=false", *common]  # fmt: skip
    second = [RAY, "start", f"--address={address}", *common]
    nodes = [
        subprocess.Popen(head, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ]
    try:
        deadline = time.monotonic() + 60
        while not _answers(address) and time.monotonic() < deadline:
            time.sleep(0.5)
        nodes.append(subprocess.Popen(second, cwd=folder, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))  # fmt: skip
        time.sleep(5)  # the second node registers with the head
        yield address
    finally:
        for node in reversed(nodes):
            node.terminate()
            node.wait(timeout=60)


def _answers(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError:
        return False
    return True


def course_file(tmp_path: Path) -> Path:
    path = tmp_path / "course.toml"
    path.write_text(COURSE, encoding="utf-8")
    return path


def render(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "render.py", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=900)  # fmt: skip


def lessons(out: Path) -> dict[str, list[str]]:
    return {
        f.name: sorted(p.name for p in f.iterdir() if not p.name.startswith("."))
        for f in sorted(out.iterdir())
        if f.is_dir()
    }


def lands_as_a_local_render_does(cluster: str, tmp_path: Path) -> None:
    course = course_file(tmp_path)
    on_ray = render("--course", str(course), "--ray", cluster, "--out", str(tmp_path / "ray"))
    assert on_ray.returncode == 0, on_ray.stderr
    assert "lessons 2/2" in on_ray.stderr
    local = render("--course", str(course), "--jobs", "2", "--out", str(tmp_path / "local"))
    assert local.returncode == 0, local.stderr
    assert lessons(tmp_path / "ray") == lessons(tmp_path / "local")
    for name, files in lessons(tmp_path / "ray").items():
        assert "02_Scaling.mp4" not in files and "06_Scaling.mp4" in files
        ours, theirs = (tmp_path / side / name / "trace.json" for side in ("ray", "local"))
        assert ours.read_bytes() == theirs.read_bytes()
    assert (tmp_path / "ray" / "index.html").exists()


def ray_workers_rendering() -> list[int]:
    """Processes that are running a scene task now (Ray names them after the task)."""
    found = []
    for pid in os.listdir("/proc"):
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]
        except OSError:
            continue
        if title.startswith(b"ray::_render_here"):
            found.append(int(pid))
    return found


def start_course(course: Path, cluster: str, out: Path) -> subprocess.Popen[str]:
    """The course on the cluster, running in the background."""
    return subprocess.Popen(
        [sys.executable, "render.py", "--course", str(course), "--ray", cluster,
         "--out", str(out)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def a_killed_worker_is_retried(cluster: str, tmp_path: Path) -> None:
    course, out = course_file(tmp_path), tmp_path / "out"
    running = start_course(course, cluster, out)
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and time.monotonic() < deadline and running.poll() is None:
        workers = ray_workers_rendering()
        if workers:
            time.sleep(1.0)  # well inside the scene's render (each takes several seconds)
            killed = workers[0]
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.1)
    _, err = running.communicate(timeout=600)
    assert killed is not None, "no worker was seen rendering"
    assert running.returncode == 0, err
    for files in lessons(out).values():
        assert {"03_TokensToVectors.mp4", "06_Scaling.mp4", "lesson.mp4"} <= set(files)


def an_interrupted_course_resumes(cluster: str, tmp_path: Path) -> None:
    course = course_file(tmp_path)
    seen = []  # each course's exit code and the end of what it said
    for attempt in range(3):
        out = tmp_path / f"out-{attempt}"
        running = start_course(course, cluster, out)
        assert running.stderr is not None
        for line in running.stderr:
            if line.startswith("[1/4]"):  # one scene done: Ctrl-C
                running.send_signal(signal.SIGINT)
                break
        _, err = running.communicate(timeout=120)
        seen.append((running.returncode, err[-300:]))
        if running.returncode != 0:
            break
        # exit 0: the course ended before the interrupt was sent (under the whole suite's load
        # the test can read "[1/4]" late); there is nothing to resume, so interrupt a new one
    assert running.returncode == 1 and err.rstrip().endswith("interrupted"), seen
    again = render("--course", str(course), "--ray", cluster, "--out", str(out))
    assert again.returncode == 0, again.stderr
    progress = [line for line in again.stderr.splitlines() if line.startswith("[")]
    count = len(progress)
    assert 1 <= count <= 3 and progress[-1].startswith(f"[{count}/{count}]")
    assert "up to date: 1 of 2" in again.stderr
    assert (out / "index.html").read_text(encoding="utf-8").count("<tr>") == 3  # a header, 2


def test_a_course_on_a_ray_cluster(tmp_path):
    """One cluster for the three checks (one test: pytest-xdist cannot split them over two
    clusters): a course on it lands as a local one does; a worker killed mid-scene is retried;
    an interrupted course, run again, renders only what was missing."""
    with cluster(tmp_path) as address:
        for check in (lands_as_a_local_render_does, a_killed_worker_is_retried,
                      an_interrupted_course_resumes):  # fmt: skip
            folder = tmp_path / check.__name__
            folder.mkdir()
            check(address, folder)
