"""sendgraph: SEND governance papers as one linked knowledge graph.

``build_graph()`` reads a folder of data files and returns the graph with every problem
found. Imports are lazy, so that ``sendgraph --help`` stays fast.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

# python-docx brings lxml, and openpyxl parses workbooks with lxml rather than defusedxml
# whenever lxml is installed. Workbooks come from anyone: keep openpyxl on defusedxml.
# Set before openpyxl is first imported, which sendgraph does only when reading a workbook.
os.environ.setdefault("OPENPYXL_LXML", "False")

__version__ = "0.1.0"
__all__ = ["Build", "Problem", "SendgraphError", "Severity", "build_graph"]

if TYPE_CHECKING:
    from sendgraph.base.errors import SendgraphError
    from sendgraph.base.problems import Problem, Severity
    from sendgraph.graph.build import Build, build_graph


def __getattr__(name: str) -> Any:
    if name in ("Build", "build_graph"):
        from sendgraph.graph import build

        return getattr(build, name)
    if name == "SendgraphError":
        from sendgraph.base import errors

        return errors.SendgraphError
    if name in ("Problem", "Severity"):
        from sendgraph.base import problems

        return getattr(problems, name)
    raise AttributeError(name)
