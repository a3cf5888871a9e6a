"""The NFS life cycle on live hosts, through the mount (issue 10).

The site (tests/testbed/nfs_site.py) runs real nfs-ganesha servers in
network namespaces, libnfs clients in others, and file-level hosts of the
other platforms whose activation commands are recording shims.  Sysman
reaches every host only through its SSH pool, as systems/servers/<name>.
"""
import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import pytest

from conftest import ROOT, wait_for

sys.path.insert(0, os.path.join(ROOT, "tests", "testbed"))
from nfs_site import NfsSite, NfsSiteError  # noqa: E402

SUBNET = os.environ.get("SYSMAN_TEST_NFS_SUBNET")      # else the first free one
HOSTS = {"srv1": "ganesha", "srv2": "ganesha", "cli1": "client", "cli2": "client",
         "cli3": "client", "lx1": "linux", "sol1": "solaris", "aix1": "aix",
         "bsd1": "freebsd"}

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (namespaces)")


def claim_subnet(d):
    """A subnet (its namespace and bridge names follow from it) that no
    other run uses: SYSMAN_TEST_NFS_SUBNET, else the first of 10.231.0 ..
    10.231.15 whose lock this run gets and whose bridge, namespaces and
    route are free.  Returns (subnet, lock fd held for the run)."""
    for subnet in [SUBNET] if SUBNET else ["10.231.%d" % i for i in range(16)]:
        fd = os.open("/tmp/sysman-nfs-site-%s.lock" % subnet, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            NfsSite(d, HOSTS, subnet=subnet)._check_free()
            return subnet, fd
        except (OSError, NfsSiteError) as e:
            os.close(fd)
            if SUBNET:
                raise NfsSiteError("subnet %s: %s" % (subnet, e))
    raise NfsSiteError("no free subnet in 10.231.0-15")


@pytest.fixture(scope="module")
def site():
    d = tempfile.mkdtemp(prefix="sysman-nfs-site-", dir="/tmp")
    os.chmod(d, 0o755)
    subnet, lock = claim_subnet(d)
    s = NfsSite(d, HOSTS, subnet=subnet)
    try:
        s.start(timeout=90)        # the machine may be loaded
        yield s
    finally:
        s.stop()
        os.close(lock)
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def nfs(site, make_sysman):
    """A sysmand with every site host as a server device; the site is
    reset first (no NFS files anywhere, ganesha without exports)."""
    site.reset()
    made = []

    def make(extra=""):
        s = make_sysman(conf="\n".join([
            f"agent_dir = {ROOT}/agents",
            site.sysman_conf(),
            "agent_timeout = 300",
            "ssh_connect_timeout = 5",
            "dynamic_dirs = proc sys generated observed",
            extra]))
        for name in HOSTS:
            for attempt in range(3):        # a host slow to answer on a loaded machine
                try:
                    s.write("discover_master", f"server {site.addr(name)} {name}\n")
                    break
                except OSError:
                    if attempt == 2:
                        raise
            assert s.status("discover_master").startswith("0"), s.status("discover_master")
        made.append(s)
        return s
    yield make
    for s in made:
        stop_waiter(s.db)


def stop_waiter(db):
    """Stops the `deploy at` waiter of this database (its PID is in the
    lock file), if it still runs."""
    try:
        with open(db + ".nfs-at.lock") as f:
            pid = int(f.read().split()[0])
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            if b"wait" not in f.read().split(b"\0"):
                return
        os.kill(pid, signal.SIGKILL)
    except (OSError, ValueError, IndexError):
        pass


def a(site, name):
    return site.addr(name)


def seed_site(site):
    """Files the hosts hold before Sysman knows anything about them."""
    site.mkdir("srv1", "/srv/data", {"hello.txt": "hello from srv1\n"})
    site.seed("srv1", "/etc/ganesha/ganesha.conf", f"""\
EXPORT {{
	Export_Id = 1;
	Path = "/srv/data";
	Pseudo = "/srv/data";
	Access_Type = None;
	FSAL {{
		Name = VFS;
	}}
	CLIENT {{
		Clients = {a(site, "cli1")};
		Access_Type = RW;
	}}
}}
""")
    site.seed("lx1", "/etc/exports", f"/export/home {a(site, 'cli1')}(rw,sync,no_subtree_check)\n")
    site.seed("sol1", "/etc/dfs/dfstab", f"share -F nfs -o ro={a(site, 'cli2')} /export/tools\n")
    site.seed("aix1", "/etc/exports", f"/home -rw={a(site, 'cli1')}\n")
    site.seed("bsd1", "/etc/exports", f"/usr/pub -ro {a(site, 'cli3')}\n")
    site.seed("cli1", "/etc/fstab", "/dev/sda1 / ext4 defaults 0 1\n"
              "srv1:/srv/data /data nfs rw 0 0\n")


def write_expect(s, rel, text, ok=True):
    s.write(rel, text)
    st = s.status(rel)
    assert st.startswith("0") == ok, f"{rel}: {st}\n{s.read(rel)}"
    return st


def plan_lines(text):
    return [ln for ln in text.splitlines() if ln and not ln.startswith("#")]


def test_site_serves_allowed_and_refuses_others(site):
    """The testbed itself: ganesha in one namespace serves a listed client
    in another and refuses an unlisted one, over the bridge."""
    site.reset()
    seed_site(site)
    r = site.in_host("srv1", [os.path.join(site.host("srv1")["dir"], "bin", "systemctl"),
                              "reload", "nfs-ganesha"])
    assert r.returncode == 0, r.stderr
    assert wait_for(lambda: site.nfs_cat("cli1", "srv1", "/srv/data/hello.txt").returncode == 0, 5)
    assert site.nfs_cat("cli1", "srv1", "/srv/data/hello.txt").stdout == "hello from srv1\n"
    assert site.nfs_cat("cli1", "srv1", "/srv/data/hello.txt", version=4).stdout == "hello from srv1\n"
    refused = site.nfs_cat("cli2", "srv1", "/srv/data/hello.txt")
    assert refused.returncode != 0 and "MNT3ERR_ACCES" in refused.stderr, refused
    # ganesha lists to a client only the exports it may mount
    r = site.in_ns("cli1", ["showmount", "-e", a(site, "srv1")])
    assert f"/srv/data {a(site, 'cli1')}" in r.stdout, r.stdout + r.stderr
    r = site.in_ns("cli2", ["showmount", "-e", a(site, "srv1")])
    assert r.returncode == 0 and "/srv/data" not in r.stdout, r.stdout + r.stderr
    r = site.in_ns("cli2", ["rpcinfo", "-p", a(site, "srv1")])
    assert "mountd" in r.stdout and "nfs" in r.stdout, r.stdout + r.stderr


def test_reverse_plan_deploy_access(site, nfs):
    """Acceptance 1: seeded site -> reverse -> edit -> check -> deploy ->
    planned clients read (and write where rw), unplanned ones refused."""
    seed_site(site)
    s = nfs()
    assert "reverse.draft" in os.listdir(s.p("services/nfs"))
    write_expect(s, "services/nfs/reverse", "1\n")
    draft = s.read("services/nfs/reverse.draft")
    lines = plan_lines(draft)
    # every seeded export comes back in plan syntax, clients named back
    assert "export srv1:/srv/data cli1(rw)" in lines, draft
    assert "export lx1:/export/home cli1(rw,sync,no_subtree_check)" in lines, draft
    assert "export sol1:/export/tools cli2(ro)" in lines, draft
    # AIX: hosts not in rw= get ro
    assert "export aix1:/home *(ro) cli1(rw)" in lines, draft
    assert "export bsd1:/usr/pub cli3(ro)" in lines, draft
    assert "import cli1:/data srv1:/srv/data rw" in lines, draft
    for name, kind in HOSTS.items():
        pf = "linux" if kind == "client" else kind
        assert f"host {name} address={a(site, name)} platform={pf}" in lines, draft
    write_expect(s, "services/nfs/reverse", "accept\n")
    assert plan_lines(s.read("services/nfs/plan")) == lines

    # edit: a new export on srv1, rw for cli1, ro for cli2; cli3 not listed
    site.mkdir("srv1", "/srv/home", {"readme": "srv1 home\n"})
    plan = s.read("services/nfs/plan") + (
        "export srv1:/srv/home cli1(rw,no_root_squash) cli2(ro)\n"
        "import cli1:/home srv1:/srv/home rw\n"
        "import cli2:/home srv1:/srv/home ro\n")
    write_expect(s, "services/nfs/plan", plan)
    assert s.read("services/nfs/plan") == plan            # byte for byte
    check = s.read("services/nfs/check")
    assert "error " not in check and s.status("services/nfs/check").startswith("0"), check

    # generated/ is read-only and is what deploy writes
    gen = s.read("services/nfs/generated/srv1/ganesha.conf")
    assert f"Clients = {a(site, 'cli2')};" in gen, gen
    assert sorted(os.listdir(s.p("services/nfs/generated/srv1"))) == ["ganesha.conf"]
    try:
        s.write("services/nfs/generated/srv1/ganesha.conf", "x\n")
    except OSError:
        pass
    assert s.read("services/nfs/generated/srv1/ganesha.conf") == gen

    dry = write_expect(s, "services/nfs/deploy", "dry-run\n")
    out = s.read("services/nfs/deploy")
    assert re.search(r"^srv1 would-change", out, re.M), out
    assert site.read("srv1", "/etc/ganesha/ganesha.conf") != gen     # dry-run touched nothing
    del dry

    write_expect(s, "services/nfs/deploy", "now\n")
    out = s.read("services/nfs/deploy")
    assert re.search(r"^deployment \d+ now done$", out, re.M), out
    assert re.search(r"^srv1 deployed", out, re.M), out
    assert site.read("srv1", "/etc/ganesha/ganesha.conf") == gen
    assert os.path.exists(site.path("srv1", "/etc/ganesha/ganesha.conf.sysman-old"))
    assert site.calls("lx1") == ["exportfs -ra"]
    # cli1's non-NFS fstab entry survives, the planned mounts are there
    fstab = site.read("cli1", "/etc/fstab")
    assert "/dev/sda1 / ext4" in fstab and "srv1:/srv/home /home nfs" in fstab, fstab

    # access, from the clients' own namespaces
    assert site.nfs_cat("cli1", "srv1", "/srv/home/readme").stdout == "srv1 home\n"
    assert site.nfs_cat("cli2", "srv1", "/srv/home/readme").stdout == "srv1 home\n"
    w = site.nfs_put("cli1", "srv1", "/srv/home/from-cli1", "written by cli1\n")
    assert w.returncode == 0, w.stderr
    assert site.read("srv1", "/srv/home/from-cli1") == "written by cli1\n"
    w = site.nfs_put("cli2", "srv1", "/srv/home/from-cli2", "x\n")
    assert w.returncode != 0, "cli2 is ro but could write"
    r = site.nfs_cat("cli3", "srv1", "/srv/home/readme")
    assert r.returncode != 0 and "MNT3ERR_ACCES" in r.stderr, r
    assert site.nfs_cat("cli1", "srv1", "/srv/data/hello.txt").stdout == "hello from srv1\n"

    # the same plan again: nothing is touched
    calls = {h: site.calls(h) for h in HOSTS}
    write_expect(s, "services/nfs/deploy", "now\n")
    out = s.read("services/nfs/deploy")
    for h in HOSTS:
        assert re.search(rf"^{h} unchanged", out, re.M), out
        assert site.calls(h) == calls[h]

    # reverse(deploy(plan)) == plan, after normalisation
    write_expect(s, "services/nfs/reverse", "1\n")
    back = sorted(plan_lines(s.read("services/nfs/reverse.draft")))
    want = sorted(plan_lines(s.read("services/nfs/plan")))
    assert back == want, "\n".join(back) + "\n---\n" + "\n".join(want)

    rep = s.read("services/nfs/report")
    assert "server srv1 exports 2 clients 2 mounts 3" in rep, rep
    assert "spof srv1 2 clients lose a planned import: cli1 cli2" in rep, rep
    svg = s.read("services/nfs/topology.svg")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "srv1" in svg


def base_plan(site):
    return "".join(
        f"host {n} address={a(site, n)} platform={'linux' if k == 'client' else k}\n"
        for n, k in HOSTS.items())


def test_unreachable_host_rolled_back_others_deployed(site, nfs):
    """Acceptance 4: a host unreachable during deploy is reported, the
    others are deployed; a host whose activation fails is rolled back."""
    s = nfs()
    site.mkdir("srv2", "/srv/s2", {"f": "s2\n"})
    site.seed("sol1", "/etc/dfs/dfstab", "# old dfstab\n")
    plan = base_plan(site) + (
        "export srv2:/srv/s2 cli1(rw)\n"
        "export lx1:/export/a cli1(rw)\n"
        "export sol1:/export/b cli2(ro)\n")
    write_expect(s, "services/nfs/plan", plan)
    site.cut("lx1")
    site.fail_command("sol1", "shareall", once=True)
    try:
        st = write_expect(s, "services/nfs/deploy", "now\n", ok=False)
        out = s.read("services/nfs/deploy")
    finally:
        site.mend("lx1")
    assert re.search(r"^deployment \d+ now partial$", out, re.M), out
    assert re.search(r"^lx1 failed unreachable, nothing changed", out, re.M), out
    assert re.search(r"^sol1 rolled-back .*shareall: failed \(testbed\); old files put back$",
                     out, re.M), out
    assert re.search(r"^srv2 deployed", out, re.M), out
    assert site.read("sol1", "/etc/dfs/dfstab") == "# old dfstab\n"
    assert site.calls("sol1") == ["shareall", "shareall"]      # deploy, rollback
    assert not os.path.exists(site.path("lx1", "/etc/exports"))
    assert site.nfs_cat("cli1", "srv2", "/srv/s2/f").stdout == "s2\n"
    assert "some hosts failed" in st or st.startswith("1"), st


def test_kill_9_mid_deploy_leaves_hosts_old_or_new(site, nfs):
    """Acceptance 5: sysmand killed mid-deploy; after a restart no host is
    half-applied and the deployment reads interrupted with host states."""
    s = nfs()
    site.seed("lx1", "/etc/exports", "/old 10.9.9.9(ro)\n")
    plan = base_plan(site) + (
        "export lx1:/export/a cli1(rw)\n"
        "export aix1:/home cli1(rw)\n"
        "export bsd1:/usr/pub cli3(ro)\n")
    write_expect(s, "services/nfs/plan", plan)
    # lx1's activation hangs: the daemon dies while lx1 has its new file
    # but has not taken it
    site.slow_command("lx1", "exportfs", 30)
    writer = threading.Thread(target=lambda: subprocess.run(
        ["bash", "-c", f"echo now > {s.p('services/nfs/deploy')}"],
        capture_output=True, timeout=60))
    writer.start()
    assert wait_for(lambda: "exportfs -ra" in site.calls("lx1"), 30), site.calls("lx1")
    assert site.read("lx1", "/etc/exports") != "/old 10.9.9.9(ro)\n"   # new file, not active
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait()
    writer.join(timeout=60)
    site.slow_command("lx1", "exportfs", 0)
    subprocess.run(["fusermount3", "-u", "-z", s.mnt], check=False)
    s.proc = None
    s.start()
    out = s.read("services/nfs/deploy")
    assert re.search(r"^deployment \d+ now interrupted$", out, re.M), out
    assert re.search(r"^lx1 rolled-back interrupted; old files put back$", out, re.M), out
    # lx1 is back at its old configuration, activated again
    assert site.read("lx1", "/etc/exports") == "/old 10.9.9.9(ro)\n"
    assert site.calls("lx1")[-1] == "exportfs -ra"
    # every other host is old (never reached) or new (deployed)
    for h in ("aix1", "bsd1"):
        m = re.search(rf"^{h} (\S+)", out, re.M)
        assert m, out
        exists = os.path.exists(site.path(h, "/etc/exports"))
        if m.group(1) == "deployed":
            assert exists
        else:       # never reached, or caught mid-way and put back
            assert m.group(1) in ("interrupted", "rolled-back") and not exists, out


def test_at_runs_once(site, nfs):
    """Acceptance 6: `at` two seconds ahead runs once at that time; bad
    input changes nothing."""
    s = nfs()
    plan = base_plan(site) + "export lx1:/export/a cli1(rw)\n"
    write_expect(s, "services/nfs/plan", plan)
    # bad input: EINVAL-like status, nothing scheduled
    write_expect(s, "services/nfs/deploy", "at 2001-01-01T00:00:00Z\n", ok=False)
    assert "past" in s.status("services/nfs/deploy")
    write_expect(s, "services/nfs/deploy", "sometime\n", ok=False)
    assert "scheduled" not in s.read("services/nfs/deploy")

    due = int(time.time() + 3)       # whole seconds: the form has no fraction
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(due))
    write_expect(s, "services/nfs/deploy", f"at {when}\n")
    out = s.read("services/nfs/deploy")
    # on a loaded machine the time may have come already
    assert re.search(rf"^deployment \d+ at (scheduled|running|done) due {when}$", out, re.M), out
    assert wait_for(lambda: "exportfs -ra" in site.calls("lx1"), 120), \
        s.read("services/nfs/deploy")
    # the activation ran at or after the time (the shim's log says when)
    assert os.path.getmtime(os.path.join(site.host("lx1")["dir"], "calls.log")) >= due
    time.sleep(2.5)
    assert site.calls("lx1") == ["exportfs -ra"]                 # once



def finding(text, rule, subject):
    m = re.search(rf"^(d[0-9a-f]{{6}}) {rule} {re.escape(subject)}: .*$", text, re.M)
    assert m, text
    return m.group(1), m.group(0)


def test_daemon_down_and_drift_diagnosed_and_applied(site, nfs):
    """Acceptance 3 and 2: ganesha killed -> daemon-down -> apply restarts
    it; an export changed by hand -> config-drift -> apply -> access as
    planned.  observed/ shows what the host shows; bad ids change nothing."""
    s = nfs()
    site.mkdir("srv1", "/srv/d", {"f": "planned data\n"})
    plan = base_plan(site) + ("export srv1:/srv/d cli1(rw)\n"
                              "import cli1:/d srv1:/srv/d rw\n")
    write_expect(s, "services/nfs/plan", plan)
    write_expect(s, "services/nfs/deploy", "now\n")
    assert site.nfs_cat("cli1", "srv1", "/srv/d/f").stdout == "planned data\n"
    assert s.read("services/nfs/diagnosis") == "no findings\n"
    assert "nfs-ganesha active" in s.read("services/nfs/observed/srv1/daemons")
    assert sorted(os.listdir(s.p("services/nfs/observed/srv1"))) == \
        ["config", "daemons", "exports", "mounts"]
    assert 'Path = "/srv/d"' in s.read("services/nfs/observed/srv1/config/ganesha.conf")
    # a client's mounts: its fstab, each import proven by libnfs from it
    mounts = s.read("services/nfs/observed/cli1/mounts")
    assert "\n/d srv1:/srv/d accessible\n" in mounts, mounts

    # 3: the daemon dies
    site.kill_ganesha("srv1")
    assert site.nfs_cat("cli1", "srv1", "/srv/d/f").returncode != 0
    assert re.search(r"^/d srv1:/srv/d inaccessible .+",
                     s.read("services/nfs/observed/cli1/mounts"), re.M)
    diag = s.read("services/nfs/diagnosis")
    fid, line = finding(diag, "daemon-down", "srv1 nfs-ganesha")
    assert line.endswith("-> restart nfs-ganesha on srv1"), line
    # the client's finding names the server's: check it first
    _, line = finding(diag, "client-cannot-access", "cli1:/d")
    assert f"server srv1: {fid} daemon-down" in line, line
    assert line.endswith("-> check srv1 first, then tell the admin"), line
    write_expect(s, "services/nfs/diagnosis", "apply d000000\n", ok=False)   # unknown id
    assert site.ganesha_pid("srv1") is None
    write_expect(s, "services/nfs/diagnosis", f"apply {fid}\n")
    assert site.ganesha_pid("srv1") is not None
    assert wait_for(lambda: site.nfs_cat("cli1", "srv1", "/srv/d/f").returncode == 0, 20)

    # 2: an export changed by hand (cli2 instead of cli1) and reloaded
    conf = site.read("srv1", "/etc/ganesha/ganesha.conf")
    site.seed("srv1", "/etc/ganesha/ganesha.conf",
              conf.replace(f"Clients = {a(site, 'cli1')};", f"Clients = {a(site, 'cli2')};"))
    r = site.in_host("srv1", [os.path.join(site.host("srv1")["dir"], "bin", "systemctl"),
                              "reload", "nfs-ganesha"])
    assert r.returncode == 0
    assert wait_for(lambda: site.nfs_cat("cli1", "srv1", "/srv/d/f").returncode != 0, 10)
    diag = s.read("services/nfs/diagnosis")
    xid, line = finding(diag, "export-differs", "srv1:/srv/d")
    assert f"has {a(site, 'cli2')}(rw), the plan {a(site, 'cli1')}(rw) -> redeploy srv1" \
        in line, line
    # applying the client's finding applies the server's, then probes again
    fid, line = finding(diag, "client-cannot-access", "cli1:/d")
    assert f"server srv1: {xid} export-differs" in line, line
    write_expect(s, "services/nfs/diagnosis", f"apply {fid}\n")
    assert wait_for(lambda: site.nfs_cat("cli1", "srv1", "/srv/d/f").returncode == 0, 20)
    assert site.nfs_cat("cli2", "srv1", "/srv/d/f").returncode != 0
    assert s.read("services/nfs/diagnosis") == "no findings\n"


def audit_rows(s):
    import sqlite3
    db = sqlite3.connect(s.db)
    try:
        return db.execute("SELECT action, subject, result FROM nfs_audit").fetchall()
    finally:
        db.close()


def test_auto_correct_safe(site, nfs):
    """auto_correct = safe: a diagnosis restarts a dead daemon by itself
    (audited), and leaves the client's finding, which is not safe."""
    s = nfs("auto_correct = safe")
    site.mkdir("srv1", "/srv/d", {"f": "planned data\n"})
    write_expect(s, "services/nfs/plan", base_plan(site) + (
        "export srv1:/srv/d cli1(rw)\nimport cli1:/d srv1:/srv/d rw\n"))
    write_expect(s, "services/nfs/deploy", "now\n")
    site.kill_ganesha("srv1")
    diag = s.read("services/nfs/diagnosis")
    fid, _ = finding(diag, "daemon-down", "srv1 nfs-ganesha")
    cid, _ = finding(diag, "client-cannot-access", "cli1:/d")
    assert f"# auto_correct=safe: {fid} applied: daemon-down srv1 nfs-ganesha\n" in diag, diag
    assert cid + " applied" not in diag, diag
    assert site.ganesha_pid("srv1") is not None
    assert wait_for(lambda: site.nfs_cat("cli1", "srv1", "/srv/d/f").returncode == 0, 20)
    assert ("daemon-down", "srv1 nfs-ganesha", "applied") in audit_rows(s)
    assert s.read("services/nfs/diagnosis") == "no findings\n"


def test_at_survives_restart(site, nfs):
    """Acceptance 6, second half: a scheduled deployment survives a
    restart of sysmand and runs once."""
    s = nfs()
    plan = base_plan(site) + "export lx1:/export/a cli1(rw)\n"
    write_expect(s, "services/nfs/plan", plan)
    write_expect(s, "services/nfs/deploy", "now\n")
    assert site.calls("lx1") == ["exportfs -ra"]

    # scheduled, daemon stopped, started again
    write_expect(s, "services/nfs/plan", plan + "export lx1:/export/b cli2(ro)\n")
    due = int(time.time() + 8)     # room for a write and a stop on a loaded machine
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(due))
    write_expect(s, "services/nfs/deploy", f"at {when}\n")
    s.stop()
    if time.time() >= due:      # it would have run (and been interrupted) meanwhile
        pytest.skip("the machine is too loaded: sysmand stopped after the due time")
    # the time comes while sysmand is down; the waiter waits for the mount
    time.sleep(due - time.time() + 0.5)
    s.start()
    # nobody reads anything: the waiter started by the write runs it
    assert wait_for(lambda: len(site.calls("lx1")) == 2, 60), site.calls("lx1")
    assert os.path.getmtime(os.path.join(site.host("lx1")["dir"], "calls.log")) >= due
    done = rf"^deployment \d+ at done due {when}$"
    assert wait_for(lambda: re.search(done, s.read("services/nfs/deploy"), re.M), 20), \
        s.read("services/nfs/deploy") + s.log()[-2000:]
    time.sleep(2.5)
    assert len(site.calls("lx1")) == 2
    assert "/export/b" in site.read("lx1", "/etc/exports")
