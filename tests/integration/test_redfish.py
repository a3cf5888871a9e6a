"""Redfish BMCs through the mount: the IPMI agent files of a BMC
discovered with protocol=redfish are served over Redfish in the daemon
(src/agent/be_redfish.c, src/redfish), against fake Redfish BMCs
(tests/testbed/redfish_bmc.py) next to the testbed's ipmi_sim BMCs."""
import os
import sys

import pytest

from conftest import ROOT, TB_BASE, bmc_addr, in_sysman, sh

sys.path.insert(0, os.path.join(ROOT, "tests", "testbed"))
from redfish_bmc import RedfishBmcs  # noqa: E402

RF_BASE = os.environ.get("SYSMAN_TEST_RF_BASE", "127.8")
NRF = 3


@pytest.fixture(scope="module")
def rf(tmp_path_factory, testbed):
    # the same credentials as the IPMI BMCs: one ids entry serves the site
    with RedfishBmcs(str(tmp_path_factory.mktemp("rf")), NRF, base=RF_BASE, first=101,
                     user=testbed.bmc_user, password=testbed.bmc_password) as r:
        yield r


@pytest.fixture
def site(make_sysman, testbed, rf):
    """A mount with the shipped agents, the IPMI BMCs and the Redfish ones
    discovered, credentials in /sysman/ids."""
    for a in rf.addrs:
        rf.reset(a)
        rf.fault(a, power="On", session_timeout=600)
    s = make_sysman(conf=f"agent_dir = {ROOT}/agents\nagent_timeout = 10\n")
    s.write("ids", f"{testbed.bmc_user} {testbed.bmc_password}\n")
    lines = [f"bmc {bmc_addr(TB_BASE, i)}\n" for i in (1, 2, 3)]
    lines += [f"bmc {a} protocol=redfish verify=no\n" for a in rf.addrs]
    s.write("discover_master", "".join(lines))
    for a in rf.addrs:
        assert os.path.isdir(s.p(f"systems/bmcs/{a}")), s.log()
    return s


def test_every_file_on_a_redfish_bmc(site, rf, testbed):
    s, a = site, rf.addrs[0]
    d = f"systems/bmcs/{a}"
    names = set(os.listdir(s.p(d)))
    assert {"power", "temperature", "fru"} <= names
    assert s.read(f"{d}/power") == "on\n" and s.status(f"{d}/power") == "0"
    assert s.read(f"{d}/temperature") == "45\n" and s.status(f"{d}/temperature") == "0"
    fru = s.read(f"{d}/fru")
    assert " Product Serial        : RF000101\n" in fru and s.status(f"{d}/fru") == "0"
    s.write(f"{d}/power", "off\n")
    assert s.status(f"{d}/power") == "0" and s.read(f"{d}/power") == "off\n"
    assert rf.stats(a)["power"] == "Off"
    s.write(f"{d}/power", "maybe\n")
    assert s.status(f"{d}/power") == ("22 invalid power value 'maybe': expected on, off, cycle, "
                                      "reset, soft, 1 or 0")
    s.write(f"{d}/power", "cycle\n")
    assert s.status(f"{d}/power") == "0"
    st = rf.stats(a)
    assert st["resets"] == ["ForceOff", "PowerCycle"] and st["power"] == "On"
    # one session for all of it
    assert st["logins"] == 1, st
    assert s.read(f"{d}/bootorder") == "network, floppy, cdrom, harddisk\n"
    s.write(f"{d}/bootorder", "pxe\n")
    assert s.status(f"{d}/bootorder") == "0"
    assert rf.stats(a)["boot"] == ["Pxe", "Continuous"]
    s.write(f"{d}/bootorder", "tape\n")
    assert s.status(f"{d}/bootorder") == ("22 boot device 'tape' has no IPMI mapping (known: network, "
                                          "floppy, cdrom, harddisk)")
    assert s.read(f"{d}/sensors") == ("CPU1 Temp | 45 degrees C | ok\nInlet Temp | 22 degrees C | ok\n"
                                      "FAN1 | 5400 RPM | ok\n")
    log = s.read(f"{d}/eventlog")
    assert "| System Event #0x02 | System powered off | Asserted\n" in log, log
    s.write(f"{d}/eventlog", "clear\n")
    assert s.status(f"{d}/eventlog") == "0" and s.read(f"{d}/eventlog") == ""
    assert rf.stats(a)["logins"] == 1
    audit = open(s.audit).read()
    assert "via=redfish" in audit
    for path in (s.audit, s.logfile):
        assert testbed.bmc_password not in open(path).read()
    assert sh(f"grep -r -l -a {testbed.bmc_password} {s.state} || true").stdout == ""


def test_mixed_site_figure_1(site, rf, testbed):
    s = site
    ipmi = [bmc_addr(TB_BASE, i) for i in (1, 2, 3)]
    for b in ipmi:
        assert testbed.ipmitool(b, "chassis", "power", "on").returncode == 0
    assert testbed.ipmitool(ipmi[1], "chassis", "power", "off").returncode == 0
    rf.fault(rf.addrs[2], power="Off")
    try:
        r = in_sysman(s, "find /sysman/systems -name power | xargs grep -l on")
    finally:   # the testbed is shared by the session's other tests
        testbed.ipmitool(ipmi[1], "chassis", "power", "on")
    got = sorted(r.stdout.split())
    want = sorted(f"/sysman/systems/bmcs/{a}/power"
                  for a in (ipmi[0], ipmi[2], rf.addrs[0], rf.addrs[1]))
    assert got == want, (r.stdout, r.stderr)
    audit = open(s.audit).read()
    assert "via=redfish" in audit and "via=ipmi" in audit


def test_faults_give_status_and_leave_others(site, rf):
    s = site
    a, b, c = rf.addrs
    fa, fb = f"systems/bmcs/{a}/power", f"systems/bmcs/{b}/power"
    assert s.read(fa) == "on\n"
    # 503 once: a read is retried; for ever: its status, the others answer
    rf.fault(a, http503=1)
    assert s.read(fa) == "on\n" and s.status(fa) == "0"
    rf.fault(a, http503=-1)
    s.read(fa)
    assert s.status(fa).startswith(f"11 BMC {a}:443: HTTP 503 Service Unavailable")
    s.write(fa, "cycle\n")
    assert s.status(fa).startswith(f"11 BMC {a}:443: HTTP 503") and "write was not done" in s.status(fa)
    assert s.read(fb) == "on\n" and s.status(fb) == "0"
    rf.fault(a, http503=0)
    # a dropped connection: a read is retried, a write is not sent again
    rf.fault(a, drop=1)
    assert (s.read(fa), s.status(fa)) == ("on\n", "0")
    rf.fault(a, drop=1)
    s.write(fa, "reset\n")
    assert s.status(fa).startswith(f"104 BMC {a}:443: connection dropped") and \
        "may or may not" in s.status(fa)
    assert rf.stats(a)["resets"] == []
    # an expired session: renewed once, the write done once
    rf.fault(a, expire=True)
    s.write(fa, "off\n")
    assert s.status(fa) == "0"
    st = rf.stats(a)
    assert st["resets"] == ["ForceOff"] and st["logins"] == 2, st
    # a wrong password
    rf.fault(b, password="changed", expire=True)
    s.read(fb)
    assert s.status(fb) == f"13 BMC {b}:443: authentication failed (wrong user or password)"
    # a slow BMC times out; the others answer meanwhile
    rf.fault(c, slow=5)
    fc = f"systems/bmcs/{c}/power"
    r = sh(f"cat {s.p(fc)} & sleep 0.3; time cat {s.p(f'systems/bmcs/{a}/power')}; wait")
    assert r.stdout.startswith("off\n")
    assert s.status(fc).startswith(f"110 BMC {c}:443: no answer within 4000 ms")
    rf.fault(c, slow=0)
    rf.reset(b)
    assert s.read(fc) == "on\n" and s.read(fb) == "on\n"


def test_tls_verified_by_default_and_server_paired(make_sysman, testbed, rf):
    from conftest import host_addr
    for a in rf.addrs:
        rf.reset(a)
        rf.fault(a, power="On")
    s = make_sysman(conf=f"agent_dir = {ROOT}/agents\nagent_timeout = 10\n", sub="tls")
    s.write("ids", f"{testbed.bmc_user} {testbed.bmc_password}\n")
    a, c = rf.addrs[0], rf.addrs[2]
    h = host_addr(TB_BASE, 5)
    s.write("discover_master", f"bmc {c} protocol=redfish\nbmc {a} protocol=redfish verify=no\n"
                               f"server {h} paired5 bmc={a}\n")
    # discovery asked for the service root (no credentials); the daemon
    # itself sends nothing over an unverified connection
    before = rf.stats(c)["requests"]
    s.read(f"systems/bmcs/{c}/power")
    st = s.status(f"systems/bmcs/{c}/power")
    assert st.startswith(f"71 BMC {c}:443: TLS:") and "verify=no" in st
    assert rf.stats(c)["requests"] == before
    f = "systems/servers/paired5/power"
    assert s.read(f) == "on\n" and s.status(f) == "0"
    assert "via=redfish" in open(s.audit).read()


def test_run_timeout_bounds_every_exchange(make_sysman, testbed, rf):
    """[timeout] applies to a Redfish run as a whole (login, retry and all)."""
    c = rf.addrs[2]
    rf.reset(c)
    s = make_sysman(conf=f"agent_dir = {ROOT}/agents\nagent_timeout = 10\n"
                         "[timeout]\nsystems/bmcs/*/power = 2\n", sub="tmo")
    s.write("ids", f"{testbed.bmc_user} {testbed.bmc_password}\n")
    s.write("discover_master", f"bmc {c} protocol=redfish verify=no\n")
    rf.fault(c, slow=3)
    r = sh(f"time -p cat {s.p(f'systems/bmcs/{c}/power')}")
    real = float([w for w in r.stderr.split("\n") if w.startswith("real")][0].split()[1])
    assert real < 3.5, r.stderr
    assert s.status(f"systems/bmcs/{c}/power") == f"110 BMC {c}:443: no answer within 2000 ms"
    rf.fault(c, slow=0)


def device_attrs(s, path):
    import sqlite3
    db = sqlite3.connect(s.db)
    try:
        row = db.execute("SELECT attrs FROM devices WHERE path = ?", (path,)).fetchone()
    finally:
        db.close()
    return row[0] if row else None


def test_protocol_auto_and_scan(make_sysman, testbed, rf):
    """protocol=auto: Redfish where the service root answers, IPMI
    otherwise; a scan probes /redfish/v1 as well as RMCP; a BMC that
    answers neither is refused with the reason."""
    for a in rf.addrs:
        rf.reset(a)
        rf.fault(a, power="On")
    ipmi = bmc_addr(TB_BASE, 3)
    assert testbed.ipmitool(ipmi, "chassis", "power", "on").returncode == 0
    net = rf.addrs[0].rsplit(".", 1)[0] + ".0/24"
    s = make_sysman(conf=f"agent_dir = {ROOT}/agents\nagent_timeout = 10\n"
                         f"redfish_verify = no\ndiscover_networks = {net}\n", sub="auto")
    s.write("ids", f"{testbed.bmc_user} {testbed.bmc_password}\n")
    a = rf.addrs[0]
    s.write("discover_master", f"bmc {a} protocol=auto\nbmc {ipmi} protocol=auto\n")
    assert device_attrs(s, f"/systems/bmcs/{a}") == "protocol=redfish"
    assert device_attrs(s, f"/systems/bmcs/{ipmi}") == "protocol=ipmi"
    logins = rf.stats(a)["logins"]
    assert s.read(f"systems/bmcs/{a}/power") == "on\n"
    assert s.read(f"systems/bmcs/{ipmi}/power") == "on\n"
    assert rf.stats(a)["logins"] == logins + 1
    audit = open(s.audit).read()
    assert "via=redfish" in audit and "via=ipmi" in audit
    # nothing answers: refused, with the reason, nothing recorded
    nobody = net.replace(".0/24", ".250")
    r = sh(f'echo "bmc {nobody} protocol=auto" > {s.p("discover_master")}', check=False)
    assert r.returncode != 0
    assert "neither a Redfish service root" in s.status("discover_master")
    assert device_attrs(s, f"/systems/bmcs/{nobody}") is None
    r = sh(f'echo "bmc {a} protocol=snmp" > {s.p("discover_master")}', check=False)
    assert r.returncode != 0 and "bad protocol=snmp" in s.status("discover_master")
    # the scan of the Redfish BMCs' network finds every one as Redfish
    s.write("discover_master", "1\n")
    for b in rf.addrs:
        assert device_attrs(s, f"/systems/bmcs/{b}") == "protocol=redfish", s.log()
        assert s.read(f"systems/bmcs/{b}/power") == "on\n"
    assert sorted(os.listdir(s.p("systems/bmcs"))) == sorted(rf.addrs + [ipmi])
