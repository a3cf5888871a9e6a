"""Real devices: faults, credentials, locks and proc/ over the testbed."""
import os
import re
import shutil
import subprocess
import threading
import time

from conftest import TB_BASE, TB_BLADES, TB_HOSTS, blade_addr, bmc_addr, host_addr, mm_addr, sh


def test_stopped_host_times_out_others_finish(cluster, testbed):
    # commands have no time-out by default: this site gives them one
    s = cluster("agent_timeout = 6\nssh_connect_timeout = 2\n[timeout]\nsystems/servers/*/command = 6")
    hosts = [host_addr(TB_BASE, i) for i in range(1, TB_HOSTS + 1)]
    victim = hosts[2]
    for h in hosts:   # warm sessions, so the victim hangs mid-command
        s.write(f"systems/servers/{h}/command", "true\n")
        assert s.status(f"systems/servers/{h}/command") == "0"
    try:
        t0 = time.time()
        for h in hosts:
            s.write(f"systems/servers/{h}/command", "sleep 1; echo done\n")
        time.sleep(0.3)
        testbed.stop_host(victim)
        statuses = {h: s.status(f"systems/servers/{h}/command") for h in hosts}
        elapsed = time.time() - t0
    finally:
        testbed.cont_host(victim)
    assert statuses.pop(victim).startswith("124 ")
    assert all(v == "0" for v in statuses.values()), statuses
    assert elapsed < 6 + 4      # within the configured time (plus slack)
    assert s.read(f"systems/servers/{hosts[0]}/command") == "done\n"


def test_killed_bmc_reported_tree_responsive(cluster, testbed):
    s = cluster()
    victim = bmc_addr(TB_BASE, 2)
    try:
        testbed.kill_bmc(victim)
        t0 = time.time()
        s.read(f"systems/bmcs/{victim}/power")
        st = s.status(f"systems/bmcs/{victim}/power")
        assert st != "0" and "not responding" in st, st
        assert time.time() - t0 < 15
        other = bmc_addr(TB_BASE, 1)
        assert s.read(f"systems/bmcs/{other}/power") in ("on\n", "off\n")
        assert s.status(f"systems/bmcs/{other}/power") == "0"
        assert "hostname" in os.listdir(s.p(f"systems/servers/{host_addr(TB_BASE, 1)}"))
    finally:
        testbed.restart_bmc(victim)


def test_wrong_password_reported_nothing_changes(cluster, testbed):
    s = cluster()
    b = bmc_addr(TB_BASE, 3)
    s.write(f"systems/bmcs/{b}/power", "on\n")
    assert s.status(f"systems/bmcs/{b}/power") == "0"
    s.write(f"systems/bmcs/{b}/ids", "admin not-the-password\n")
    s.write(f"systems/bmcs/{b}/power", "off\n")
    st = s.status(f"systems/bmcs/{b}/power")
    assert "authentication failed" in st and not st.startswith("0"), st
    r = testbed.ipmitool(b, "chassis", "power", "status")
    assert "on" in r.stdout.lower()
    s.read(f"systems/bmcs/{b}/power")
    assert "authentication failed" in s.status(f"systems/bmcs/{b}/power")


def test_host_key_changed_under_strict(cluster, testbed, tmpbase):
    kh = os.path.join(tmpbase, "strict_known_hosts")
    shutil.copy(os.path.join(testbed.dir, "known_hosts"), kh)
    s = cluster(f"ssh_host_key_policy = strict")
    with open(s.conf) as f:
        text = re.sub(r"ssh_known_hosts = .*", f"ssh_known_hosts = {kh}", f.read())
    with open(s.conf, "w") as f:
        f.write(text)
    s.restart()
    h = host_addr(TB_BASE, 5)
    assert s.read(f"systems/servers/{h}/hostname") == "node5\n"
    testbed.regen_host_key(h)
    s.restart()            # new sessions: the changed key is seen at handshake
    assert s.read(f"systems/servers/{h}/hostname") == ""
    st = s.status(f"systems/servers/{h}/hostname")
    assert st.startswith("255 ") and "has changed" in st, st
    assert s.read(f"systems/servers/{host_addr(TB_BASE, 4)}/hostname") == "node4\n"


def test_ids_for_a_chassis_and_blade_override(cluster, testbed):
    s = cluster()
    sh(f": > {s.p('ids')}")          # no top-level credentials
    mm = mm_addr(TB_BASE)
    blades = f"systems/chassis/{mm}/blades"
    s.read(f"{blades}/1/power")
    assert "credentials" in s.status(f"{blades}/1/power") or "ids" in s.status(f"{blades}/1/power")
    s.write(f"systems/chassis/{mm}/ids", f"{testbed.bmc_user} {testbed.bmc_password}\n")
    for i in range(1, TB_BLADES + 1):
        s.read(f"{blades}/{i}/power")
        assert s.status(f"{blades}/{i}/power") == "0"
    s.write(f"{blades}/2/ids", "admin wrong-for-blade-2\n")
    s.read(f"{blades}/2/power")
    assert "authentication failed" in s.status(f"{blades}/2/power")
    s.read(f"{blades}/1/power")
    assert s.status(f"{blades}/1/power") == "0"
    for path in (s.audit, s.logfile):
        assert testbed.bmc_password not in open(path).read()
    assert sh(f"grep -r -l -a {testbed.bmc_password} {s.state} || true").stdout == ""


def test_chassis_lock_serialises_blade_ipmi(cluster, testbed):
    s = cluster()
    mm = mm_addr(TB_BASE)
    log = os.path.join(testbed.dir, "chassis", mm + ".access.log")
    blades = [blade_addr(TB_BASE, i) for i in range(1, TB_BLADES + 1)]

    def spans_during(fn):
        start = os.path.getsize(log) if os.path.exists(log) else 0
        fn()
        with open(log) as f:
            f.seek(start)
            lines = f.read().split("\n")
        opened, spans = {}, []
        for line in filter(None, lines):
            t, pid, what = line.split()[:3]
            if what == "begin":
                opened[pid] = float(t)
            elif what == "end" and pid in opened:
                spans.append((opened.pop(pid), float(t)))
        return sorted(spans)

    def read_all():
        ts = [threading.Thread(target=s.read, args=(f"systems/chassis/{mm}/blades/{i}/power",))
              for i in range(1, TB_BLADES + 1)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    try:
        for b in blades:
            testbed.set_bmc_delay(b, 0.4)
        free = spans_during(read_all)
        assert any(b[0] < a[1] for a, b in zip(free, free[1:])), "control: unlocked calls overlap"
        sh(f"touch {s.p(f'systems/chassis/{mm}/lock')}")
        locked = spans_during(read_all)
    finally:
        for b in blades:
            testbed.set_bmc_delay(b, 0)
    assert len(locked) >= TB_BLADES
    assert all(b[0] >= a[1] for a, b in zip(locked, locked[1:])), locked


def test_proc_mirrors_the_remote_host(cluster, testbed):
    s = cluster()
    h = host_addr(TB_BASE, 1)
    ssh = testbed.ssh_argv(h, user=testbed.user)
    for _ in range(3):
        ours = s.read(f"systems/servers/{h}/proc/loadavg").split()[0]
        theirs = subprocess.run(ssh + ["cat /proc/loadavg"], capture_output=True, text=True,
                                timeout=20).stdout.split()[0]
        if ours == theirs:
            break
        time.sleep(0.5)      # the kernel updates loadavg every 5 s
    assert ours == theirs
    listed = set(os.listdir(s.p(f"systems/servers/{h}/proc")))
    remote = set(subprocess.run(ssh + ["ls /proc"], capture_output=True, text=True,
                                timeout=20).stdout.split())
    pids = {p for p in remote if p.isdigit()}
    assert "1" in listed and "loadavg" in listed and "sys" in listed
    assert len(pids & listed) >= 0.8 * len(pids)
    assert s.read(f"systems/servers/{h}/proc/1/comm") != ""
    assert s.read(f"systems/servers/{h}/proc/sys/kernel/hostname") == open("/proc/sys/kernel/hostname").read()
    assert "kernel" in os.listdir(s.p(f"systems/servers/{h}/sys"))
    assert s.read(f"systems/servers/{h}/sys/kernel/cpu_byteorder") == "little\n"


def test_server_paired_with_bmc(cluster, testbed):
    s = cluster()
    h, b = host_addr(TB_BASE, 6), bmc_addr(TB_BASE, 1)
    s.write("discover_master", f"server {h} paired6 bmc={b}\n")
    power = s.read("systems/servers/paired6/power")
    assert power in ("on\n", "off\n") and s.status("systems/servers/paired6/power") == "0"
    assert power.strip() in testbed.ipmitool(b, "chassis", "power", "status").stdout.lower()
    assert s.read("systems/servers/paired6/hostname") == "node6\n"     # over SSH
    other = host_addr(TB_BASE, 7)
    assert s.read(f"systems/servers/{other}/power") == ""
    assert s.status(f"systems/servers/{other}/power").startswith("2 ")
