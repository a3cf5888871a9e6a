"""The Redfish pool (src/redfish) through its driver, sysman-rfpool-run,
against fake Redfish BMCs (tests/testbed/redfish_bmc.py): the files'
texts, one session per BMC reused over kept-alive connections, TLS
verification, and each fault: 503, dropped connection, wrong password,
expired session, slow BMC; writes never sent twice.

  SYSMAN_RFPOOL_RUN=build/tests/redfish/sysman-rfpool-run \\
      /usr/bin/python3 -m pytest tests/redfish/test_pool.py
"""
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "testbed"))
from redfish_bmc import RedfishBmcs  # noqa: E402

BASE = os.environ.get("SYSMAN_TEST_RF_BASE", "127.8")
DRIVER = os.environ.get("SYSMAN_RFPOOL_RUN",
                        os.path.join(os.path.dirname(os.path.dirname(HERE)), "build", "tests",
                                     "redfish", "sysman-rfpool-run"))


class Driver:
    def __init__(self, *args):
        self.p = subprocess.Popen([DRIVER] + list(args), stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        self.send("password rfpass")

    def send(self, line):
        """Sends one line; returns its output lines (without the '. MS')."""
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        out = []
        while True:
            ln = self.p.stdout.readline()
            assert ln, "driver exited"
            if ln.startswith(". "):
                return out
            out.append(ln.rstrip("\n"))

    def one(self, line):
        out = self.send(line)
        assert len(out) == 1, out
        host, rest = out[0].split(": ", 1)
        rc, _, text = rest.partition(" ")
        return rc, text

    def stats(self):
        line = self.send("stats")[0]
        return {k: int(v) for k, v in (w.split("=") for w in line.split()[1:])}

    def close(self):
        self.p.stdin.close()
        assert self.p.wait(30) == 0


@pytest.fixture(scope="module")
def rf(tmp_path_factory):
    with RedfishBmcs(str(tmp_path_factory.mktemp("rf")), 4, base=BASE, first=231) as r:
        yield r


@pytest.fixture(autouse=True)
def clean(rf):
    for a in rf.addrs:
        rf.reset(a)
        rf.fault(a, power="On")
    yield


@pytest.fixture
def drv():
    d = Driver("-k", "-t", "1500")
    yield d
    d.close()


def test_texts_and_one_session_per_bmc(rf, drv):
    out = drv.send("read power " + " ".join(rf.addrs))
    assert out == ["%s: 0 on\\n" % a for a in rf.addrs]
    a = rf.addrs[0]
    assert drv.one("read temperature " + a) == ("0", "45\\n")
    rc, fru = drv.one("read fru " + a)
    assert rc == "0" and " Product Serial        : RF000231\\n" in fru
    assert drv.one("write power %s off" % a) == ("0", "off\\n")
    assert drv.one("read power " + a) == ("0", "off\\n")
    assert drv.one("read temperature " + a) == ("0", "25\\n")
    assert drv.one("write power %s cycle" % a) == ("0", "on\\n")
    for _ in range(20):
        assert drv.one("read power " + a) == ("0", "on\\n")
    s = rf.stats(a)
    assert s["logins"] == 1, s
    # kept alive: one connection for every read, a new one per write
    assert s["connections"] <= 3, s
    assert s["resets"] == ["ForceOff", "PowerCycle"]
    st = drv.stats()
    assert st["logins"] == len(rf.addrs) and st["relogins"] == 0


def test_refused_value_never_reaches_the_bmc(rf, drv):
    assert drv.send("write power %s bogus" % rf.addrs[0]) == [
        "error: invalid power value 'bogus': expected on, off, cycle, reset, soft, 1 or 0"]
    assert drv.send("write temperature %s 3" % rf.addrs[0]) == ["error: no write operation for 'temperature'"]
    assert rf.stats(rf.addrs[0])["requests"] == 0


def test_tls_verified_by_default(rf):
    d = Driver()
    rc, msg = d.one("read power " + rf.addrs[0])
    assert rc == "-EPROTO" and "verify=no" in msg
    d.close()
    d = Driver("-c", rf.cert)            # the BMC's own certificate as CA
    assert d.one("read power " + rf.addrs[0]) == ("0", "on\\n")
    d.close()


def test_503_read_retried_write_not(rf, drv):
    a, b = rf.addrs[0], rf.addrs[1]
    drv.one("read power " + a)
    rf.fault(a, http503=1)
    assert drv.one("read power " + a) == ("0", "on\\n")
    assert drv.stats()["retries"] == 1
    rf.fault(a, http503=-1)
    rc, msg = drv.one("read power " + a)
    assert rc == "-EAGAIN" and "503" in msg
    rc, msg = drv.one("write power %s cycle" % a)
    assert rc == "-EAGAIN" and "not done" in msg
    assert drv.one("read power " + b) == ("0", "on\\n")      # others answer
    rf.fault(a, http503=0)
    assert rf.stats(a)["resets"] == []


def test_dropped_connection_read_retried_write_sent_once(rf, drv):
    a = rf.addrs[1]
    drv.one("read power " + a)
    rf.fault(a, drop=1)
    assert drv.one("read power " + a) == ("0", "on\\n")
    before = rf.stats(a)["requests"]
    rf.fault(a, drop=1)
    rc, msg = drv.one("write power %s reset" % a)
    assert rc == "-ECONNRESET" and "may or may not" in msg
    assert rf.stats(a)["requests"] == before + 1       # sent exactly once
    assert drv.one("read power " + a) == ("0", "on\\n")


def test_wrong_password_and_expired_session(rf, drv):
    a, b = rf.addrs[2], rf.addrs[3]
    drv.one("read power " + a)
    rf.fault(a, expire=True)
    assert drv.one("write power %s off" % a) == ("0", "off\\n")
    s = rf.stats(a)
    assert s["logins"] == 2 and s["resets"] == ["ForceOff"]
    assert drv.stats()["relogins"] == 1
    rf.fault(a, password="other", expire=True)
    rc, msg = drv.one("read power " + a)
    assert rc == "-EACCES" and "authentication failed" in msg and "rfpass" not in msg
    assert drv.one("read power " + b) == ("0", "on\\n")
    drv.send("password other")
    assert drv.one("read power " + a) == ("0", "off\\n")


def test_slow_bmc_times_out_alone(rf, drv):
    a, b = rf.addrs[3], rf.addrs[0]
    rf.fault(a, slow=2.5)
    out = drv.send("read power %s %s" % (a, b))
    assert out[1] == "%s: 0 on\\n" % b
    assert out[0].startswith("%s: -ETIMEDOUT BMC %s:443: no answer within 1500 ms" % (a, a))
    rf.fault(a, slow=0)


def test_basic_auth_without_session_service(tmp_path):
    with RedfishBmcs(str(tmp_path), 1, base=BASE, first=240, sessions=False) as r:
        d = Driver("-k")
        for _ in range(3):
            assert d.one("read power " + r.addrs[0]) == ("0", "on\\n")
        s = r.stats(r.addrs[0])
        assert s["logins"] == 0 and s["basic"] == 4     # Systems once, then 3 reads
        d.send("password nope")
        rc, _ = d.one("read power " + r.addrs[0])
        assert rc == "-EACCES"
        d.close()


def test_bootorder_sensors_eventlog(rf, drv):
    a = rf.addrs[0]
    assert drv.one("read bootorder " + a) == ("0", "network, floppy, cdrom, harddisk\\n")
    assert drv.one("write bootorder %s pxe" % a) == ("0", "network, floppy, cdrom, harddisk\\n")
    assert drv.one("write bootorder %s disk, cd" % a) == ("0", "harddisk, network, floppy, cdrom\\n")
    assert rf.stats(a)["boot"] == ["Hdd", "Continuous"]
    assert drv.one("read bootorder " + a) == ("0", "harddisk, network, floppy, cdrom\\n")
    rc, msg = drv.one("write bootorder %s floppy" % a)      # the fake refuses Floppy
    assert rc == "-EIO" and "HTTP 400" in msg and "Floppy" in msg
    assert drv.send("write bootorder %s tape" % a) == [
        "error: boot device 'tape' has no IPMI mapping (known: network, floppy, cdrom, harddisk)"]
    assert drv.one("write bootorder %s none" % a) == ("0", "network, floppy, cdrom, harddisk\\n")
    assert rf.stats(a)["boot"] == ["None", "Disabled"]
    assert rf.stats(a)["patches"] == 3        # the refused one changed nothing
    assert drv.one("read sensors " + a) == (
        "0", "CPU1 Temp | 45 degrees C | ok\\nInlet Temp | 22 degrees C | ok\\nFAN1 | 5400 RPM | ok\\n")
    rc, log = drv.one("read eventlog " + a)
    assert rc == "0" and log.startswith("   1 | ") and " | Power Unit #0x01 | System AC power restored | Asserted\\n" in log
    assert drv.one("write eventlog %s clear" % a) == ("0", "")
    rf.fault(a, event="CPU1 over temperature")
    rc, log = drv.one("read eventlog " + a)
    assert rc == "0" and log.endswith(" UTC | Temperature #0x01 | CPU1 over temperature | Asserted\\n")
    assert log.startswith("   1 | ") and log.count("\\n") == 1
    assert drv.send("write eventlog %s nope" % a) == ["error: eventlog accepts only 'clear'"]
    assert drv.one("write eventlog %s clear" % a) == ("0", "")
    assert drv.one("read eventlog " + a) == ("0", "")
