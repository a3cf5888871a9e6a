"""The benchmark still works (smoke run on a small testbed).  Only the
correctness of every measured result is asserted, never its speed."""
import os
import subprocess

from conftest import BUILD, ROOT


def test_bench_quick_smoke():
    r = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "bench", "run"), "--quick"],
                       capture_output=True, text=True, timeout=600,
                       env=dict(os.environ, SYSMAN_BUILD=BUILD))
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "all results correct" in r.stdout
    for measure in ("Figure 9", "warm round trip", "cold round trip", "pdsh", "clush",
                    "tmpfs", "ipmitool", "RSS per host"):
        assert measure in r.stdout
