"""--help and --version load no config model, no pydantic and no HTTP stack (fast start)."""

from __future__ import annotations

import subprocess
import sys

import pytest

_PROBE = """
import sys
from paritygate.cli.main import main
try:
    main([{arg!r}])
except SystemExit as exc:
    assert exc.code in (0, None), exc.code
heavy = sorted(m for m in sys.modules
               if m.split('.')[0] in ('pydantic', 'httpx', 'aiohttp', 'pathspec', 'jinja2')
               or m.startswith('paritygate.config') or m.startswith('paritygate.phases'))
print('HEAVY:' + ','.join(heavy))
"""


@pytest.mark.parametrize("arg", ["--help", "--version"])
def test_help_and_version_import_nothing_heavy(arg: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(arg=arg)], capture_output=True, text=True, check=True
    )
    # The last line lists the heavy modules loaded; the lines above it are the help text.
    assert done.stdout.splitlines()[-1] == "HEAVY:"
