"""The exceptions list: every action that is red, behind schedule, overdue or unowned.

What makes an action an exception is decided by the gap rules, never here: an action is
on the list when ``behind-or-red``, ``overdue`` or ``no-owner`` (``sendgraph/rules/``)
finds it, with one reason per rule that does. Red and behind schedule are one rule, judged
on the action's own status (its worst row's, docs/statuses.md); the reason names the
status the action has. Everything else shown of an action (owners, target, the boards
over it with the kind and modality of each path) is its `ActionFacts`, so the list, the
view's panel and the endpoint cannot disagree with `about`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sendgraph.ask.facts import ActionFacts, Oversight
from sendgraph.ask.gaps import Rule, bundled_rules, find_gaps
from sendgraph.base.errors import UsageError
from sendgraph.records.statuses import of_concept

if TYPE_CHECKING:
    from sendgraph.ask.questions import Questions

# The rules that make an action an exception, in the order its reasons are listed, and
# the reason each gives (behind-or-red gives the action's own status label instead).
EXCEPTION_RULES = {"behind-or-red": "", "overdue": "Overdue", "no-owner": "No owner"}

# The reasons a list may be narrowed to, as `--reason` takes them.
REASONS = ("red", "behind-schedule", "overdue", "no-owner")


def reason_labels() -> list[str]:
    """The reasons' words in `REASONS`'s order, as an exception's reasons give them.

    >>> reason_labels()
    ['Red', 'Behind schedule', 'Overdue', 'No owner']
    """
    statuses = [of_concept(concept).label for concept in ("red", "behind-schedule")]
    return [*statuses, *(word for word in EXCEPTION_RULES.values() if word)]


@dataclass(frozen=True, kw_only=True)
class Reason:
    """Why an action is an exception: the rule that found it and its words."""

    rule: str  # behind-or-red, overdue or no-owner
    reason: str  # "Red", "Behind schedule", "Overdue" or "No owner"
    messages: tuple[str, ...]  # the rule's sentences (one per row it quotes)

    @property
    def key(self) -> str:
        """The reason as `REASONS` names it.

        >>> Reason(rule="behind-or-red", reason="Behind schedule", messages=()).key
        'behind-schedule'
        """
        return self.reason.lower().replace(" ", "-")


@dataclass(frozen=True, kw_only=True)
class ActionException:
    """One action on the exceptions list, with its reasons and the facts a governance lead acts on."""

    iri: str
    area: str | None
    ref: str
    text: str
    plan: str
    status: str  # its status label ("No status" when it has none)
    status_text: str
    owners: tuple[str, ...]
    accountable_leads: tuple[str, ...]
    target: str  # its current target as written; "" when it has none
    oversight: tuple[Oversight, ...]  # the boards over it, by path kind and modality
    reasons: tuple[Reason, ...]

    @property
    def boards(self) -> list[str]:
        """The boards over it as every table lists them: "Board (path kind[, modality])"."""
        return sorted({o.marked for o in self.oversight})

    def row(self) -> dict[str, Any]:
        """Return it as one row of a table, CSV or JSON list (its area is left to `Questions.placed`)."""
        return {
            "ref": self.ref,
            "reasons": [r.reason for r in self.reasons],
            "status": self.status,
            "owners": list(self.owners),
            "accountable_leads": list(self.accountable_leads),
            "target": self.target,
            "boards": self.boards,
            "plan": self.plan,
            "text": self.text,
            "messages": [m for r in self.reasons for m in r.messages],
        }

    def to_dict(self) -> dict[str, Any]:
        """Return every fact as plain JSON values, oversight paths and reasons in full."""
        return {**asdict(self), "boards": self.boards}


def exception_rules(rules: Iterable[Rule] | None = None) -> list[Rule]:
    """The rules of `EXCEPTION_RULES`, taken from ``rules`` (the bundled ones by default)."""
    chosen = [r for r in (bundled_rules() if rules is None else rules) if r.id in EXCEPTION_RULES]
    return sorted(chosen, key=lambda r: list(EXCEPTION_RULES).index(r.id))


def find_exceptions(
    questions: Questions,
    include: Iterable[str] = (),
    *,
    reasons: Iterable[str] = (),
    rules: Iterable[Rule] | None = None,
) -> list[ActionException]:
    """Return every action the exception rules find, by area and reference, each with all its reasons.

    ``include`` names the modalities the boards' paths may follow besides stated ones
    (as for `Questions.about`); ``reasons`` keeps only the actions with one of those
    reasons (`REASONS`); ``rules`` gives the rules to read them from (the bundled ones by
    default: a user's own rule never makes an action an exception).
    """
    from sendgraph.ask.questions import natural_key

    wanted = set(reasons)
    unknown = wanted - set(REASONS)
    if unknown:
        raise UsageError(f"{', '.join(sorted(unknown))}: a reason is one of {', '.join(REASONS)}.")
    facts = questions.facts(include).actions
    messages: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for gap in find_gaps(questions.store, exception_rules(rules)):
        said = messages[str(gap["subject"])][str(gap["rule"])]
        if gap["message"] not in said:
            said.append(str(gap["message"]))
    found = [
        _exception(facts[iri], by_rule)
        for iri, by_rule in messages.items()
        if iri in facts  # a rule's subject is always an action; a user's graph may say otherwise
    ]
    found = [e for e in found if not wanted or wanted & {r.key for r in e.reasons}]
    return sorted(found, key=lambda e: (e.area or "", natural_key(e.ref)))


def _exception(action: ActionFacts, by_rule: dict[str, list[str]]) -> ActionException:
    reasons = tuple(
        Reason(
            rule=rule,
            reason=EXCEPTION_RULES[rule] or action.status_label,
            messages=tuple(by_rule[rule]),
        )
        for rule in EXCEPTION_RULES
        if rule in by_rule
    )
    return ActionException(
        iri=action.iri,
        area=action.area,
        ref=action.ref,
        text=action.text,
        plan=action.plan,
        status=action.status_label,
        status_text=action.status_text,
        owners=action.owners,
        accountable_leads=action.accountable_leads,
        target=action.targets[-1].raw if action.targets else "",
        oversight=action.oversight,
        reasons=reasons,
    )


def exception_rows(
    questions: Questions, include: Iterable[str] = (), *, reasons: Iterable[str] = ()
) -> list[dict[str, Any]]:
    """The exceptions as rows, each led by its area over many areas (`Questions.placed`)."""
    return [
        questions.placed(e.row(), e.iri)
        for e in find_exceptions(questions, include, reasons=reasons)
    ]
