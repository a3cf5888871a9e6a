#!/usr/bin/python3
"""tests/ipmi/test_pool.py - the in-daemon IPMI pool (src/ipmi) against
real OpenIPMI ipmi_sim BMCs.

Usage: test_pool.py path/to/sysman-ipmipool-run

Starts its own BMCs with tests/testbed/testbed.py (three ipmi_sim on
127.B.1.1-3, B from SYSMAN_IPMI_TEST_BASE, SYSMAN_TEST_TB_BASE or the first
free of 127.8, 127.10, 127.11, ...) and drives the pool through
sysman-ipmipool-run (a script on its stdin, results on its stdout).
Covers: power read and write (checked on the BMC's own state), session
reuse (the pool's counters: one session per BMC for many requests),
keepalive across idle time, a changed password, a wrong password (EACCES,
nothing changes), a dead BMC (ETIMEDOUT within the bound, cold and with an
open session), a restarted BMC (the session is replaced transparently),
and every property against lib/ipmi-agent (ipmitool) on the same BMCs:
bootorder, temperature, temperature_mp, sensors, eventlog and fru reads
(also with threshold events and readings out of range), bootorder and
eventlog writes, refused values, a wrong password and a dead BMC give the
same content, exit code and message; the SDR is read once per BMC.  Every process it
starts is stopped by PID, even on failure.  Needs root (ipmi_sim on port
623 of loopback addresses) and ipmi_sim; exits 77 (meson: skipped)
otherwise.
"""
import errno
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
AGENT = os.path.join(HERE, "..", "..", "agents", "lib", "ipmi-agent")
sys.path.insert(0, os.path.join(HERE, "..", "testbed"))
from testbed import BMC_PASSWORD, BMC_USER, Testbed, TestbedError, bmc_addr  # noqa: E402

PASSES, FAILS = 0, 0


def check(what, ok, detail=""):
    global PASSES, FAILS
    if ok:
        PASSES += 1
        print("PASS: " + what, flush=True)
    else:
        FAILS += 1
        print("FAIL: %s%s" % (what, (": " + str(detail)) if detail != "" else ""), flush=True)


class Pool:
    """One sysman-ipmipool-run process; cmd() sends a script line and
    returns (output lines, milliseconds)."""

    def __init__(self, tool, *args):
        self.proc = subprocess.Popen([tool, *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)
        self.buf = b""
        self.cmd("user " + BMC_USER)
        self.cmd("password " + BMC_PASSWORD)

    def _line(self, deadline, what):
        """The next output line (own buffer: select() does not see what a
        buffered reader already holds)."""
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                raise RuntimeError("no answer to %r in time" % what)
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise RuntimeError("sysman-ipmipool-run exited (%s) on %r"
                                   % (self.proc.wait(), what))
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def cmd(self, line, timeout=60):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()
        out, deadline = [], time.monotonic() + timeout
        while True:
            text = self._line(deadline, line)
            if text.startswith(". "):
                return out, float(text[2:])
            out.append(text)

    def power(self, op, *hosts):
        """{host: (rc, text)} for one request per host (hosts may repeat:
        the last answer wins) and the elapsed milliseconds."""
        out, ms = self.cmd(op + " " + " ".join(hosts))
        res = {}
        for line in out:
            host, rest = line.split(": ", 1)
            rc, _, text = rest.partition(" ")
            res[host] = (rc, text)
        return res, ms, out

    def prop(self, op, prop, host, value=None):
        """(rc as an exit code, content, message) of one read or write, as
        lib/ipmi-agent would give them."""
        line = "%s %s %s" % (op, prop, host) + ("" if value is None else " " + value)
        out, _ = self.cmd(line)
        assert len(out) == 1, out
        rest = out[0].split(": ", 1)[1]
        rc, _, text = rest.partition(" ")
        if rc == "0":
            return 0, text.replace("\\n", "\n").replace("\\\\", "\\"), ""
        return getattr(errno, rc.lstrip("-")), "", text

    def stats(self):
        out, _ = self.cmd("stats")
        return {k: int(v) for k, v in (w.split("=") for w in out[0].split()[1:])}

    def close(self, timeout=30):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=timeout)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def bmc_power(tb, addr):
    """The BMC's own power state (its chassis-control state file)."""
    with open(os.path.join(tb.bmc(addr)["dir"], "power")) as f:
        return "off" if f.read().strip() == "0" else "on"


def agent(addr, op, prop, value=None, password=BMC_PASSWORD):
    """(exit code, stdout, first stderr line) of lib/ipmi-agent for one
    property of one BMC, the way sysmand runs it."""
    env = dict(os.environ, SYSMAN_ADDRESS=addr, SYSMAN_USER=BMC_USER,
               SYSMAN_PASSWORD=password, SYSMAN_IPMI_PROPERTY=prop, SYSMAN_OP=op,
               SYSMAN_PATH="/systems/bmcs/%s/%s" % (addr, prop))
    argv = ["/usr/bin/python3", AGENT, "-f", env["SYSMAN_PATH"]]
    if value is not None:
        argv += ["-i", value]
    r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60,
                       input="" if value is None else value + "\n")
    err = r.stderr.splitlines()
    return r.returncode, r.stdout, err[0] if err else ""


def same(what, mine, theirs):
    check(what + ": same as lib/ipmi-agent", mine == theirs,
          "pool %r, ipmi-agent %r" % (mine, theirs))


def compare_props(tool, tb, pools, b1, b2):
    """Every property through the pool against lib/ipmi-agent."""
    c = Pool(tool, "-t", "2000", "-i", "30")
    pools.append(c)
    # threshold events in the SELs and readings out of range
    tb.set_temperature(b1, 58)
    tb.set_temperature(b2, 70)
    for b in (b1, b2):
        for prop in ("bootorder", "temperature", "temperature_mp", "sensors", "eventlog", "fru"):
            same("read %s of %s" % (prop, b), c.prop("read", prop, b), agent(b, "read", prop))
    r = c.prop("read", "sensors", b2)
    check("sensors show the non-recoverable reading", r[0] == 0 and "70 degrees C | nr" in r[1], r)
    r = c.prop("read", "eventlog", b2)
    check("eventlog shows threshold events with readings",
          r[0] == 0 and "Upper Critical going high | Asserted | Reading 70 > Threshold" in r[1], r)
    tb.set_temperature(b1, 31)
    same("read temperature after a change", c.prop("read", "temperature", b1),
         agent(b1, "read", "temperature"))
    st0 = c.stats()
    for _ in range(5):
        c.prop("read", "sensors", b1)
        c.prop("read", "temperature", b2)
    st1 = c.stats()
    check("SDR read once per BMC, then cached",
          st0["sdr_fetches"] == 2 and st1["sdr_fetches"] == st0["sdr_fetches"], (st0, st1))

    # writes: the pool writes b1, the agent b2 (same starting state)
    for value in ("cdrom", "harddisk, network", "PXE floppy", "floppy, cdrom", "bios", "default",
                  "network, floppy, cdrom, harddisk"):
        mine, theirs = c.prop("write", "bootorder", b1, value), agent(b2, "write", "bootorder", value)
        mine = (mine[0], mine[1], mine[2].replace(b1, b2))     # messages name the BMC
        same("write bootorder %r" % value, mine, theirs)
        same("bootorder %r on the BMC" % value, open(os.path.join(tb.bmc(b1)["dir"], "boot")).read(),
             open(os.path.join(tb.bmc(b2)["dir"], "boot")).read())
        same("read bootorder after %r" % value, c.prop("read", "bootorder", b1),
             agent(b2, "read", "bootorder"))
    for value in ("floppy, tape", "", " , "):
        same("refused bootorder %r" % value, c.prop("write", "bootorder", b1, value),
             agent(b2, "write", "bootorder", value))
    for value in ("maybe", ""):
        same("refused power %r" % value, c.prop("write", "power", b1, value),
             agent(b2, "write", "power", value))
    same("refused eventlog write", c.prop("write", "eventlog", b1, "erase"),
         agent(b2, "write", "eventlog", "erase"))
    same("eventlog clear", c.prop("write", "eventlog", b1, " Clear "),
         agent(b2, "write", "eventlog", " Clear "))
    same("eventlog after clear", c.prop("read", "eventlog", b1), agent(b2, "read", "eventlog"))
    check("eventlog after clear is empty", c.prop("read", "eventlog", b1) == (0, "", ""))
    tb.set_temperature(b1, 30)
    tb.set_temperature(b2, 30)

    # faults: a wrong password, a dead BMC
    w = Pool(tool, "-t", "2000")
    pools.append(w)
    w.cmd("password not-the-password")
    for prop in ("sensors", "eventlog"):
        same("wrong password, %s" % prop, w.prop("read", prop, b1),
             agent(b1, "read", prop, password="not-the-password"))
    dead = "%s.1.250" % tb.base
    for prop in ("sensors", "fru"):
        same("dead BMC, %s" % prop, c.prop("read", prop, dead), agent(dead, "read", prop))
    same("dead BMC, bootorder write", c.prop("write", "bootorder", dead, "cdrom"),
         agent(dead, "write", "bootorder", "cdrom"))


def start_testbed(d):
    base = os.environ.get("SYSMAN_IPMI_TEST_BASE") or os.environ.get("SYSMAN_TEST_TB_BASE")
    bases = [base] if base else ["127.8"] + ["127.%d" % b for b in range(10, 30)]
    for base in bases:
        tb = Testbed(d, hosts=0, bmcs=3, chassis_blades=0, base=base, quiet=True)
        try:
            return tb.start()
        except TestbedError as e:
            if "already in use" not in str(e):
                raise
    raise TestbedError("no free 127.B.1.0/24 among %s" % bases)


def run_tests(tool, tb):
    b1, b2, b3 = (bmc_addr(tb.base, i) for i in (1, 2, 3))
    pools = []
    try:
        p = Pool(tool, "-t", "2000", "-i", "30")
        pools.append(p)

        # --- read and write power; the BMC's own state agrees
        res, ms, out = p.power("status", b1, b2, b3)
        check("read power on 3 BMCs", all(res[b] == ("0", "on") for b in (b1, b2, b3)), out)
        res, _, out = p.power("off", b2)
        check("write off: shows off", res[b2] == ("0", "off"), out)
        check("write off: the BMC is off", bmc_power(tb, b2) == "off", bmc_power(tb, b2))
        res, _, out = p.power("status", b2)
        check("read after write: off", res[b2] == ("0", "off"), out)
        r = tb.ipmitool(b2, "chassis", "power", "status")
        check("ipmitool agrees: off", "off" in r.stdout, r.stdout + r.stderr)
        res, _, out = p.power("on", b2)
        check("write on: the BMC is on", res[b2] == ("0", "on") and bmc_power(tb, b2) == "on", out)
        res, _, out = p.power("soft", b2)
        check("write soft: shows off", res[b2] == ("0", "off") and bmc_power(tb, b2) == "off", out)
        res, _, out = p.power("reset", b2)
        check("write reset: shows on", res[b2] == ("0", "on") and bmc_power(tb, b2) == "on", out)
        res, _, out = p.power("cycle", b2)
        check("write cycle: shows on", res[b2] == ("0", "on"), out)
        time.sleep(0.2)
        res, _, out = p.power("on", b2)
        check("on again: the BMC is on", res[b2] == ("0", "on") and bmc_power(tb, b2) == "on", out)

        # --- session reuse: many requests, one session per BMC
        st0 = p.stats()
        res, ms, out = p.power("status", *([b1, b2, b3] * 30))
        st1 = p.stats()
        check("90 reads over 3 BMCs at once: all on",
              len(out) == 90 and all(l.endswith(": 0 on") for l in out), out[:5])
        check("session reuse: no session opened for 90 reads",
              st1["opens"] == st0["opens"] == 3 and st1["sessions"] == 3, (st0, st1))
        check("session reuse: 90 commands counted",
              st1["commands"] - st0["commands"] == 90, (st0, st1))

        # --- idle sessions are kept alive (T = 2 s; idle 3 s > T)
        time.sleep(3)
        res, _, out = p.power("status", b1, b2, b3)
        st2 = p.stats()
        check("after 3 s idle: answers on the same sessions",
              all(res[b] == ("0", "on") for b in (b1, b2, b3)) and st2["opens"] == 3, (out, st2))
        check("keepalives sent while idle", st2["keepalives"] >= 3, st2)

        # --- a changed password replaces the session; a wrong one: EACCES
        p.cmd("password not-the-password")
        res, ms, out = p.power("off", b1, b1)
        check("wrong password: EACCES with the message of lib/ipmi-agent",
              res.get(b1) == ("-EACCES", "authentication failed for user '%s' on BMC %s"
                              % (BMC_USER, b1)), out)
        check("wrong password: the BMC stays on", bmc_power(tb, b1) == "on")
        check("wrong password: answered at once (%.0f ms)" % ms, ms < 1000)
        st3 = p.stats()
        check("wrong password: the session opened with the right one was closed",
              st3["closes"] - st2["closes"] == 1 and st3["open_fails"] - st2["open_fails"] >= 1,
              (st2, st3))
        p.cmd("password " + BMC_PASSWORD)
        res, _, out = p.power("status", b1)
        check("right password again: answers", res[b1] == ("0", "on"), out)

        # --- dead BMCs: nothing listening, and a BMC killed under an open session
        dead = "%s.1.250" % tb.base
        res, ms, out = p.power("status", dead, dead, dead)
        check("no BMC: ETIMEDOUT 'not responding'",
              res.get(dead) == ("-ETIMEDOUT", "BMC %s:623 not responding" % dead), out)
        check("no BMC: 3 queued requests answered within 1.5 T (%.0f ms)" % ms, ms < 3000)
        res, _, out = p.power("status", b3)     # warm session
        tb.kill_bmc(b3)
        res, ms, out = p.power("status", b3, b1)
        check("BMC killed under an open session: ETIMEDOUT",
              res.get(b3) == ("-ETIMEDOUT", "BMC %s:623 not responding" % b3), out)
        check("BMC killed: reported within 2.5 T (%.0f ms)" % ms, ms < 5000)
        check("BMC killed: the other BMC still answers", res.get(b1) == ("0", "on"), out)
        tb.restart_bmc(b3)
        res, _, out = p.power("status", b3)
        check("killed BMC restarted: answers again", res.get(b3) == ("0", "on"), out)

        # --- a BMC restarted under an open session: replaced transparently
        # (T = 5 s here, so that the keepalive does not notice first)
        q = Pool(tool, "-t", "5000", "-i", "60")
        pools.append(q)
        res, _, out = q.power("status", b2)
        st0 = q.stats()
        tb.kill_bmc(b2)
        tb.restart_bmc(b2)
        res, ms, out = q.power("status", b2)
        st1 = q.stats()
        check("BMC restarted under an open session: answers", res.get(b2) == ("0", "on"), out)
        check("BMC restarted: the session was replaced once",
              st1["reopens"] - st0["reopens"] == 1 and st1["opens"] - st0["opens"] == 1,
              (st0, st1))
        check("BMC restarted: within 1.5 T (%.0f ms)" % ms, ms < 7500)

        # --- a write on a session whose BMC restarted: the session is
        # proven first and replaced, and the write is sent exactly once
        def power_sets():
            with open(tb.bmc(b2)["access_log"]) as f:
                return sum(1 for l in f if " begin set power " in l)
        tb.kill_bmc(b2)
        tb.restart_bmc(b2)
        st0, sets0 = q.stats(), power_sets()
        res, ms, out = q.power("on", b2)
        st1 = q.stats()
        check("write after a BMC restart: answers", res.get(b2) == ("0", "on"), out)
        check("write after a BMC restart: sent once", power_sets() - sets0 == 1,
              power_sets() - sets0)
        check("write after a BMC restart: a new session",
              st1["opens"] - st0["opens"] == 1, (st0, st1))
        # a dead BMC: the write fails, never sent twice
        tb.kill_bmc(b2)
        res, ms, out = q.prop("write", "bootorder", b2, "cdrom"), 0, ""
        check("write to a BMC killed under an open session: ETIMEDOUT",
              res == (errno.ETIMEDOUT, "", "BMC %s:623 not responding" % b2), res)
        tb.restart_bmc(b2)

        # --- every property, as lib/ipmi-agent gives it
        compare_props(tool, tb, pools, b1, b2)

        # --- the pool closes its sessions at the end
        for pl in pools:
            t0 = time.monotonic()
            rc = pl.close()
            check("pool freed, exit 0 in %.1f s" % (time.monotonic() - t0),
                  rc == 0 and time.monotonic() - t0 < 10, rc)
    finally:
        for pl in pools:
            if pl.proc.poll() is None:
                pl.proc.kill()
                pl.proc.wait()


def main():
    if len(sys.argv) != 2:
        print("usage: test_pool.py path/to/sysman-ipmipool-run", file=sys.stderr)
        return 2
    if os.geteuid() != 0 or not shutil.which("ipmi_sim") or not shutil.which("ipmitool"):
        print("SKIP: needs root, ipmi_sim and ipmitool")
        return 77
    d = tempfile.mkdtemp(prefix="sysman-ipmi-test-", dir="/tmp")
    os.chmod(d, 0o755)
    tb = None
    try:
        tb = start_testbed(d)
        run_tests(os.path.abspath(sys.argv[1]), tb)
    except Exception as e:   # noqa: BLE001 - report, then clean up
        check("test run", False, "%s: %s" % (type(e).__name__, e))
    finally:
        if tb is not None:
            tb.stop()
        shutil.rmtree(d, ignore_errors=True)
    print("%d passed, %d failed" % (PASSES, FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
