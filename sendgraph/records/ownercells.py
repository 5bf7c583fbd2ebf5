"""Owner cells of imported plans, as councils write them: leads, supporting partners and officers.

The grammar (docs/importing.md, "Owner cells") reads a cell in three steps.

1. **Roles.** "Lead: X; Support: Y" gives each part its role by its label (``lead``,
   ``support``, ``accountable``). Otherwise "X with support from Y", "X supported by Y"
   and "X with the support of Y" make X the lead and Y the supporting partners; and
   where one part is marked "(lead)", as in "X (lead), Y", that part leads and the
   others support.
2. **Parts.** Each role's words are split at "and", "&", "/", ",", ";", "+" and line
   breaks: "LA and ICB", "LA/ICB", "LA & ICB" are two organisations. Names the mapping
   gives an organisation are never split ("Parent and Carer Forum").
3. **Names.** A run of words is an organisation when the mapping names it so (its id,
   name or a short name), several organisations when it is their short names in a row,
   every partner organisation when it reads "all partners", a post when it holds a
   title word ("Head of SEND"), a person when it is a name or initials ("Dana
   Whitfield", "M.S", "K.McN"). Words of a team or sector ("health", "SEND team") and
   anything else are not read: they are kept as written and reported, never made into a
   person. Title and sector words are listed in ``sendgraph/tagging/owner-words.csv``.

Officers are attached to organisations by brackets or a dash: "(M.S) CYC", "CYC (M.S)"
and "CYC – M.S" all make M.S an officer of CYC. Initials in brackets between two
organisations, "(M.S) CYC (K.McN) CCG", could belong to either; the rule is that a cell
that opens with bracketed initials writes each officer before their organisation, and
any other cell writes them after, and each such reading is noted so the importer can
warn. A name in brackets after a person, "Jackie Parkin (Paula Williams)", is that
action's accountable lead, as in the bundled plan; an organisation in brackets after a
person, "Jo Bell (ICB)", is the organisation they work in.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from sendgraph.base.resources import owner_words_file

ORGANISATION = "organisation"
PERSON = "person"
POST = "post"
LEAD = "lead"
SUPPORT = "support"
ACCOUNTABLE = "accountable"

# "Lead: X; Support: Y": a label at the start of the cell or of a line or ;-part.
_LABEL = re.compile(
    r"(?:^|(?<=[;\n]))\s*(lead(?:s| partner| organisation| agency)?|support(?:ed by|ing(?: partners?)?)?|"
    r"accountable(?: lead)?)\s*:",
    re.IGNORECASE,
)
# "X with support from Y", "X, supported by Y", "X with the support of Y".
_SUPPORTED = re.compile(
    r"\s*,?\s*\b(?:with\s+(?:the\s+)?support\s+(?:from|of)|supported\s+by)\b\s*", re.IGNORECASE
)
# "CYC – M.S": a spaced dash attaches what follows to what precedes, as a bracket would.
_DASH = re.compile(r"\s+[–—-]\s+([^,;/&+\n()]+?)(?=\s*(?:[,;/&+\n]|\band\b|$))", re.IGNORECASE)
_TOKEN = re.compile(r"\(([^()]*)\)|(\n|[,;/&+])|([^,;/&+\n()]+)|([()])")
_AND = re.compile(r"(?:^|\s+)and(?:\s+|$)", re.IGNORECASE)
_ALL_PARTNERS = re.compile(r"all\s+(?:the\s+)?partners?(?:\s+(?:agencies|organisations))?", re.I)
_MARKERS = {"lead": LEAD, "lead partner": LEAD, "lead agency": LEAD, "support": SUPPORT}
_INITIALS = re.compile(r"(?:[A-Z][a-z]{0,2}\.?\s?){1,4}")
_CODE = re.compile(r"[A-Z]{2,5}")
_NAME_WORD = re.compile(r"[A-Z][\w'’.-]*", re.UNICODE)
_PARTICLES = {"de", "da", "del", "van", "von", "der", "le", "la", "bin", "al", "st", "of"}


@dataclass(frozen=True, kw_only=True)
class Named:
    """One organisation, person or post a cell names, as written.

    For an organisation, ``organisation`` is its id; for a person or post, the id of the
    organisation the cell attaches them to, if any.
    """

    kind: str
    text: str
    organisation: str = ""
    initials: bool = False

    def summary(self) -> str:
        """Return it as tests compare it: "org:la", "person:M.S@cyc", "post:Head of SEND"."""
        if self.kind == ORGANISATION:
            return f"org:{self.organisation}"
        at = f"@{self.organisation}" if self.organisation else ""
        return f"{self.kind}:{self.text}{at}"


@dataclass(frozen=True, kw_only=True)
class OwnerCell:
    """What one owner cell says: who leads, who supports, who is accountable.

    ``unread`` keeps each part the grammar could not read, as written; ``notes`` says
    each place where the grammar chose between two readings, and which it took.
    """

    leads: tuple[Named, ...] = ()
    support: tuple[Named, ...] = ()
    accountable: tuple[Named, ...] = ()
    unread: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """Return the reading as one line: "lead: org:la | support: org:icb | unread: health"."""
        parts = [
            f"{role}: {', '.join(n.summary() for n in named)}"
            for role, named in (
                (LEAD, self.leads),
                (SUPPORT, self.support),
                (ACCOUNTABLE, self.accountable),
            )
            if named
        ]
        if self.unread:
            parts.append(f"unread: {', '.join(self.unread)}")
        return " | ".join(parts)


@dataclass(frozen=True, kw_only=True)
class Vocabulary:
    """What the mapping knows, which the grammar reads names by."""

    organisations: Mapping[str, str]  # name_key of an id, name or short name -> organisation id
    partners: tuple[str, ...] = ()  # the organisation ids "all partners" means
    is_person: Callable[[str], bool] = lambda name: False  # a name the mapping's people give
    overrides: Mapping[str, OwnerCell] = field(default_factory=dict)  # folded cell -> reading
    words: Mapping[str, str] = field(default_factory=lambda: _words())

    def organisation(self, text: str) -> str | None:
        """Return the id of the organisation ``text`` names, or None."""
        return self.organisations.get(key(text))


def _words() -> dict[str, str]:
    return owner_words()


def key(name: str) -> str:
    """Return a name folded for matching: case, spacing and full stops ignored."""
    return " ".join(name.replace(".", " ").split()).casefold()


def folded_cell(cell: str) -> str:
    """Return a cell folded as `owner_cells` keys are matched: spacing and case ignored."""
    return " ".join(cell.split()).casefold()


@functools.cache
def owner_words() -> dict[str, str]:
    """Return the title and sector words of owner cells: word -> "post" or "group"."""
    text = owner_words_file().read_text(encoding="utf-8")
    return {row["word"].casefold(): row["kind"] for row in csv.DictReader(io.StringIO(text))}


# -- step 1: roles --------------------------------------------------------------------


def _roles(cell: str) -> list[tuple[str, str]]:
    labels = list(_LABEL.finditer(cell))
    if labels and not cell[: labels[0].start()].strip(" ;\n"):
        found = []
        for number, label in enumerate(labels):
            end = labels[number + 1].start() if number + 1 < len(labels) else len(cell)
            word = label.group(1).casefold()
            role = LEAD if word.startswith("lead") else SUPPORT
            role = ACCOUNTABLE if word.startswith("accountable") else role
            found.append((role, cell[label.end() : end].strip(" ;\n")))
        return found
    split = _SUPPORTED.split(cell, maxsplit=1)
    if len(split) == 2:
        return [(LEAD, split[0]), (SUPPORT, split[1])]
    return [("", cell)]


# -- step 2: parts ----------------------------------------------------------------------


@dataclass(kw_only=True)
class _Token:
    kind: str  # "words", "bracket" or "separator"
    text: str


def _tokens(text: str, protected: list[str]) -> list[_Token] | None:
    """Split ``text`` into runs of words, bracketed words and separators; None if a bracket is stray."""
    found: list[_Token] = []
    for match in _TOKEN.finditer(_DASH.sub(r" (\1)", text)):
        bracket, separator, words, stray = match.groups()
        if stray is not None:
            return None
        if bracket is not None:
            found.append(_Token(kind="bracket", text=_restore(bracket, protected)))
        elif separator is not None:
            found.append(_Token(kind="separator", text=separator))
        else:
            for number, piece in enumerate(_AND.split(words)):
                if number:
                    found.append(_Token(kind="separator", text="and"))
                if piece.strip():
                    found.append(_Token(kind="words", text=_restore(piece.strip(), protected)))
    return found


def _protect(text: str, names: Iterable[str]) -> tuple[str, list[str]]:
    """Hide the names the mapping gives that hold a separator, so that they are not split."""
    protected: list[str] = []
    for name in sorted(names, key=len, reverse=True):
        pattern = re.compile(
            r"(?<!\w)" + r"\s+".join(map(re.escape, name.split())) + r"(?!\w)", re.I
        )

        def hide(match: re.Match[str]) -> str:
            protected.append(match.group(0))
            return f"\x00{len(protected) - 1}\x00"

        text = pattern.sub(hide, text)
    return text, protected


def _restore(text: str, protected: list[str]) -> str:
    return re.sub("\x00([0-9]+)\x00", lambda m: protected[int(m.group(1))], text)


def _parts(tokens: list[_Token], words: Vocabulary) -> list[list[_Token]]:
    """Group tokens between separators; rejoin a line that only completes a known name."""
    parts: list[list[_Token]] = [[]]
    after_newline = False
    for token in tokens:
        if token.kind == "separator":
            parts.append([])
            after_newline = token.text == "\n"
            continue
        last = parts[-2] if len(parts) > 1 and not parts[-1] else None
        if (
            after_newline
            and last
            and token.kind == "words"
            and last[-1].kind == "words"
            and not words.is_person(token.text)
            and words.is_person(f"{last[-1].text} {token.text}")
        ):
            # "Paula Williams" over "EYS" is one name the mapping knows.
            last[-1] = _Token(kind="words", text=f"{last[-1].text} {token.text}")
            parts.pop()
            after_newline = False
            continue
        parts[-1].append(token)
    return [p for p in parts if p]


# -- step 3: names ----------------------------------------------------------------------


def _looks_like_initials(text: str, bracketed: bool) -> bool:
    compact = text.strip()
    if not _INITIALS.fullmatch(compact) or len(compact.replace(".", "").replace(" ", "")) > 6:
        return False
    return "." in compact or (bracketed and bool(_CODE.fullmatch(compact)))


def _looks_like_name(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 4 or _CODE.fullmatch(text):
        return False
    capitalised = [w for w in words if w.casefold() not in _PARTICLES]
    return bool(capitalised) and all(_NAME_WORD.fullmatch(w) for w in capitalised)


def _organisations_in_a_row(text: str, words: Vocabulary) -> list[str] | None:
    """Read "LA ICB" as two organisations when every word belongs to one, longest first."""
    pieces = text.split()
    found: list[str] = []
    start = 0
    while start < len(pieces):
        for end in range(len(pieces), start, -1):
            org = words.organisation(" ".join(pieces[start:end]))
            if org is not None:
                found.append(org)
                start = end
                break
        else:
            return None
    return found


def _name(text: str, words: Vocabulary, *, bracketed: bool = False) -> list[Named] | str | None:
    """Read one run of words: the names it gives, a role marker ("lead"), or None if unread."""
    folded = key(text)
    if folded in _MARKERS and bracketed:
        return _MARKERS[folded]
    if _ALL_PARTNERS.fullmatch(text.strip()):
        if not words.partners:
            return None  # the mapping names no partner organisations
        return [Named(kind=ORGANISATION, text=text, organisation=o) for o in words.partners]
    org = words.organisation(text)
    if org is not None:
        return [Named(kind=ORGANISATION, text=text, organisation=org)]
    if words.is_person(text):
        return [Named(kind=PERSON, text=text)]
    several = _organisations_in_a_row(text, words)
    if several:
        return [Named(kind=ORGANISATION, text=text, organisation=o) for o in several]
    kinds = {words.words.get(w.strip(".,'’").casefold()) for w in text.split()}
    if "post" in kinds:
        return [Named(kind=POST, text=" ".join(text.split()))]
    if "group" in kinds:
        return None
    if _looks_like_initials(text, bracketed):
        return [Named(kind=PERSON, text=text.strip(), initials=True)]
    if _looks_like_name(text) and not _CODE.fullmatch(text.strip()):
        return [Named(kind=PERSON, text=" ".join(text.split()))]
    return None


@dataclass(kw_only=True)
class _Item:
    """A run of words or a bracket of one part, read."""

    named: list[Named]
    bracketed: bool
    marker: str = ""

    @property
    def is_organisation(self) -> bool:
        return bool(self.named) and all(n.kind == ORGANISATION for n in self.named)


@dataclass(kw_only=True)
class _Part:
    """One part of a role, read: its names, its accountable leads, and what it could not read."""

    named: list[Named] = field(default_factory=list)
    accountable: list[Named] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    marker: str = ""


def _items(part: list[_Token], words: Vocabulary, result: _Part) -> list[_Item]:
    items: list[_Item] = []
    for token in part:
        bracketed = token.kind == "bracket"
        inner = [token.text]
        if bracketed:
            inner = [p for p in re.split(r"\s*(?:[,;/&+]|\band\b)\s*", token.text) if p.strip()]
        for text in inner:
            read = _name(text, words, bracketed=bracketed)
            if isinstance(read, str):
                result.marker = read
            elif read is None:
                result.unread.append(f"({text})" if bracketed else text)
            else:
                items.append(_Item(named=read, bracketed=bracketed))
    return items


def _attach(items: list[_Item], result: _Part) -> None:
    """Hang bracketed officers on organisations, and bracketed names on the person before them."""
    orgs = [i for i, item in enumerate(items) if item.is_organisation and not item.bracketed]
    before = bool(items) and items[0].bracketed and not items[0].is_organisation
    for index, item in enumerate(items):
        previous = items[index - 1] if index else None
        if not item.bracketed or (item.is_organisation and previous is None):
            result.named.extend(item.named)
            continue
        if item.is_organisation and previous is not None:
            if previous.is_organisation:
                result.named.extend(item.named)  # "LA (ICB)": two organisations
                continue
            # "Jo Bell (ICB)": the organisation Jo Bell works in.
            org = item.named[0].organisation
            count = len(previous.named)
            result.named[-count:] = [
                replace(n, organisation=n.organisation or org) for n in result.named[-count:]
            ]
            continue
        prior = [i for i in orgs if i < index]
        later = [i for i in orgs if i > index]
        if not prior and not later:
            if previous is not None and previous.named and previous.named[-1].kind == PERSON:
                result.accountable.extend(item.named)  # "Jackie Parkin (Paula Williams)"
            else:
                result.named.extend(item.named)
            continue
        if prior and later:
            chosen = later[0] if before else prior[-1]
            other = prior[-1] if before else later[0]
            written = ", ".join(n.text for n in item.named)
            result.notes.append(
                f"({written}) sits between {items[prior[-1]].named[0].text} and "
                f"{items[later[0]].named[0].text}; read as {items[chosen].named[0].text}'s, since the cell "
                + ("opens with bracketed initials, so writes each officer before their organisation"
                   if before else "writes each officer after their organisation")
                + f". If they are {items[other].named[0].text}'s, say how the cell reads under owner_cells:"
            )  # fmt: skip
        else:
            chosen = later[0] if later else prior[-1]
        org = items[chosen].named[0].organisation
        result.named.extend(replace(n, organisation=org) for n in item.named)


def _read_part(part: list[_Token], words: Vocabulary) -> _Part:
    result = _Part()
    items = _items(part, words, result)
    _attach(items, result)
    return result


def read_owner_cell(cell: str, words: Vocabulary) -> OwnerCell:
    """Read an owner cell by the grammar above, or by the mapping's reading of it.

    >>> words = Vocabulary(organisations={"la": "la", "icb": "icb"}, partners=("la", "icb"))
    >>> read_owner_cell("LA with support from all partners", words).summary()
    'lead: org:la | support: org:icb'
    >>> read_owner_cell("(M.S) LA", words).summary()
    'lead: org:la, person:M.S@la'
    """
    if not cell.strip():
        return OwnerCell()
    override = words.overrides.get(folded_cell(cell))
    if override is not None:
        return override
    text = "\n".join(" ".join(line.split()) for line in cell.splitlines() if line.strip())
    long_names = [n for n in _known_names(words) if re.search(r"[,;/&+]|\band\b", n, re.I)]
    text, protected = _protect(text, long_names)
    roles: dict[str, list[Named]] = {LEAD: [], SUPPORT: [], ACCOUNTABLE: []}
    unread: list[str] = []
    notes: list[str] = []
    for role, words_of_role in _roles(text):
        tokens = _tokens(words_of_role, protected)
        if tokens is None:
            unread.append(_restore(words_of_role, protected))
            continue
        parts = [_read_part(p, words) for p in _parts(tokens, words)]
        marked = any(p.marker == LEAD for p in parts)
        for part in parts:
            given = role or (
                (LEAD if part.marker == LEAD else SUPPORT) if marked else part.marker or LEAD
            )
            roles[given].extend(part.named)
            roles[ACCOUNTABLE].extend(part.accountable)
            unread.extend(part.unread)
            notes.extend(part.notes)
    leads = _once(roles[LEAD])
    lead_orgs = {n.organisation for n in leads if n.kind == ORGANISATION}
    support = [
        n
        for n in _once(roles[SUPPORT])
        if not (n.kind == ORGANISATION and n.organisation in lead_orgs)
    ]
    return OwnerCell(
        leads=_ordered(leads),
        support=_ordered(support),
        accountable=_ordered(_once(roles[ACCOUNTABLE])),
        unread=tuple(unread),
        notes=tuple(notes),
    )


def _known_names(words: Vocabulary) -> list[str]:
    return list(words.organisations)


def _once(named: list[Named]) -> list[Named]:
    seen: dict[tuple[str, str, str], Named] = {}
    for n in named:
        ident = (n.kind, n.organisation if n.kind == ORGANISATION else key(n.text), "")
        if n.kind != ORGANISATION:
            ident = (n.kind, key(n.text), n.organisation)
        seen.setdefault(ident, n)
    return list(seen.values())


def _ordered(named: list[Named]) -> tuple[Named, ...]:
    """Organisations first, then people, then posts, each in the cell's order."""
    rank = {ORGANISATION: 0, PERSON: 1, POST: 2}
    return tuple(sorted(named, key=lambda n: rank[n.kind]))


def reading(
    words: Vocabulary, *, lead: Iterable[str], support: Iterable[str], accountable: Iterable[str]
) -> OwnerCell:
    """Return the reading a mapping gives a cell under ``owner_cells:``, each name read alone."""

    def named(names: Iterable[str]) -> list[Named]:
        found: list[Named] = []
        for name in names:
            read = _name(name, words)
            if isinstance(read, list):
                found.extend(read)
        return found

    return OwnerCell(
        leads=_ordered(named(lead)),
        support=_ordered(named(support)),
        accountable=_ordered(named(accountable)),
    )
