"""The text of a SPARQL query as its tokens, and the judgement of what it asks for.

A user's query is read here before it runs, by the rules for terminals of SPARQL 1.1
(section 19.8): IRIs, prefixed names with their ``%xx`` and ``\\``-escapes, strings of
four kinds with their escapes, comments, variables, blank node labels, language tags,
numbers, words and punctuation. A character that begins no token makes the query
unreadable, and an unreadable query is refused rather than guessed at.

Two readings of the same text are judged, because SPARQL's editions differ on where
``\\u`` and ``\\U`` escapes count. SPARQL 1.1 (section 19.2) resolves them over the whole
text before parsing, so ``\\u0053ERVICE`` is the keyword SERVICE and ``\\u0022`` can end
a string; pyoxigraph, like SPARQL 1.2, reads them only inside IRIs and strings, so there
``'a\\u0027b'`` is one string. A text whose escapes put a SERVICE in code by either
reading is refused.

The judgement refuses SERVICE and FROM (also glued to what follows: pyoxigraph's parser
reads ``SERVICE:x`` and ``SERVICEe:x`` as SERVICE and a name), LOAD, and the words that
begin updates. Words inside strings, IRIs, comments, variables and the local part of a
prefixed name are data, not keywords.

One reading differs from pyoxigraph's on purpose: a ``<`` is read as the start of an IRI
wherever one matches, while pyoxigraph reads it as a comparison after an operand
(``?a<?b``). An IRI can hold no space, brace or ``<``, so no SERVICE or FROM clause can
hide in one; but a ``'`` in it would open a string for pyoxigraph, and a ``#`` a comment
to the end of the line, so after a token that can end an operand such an IRI is refused
(the ``#`` only if a string then runs past that line).

Each token is matched from where the last one ended by a regular expression whose
choices at any character exclude one another, and name characters are scanned once, so
reading takes time in proportion to the text (about 2 s for a 1 MB query of one-letter
tokens, the endpoint's largest).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from sendgraph.base.errors import UnreadableQuery

SERVICE_REFUSED = "SERVICE clauses are refused: sendgraph queries never reach the network."
FROM_REFUSED = (
    "FROM and FROM NAMED are refused: a query runs on the graph it is given and loads nothing else."
)
LOAD_REFUSED = "LOAD is refused: sendgraph queries never read files or the network."
# The words that begin an update operation (SPARQL 1.1 Update, section 3), apart from
# LOAD; none of them is a word of the query language.
UPDATES = ("INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "WITH", "ADD", "MOVE", "COPY")

_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_CHARS_U = _BASE + "_"
_CHARS = _CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"""\\[tbnrf\\"']"""

_SPACE = re.compile(r"[ \t\r\n]+")
_COMMENT = re.compile(r"#[^\r\n]*")
_LINE_END = re.compile(r"[\r\n]")
_PREFIX_RUN = re.compile(f"[{_BASE}][{_CHARS}.]*")
_LOCAL = re.compile(f"(?:[{_CHARS_U}:0-9]|{_PLX})(?:[{_CHARS}.:]|{_PLX})*")
_VAR = re.compile(f"[?$][{_CHARS_U}0-9][{_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*")
_BNODE = re.compile(f"_:[{_CHARS_U}0-9][{_CHARS}.]*")
_LANGTAG = re.compile(r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*")
_NUMBER = re.compile(
    r"[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+"
    r"|[0-9]*\.[0-9]+|[0-9]+"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_PUNCTUATION = frozenset("{}()[];,.=!<>&|/^*+-~")
_DIGITS = frozenset("0123456789")
_IRI_CHAR = r"""[^<>"{}|^`\\\x00-\x20]"""


def _strings(escapes: str) -> dict[str, re.Pattern[str]]:
    """The four string forms of section 19.8, keyed by how each one opens."""
    return {
        "'''": re.compile(f"'''(?:(?:'|'')?(?:[^'\\\\]|{escapes}))*'''"),
        '"""': re.compile(f'"""(?:(?:"|"")?(?:[^"\\\\]|{escapes}))*"""'),
        "'": re.compile(f"'(?:[^'\\\\\\n\\r]|{escapes})*'"),
        '"': re.compile(f'"(?:[^"\\\\\\n\\r]|{escapes})*"'),
    }


# SPARQL 1.1 resolves codepoint escapes before reading, so none are left inside tokens;
# pyoxigraph (and SPARQL 1.2) read them inside IRIs and strings.
_IRIREF = {
    False: re.compile(f"<{_IRI_CHAR}*>"),
    True: re.compile(f"<(?:{_IRI_CHAR}|{_UCHAR})*>"),
}
_STRINGS = {False: _strings(_ECHAR), True: _strings(f"{_ECHAR}|{_UCHAR}")}
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ESCAPED_BACKSLASH_BEFORE_CODEPOINT = re.compile(r"\\\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})")


@dataclass(frozen=True, kw_only=True)
class Token:
    """One terminal of a query: its kind, its text as written and where it starts."""

    kind: str  # iri, pname, var, bnode, string, langtag, number, word or punctuation
    text: str
    start: int

    @property
    def prefix(self) -> str:
        """The part of a prefixed name before its colon ('' for other tokens)."""
        return self.text.partition(":")[0] if self.kind == "pname" else ""


def _where(text: str, position: int) -> str:
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return f"line {line}, column {column}"


def _unreadable(text: str, position: int, problem: str) -> UnreadableQuery:
    return UnreadableQuery(
        f"The query was refused: at {_where(text, position)}, {problem}; "
        "sendgraph runs a query only when it can read every part of it."
    )


def resolve_codepoint_escapes(text: str) -> str:
    """Return ``text`` with its ``\\uXXXX`` and ``\\U00XXXXXX`` escapes replaced by their characters.

    This is SPARQL 1.1's first step (section 19.2). A backslash written right before an
    escape (``\\\\u0041``) is read as an escape by some parsers and as an escaped
    backslash by others, so it is refused.

    >>> resolve_codepoint_escapes(r"\\u0053ERVICE")
    'SERVICE'
    """
    doubled = _ESCAPED_BACKSLASH_BEFORE_CODEPOINT.search(text)
    if doubled:
        raise _unreadable(
            text, doubled.start(), "a backslash stands right before a \\u escape, which "
            "SPARQL readers take in different ways"
        )  # fmt: skip

    def character(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise _unreadable(text, match.start(), f"{match.group(0)} is not a character")
        return chr(code)

    return _CODEPOINT.sub(character, text)


def _name_end(text: str, end: int) -> int:
    """Move ``end`` back over the dots a name may not end with (an escaped dot may end it)."""
    while text[end - 1] == "." and text[end - 2] != "\\":
        end -= 1
    return end


def _scan(text: str, codepoint_escapes: bool) -> Iterator[Token]:
    """Yield the tokens of ``text`` by longest match, raising `UnreadableQuery` where none begins."""
    scanner = _Scanner(text, codepoint_escapes)
    size = len(text)
    position = 0
    while position < size:
        char = text[position]
        if char in " \t\r\n":
            position = _SPACE.match(text, position).end()  # type: ignore[union-attr]
        elif char == "#":
            position = _COMMENT.match(text, position).end()  # type: ignore[union-attr]
        else:
            token = scanner.token_at(position)
            yield token
            # Every token is the text from its start to where the next one may begin.
            position += len(token.text)


class _Scanner:
    """The tokens of one query text, each read where it begins."""

    def __init__(self, text: str, codepoint_escapes: bool) -> None:
        self.text = text
        self.iriref = _IRIREF[codepoint_escapes]
        self.strings = _STRINGS[codepoint_escapes]
        # Before here, a run of name characters is known not to end in ':'; so a long
        # run is matched once, not again from each of its characters.
        self.plain_until = 0

    def token_at(self, position: int) -> Token:
        """Return the token that begins at ``position``; raise `UnreadableQuery` if none does."""
        token = (
            self._quoted(position)
            or self._marked(position)
            or self._number(position)
            or self._name(position)
        )
        if token is None:
            char = self.text[position]
            raise _unreadable(self.text, position, f"{char!r} does not begin any SPARQL token")
        return token

    def _quoted(self, position: int) -> Token | None:
        """An IRI in angle brackets, or a string in any of its four quotes."""
        text = self.text
        char = text[position]
        if char == "<" and (match := self.iriref.match(text, position)):
            return Token(kind="iri", text=match.group(0), start=position)
        if char in "'\"":
            opening = text[position : position + 3]
            pattern = self.strings[opening] if opening in self.strings else self.strings[char]
            match = pattern.match(text, position)
            if not match:
                raise _unreadable(text, position, f"a string opened with {char} does not end")
            return Token(kind="string", text=match.group(0), start=position)
        return None

    def _marked(self, position: int) -> Token | None:
        """A variable, a path's ?, a blank node label or a language tag: tokens a mark opens."""
        text = self.text
        char = text[position]
        if char in "?$":
            match = _VAR.match(text, position)
            if match:
                return Token(kind="var", text=match.group(0), start=position)
            if char == "$":
                raise _unreadable(text, position, "a $ is not followed by a variable name")
            return Token(kind="punctuation", text="?", start=position)  # a path's ?
        if text.startswith("_:", position):
            match = _BNODE.match(text, position)
            if not match:
                raise _unreadable(text, position, "a blank node label is empty")
            end = _name_end(text, match.end())
            return Token(kind="bnode", text=text[position:end], start=position)
        if char == "@":
            match = _LANGTAG.match(text, position)
            if not match:
                raise _unreadable(text, position, "an @ is not followed by a language tag")
            return Token(kind="langtag", text=match.group(0), start=position)
        return None

    def _number(self, position: int) -> Token | None:
        text = self.text
        char = text[position]
        if char in _DIGITS or (char == "." and text[position + 1 : position + 2] in _DIGITS):
            match = _NUMBER.match(text, position)
            if match:
                return Token(kind="number", text=match.group(0), start=position)
        return None

    def _name(self, position: int) -> Token | None:
        """A prefixed name, a word or a mark of punctuation."""
        text = self.text
        char = text[position]
        prefix_end = -1
        if char == ":":
            prefix_end = position
        elif position >= self.plain_until and (match := _PREFIX_RUN.match(text, position)):
            run_end = match.end()
            if run_end < len(text) and text[run_end] == ":" and text[run_end - 1] != ".":
                prefix_end = run_end
            else:
                self.plain_until = run_end
        if prefix_end >= 0:
            end = prefix_end + 1
            local = _LOCAL.match(text, end)
            if local:
                end = _name_end(text, local.end())
            return Token(kind="pname", text=text[position:end], start=position)
        word = _WORD.match(text, position)
        if word:
            return Token(kind="word", text=word.group(0), start=position)
        if char in _PUNCTUATION:
            return Token(kind="punctuation", text=char, start=position)
        return None


def iter_tokens(text: str, *, codepoint_escapes: bool = False) -> Iterator[Token]:
    """Yield the tokens of ``text``, raising `UnreadableQuery` where it cannot be read one way.

    With ``codepoint_escapes``, ``\\u`` escapes are read inside IRIs and strings, as
    pyoxigraph reads them; without, ``text`` is taken to have had them resolved already.

    >>> [t.text for t in iter_tokens('ASK { ?s e:a\\\\#b "x" } # SERVICE')]
    ['ASK', '{', '?s', 'e:a\\\\#b', '"x"', '}']
    """
    previous: Token | None = None
    comment_until = -1
    for token in _scan(text, codepoint_escapes):
        if token.kind == "iri" and previous is not None and _ends_an_operand(previous):
            # Here '<' may be a comparison (?a<?b), and pyoxigraph then reads what follows
            # as code, in which a ' opens a string and a # a comment to the end of the
            # line: the readings part for a ', and for a # if a string read here runs on
            # past that line.
            if "'" in token.text:
                raise _unreadable(text, token.start, "an IRI holds a ' (write it as %27)")
            if "#" in token.text and token.start >= comment_until:
                line_end = _LINE_END.search(text, token.start)
                comment_until = line_end.start() if line_end else len(text)
        if token.kind == "string" and token.start < comment_until < token.start + len(token.text):
            raise _unreadable(
                text, token.start, "a string runs on past the line of an IRI that holds a #"
            )
        previous = token
        yield token


def _ends_an_operand(token: Token) -> bool:
    """Whether an expression's operand can end with ``token``, so that a '<' after it compares."""
    if token.kind in ("var", "iri", "pname", "string", "langtag", "number", "bnode"):
        return True
    return token.text in (")", "]") or token.text.lower() in ("true", "false")


def _judge(tokens: Iterator[Token]) -> str | None:
    """Return why the query is refused, or None, from its tokens in order."""
    for token in tokens:
        name = token.text.upper() if token.kind == "word" else token.prefix.upper()
        if name.startswith("SERVICE"):
            return SERVICE_REFUSED
        if name.startswith("FROM"):
            return FROM_REFUSED
        if token.kind != "word":
            continue
        if name == "LOAD":
            return LOAD_REFUSED
        if name in UPDATES:
            return f"{name} is an update, and updates are refused: sendgraph's graph is read-only."
    return None


def refusal(query: str) -> str | None:
    """Return the sentence that refuses ``query``, or None if it may run.

    A query is refused when, read either way its escapes allow, it names SERVICE, FROM,
    LOAD or an update, or when it holds anything that is not a SPARQL token.

    >>> refusal('SELECT * WHERE { ?s ?p "SERVICE" }')
    >>> refusal(r"SELECT * WHERE { \\u0053ERVICE <http://x> { ?s ?p ?o } }")
    'SERVICE clauses are refused: sendgraph queries never reach the network.'
    """
    try:
        reason = _judge(iter_tokens(resolve_codepoint_escapes(query)))
        if reason is None and _CODEPOINT.search(query):
            reason = _judge(iter_tokens(query, codepoint_escapes=True))
    except UnreadableQuery as exc:
        return str(exc)
    return reason
