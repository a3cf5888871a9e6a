"""/sysman/services/nfs through the mounted file system."""
import os
import signal
import subprocess
import time

import pytest

from conftest import BUILD, ROOT, is_mounted, sh

SYSMAN = os.path.join(BUILD, "tools", "sysman")

GOOD = """\
host srv address=192.0.2.10 platform=linux products=nfsd,mountd,rpcbind,statd
host c1 address=192.0.2.21 platform=linux
export srv:/srv/home c1(rw,sync,no_subtree_check)
import c1:/home srv:/srv/home rw,hard
"""


def nfs_sysman(make_sysman):
    return make_sysman(conf=f"agent_dir = {ROOT}/agents")


def test_plan_write_check_and_reject(make_sysman):
    s = nfs_sysman(make_sysman)
    assert sorted(os.listdir(s.p("services/nfs"))) == [
        "check", "dependencies.dot", "deploy", "diagnosis", "generated", "observed", "plan", "report", "reverse", "reverse.draft",
        "topology.dot", "topology.svg"]
    s.write("services/nfs/plan", GOOD)
    assert s.status("services/nfs/plan") == "0"
    assert s.read("services/nfs/plan") == GOOD          # byte for byte
    check = s.read("services/nfs/check")
    assert "error" not in check
    assert "srv" in s.read("services/nfs/topology.dot")
    # a plan with a syntax error is refused; the old plan stays
    bad = GOOD + "export srv /no/colon c1(rw)\n"
    s.write("services/nfs/plan", bad)
    st = s.status("services/nfs/plan")
    assert not st.startswith("0") and "line 5" in st, st
    assert "export srv:/srv/home" in s.read("services/nfs/plan")
    assert "/no/colon" not in s.read("services/nfs/plan")
    # a plan with an error-level finding is refused too
    s.write("services/nfs/plan", GOOD + "import c1:/mnt srv:/not/exported\n")
    st = s.status("services/nfs/plan")
    assert not st.startswith("0") and "not-exported" in st, st
    assert "/not/exported" not in s.read("services/nfs/plan")
    # and the plan survives a restart (it is in the database, not memory)
    s.restart()
    assert "export srv:/srv/home" in s.read("services/nfs/plan")


def test_plan_survives_kill_9_mid_write(make_sysman):
    s = nfs_sysman(make_sysman)
    s.write("services/nfs/plan", GOOD)
    assert s.status("services/nfs/plan") == "0"
    # a large plan keeps the store busy long enough to be killed in the middle
    hosts = "".join(f"host c{i} address=10.{i // 250}.{i % 250}.1 platform=linux\n"
                    for i in range(2, 3000))
    exports = "".join(f"export srv:/srv/e{i} c{i}(rw)\nimport c{i}:/mnt/e{i} srv:/srv/e{i} rw\n"
                      for i in range(2, 3000))
    big = GOOD + hosts + exports
    writer = subprocess.Popen(["bash", "-c", f"cat > {s.p('services/nfs/plan')}"],
                              stdin=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    writer.stdin.write(big)
    writer.stdin.close()
    # crash everything as soon as the store runs: the daemon and its agent.
    # The pattern must not match the shell running pgrep (its command line
    # holds the pattern too), or the real store would be left running.
    def stores():
        return sh("pgrep -f '^([^ ]*/)?sysman(-nfs)? nfs plan store|^([^ ]*/)?sysman-nfs plan store'"
                  " || true").stdout.split()

    out = []
    deadline = time.time() + 20
    while not out and time.time() < deadline:
        out = stores()
    assert out, "the plan store never ran"
    for pid in out:
        try:
            os.kill(int(pid), signal.SIGKILL)
        except ProcessLookupError:
            pass
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait()
    writer.wait(timeout=30)
    # nothing of the crashed run may go on in the background
    time.sleep(0.2)
    for pid in stores():
        os.kill(int(pid), signal.SIGKILL)
        pytest.fail(f"a plan store ({pid}) started after the daemon was killed")
    assert is_mounted(s.mnt)            # a dead mount, as after a crash
    s.proc = None
    subprocess.run(["fusermount3", "-u", "-z", s.mnt], check=True)
    s.start()
    plan = s.read("services/nfs/plan")
    # either the old plan or the whole new one, never a part
    n_exports = plan.count("export srv:")
    assert n_exports in (1, 2999), n_exports
    print(f"\nafter kill -9 during the store the plan has {n_exports} exports "
          f"({'old plan kept' if n_exports == 1 else 'new plan committed before the kill'})")
    r = subprocess.run([SYSMAN, "nfs", "plan", "check", "--db", s.db], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
