"""The agent layer's rules hold for every back end (issue 9): lock,
time-outs per glob, killing a timed-out command on its host, and fan-out
under load, against real sshd hosts."""
import os
import shutil
import subprocess
import tempfile
import textwrap
import threading
import time
import uuid

from conftest import ROOT, TB_BASE, host_addr, sh, wait_for
from conftest import Testbed as TB

SPAN = """\
    #!{interp}
    echo "$(date +%s.%N) $$ begin" >> {log}
    sleep 1
    echo "$(date +%s.%N) $$ end" >> {log}
    echo ok
    """


def spans(log):
    opened, out = {}, []
    with open(log) as f:
        for line in filter(None, f.read().split("\n")):
            t, pid, what = line.split()
            if what == "begin":
                opened[pid] = float(t)
            elif pid in opened:
                out.append((opened.pop(pid), float(t)))
    return sorted(out)


def read_all(s, paths):
    ts = [threading.Thread(target=s.read, args=(p,)) for p in paths]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def test_lock_serialises_local_and_remote_agents(cluster, tmpbase):
    """Two local and two remote agents under one server directory: they
    overlap without a lock (the control) and run one at a time with one."""
    agents = os.path.join(tmpbase, "extra-agents")
    log = os.path.join(tmpbase, "spans.log")
    d = os.path.join(agents, "systems", "servers", "_")
    os.makedirs(d)
    os.chmod(tmpbase, 0o755)
    for name, interp in (("l1", "/bin/sh"), ("l2", "/bin/sh"),
                         ("r1", "/usr/bin/env sysman-remote"), ("r2", "/usr/bin/env sysman-remote")):
        with open(os.path.join(d, name + ".read"), "w") as f:
            f.write(textwrap.dedent(SPAN).format(interp=interp, log=log))
        os.chmod(os.path.join(d, name + ".read"), 0o755)
    s = cluster(f"agent_dir = {agents}:{ROOT}/agents")
    h = host_addr(TB_BASE, 1)
    files = [f"systems/servers/{h}/{n}" for n in ("l1", "l2", "r1", "r2")]

    read_all(s, files)
    free = spans(log)
    assert len(free) == 4
    assert any(b[0] < a[1] for a, b in zip(free, free[1:])), "control: unlocked runs overlap"
    assert all(s.status(f) == "0" for f in files)
    audit = open(s.audit).read()
    assert "via=ssh" in audit and "via=local" in audit

    os.unlink(log)
    sh(f"touch {s.p(f'systems/servers/{h}/lock')}")
    read_all(s, files)
    locked = spans(log)
    assert len(locked) == 4, locked
    assert all(b[0] >= a[1] for a, b in zip(locked, locked[1:])), locked
    assert all(s.status(f) == "0" for f in files)


def test_timeout_glob_lets_long_command_finish(cluster, testbed):
    """[timeout]: a 40-s command finishes on one host while the same
    command times out on another whose glob says 3 s."""
    h1, h2 = host_addr(TB_BASE, 1), host_addr(TB_BASE, 2)
    s = cluster(f"agent_timeout = 3\n[timeout]\nsystems/servers/*/command = 3\n"
                f"systems/servers/{h1}/command = none")
    t0 = time.time()
    s.write(f"systems/servers/{h1}/command", "sleep 40; echo finished\n")
    s.write(f"systems/servers/{h2}/command", "sleep 40; echo finished\n")
    st2 = s.status(f"systems/servers/{h2}/command")
    assert st2.startswith("124 ") and "timed out after 3s" in st2, st2
    assert time.time() - t0 < 20
    assert s.read(f"systems/servers/{h1}/command") == "finished\n"
    assert s.status(f"systems/servers/{h1}/command") == "0"
    assert time.time() - t0 >= 39


def own_testbed(base, hosts, **kw):
    d = tempfile.mkdtemp(prefix="sysman-tb-be-", dir="/tmp")
    os.chmod(d, 0o755)
    return d, TB(d, hosts=hosts, bmcs=0, chassis_blades=0, base=base, quiet=True, **kw)


def light_sysman(make_sysman, tb, d, sub, extra=""):
    return make_sysman(conf=f"""
        agent_dir = {ROOT}/agents
        ssh_key = {tb.dir}/keys/id_ed25519
        ssh_user = {tb.user}
        ssh_known_hosts = {d}/sysman_known_hosts
        {extra}
        """, sub=sub)


def test_timed_out_command_ends_on_host_when_sshd_refuses_signals(make_sysman):
    """A host whose sshd refuses "signal" requests (OpenSSH refuses them
    for forced commands, and for root logins without privilege
    separation): a timed-out command must end on the host all the same."""
    d, tb = own_testbed("127.25", 1, slow_login=True)
    try:
        tb.start(timeout=60)
        s = light_sysman(make_sysman, tb, d, "kill", "[timeout]\nsystems/servers/*/command = 2")
        h = tb.host_addrs[0]
        s.write("discover_master", f"server {h}\n")
        mark = "100.%d" % (uuid.uuid4().int % 100000)
        s.write(f"systems/servers/{h}/command", "true\n")
        assert s.status(f"systems/servers/{h}/command") == "0"
        s.write(f"systems/servers/{h}/command", f"sleep {mark}\n")
        st = s.status(f"systems/servers/{h}/command")
        assert st.startswith("124 "), st

        def gone():
            return subprocess.run(["pgrep", "-f", f"sleep {mark}"], capture_output=True).returncode != 0
        assert wait_for(gone, timeout=10), "the timed-out command still runs on the host"
        # the sshd did refuse the signal: the wrapper, not sshd, ended it
        logs = ""
        for g in os.listdir(os.path.join(tb.dir, "sshd")):
            p = os.path.join(tb.dir, "sshd", g, "sshd.log")
            if os.path.exists(p):
                logs += open(p, errors="replace").read()
        assert "refusing to send signal" in logs or "requires privilege separation" in logs, \
            "the sshd did not refuse the signal request: this test proves nothing\n" + logs[-2000:]
    finally:
        tb.stop(timeout=30)
        shutil.rmtree(d, ignore_errors=True)


def test_two_hundred_slow_logins_all_complete(make_sysman):
    """200 hosts whose login costs ~0.1 s of CPU each (all on this
    machine): with max_remote 64 every command completes; the rest queue."""
    d, tb = own_testbed("127.24", 200, slow_login=True)
    try:
        tb.start(timeout=60)
        s = light_sysman(make_sysman, tb, d, "slow", "max_remote = 64")
        hosts = tb.host_addrs
        for i in range(0, len(hosts), 20):   # each line probes its host
            s.write("discover_master", "".join(f"server {a}\n" for a in hosts[i:i + 20]))
        files = " ".join(s.p(f"systems/servers/{a}/command") for a in hosts)
        t0 = time.time()
        sh(f"for f in {files}; do echo 'echo ok' > $f & done; wait", timeout=300)
        statuses = {}
        for a in hosts:
            statuses[a] = s.status(f"systems/servers/{a}/command")
        elapsed = time.time() - t0
        bad = {a: v for a, v in statuses.items() if v != "0"}
        assert not bad, f"{len(bad)} of 200 failed, e.g. {list(bad.items())[:3]}"
        assert all(s.read(f"systems/servers/{a}/command") == "ok\n" for a in hosts)
        print(f"200 slow-login commands in {elapsed:.1f} s")
    finally:
        tb.stop(timeout=30)
        shutil.rmtree(d, ignore_errors=True)
