"""The fake Redfish BMC (tests/testbed/redfish_bmc.py): its resource tree,
state kept across requests, keep-alive, sessions, and each fault switch.

  /usr/bin/python3 -m pytest tests/redfish/test_fake_bmc.py
"""
import base64
import http.client
import json
import os
import ssl
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "testbed"))
from redfish_bmc import RedfishBmcs  # noqa: E402

BASE = os.environ.get("SYSMAN_TEST_RF_BASE", "127.8")


@pytest.fixture(scope="module")
def rf(tmp_path_factory):
    with RedfishBmcs(str(tmp_path_factory.mktemp("rf")), 3, base=BASE, first=201) as r:
        yield r


@pytest.fixture(autouse=True)
def clean(rf):
    for a in rf.addrs:
        rf.reset(a)
    yield


def conn(rf, addr, verify=True):
    ctx = ssl.create_default_context(cafile=rf.cert) if verify else ssl._create_unverified_context()
    return http.client.HTTPSConnection(addr, rf.port, context=ctx, timeout=10)


def req(c, method, path, obj=None, headers=None):
    h = dict(headers or {})
    body = None
    if obj is not None:
        body = json.dumps(obj)
        h["Content-Type"] = "application/json"
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    return r, (json.loads(data) if data else None)


def login(c, password="rfpass"):
    r, _ = req(c, "POST", "/redfish/v1/SessionService/Sessions",
               {"UserName": "admin", "Password": password})
    return r.status, r.getheader("X-Auth-Token")


def test_tree_over_one_verified_keepalive_connection(rf):
    a = rf.addrs[0]
    c = conn(rf, a)
    r, root = req(c, "GET", "/redfish/v1")
    assert r.status == 200 and root["Systems"]["@odata.id"] == "/redfish/v1/Systems"
    st, tok = login(c)
    assert st == 201 and tok
    h = {"X-Auth-Token": tok}
    _, sys_ = req(c, "GET", "/redfish/v1/Systems/1", headers=h)
    assert sys_["PowerState"] == "On"
    assert "PowerCycle" in sys_["Actions"]["#ComputerSystem.Reset"]["ResetType@Redfish.AllowableValues"]
    _, th = req(c, "GET", "/redfish/v1/Chassis/1/Thermal", headers=h)
    assert th["Temperatures"][0]["ReadingCelsius"] == 45
    _, mgr = req(c, "GET", "/redfish/v1/Managers/1", headers=h)
    assert mgr["FirmwareVersion"]
    _, ent = req(c, "GET", "/redfish/v1/Managers/1/LogServices/SEL/Entries", headers=h)
    assert ent["Members@odata.count"] == len(ent["Members"]) >= 1
    c.close()
    s = rf.stats(a)
    assert s["connections"] == 1 and s["logins"] == 1 and s["requests"] == 6


def test_state_kept_across_requests(rf):
    a = rf.addrs[1]
    c = conn(rf, a)
    _, tok = login(c)
    h = {"X-Auth-Token": tok}
    r, _ = req(c, "POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset",
               {"ResetType": "ForceOff"}, h)
    assert r.status == 204
    r, _ = req(c, "PATCH", "/redfish/v1/Systems/1",
               {"Boot": {"BootSourceOverrideTarget": "Pxe", "BootSourceOverrideEnabled": "Once"}}, h)
    assert r.status == 204
    r, e = req(c, "PATCH", "/redfish/v1/Systems/1", {"Boot": {"BootSourceOverrideTarget": "Floppy"}}, h)
    assert r.status == 400 and "Floppy" in e["error"]["message"]
    r, e = req(c, "POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", {"ResetType": "Bogus"}, h)
    assert r.status == 400
    c2 = conn(rf, a)
    _, sys_ = req(c2, "GET", "/redfish/v1/Systems/1", headers=h)   # same token, new connection
    assert sys_["PowerState"] == "Off"
    assert sys_["Boot"]["BootSourceOverrideTarget"] == "Pxe"
    assert sys_["Boot"]["BootSourceOverrideEnabled"] == "Once"
    assert rf.stats(a)["resets"] == ["ForceOff"]
    req(c2, "POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", {"ResetType": "On"}, h)
    _, ent = req(c2, "GET", "/redfish/v1/Managers/1/LogServices/SEL/Entries", headers=h)
    assert [m["Message"] for m in ent["Members"]][-2:] == ["System powered off", "System powered on"]
    r, _ = req(c2, "POST", "/redfish/v1/Managers/1/LogServices/SEL/Actions/LogService.ClearLog", {}, h)
    assert r.status == 204
    _, ent = req(c2, "GET", "/redfish/v1/Managers/1/LogServices/SEL/Entries", headers=h)
    assert ent["Members"] == []


def test_auth_basic_token_wrong_password_and_expiry(rf):
    a = rf.addrs[2]
    c = conn(rf, a)
    r, _ = req(c, "GET", "/redfish/v1/Systems/1")
    assert r.status == 401
    basic = "Basic " + base64.b64encode(b"admin:rfpass").decode()
    r, _ = req(c, "GET", "/redfish/v1/Systems/1", headers={"Authorization": basic})
    assert r.status == 200
    assert login(c, "nope")[0] == 401
    _, tok = login(c)
    rf.fault(a, password="changed")
    assert login(c)[0] == 401
    r, _ = req(c, "GET", "/redfish/v1/Systems/1", headers={"Authorization": basic})
    assert r.status == 401
    rf.fault(a, expire=True)
    r, _ = req(c, "GET", "/redfish/v1/Systems/1", headers={"X-Auth-Token": tok})
    assert r.status == 401
    rf.reset(a)
    rf.fault(a, session_timeout=0.3)
    _, tok = login(c)
    r, _ = req(c, "GET", "/redfish/v1/Systems/1", headers={"X-Auth-Token": tok})
    assert r.status == 200
    time.sleep(0.5)
    r, _ = req(c, "GET", "/redfish/v1/Systems/1", headers={"X-Auth-Token": tok})
    assert r.status == 401
    rf.fault(a, session_timeout=600)


def test_faults_503_drop_slow(rf):
    a = rf.addrs[0]
    c = conn(rf, a)
    rf.fault(a, http503=1)
    r, _ = req(c, "GET", "/redfish/v1")
    assert r.status == 503
    r, _ = req(c, "GET", "/redfish/v1")
    assert r.status == 200
    rf.fault(a, drop=1)
    with pytest.raises((http.client.HTTPException, OSError)):
        req(conn(rf, a), "GET", "/redfish/v1")
    r, _ = req(conn(rf, a), "GET", "/redfish/v1")
    assert r.status == 200
    rf.fault(a, slow=0.5)
    t0 = time.monotonic()
    req(conn(rf, a), "GET", "/redfish/v1")
    assert time.monotonic() - t0 >= 0.5
    # the other BMCs are not slowed
    t0 = time.monotonic()
    req(conn(rf, rf.addrs[1]), "GET", "/redfish/v1")
    assert time.monotonic() - t0 < 0.4


def test_no_session_service(tmp_path):
    with RedfishBmcs(str(tmp_path), 1, base=BASE, first=210, sessions=False) as r:
        c = conn(r, r.addrs[0])
        _, root = req(c, "GET", "/redfish/v1")
        assert "SessionService" not in root
        basic = "Basic " + base64.b64encode(b"admin:rfpass").decode()
        res, _ = req(c, "GET", "/redfish/v1/Systems/1", headers={"Authorization": basic})
        assert res.status == 200
        pids = r.pids()
    assert all(not os.path.exists("/proc/%d" % p) or
               open("/proc/%d/stat" % p).read().split(")")[1].split()[0] == "Z" for p in pids)
