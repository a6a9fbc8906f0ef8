"""Run pytest and exit with pytest's own status.

The Temporal SDK's native runtime can abort the interpreter at exit after every test
passed (temporalio/sdk-python#300). Running pytest in a child process and leaving with
`os._exit(status)` keeps that crash from changing the exit status.
"""

from __future__ import annotations

import os
import subprocess
import sys


def main() -> None:
    command = [sys.executable, "-m", "pytest", *sys.argv[1:]]
    completed = subprocess.run(command, check=False)  # noqa: S603 - our own interpreter
    status = completed.returncode
    if status < 0:
        print(f"pytest was killed by signal {-status}", file=sys.stderr)
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    main()
