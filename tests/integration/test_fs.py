"""The tree as a file system: passthrough operations, permissions, daemon
start-up errors, signals, and 2,000 concurrent background accesses."""
import errno
import os
import subprocess
import time

import pytest

from conftest import COUNTER, SYSMAND, is_mounted, runs, sh, wait_for

USER, GROUP, OTHER_GROUP = 4000, 4100, 4200


def as_user(cmd, uid=USER, gid=USER, groups=(GROUP,)):
    g = ",".join(str(x) for x in groups) if groups else ""
    gopt = f"--groups={g}" if g else "--clear-groups"
    return sh(f"setpriv --reuid={uid} --regid={gid} {gopt} -- bash -c {cmd!r}", check=False)


def test_passthrough_operations_persist(make_sysman):
    s = make_sysman()
    d = s.p("groups/ops")
    os.mkdir(d, 0o750)
    s.write("groups/ops/a", "alpha\n")
    os.rename(s.p("groups/ops/a"), s.p("groups/ops/b"))
    assert not os.path.exists(s.p("groups/ops/a")) and s.read("groups/ops/b") == "alpha\n"
    os.symlink("b", s.p("groups/ops/sym"))
    assert os.readlink(s.p("groups/ops/sym")) == "b" and s.read("groups/ops/sym") == "alpha\n"
    os.link(s.p("groups/ops/b"), s.p("groups/ops/hard"))
    assert os.stat(s.p("groups/ops/b")).st_nlink == 2
    os.truncate(s.p("groups/ops/b"), 3)
    assert s.read("groups/ops/hard") == "alp"
    os.chmod(s.p("groups/ops/b"), 0o604)
    assert os.stat(s.p("groups/ops/b")).st_mode & 0o777 == 0o604
    os.chown(s.p("groups/ops/b"), 1234, 5678)
    os.utime(s.p("groups/ops/b"), (1000000000, 1200000000))
    os.setxattr(s.p("groups/ops/b"), "user.k", b"v")
    assert os.listxattr(s.p("groups/ops/b")) == ["user.k"]
    os.mkdir(s.p("groups/ops/sub"))
    os.rmdir(s.p("groups/ops/sub"))
    s.write("groups/ops/gone", "x")
    os.unlink(s.p("groups/ops/gone"))
    sh(f"setfacl -m u:{USER}:r {s.p('groups/ops/b')}")
    assert f"user:{USER}:r--" in sh(f"getfacl -p {s.p('groups/ops/b')}").stdout
    sv = os.statvfs(s.mnt)
    assert sv.f_blocks > 0 and sv.f_bsize > 0
    s.restart()
    st = os.stat(s.p("groups/ops/b"))
    # 0604 plus the ACL mask (r--) shown in the group bits
    assert (st.st_mode & 0o777, st.st_uid, st.st_gid, int(st.st_mtime)) == (0o644, 1234, 5678, 1200000000)
    assert os.getxattr(s.p("groups/ops/b"), "user.k") == b"v"
    assert f"user:{USER}:r--" in sh(f"getfacl -p {s.p('groups/ops/b')}").stdout
    assert os.stat(s.p("groups/ops")).st_mode & 0o777 == 0o750
    assert s.read("groups/ops/sym") == "alp"
    assert not os.path.exists(s.p("groups/ops/gone"))


def test_acl_is_enforced(make_sysman):
    s = make_sysman()
    s.write("groups/secret", "s3\n")
    os.chmod(s.p("groups/secret"), 0o600)
    assert as_user(f"cat {s.p('groups/secret')}").returncode != 0
    sh(f"setfacl -m u:{USER}:r {s.p('groups/secret')}")
    r = as_user(f"cat {s.p('groups/secret')}")
    assert r.returncode == 0 and r.stdout == "s3\n"


def test_group_subtree_permissions(make_sysman):
    s = make_sysman(agents={"systems/servers/_/info.read": COUNTER,
                            "systems/servers/_/power.write": "#!/bin/sh\necho \"set $4\"\n"})
    for n in ("n1", "n2"):
        os.mkdir(s.p(f"systems/servers/{n}"))
    # the group owns n1 and may read and write there; n2 is root's alone
    sh(f"chgrp -R {GROUP} {s.p('systems/servers/n1')}")
    sh(f"chmod -R g+rw,o-rwx {s.p('systems/servers/n1')} {s.p('systems/servers/n2')}")
    ok = as_user(f"cat {s.p('systems/servers/n1/info')} && echo on > {s.p('systems/servers/n1/power')}")
    assert ok.returncode == 0, ok.stderr
    assert s.read("systems/servers/n1/power") == "set on\n"
    denied_read = as_user(f"cat {s.p('systems/servers/n2/info')}")
    denied_write = as_user(f"echo on > {s.p('systems/servers/n2/power')}")
    outsider = as_user(f"cat {s.p('systems/servers/n1/info')}", groups=(OTHER_GROUP,))
    for r in (denied_read, denied_write, outsider):
        assert r.returncode != 0 and "Permission denied" in r.stderr
    assert runs(s, "/systems/servers/n1/info") == 1      # one allowed read
    assert runs(s, "/systems/servers/n2/info") == 0      # no agent ran for denied access
    assert not os.path.exists(os.path.join(s.state, "systems/servers/n2/power.status"))
    # new entries belong to their creator
    assert as_user(f"touch {s.p('systems/servers/n1/mine')}").returncode == 0
    st = os.stat(s.p("systems/servers/n1/mine"))
    assert (st.st_uid, st.st_gid) == (USER, USER)


def test_invalid_config_names_file_and_line(tmpbase):
    conf = os.path.join(tmpbase, "bad.conf")
    with open(conf, "w") as f:
        f.write(f"mountpoint = {tmpbase}/m\n# comment\nmax_agents = lots\n")
    r = subprocess.run([SYSMAND, "-c", conf, "-f"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 2
    assert f"{conf}:3: expected a whole number from 1 to 65536 for 'max_agents' = 'lots'" in r.stderr
    with open(conf, "w") as f:
        f.write("[cache]\nsystems/*/x = sometimes\n")
    r = subprocess.run([SYSMAND, "-c", conf, "-f"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 2 and f"{conf}:2:" in r.stderr
    with open(conf, "w") as f:
        f.write("colour = blue\n")
    r = subprocess.run([SYSMAND, "-c", conf, "-f"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 2 and f"{conf}:1: unknown key 'colour' = 'blue'" in r.stderr


def test_busy_mount_point_refused(make_sysman):
    s = make_sysman()
    r = subprocess.run([SYSMAND, "-c", s.conf, "-f"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 1 and "is busy" in r.stderr
    assert s.read("discover_master") == ""   # the first daemon is unharmed


def test_missing_dev_fuse_refused(make_sysman):
    s = make_sysman(start=False)
    r = sh(f"unshare -m bash -c 'mount -t tmpfs none /dev && exec {SYSMAND} -c {s.conf} -f'", check=False)
    assert r.returncode == 1 and "/dev/fuse is missing" in r.stderr


def test_sigterm_and_sigint_unmount_cleanly(make_sysman):
    s = make_sysman(agents={"systems/servers/_/slow.read": "#!/bin/sh\nsleep 30\n"})
    os.mkdir(s.p("systems/servers/n1"))
    reader = subprocess.Popen(["cat", s.p("systems/servers/n1/slow")], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    pid = s.proc.pid
    s.proc.send_signal(2)       # SIGINT while an agent runs
    assert s.proc.wait(timeout=10) == 0
    reader.wait(timeout=10)
    assert not is_mounted(s.mnt)
    # the agent's group was killed with the daemon (SIGKILL takes a moment)
    assert wait_for(lambda: "sleep 30" not in sh("ps -eo args").stdout.splitlines(), 5)
    s.start()
    s.proc.terminate()
    assert s.proc.wait(timeout=10) == 0 and not is_mounted(s.mnt)
    assert pid


def test_2000_background_reads_and_writes(make_sysman):
    n = 2000
    s = make_sysman(agents={
        "systems/servers/_/who.read": "#!/bin/sh\necho \"$SYSMAN_PATH\"\n",
        "systems/servers/_/cmd.write": "#!/bin/sh\necho \"ran $4 on $SYSMAN_PATH\"\n",
    })
    for i in range(n):
        os.mkdir(s.p(f"systems/servers/h{i}"))
    out = os.path.join(s.work, "out")
    os.mkdir(out)
    idle = s.threads()      # main, runner, back-end pools, first FUSE worker
    peak = [0]
    script = f"""
        cd {s.p('systems/servers')}
        for i in $(seq 0 {n - 1}); do cat h$i/who > {out}/$i & done
        wait
        for i in $(seq 0 {n - 1}); do echo job$i > h$i/cmd & done
        wait
    """
    p = subprocess.Popen(["bash", "-c", script])
    while p.poll() is None:
        peak[0] = max(peak[0], s.threads())
        time.sleep(0.05)
    assert p.returncode == 0
    for i in range(n):
        with open(os.path.join(out, str(i))) as f:
            assert f.read() == f"/systems/servers/h{i}/who\n"
        assert s.read(f"systems/servers/h{i}/cmd") == f"ran job{i} on /systems/servers/h{i}/cmd\n"
    print(f"\npeak daemon threads during 2x{n} background accesses: {peak[0]}"
          f" (idle: {idle})")
    # bounded by the fixed threads plus at most max_threads (16) FUSE
    # workers, not by the number of accesses
    assert peak[0] <= idle + 16
