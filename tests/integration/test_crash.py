"""Crash consistency in CI: tests/crash/crash_inject.py, 12 seeded runs of
kill -9 during writes, renames, ids changes, discovery and plan stores
(the full 200 runs are run by hand: see the script's help)."""
import os
import subprocess

from conftest import BUILD, ROOT


def test_kill9_at_seeded_points_leaves_committed_states():
    r = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tests", "crash", "crash_inject.py"),
                        "--runs", "12", "--seed", "1000", "-v"],
                       capture_output=True, text=True, timeout=600,
                       env=dict(os.environ, SYSMAN_BUILD=BUILD))
    print(r.stdout, r.stderr)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "12 of 12 runs consistent" in r.stdout
