"""The persistent store: areas built once, reused until their files change, never read half-made."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sendgraph.cli import command_policy, main
from sendgraph.read.synth import synthesise

BUILT = "Built {} of {} areas from their files ({} reused from the cache in {})."


def ask(*args: str) -> tuple[list[dict[str, object]], str]:
    """Run a command asking for JSON; return its rows and its stderr."""
    result = CliRunner().invoke(main, [*args, "-f", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout or "[]"), result.stderr


def rows(found: list[dict[str, object]]) -> list[str]:
    """Rows as sorted text: rows tied in a question's order may come in either order."""
    return sorted(json.dumps(row, sort_keys=True) for row in found)


def answers(cache: Path) -> dict[str, dict[str, int]]:
    """The answers kept for each area in ``cache``: each file's modification time, by area key."""
    return {
        folder.name.removesuffix(".answers"): {p.name: p.stat().st_mtime_ns for p in folder.glob("*.json")}
        for folder in (cache / "areas").glob("*.answers")
    }  # fmt: skip


@pytest.fixture
def areas(tmp_path: Path) -> Path:
    synthesise(tmp_path / "england", 3)
    return tmp_path / "england"


def entries(cache: Path) -> dict[str, float]:
    """Each complete area entry in ``cache`` and its triples file's modification time."""
    return {p.stem: (cache / "areas" / f"{p.stem}.nt").stat().st_mtime_ns for p in (cache / "areas").glob("*.json")}  # fmt: skip


def test_changing_one_area_builds_only_that_area(areas: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, said = ask("slippage", "--data", str(areas), "--cache", str(cache))
    assert BUILT.format(3, 3, 0, cache) in said
    before = entries(cache)
    assert len(before) == 3

    again, said = ask("slippage", "--data", str(areas), "--cache", str(cache))
    assert "Built" not in said
    assert rows(again) == rows(first)
    assert entries(cache) == before

    actions = areas / "area-002" / "actions.csv"
    with actions.open(encoding="utf-8-sig", newline="") as table:
        lines = list(csv.DictReader(table))
    lines[0]["target_date"] += "\nJune 19"  # one more slipped date for SEND 1
    with actions.open("w", encoding="utf-8", newline="") as table:
        writer = csv.DictWriter(table, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)
    answered = answers(cache)
    assert len(answered) == 3 and all(answered.values())
    changed, said = ask("slippage", "--data", str(areas), "--cache", str(cache))
    assert BUILT.format(1, 3, 2, cache) in said
    after = entries(cache)
    # The unchanged areas' answers are read back, not worked out again.
    assert {k: v for k, v in answers(cache).items() if k in before} == {k: v for k, v in answered.items() if k in after}  # fmt: skip
    # The two unchanged areas are the same files; area-002's old entry is gone, a new one is there.
    assert len(after) == 3 and len(set(after) & set(before)) == 2
    assert {k: v for k, v in after.items() if k in before} == {k: v for k, v in before.items() if k in after}  # fmt: skip
    fresh, _ = ask("slippage", "--data", str(areas), "--no-cache")
    assert rows(changed) == rows(fresh) != rows(first)
    assert len(list((cache / "stores").glob("*/manifest.json"))) == 1


def test_a_warm_run_builds_nothing(
    areas: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sendgraph.graph.areabuilds
    import sendgraph.graph.build
    from sendgraph.ask.areawise import AreaAnswers

    cache = str(tmp_path / "cache")
    cold, _ = ask("gaps", "--data", str(areas), "--cache", cache)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a warm run built the graph, or answered an area again")

    monkeypatch.setattr(sendgraph.graph.areabuilds, "build_area", refuse)
    monkeypatch.setattr(sendgraph.graph.build, "build_graph", refuse)
    monkeypatch.setattr(sendgraph.graph.build, "load_data", refuse)
    monkeypatch.setattr(AreaAnswers, "_work_out", refuse)
    warm, said = ask("gaps", "--data", str(areas), "--cache", cache)
    assert rows(warm) == rows(cold) and len(warm) == 406
    assert "Built" not in said


def test_the_cache_answers_as_a_fresh_build(areas: Path, tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    for question in (["recurring"], ["overdue"], ["areas"], ["xref", "SEND 4", "--area", "area-003"]):  # fmt: skip
        cached, _ = ask(*question, "--data", str(areas), "--cache", cache)
        fresh, _ = ask(*question, "--data", str(areas), "--no-cache")
        rdflib, _ = ask(*question, "--data", str(areas), "--store", "rdflib")
        assert rows(cached) == rows(fresh) == rows(rdflib) and cached, question


def test_errors_are_cached_with_their_area(data_copy: Path, tmp_path: Path) -> None:
    (data_copy / "actions.csv").write_text("id,nothing\n", encoding="utf-8")
    for _ in range(2):
        result = CliRunner().invoke(main, ["slippage", "--data", str(data_copy), "--cache", str(tmp_path / "c")])  # fmt: skip
        assert result.exit_code == 1
        assert result.stderr.startswith("Error: the data has ")
        assert result.stderr.endswith(" errors; run `sendgraph validate` to see them.\n")
    fresh = CliRunner().invoke(main, ["slippage", "--data", str(data_copy), "--no-cache"])
    assert fresh.stderr == result.stderr


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    ask("slippage", "--cache", str(cache), "--no-cache")
    ask("slippage", "--cache", str(cache), "--store", "rdflib")
    assert not cache.exists()


def test_the_guard_lets_a_command_write_only_in_its_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    policy = command_policy("gaps", {"data": None}, cache=cache)
    assert policy.may_write(str(cache / "stores" / "abc" / "000001.sst"))
    assert not policy.may_write(str(tmp_path / "elsewhere.nt"))
    assert not policy.may_write(str(tmp_path / "cache-not"))
    assert not command_policy("gaps", {"data": None}).may_write(str(cache / "areas" / "x.nt"))


def test_cache_info_and_clear(areas: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    ask("overdue", "--data", str(areas), "--cache", str(cache))
    info = CliRunner().invoke(main, ["cache", "info", "--cache", str(cache)])
    assert info.stdout.startswith(f"{cache}: 3 areas and 1 stores, ")
    cleared = CliRunner().invoke(main, ["cache", "clear", "--cache", str(cache)])
    assert cleared.stdout == f"Cleared the cache in {cache}.\n"
    assert not list((cache / "areas").glob("*")) if (cache / "areas").exists() else True
    assert [p for p in (cache / "stores").iterdir() if p.is_dir()] == []
    _, said = ask("overdue", "--data", str(areas), "--cache", str(cache))
    assert BUILT.format(3, 3, 0, cache) in said
