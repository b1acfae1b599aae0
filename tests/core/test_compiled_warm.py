"""`python -m hubbub.compiled`: make's set-up step compiles the text kernels ahead of use."""

from __future__ import annotations

import subprocess
import sys


def test_warm_up_runs_every_kernel_and_says_so() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hubbub.compiled"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "text kernels are compiled and cached" in done.stdout
