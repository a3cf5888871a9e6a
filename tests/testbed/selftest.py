#!/usr/bin/python3
"""Self-test of the testbed and of the device/discovery agents, without FUSE.

Starts a testbed in a temporary directory (default addresses 127.9.*, so it
does not collide with a testbed on the default 127.1.*), runs every agent
against it, including a wrong password, a killed BMC and a hung host, then
stops it and checks that nothing is left behind.  Exit status 0 = all passed.

    /usr/bin/python3 tests/testbed/selftest.py [--base 127.9] [--hosts 16] [-v]
"""

import argparse
import atexit
import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import shutil
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
AGENTS = os.path.join(ROOT, "agents")
sys.path.insert(0, HERE)
import testbed  # noqa: E402

TB = None                 # the running Testbed
OPTS = None


def _cleanup():
    global TB
    if TB is not None:
        tb, TB = TB, None
        try:
            tb.stop()
        except Exception as e:                      # noqa: BLE001
            print("selftest: stop failed: %s" % e, file=sys.stderr)


def _on_signal(sig, frame):
    _cleanup()
    raise KeyboardInterrupt          # unittest lets this through; main cleans up


def agent(rel, path, op=None, user="admin", password=None, address=None,
          kind=None, attrs=None, input=None, conf=None, timeout=60):
    """Run one agent like the daemon would; returns (rc, stdout, stderr)."""
    exe = os.path.join(AGENTS, rel)
    if op is None:
        op = rel.rsplit(".", 1)[1] if "." in os.path.basename(rel) else "read"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYSMAN_")}
    # as sysmand does: its helpers (sysman-ipmi for IPMI agent files) on PATH
    env["PATH"] = os.path.join(AGENTS, "lib") + ":" + env.get("PATH", "/usr/bin:/bin")
    env.update(SYSMAN_ROOT="/sysman", SYSMAN_OP=op,
               SYSMAN_DEVICE=os.path.dirname(path))
    if user:
        env["SYSMAN_USER"] = user
        env["SYSMAN_PASSWORD"] = (TB.bmc_password if password is None else password)
    if address:
        env["SYSMAN_ADDRESS"] = address
    if kind:
        env["SYSMAN_KIND"] = kind
    for k, v in (attrs or {}).items():
        env["SYSMAN_ATTR_" + k] = v
    for k, v in (conf or {}).items():
        env["SYSMAN_CONF_" + k] = v
    argv = [exe, "-f", path]
    if input is not None:
        argv += ["-i", input]
    r = subprocess.run(argv, env=env, capture_output=True, text=True,
                       input=input if input is not None else "", timeout=timeout)
    return r.returncode, r.stdout.strip(), r.stderr.strip()


def bmcpath(addr, prop):
    return "/sysman/systems/bmcs/%s/%s" % (addr, prop)


class T01Testbed(unittest.TestCase):
    def test_status_and_json(self):
        st = TB.status()
        self.assertTrue(st["ok"], "\n".join(st["lines"]))
        with open(TB.json_path) as f:
            info = json.load(f)
        self.assertEqual(len(info["hosts"]), OPTS.hosts)
        for key in ("users", "client_key", "known_hosts", "bmcs", "chassis", "sshd"):
            self.assertIn(key, info)
        self.assertEqual(info["hosts"][0]["addr"], OPTS.base + ".0.1")

    def test_every_host_identity_by_key(self):
        def one(h):
            r = subprocess.run(TB.ssh_argv(h["addr"]) + ["tb-hostname"],
                               capture_output=True, text=True, timeout=30)
            return h["name"], r.returncode, r.stdout.strip(), r.stderr.strip()
        with concurrent.futures.ThreadPoolExecutor(16) as ex:
            for name, rc, out, err in ex.map(one, TB.info["hosts"]):
                self.assertEqual((rc, out), (0, name), err)

    def test_test_user_by_key_and_password(self):
        a = TB.host_addrs[0]
        r = subprocess.run(TB.ssh_argv(a, user=TB.user) + ["id -un; echo $0"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.stdout.split(), [TB.user, "sh"], r.stderr)
        env = dict(os.environ, SSH_ASKPASS=os.path.join(AGENTS, "lib", "askpass"),
                   SSH_ASKPASS_REQUIRE="force", SYSMAN_PASSWORD=TB.password)
        argv = ["ssh", "-F", TB.info["ssh_config"], "-o", "BatchMode=no",
                "-o", "PubkeyAuthentication=no",
                "-o", "PreferredAuthentications=password",
                "-l", TB.user, a, "tb-hostname"]
        r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30,
                           stdin=subprocess.DEVNULL)
        self.assertEqual((r.returncode, r.stdout.strip()), (0, "node1"), r.stderr)
        env["SYSMAN_PASSWORD"] = "wrong"
        r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30,
                           stdin=subprocess.DEVNULL)
        self.assertNotEqual(r.returncode, 0)

    def test_ipmitool_by_hand(self):
        for b in TB.info["bmcs"]:
            r = TB.ipmitool(b["addr"], "chassis", "power", "status")
            self.assertIn("Chassis Power is", r.stdout, (b["addr"], r.stderr))
        a = TB.bmc_addrs[0]
        self.assertIn("Temp", TB.ipmitool(a, "sdr").stdout)
        self.assertIn("Product Name", TB.ipmitool(a, "fru").stdout)
        self.assertEqual(TB.ipmitool(a, "chassis", "bootparam", "get", "5").returncode, 0)


class T015Parallel(unittest.TestCase):
    def test_parallel_agents_and_ssh_burst(self):
        """Figure 1/9 style: every BMC at once, and a burst of SSH logins."""
        bmcs = [b["addr"] for b in TB.info["bmcs"]]

        def rd(a):
            return agent("systems/bmcs/_/power.read", bmcpath(a, "power"), address=a)
        with concurrent.futures.ThreadPoolExecutor(len(bmcs)) as ex:
            for a, (rc, out, err) in zip(bmcs, ex.map(rd, bmcs)):
                self.assertEqual((rc, out), (0, "on"), (a, err))
        h = TB.host_addrs[0]

        def login(_):
            return subprocess.run(TB.ssh_argv(h) + ["tb-hostname"], capture_output=True,
                                  text=True, timeout=60).stdout.strip()
        with concurrent.futures.ThreadPoolExecutor(24) as ex:
            self.assertEqual(set(ex.map(login, range(24))), {"node1"})


class T02PowerBoot(unittest.TestCase):
    def test_power(self):
        a = TB.bmc_addrs[0]
        p = bmcpath(a, "power")
        rd = "systems/bmcs/_/power.read"
        wr = "systems/bmcs/_/power.write"
        self.assertEqual(agent(rd, p, address=a)[:2], (0, "on"))
        self.assertEqual(agent(wr, p, address=a, input="off")[:2], (0, "off"))
        self.assertEqual(agent(rd, p, address=a)[:2], (0, "off"))
        self.assertEqual(agent(wr, p, address=a, input="1\n")[:2], (0, "on"))
        self.assertEqual(agent(rd, p, address=a)[:2], (0, "on"))
        self.assertEqual(agent(wr, p, address=a, input="0")[:2], (0, "off"))
        self.assertEqual(agent(wr, p, address=a, input="on")[:2], (0, "on"))
        self.assertEqual(agent(wr, p, address=a, input="cycle")[:2], (0, "on"))
        time.sleep(1.5)                    # ipmi_sim powers on 1 s after a cycle
        self.assertEqual(agent(rd, p, address=a)[:2], (0, "on"))
        self.assertEqual(agent(wr, p, address=a, input="reset")[:2], (0, "on"))
        self.assertEqual(agent(wr, p, address=a, input="soft")[:2], (0, "off"))
        self.assertEqual(agent(rd, p, address=a)[:2], (0, "off"))
        self.assertEqual(agent(wr, p, address=a, input="on")[:2], (0, "on"))
        rc, out, err = agent(wr, p, address=a, input="sideways")
        self.assertEqual(rc, 22)
        self.assertIn("invalid power value", err)
        rc, out, err = agent(wr, p, address=a, input="")
        self.assertEqual(rc, 22)

    def test_eventlog_records_power(self):
        a = TB.bmc_addrs[1]
        p = bmcpath(a, "eventlog")
        self.assertEqual(agent("systems/bmcs/_/eventlog.write", p, address=a,
                               input="clear")[0], 0)
        agent("systems/bmcs/_/power.write", bmcpath(a, "power"), address=a, input="off")
        agent("systems/bmcs/_/power.write", bmcpath(a, "power"), address=a, input="on")
        rc, out, err = agent("systems/bmcs/_/eventlog.read", p, address=a)
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertGreaterEqual(len(lines), 2, out)
        self.assertIn("Power off/down", lines[-2])
        self.assertIn("Initiated by power up", lines[-1])     # newest last

    def test_bootorder(self):
        a = TB.bmc_addrs[0]
        p = bmcpath(a, "bootorder")
        rd, wr = "systems/bmcs/_/bootorder.read", "systems/bmcs/_/bootorder.write"
        paper = "network, floppy, cdrom, harddisk"
        self.assertEqual(agent(wr, p, address=a, input=paper)[:2], (0, paper))
        self.assertEqual(agent(rd, p, address=a)[:2], (0, paper))
        self.assertEqual(TB.ipmitool(a, "chassis", "bootparam", "get", "5").stdout.count(
            "Force PXE"), 1)
        self.assertEqual(agent(wr, p, address=a, input="harddisk cdrom")[:2],
                         (0, "harddisk, network, floppy, cdrom"))
        self.assertEqual(agent(rd, p, address=a)[:2],
                         (0, "harddisk, network, floppy, cdrom"))
        self.assertEqual(agent(wr, p, address=a, input="cdrom")[:2],
                         (0, "cdrom, network, floppy, harddisk"))
        self.assertEqual(agent(rd, p, address=a)[1], "cdrom, network, floppy, harddisk")
        rc, out, err = agent(wr, p, address=a, input="usb, harddisk")
        self.assertEqual(rc, 22)
        self.assertIn("no IPMI mapping", err)
        # ipmi_sim cannot force a floppy boot: the BMC refuses, state unchanged
        rc, out, err = agent(wr, p, address=a, input="floppy, cdrom")
        self.assertNotEqual(rc, 0)
        self.assertIn("refused", err)
        self.assertEqual(agent(rd, p, address=a)[1], "cdrom, network, floppy, harddisk")


class T03Sensors(unittest.TestCase):
    def test_temperature_sensors_fru(self):
        a = TB.bmc_addrs[0]
        TB.set_temperature(a, 41)
        self.assertEqual(agent("systems/bmcs/_/temperature.read",
                               bmcpath(a, "temperature"), address=a)[:2], (0, "41"))
        TB.set_temperature(a, 50)          # above the 45 C upper non-critical
        self.assertEqual(agent("systems/bmcs/_/temperature.read",
                               bmcpath(a, "temperature"), address=a)[:2], (0, "50"))
        rc, out, err = agent("systems/bmcs/_/sensors.read", bmcpath(a, "sensors"), address=a)
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"(?m)^Temp \| 50 degrees C \| u?nc$")
        self.assertRegex(out, r"(?m)^Fan1 \| 3000 RPM \| ok$")
        rc, out, err = agent("systems/bmcs/_/eventlog.read", bmcpath(a, "eventlog"),
                             address=a)
        self.assertIn("Upper Non-critical going high", out)
        TB.set_temperature(a, 30)
        rc, out, err = agent("systems/bmcs/_/fru.read", bmcpath(a, "fru"), address=a)
        self.assertEqual(rc, 0, err)
        self.assertIn("Product Name          : TB-Server", out)
        self.assertIn("Sysman Testbed", out)


class T04Locations(unittest.TestCase):
    def test_server_without_and_with_bmc(self):
        p = "/sysman/systems/servers/node1/power"
        rc, out, err = agent("systems/servers/_/power.read", p, kind="server",
                             address=TB.host_addrs[0])
        self.assertEqual(rc, 2)
        self.assertIn("no BMC is paired", err)
        a = TB.bmc_addrs[0]
        rc, out, err = agent("systems/servers/_/power.read", p, kind="server",
                             address=TB.host_addrs[0], attrs={"bmc": a})
        self.assertEqual((rc, out), (0, "on"), err)
        rc, out, err = agent("systems/servers/_/temperature.read",
                             "/sysman/systems/servers/node1/temperature", kind="server",
                             attrs={"bmc": a})
        self.assertEqual(rc, 0, err)

    def test_chassis_and_blades(self):
        c = TB.info["chassis"][0]
        mm = c["mm"]
        rc, out, err = agent("systems/chassis/_/temperature_mp.read",
                             "/sysman/systems/chassis/%s/temperature_mp" % mm, address=mm)
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"^\d+$")
        TB.set_temperature(mm, 37)
        self.assertEqual(agent("systems/chassis/_/temperature_mp.read",
                               "/sysman/systems/chassis/%s/temperature_mp" % mm,
                               address=mm)[1], "37")
        self.assertEqual(agent("systems/chassis/_/eventlog.read",
                               "/sysman/systems/chassis/%s/eventlog" % mm,
                               address=mm)[0], 0)
        b = c["blades"][-1]
        bp = "/sysman/systems/chassis/%s/blades/%d/" % (mm, b["slot"])
        self.assertEqual(agent("systems/chassis/_/blades/_/power.write", bp + "power",
                               address=b["addr"], input="off")[:2], (0, "off"))
        self.assertEqual(agent("systems/chassis/_/blades/_/power.read", bp + "power",
                               address=b["addr"])[:2], (0, "off"))
        self.assertEqual(agent("systems/chassis/_/blades/_/bootorder.write",
                               bp + "bootorder", address=b["addr"],
                               input="network, floppy, cdrom, harddisk")[0], 0)
        agent("systems/chassis/_/blades/_/power.write", bp + "power",
              address=b["addr"], input="on")
        with open(c["access_log"]) as f:
            log = f.read()
        self.assertIn("set power 0", log)
        self.assertIn(b["dir"], log)


class T05Errors(unittest.TestCase):
    def test_wrong_password_and_user(self):
        a = TB.bmc_addrs[0]
        for user, pw in (("admin", "wrong"), ("nobody", TB.bmc_password)):
            rc, out, err = agent("systems/bmcs/_/power.read", bmcpath(a, "power"),
                                 address=a, user=user, password=pw)
            self.assertNotEqual(rc, 0)
            self.assertIn("authentication failed", err)
            self.assertEqual(out, "")

    def test_no_credentials(self):
        a = TB.bmc_addrs[0]
        rc, out, err = agent("systems/bmcs/_/power.read", bmcpath(a, "power"),
                             address=a, user=None)
        self.assertEqual(rc, 13)
        self.assertIn("ids", err)

    def test_password_never_in_argv(self):
        d = tempfile.mkdtemp(prefix="tb-argv-")
        self.addCleanup(shutil.rmtree, d, True)
        spy = os.path.join(d, "ipmitool")
        with open(spy, "w") as f:
            f.write('#!/bin/sh\necho "$*" >> %s/argv\n'
                    '[ -n "$IPMI_PASSWORD" ] && echo yes > %s/env\n'
                    'exec ipmitool "$@"\n' % (d, d))
        os.chmod(spy, 0o755)
        a = TB.bmc_addrs[0]
        rc, out, err = agent("systems/bmcs/_/power.read", bmcpath(a, "power"),
                             address=a, conf={"ipmitool": spy})
        self.assertEqual((rc, out), (0, "on"), err)
        with open(os.path.join(d, "argv")) as f:
            argv = f.read()
        self.assertNotIn(TB.bmc_password, argv)
        self.assertIn("-E", argv.split())
        self.assertTrue(os.path.exists(os.path.join(d, "env")))

    def test_killed_bmc(self):
        a = TB.bmc_addrs[-1]
        TB.kill_bmc(a)
        t0 = time.monotonic()
        rc, out, err = agent("systems/bmcs/_/power.read", bmcpath(a, "power"), address=a)
        took = time.monotonic() - t0
        self.assertEqual(rc, 110, err)
        self.assertIn("not responding", err)
        self.assertLess(took, 5)
        self.assertEqual(agent("_discover/bmc", "/sysman/discover_master",
                               input=a, user=None)[0], 1)
        TB.restart_bmc(a)
        self.assertEqual(agent("systems/bmcs/_/power.read", bmcpath(a, "power"),
                               address=a)[:2], (0, "on"))


class T06Discovery(unittest.TestCase):
    def conf(self):
        return {"ssh_key": TB.info["client_key"],
                "ssh_known_hosts": TB.info["known_hosts"],
                "ssh_user": TB.user}

    def test_server_and_bmc(self):
        dm = "/sysman/discover_master"
        self.assertEqual(agent("_discover/server", dm, user=None,
                               input="%s node1 bmc=%s" % (TB.host_addrs[0],
                                                          TB.bmc_addrs[0]))[:2], (0, ""))
        rc, out, err = agent("_discover/server", dm, user=None,
                             input=OPTS.base + ".0.250")
        self.assertEqual(rc, 1)
        self.assertIn("no SSH server", err)
        self.assertEqual(agent("_discover/server", dm, user=None, input="")[0], 22)
        self.assertEqual(agent("_discover/bmc", dm, user=None,
                               input=TB.bmc_addrs[0])[0], 0)
        self.assertEqual(agent("_discover/bmc", dm, user=None,
                               input=OPTS.base + ".1.250")[0], 1)

    def test_chassis(self):
        c = TB.info["chassis"][0]
        rc, out, err = agent("_discover/chassis", "/sysman/discover_master", user=None,
                             input=c["mm"], conf=self.conf())
        self.assertEqual(rc, 0, err)
        want = ["bmc %s %d parent=systems/chassis/%s/blades" % (b["addr"], b["slot"], c["mm"])
                for b in c["blades"]]
        self.assertEqual(out.splitlines(), want)
        # by password as the test user
        rc, out2, err = agent("_discover/chassis", "/sysman/discover_master",
                              user=TB.user, password=TB.password, input=c["mm"],
                              conf={"ssh_known_hosts": TB.info["known_hosts"]})
        self.assertEqual((rc, out2), (0, out), err)
        # key first: BMC credentials inherited from /sysman/ids do not matter
        rc, out3, err = agent("_discover/chassis", "/sysman/discover_master",
                              user="admin", password="bmc-secret", input=c["mm"],
                              conf=self.conf())
        self.assertEqual((rc, out3), (0, out), err)
        rc, _, err = agent("_discover/chassis", "/sysman/discover_master",
                           user=TB.user, password="wrong", input=c["mm"],
                           conf={"ssh_known_hosts": TB.info["known_hosts"]})
        self.assertEqual(rc, 1)
        self.assertIn("authentication failed", err)
        rc, out, err = agent("_discover/chassis", "/sysman/discover_master", user=None,
                             input=TB.host_addrs[0], conf=self.conf())
        self.assertNotEqual(rc, 0)
        self.assertIn("not a chassis", err)

    def test_scan(self):
        nets = ", ".join("%s.%d.0/24" % (OPTS.base, n) for n in range(4))
        t0 = time.monotonic()
        rc, out, err = agent("_discover/scan", "/sysman/discover_master", user=None,
                             conf={"discover_networks": nets})
        took = time.monotonic() - t0
        self.assertEqual(rc, 0, err)
        want = ["server %s" % a for a in TB.host_addrs]
        want += ["bmc %s" % a for a in TB.bmc_addrs]
        c = TB.info["chassis"][0]
        want += ["chassis %s" % c["mm"]]
        want += ["bmc %s" % b["addr"] for b in c["blades"]]
        self.assertEqual(sorted(out.splitlines()), sorted(want))
        self.assertLess(took, 6)


class T07Faults(unittest.TestCase):
    def test_stop_and_cont_host(self):
        a = TB.host_addrs[1]
        TB.stop_host(a)
        try:
            t0 = time.monotonic()
            rc, out, err = agent("_discover/server", "/sysman/discover_master",
                                 user=None, input=a)
            self.assertEqual(rc, 1)
            self.assertLess(time.monotonic() - t0, 5)
            r = subprocess.run(TB.ssh_argv(a) + ["-o", "ConnectTimeout=2", "true"],
                               capture_output=True, text=True, timeout=20)
            self.assertEqual(r.returncode, 255)
            # the other hosts are unaffected
            r = subprocess.run(TB.ssh_argv(TB.host_addrs[0]) + ["tb-hostname"],
                               capture_output=True, text=True, timeout=20)
            self.assertEqual(r.stdout.strip(), "node1")
        finally:
            TB.cont_host(a)
        r = subprocess.run(TB.ssh_argv(a) + ["tb-hostname"],
                           capture_output=True, text=True, timeout=20)
        self.assertEqual(r.stdout.strip(), "node2", r.stderr)

    def test_regen_host_key(self):
        a = TB.host_addrs[2]
        with open(TB.info["known_hosts"]) as f:
            old = f.read()
        kh = os.path.join(TB.dir, "old_known_hosts")
        with open(kh, "w") as f:
            f.write(old)
        TB.regen_host_key(a)
        r = subprocess.run(TB.ssh_argv(a) + ["-o", "UserKnownHostsFile=" + kh, "true"],
                           capture_output=True, text=True, timeout=20)
        self.assertEqual(r.returncode, 255)
        self.assertIn("IDENTIFICATION HAS CHANGED", r.stderr)
        r = subprocess.run(TB.ssh_argv(a) + ["tb-hostname"],
                           capture_output=True, text=True, timeout=20)
        self.assertEqual(r.stdout.strip(), "node3", r.stderr)

    def test_access_log_and_delay(self):
        a = TB.bmc_addrs[0]
        b = TB.bmc(a)
        TB.set_bmc_delay(a, 0.3)
        try:
            t0 = time.monotonic()
            agent("systems/bmcs/_/power.read", bmcpath(a, "power"), address=a)
            self.assertGreaterEqual(time.monotonic() - t0, 0.3)
        finally:
            TB.set_bmc_delay(a, 0)
        with open(b["access_log"]) as f:
            lines = f.read().splitlines()
        self.assertRegex(lines[-2], r"^\d+\.\d+ \d+ begin get power$")
        self.assertRegex(lines[-1], r"^\d+\.\d+ \d+ end get rc=0$")
        self.assertGreaterEqual(float(lines[-1].split()[0]) - float(lines[-2].split()[0]), 0.3)


def listeners(base):
    """Listening TCP / bound UDP sockets still on addresses under base
    (TIME_WAIT leftovers of closed connections do not count)."""
    out = []
    for fn in ("/proc/net/tcp", "/proc/net/udp"):
        with open(fn) as f:
            for line in f.readlines()[1:]:
                f = line.split()
                local, state = f[1], f[3]
                if fn.endswith("tcp") and state != "0A":      # 0A = LISTEN
                    continue
                h, p = local.split(":")
                ip = ".".join(str(int(h[i:i + 2], 16)) for i in (6, 4, 2, 0))
                if ip.startswith(base + "."):
                    out.append("%s %s:%d" % (fn, ip, int(p, 16)))
    return out


def main():
    global TB, OPTS
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="127.9")
    ap.add_argument("--hosts", type=int, default=16)
    ap.add_argument("--blades", type=int, default=4)
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    ap.add_argument("-v", action="store_true")
    ap.add_argument("tests", nargs="*")
    OPTS = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: the testbed needs root (sshd, useradd)")
        return 77
    atexit.register(_cleanup)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    d = tempfile.mkdtemp(prefix="sysman-testbed-")
    ok = False
    try:
        TB = testbed.Testbed(d, hosts=OPTS.hosts, bmcs=3, chassis_blades=OPTS.blades,
                             base=OPTS.base)
        t0 = time.monotonic()
        TB.start()
        print("selftest: testbed up in %.1fs in %s" % (time.monotonic() - t0, d))
        loader = unittest.TestLoader()
        if OPTS.tests:
            suite = loader.loadTestsFromNames(OPTS.tests, sys.modules[__name__])
        else:
            suite = loader.loadTestsFromModule(sys.modules[__name__])
        try:
            res = unittest.TextTestRunner(verbosity=2 if OPTS.v else 1).run(suite)
        except KeyboardInterrupt:
            print("selftest: interrupted")
            return 1
        ok = res.wasSuccessful()
        pids = TB.all_pids()
        tb = TB
        _cleanup()
        left = [p for p in pids if testbed._pid_alive(p)]
        socks = listeners(OPTS.base)
        if left or socks:
            print("selftest: FAIL left behind: pids %s sockets %s" % (left, socks))
            ok = False
        else:
            print("selftest: stop left no process or socket behind")
        if tb.status()["ok"]:
            ok = False
    finally:
        _cleanup()
        if not OPTS.keep:
            import shutil
            shutil.rmtree(d, ignore_errors=True)
    print("selftest: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
