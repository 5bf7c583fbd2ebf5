"""The exceptions sendgraph raises on purpose, in one tree under `SendgraphError`.

Each one stops a run outright; a bad cell is a `Problem` instead, collected and reported
with the rest. The CLI turns any of them into a sentence and its class's ``exit_code``:
1 problems found or a run that failed, 2 usage, 3 input that could not be processed.
docs/architecture.md draws the tree.
"""

from __future__ import annotations


class SendgraphError(Exception):
    """Base of every error sendgraph raises on purpose; the CLI turns it into a sentence."""

    exit_code = 3


class InputError(SendgraphError):
    """The input could not be processed at all (a missing folder, an unreadable file)."""

    exit_code = 3


class UsageError(SendgraphError):
    """The command was asked for something it cannot do (an unknown format)."""

    exit_code = 2


class OutputError(SendgraphError):
    """An output file could not be written (a full disk, a folder that cannot be made); the old one is kept."""

    exit_code = 3


class Refused(SendgraphError):
    """Something a command did not ask for was attempted and stopped (a connection, a file, a program)."""

    exit_code = 3


class UnreadableQuery(SendgraphError):
    """A query text that is not made of SPARQL tokens, named with where it stops being so."""

    exit_code = 2


class QueryError(SendgraphError):
    """A query that cannot be run: refused, malformed, or too slow."""

    exit_code = 2


class QueryRefused(QueryError):
    """A query that asks for something sendgraph never does (network, files, updates)."""


class QueryEnded(QueryError):
    """A query's process ended without an answer: it ran out of its memory, or crashed."""

    exit_code = 1


class QueryTimeout(QueryError):
    """A query that ran past its time limit and was stopped."""

    exit_code = 1


class QueryBusy(QueryError):
    """A query that could not start within its time limit, because another held the store."""

    exit_code = 1


class UnknownReference(SendgraphError):
    """A reference that names nothing, or more than one thing."""

    exit_code = 1


class RuleError(SendgraphError):
    """A rule file that cannot be used, named with the file and what is wrong."""

    exit_code = 2


class ViewError(SendgraphError):
    """A view that cannot be made as asked (an empty slice, an unknown board)."""

    exit_code = 1


class PushError(SendgraphError):
    """A push that did not complete; the target graph is unchanged."""

    exit_code = 1


class InputProblems(SendgraphError):
    """The data could not be built into a graph to ask about."""

    exit_code = 1
