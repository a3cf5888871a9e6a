"""Privilege (issue 14): new entries are made as their caller, so the
kernel's own rules apply (set-user-ID and set-group-ID bits, set-group-ID
directories, default ACLs); every change to the tree is audited with the
caller's uid and pid; local agents run as agent_user."""
import hashlib
import json
import os
import shlex
import subprocess
import tempfile
import uuid

import pytest

from conftest import SYSMAND, sh

USER, GROUP, OTHER_GROUP = 4000, 4100, 4200


def as_user(cmd, uid=USER, gid=USER, groups=(GROUP,), umask="022"):
    g = ",".join(str(x) for x in groups) if groups else ""
    gopt = f"--groups={g}" if g else "--clear-groups"
    return sh(f"umask {umask}; setpriv --reuid={uid} --regid={gid} {gopt} -- bash -c {shlex.quote(cmd)}",
              check=False)


def py_as_user(code, arg, groups=(GROUP,), umask="022"):
    """Runs a Python script as USER with one argument."""
    fd, path = tempfile.mkstemp(suffix=".py", dir="/tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(code)
        os.chmod(path, 0o644)
        return as_user(f"/usr/bin/python3 {path} {shlex.quote(arg)}", groups=groups, umask=umask)
    finally:
        os.unlink(path)


# Made by the caller in directory D (argument 1), printed as JSON: each
# name's mode, uid and gid as the kernel left them.
MAKE = r'''
import json, os, stat, sys
d = sys.argv[1]
os.close(os.open(f"{d}/suid", os.O_CREAT | os.O_WRONLY, 0o4755))
os.close(os.open(f"{d}/sgid", os.O_CREAT | os.O_WRONLY, 0o2755))
os.mkfifo(f"{d}/fifo", 0o4644)
os.mknod(f"{d}/node", 0o6640 | stat.S_IFIFO)
os.mkdir(f"{d}/dir", 0o3775)
os.symlink("suid", f"{d}/sym")
out = {}
for n in ("suid", "sgid", "fifo", "node", "dir", "sym"):
    st = os.lstat(f"{d}/{n}")
    out[n] = [oct(st.st_mode), st.st_uid, st.st_gid]
print(json.dumps(out))
'''


def make_in(d, groups=(GROUP,)):
    r = py_as_user(MAKE, d, groups=groups, umask="000")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def shared_dirs(s, tmpbase, name, mode=0o1777, gid=0):
    """The same directory in the mount and, as the reference, on the
    machine's own file system (ext4 here)."""
    ref = os.path.join(tmpbase, "ref-" + name)
    mnt = s.p(f"groups/{name}")
    for d in (ref, mnt):
        os.mkdir(d)
        os.chown(d, 0, gid)
        os.chmod(d, mode)
    return mnt, ref


def test_setid_bits_kept_on_create_as_on_ext4(make_sysman, tmpbase):
    s = make_sysman()
    os.makedirs(s.p("groups"), exist_ok=True)
    mnt, ref = shared_dirs(s, tmpbase, "t")
    got, want = make_in(mnt), make_in(ref)
    assert got == want
    # what ext4 and libfuse's passthrough keep, spelt out
    assert got["suid"] == [oct(0o104755), USER, USER]
    assert got["fifo"] == [oct(0o014644), USER, USER]
    assert got["node"] == [oct(0o016640), USER, USER]
    assert got["dir"][1:] == [USER, USER] and int(got["dir"][0], 8) & 0o7777 == 0o1775


def test_setgid_directory_rules_as_on_ext4(make_sysman, tmpbase):
    """A set-group-ID directory gives its group to new entries and its bit
    to new directories; a file's own set-group-ID bit survives only when
    its creator is in that group (supplementary groups count)."""
    s = make_sysman()
    os.makedirs(s.p("groups"), exist_ok=True)
    mnt, ref = shared_dirs(s, tmpbase, "g", mode=0o2777, gid=GROUP)
    got, want = make_in(mnt), make_in(ref)
    assert got == want
    assert got["sgid"] == [oct(0o102755), USER, GROUP]
    assert int(got["dir"][0], 8) & 0o2000 and got["dir"][2] == GROUP
    mnt2, ref2 = shared_dirs(s, tmpbase, "g2", mode=0o2777, gid=GROUP)
    got, want = make_in(mnt2, groups=(OTHER_GROUP,)), make_in(ref2, groups=(OTHER_GROUP,))
    assert got == want
    assert got["sgid"] == [oct(0o100755), USER, GROUP]    # not in GROUP: bit cleared


def test_default_acl_inherited_by_caller_entries(make_sysman, tmpbase):
    s = make_sysman()
    os.makedirs(s.p("groups"), exist_ok=True)
    mnt, ref = shared_dirs(s, tmpbase, "acl", mode=0o777)
    for d in (mnt, ref):
        sh(f"setfacl -d -m u::rwx,u:{OTHER_GROUP}:rw,g::r-x,m::rwx,o::- {d}")
    for d in (mnt, ref):
        assert as_user(f"umask 077; echo x > {d}/f; mkdir {d}/sub").returncode == 0

    def acls(d):
        return [sh(f"getfacl -cp {d}/{n}").stdout for n in ("f", "sub")]

    assert acls(mnt) == acls(ref)
    assert f"user:{OTHER_GROUP}:rw-" in acls(mnt)[0]
    assert os.stat(f"{mnt}/f").st_uid == USER


def test_supplementary_groups_count_when_creating(make_sysman):
    """Creating as the caller takes its supplementary groups along: a
    directory writable through one of them accepts the entry; without it,
    nothing is created."""
    s = make_sysman()
    os.makedirs(s.p("groups/ops"))
    os.chown(s.p("groups/ops"), 0, GROUP)
    os.chmod(s.p("groups/ops"), 0o770)
    assert as_user(f"touch {s.p('groups/ops/in')}").returncode == 0
    assert as_user(f"touch {s.p('groups/ops/out')}", groups=(OTHER_GROUP,)).returncode != 0
    assert os.path.exists(os.path.join(s.state, "groups/ops/in"))
    assert not os.path.exists(os.path.join(s.state, "groups/ops/out"))


# Every change, by one process of USER's: prints its pid.
CHANGES = r'''
import os, struct, sys
d = sys.argv[1]
print(os.getpid(), flush=True)
with open(f"{d}/f", "w") as f:
    f.write("hello\n")
os.chmod(f"{d}/f", 0o640)
os.chown(f"{d}/f", -1, 4100)
os.truncate(f"{d}/f", 2)
os.utime(f"{d}/f", (1000000000, 1000000000))
os.setxattr(f"{d}/f", "user.note", b"s3cret-value")
os.removexattr(f"{d}/f", "user.note")
# an access ACL: user::rw- user:4200:r-- group::r-- mask::r-- other::---
acl = struct.pack("<I", 2) + b"".join(struct.pack("<HHI", t, p, i) for t, p, i in (
    (1, 6, 0xffffffff), (2, 4, 4200), (4, 4, 0xffffffff), (0x10, 4, 0xffffffff), (0x20, 0, 0xffffffff)))
os.setxattr(f"{d}/f", "system.posix_acl_access", acl)
os.mkdir(f"{d}/sub", 0o755)
os.mkfifo(f"{d}/fifo", 0o644)
os.symlink("f", f"{d}/sym")
os.link(f"{d}/f", f"{d}/hard")
os.rename(f"{d}/hard", f"{d}/sub/moved")
os.unlink(f"{d}/sub/moved")
os.rmdir(f"{d}/sub")
'''


def test_every_change_is_audited_with_uid_and_pid(make_sysman):
    s = make_sysman()
    os.makedirs(s.p("groups/au"))
    os.chmod(s.p("groups/au"), 0o1777)
    r = py_as_user(CHANGES, s.p("groups/au"))
    assert r.returncode == 0, r.stderr
    pid = int(r.stdout.split()[0])
    with open(s.audit) as f:
        lines = [ln for ln in f if f"uid={USER} pid={pid} " in ln]
    d = "/groups/au"
    want = [("create", f"{d}/f", "mode=0644"), ("write", f"{d}/f", ""),
            ("chmod", f"{d}/f", "mode=0640"), ("chown", f"{d}/f", "group=4100"),
            ("truncate", f"{d}/f", "size=2"), ("utimens", f"{d}/f", "atime=set mtime=set"),
            ("setxattr", f"{d}/f", "name=user.note"),
            ("removexattr", f"{d}/f", "name=user.note"),
            ("setxattr", f"{d}/f", "name=system.posix_acl_access"),
            ("mkdir", f"{d}/sub", "mode=0755"), ("mknod", f"{d}/fifo", "mode=0644"),
            ("symlink", f"{d}/sym", "target=f"), ("link", f"{d}/hard", f"target={d}/f"),
            ("rename", f"{d}/hard", f"to={d}/sub/moved"), ("unlink", f"{d}/sub/moved", ""),
            ("rmdir", f"{d}/sub", "")]
    for op, path, extra in want:
        hit = [ln for ln in lines if f" op={op} path={path} rc=0" in ln and extra in ln]
        assert hit, f"no audit line for {op} {path} {extra}:\n" + "".join(lines)
    # one line each, in order (setting an access ACL may also set the
    # mode: the kernel sends that as a chmod), and never a value
    ops = [ln.split(" op=")[1].split()[0] for ln in lines]
    it = iter(ops)
    assert all(w[0] in it for w in want), ops
    assert len(ops) - ops.count("chmod") == len(want) - 1, ops
    with open(s.audit) as f:
        assert "s3cret" not in f.read()
    # a refused change is audited with the error the caller got
    os.mkdir(s.p("groups/au/full"))
    s.write("groups/au/full/x", "")
    with pytest.raises(OSError):
        os.rmdir(s.p("groups/au/full"))
    with open(s.audit) as f:
        assert any(f"uid=0 pid={os.getpid()} op=rmdir path={d}/full rc=39" in ln for ln in f)


# ---------------------------------------------------------------- agent_user

@pytest.fixture
def agent_account():
    """A system user made for the test, removed afterwards even on failure."""
    name = "smag" + uuid.uuid4().hex[:8]
    sh(f"useradd --system --no-create-home --user-group --shell /usr/sbin/nologin {name}")
    try:
        yield name
    finally:
        subprocess.run(["userdel", name], check=False, capture_output=True)
        subprocess.run(["groupdel", name], check=False, capture_output=True)


WHOAMI = """\
    #!/bin/sh
    # who the agent runs as, whether a root-only file is writable, and
    # whether the credentials reached it
    if echo x 2>/dev/null >> "$SMTEST_WORK/rootonly"; then w=yes; else w=no; fi
    echo "uid=$(id -u) gid=$(id -g) groups=$(id -G | tr ' ' ,) home=$HOME wrote=$w"
    echo "user=$SYSMAN_USER pass=$(printf %s "$SYSMAN_PASSWORD" | md5sum | cut -c1-8)"
    """


def test_agent_user_runs_local_agents_as_that_user(make_sysman, agent_account):
    name = agent_account
    s = make_sysman(conf=f"""
        agent_user = {name}
        [agent_user]
        systems/servers/n2/* = nobody
        """, agents={"systems/servers/_/who.read": WHOAMI}, start=False)
    with open(os.path.join(s.work, "rootonly"), "w") as f:
        f.write("root's\n")
    os.chmod(os.path.join(s.work, "rootonly"), 0o644)
    s.agent("systems/servers/_/secret.read", "#!/bin/sh\necho hidden\n", mode=0o700)
    s.start()
    for n in ("n1", "n2", "n3"):
        os.makedirs(s.p(f"systems/servers/{n}"))
    s.write("ids", "admin s3cret\n")
    md5 = hashlib.md5(b"s3cret").hexdigest()[:8]
    uid, gid = int(sh(f"id -u {name}").stdout), int(sh(f"id -g {name}").stdout)
    groups = sh(f"id -G {name}").stdout.split()
    home = sh(f"getent passwd {name}").stdout.split(":")[5]
    out = s.read("systems/servers/n1/who")
    assert out.splitlines() == [
        f"uid={uid} gid={gid} groups={','.join(groups)} home={home} wrote=no",
        f"user=admin pass={md5}"], out
    # the glob override, last match wins
    nobody = int(sh("id -u nobody").stdout)
    assert s.read("systems/servers/n2/who").startswith(f"uid={nobody} ")
    assert s.read("systems/servers/n3/who").startswith(f"uid={uid} ")
    with open(os.path.join(s.work, "rootonly")) as f:
        assert f.read() == "root's\n"
    # an agent the user may not execute fails as any agent that cannot run
    assert s.read("systems/servers/n1/secret") == ""
    assert s.status("systems/servers/n1/secret").startswith("126 ")


def test_without_agent_user_agents_run_as_the_daemon(make_sysman):
    s = make_sysman(agents={"systems/servers/_/who.read": WHOAMI})
    os.makedirs(s.p("systems/servers/n1"))
    # the control: as root the same agent can write a root-only file
    rootonly = os.path.join(s.work, "rootonly")
    with open(rootonly, "w") as f:
        f.write("root's\n")
    os.chmod(rootonly, 0o644)
    out = s.read("systems/servers/n1/who")
    assert out.startswith("uid=0 gid=0 ") and " wrote=yes" in out, out


def test_agent_user_unknown_is_a_start_up_error(tmpbase):
    conf = os.path.join(tmpbase, "bad.conf")
    for text, line in ((f"mountpoint = {tmpbase}/m\nagent_user = no-such-user-14\n", 2),
                       (f"mountpoint = {tmpbase}/m\n[agent_user]\nsystems/* = no-such-user-14\n", 3)):
        with open(conf, "w") as f:
            f.write(text)
        r = subprocess.run([SYSMAND, "-c", conf, "-f"], capture_output=True, text=True, timeout=10)
        assert r.returncode == 2, r.stderr
        assert f"{conf}:{line}: no such user" in r.stderr and "no-such-user-14" in r.stderr
        assert not os.path.exists(f"{tmpbase}/m") or not os.listdir(f"{tmpbase}/m")
