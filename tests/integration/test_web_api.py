"""sysman-web's JSON API over HTTP (issue 13): PAM log-in, the same Unix
permissions as a shell, CSRF, batches with node sets, server-sent events,
the audit log, and bad input answered with a clear 4xx that changes
nothing and reads nothing outside the tree."""
import json
import os
import re
import shlex
import socket
import subprocess
import threading
import time

import pytest

from conftest import sh, wait_for
from webclient import Client

POWER_READ = """\
    #!/bin/sh
    f="$SMTEST_WORK/power.$(basename "$(dirname "$SYSMAN_PATH")")"
    [ -f "$f" ] && cat "$f" || echo on
    """
POWER_WRITE = """\
    #!/bin/sh
    case "$4" in on|off) ;; *) echo "power: expected on or off, got '$4'" >&2; exit 22 ;; esac
    echo "$4" > "$SMTEST_WORK/power.$(basename "$(dirname "$SYSMAN_PATH")")"
    """
TEMP_READ = "#!/bin/sh\necho 42\n"

AGENTS = {
    "systems/servers/_/power.read": POWER_READ,
    "systems/servers/_/power.write": POWER_WRITE,
    "systems/servers/_/temp.read": TEMP_READ,
    "systems/bmcs/_/power.read": POWER_READ,
    "systems/bmcs/_/power.write": POWER_WRITE,
}


def setup_tree(s, gid_ops, nodes=6):
    """servers n1..N (everyone may read, root may write); bmcs b1..b3 given
    to group ops (0770 directories, 0660 power), as an administrator would."""
    for i in range(1, nodes + 1):
        os.makedirs(s.p(f"systems/servers/n{i}"), exist_ok=True)
    for i in range(1, 4):
        d = s.p(f"systems/bmcs/b{i}")
        os.makedirs(d, exist_ok=True)
        os.chown(s.p("systems/bmcs"), 0, gid_ops)
        os.chmod(s.p("systems/bmcs"), 0o770)
    for i in range(1, 4):
        s.read(f"systems/bmcs/b{i}/power")        # the file exists once listed/read
        os.chown(s.p(f"systems/bmcs/b{i}/power"), 0, gid_ops)
        os.chmod(s.p(f"systems/bmcs/b{i}/power"), 0o660)


@pytest.fixture
def site(make_sysman, make_web, web_users):
    s = make_sysman(agents=AGENTS)
    setup_tree(s, web_users["gid_ops"])
    w = make_web(s)
    return s, w, web_users


def login(w, users, name):
    c = Client(w.url)
    st, body = c.login(name, users[name]["password"])
    assert st == 200, body
    return c


def as_shell(uid, cmd, users):
    """The same access from a shell of that user (su: its own groups)."""
    name = [n for n, u in users.items() if isinstance(u, dict) and u["uid"] == uid][0]
    return sh(f"su -s /bin/sh {name} -c {shlex.quote(cmd)}", check=False)


def test_login_session_logout(site):
    s, w, users = site
    c = Client(w.url)
    st, body = c.login("smweb-alice", "wrong-password")
    assert st == 401 and body["errno"] == 13
    assert c.get("")[0] == 401
    st, body = c.login("smweb-alice", users["smweb-alice"]["password"])
    assert st == 200 and body["user"] == "smweb-alice" and len(body["csrf"]) == 64
    st, body, _ = c.request("GET", "/api/session")
    assert st == 200 and body["user"] == "smweb-alice"
    st, _, _ = c.request("POST", "/api/logout")
    assert st == 200
    assert c.get("")[0] == 401
    audit = open(s.audit).read()
    assert re.search(r"op=web\.login path=/ rc=13 user=smweb-alice from=127\.0\.0\.1", audit)
    assert re.search(rf"uid={users['smweb-alice']['uid']} pid=0 op=web\.login path=/ rc=0 "
                     r"user=smweb-alice", audit)


def test_tree_read_write_with_status(site):
    s, w, users = site
    c = login(w, users, "smweb-alice")
    st, d = c.get("systems/servers")
    assert st == 200 and d["type"] == "dir"
    assert [e["name"] for e in d["entries"]] == [f"n{i}" for i in range(1, 7)]
    st, f = c.get("systems/servers/n1/temp")
    assert st == 200 and f["content"] == "42\n" and f["status"] == "0\n" and f["rc"] == 0
    assert f["writable"] is False and abs(f["mtime"] - time.time()) < 60
    # listing a node gives each file's .status without running its agent
    st, d = c.get("systems/servers/n1")
    ent = {e["name"]: e for e in d["entries"]}
    assert ent["temp"]["rc"] == 0 and "temp.status" not in ent
    # a write reaches the agent; a malformed one is refused with its status
    st, r = c.put("systems/bmcs/b1/power", "off\n")
    assert st == 200 and r["rc"] == 0, r
    assert s.read("systems/bmcs/b1/power") == "off\n"
    st, r = c.put("systems/bmcs/b1/power", "sideways\n")
    assert r["rc"] == 22 and "expected on or off" in r["status"], r
    assert s.read("systems/bmcs/b1/power") == "off\n"       # nothing changed


def test_permissions_same_as_shell_and_audited(site):
    """A user in group ops powers a BMC of the subtree given to ops; a user
    outside it gets 403 there, exactly as their shells get EACCES."""
    s, w, users = site
    alice, bob = login(w, users, "smweb-alice"), login(w, users, "smweb-bob")
    st, r = alice.put("systems/bmcs/b2/power", "off")
    assert st == 200 and r["rc"] == 0
    st, r = bob.put("systems/bmcs/b2/power", "on")
    assert st == 403 and r["errno"] == 13, r
    assert bob.get("systems/bmcs/b2/power")[0] == 403
    assert bob.get("systems/bmcs")[0] == 403
    # root-only servers: nobody writes power there, both may read
    st, r = alice.put("systems/servers/n1/power", "off")
    assert st == 403
    assert bob.get("systems/servers/n1/power")[0] == 200
    # the shells of the same users agree
    p = s.p("systems/bmcs/b2/power")
    assert as_shell(users["smweb-alice"]["uid"], f"echo off > {p}", users).returncode == 0
    r = as_shell(users["smweb-bob"]["uid"], f"echo on > {p}", users)
    assert r.returncode != 0 and "Permission denied" in r.stderr
    assert as_shell(users["smweb-bob"]["uid"], f"echo off > {s.p('systems/servers/n1/power')}",
                    users).returncode != 0
    assert s.read("systems/bmcs/b2/power") == "off\n"
    audit = open(s.audit).read()
    a_uid, b_uid = users["smweb-alice"]["uid"], users["smweb-bob"]["uid"]
    # sysmand's own line (the kernel's caller is alice) and the web's line naming her
    assert re.search(rf"uid={a_uid} pid=\d+ op=write path=/systems/bmcs/b2/power rc=0", audit)
    assert re.search(rf"uid={a_uid} pid=0 op=web\.write path=systems/bmcs/b2/power rc=0 "
                     r"user=smweb-alice from=127\.0\.0\.1", audit)
    assert re.search(rf"uid={b_uid} pid=0 op=web\.write path=systems/bmcs/b2/power rc=13 "
                     r"user=smweb-bob", audit)


def test_csrf_required_for_changes(site):
    s, w, users = site
    c = login(w, users, "smweb-alice")
    st, r = c.put("systems/bmcs/b3/power", "off", csrf=False)
    assert st == 403 and "CSRF" in r["error"]
    tok = c.csrf
    c.csrf = "0" * 64
    assert c.put("systems/bmcs/b3/power", "off")[0] == 403
    c.csrf = tok
    assert s.read("systems/bmcs/b3/power") == "on\n"          # nothing changed
    st, r, _ = c.request("POST", "/api/logout", csrf=False)
    assert st == 403


def test_bad_input_clear_4xx_nothing_changed(site, tmp_path):
    s, w, users = site
    c = Client(w.url)
    st, r, _ = c.request("POST", "/api/login", "{not json")
    assert st == 400 and r["errno"] == 22
    st, r, _ = c.request("POST", "/api/login", json.dumps({"user": 1}))
    assert st == 400
    c = login(w, users, "smweb-alice")
    assert c.get("systems/servers/n99/power")[0] == 404
    st, r, _ = c.request("GET", "/api/nothing")
    assert st == 404 and r["errno"] == 2
    # path tricks: "..", encoded slashes, symbolic links out of the tree
    for target in ("/api/tree/systems/../../etc/passwd", "/api/tree/..%2f..%2fetc%2fpasswd",
                   "/api/tree/systems%2F..%2F..%2Fetc/passwd", "/api/tree/a%00b",
                   "/api/raw/../etc/passwd", "/api/tree/./systems"):
        st, r, _ = c.request("GET", target)
        assert st == 400, (target, st, r)
    os.symlink("/etc/passwd", s.p("systems/outside"))
    os.symlink("../../..", s.p("systems/servers/up"))
    for p in ("systems/outside", "systems/servers/up/etc/passwd"):
        st, r = c.get(p)
        assert st == 403 and r["errno"] == 18, (p, st, r)       # EXDEV: leaves the tree
        st, data, _ = c.request("GET", "/api/raw/" + p, raw=True)
        assert st == 403 and b"root:" not in data
    # inside the tree a link works
    os.symlink("n1", s.p("systems/servers/first"))
    assert c.get("systems/servers/first/temp")[1]["content"] == "42\n"
    # oversized bodies: refused from Content-Length, nothing written
    st, r, _ = c.request("PUT", "/api/tree/systems/bmcs/b1/power", "x" * (1024 * 1024 + 10))
    assert st == 413 and r["errno"] == 27
    assert s.read("systems/bmcs/b1/power") == "on\n"
    # a malformed node set
    st, r = c.batch_get("systems/servers/n[1-/power")
    assert st == 400 and "node set" in r["error"]
    # a directory is not written
    st, r = c.put("systems/servers", "x")
    assert st == 400 and r["errno"] == 21
    # methods
    st, r, _ = c.request("DELETE", "/api/tree/systems")
    assert st == 404


def test_batch_read_and_streamed_write(site):
    s, w, users = site
    c = login(w, users, "smweb-alice")
    st, r = c.batch_get("systems/servers/n[1-4]/temp")
    assert st == 200
    assert [x["path"] for x in r["results"]] == [f"systems/servers/n{i}/temp" for i in range(1, 5)]
    assert all(x["content"] == "42\n" and x["rc"] == 0 for x in r["results"])
    st, r = c.batch_get("systems/servers/*/temp")
    assert [x["path"].split("/")[2] for x in r["results"]] == [f"n{i}" for i in range(1, 7)]
    # a member that does not exist answers per node
    st, r = c.batch_get("systems/servers/n[5-7]/temp")
    assert [("error" in x, x.get("errno")) for x in r["results"]] == [(False, None), (False, None), (True, 2)]
    # groups: @name is groups/<name>
    os.makedirs(s.p("groups/pair"))
    s.write("groups/pair/members", "b[1-2]\n")
    st, lines = c.batch_put("systems/bmcs/@pair/power", "off")
    assert st == 200
    assert lines[-1] == {"done": True, "ok": 2, "failed": 0}
    assert sorted(x["path"] for x in lines[:-1]) == ["systems/bmcs/b1/power", "systems/bmcs/b2/power"]
    assert s.read("systems/bmcs/b1/power") == "off\n" and s.read("systems/bmcs/b3/power") == "on\n"
    # bob may not: every node reports 403's errno, nothing changes
    bob = login(w, users, "smweb-bob")
    st, r = bob.batch_put("systems/bmcs/b[1-3]/power", "on")
    assert st == 403 or all(x.get("errno") == 13 for x in r[:-1])
    assert s.read("systems/bmcs/b1/power") == "off\n"
    # the cap on expansion
    st, r = c.batch_get("systems/servers/n[1-200000]/temp")
    assert st == 413 and "more than 100000" in r["error"]


def sse_collect(url, cookie, query, out, stop, ready):
    so = socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=30)
    so.sendall(f"GET /api/events?{query} HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n\r\n".encode())
    buf = b""
    so.settimeout(0.5)
    while not stop.is_set():
        try:
            d = so.recv(65536)
        except socket.timeout:
            continue
        if not d:
            break
        buf += d
        if b"sysman-web events" in buf:
            ready.set()
        for m in re.finditer(rb"event: change\r?\ndata: (\{.*?\})", buf):
            ev = json.loads(m.group(1))
            if ev not in out:
                out.append(ev)
    so.close()


def test_events_pushed_on_change(site):
    """A write from a shell (not through the web) reaches an open event
    stream; a path the user cannot search is not told."""
    s, w, users = site
    c = login(w, users, "smweb-bob")
    out, stop, ready = [], threading.Event(), threading.Event()
    t = threading.Thread(target=sse_collect, args=(w.url, c.cookie, "path=systems", out, stop, ready))
    t.start()
    try:
        assert ready.wait(10)
        s.read("systems/servers/n3/temp")        # an agent run, from root's shell
        s.write("systems/bmcs/b1/power", "off")  # bob may not search systems/bmcs
        assert wait_for(lambda: any(e["path"] == "systems/servers/n3/temp" for e in out), 10), out
        time.sleep(1.5)
        assert not any(e["path"].startswith("systems/bmcs") for e in out), out
    finally:
        stop.set()
        t.join()


def test_failed_logins_rate_limited(make_sysman, make_web, web_users):
    s = make_sysman(agents=AGENTS)
    w = make_web(s, "web_login_limit = 2")
    c = Client(w.url)
    assert c.login("smweb-bob", "nope")[0] == 401
    assert c.login("smweb-bob", "nope")[0] == 401
    st, body = c.login("smweb-bob", web_users["smweb-bob"]["password"])
    assert st == 429 and body["retry_after"] > 0
    assert "rate-limited" in open(s.audit).read()


def test_tls_required_off_loopback_and_served_with_cert(make_sysman, make_web, web_users, tmp_path):
    s = make_sysman(agents=AGENTS)
    w = make_web(s, "web_listen = 0.0.0.0:1", start=False)
    w.start(wait=False)
    assert w.proc.wait(timeout=15) == 1
    assert "not a loopback address" in w.log()
    w.proc = None
    key, crt = tmp_path / "key.pem", tmp_path / "crt.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                    "-days", "1", "-keyout", str(key), "-out", str(crt)], check=True, capture_output=True)
    s2 = make_sysman(agents=AGENTS, sub="b")
    w2 = make_web(s2, f"web_tls_cert = {crt}\nweb_tls_key = {key}")
    c = Client(w2.url.replace("http:", "https:"))
    st, body = c.login("smweb-alice", web_users["smweb-alice"]["password"])
    assert st == 200
    assert "Secure" in c.request("POST", "/api/logout")[2].get("Set-Cookie", "")


def test_pages_served_without_session(site):
    s, w, users = site
    c = Client(w.url)
    st, data, h = c.request("GET", "/", raw=True)
    assert st == 200 and h["Content-Type"].startswith("text/html")
    assert "default-src 'self'" in h["Content-Security-Policy"]
    st, data, h = c.request("GET", "/../etc/passwd", raw=True)
    assert st in (400, 404) and b"root:" not in data
