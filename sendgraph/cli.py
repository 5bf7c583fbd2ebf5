"""The sendgraph command line: thin click commands over the library.

Data goes to stdout or ``-o FILE``; summaries and problems go to stderr when data is on
stdout. Exit codes follow pySHACL and linkml: 0 clean, 1 problems found, 2 usage,
3 input that could not be processed. A mistake in the user's input is a sentence,
never a traceback.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from sendgraph.problems import Problem, SendgraphError, Severity

if TYPE_CHECKING:
    from sendgraph.build import Build

FORMATS = {"ttl": ("turtle", "Turtle"), "nt": ("nt", "N-Triples"), "jsonld": ("json-ld", "JSON-LD")}
F = TypeVar("F", bound=Callable[..., Any])


def handles_errors(command: F) -> F:
    """Turn sendgraph's own errors into a one-line message and their exit code."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SendgraphError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


def print_problems(problems: list[Problem], verbose: bool, *, err: bool = True) -> None:
    """Print problems, worst first within each file, and a count line."""
    shown = [p for p in problems if verbose or p.severity >= Severity.WARNING]
    for problem in shown:
        click.echo(str(problem), err=err)
    counts = Counter(p.severity for p in problems)
    line = (
        f"{counts[Severity.ERROR]} errors, {counts[Severity.WARNING]} warnings, "
        f"{counts[Severity.INFO]} notes"
    )
    if counts[Severity.INFO] and not verbose:
        line += " (-v shows the notes)"
    click.echo(line, err=err)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, so no half-written graph is left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes 0600; a graph is for sharing
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


data_argument = click.argument(
    "data", required=False, type=click.Path(file_okay=False, path_type=Path), metavar="[DATA]"
)
encoding_option = click.option(
    "--encoding",
    default=None,
    metavar="NAME",
    help="Read the data files in this encoding (such as cp1252). Default: UTF-8, with or without BOM.",
)
verbose_option = click.option(
    "-v", "--verbose", is_flag=True, help="Also print notes, not only errors and warnings."
)


@click.group()
@click.version_option(package_name="sendgraph")
def main() -> None:
    """sendgraph: SEND governance papers as one linked knowledge graph.

    DATA is a folder of sendgraph CSV files; without it, the bundled Rotherham data is used.
    """


@main.command()
@data_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the graph; '-' for stdout. Default: build/sendgraph.<format>.",
)
@click.option(
    "-f", "--format", "fmt", type=click.Choice(list(FORMATS)), default="ttl", show_default=True
)
@encoding_option
@click.option("--no-validate", is_flag=True, help="Skip the SHACL check of the built graph.")
@verbose_option
@handles_errors
def build(
    data: Path | None,
    output: Path | None,
    fmt: str,
    encoding: str | None,
    no_validate: bool,
    verbose: bool,
) -> None:
    """Build the knowledge graph from DATA and print what it holds and the problems found.

    The graph is written only when no problem is an error; otherwise the command exits 1.

    Example:

        sendgraph build
        sendgraph build my-area/ -o area.nt -f nt
    """
    from sendgraph.build import build_graph

    result = build_graph(data, encoding=encoding, validate=not no_validate)
    to_stdout = output is not None and str(output) == "-"
    target = output or Path("build") / f"sendgraph.{fmt}"
    rdf_format, format_name = FORMATS[fmt]
    if result.ok:
        payload = result.graph.serialize(format=rdf_format, encoding="utf-8")
        if to_stdout:
            click.echo(payload.decode("utf-8"), nl=False)
        else:
            write_atomically(target, payload)
    print_summary(
        result, None if to_stdout or not result.ok else f"{target} ({format_name})", to_stdout
    )
    print_problems(result.problems, verbose, err=True)
    if not result.ok:
        click.echo("The graph was not written: fix the errors above and build again.", err=True)
        sys.exit(1)


def print_summary(result: Build, written: str | None, err: bool) -> None:
    """Print the number of nodes of each kind."""
    counts = result.counts()
    width = max(len(name) for name in counts)
    if written:
        click.echo(f"Wrote {written}", err=err)
    for name, count in counts.items():
        click.echo(f"  {name:<{width}}  {count:>6}", err=err)


@main.command()
@data_argument
@encoding_option
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    default="error",
    show_default=True,
    help="The least severe problem that makes the command exit 1.",
)
@verbose_option
@handles_errors
def validate(data: Path | None, encoding: str | None, fail_on: str, verbose: bool) -> None:
    """Check DATA and print every problem as file:row:column: severity: message.

    Checks every file, row and cross-reference, then the built graph against the SHACL
    shapes. Exits 1 when a problem is at least as severe as --fail-on.

    Example:

        sendgraph validate my-area/ --fail-on warning
    """
    from sendgraph.build import build_graph

    result = build_graph(data, encoding=encoding)
    for problem in result.problems:
        if verbose or problem.severity >= Severity.WARNING:
            click.echo(str(problem))
    counts = Counter(p.severity for p in result.problems)
    click.echo(
        f"{counts[Severity.ERROR]} errors, {counts[Severity.WARNING]} warnings, {counts[Severity.INFO]} notes",
        err=True,
    )
    threshold = Severity.ERROR if fail_on == "error" else Severity.WARNING
    if any(p.severity >= threshold for p in result.problems):
        sys.exit(1)
