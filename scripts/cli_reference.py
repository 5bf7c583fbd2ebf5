"""Write docs/cli.md, the command reference, from every command's own `--help`.

Run: .venv/bin/python scripts/cli_reference.py [--check]

Walks the `sendgraph` click group in the order `sendgraph --help` lists its commands
and renders each command's help at a fixed width of 80 columns, so the page is the same
on every machine and terminal. With --check it writes nothing and exits 1 if
docs/cli.md differs from what it would write.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from sendgraph.cli import main as cli

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "cli.md"
COMMAND = ".venv/bin/python scripts/cli_reference.py"
WIDTH = 80

HEADER = f"""# Command reference

Every command's `--help`, in the order `sendgraph --help` lists them. `{COMMAND}`
writes this page from the commands themselves, so do not edit it by hand: a test fails
when it differs from what the commands say.
"""


def iter_helps(
    command: click.Command, ctx: click.Context
) -> Iterator[tuple[str, click.Command, str]]:
    """Yield (command path, command, help text) for a command and every command under it."""
    yield ctx.command_path, command, command.get_help(ctx)
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            yield from iter_helps(sub, click.Context(sub, info_name=name, parent=ctx))


def render() -> str:
    """The text of docs/cli.md as the commands describe themselves now."""
    root = click.Context(cli, info_name="sendgraph", terminal_width=WIDTH, max_content_width=WIDTH)
    helps = list(iter_helps(cli, root))
    contents = [f"- [`{path}`](#{path.replace(' ', '-')})" for path, _, _ in helps[1:]]
    sections = [f"## {path}\n\n```\n{text.rstrip()}\n```\n" for path, _, text in helps]
    return "\n".join([HEADER, *contents, "", *sections])


def main() -> int:
    """Write docs/cli.md, or with --check say whether it is up to date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args()
    text = render()
    if args.check:
        current = REFERENCE.read_text(encoding="utf-8") if REFERENCE.exists() else ""
        if current != text:
            print(f"{REFERENCE.relative_to(ROOT)} is out of date: run {COMMAND}", file=sys.stderr)
            return 1
        return 0
    REFERENCE.write_text(text, encoding="utf-8")
    print(f"Wrote {REFERENCE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
