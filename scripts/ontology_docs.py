"""Write docs/ontology.md, the ontology's documentation, from ontology/sendgraph.ttl and ontology/framework.ttl.

Run: .venv/bin/python scripts/ontology_docs.py [--check]

Every term is listed with its own label, comment and every other statement about it,
under the kind of term it is, in order of its name; the page is the same on every
machine. `sendgraph serve` shows the same record as its /ontology page. With --check
it writes nothing and exits 1 if docs/ontology.md differs from what it would write.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sendgraph.ask.describe import document_ontology, linker
from sendgraph.graph.ontology import load_ontology
from sendgraph.show.pages import render_ontology_markdown

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTATION = ROOT / "docs" / "ontology.md"
COMMAND = ".venv/bin/python scripts/ontology_docs.py"


def render() -> str:
    """The text of docs/ontology.md as the ontology's files say now."""
    return render_ontology_markdown(document_ontology(load_ontology(), linker(None)))


def main() -> int:
    """Write docs/ontology.md, or with --check say whether it is up to date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args()
    text = render()
    if args.check:
        current = DOCUMENTATION.read_text(encoding="utf-8") if DOCUMENTATION.exists() else ""
        if current != text:
            print(
                f"{DOCUMENTATION.relative_to(ROOT)} is out of date: run {COMMAND}", file=sys.stderr
            )
            return 1
        return 0
    DOCUMENTATION.write_text(text, encoding="utf-8")
    print(f"Wrote {DOCUMENTATION.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
