"""Group attributes reach the daemon's own back ends: a group's attrs
(groups/<name>/attrs) act on its members as if the devices had them, by
the one rule every back end reads a device's attributes with (the
device's own win, then groups in name order; src/agent/attrs.c): a
server's bmc= for IPMI, a BMC's protocol= and verify= for Redfish, and
SYSMAN_ATTR_* for local agents.  Real ipmi_sim BMCs of the testbed and
fake Redfish BMCs (tests/testbed/redfish_bmc.py)."""
import os
import sys

import pytest

from conftest import ROOT, TB_BASE, bmc_addr

sys.path.insert(0, os.path.join(ROOT, "tests", "testbed"))
from redfish_bmc import RedfishBmcs  # noqa: E402

RF_BASE = os.environ.get("SYSMAN_TEST_RF_BASE", "127.8")
# where nothing answers, inside the testbed's range
DEAD_BMC = f"{TB_BASE}.9.9"

IPMI_POWER = "#!/usr/bin/env sysman-ipmi\npower\n"
AGENTS = {
    # discovery accepts every line: a BMC discovered with no protocol
    # keeps none (the shipped agent would probe for IPMI and refuse a
    # Redfish BMC)
    "_discover/bmc": "#!/bin/sh\nexit 0\n",
    "_discover/server": "#!/bin/sh\nexit 0\n",
    "systems/bmcs/_/power.read": IPMI_POWER,
    "systems/servers/_/power.read": IPMI_POWER,
    # what a local agent sees, by the same rule
    "systems/bmcs/_/attrs.read": '#!/bin/sh\necho "$SYSMAN_ATTR_protocol $SYSMAN_ATTR_verify"\n',
}


@pytest.fixture(scope="module")
def rf(tmp_path_factory, testbed):
    with RedfishBmcs(str(tmp_path_factory.mktemp("rf")), 2, base=RF_BASE, first=121,
                     user=testbed.bmc_user, password=testbed.bmc_password) as r:
        yield r


def audit_vias(s, path):
    """The via= of every audit line of path's runs."""
    out = []
    with open(s.audit) as f:
        for line in f:
            if f" path={path} " in line or line.rstrip().endswith(f" path={path}"):
                out += [w[4:] for w in line.split() if w.startswith("via=")]
    return out


def test_group_gives_bmcs_protocol_and_verify(make_sysman, testbed, rf):
    for a in rf.addrs:
        rf.reset(a)
        rf.fault(a, power="On", session_timeout=600)
    s = make_sysman(conf="ipmi_timeout = 1\n", agents=AGENTS)
    s.write("ids", f"{testbed.bmc_user} {testbed.bmc_password}\n")
    rf0, rf1, ipmi = rf.addrs[0], rf.addrs[1], bmc_addr(TB_BASE, 1)
    # rf0 says nothing; rf1 wants its certificate verified; the ipmi_sim
    # BMC says it speaks IPMI
    s.write("discover_master", f"bmc {rf0}\nbmc {rf1} verify=yes\nbmc {ipmi} protocol=ipmi\n")
    assert s.status("discover_master").startswith("0"), s.status("discover_master")

    # control: without the group rf0 is asked over IPMI, where nothing answers
    s.read(f"systems/bmcs/{rf0}/power")
    assert s.status(f"systems/bmcs/{rf0}/power") != "0"
    assert s.read(f"systems/bmcs/{rf0}/attrs") == " \n"

    os.makedirs(s.p("groups/redfish"))
    s.write("groups/redfish/members", f"{rf0},{rf1}\n{ipmi}\n")
    s.write("groups/redfish/attrs", "protocol=redfish verify=no\n")
    # rf0 behaves as if it had been discovered with protocol=redfish verify=no
    assert s.read(f"systems/bmcs/{rf0}/power") == "on\n", s.status(f"systems/bmcs/{rf0}/power")
    assert s.status(f"systems/bmcs/{rf0}/power") == "0"
    assert audit_vias(s, f"/systems/bmcs/{rf0}/power")[-1] == "redfish"
    assert rf.stats(rf0)["logins"] == 1
    # the device's own attributes win: rf1 is asked over Redfish and
    # verifies the fake BMC's self-signed certificate, which fails
    s.read(f"systems/bmcs/{rf1}/power")
    st = s.status(f"systems/bmcs/{rf1}/power")
    assert st != "0" and "certificate" in st.lower(), st
    assert rf.stats(rf1)["logins"] == 0
    # ... and the ipmi_sim BMC stays on IPMI
    assert s.read(f"systems/bmcs/{ipmi}/power") == "on\n", s.status(f"systems/bmcs/{ipmi}/power")
    assert audit_vias(s, f"/systems/bmcs/{ipmi}/power")[-1] == "ipmi"
    # local agents see what the back ends act on
    assert s.read(f"systems/bmcs/{rf0}/attrs") == "redfish no\n"
    assert s.read(f"systems/bmcs/{rf1}/attrs") == "redfish yes\n"
    assert s.read(f"systems/bmcs/{ipmi}/attrs") == "ipmi no\n"

    # what the group says is what the next run does
    s.write("groups/redfish/members", f"{rf1}\n")
    s.read(f"systems/bmcs/{rf0}/power")
    assert s.status(f"systems/bmcs/{rf0}/power") != "0"
    assert audit_vias(s, f"/systems/bmcs/{rf0}/power")[-1] == "ipmi"


def test_group_pairs_servers_with_a_bmc(make_sysman, testbed):
    s = make_sysman(conf="ipmi_timeout = 1\n", agents=AGENTS)
    s.write("ids", f"{testbed.bmc_user} {testbed.bmc_password}\n")
    live = bmc_addr(TB_BASE, 2)
    s.write("discover_master", f"server 10.9.0.1 n1\nserver 10.9.0.2 n2 bmc={DEAD_BMC}\n")
    assert s.status("discover_master").startswith("0"), s.status("discover_master")

    # control: n1 has no BMC of its own
    s.read("systems/servers/n1/power")
    assert s.status("systems/servers/n1/power").startswith("2 no BMC is paired")

    # blades that share one management controller: one group says which
    os.makedirs(s.p("groups/chassis1"))
    for n in ("n1", "n2"):
        os.symlink(f"../../systems/servers/{n}", s.p(f"groups/chassis1/{n}"))
    s.write("groups/chassis1/attrs", f"bmc={live}\n")
    assert s.read("systems/servers/n1/power") == "on\n", s.status("systems/servers/n1/power")
    assert s.status("systems/servers/n1/power") == "0"
    # n2's own bmc= wins: it asks the BMC that does not answer
    s.read("systems/servers/n2/power")
    assert s.status("systems/servers/n2/power") != "0"
