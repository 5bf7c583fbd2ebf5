"""The ``register:`` section of a mapping: how a board register or terms of reference table is read.

A board register is a table with a row per board (its chair, how often it meets, whom
it reports to, what it oversees), read from the mapping's ``file:``, and optionally a
membership or attendance table with a row per member (board, name, post, organisation,
role), read from ``register: members: file:``. ``register: roles:`` says what each role
word of the membership table means: chair, member or adviser. Every mistake is a
problem naming the mapping file, its line and the key, reported with the rest of the
mapping's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

BOARD_COLUMNS = {
    "board": "the board's name",
    "kind": "board, group, panel, committee... (without it, board)",
    "chair": "who chairs it, as written",
    "meets": "how often it meets, as written (monthly, every six weeks, termly)",
    "reports_to": "the boards it reports to, one or several",
    "oversees": "the plans it oversees, by id, title or ref prefix, one or several",
}
MEMBER_COLUMNS = {
    "board": "the board the row is a member of",
    "name": "the member's name",
    "post": "the member's job title",
    "organisation": "the organisation the member comes from",
    "role": "their role on the board (Chair, Member, In attendance...)",
}
REGISTER_KEYS = {"boards", "members", "roles"}
MEMBERS_KEYS = {"file", "columns"}
ROLES = ("chair", "member", "adviser")
# The role words every register may use without listing them; a mapping adds its own.
DEFAULT_ROLES = {
    "chair": "chair",
    "chairperson": "chair",
    "independent chair": "chair",
    "co-chair": "chair",
    "member": "member",
    "vice-chair": "member",
    "vice chair": "member",
    "deputy chair": "member",
    "adviser": "adviser",
    "advisor": "adviser",
    "in attendance": "adviser",
}


class SectionReader(Protocol):
    """What the mapping reader offers a section: reporting, and reading values of each kind."""

    def report(self, key: str, message: str) -> None: ...
    def keys(self, where: str, value: dict[str, Any], allowed: set[str]) -> None: ...
    def table(self, where: str, value: Any) -> dict[str, Any]: ...
    def text(self, where: str, value: Any, *, required: bool = False) -> str: ...


@dataclass(kw_only=True)
class RegisterSpec:
    """How a board register's tables are read."""

    boards: dict[str, str] = field(default_factory=dict)  # key -> column of the boards table
    members_file: str = ""
    members: dict[str, str] = field(default_factory=dict)  # key -> column of the members table
    roles: dict[str, tuple[str, str]] = field(default_factory=dict)  # folded word -> (word, role)


def _fold(word: str) -> str:
    return " ".join(word.split()).casefold()


def read_register_section(reader: SectionReader, value: Any) -> RegisterSpec:
    """Read and check ``register:``; each mistake is reported through ``reader``."""
    spec = RegisterSpec(roles={word: (word, role) for word, role in DEFAULT_ROLES.items()})
    section = reader.table("register", value)
    reader.keys("register", section, REGISTER_KEYS)
    spec.boards = _columns(reader, "register.boards", section.get("boards"), BOARD_COLUMNS)
    if "board" not in spec.boards:
        reader.report(
            "register.boards", "register: boards: needs board: the column that names each board."
        )
    members = reader.table("register.members", section.get("members"))
    if members:
        reader.keys("register.members", members, MEMBERS_KEYS)
        spec.members_file = reader.text("register.members.file", members.get("file"), required=True)
        spec.members = _columns(
            reader, "register.members.columns", members.get("columns"), MEMBER_COLUMNS
        )
        for key in ("board", "name"):
            if key not in spec.members:
                reader.report(
                    "register.members.columns",
                    f"the members table needs {key}: the column that holds {MEMBER_COLUMNS[key]}.",
                )
    for word, role in reader.table("register.roles", section.get("roles")).items():
        meaning = reader.text(f"register.roles.{word}", role).casefold()
        if meaning not in ROLES:
            reader.report(
                f"register.roles.{word}",
                f"role {word!r} means {role!r}, which is not one of {', '.join(ROLES)}.",
            )
            continue
        spec.roles[_fold(word)] = (word, meaning)
    return spec


def _columns(
    reader: SectionReader, where: str, value: Any, allowed: dict[str, str]
) -> dict[str, str]:
    columns = reader.table(where, value)
    reader.keys(where, columns, set(allowed))
    found = {}
    for key, column in columns.items():
        name = reader.text(f"{where}.{key}", column)
        if key in allowed and name:
            found[key] = " ".join(name.split())
    return found


def role_of(spec: RegisterSpec, written: str) -> str | None:
    """The role a role cell's words mean, or None when the mapping does not say.

    >>> role_of(RegisterSpec(roles={"chair": ("Chair", "chair")}), " CHAIR ")
    'chair'
    """
    if not written.strip():
        return "member"
    found = spec.roles.get(_fold(written))
    return found[1] if found else None
