"""The persistent store under faults: a build killed mid-write, and two commands at once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from sendgraph.read.synth import synthesise
from tests.server import child_pids, executable

AREAS = 8


@pytest.fixture(scope="module")
def england(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("england")
    synthesise(folder, AREAS)
    return folder


def gaps(england: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [executable("sendgraph"), "gaps", "-f", "json", "--data", str(england), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def answer(process: subprocess.Popen[str]) -> tuple[list[str], str]:
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    return sorted(json.dumps(row, sort_keys=True) for row in json.loads(out)), err


@pytest.fixture(scope="module")
def fresh(england: Path) -> list[str]:
    return answer(gaps(england, "--no-cache"))[0]


def partial(cache: Path) -> list[Path]:
    """What a build writing ``cache`` has begun and not finished."""
    return [*cache.glob("areas/.*.tmp"), *cache.glob("stores/.tmp-*")]


def alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie, ended but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def sound(cache: Path) -> None:
    """Assert ``cache`` holds one whole store, its manifest naming every area's complete entry."""
    assert partial(cache) == []
    stores = [p for p in (cache / "stores").iterdir() if p.is_dir()]
    assert len(stores) == 1
    manifest = json.loads((stores[0] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["key"] == stores[0].name
    assert sorted(manifest["areas"]) == [f"area-{n:03d}" for n in range(1, AREAS + 1)]
    for key in manifest["areas"].values():
        about = json.loads((cache / "areas" / f"{key}.json").read_text(encoding="utf-8"))
        assert (cache / "areas" / f"{key}.nt").stat().st_size == about["bytes"]


def test_a_build_killed_mid_write_is_rebuilt(
    england: Path, tmp_path: Path, fresh: list[str]
) -> None:
    cache = tmp_path / "cache"
    build = gaps(england, "--cache", str(cache))
    left: list[Path] = []
    while build.poll() is None and not left:
        # The store is loaded under a temporary name for a while; an area's file only for moments.
        left = list(cache.glob("stores/.tmp-*")) if cache.exists() else []
        time.sleep(0.002)
    assert left, "the build ended before anything half-written was seen"
    os.kill(build.pid, signal.SIGKILL)
    build.communicate()
    assert partial(cache) != []
    assert not [
        p for p in (cache / "stores").iterdir() if p.is_dir() and not p.name.startswith(".")
    ]

    rows, said = answer(gaps(england, "--cache", str(cache)))
    assert rows == fresh
    assert "half-written cache entries that an interrupted run left" in said
    sound(cache)


def test_a_command_killed_while_areas_build_leaves_no_worker_running(
    england: Path, tmp_path: Path
) -> None:
    """Areas build in worker processes; killing the command by its PID ends them too."""
    build = gaps(england, "--cache", str(tmp_path / "cache"))
    workers: list[int] = []
    while build.poll() is None and not workers:
        workers = child_pids(build.pid)
        time.sleep(0.002)
    assert workers, "the build ended before its workers were seen"
    os.kill(build.pid, signal.SIGKILL)
    build.wait()  # not communicate(): a worker left running would hold its pipes open
    deadline = time.monotonic() + 60  # a bound for a loaded machine, not a speed asserted
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in workers if alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    for stream in (build.stdout, build.stderr):
        assert stream is not None
        stream.close()
    assert left == []


def test_two_commands_at_once_leave_a_sound_store(
    england: Path, tmp_path: Path, fresh: list[str]
) -> None:
    cache = tmp_path / "cache"
    first, second = gaps(england, "--cache", str(cache)), gaps(england, "--cache", str(cache))
    (one, said_one), (two, said_two) = answer(first), answer(second)
    assert one == two == fresh
    # One built every area under the lock; the other waited, then found them all built.
    built = f"Built {AREAS} of {AREAS} areas from their files (0 reused"
    assert sorted([built in said_one, built in said_two]) == [False, True]
    assert "Built" not in (said_two if built in said_one else said_one)
    sound(cache)
