"""The endpoint's query page: YASGUI, offline, with the bundled queries and sendgraph's prefixes.

YASGUI (editor, results table, share links) is inlined from package data with the
page's own script, so the page is one answer and loads nothing else. The policy allows
exactly those scripts by their SHA-256 hashes instead of any inline script; the
bundled queries and the prefixes travel as inert JSON.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib import resources

from sendgraph.ask.questions import bundled_queries
from sendgraph.ask.sparql import QUERY_PREFIXES, Answer
from sendgraph.show.tables import render_answer, render_csv
from sendgraph.show.view import PLACEHOLDER, _script_json

# What YASGUI 4.2.28 needs beyond 'none', and why:
# - script-src: only the two inlined scripts, by hash (no 'unsafe-inline', no
#   'unsafe-eval': YASGUI runs without eval, and an injected script does not run);
# - style-src 'unsafe-inline': YASGUI's style sheet is inlined, and YASGUI and the
#   libraries in it write style attributes into the markup they draw, which hashes of the
#   page's style sheets would not allow (a style runs no script);
# - img-src data: the results table's sort arrows are data: PNGs in YASGUI's style sheet;
# - connect-src 'self': queries go to this server's /sparql (and labels are asked there).
# The CSV download is a same-origin link, so no blob: is needed for it.
POLICY = (
    "default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; img-src data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'"
)
# The bundle's last line points browser tools at a source map that is not shipped.
SOURCE_MAP = re.compile(r"\n//# sourceMappingURL=\S+\s*$")


def _script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def render_query_page() -> tuple[str, str]:
    """Return the query page and the Content-Security-Policy it is served with."""
    package = resources.files("sendgraph")
    template = package.joinpath("templates", "query.html").read_text(encoding="utf-8")
    yasgui = package.joinpath("static", "yasgui.min.js").read_text(encoding="utf-8")
    yasgui = SOURCE_MAP.sub("\n", yasgui).replace("</script", "<\\/script")
    style = package.joinpath("static", "yasgui.min.css").read_text(encoding="utf-8")
    own = package.joinpath("templates", "query.js").read_text(encoding="utf-8")
    queries = {
        name: {"title": q.title, "description": q.description, "query": q.text}
        for name, q in bundled_queries().items()
    }
    policy = POLICY.format(scripts=f"{_script_hash(yasgui)} {_script_hash(own)}")
    values = {
        "policy": policy,
        "yasgui_css": style.replace("</style", "<\\/style"),
        "yasgui": yasgui,
        "query_js": own,
        "data": _script_json({"prefixes": QUERY_PREFIXES, "queries": queries}),
    }
    # One pass, so nothing substituted is ever read again as a placeholder.
    return PLACEHOLDER.sub(lambda m: values[m.group(1) or m.group(2)], template), policy


def spreadsheet_csv(answer: Answer) -> str:
    """Return the page's download of ``answer``: CSV that a spreadsheet shows as text.

    Formula-like cells get a ``'`` before them (see `neutralise`), as in every CSV
    sendgraph writes for people; the endpoint's own CSV stays exact for programs. A
    graph comes as the subject, predicate and object columns the page's table shows.
    """
    if answer.kind == "graph":
        triples = [[str(term) for term in triple] for triple in answer.graph()]
        return render_csv(["subject", "predicate", "object"], triples, safe=True)
    return render_answer(answer, "csv", safe=True)
