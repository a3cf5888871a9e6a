#!/usr/bin/python3
"""power of N fake Redfish BMCs: the pool (sysman-rfpool-run, one
session per BMC, connections kept alive; cold = first pass, warm = the
next) against a curl loop at the same parallelism (one request each,
basic auth, as a script would do it).  Not a pass/fail test: prints ms.

  /usr/bin/python3 tests/redfish/bench_200.py [N] [PARALLEL]
"""
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "testbed"))
from redfish_bmc import RedfishBmcs  # noqa: E402

DRIVER = os.environ.get("SYSMAN_RFPOOL_RUN", os.path.join(os.path.dirname(os.path.dirname(HERE)),
                                                          "build", "tests", "redfish", "sysman-rfpool-run"))
BASE = os.environ.get("SYSMAN_TEST_RF_BASE", "127.8")


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    par = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    with tempfile.TemporaryDirectory(prefix="rf-bench-") as d, RedfishBmcs(d, n, base=BASE) as r:
        hosts = " ".join(r.addrs)
        p = subprocess.run([DRIVER, "-k", "-t", "20000"], capture_output=True, text=True,
                           input="password rfpass\n" + ("read power %s\n" % hosts) * 3)
        ms = [int(x.split()[1]) for x in p.stdout.splitlines() if x.startswith(". ")][1:]
        ok = p.stdout.count(": 0 on")
        print("pool    %d BMCs: cold %d ms, warm %d ms, %d ms (%d of %d answers on)"
              % (n, ms[0], ms[1], ms[2], ok, 3 * n))
        env = dict(os.environ, RFPASS=r.password)
        cmd = ("printf '%%s\\n' %s | xargs -P %d -I{} sh -c 'curl -sk -u admin:$RFPASS -o /dev/null "
               "-w \"%%{http_code}\\n\" https://{}/redfish/v1/Systems/1'" % (hosts, par))
        for i in range(2):
            t0 = time.monotonic()
            c = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, env=env)
            print("curl -P %d %d BMCs: %d ms (%d answers 200)"
                  % (par, n, (time.monotonic() - t0) * 1000, c.stdout.split().count("200")))


if __name__ == "__main__":
    main()
