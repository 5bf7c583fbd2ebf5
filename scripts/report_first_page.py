"""Write docs/images/report-first-page.png: page 1 of the Rotherham evidence report, as printed to A4.

Run: .venv/bin/pip install -e '.[docs]' && .venv/bin/python scripts/report_first_page.py

It builds the bundled data, prints the report to PDF exactly as `sendgraph report -f pdf`
does (Chromium headless, `sendgraph.show.report.pdf.render_pdf`) and renders the first
page, the executive summary, with pypdfium2 at 110 dots per inch. Page 1 shows no
generation date, so the image changes only when the data, the report or the print
stylesheet does.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGE = ROOT / "docs" / "images" / "report-first-page.png"
DOTS_PER_INCH = 110


def main() -> int:
    import pypdfium2

    from sendgraph.ask.questions import Questions
    from sendgraph.graph.build import build_graph
    from sendgraph.show.report import build_report
    from sendgraph.show.report.pdf import render_pdf

    report = build_report(Questions(build_graph(ROOT / "data").graph))
    pdf = pypdfium2.PdfDocument(render_pdf(report))
    page = pdf[0].render(scale=DOTS_PER_INCH / 72).to_pil()
    IMAGE.parent.mkdir(parents=True, exist_ok=True)
    page.save(IMAGE, optimize=True)
    print(f"Wrote {IMAGE.relative_to(ROOT)} ({page.width}x{page.height}, page 1 of {len(pdf)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
