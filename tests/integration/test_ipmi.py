"""IPMI agents served inside sysmand (#!/usr/bin/env sysman-ipmi) over its
own RMCP+ sessions, against the testbed's ipmi_sim BMCs."""
import os
import time

from conftest import TB_BASE, bmc_addr, sh

# An agent directory whose IPMI agent files have no lib/ipmi-agent above
# them: run as a process, sysman-ipmi fails with 127, so a success proves
# the daemon served the file itself.
IPMI_POWER = """\
    #!/usr/bin/env sysman-ipmi
    power
    """


def ipmi_only(make_sysman, testbed, extra=""):
    s = make_sysman(conf=extra, agents={"systems/bmcs/_/power.read": IPMI_POWER,
                                        "systems/bmcs/_/power.write": IPMI_POWER})
    s.write("ids", f"{testbed.bmc_user} {testbed.bmc_password}\n")
    return s


def test_power_read_write_in_daemon(make_sysman, testbed):
    s = ipmi_only(make_sysman, testbed)
    b = bmc_addr(TB_BASE, 2)
    os.makedirs(s.p(f"systems/bmcs/{b}"))
    f = f"systems/bmcs/{b}/power"
    assert s.read(f) == "on\n" and s.status(f) == "0"
    s.write(f, "off\n")
    assert s.status(f) == "0" and s.read(f) == "off\n"
    assert "off" in testbed.ipmitool(b, "chassis", "power", "status").stdout
    s.write(f, "1\n")
    assert s.status(f) == "0"
    assert "on" in testbed.ipmitool(b, "chassis", "power", "status").stdout
    # refused before the network, with lib/ipmi-agent's message
    s.write(f, "maybe\n")
    assert s.status(f) == ("22 invalid power value 'maybe': expected on, off, cycle, "
                           "reset, soft, 1 or 0")
    assert "on" in testbed.ipmitool(b, "chassis", "power", "status").stdout
    audit = open(s.audit).read()
    assert audit.count(f"/{f} ") >= 4 and "agent.write" in audit
    for path in (s.audit, s.logfile):
        assert testbed.bmc_password not in open(path).read()
    assert sh(f"grep -r -l -a {testbed.bmc_password} {s.state} || true").stdout == ""


def test_many_reads_concurrent_in_daemon(make_sysman, testbed):
    s = ipmi_only(make_sysman, testbed)
    bmcs = [bmc_addr(TB_BASE, i) for i in (1, 2, 3)]
    for b in bmcs:
        os.makedirs(s.p(f"systems/bmcs/{b}"))
    files = " ".join(s.p(f"systems/bmcs/{b}/power") for b in bmcs * 10)
    r = sh(f"echo {files} | xargs -n 1 -P 16 cat")
    assert r.stdout.split() == ["on"] * 30
    assert all(s.status(f"systems/bmcs/{b}/power") == "0" for b in bmcs)


def test_lock_keeps_ipmi_in_daemon(make_sysman, testbed):
    """A lock serialises IPMI files in the daemon like any other agent
    (issue 9): they are not handed to a process (here sysman-ipmi would
    find no lib/ipmi-agent and fail with 127)."""
    s = ipmi_only(make_sysman, testbed)
    b = bmc_addr(TB_BASE, 1)
    os.makedirs(s.p(f"systems/bmcs/{b}"))
    f = f"systems/bmcs/{b}/power"
    assert s.read(f) == "on\n"
    sh(f"touch {s.p(f'systems/bmcs/{b}/lock')}")
    assert s.read(f) == "on\n" and s.status(f) == "0"
    audit = open(s.audit).read()
    assert f"/{f} " in audit and "via=ipmi" in audit
    os.unlink(s.p(f"systems/bmcs/{b}/lock"))
    assert s.read(f) == "on\n" and s.status(f) == "0"


def test_credentials_and_errors_in_daemon(make_sysman, testbed):
    s = ipmi_only(make_sysman, testbed)
    b = bmc_addr(TB_BASE, 3)
    os.makedirs(s.p(f"systems/bmcs/{b}"))
    f = f"systems/bmcs/{b}/power"
    sh(f": > {s.p('ids')}")
    s.read(f)
    assert s.status(f) == (f"13 no credentials for BMC {b}: write \"user password\" "
                           "into an ids file")
    s.write(f"systems/bmcs/{b}/ids", f"{testbed.bmc_user} wrong-pw\n")
    s.write(f, "off\n")
    assert s.status(f) == f"13 authentication failed for user '{testbed.bmc_user}' on BMC {b}"
    assert "on" in testbed.ipmitool(b, "chassis", "power", "status").stdout
    s.write(f"systems/bmcs/{b}/ids", f"{testbed.bmc_user} {testbed.bmc_password}\n")
    assert s.read(f) == "on\n" and s.status(f) == "0"
    # a BMC that does not answer: ipmi_timeout (2 s) and libfreeipmi's back-off
    s.write("ids", f"{testbed.bmc_user} {testbed.bmc_password}\n")
    dead = f"{TB_BASE}.1.250"
    os.makedirs(s.p(f"systems/bmcs/{dead}"))
    t0 = time.time()
    s.read(f"systems/bmcs/{dead}/power")
    assert s.status(f"systems/bmcs/{dead}/power") == f"110 BMC {dead}:623 not responding"
    assert time.time() - t0 < 4
    # ADDR:PORT device names: the port is used
    os.makedirs(s.p(f"systems/bmcs/{b}:624"))
    s.read(f"systems/bmcs/{b}:624/power")
    assert s.status(f"systems/bmcs/{b}:624/power") == f"110 BMC {b}:624 not responding"
