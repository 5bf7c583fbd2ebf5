"""A data folder whose rows try to become markup or script in the view."""

from __future__ import annotations

import shutil
from pathlib import Path

from sendgraph.graph.build import default_data_folder
from tests.helpers import edit

IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "</script><script>window.__pwned=2</script>"
HREF = 'Read <a href="javascript:window.__pwned=3">this href</a> & \'quotes\' "too" at B&Q'


def hostile_data(folder: Path) -> Path:
    """Copy the bundled data into ``folder`` and put hostile text in PR 1, PR 2 and PR 3."""
    target = folder / "data"
    shutil.copytree(default_data_folder(), target)
    edit(target, "actions", "ref", "PR 1", action=IMG)
    edit(target, "actions", "ref", "PR 2", action=SCRIPT, progress=SCRIPT)
    edit(target, "actions", "ref", "PR 3", action=HREF)
    return target
