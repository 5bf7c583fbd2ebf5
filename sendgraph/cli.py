"""The sendgraph command line: thin click commands over the library.

Data goes to stdout or ``-o FILE``; summaries and problems go to stderr when data is on
stdout. Exit codes follow pySHACL and linkml: 0 clean, 1 problems found, 2 usage,
3 input that could not be processed. A mistake in the user's input is a sentence,
never a traceback.
"""

from __future__ import annotations

import inspect
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from sendgraph.base.errors import InputError, InputProblems, SendgraphError, UsageError
from sendgraph.base.files import write_atomically
from sendgraph.base.problems import Problem, Severity

if TYPE_CHECKING:
    from sendgraph.ask.changes import Comparison
    from sendgraph.ask.questions import Questions
    from sendgraph.base.guard import Policy
    from sendgraph.graph.build import Build

FORMATS = {"ttl": ("turtle", "Turtle"), "nt": ("nt", "N-Triples"), "jsonld": ("json-ld", "JSON-LD")}
DATASETS = {"trig": ("trig", "TriG, one named graph per area"), "nq": ("nquads", "N-Quads, one named graph per area")}  # fmt: skip
F = TypeVar("F", bound=Callable[..., Any])


def guarded(callback: F) -> F:
    """Return ``callback`` made to run under its command's guard policy, with sendgraph's own errors turned into a one-line message and their exit code."""
    if getattr(callback, GUARDED, False):
        return callback

    @wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        from sendgraph.base.guard import enforce

        try:
            ctx = click.get_current_context()
            # The name under the program's: "serve", or "cache clear" in a group.
            name = " ".join(ctx.command_path.split()[1:]) or ctx.info_name or ""
            policy = command_policy(name, kwargs, cache=cache_in_use(ctx, kwargs))
            with enforce(policy):
                return callback(*args, **kwargs)
        except SendgraphError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)

    setattr(run, GUARDED, True)
    return run  # type: ignore[return-value]


GUARDED = "sendgraph_guarded"
# A docstring's example commands are shown one a line, as written: click rewraps every
# paragraph of --help except one that starts with a \b line.
EXAMPLE = "Example:\n\n"
KEEP_LINES = "\b\n"


class GuardedGroup(click.Group):
    """A group of commands each of which, however it was added, runs guarded (see `guarded`).

    Behaviour every command must have belongs here rather than in a decorator each
    command must remember: a command added without thought still runs under its
    policy, a mistake it reports is still a sentence and an exit code, and the
    examples in its --help are still shown one command a line.
    """

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        """Add ``cmd``, guarding its callback; a group within must be a `GuardedGroup` too."""
        if isinstance(cmd, click.Group):
            if not isinstance(cmd, GuardedGroup):
                raise TypeError(
                    f"{cmd.name} is a group of commands; make it a GuardedGroup so that its commands run guarded."
                )
        elif cmd.callback is not None:
            cmd.callback = guarded(cmd.callback)
        text = inspect.cleandoc(cmd.help or "")
        if EXAMPLE in text and EXAMPLE + KEEP_LINES not in text:
            cmd.help = text.replace(EXAMPLE, EXAMPLE + KEEP_LINES)
        super().add_command(cmd, name)


def iter_commands(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    """Yield every command under ``group``, its groups' commands too, with its full name ("build")."""
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from iter_commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def command_policy(name: str, params: dict[str, Any], *, cache: Path | None = None) -> Policy:
    """Return what the command ``name``, given ``params``, may do: read its inputs, write its outputs.

    Every path parameter is an input, except ``output``: that is where the command
    writes, or the default ``build/`` folder when it has none. A command that keeps
    its store in the ``cache`` folder may write there too, and nowhere else beyond its
    outputs. ``serve`` may listen on
    its --host and --port, ``push`` may connect to its endpoints, ``view --open`` may
    start the browser, ``report -f pdf`` may start Chromium (and only that program) with
    its scratch folder in the temporary folder; nothing else may use the network or
    start a program.
    """
    from urllib.parse import urlsplit

    from sendgraph.base.guard import Policy

    reads: list[Path] = []
    writes: list[Path] = []
    for key, value in params.items():
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, Path) and str(item) != "-":
                (writes if key == "output" else reads).append(item)
    if "output" in params and params["output"] is None:
        writes.append(Path("build"))
    if name.startswith("cache "):
        from sendgraph.graph.cache import cache_folder

        writes.append(params.get("folder") or cache_folder())
    if cache is not None:
        writes.append(cache)
    if isinstance(params.get("query"), str) and params["query"].endswith(".rq"):
        reads.append(Path(params["query"]))
    connects = []
    for key in ("endpoint", "update_endpoint"):
        if params.get(key):
            url = urlsplit(params[key])
            try:
                port = url.port or (443 if url.scheme == "https" else 80)
            except ValueError:
                continue  # a port that is not a number: the command reports the bad URL
            connects.append((url.hostname or "", port))
    binds = [(params["host"], params["port"])] if name == "serve" else []
    runs: tuple[Path, ...] = ()
    scratch: tuple[str, ...] = ("openpyxl.",) if "output" in params else ()
    if name == "report" and params.get("fmt") == "pdf":
        from sendgraph.show.report.pdf import SCRATCH_PREFIX, chromium_path

        runs, scratch = (chromium_path(),), (*scratch, SCRATCH_PREFIX)
    return Policy(
        f"sendgraph {name}",
        reads=tuple(reads),
        writes=tuple(writes),
        connects=tuple(connects),
        binds=tuple(binds),
        programs=bool(params.get("open_page")),
        runs=runs,
        scratch=scratch,
    )


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


AREA_KEY = "sendgraph.area"
DATA_ALIAS_KEY = "sendgraph.data-argument"


def _remember_area(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    ctx.meta[AREA_KEY] = value


def _remember_data_argument(
    ctx: click.Context, _param: click.Parameter, value: Path | None
) -> None:
    if value is None:
        return
    given = ctx.params.get("data")
    if given is not None and given != value:
        raise click.UsageError(f"the data is given twice, as {given} and as {value}; give it once.")
    ctx.meta[DATA_ALIAS_KEY] = value


def _data_value(ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
    argument = ctx.meta.get(DATA_ALIAS_KEY)
    if value is not None and argument is not None and value != argument:
        raise click.UsageError(
            f"the data is given twice, as {argument} and as {value}; give it once."
        )
    return value if value is not None else argument


CACHE_KEY = "sendgraph.cache"
NO_CACHE_KEY = "sendgraph.no-cache"


def _remember_cache(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    ctx.meta[CACHE_KEY] = value


def _remember_no_cache(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    ctx.meta[NO_CACHE_KEY] = value


def cache_options(command: F) -> F:
    """Add --cache DIR and --no-cache to a command that asks questions; kept in the click context like --area."""
    command = click.option(
        "--no-cache", is_flag=True, expose_value=False, callback=_remember_no_cache,
        help="Build the data afresh, neither reading nor writing the cache.",
    )(command)  # fmt: skip
    return click.option(
        "--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
        expose_value=False, callback=_remember_cache, metavar="DIR",
        help="Keep the built store in DIR. Default: $SENDGRAPH_CACHE, else ~/.cache/sendgraph. "
        "An area is built again only when its files change; `sendgraph cache clear` empties it.",
    )(command)  # fmt: skip


def cache_in_use(ctx: click.Context, params: dict[str, Any]) -> Path | None:
    """Return the cache folder the current command reads and writes, or None when it uses none.

    Only commands with the cache options use one, and not with --no-cache, on
    rdflib's engine (--store rdflib builds as always) or on a graph file.
    """
    if NO_CACHE_KEY not in ctx.meta or ctx.meta[NO_CACHE_KEY] or params.get("store") == "rdflib":
        return None
    from sendgraph.read.rdfinput import is_rdf_file

    data = params.get("data")
    if isinstance(data, Path) and is_rdf_file(data) and not data.is_dir():
        return None
    given = ctx.meta.get(CACHE_KEY)
    if given is not None:
        return Path(given)
    from sendgraph.graph.cache import cache_folder

    return cache_folder()


def data_options(
    *, argument: bool = False, area: bool = True, cache: bool = False
) -> Callable[[F], F]:
    """Add --data (and --area) to a command that reads data; with ``argument``, the folder may also be its argument.

    With ``cache``, the command asks questions and keeps its store in the cache
    (`cache_options`).

    The argument is an alias of --data, kept for the commands that took their folder
    that way, and the command sees one ``data`` parameter whichever was used. --area is
    kept in the click context rather than passed as a parameter, so that every command
    reading data takes it the same way and `load_questions` applies it.
    """

    def decorate(command: F) -> F:
        """Give ``command`` the --data option (and --area, --cache, and the folder as an argument, as asked)."""
        if cache:
            command = cache_options(command)
        if area:
            command = click.option(
                "--area", default=None, metavar="NAME", expose_value=False, callback=_remember_area,
                help="Only this area of a folder of areas (its folder name).",
            )(command)  # fmt: skip
        command = click.option(
            "--data", type=click.Path(path_type=Path), default=None, callback=_data_value,
            help="Folder of data files to ask about, a folder of area folders, or a graph file (.ttl .nt .jsonld .rdf .trig .nq). Default: the bundled Rotherham data.",
        )(command)  # fmt: skip
        if argument:
            command = click.argument(
                "data_argument", required=False, metavar="[DATA]", expose_value=False,
                type=click.Path(file_okay=False, path_type=Path), callback=_remember_data_argument,
            )(command)  # fmt: skip
        return command

    return decorate


data_option = data_options(cache=True)


def chosen_area() -> str | None:
    """Return the --area the current command was given, if any."""
    return click.get_current_context().meta.get(AREA_KEY)


encoding_option = click.option(
    "--encoding",
    default=None,
    metavar="NAME",
    help="Read the data files in this encoding (such as cp1252). Default: UTF-8, with or without BOM.",
)
verbose_option = click.option(
    "-v", "--verbose", is_flag=True, help="Also print notes, not only errors and warnings."
)


@click.group(cls=GuardedGroup)
@click.version_option(package_name="sendgraph")
def main() -> None:
    """sendgraph: SEND governance papers as one linked knowledge graph.

    Every command that reads data takes it with --data: a folder of sendgraph CSV
    files, a folder of area folders, or a graph file; without it, the bundled Rotherham
    data is used. `build` and `validate` also take the folder as their argument.
    Over a folder of many areas, AREA:REF names one area's item ("area-007:SEND 4"),
    and each answer's rows begin with their area.
    """
    from sendgraph.base.guard import install

    # Each command then runs under a policy of its own (see `GuardedGroup`): no
    # network, file or program it did not ask for.
    install()


@main.command()
@data_options(argument=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the graph; '-' for stdout. Default: build/sendgraph.<format>.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice([*FORMATS, *DATASETS]),
    default="ttl",
    show_default=True,
    help="trig and nq write each area in a named graph of its own.",
)
@encoding_option
@click.option("--no-validate", is_flag=True, help="Skip the SHACL check of the built graph.")
@verbose_option
def build(
    data: Path | None,
    output: Path | None,
    fmt: str,
    encoding: str | None,
    no_validate: bool,
    verbose: bool,
) -> None:
    """Build the knowledge graph from the data and print what it holds and the problems found.

    The graph is written only when no problem is an error; otherwise the command exits 1.
    The data folder is given with --data, as for every command; DATA, the folder as the
    argument, is the same.

    Example:

        sendgraph build
        sendgraph build --data my-area/ -o area.nt -f nt
        sendgraph build my-area/
    """
    from sendgraph.graph.build import is_folder_of_areas, load_data

    to_stdout = output is not None and str(output) == "-"
    target = output or Path("build") / f"sendgraph.{fmt}"
    rdf_format, format_name = {**FORMATS, **DATASETS}[fmt]
    if fmt in DATASETS and is_folder_of_areas(data):
        assert data is not None
        build_dataset(data, fmt, None if to_stdout else target, encoding, verbose)
        return
    result = load_data(
        data,
        encoding=encoding,
        area=chosen_area(),
        validate=not no_validate,
        keep_areas=fmt in DATASETS,
    )
    if result.ok:
        if fmt in DATASETS:
            payload = result.serialize_dataset(fmt)
        elif rdf_format == "nt":
            payload = result.triples.ntriples()  # straight from the triples: no rdflib Graph
        else:
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


def build_dataset(
    data: Path, fmt: str, target: Path | None, encoding: str | None, verbose: bool
) -> None:
    """Build a folder of areas into N-Quads or TriG at ``target`` (None: stdout), area by area."""
    from sendgraph.graph.build import chosen_areas
    from sendgraph.graph.dataset import write_dataset

    areas: list[tuple[Path, str | None]] = [(f, f.name) for f in chosen_areas(data, chosen_area())]
    found = write_dataset(areas, fmt, target or sys.stdout.buffer, encoding)
    written = f"{target} ({DATASETS[fmt][1]})" if target is not None and found.ok else None
    print_counts(dict(found.counts) | {"quads": found.quads}, written, target is None)
    print_problems(found.problems, verbose, err=True)
    if not found.ok:
        click.echo("The graph was not written: fix the errors above and build again.", err=True)
        sys.exit(1)


def print_summary(result: Build, written: str | None, err: bool) -> None:
    """Print the number of nodes of each kind."""
    print_counts(result.counts(), written, err)


def print_counts(counts: dict[str, int], written: str | None, err: bool) -> None:
    """Print what was written, then the number of nodes of each kind."""
    width = max(len(name) for name in counts)
    if written:
        click.echo(f"Wrote {written}", err=err)
    for name, count in counts.items():
        click.echo(f"  {name:<{width}}  {count:>6}", err=err)


@main.command()
@data_options(argument=True, area=False)
@encoding_option
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    default="error",
    show_default=True,
    help="The least severe problem that makes the command exit 1.",
)
@verbose_option
def validate(data: Path | None, encoding: str | None, fail_on: str, verbose: bool) -> None:
    """Check the data and print every problem as file:row:column: severity: message.

    Checks every file, row and cross-reference, then the built graph against the SHACL
    shapes. Exits 1 when a problem is at least as severe as --fail-on. The data folder
    is given with --data, as for every command; DATA, the folder as the argument, is
    the same.

    Example:

        sendgraph validate --data my-area/ --fail-on warning
        sendgraph validate --data build/england/    # every area, each against the shapes
        sendgraph validate my-area/
    """
    from sendgraph.graph.build import area_folders, build_graph, is_folder_of_areas

    folders = area_folders(data) if data is not None and is_folder_of_areas(data) else [data]
    problems = [
        problem
        for folder in folders
        for problem in build_graph(
            folder, encoding=encoding, area=folder.name if len(folders) > 1 and folder else None
        ).problems
    ]
    for problem in problems:
        if verbose or problem.severity >= Severity.WARNING:
            click.echo(str(problem))
    counts = Counter(p.severity for p in problems)
    click.echo(
        f"{counts[Severity.ERROR]} errors, {counts[Severity.WARNING]} warnings, {counts[Severity.INFO]} notes",
        err=True,
    )
    threshold = Severity.ERROR if fail_on == "error" else Severity.WARNING
    if any(p.severity >= threshold for p in problems):
        sys.exit(1)


# ---------------------------------------------------------------- questions

ROW_FORMATS = ["table", "json", "csv"]
store_option = click.option(
    "--store", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph", show_default=True,
    help="Answer on pyoxigraph (fast) or on rdflib's own engine (the reference).",
)  # fmt: skip
SAFE_KEY = "sendgraph.safe"


def _remember_safety(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    ctx.meta[SAFE_KEY] = value


# Kept in the click context like --area, so that every command writing CSV for a
# spreadsheet takes it the same way and `print_rows` applies it.
safety_option = click.option(
    "--safe/--lossless", default=True, show_default=True, expose_value=False, callback=_remember_safety,
    help="CSV/TSV for spreadsheets: --safe puts a ' before cells starting with = + - @ tab or CR, "
    "so Excel shows them as text instead of running them; --lossless writes every cell exactly, for programs.",
)  # fmt: skip


def is_safe() -> bool:
    """Return whether the current command writes spreadsheet-safe CSV (--safe, the default)."""
    return bool(click.get_current_context().meta.get(SAFE_KEY, True))


WIDE_KEY = "sendgraph.wide"


def _remember_wide(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    ctx.meta[WIDE_KEY] = value


# Kept in the click context like --safe, so that every command printing a table takes
# it the same way and `table_width` applies it.
wide_option = click.option(
    "--wide", is_flag=True, expose_value=False, callback=_remember_wide,
    help="Tables: one line per row, as wide as it needs, instead of fitting the terminal.",
)  # fmt: skip


def table_width() -> int | None:
    """Return how wide the current command's tables may be: the terminal's width, or None with --wide."""
    import shutil

    if click.get_current_context().meta.get(WIDE_KEY, False):
        return None
    return shutil.get_terminal_size().columns


def timeout_option(text: str) -> Callable[[F], F]:
    """The --timeout option of the commands that run SPARQL, in seconds."""
    return click.option(
        "--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True, help=text
    )


def max_rows_option(text: str) -> Callable[[F], F]:
    """The --max-rows option of the commands that answer SPARQL."""
    return click.option(
        "--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True, help=text
    )


def query_memory_option(default: int, text: str) -> Callable[[F], F]:
    """The --query-memory option (MB) of the commands that run users' SPARQL."""
    return click.option(
        "--query-memory", type=click.IntRange(min=16), default=default, show_default=True,
        metavar="MB", help=text,
    )  # fmt: skip


def rules_option(text: str | None = None) -> Callable[[F], F]:
    """The repeatable --rules option: folders of the user's own gap rules."""
    return click.option(
        "--rules", "rule_folders", multiple=True,
        type=click.Path(file_okay=False, path_type=Path), help=text,
    )  # fmt: skip


def rows_format_option(command: F) -> F:
    """Add -f/--format (table, json, csv), --wide and --safe/--lossless to a command that prints rows."""
    command = safety_option(wide_option(command))
    return click.option(
        "-f", "--format", "fmt", type=click.Choice(ROW_FORMATS), default="table", show_default=True
    )(command)


def load_questions(
    data: Path | None, encoding: str | None, store: str = "oxigraph", named: bool = False
) -> Questions:
    """Build the graph (without the SHACL pass) and open the questions on it, on ``store``.

    With ``named``, each area sits in a named graph of its own in the store.
    """
    from sendgraph.ask.questions import Questions
    from sendgraph.graph.build import area_folders, is_folder_of_areas, load_data

    ctx = click.get_current_context()
    cache = cache_in_use(ctx, {"data": data, "store": store})
    if cache is not None:
        questions = cached_questions(cache, data, encoding, named)
    else:
        result = load_data(data, encoding=encoding, area=chosen_area(), keep_areas=named)
        if not result.ok:
            raise InputProblems(_errors_sentence(result.problems))
        questions = Questions(result.triples, store, result.named_triples() if named else None)
    comparing = ctx.info_name == "areas"
    if chosen_area() is None and not comparing and data is not None and is_folder_of_areas(data):
        count = len(area_folders(data))
        if count > 1:
            click.echo(
                f"Asking about all {count} areas of {data} at once; "
                "`sendgraph areas` compares them, --area NAME asks about one.",
                err=True,
            )
    return questions


def _errors_sentence(problems: list[Problem]) -> str:
    errors = sum(1 for p in problems if p.severity == Severity.ERROR)
    return f"the data has {errors} errors; run `sendgraph validate` to see them."


def cached_questions(
    cache: Path, data: Path | None, encoding: str | None, named: bool
) -> Questions:
    """Open the questions on the cached store of ``data``, building only the areas whose files changed.

    No rdflib graph is made when every area is cached. Building a folder of areas says
    on stderr how many areas were built and how many reused.
    """
    from sendgraph.ask.areawise import AreaAnswers, AreaPart
    from sendgraph.ask.questions import Questions, area_local_queries
    from sendgraph.ask.sparql import QueryStore
    from sendgraph.graph.build import default_data_folder
    from sendgraph.graph.cache import Cache, areas_of
    from sendgraph.graph.ontology import ontology_triples

    folder = data if data is not None else default_data_folder()
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder of sendgraph data files.")
    only = chosen_area()
    areas = areas_of(folder, only, encoding)
    store = Cache(cache)
    opened = store.open(
        folder, areas, encoding=encoding, flavour="named" if named else "merged", only=only
    )
    click.get_current_context().call_on_close(opened.release)
    if opened.removed:
        click.echo(
            f"Removed {opened.removed} half-written cache entries that an interrupted run left in {cache}.",
            err=True,
        )
    if opened.built and areas[0].name is not None:
        click.echo(
            f"Built {opened.built} of {len(areas)} areas from their files "
            f"({opened.reused} reused from the cache in {cache}).",
            err=True,
        )
    if not opened.ok or opened.store is None:
        raise InputProblems(_errors_sentence(opened.problems))
    if only is not None and areas[0].name is None and only != opened.area:
        raise InputError(
            f"{data or 'the bundled data'} holds one area, {opened.area!r}; there is no area {only!r} in it."
        )
    answers = None
    if len(opened.entries) > 1:
        parts = [
            AreaPart(name=e.name, triples=e.triples, answers=e.answers) for e in opened.entries
        ]
        answers = AreaAnswers(parts, ontology_triples().ntriples(), area_local_queries())
    ready = QueryStore.opened(opened.store, union=opened.union, size=opened.size, areas=answers)
    return Questions(None, store=ready)


def wrap_lines(lines: list[str]) -> list[str]:
    """Wrap sentences to the terminal's width (or not at all with --wide), keeping each line's indent."""
    import textwrap

    width = table_width()
    if width is None:
        return lines
    wrapped = []
    for line in lines:
        indent = " " * (len(line) - len(line.lstrip()))
        wrapped += textwrap.wrap(
            line, width, subsequent_indent=indent + "  ", break_on_hyphens=False
        ) or [""]
    return wrapped


def print_rows(
    rows: list[dict[str, Any]], fmt: str, empty: str, table: list[str] | None = None
) -> None:
    """Print rows in ``fmt``, or the ``empty`` sentence on stderr when there are none.

    ``table`` names the columns a text table shows, for answers too wide to read whole;
    CSV and JSON always carry every key.
    """
    from sendgraph.show.tables import render_rows

    if not rows and fmt == "table":
        click.echo(empty, err=True)
        return
    if fmt != "json":
        # IRIs are for programs; a person reads the label beside them.
        rows = [{k: v for k, v in row.items() if k != "board"} for row in rows]
    click.echo(
        render_rows(
            rows, fmt, table if fmt == "table" else None, safe=is_safe(), width=table_width()
        ),
        nl=False,
    )


@main.command()
@click.argument("ref")
@data_option
@encoding_option
@store_option
@rows_format_option
@click.option(
    "--inferred",
    is_flag=True,
    help="Also follow lines read from a sentence's structure, marked [inferred].",
)
@click.option(
    "--planned",
    is_flag=True,
    help="Also follow lines a plan's action sets up, marked [planned].",
)
def oversight(
    ref: str,
    data: Path | None,
    encoding: str | None,
    store: str,
    fmt: str,
    inferred: bool,
    planned: bool,
) -> None:
    """Every board that oversees the action REF, and the path by which it does.

    A path runs through the plan the action is part of, the review whose finding it
    answers, a report named in its progress text, or up the reporting line between
    boards. Each step carries its quote, source and modality. Only lines the papers
    state are followed unless --inferred or --planned asks for more; a recommended
    line is never followed. A finding's REF asks about the actions that answer it.

    Example:

        sendgraph oversight "SEND 4"
        sendgraph oversight "PC 1.3" --inferred
        sendgraph oversight pc1.2 -f json
    """
    include = [name for name, wanted in (("inferred", inferred), ("planned", planned)) if wanted]
    rows = load_questions(data, encoding, store).oversight(ref, include)
    print_rows(
        rows,
        fmt,
        f"No board oversees {ref}: no plan, review, report or reporting line leads to one.",
    )


def _row_statuses_as_text(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Word each row's own status as every output words it: a table or CSV cell is text."""
    from sendgraph.records.statuses import row_status_text

    return [
        row
        | {
            "row_statuses": [
                row_status_text(r["row"], r["status"], r["status_text"])
                for r in row["row_statuses"]
            ]
        }
        if row.get("row_statuses")
        else row
        for row in rows
    ]


@main.command()
@click.argument("ref")
@data_option
@encoding_option
@store_option
@rows_format_option
def trace(ref: str, data: Path | None, encoding: str | None, store: str, fmt: str) -> None:
    """Trace a finding to the actions that answer it, or an action to the findings it answers.

    For a finding or recommendation: each answering action with its owners, accountable
    leads, their organisations, the boards above it, status, target dates and progress.
    For an action: the findings it answers, the codes it cites and the items that cite
    it. For a code: whether it is defined, and who cites it. A finding nothing answers
    is given in its own words, with its review and source.

    Example:

        sendgraph trace "PR 14"
        sendgraph trace "PC 5.5"
    """
    questions = load_questions(data, encoding, store)
    target = questions.references.resolve(ref)
    rows = questions.trace(ref)
    if fmt != "json":
        rows = _row_statuses_as_text(rows)
    if target.is_a("UndefinedCode"):
        click.echo(f"{target.notation} is cited but never defined in these papers.", err=True)
    print_rows(rows, fmt, "\n".join(wrap_lines(questions.untraced(ref))) if not rows else "")


@main.command()
@click.argument("ref")
@data_option
@encoding_option
@store_option
@safety_option
@wide_option
@click.option(
    "-f", "--format", "fmt", type=click.Choice([*ROW_FORMATS, "md"]), default="table",
    show_default=True,
)  # fmt: skip
def history(ref: str, data: Path | None, encoding: str | None, store: str, fmt: str) -> None:
    """The history of the action or finding REF: what the papers date about it, in order.

    Its status in each month of a dated status series (a RAG column per month), its
    status as at the date its plan reports it, its progress entries dated by the date
    they are headed with ("March 2017: ...") or their dated column, with the precision
    of that date, and the version log of the plan it is part of, in date order. Its
    target dates and their revisions, in the papers' words, follow, with anything else
    the papers do not date, each saying why. A date a text merely mentions dates
    nothing.

    Example:

        sendgraph history "SEND 1"
        sendgraph history "WSoA 1.2" --data tests/fixtures/import/wsoa-rag-months
        sendgraph history "SEND 1" -f md > send-1.md
    """
    import json

    from sendgraph.ask.history import history as item_history
    from sendgraph.show.history import render_markdown

    found = item_history(load_questions(data, encoding, store), ref)
    if fmt == "json":
        click.echo(json.dumps(found.to_json(), indent=2, ensure_ascii=False))
        return
    if fmt == "md":
        click.echo(render_markdown(found), nl=False)
        return
    if fmt == "csv":
        print_rows(found.rows(), fmt, "")
        return
    if not found.entries:
        click.echo(found.nothing(), err=True)
        return
    dated = [{k: v for k, v in e.row().items() if k != "undated"} for e in found.dated]
    if dated:
        print_rows(
            dated,
            fmt,
            "",
            ["date", "until", "precision", "as written", "kind", "what", "words", "detail"],
        )
    else:
        click.echo(f"The papers date nothing about {found.ref}.")
    if found.undated:
        click.echo()
        click.echo("Not dated:")
        print_rows([e.row() for e in found.undated], fmt, "", ["kind", "what", "detail", "undated"])


@main.command()
@click.argument("ref", required=False)
@data_option
@encoding_option
@store_option
@rows_format_option
@click.option(
    "--inferred",
    is_flag=True,
    help="Also count boards over it by lines read from a sentence's structure.",
)
@click.option("--planned", is_flag=True, help="Also count boards over it by planned lines.")
def about(
    ref: str | None,
    data: Path | None,
    encoding: str | None,
    store: str,
    fmt: str,
    inferred: bool,
    planned: bool,
) -> None:
    """Everything the graph says of the action or finding REF, or of every one.

    For an action: its plan, status (and each row's own where its rows disagree),
    owners, accountable leads and their organisations, the boards over it with the
    kind of each path (plan, review, report, reporting line) and any weaker modality,
    target dates, progress and the findings it answers. For a finding: its kind,
    review, words, whether it needs an answer and the actions that answer it. The
    view, the report and the endpoint show these same facts.

    Example:

        sendgraph about "JCP 2.1"
        sendgraph about -f json > everything.json
    """
    include = [name for name, wanted in (("inferred", inferred), ("planned", planned)) if wanted]
    rows = load_questions(data, encoding, store).about(ref, include)
    if fmt == "json":
        print_rows(rows, fmt, "")
        return
    rows = _row_statuses_as_text(rows)
    if fmt == "csv":
        print_rows(rows, fmt, "")
        return
    # A table gives actions and findings blocks of their own: they have different facts.
    blocks = [
        [{k: v for k, v in r.items() if k != "iri"} for r in rows if r["is"] == kind]
        for kind in ("action", "finding")
    ]
    for number, block in enumerate(b for b in blocks if b):
        if number:
            click.echo()
        print_rows(block, fmt, "")
    if not rows:
        click.echo("There are no actions or findings in this data.", err=True)


@main.command()
@click.argument("code")
@data_option
@encoding_option
@store_option
@rows_format_option
def xref(code: str, data: Path | None, encoding: str | None, store: str, fmt: str) -> None:
    """Everything that cites CODE in its Ref column or names it in its text, and what CODE is.

    Example:

        sendgraph xref "SEND 4"
        sendgraph xref cwd9 -f csv
        sendgraph xref "area-007:SEND 4" --data build/england
    """
    rows = load_questions(data, encoding, store).xref(code)
    print_rows(rows, fmt, f"Nothing cites {code}.")


@main.command()
@click.argument("name")
@data_option
@encoding_option
@store_option
@rows_format_option
def owner(name: str, data: Path | None, encoding: str | None, store: str, fmt: str) -> None:
    """Everything NAME owns, is accountable for or leads, with its status.

    A name two people share lists both and asks which one; name them by their initials
    ("PW (EY)"), their label ("Paula Williams (I)") or name and post. Over many areas,
    a name that is someone in each of several areas is answered for each, with the
    area column; AREA:NAME asks about one area's.

    Example:

        sendgraph owner "Jackie Parkin"
        sendgraph owner "PW (EY)" -f json
    """
    rows = load_questions(data, encoding, store).owner(name)
    print_rows(rows, fmt, f"{name} owns nothing in this graph.")


@main.command()
@click.argument("name")
@data_option
@encoding_option
@store_option
@rows_format_option
@click.option(
    "--inferred", is_flag=True,
    help="Also count what it oversees up reporting lines read from a sentence's structure.",
)  # fmt: skip
@click.option("--planned", is_flag=True, help="Also count what it oversees up planned lines.")
def board(
    name: str, data: Path | None, encoding: str | None, store: str, fmt: str, inferred: bool, planned: bool
) -> None:  # fmt: skip
    """The board NAME: who chairs and sits on it, its reporting lines, meetings, what it oversees, its gaps.

    Its chair and members with their roles and organisations (as its register states
    them), whom it reports to and who reports to it (every line the papers give, each
    with its modality and quote), how often it meets, the actions it oversees directly
    grouped by path kind and the plan or review it runs through, every action it
    oversees (up the reporting lines too) grouped by plan and path kind, the status
    counts by path kind, and the gaps on it or on the actions it oversees directly.
    Oversight up the lines follows stated lines unless --inferred or --planned asks for
    more. NAME matches as `owner` names do: case, spaces and punctuation do not matter.

    Example:

        sendgraph board "SEND Improvement Board"
        sendgraph board "send improvement board" -f json
        sendgraph board "Health and Well Being Board" --inferred
    """
    import json

    from sendgraph.show.tables import board_blocks

    include = [n for n, wanted in (("inferred", inferred), ("planned", planned)) if wanted]
    answer = load_questions(data, encoding, store).board(name, include=include)
    if fmt == "json":
        click.echo(json.dumps(answer, indent=2, ensure_ascii=False))
        return
    blocks = board_blocks(answer)
    if fmt == "csv":
        print_rows([row for _, rows in blocks for row in rows], fmt, "")
        return
    for number, (title, rows) in enumerate(blocks):
        if number:
            click.echo()
        click.echo(title)
        print_rows([{k: v for k, v in r.items() if k != "part"} for r in rows], fmt, "  (none)")


@main.command()
@data_option
@encoding_option
@store_option
@rows_format_option
def slippage(data: Path | None, encoding: str | None, store: str, fmt: str) -> None:
    """Actions ranked by target-date slippage: months from first to last target, then revisions.

    Example:

        sendgraph slippage -f csv
    """
    rows = load_questions(data, encoding, store).slippage()
    print_rows(rows, fmt, "No action's target date was revised.")


@main.command()
@click.option(
    "--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
    help="Judge targets as at this date (YYYY-MM-DD). Default: the date each plan reports its statuses as at, never today.",
)  # fmt: skip
@data_option
@encoding_option
@store_option
@rows_format_option
def overdue(as_of: Any, data: Path | None, encoding: str | None, store: str, fmt: str) -> None:
    """Actions whose target has passed and that are not complete.

    A target is passed after the last day of the period it names: the day, week,
    month, term, quarter or year (docs/importing.md, "Target dates and their precision").

    Example:

        sendgraph overdue
        sendgraph overdue --as-of 2018-04-01
    """
    rows = load_questions(data, encoding, store).overdue(as_of.date() if as_of else None)
    print_rows(rows, fmt, "No action is overdue.")


@main.command()
@data_option
@encoding_option
@store_option
@rows_format_option
@click.option(
    "--reason", "reasons", multiple=True, type=click.Choice(["red", "behind-schedule", "overdue", "no-owner"]),
    help="Only the actions with this reason (repeatable).",
)  # fmt: skip
@click.option(
    "--inferred", is_flag=True,
    help="Also list boards over an action by lines read from a sentence's structure.",
)  # fmt: skip
@click.option("--planned", is_flag=True, help="Also list boards over an action by planned lines.")
def exceptions(
    data: Path | None,
    encoding: str | None,
    store: str,
    fmt: str,
    reasons: tuple[str, ...],
    inferred: bool,
    planned: bool,
) -> None:
    """Every action that is red, behind schedule, overdue or unowned, with its owners, target and boards.

    The gap rules decide: an action is listed when behind-or-red, overdue or no-owner
    finds it, with every reason that applies (`sendgraph gaps --only RULE` gives the
    rules' own sentences). Its owners, accountable leads, current target and the boards
    over it (with the kind of each path and any weaker modality) are the facts `about`
    shows. The table leaves out each action's words; -f json or csv carry them.

    Example:

        sendgraph exceptions
        sendgraph exceptions --reason behind-schedule --reason red
        sendgraph exceptions -f csv > exceptions.csv
    """
    from sendgraph.ask.exceptions import exception_rows

    include = [name for name, wanted in (("inferred", inferred), ("planned", planned)) if wanted]
    questions = load_questions(data, encoding, store)
    rows = exception_rows(questions, include, reasons=reasons)
    columns = ["ref", "reasons", "status", "owners", "target", "boards"]
    empty = (
        f"No action has the reason {' or '.join(reasons)}."
        if reasons
        else "No action is red, behind schedule, overdue or unowned."
    )
    print_rows(rows, fmt, empty, ["area", *columns] if questions.many_areas else columns)


@main.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["table", "json", "csv", "md", "ttl"]), default="table",
    show_default=True, help="ttl: the two versions as dated prov:Entity, the newer a revision of the older, each change a node.",
)  # fmt: skip
@click.option("--board", metavar="NAME", help="Only what this board oversees in either version.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Write to this file instead of stdout.",
)  # fmt: skip
@encoding_option
@wide_option
@safety_option
def changes(
    old: Path, new: Path, fmt: str, board: str | None, output: Path | None, encoding: str | None
) -> None:  # fmt: skip
    """What changed from OLD to NEW, two versions of the same area, item by item.

    OLD and NEW are each a data folder, a folder holding a council's spreadsheet with
    its mapping, or a graph file. Actions and findings are matched by reference within
    their area; a reference only one version has, whose words match one only the other
    has, is reported as a likely rename with its similarity, never matched silently.
    Reported: status moved (worse or better by the status scheme's order), action
    closed, target moved (by how many months) or added, owners or accountable leads
    changed, action or finding added or removed, finding answered or no longer
    answered, board oversight gained or lost. Findings unanswered in both versions are
    listed apart. Each version is dated by the latest date its papers and plans give.
    --board NAME keeps what that board oversees in either version. Exits 0 whether or
    not anything changed.

    Example:

        sendgraph changes plan-may/ plan-september/
        sendgraph changes old.ttl new.ttl -f json
        sendgraph changes old/ new/ --board "SEND Strategic Board" -f md -o changes.md
        sendgraph changes old/ new/ -f ttl -o changes.ttl
    """
    import json

    from sendgraph.ask.changes import compare_versions
    from sendgraph.show import changes as shown
    from sendgraph.show.tables import render_rows

    comparison = compare_versions(old, new, board=board, encoding=encoding)
    areas = len({c.area for c in comparison.changes} | {f.area for f in comparison.still_unanswered}) > 1  # fmt: skip
    if fmt == "json":
        text = json.dumps(comparison.to_json(), indent=2, ensure_ascii=False) + "\n"
    elif fmt == "csv":
        text = render_rows(shown.csv_rows(comparison, areas=areas), "csv", safe=is_safe())
    elif fmt == "md":
        text = shown.render_markdown(comparison, areas=areas)
    elif fmt == "ttl":
        text = shown.render_turtle(comparison)
    else:
        text = changes_table(comparison, areas)
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomically(output, text.encode("utf-8"))
    click.echo(
        f"Wrote {output} ({len(comparison.changes)} changes; "
        f"{len(comparison.still_unanswered)} findings still unanswered)"
    )


def changes_table(comparison: Comparison, areas: bool) -> str:
    """The text of `changes` as tables: the heading, the changes, the findings still unanswered."""
    from sendgraph.show import changes as shown
    from sendgraph.show.tables import render_rows

    first = ["area"] if areas else []
    rows = shown.change_rows(comparison, areas=areas)
    unanswered = shown.unanswered_rows(comparison, areas=areas)
    width = table_width()
    parts = [shown.heading(comparison)]
    parts.append(
        render_rows(rows, "table", first + shown.TABLE_COLUMNS, width=width)
        if rows
        else "No changes.\n"
    )
    parts.append(f"Findings still unanswered in both versions: {len(unanswered)}")
    if unanswered:
        parts.append(
            render_rows(unanswered, "table", first + shown.UNANSWERED_COLUMNS, width=width)
        )
    return "\n\n".join(p.rstrip("\n") for p in parts) + "\n"


@main.command()
@data_option
@encoding_option
@store_option
@rows_format_option
def areas(data: Path | None, encoding: str | None, store: str, fmt: str) -> None:
    """The areas in the data side by side: actions, findings, unanswered findings, Red, owners.

    --data may be a folder of area folders (as `sendgraph synth` writes); each area's IRIs
    sit in a namespace of their own, which is how they are told apart.

    Example:

        sendgraph areas --data build/england
    """
    rows = load_questions(data, encoding, store).select("areas")
    print_rows(rows, fmt, "The data holds no actions.")


# ---------------------------------------------------------------- SPARQL

SELECT_FORMATS = ["table", "csv", "tsv", "json"]
GRAPH_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}


@main.command()
@click.argument("query")
@data_option
@encoding_option
@store_option
@click.option(
    "-f", "--format", "fmt", type=click.Choice([*SELECT_FORMATS, *GRAPH_FORMATS]), default=None,
    help="table, csv, tsv or json (SPARQL 1.1 Results JSON) for SELECT and ASK; ttl, nt or jsonld for CONSTRUCT and DESCRIBE.",
)  # fmt: skip
@timeout_option("Seconds before the query is stopped.")
@max_rows_option("Rows (or triples) kept at most.")
@query_memory_option(1024, "Memory the query's process may use beyond sendgraph's own.")
@safety_option
@wide_option
def query(
    query: str,
    data: Path | None,
    encoding: str | None,
    store: str,
    fmt: str | None,
    timeout: float,
    max_rows: int,
    query_memory: int,
) -> None:
    """Run SPARQL: QUERY is query text, a .rq file, or the name of a bundled query.

    The prefixes sg, org, prov, skos, dcterms, foaf, owl, xsd, rdf and rdfs are
    predeclared. SERVICE, FROM, LOAD and updates are refused; every query runs under
    --timeout, --max-rows and --query-memory, and says so when it was cut short.

    Example:

        sendgraph query "SELECT ?ref WHERE { ?a sg:owner/foaf:name 'Jackie Parkin' ; skos:notation ?ref }"
        sendgraph query oversight -f csv
        sendgraph query my-question.rq -f json
    """
    from sendgraph.ask.questions import bundled_queries
    from sendgraph.show.tables import render_answer

    text = query
    path = Path(query)
    if query.endswith(".rq"):
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputProblems(f"{query} cannot be read: {exc.strerror}.") from None
    elif query in bundled_queries():
        text = bundled_queries()[query].text
    from sendgraph.ask.sparql import limit_query_memory

    questions = load_questions(data, encoding, store)
    limit_query_memory(query_memory << 20)
    try:
        answer = questions.store.run(text, timeout=timeout, row_cap=max_rows)
    finally:
        limit_query_memory(None)  # the limit is for this query's process, not for later forks
    if answer.kind == "graph":
        graph_format = fmt or "ttl"
        if graph_format not in GRAPH_FORMATS:
            raise UsageError(
                f"a CONSTRUCT or DESCRIBE answer is a graph; use -f {', '.join(GRAPH_FORMATS)}, not {graph_format}."
            )
        click.echo(answer.graph().serialize(format=GRAPH_FORMATS[graph_format]), nl=False)
    else:
        rows_format = fmt or "table"
        if rows_format not in SELECT_FORMATS:
            raise UsageError(
                f"a SELECT or ASK answer is a table; use -f {', '.join(SELECT_FORMATS)}, not {rows_format}."
            )
        click.echo(
            render_answer(answer, rows_format, safe=is_safe(), width=table_width()), nl=False
        )
    if answer.truncated:
        click.echo(
            f"The answer was cut at {answer.row_cap} rows (--max-rows); there are more.", err=True
        )


@main.command()
def queries() -> None:
    """List the bundled named queries: run one with `sendgraph query NAME`.

    Example:

        sendgraph queries
    """
    from sendgraph.ask.questions import bundled_queries

    named = bundled_queries()
    width = max(len(name) for name in named)
    for name, named_query in named.items():
        click.echo(f"{name:<{width}}  {named_query.title}")


# ---------------------------------------------------------------- gaps


@main.command()
@data_option
@encoding_option
@store_option
@rules_option("A folder of your own .rq rules to run as well (repeatable).")
@click.option("--only", multiple=True, metavar="RULE", help="Run only these rule ids (repeatable).")
@click.option(
    "--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default="never", show_default=True,
    help="Exit 1 when a gap is at least this severe (for CI).",
)  # fmt: skip
@timeout_option("Seconds each of your rules may run.")
@rows_format_option
def gaps(
    data: Path | None, encoding: str | None, store: str, rule_folders: tuple[Path, ...], only: tuple[str, ...],
    fail_on: str, timeout: float, fmt: str,
) -> None:  # fmt: skip
    """List accountability gaps: each rule's hits with its severity, subject, message and evidence.

    Rules are SPARQL files with an id, severity, title and rationale in their header;
    `sendgraph rules` lists them. Add your own with --rules.

    Example:

        sendgraph gaps
        sendgraph gaps -f json --fail-on warning
        sendgraph gaps --rules my-rules/ --only no-owner
    """
    from sendgraph.ask.gaps import SEVERITIES, find_gaps, load_rules

    rules = load_rules(rule_folders)
    if only:
        unknown = sorted(set(only) - {r.id for r in rules})
        if unknown:
            raise UsageError(f"no rule has the id {unknown[0]!r}; `sendgraph rules` lists them.")
        rules = [r for r in rules if r.id in only]
    questions = load_questions(data, encoding, store)
    found = find_gaps(questions.store, rules, timeout=timeout, areas=questions.many_areas)
    shown = (
        found if fmt == "json" else [{k: v for k, v in g.items() if k != "subject"} for g in found]
    )
    print_rows(shown, fmt, "No gaps found.")
    counts = {s: sum(1 for g in found if g["severity"] == s) for s in SEVERITIES}
    click.echo(
        ", ".join(f"{n} {s}s" for s, n in counts.items()) + f" from {len(rules)} rules", err=True
    )
    if fail_on != "never":
        threshold = SEVERITIES.index(fail_on)
        if any(SEVERITIES.index(g["severity"]) <= threshold for g in found):
            sys.exit(1)


@main.command()
@rules_option()
def rules(rule_folders: tuple[Path, ...]) -> None:
    """List the gap rules: id, severity and title, then the rationale.

    Example:

        sendgraph rules --rules my-rules/
    """
    from sendgraph.ask.gaps import load_rules

    for rule in load_rules(rule_folders):
        click.echo(f"{rule.id} [{rule.severity}] {rule.title}")
        click.echo(f"    {rule.rationale}")


@main.command()
@data_option
@encoding_option
@store_option
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="How many boards and people to rank.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
@wide_option
def analyse(data: Path | None, encoding: str | None, store: str, top: int, fmt: str) -> None:
    """Network analysis: who sits on the most oversight paths, single points of failure, islands.

    Ranks boards and people by betweenness over the paths from actions to boards; lists
    people whose absence would leave some action with no path to any board; and lists
    actions with no path to any board at all.

    Example:

        sendgraph analyse --top 5
    """
    import json

    from sendgraph.ask.analysis import analyse as run_analysis
    from sendgraph.show.tables import render_rows

    result = run_analysis(load_questions(data, encoding, store), top=top)
    if fmt == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    titles = {
        "central": "On the most paths from actions to boards",
        "single_points": "Single points of failure (people whose absence cuts actions off from every board)",
        "islands": "Islands (actions with no path to any board)",
    }
    for key, title in titles.items():
        click.echo(f"{title}:")
        click.echo(
            render_rows(result[key], "table", width=table_width()) if result[key] else "  none\n"
        )


# ---------------------------------------------------------------- views


class StatusType(click.ParamType[str]):
    """A status of the scheme, by its name, label or another word for it ("behind schedule").

    The scheme is read from the ontology only when a value is checked or help is shown,
    so that ``sendgraph --help`` stays fast.
    """

    name = "status"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        from sendgraph.records.statuses import concepts

        return "[" + "|".join(concepts()) + "]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from sendgraph.records.statuses import concept_named, concepts

        concept = concept_named(str(value))
        if concept is None:
            self.fail(f"{value!r} is not a status: one of {', '.join(concepts())}.", param, ctx)
        return concept


@main.command()
@data_option
@encoding_option
@store_option
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("visualisations/sendgraph.html"),
    show_default=True, help="Where to write the page.",
)  # fmt: skip
@click.option(
    "--focus", metavar="ITEM",
    help="Only the neighbourhood of this item: a reference, or a board, person, plan or review by name.",
)  # fmt: skip
@click.option(
    "--depth",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="How far --focus reaches.",
)
@click.option("--board", metavar="LABEL", help="Only what this board oversees.")
@click.option(
    "--owner",
    "owner_name",
    metavar="NAME",
    help="Only what this person owns or is accountable for.",
)
@click.option(
    "--status",
    type=StatusType(),
    help="Only actions with this status of the scheme (docs/statuses.md).",
)
@click.option(
    "--gaps", "with_gaps", is_flag=True, help="Mark the nodes that `sendgraph gaps` flags."
)
@click.option(
    "--inferred", is_flag=True,
    help="Also draw reporting lines read from a sentence's structure, as 'reports to (inferred)'.",
)  # fmt: skip
@click.option("--open", "open_page", is_flag=True, help="Open the page in the browser.")
@click.option(
    "--base", metavar="URL", default=None,
    help="Link each node's panel to its page at URL, where `sendgraph serve` answers the graph's IRIs (http://127.0.0.1:7878/).",
)  # fmt: skip
def view(
    data: Path | None, encoding: str | None, store: str, output: Path, focus: str | None, depth: int, board: str | None,
    owner_name: str | None, status: str | None, with_gaps: bool, inferred: bool, open_page: bool, base: str | None,
) -> None:  # fmt: skip
    """Write the interactive network view: one HTML file that works offline.

    It opens on the governance map: boards in tiers down their reporting lines, those on
    no stated line in their own band, each with its actions' statuses counted by path;
    click a board to open it, + and - to widen or narrow a focus, "Full network" for all.
    Nodes are shaped and coloured by kind, actions by status (Behind schedule its own);
    click a node for its details (with --base, a link to its page), find one by reference,
    name, alias or initials, filter
    by kind, status, board, owner or document. "Exceptions" lists what `sendgraph
    exceptions` does; a row selects its action. Oversight and reporting lines are the
    ones the papers state; --inferred adds those read from a sentence's structure,
    labelled as such.

    Example:

        sendgraph view
        sendgraph view --inferred -o inferred.html
        sendgraph view --focus "SEND 4" --depth 2 -o send4.html
        sendgraph view --focus "Health and Well Being Board" --depth 3
        sendgraph view --board "SEND Strategic Board" --gaps
        sendgraph view --status behind-schedule
        sendgraph view --base http://127.0.0.1:7878/
    """
    from sendgraph.ask.describe import base_url
    from sendgraph.ask.gaps import find_gaps, load_rules
    from sendgraph.show.view import (
        collect,
        findings_note,
        mark_gaps,
        network,
        render_html,
        slice_view,
    )

    base = base_url(base) if base is not None else None  # a mistyped URL stops it first
    questions = load_questions(data, encoding, store)
    gaps = find_gaps(questions.store, load_rules())  # each board's panel lists its own
    view_data = collect(questions, ["inferred"] if inferred else [], gaps)
    if focus or board or owner_name or status:
        view_data = slice_view(
            view_data,
            questions,
            focus=focus,
            depth=depth,
            board=board,
            owner=owner_name,
            status=status,
        )
    if with_gaps:
        mark_gaps(view_data, gaps)
    net = network(view_data)
    drawn = sum(1 for node in view_data.nodes.values() if node["kind"] == "finding")
    note = findings_note(questions.facts().counts(), drawn)
    page = render_html(net, "sendgraph: SEND governance network", [note], pages=base)
    write_atomically(output, page.encode("utf-8"))
    click.echo(f"Wrote {output} ({len(net.nodes)} nodes, {len(net.edges)} edges)")
    click.echo(note)
    if open_page:
        import webbrowser

        webbrowser.open(output.resolve().as_uri())


@main.command()
@data_option
@encoding_option
@store_option
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["graphml", "gexf", "csv"]),
    default="graphml",
    show_default=True,
    help="csv writes the data tables back, one file each, into the folder -o names.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Default: build/sendgraph.<format>, or the folder build/tables for csv.",
)
@safety_option
def export(
    data: Path | None, encoding: str | None, store: str, fmt: str, output: Path | None
) -> None:
    """Export the network for Gephi and Cytoscape as GraphML or GEXF, or the data tables as CSV.

    With -f csv, actions.csv, priorities.csv, ccg_gaps.csv and peer_challenge.csv are
    written back from the graph cell for cell, in the order of the files they came
    from; --lossless gives back the data files exactly. --data may also be a graph
    file (.ttl, .nt, .jsonld) built elsewhere.

    Example:

        sendgraph export -f gexf -o rotherham.gexf
        sendgraph export -f csv -o recovered/ --lossless
    """
    if fmt == "csv":
        export_tables_to(output or Path("build") / "tables", data, encoding)
        return
    if output is not None and output.is_dir():
        raise UsageError(f"{output} is a folder; -f {fmt} writes one file.")
    from sendgraph.show.exports import network_file
    from sendgraph.show.view import collect, to_networkx

    graph = to_networkx(collect(load_questions(data, encoding, store)))
    target = output or Path("build") / f"sendgraph.{fmt}"
    content, problems = network_file(graph, fmt, str(target))
    for problem in problems:
        click.echo(str(problem), err=True)
    write_atomically(target, content)
    click.echo(f"Wrote {target} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)")


def export_tables_to(folder: Path, data: Path | None, encoding: str | None) -> None:
    """Write the data tables read back from the built graph into ``folder``, and say what was written."""
    from sendgraph.graph.build import load_data
    from sendgraph.show.exports import export_tables, table_files

    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file; -f csv writes a folder of tables.")
    result = load_data(data, encoding=encoding, area=chosen_area(), validate=True)
    if not result.ok:
        errors = sum(1 for p in result.problems if p.severity == Severity.ERROR)
        raise InputProblems(f"the data has {errors} errors; run `sendgraph validate` to see them.")
    tables = export_tables(result.graph)
    if not tables:
        raise InputProblems("the graph holds no rows of the sendgraph data tables to export.")
    safe = is_safe()
    for name, payload in table_files(tables, safe=safe).items():
        write_atomically(folder / name, payload)
    rows = sum(len(t.rows) for t in tables)
    click.echo(f"Wrote {len(tables)} tables ({rows} rows) to {folder}")
    formulas = sum(t.formula_like_cells() for t in tables)
    if formulas and safe:
        click.echo(
            f"{formulas} cells start with = + - @ tab or CR and were written behind a ' so that "
            "Excel shows them as text; --lossless writes them exactly.",
            err=True,
        )


# ---------------------------------------------------------------- serving and pushing


@main.command()
@data_option
@encoding_option
@store_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; loopback unless you say otherwise.",
)
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True)
@timeout_option("Seconds before a query is stopped.")
@max_rows_option("Rows kept at most per answer.")
@click.option(
    "--client-timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="Seconds a client has to send its whole request, and for each write of its answer.",
)
@click.option(
    "--max-connections",
    type=click.IntRange(min=1),
    default=64,
    show_default=True,
    help="Connections served at once; more are answered 503.",
)
@click.option(
    "--max-queries",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="SPARQL queries run at once; more wait for a free slot.",
)
@query_memory_option(512, "Memory a query's process may use beyond the server's own.")
@click.option(
    "--max-answer",
    type=click.IntRange(min=1),
    default=16,
    show_default=True,
    metavar="MB",
    help="Size of an answer at most; longer ones are cut and say so.",
)
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    metavar="NAME",
    help="Also answer requests naming this Host (a name of this machine); repeatable.",
)
@click.option(
    "--allow-origin",
    "allow_origins",
    multiple=True,
    metavar="URL",
    help="Also answer pages from this origin (http://host:port), with CORS; repeatable.",
)
@click.option(
    "--base",
    metavar="URL",
    default=None,
    help="Where the pages of the graph's IRIs link to, such as the address a proxy serves this server at. Default: this server's own paths.",
)
def serve(
    data: Path | None,
    encoding: str | None,
    store: str,
    host: str,
    port: int,
    timeout: float,
    max_rows: int,
    client_timeout: float,
    max_connections: int,
    max_queries: int,
    query_memory: int,
    max_answer: int,
    allow_hosts: tuple[str, ...],
    allow_origins: tuple[str, ...],
    base: str | None,
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint, with a query page, the named questions and a page for each IRI.

    GET or POST /sparql; answers in SPARQL JSON or XML, CSV or TSV, Turtle or N-Triples
    as the Accept header asks. /questions/oversight?ref=SEND+4 and the other questions
    answer in JSON; add &include=inferred to follow inferred reporting lines too. The
    graph's own IRIs are answered at their paths: https://w3id.org/sendgraph/id/... at
    /id/... and the ontology at /ontology, as a page, or as Turtle or JSON-LD when the
    Accept header asks; --base URL makes the pages link to URL instead. Only
    requests naming this machine's address (or localhost) as their Host, from no page or
    the server's own page, are answered; --allow-host and --allow-origin add others.
    Stops cleanly on SIGTERM or Ctrl-C.

    Example:

        sendgraph serve --port 7878
        sendgraph serve --allow-origin http://localhost:8888
        curl -H 'Accept: text/turtle' http://127.0.0.1:7878/id/rotherham/action/send-3
    """
    from sendgraph.ask.describe import base_url
    from sendgraph.serve.connections import Access, Limits
    from sendgraph.serve.server import serve as run_server

    Access.bound_to(host, allow_hosts, allow_origins)  # a mistyped name stops it before loading
    base = base_url(base) if base is not None else None
    questions = load_questions(data, encoding, store, named=True)
    limits = Limits(client_timeout, max_connections, max_queries, query_memory << 20)
    try:
        run_server(
            questions, host, port, timeout, max_rows, limits=limits, byte_cap=max_answer << 20,
            allow_hosts=allow_hosts, allow_origins=allow_origins, base=base,
            ready=lambda url: click.echo(f"Serving {questions.store.size} triples at {url} (SPARQL at {url}sparql); Ctrl-C or SIGTERM stops.", err=True),
        )  # fmt: skip
    except OSError as exc:
        raise InputProblems(f"cannot listen on {host}:{port}: {exc.strerror}.") from None
    click.echo("Stopped.", err=True)


PASSWORD_VARIABLE = "SENDGRAPH_PUSH_PASSWORD"


@main.command()
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="The store's Graph Store Protocol endpoint, such as http://127.0.0.1:7878/store.",
)
@click.option(
    "--graph",
    "target",
    default=None,
    metavar="IRI",
    help="The named graph to replace. Default: the area's own, https://w3id.org/sendgraph/graph/<area>.",
)
@click.option(
    "--update-endpoint",
    metavar="URL",
    help="The store's SPARQL Update endpoint. Default: beside --endpoint (/store -> /update, /sparql-graph-crud-auth -> /sparql-auth).",
)
@click.option(
    "--user",
    metavar="NAME",
    default=None,
    help="Log in to the store as NAME; the password is read from SENDGRAPH_PUSH_PASSWORD, never given here.",
)
@data_options()
@encoding_option
def push(
    endpoint: str,
    target: str | None,
    update_endpoint: str | None,
    user: str | None,
    data: Path | None,
    encoding: str | None,
) -> None:
    """Upload the graph to a triple store, replacing one named graph per area, all or nothing.

    Each area goes to a temporary graph first, is counted back, and is then moved over
    its target in one update; a push that fails leaves the target as it was. A folder of
    areas is pushed area by area, each to its own graph, so one area can be replaced or
    dropped without touching the others; --area pushes just one.

    Example:

        sendgraph push --endpoint http://127.0.0.1:7878/store --graph https://example.org/send
        sendgraph push --endpoint http://127.0.0.1:7878/store --data build/england --area area-007
        SENDGRAPH_PUSH_PASSWORD=... sendgraph push --user dba --endpoint http://127.0.0.1:8890/sparql-graph-crud-auth
    """
    from sendgraph.graph.build import graph_iri, load_data
    from sendgraph.graph.ontology import load_ontology
    from sendgraph.serve.push import Login
    from sendgraph.serve.push import push as push_graph

    login = None
    if user is not None:
        password = os.environ.get(PASSWORD_VARIABLE)
        if not password:
            raise UsageError(
                f"--user {user} needs the password in the environment variable {PASSWORD_VARIABLE}."
            )
        login = Login(user, password)

    result = load_data(data, encoding=encoding, area=chosen_area(), keep_areas=True)
    if not result.ok:
        raise InputProblems("the data has errors; run `sendgraph validate` to see them.")
    if result.areas and len(result.areas) > 1:
        if target is not None:
            raise UsageError(
                f"--graph names one graph, but the data holds {len(result.areas)} areas; "
                "leave it out to push each area to its own graph, or choose one with --area."
            )
        parts = {graph_iri(area): triples for area, triples in result.areas.items()}
        parts[graph_iri("ontology")] = load_ontology()
    else:
        # One area of a folder of areas goes without the ontology, as in a whole push.
        name = next(iter(result.areas), result.area)
        parts = {target or graph_iri(name): result.areas.get(name, result.graph)}
    for iri, triples in parts.items():
        pushed = push_graph(triples, endpoint, iri, update_endpoint, login=login)
        click.echo(f"Pushed {pushed.triples} triples to <{pushed.graph}> at {endpoint}.")


@main.command()
@data_option
@encoding_option
@store_option
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["html", "md", "pdf"]), default="html", show_default=True,
    help="One offline HTML page with charts, Markdown with the charts as tables, or the page "
    "printed to A4 PDF by Chromium ($SENDGRAPH_CHROMIUM, else /usr/bin/chromium).",
)  # fmt: skip
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Where to write the report; '-' for stdout. Default: build/report.<format>.",
)  # fmt: skip
@rules_option("A folder of your own .rq gap rules to run as well (repeatable).")
@click.option(
    "--top", type=click.IntRange(min=1), default=10, show_default=True,
    help="How many actions and owners the slippage and owner charts show.",
)  # fmt: skip
@click.option(
    "--inferred", is_flag=True,
    help="Also follow reporting lines read from a sentence's structure, marked [inferred].",
)  # fmt: skip
@click.option(
    "--board", "board_name", metavar="NAME",
    help="Write this board's pack instead: what it oversees, its exceptions, what changed since --since, its gaps.",
)  # fmt: skip
@click.option(
    "--since", metavar="DATE", help="With --board: what changed on or after this month or day (YYYY-MM, YYYY-MM-DD)."
)  # fmt: skip
@click.option(
    "--base", metavar="URL", default=None,
    help="Link each finding and action of the HTML report to its page at URL, where `sendgraph serve` answers the graph's IRIs. Default: to its IRI.",
)  # fmt: skip
def report(
    data: Path | None, encoding: str | None, store: str, fmt: str, output: Path | None,
    rule_folders: tuple[Path, ...], top: int, inferred: bool, board_name: str | None, since: str | None,
    base: str | None,
) -> None:  # fmt: skip
    """Write the inspection evidence report: each finding, the actions that answer it, and their evidence.

    It opens with a one-page executive summary (actions by status, the findings no
    action answers, the off-track actions with their owners as `sendgraph exceptions`
    lists them, the worst slippage, the boards over the most exceptions), then gives a
    page to each finding: its words, the actions that answer it with their owners,
    accountable leads, status and target revisions, progress, gaps, the board that
    holds each to account by its strongest path, and the paper and section it came
    from. Appendices hold every oversight path, the register of every action with its
    words, the recurring themes, the charts and the file and row of each item.
    Statuses are as at the date their plan reports them, never today. Boards are
    reached through the lines the papers state; --inferred adds those read from a
    sentence's structure, marked [inferred] on each path. -f pdf prints the page to A4
    with Chromium (scripts/install-chromium.sh installs it).

    Example:

        sendgraph report
        sendgraph report -f pdf -o build/report.pdf
        sendgraph report --inferred -o build/report-inferred.html
        sendgraph report -f md -o evidence.md
        sendgraph report --data my-area/ -o -
        sendgraph report --board "SEND Strategic Board" --since 2020-01
    """
    if board_name or since:
        _board_pack(data, encoding, store, fmt, output, board_name, since, inferred)
        return
    from sendgraph.ask.describe import base_url
    from sendgraph.ask.gaps import load_rules
    from sendgraph.show.report import build_report, render

    base = base_url(base) if base is not None else None  # a mistyped URL stops it first
    document = build_report(
        load_questions(data, encoding, store),
        load_rules(rule_folders),
        top=top,
        include=["inferred"] if inferred else [],
    )
    if fmt == "pdf":
        from sendgraph.show.report.pdf import render_pdf

        payload = render_pdf(document)
    else:
        payload = render(document, fmt, base).encode("utf-8")
    if output is not None and str(output) == "-":
        sys.stdout.buffer.write(payload)
        return
    target = output or Path("build") / f"report.{fmt}"
    write_atomically(target, payload)
    unanswered = sum(1 for f in document.findings if not f.answered)
    click.echo(
        f"Wrote {target} ({len(document.findings)} findings, {unanswered} unanswered; "
        f"{document.actions} actions; {document.gaps} gaps)"
    )


def _board_pack(
    data: Path | None, encoding: str | None, store: str, fmt: str, output: Path | None,
    name: str | None, since: str | None, inferred: bool,
) -> None:  # fmt: skip
    """Write one board's pack (`report --board NAME --since DATE`): build/boardpack.<format> by default."""
    from sendgraph.ask.boardpack import board_pack, parse_since
    from sendgraph.show.report.boardpack import render

    if not name or not since:
        raise UsageError("a board pack needs both --board NAME and --since DATE.")
    when = parse_since(since)
    questions = load_questions(data, encoding, store)
    pack = board_pack(questions, name, when, ["inferred"] if inferred else [])
    if fmt == "pdf":
        from sendgraph.show.report.pdf import print_pdf

        payload = print_pdf(render(pack, "html"))
    else:
        payload = render(pack, fmt).encode("utf-8")
    if output is not None and str(output) == "-":
        sys.stdout.buffer.write(payload)
        return
    target = output or Path("build") / f"boardpack.{fmt}"
    write_atomically(target, payload)
    click.echo(
        f"Wrote {target} ({pack.board}: {len(pack.actions)} actions, "
        f"{len(pack.exceptions)} exceptions, {len(pack.changes) + len(pack.versions)} dated "
        f"entries since {since}, {len(pack.gaps)} gaps)"
    )


@main.command("import")
@click.argument("spreadsheet", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE")
@click.option(
    "--mapping", "mapping", required=True, type=click.Path(dir_okay=False, path_type=Path),
    metavar="MAP.yaml", help="The mapping file that says what the spreadsheet's columns and words mean.",
)  # fmt: skip
@click.option(
    "--area", default=None, metavar="NAME", help="The area's name, instead of the mapping's area:."
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Where to write the graph; '-' for stdout. Default: build/<area>.<format>.",
)  # fmt: skip
@click.option(
    "-f", "--format", "fmt", type=click.Choice(list(FORMATS)), default="ttl", show_default=True
)
@encoding_option
@click.option("--no-validate", is_flag=True, help="Skip the SHACL check of the built graph.")
@verbose_option
def import_(
    spreadsheet: Path, mapping: Path, area: str | None, output: Path | None, fmt: str,
    encoding: str | None, no_validate: bool, verbose: bool,
) -> None:  # fmt: skip
    """Import a council's own action plan or inspection table (CSV or XLSX) through a mapping.

    The mapping (YAML; `sendgraph template` writes a commented example) says which
    columns hold the reference, action, owner, accountable lead, target date, success
    measure, status (or dated status columns), progress, cross-references and finding,
    and what each status word means. Every mistake in the mapping or the file is
    reported, naming file, row and column, before anything is built; then nothing is
    written and the command exits 1.

    Example:

        sendgraph import plan.csv --mapping plan.mapping.yaml
        sendgraph import wsoa.xlsx --mapping wsoa.mapping.yaml --area anyshire -o anyshire.ttl
    """
    from sendgraph.graph.build import build_import

    result = build_import(
        spreadsheet, mapping, encoding=encoding, area=area, validate=not no_validate
    )
    to_stdout = output is not None and str(output) == "-"
    target = output or Path("build") / f"{result.area}.{fmt}"
    rdf_format, format_name = FORMATS[fmt]
    if result.ok:
        payload = result.graph.serialize(format=rdf_format, encoding="utf-8")
        if to_stdout:
            click.echo(payload.decode("utf-8"), nl=False)
        else:
            write_atomically(target, payload)
        print_summary(result, None if to_stdout else f"{target} ({format_name})", to_stdout)
    print_problems(result.problems, verbose, err=True)
    if not result.ok:
        click.echo("Nothing was imported: fix the errors above and import again.", err=True)
        sys.exit(1)


@main.command()
@click.option(
    "--from", "source", type=click.Path(dir_okay=False, path_type=Path), default=None,
    metavar="FILE", help="Draft a mapping for this file of your own (CSV, XLSX, DOCX, HTML, TXT or MD) instead.",
)  # fmt: skip
@click.option(
    "-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="The folder to write into. Default: sendgraph-template, or with --from the file's own folder.",
)  # fmt: skip
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True,
    help="The blank plan's format (not with --from).",
)  # fmt: skip
@encoding_option
def template(source: Path | None, output: Path | None, fmt: str, encoding: str | None) -> None:
    """Write a blank action plan (CSV or XLSX) and an example mapping that explains every key.

    Fill in the plan's rows, change the mapping's names and words to your own, then
    import it; the folder also works with every command's --data.

    With --from, start from your own area's file instead: a draft mapping is written
    beside it (the file is copied into the -o folder when it is elsewhere), with its
    columns placed by their header words, every status word with a guessed RAG, the
    organisations and people its owner cells name, its month columns and, for a Word
    document or web page, the tables found. What cannot be decided is a TODO line; the
    import refuses a value still reading "TODO ...", naming it.

    A file whose header names boards and their chairs, meetings, lines or plans is
    drafted as a board register's mapping, with the membership table beside it (copied
    too); organisations a mapping already in the folder names are not listed again.

    Example:

        sendgraph template -o my-area -f xlsx
        sendgraph import my-area/plan.xlsx --mapping my-area/plan.mapping.yaml
        sendgraph template --from plan.xlsx -o my-area
    """
    if source is not None:
        from sendgraph.records.draftmapping import todo_lines, write_draft

        if click.get_current_context().get_parameter_source("fmt") is ParameterSource.COMMANDLINE:
            raise UsageError("-f is the blank plan's format; --from drafts a mapping for the file as it is.")  # fmt: skip

        written = write_draft(source, output, encoding)
        undecided = todo_lines(written[-1].read_text(encoding="utf-8"))
        click.echo(f"Wrote {' and '.join(str(p) for p in written)}")
        click.echo(
            f"{len(undecided)} lines of it say TODO: decide each, then "
            f"`sendgraph import {written[-1].parent / source.name} --mapping {written[-1]}`."
        )
        return
    from sendgraph.records.template import write_template

    written = write_template(output or Path("sendgraph-template"), fmt)
    click.echo(f"Wrote {' and '.join(str(p) for p in written)}")


@main.command()
@data_option
@encoding_option
@store_option
@rows_format_option
def recurring(data: Path | None, encoding: str | None, store: str, fmt: str) -> None:
    """Themes raised by more than one review, with the evidence and the earlier actions on them.

    For each theme that findings of two or more reviews are tagged with: each finding
    with its review, year and the words its tag matched; then the earlier actions on the
    theme (the plan's rows, with status, whether completed and the status date), and the
    actions a later review identified. Each with its document and section. `sendgraph
    themes REF` shows why an item carries a theme.

    Example:

        sendgraph recurring
        sendgraph recurring -f json
    """
    rows = load_questions(data, encoding, store).recurring()
    print_rows(
        rows,
        fmt,
        "No theme is raised by more than one review.",
        ["theme", "role", "ref", "kind", "review", "year", "matched", "status", "status_date", "section"],
    )  # fmt: skip


@main.command()
@click.argument("ref", required=False)
@click.option("--theme", metavar="ID", help="Only the tags of this theme or measure id.")
@click.option("--counts", is_flag=True, help="How many findings and actions each theme tags.")
@data_option
@encoding_option
@store_option
@rows_format_option
def themes(
    ref: str | None,
    theme: str | None,
    counts: bool,
    data: Path | None,
    encoding: str | None,
    store: str,
    fmt: str,
) -> None:
    """The themes REF is tagged with and why: the rule and the words it matched, or the correction and its reason.

    Without REF, every tag. A finding's REF brings the actions that answer it. Tags come
    from the rules in sendgraph/tagging/theme-rules.csv (or the data folder's
    theme_rules.csv) and the corrections in the data folder's theme_corrections.csv.

    Example:

        sendgraph themes "PR 4"
        sendgraph themes --theme preparation-for-adulthood
        sendgraph themes --counts
    """
    questions = load_questions(data, encoding, store)
    if counts:
        print_rows(questions.theme_counts(), fmt, "No item is tagged with a theme.")
        return
    print_rows(
        questions.themes(ref, theme),
        fmt,
        f"{ref or 'Nothing'} is tagged with no theme.",
        ["ref", "link", "theme", "field", "matched", "tagged_by", "rules", "reason", "source"],
    )


@main.command()
@click.option(
    "--areas",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="How many local areas.",
)
@click.option(
    "--years",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="How many yearly plans per area.",
)
@click.option(
    "--seed", type=int, default=2017, show_default=True, help="The same seed writes the same files."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build/synthetic"),
    show_default=True,
)
def synth(areas: int, years: int, seed: int, output: Path) -> None:
    """Write synthetic areas in the data/ format, for scale tests: one folder per area.

    `sendgraph build --data DIR` and the questions read a folder of areas as one graph, each
    area's IRIs in its own namespace.

    Example:

        sendgraph synth --areas 153 --years 2 -o build/england
    """
    from sendgraph.read.synth import synthesise

    folders = synthesise(output, areas, years, seed)
    click.echo(f"Wrote {len(folders)} areas of {years} yearly plans under {output}")


# ---------------------------------------------------------------- the cache


@main.group(cls=GuardedGroup)
def cache() -> None:
    """The cache of built areas that questions reuse: what it holds, and emptying it.

    Commands that ask questions build each area once and keep it in the cache folder
    ($SENDGRAPH_CACHE, else ~/.cache/sendgraph, or --cache DIR); an area is built again
    only when one of its files changes. --no-cache skips it.
    """


cache_folder_option = click.option(
    "--cache", "folder", type=click.Path(file_okay=False, path_type=Path), default=None,
    metavar="DIR", help="The cache folder. Default: $SENDGRAPH_CACHE, else ~/.cache/sendgraph.",
)  # fmt: skip


def _cache_at(folder: Path | None) -> Path:
    from sendgraph.graph.cache import cache_folder

    return folder if folder is not None else cache_folder()


@cache.command("info")
@cache_folder_option
def cache_info(folder: Path | None) -> None:
    """Say where the cache is, how many areas and stores it holds, and its size on disk.

    Example:

        sendgraph cache info
    """
    from sendgraph.graph.cache import Cache

    held = Cache(_cache_at(folder)).info()
    click.echo(
        f"{held['folder']}: {held['areas']} areas and {held['stores']} stores, "
        f"{int(held['bytes']) / 1e6:.1f} MB."  # type: ignore[call-overload]
    )


@cache.command("clear")
@cache_folder_option
def cache_clear(folder: Path | None) -> None:
    """Remove every built area and store from the cache; the next question builds them again.

    Example:

        sendgraph cache clear --cache build/cache
    """
    from sendgraph.graph.cache import Cache

    where = _cache_at(folder)
    in_use = Cache(where).clear()
    kept = f"; {in_use} stores in use by a running command are kept" if in_use else ""
    click.echo(f"Cleared the cache in {where}{kept}.")
