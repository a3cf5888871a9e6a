"""The web pages in a browser (issue 13): headless Chromium from Debian
(/usr/bin/chromium) driven by playwright-core (tests/web/, installed by
scripts/test with npm ci; no browser download) against sysman-web over a
real mount:

- the testbed (sshd hosts, ipmi_sim BMCs): log-in, browse, power a BMC off
  in one tab and see the grid of another turn it off live, power it on
  again in bulk;
- a small NFS site (nfs-ganesha server srv1, libnfs client cli1, in
  network namespaces): edit the plan and see a finding at its line, the
  generated files, deploy and watch its progress, observed state,
  diagnosis, topology and report.

The browser user is smweb-alice (group ops), given the BMCs and the NFS
service's files as an administrator would (chgrp ops, g+rw), so every
click is an access of that user through the mount.  Screenshots of every
page go to $SYSMAN_WEB_SHOTS (default <build>/web-shots).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest

from conftest import BUILD, ROOT, SYSMAN_WEB, WEB_GROUP, sh

WEB_TESTS = os.path.join(ROOT, "tests", "web")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = os.environ.get("SYSMAN_WEB_SHOTS", os.path.join(BUILD, "web-shots"))
USER = "smweb-alice"

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (PAM users, namespaces)"),
    pytest.mark.skipif(not os.path.exists(SYSMAN_WEB), reason="sysman-web is not built"),
    pytest.mark.skipif(shutil.which("node") is None, reason="no node on PATH"),
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                       reason=f"no {CHROMIUM} (apt-get install chromium)"),
    pytest.mark.skipif(not os.path.isdir(os.path.join(WEB_TESTS, "node_modules", "playwright-core")),
                       reason="tests/web/node_modules is missing (npm ci in tests/web; scripts/test does it)"),
]


def browser_tests(w, users, names, env=None, timeout=900):
    """Runs `node run.mjs NAMES` in tests/web against w; fails with its output."""
    e = dict(os.environ, BASE_URL=w.url + "/", WEB_USER=USER,
             PASSWORD=users[USER]["password"], SHOT_DIR=SHOTS, CHROMIUM=CHROMIUM)
    e.update(env or {})
    r = subprocess.run(["node", "run.mjs", *names], cwd=WEB_TESTS, env=e,
                       capture_output=True, text=True, timeout=timeout)
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    last = r.stdout.strip().splitlines()[-1:] or [""]
    assert r.returncode == 0 and re.match(r"\d+ passed, 0 failed", last[0]), \
        f"browser tests failed (rc {r.returncode}):\n{r.stdout}\n{r.stderr}\nsysman-web log:\n{w.log()[-4000:]}"
    return r.stdout


def give_ops(s, *rels):
    """chgrp -R ops + g+rwX through the mount, as root: the subtree is the
    group's, as README's `chgrp -R ops …` says."""
    for rel in rels:
        sh(f"chgrp -R {WEB_GROUP} {s.p(rel)} && chmod -R g+rwX {s.p(rel)}")


# ---------------------------------------------------------------- testbed
def test_browser_login_browse_power(cluster, make_web, web_users):
    s = cluster()
    assert s.status("discover_master").startswith("0"), s.status("discover_master")
    bmcs = sorted(os.listdir(s.p("systems/bmcs")))
    assert bmcs, "discovery found no BMC"
    for b in bmcs:                          # the files exist once listed; power on
        s.read(f"systems/bmcs/{b}/power")
    give_ops(s, "systems/bmcs", "systems/servers")
    w = make_web(s)
    out = browser_tests(w, web_users, ["log-in:", "browse:", "cluster:"],
                        env={"POWER_KIND": "bmcs", "POWER_NODE": bmcs[0]})
    assert "turned off in the grid" in out
    # every write of the browser is in the audit log with the user's uid
    uid = str(web_users[USER]["uid"])
    with open(s.audit) as f:
        lines = [ln for ln in f if f"path=/systems/bmcs/{bmcs[0]}/power " in ln + " "
                 and f"uid={uid}" in ln.split() and "op=write" in ln]
    assert lines, "the browser's power writes are not in the audit log as its user"


# ---------------------------------------------------------------- NFS site
SITE_HOSTS = {"srv1": "ganesha", "cli1": "client"}


@pytest.fixture(scope="module")
def nfs_site():
    sys.path.insert(0, os.path.join(ROOT, "tests", "testbed"))
    from test_nfs_live import claim_subnet
    from nfs_site import NfsSite
    d = tempfile.mkdtemp(prefix="sysman-web-nfs-", dir="/tmp")
    os.chmod(d, 0o755)
    subnet, lock = claim_subnet(d)
    site = NfsSite(d, SITE_HOSTS, subnet=subnet)
    try:
        site.start(timeout=90)
        yield site
    finally:
        site.stop()
        os.close(lock)
        shutil.rmtree(d, ignore_errors=True)


def test_browser_nfs_plan_deploy(nfs_site, make_sysman, make_web, web_users):
    site = nfs_site
    site.reset()
    site.mkdir("srv1", "/srv/home", {"hello.txt": "hello from srv1\n"})
    s = make_sysman(conf="\n".join([
        f"agent_dir = {ROOT}/agents", site.sysman_conf(), "agent_timeout = 300",
        "ssh_connect_timeout = 5", "dynamic_dirs = proc sys generated observed"]))
    for name in SITE_HOSTS:
        s.write("discover_master", f"server {site.addr(name)} {name}\n")
        assert s.status("discover_master").startswith("0"), s.status("discover_master")
    s.read("services/nfs/plan")
    for f in ("plan", "deploy", "diagnosis", "reverse"):
        s.read(f"services/nfs/{f}")
    give_ops(s, "services/nfs")
    plan = os.path.join(s.base, "site.plan")
    with open(plan, "w") as f:
        f.write(f"""# the NFS plan of the browser test
host srv1 address={site.addr('srv1')} platform=ganesha
host cli1 address={site.addr('cli1')} platform=linux
export srv1:/srv/home cli1(rw)
import cli1:/home srv1:/srv/home rw
""")
    os.chmod(plan, 0o644)
    w = make_web(s)
    env = {"NFS_PLAN": plan, "NFS_SITE": "1"}
    browser_tests(w, web_users, ["nfs plan", "nfs generated", "nfs deploy", "nfs observed"], env=env)
    out = s.read("services/nfs/deploy")
    assert "srv1 deployed" in out or "srv1 unchanged" in out, out
    assert site.nfs_cat("cli1", "srv1", "/srv/home/hello.txt").stdout == "hello from srv1\n"

    # ganesha dies: the diagnosis page shows daemon-down, Apply restarts it
    site.kill_ganesha("srv1")
    browser_tests(w, web_users, ["nfs apply"], env=dict(env, NFS_DOWN="srv1 nfs-ganesha"))
    assert site.ganesha_pid("srv1") is not None
