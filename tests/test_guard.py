"""The process-wide guard: no query, file or library reaches out unless the command asked for it.

A small HTTP server on 127.0.0.1, in this process, counts the requests it gets; each
refusal is checked against it, and a control shows that the same call does reach it
when no command is running, so that each test can fail.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import socket
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from rdflib import Graph

from sendgraph.ask import sparql
from sendgraph.ask.questions import Questions
from sendgraph.ask.sparql import QueryStore
from sendgraph.base import guard
from sendgraph.base.errors import QueryError, Refused, SendgraphError
from sendgraph.base.files import write_atomically
from sendgraph.base.guard import Policy, enforce
from sendgraph.cli import iter_commands, main
from tests.server import free_port

CONTEXT = {"@context": {"name": "http://xmlns.com/foaf/0.1/name"}}


class Listener(http.server.ThreadingHTTPServer):
    """A loopback HTTP server that answers a JSON-LD context and remembers each path asked for."""

    paths: list[str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def port(self) -> int:
        return int(self.server_address[1])


class Answer(http.server.BaseHTTPRequestHandler):
    server: Listener

    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        body = json.dumps(CONTEXT).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
        pass


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener(("127.0.0.1", 0), Answer)
    server.paths = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def remote_context_document(url: str) -> str:
    return json.dumps(
        {"@context": f"{url}/context.jsonld", "@id": "http://example.org/a", "name": "A"}
    )


# ---------------------------------------------------------------- network


def test_a_remote_jsonld_context_is_refused_under_a_policy(listener: Listener) -> None:
    document = remote_context_document(listener.url)
    # Control: with no command running, rdflib fetches the context from the listener.
    assert len(Graph().parse(data=document, format="json-ld")) == 1
    assert len(listener.paths) == 1
    with pytest.raises(Refused) as refused, enforce(Policy("sendgraph test")):
        Graph().parse(data=document, format="json-ld")
    assert str(refused.value) == (
        f"sendgraph refused to fetch {listener.url}/context.jsonld: "
        "`sendgraph test` makes no network connections."
    )
    assert len(listener.paths) == 1
    assert guard.active() is None


def test_a_query_helper_that_opens_a_url_is_refused_with_a_sentence(
    listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    def reaching_out(self: Questions, name: str) -> list[dict[str, object]]:
        urllib.request.urlopen(f"{listener.url}/exfiltrate?who={name}", timeout=10)
        return []

    monkeypatch.setattr(Questions, "owner", reaching_out)
    result = CliRunner().invoke(main, ["owner", "Jackie Parkin"])
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: sendgraph refused to fetch {listener.url}/exfiltrate?who=Jackie Parkin: "
        "`sendgraph owner` makes no network connections.\n"
    )
    assert len(listener.paths) == 0
    # Outside the command the policy is off, and the test process reaches the listener.
    with urllib.request.urlopen(f"{listener.url}/after", timeout=10) as response:
        assert response.status == 200
    assert len(listener.paths) == 1


def test_a_refusal_a_library_swallows_still_ends_the_command(
    listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    def swallowing(self: Questions) -> list[dict[str, object]]:
        try:
            with socket.create_connection(("127.0.0.1", listener.port), 5):
                pass
        except Exception:  # a careless library: every error ignored
            pass
        return []

    monkeypatch.setattr(Questions, "slippage", swallowing)
    result = CliRunner().invoke(main, ["slippage"])
    assert result.exit_code == 3
    assert result.stderr == (
        "No action's target date was revised.\n"  # the command ran to its end ...
        "Error: sendgraph refused to look up 127.0.0.1: `sendgraph slippage` makes no network connections.\n"
    )  # ... and the refusal was still reported
    assert len(listener.paths) == 0


def test_a_raw_socket_connection_is_refused(listener: Listener) -> None:
    port = listener.port
    refusal = rf"^sendgraph refused to connect to 127\.0\.0\.1:{port}: "
    with socket.socket() as raw, pytest.raises(Refused, match=refusal):  # noqa: SIM117
        with enforce(Policy("sendgraph test")):  # raised here, caught by pytest.raises
            raw.connect(("127.0.0.1", port))
    assert len(listener.paths) == 0


def test_push_may_connect_only_to_its_endpoint(listener: Listener) -> None:
    port = listener.port
    other = free_port()
    policy = Policy("sendgraph push", connects=(("127.0.0.1", port),))
    with enforce(policy):
        with urllib.request.urlopen(f"{listener.url}/store", timeout=10) as response:
            assert response.status == 200
        with pytest.raises(Refused) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{other}/store", timeout=10)
        assert policy.refused == [str(refused.value)]
        policy.refused.clear()  # expected here; a refusal left in the list ends the block
    assert str(refused.value) == (
        f"sendgraph refused to fetch http://127.0.0.1:{other}/store: "
        f"`sendgraph push` connects only to 127.0.0.1:{port}."
    )
    assert len(listener.paths) == 1


def test_serve_may_listen_only_on_its_address() -> None:
    port, other = free_port(), free_port()
    policy = Policy("sendgraph serve", binds=(("127.0.0.1", port),))
    with enforce(policy):
        with socket.socket() as allowed:
            allowed.bind(("127.0.0.1", port))
        with socket.socket() as refused, pytest.raises(Refused) as error:
            refused.bind(("0.0.0.0", other))
        policy.refused.clear()
    assert str(error.value) == (
        f"sendgraph refused to listen on 0.0.0.0:{other}: "
        f"`sendgraph serve` only listens on 127.0.0.1:{port}."
    )


def test_serve_on_every_address_may_name_this_machine() -> None:
    port = free_port()
    with enforce(Policy("sendgraph serve", binds=(("0.0.0.0", port),))):
        name = socket.getfqdn("0.0.0.0")  # what http.server does as it starts listening
    assert name


def test_a_query_child_inherits_the_policy(
    listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rdflib's engine would run SERVICE with urllib; in a forked query child it is refused too."""
    # The kernel's network barrier would stop the connection first: leave it out to see the guard.
    monkeypatch.setattr(sparql, "close_network", lambda: None)
    graph = Graph().parse(data="<http://a> <http://b> <http://c> .", format="nt")
    store = QueryStore(graph, "rdflib")
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}"
    # Control: with no command running, the query child reaches the listener.
    with pytest.raises(QueryError):
        store.run(query, trusted=True, timeout=20)  # the listener's answer is not SPARQL JSON
    assert len(listener.paths) == 1
    with enforce(Policy("sendgraph query")), pytest.raises(QueryError) as error:
        store.run(query, trusted=True, timeout=20)
    assert str(error.value) == (
        f"sendgraph refused to fetch {listener.url}/sparql: `sendgraph query` makes no network connections."
    )
    assert len(listener.paths) == 1


def test_an_area_built_in_a_worker_is_held_to_the_policy(tmp_path: Path) -> None:
    """Areas build in forked workers; one reading beyond the command's input is refused there."""
    from sendgraph.graph.areabuilds import iter_area_builds, workers
    from sendgraph.read.synth import synthesise

    first, second = synthesise(tmp_path / "england", 2)
    assert workers() > 1  # so each area is built in a worker, not in this process
    # Control: the policy that names both areas lets both build.
    with enforce(Policy("sendgraph gaps", reads=(first, second))):
        assert [b.name for b in iter_area_builds([(first, "one"), (second, "two")])] == ["one", "two"]  # fmt: skip
    with enforce(Policy("sendgraph gaps", reads=(first,))), pytest.raises(Refused) as refused:
        list(iter_area_builds([(first, "one"), (second, "two")]))
    assert str(refused.value) == (
        f"sendgraph refused to list {second}: `sendgraph gaps` reads only its input, "
        "sendgraph's own files and Python's."
    )


# ---------------------------------------------------------------- files and programs


def test_files_are_read_only_from_inputs_and_written_only_to_outputs(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for a query", encoding="utf-8")
    given = tmp_path / "given.csv"
    given.write_text("a,b\n", encoding="utf-8")
    output = tmp_path / "out" / "graph.ttl"
    policy = Policy("sendgraph build", reads=(given,), writes=(output,))
    with enforce(policy):
        assert given.read_text(encoding="utf-8") == "a,b\n"
        write_atomically(output, b"done\n")  # a temporary file beside it, then a rename
        with pytest.raises(Refused) as read:
            secret.read_text(encoding="utf-8")
        with pytest.raises(Refused) as written:
            (tmp_path / "elsewhere.ttl").write_bytes(b"x")
        with pytest.raises(Refused):
            (tmp_path / ".graph.ttl.1.tmp").write_bytes(b"x")  # not beside the output
        with pytest.raises(Refused):
            os.remove(secret)
        with pytest.raises(Refused):
            os.replace(output, tmp_path / "moved.ttl")
        assert len(policy.refused) == 5
        policy.refused.clear()
    assert output.read_bytes() == b"done\n"
    assert sorted(p.name for p in output.parent.iterdir()) == ["graph.ttl"]
    assert str(read.value) == (
        f"sendgraph refused to read {secret}: "
        "`sendgraph build` reads only its input, sendgraph's own files and Python's."
    )
    assert str(written.value).startswith(
        f"sendgraph refused to write {tmp_path / 'elsewhere.ttl'}: `sendgraph build` writes only "
    )
    assert secret.exists() and not (tmp_path / "elsewhere.ttl").exists()


def test_a_symlink_inside_an_input_folder_cannot_lead_out_of_it(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("private", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "actions.csv").symlink_to(outside)
    policy = Policy("sendgraph build", reads=(data,))
    with pytest.raises(Refused, match=r"refused to read .*outside\.txt"), enforce(policy):
        (data / "actions.csv").read_text(encoding="utf-8")


def test_programs_start_only_when_the_command_opens_a_browser() -> None:
    with pytest.raises(Refused) as popen, enforce(Policy("sendgraph gaps")):
        subprocess.run(["true"], check=True)
    assert (
        str(popen.value)
        == "sendgraph refused to run true: `sendgraph gaps` starts no other programs."
    )
    with (
        pytest.raises(Refused, match=r"^sendgraph refused to run echo hi: "),
        enforce(Policy("sendgraph gaps")),
    ):
        os.system("echo hi")
    with enforce(Policy("sendgraph view", programs=True)):
        assert subprocess.run(["true"], check=True).returncode == 0


def test_the_policy_is_off_outside_a_command(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["queries"])
    assert result.exit_code == 0
    assert guard.active() is None
    (tmp_path / "free.txt").write_text("the test process is not a command", encoding="utf-8")
    assert subprocess.run(["true"], check=True).returncode == 0


# ---------------------------------------------------------------- commands still work under it


def test_commands_work_under_the_guard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    policies: list[Policy] = []
    real_enforce = guard.enforce

    def spying(policy: Policy) -> object:
        policies.append(policy)
        return real_enforce(policy)

    monkeypatch.setattr(guard, "enforce", spying)
    runs = [
        ["gaps", "--only", "no-owner"],
        ["build"],
        ["build", "-f", "nt", "-o", "out/graph.nt"],
        ["view", "-o", "views/all.html"],
        ["report", "-f", "md", "-o", "report.md"],
        ["template", "-o", "area", "-f", "xlsx"],
        ["import", "area/plan.xlsx", "--mapping", "area/plan.mapping.yaml", "-o", "area.ttl"],
        ["synth", "--areas", "2", "-o", "england"],
        ["areas", "--data", "england"],
    ]
    for args in runs:
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, (args, result.stderr)
        assert "refused" not in result.stderr
    assert [p.command for p in policies] == [f"sendgraph {args[0]}" for args in runs]
    assert all(p.refused == [] for p in policies)
    written = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()}
    assert {"build/sendgraph.ttl", "out/graph.nt", "views/all.html", "report.md", "area/plan.xlsx",
            "area/plan.mapping.yaml", "area.ttl", "england/area-002/actions.csv"} <= written  # fmt: skip
    assert not [name for name in written if name.endswith(".tmp")]
    assert guard.active() is None


def test_a_command_cannot_write_beside_its_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sendgraph.show.report

    real = sendgraph.show.report.render

    def leaking(document: object, fmt: str, pages: str | None = None) -> str:
        (tmp_path / "copy-of-report.html").write_text("leak", encoding="utf-8")
        return real(document, fmt, pages)  # type: ignore[arg-type]

    monkeypatch.setattr(sendgraph.show.report, "render", leaking)
    target = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", "-o", str(target), "--cache", str(tmp_path / "cache")])  # fmt: skip
    assert result.exit_code == 3
    assert result.stderr == (
        f"Error: sendgraph refused to write {tmp_path / 'copy-of-report.html'}: "
        f"`sendgraph report` writes only {os.path.relpath(target)}, {os.path.relpath(tmp_path / 'cache')}.\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]


# ---------------------------------------------------------------- every command, by construction


def _stopping_at_the_guard(seen: list[Policy]) -> object:
    @contextlib.contextmanager
    def stop(policy: Policy) -> Iterator[Policy]:
        seen.append(policy)
        raise Refused("sendgraph refused to go on: stopped at the guard.")
        yield policy  # pragma: no cover

    return stop


def test_every_registered_command_runs_under_the_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Policy] = []
    monkeypatch.setattr(guard, "enforce", _stopping_at_the_guard(seen))
    commands = dict(iter_commands(main))
    for name, command in commands.items():
        args = name.split()
        for param in command.params:
            if param.required:
                args += ["x"] if isinstance(param, click.Argument) else [param.opts[0], "x"]
        result = CliRunner().invoke(main, args)
        assert (result.exit_code, result.stderr) == (
            3,
            "Error: sendgraph refused to go on: stopped at the guard.\n",
        ), name
    assert [p.command for p in seen] == [f"sendgraph {name}" for name in commands]
    assert set(commands) == {
        "build", "validate", "oversight", "trace", "xref", "owner", "board", "slippage", "overdue",
        "exceptions", "about",
        "areas", "query", "queries", "gaps", "rules", "analyse", "view", "export", "serve",
        "push", "report", "import", "template", "recurring", "themes", "synth", "cache info", "cache clear",
        "changes", "history",
    }  # fmt: skip


@pytest.fixture
def added() -> Iterator[click.Group]:
    """The sendgraph group, from which the commands a test adds are taken away again."""
    before = dict(main.commands)
    yield main
    main.commands.clear()
    main.commands.update(before)


class Unreadable(SendgraphError):
    """A mistake a command added in a test reports."""

    exit_code = 3


def test_a_command_added_later_runs_under_the_guard(
    added: click.Group, listener: Listener, tmp_path: Path
) -> None:
    @added.command()
    def reach() -> None:
        """Connect to a listener, which no command asked for."""
        with socket.create_connection(("127.0.0.1", listener.port), timeout=5):
            pass

    @added.command()
    def scribble() -> None:
        """Write a file outside any output."""
        (tmp_path / "scribble.txt").write_text("out of bounds", encoding="utf-8")

    @added.command()
    def complain() -> None:
        """Fail with a sendgraph error, as a command does when its input is wrong."""
        raise Unreadable("the file is not one sendgraph can read.")

    reached = CliRunner().invoke(main, ["reach"])
    assert reached.exit_code == 3
    assert reached.stderr == (
        "Error: sendgraph refused to look up 127.0.0.1: "
        "`sendgraph reach` makes no network connections.\n"
    )
    assert len(listener.paths) == 0
    scribbled = CliRunner().invoke(main, ["scribble"])
    assert scribbled.exit_code == 3
    assert scribbled.stderr.startswith(
        f"Error: sendgraph refused to write {tmp_path / 'scribble.txt'}: "
    )
    assert list(tmp_path.iterdir()) == []
    complained = CliRunner().invoke(main, ["complain"])
    assert (complained.exit_code, complained.stdout, complained.stderr) == (
        3,
        "",
        "Error: the file is not one sendgraph can read.\n",
    )
    assert guard.active() is None


def test_a_group_that_would_not_guard_its_commands_cannot_be_added(added: click.Group) -> None:
    with pytest.raises(TypeError, match="make it a GuardedGroup"):
        added.add_command(click.Group("plain"))


def test_report_as_pdf_may_start_chromium_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    from sendgraph.cli import command_policy

    chromium = tmp_path / "chromium"
    chromium.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    chromium.chmod(0o755)
    monkeypatch.setenv("SENDGRAPH_CHROMIUM", str(chromium))
    output = tmp_path / "report.pdf"
    policy = command_policy("report", {"fmt": "pdf", "output": output})
    assert policy.runs == (chromium,) and not policy.programs
    stray = Path(tempfile.gettempdir()) / "not-sendgraphs.txt"
    with enforce(policy):
        assert subprocess.run([str(chromium)], check=True).returncode == 0
        with pytest.raises(Refused) as other:
            subprocess.run(["true"], check=True)
        # Its scratch folder in the temporary folder, and all in it, it may write; nothing else there.
        scratch = Path(tempfile.mkdtemp(prefix="sendgraph-pdf-"))
        (scratch / "profile" / "Default").mkdir(parents=True)
        (scratch / "profile" / "Default" / "Preferences").write_text("{}", encoding="utf-8")
        os.remove(scratch / "profile" / "Default" / "Preferences")
        for folder in (scratch / "profile" / "Default", scratch / "profile", scratch):
            os.rmdir(folder)
        with pytest.raises(Refused):
            stray.write_text("x", encoding="utf-8")
        policy.refused.clear()
    assert str(other.value).startswith(
        "sendgraph refused to run true: `sendgraph report` starts no program but "
    )
    assert str(other.value).endswith("chromium.")
    assert not stray.exists()
    for fmt in ("html", "md"):
        other_format = command_policy("report", {"fmt": fmt, "output": output})
        assert (other_format.runs, other_format.programs) == ((), False)
        with pytest.raises(Refused), enforce(other_format):
            subprocess.run([str(chromium)], check=True)
