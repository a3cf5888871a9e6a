"""Special files: ids, lock, discover_master; restart; bad input."""
import os
import subprocess
import threading
import time

import pytest

from conftest import sh, wait_for

WHOAMI = """\
    #!/bin/sh
    # records what credentials it was given, and its argv
    echo "$*" >> "$SMTEST_WORK/argv"
    # the content shows a digest only: the password itself must stay off disk
    if [ -n "$SYSMAN_PASSWORD" ]; then
        echo "user=$SYSMAN_USER pass=$(printf %s "$SYSMAN_PASSWORD" | md5sum | cut -c1-8)"
    else
        echo "user= pass="
    fi
    """


def who(user, password):
    import hashlib
    return f"user={user} pass={hashlib.md5(password.encode()).hexdigest()[:8]}\n"


def test_ids_inheritance_and_secrecy(make_sysman):
    s = make_sysman(agents={"systems/servers/_/who.read": WHOAMI,
                            "systems/servers/_/slow.read": "#!/bin/sh\nsleep 1.5\necho $SYSMAN_USER\n"})
    for n in ("n1", "n2", "n3"):
        os.mkdir(s.p(f"systems/servers/{n}"))
    assert s.read("systems/servers/n1/who") == "user= pass=\n"
    s.write("ids", "admin Top-Secret-Root\n")
    assert s.read("systems/servers/n1/who") == who("admin", "Top-Secret-Root")   # from the root
    s.write("systems/servers/ids", "bob Parent-Pass-42\n")
    s.write("systems/servers/n2/ids", "name=bmc carol Own-Pass-77\n")
    assert s.read("systems/servers/n1/who") == who("bob", "Parent-Pass-42")      # from the parent
    assert s.read("systems/servers/n2/who") == who("carol", "Own-Pass-77")       # its own wins
    # reads show user names only
    assert s.read("ids") == "admin\n"
    assert s.read("systems/servers/n2/ids") == "name=bmc carol\n"
    # the password is visible to no `ps` while an agent runs
    t = threading.Thread(target=s.read, args=("systems/servers/n3/slow",))
    t.start()
    time.sleep(0.7)
    ps = sh("ps -eo args").stdout
    t.join()
    assert "slow" in ps and "Parent-Pass-42" not in ps
    # nor in the state dir, the audit log, the daemon log or agents' argv
    secrets = ("Top-Secret-Root", "Parent-Pass-42", "Own-Pass-77")
    blob = sh(f"cat {s.audit} {s.logfile} {s.work}/argv; grep -r -a . {s.state} || true").stdout
    assert "op=ids.write" in blob
    for secret in secrets:
        assert secret not in blob
        assert sh(f"grep -r -l -a {secret} {s.base} || true").stdout == ""


def test_ids_in_memory_only_across_restart(make_sysman):
    s = make_sysman(agents={"systems/servers/_/who.read": WHOAMI})
    os.mkdir(s.p("systems/servers/n1"))
    s.write("ids", "admin pw1\n")
    s.restart()
    assert s.read("systems/servers/n1/who") == "user= pass=\n"


def test_ids_password_in_argv_only_when_configured(make_sysman):
    s = make_sysman(conf="pass_password_in_argv = yes", agents={"systems/servers/_/who.read": WHOAMI})
    os.mkdir(s.p("systems/servers/n1"))
    s.write("ids", "admin pw-in-argv\n")
    s.read("systems/servers/n1/who")
    assert "-u admin -p pw-in-argv" in open(os.path.join(s.work, "argv")).read()


def test_malformed_ids_keeps_old_credentials(make_sysman):
    s = make_sysman(agents={"systems/servers/_/who.read": WHOAMI})
    os.mkdir(s.p("systems/servers/n1"))
    s.write("ids", "admin good-pass\n")
    r = sh(f"echo lonelyuser > {s.p('ids')}", check=False)
    assert r.returncode != 0 and "Invalid argument" in r.stderr
    with pytest.raises(OSError) as e:
        s.write("systems/servers/ids", "a b\nbroken\n")
    assert e.value.errno == 22
    assert s.read("systems/servers/n1/who") == who("admin", "good-pass")
    assert "ids: line 1 refused" in s.log()
    # append adds, truncate-without-data clears
    sh(f"echo 'second pw2' >> {s.p('ids')}")
    assert s.read("ids") == "admin\nsecond\n"
    sh(f": > {s.p('ids')}")
    assert s.read("ids") == ""


def test_lock_serialises_agents(make_sysman):
    agent = """\
        #!/bin/sh
        echo "start $(date +%s.%N) $SYSMAN_PATH" >> "$SMTEST_WORK/times"
        sleep 0.5
        echo "end $(date +%s.%N) $SYSMAN_PATH" >> "$SMTEST_WORK/times"
        echo ok
        """
    s = make_sysman(agents={"systems/chassis/_/blades/_/power.read": agent})

    def intervals():
        spans = {}
        for line in open(os.path.join(s.work, "times")):
            what, when, path = line.split()
            spans.setdefault(path, {})[what] = float(when)
        os.unlink(os.path.join(s.work, "times"))
        return sorted((v["start"], v["end"]) for v in spans.values())

    def read_all(n):
        ts = [threading.Thread(target=s.read, args=(f"systems/chassis/c1/blades/{i}/power",))
              for i in range(1, n + 1)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    for i in (1, 2, 3):
        os.makedirs(s.p(f"systems/chassis/c1/blades/{i}"))
    read_all(3)
    spans = intervals()
    assert any(b[0] < a[1] for a, b in zip(spans, spans[1:])), "control: without a lock they overlap"
    sh(f"touch {s.p('systems/chassis/c1/lock')}")
    t = threading.Thread(target=read_all, args=(3,))
    t.start()
    time.sleep(0.25)
    holder = s.read("systems/chassis/c1/lock")
    t.join()
    assert holder.startswith("held by ") and "/blades/" in holder
    spans = intervals()
    assert len(spans) == 3
    assert all(b[0] >= a[1] for a, b in zip(spans, spans[1:])), f"overlap under lock: {spans}"
    assert s.read("systems/chassis/c1/lock") == "free\n"


DISCOVER = {
    "_discover/server": """\
        #!/bin/sh
        case "$4" in 127.*) exit 0 ;; esac
        echo "no ssh banner at $4" >&2
        exit 1
        """,
    "_discover/bmc": "#!/bin/sh\nexit 0\n",
    "_discover/chassis": """\
        #!/bin/sh
        addr=${4%% *}
        for i in 1 2; do echo "bmc 127.1.3.$i $i parent=systems/chassis/$addr/blades"; done
        """,
    "_discover/scan": """\
        #!/bin/sh
        echo "server 127.1.0.5 s5"
        echo "bmc 127.1.1.9"
        echo "chassis 127.1.2.1"
        """,
    "systems/servers/_/addr.read": "#!/bin/sh\necho \"$SYSMAN_KIND $SYSMAN_ADDRESS $SYSMAN_ATTR_bmc\"\n",
    "systems/chassis/_/blades/_/addr.read": "#!/bin/sh\necho \"$SYSMAN_KIND $SYSMAN_ADDRESS\"\n",
}


def test_manual_discovery(make_sysman):
    s = make_sysman(agents=DISCOVER)
    sh(f'echo "server 127.1.0.7 web1 bmc=127.1.1.7" > {s.p("discover_master")}')
    assert s.read("systems/servers/web1/addr") == "server 127.1.0.7 127.1.1.7\n"
    assert s.status("discover_master") == "0 discovered 1 device (1 new)"
    r = sh(f'echo "server 10.9.9.9" > {s.p("discover_master")}', check=False)
    assert r.returncode != 0
    assert s.status("discover_master") == "22 server 10.9.9.9 refused: no ssh banner at 10.9.9.9"
    assert not os.path.exists(s.p("systems/servers/10.9.9.9"))


def test_prompted_and_recursive_discovery(make_sysman):
    s = make_sysman(agents=DISCOVER)
    sh(f'echo 1 > {s.p("discover_master")}')
    assert os.listdir(s.p("systems/servers")) == ["s5"]
    assert os.listdir(s.p("systems/bmcs")) == ["127.1.1.9"]
    assert sorted(os.listdir(s.p("systems/chassis/127.1.2.1/blades"))) == ["1", "2"]
    assert s.read("systems/chassis/127.1.2.1/blades/2/addr") == "bmc 127.1.3.2\n"
    assert s.status("discover_master") == "0 discovered 5 devices (5 new)"


def test_periodic_discovery(make_sysman):
    s = make_sysman(conf="discover_interval = 1", agents=DISCOVER)
    assert wait_for(lambda: os.path.isdir(s.p("systems/servers/s5")), 5)


def test_unknown_kind_rejected_with_log(make_sysman):
    s = make_sysman(agents=DISCOVER)
    r = sh(f'echo "toaster 127.1.9.9" > {s.p("discover_master")}', check=False)
    assert r.returncode != 0 and "Invalid argument" in r.stderr
    assert "unknown kind 'toaster'" in s.log()
    assert os.listdir(s.p("systems/servers")) == []


def test_restart_keeps_content_modes_owners_devices(make_sysman):
    s = make_sysman(agents=DISCOVER)
    sh(f'echo "server 127.1.0.8 keep1" > {s.p("discover_master")}')
    os.makedirs(s.p("groups/web"))
    s.write("groups/web/notes", "remember me\n")
    os.chmod(s.p("groups/web/notes"), 0o640)
    os.chown(s.p("groups/web/notes"), 4321, 4322)
    os.setxattr(s.p("groups/web/notes"), "user.role", b"frontend")
    s.restart()
    st = os.stat(s.p("groups/web/notes"))
    assert (st.st_mode & 0o777, st.st_uid, st.st_gid) == (0o640, 4321, 4322)
    assert s.read("groups/web/notes") == "remember me\n"
    assert os.getxattr(s.p("groups/web/notes"), "user.role") == b"frontend"
    assert s.read("systems/servers/keep1/addr") == "server 127.1.0.8 \n"
    # even if the tree's directory was lost, the inventory brings devices back
    s.stop()
    subprocess.run(["rm", "-rf", os.path.join(s.state, "systems/servers/keep1")], check=True)
    s.start()
    assert os.path.isdir(s.p("systems/servers/keep1"))


def test_agent_output_capped(make_sysman):
    s = make_sysman(conf="agent_output_max = 1048576", agents={
        "systems/servers/_/flood.read": "#!/bin/sh\nhead -c 100000000 /dev/zero | tr '\\0' x\n"})
    os.mkdir(s.p("systems/servers/n1"))
    assert len(s.read("systems/servers/n1/flood")) == 1048576
    assert s.status("systems/servers/n1/flood") == "0 output truncated at 1048576 bytes"


def test_agent_not_executable(make_sysman):
    s = make_sysman()
    s.agent("systems/servers/_/noexec.read", "#!/bin/sh\necho hi\n", mode=0o644)
    os.mkdir(s.p("systems/servers/n1"))
    assert s.read("systems/servers/n1/noexec") == ""
    st = s.status("systems/servers/n1/noexec")
    assert st.startswith("126 agent '") and st.endswith("noexec.read' is not executable")


def test_agent_that_never_exits_times_out(make_sysman):
    s = make_sysman(conf="agent_timeout = 1", agents={
        "systems/servers/_/stuck.write": "#!/bin/sh\nexec sleep 1000\n"})
    os.mkdir(s.p("systems/servers/n1"))
    t0 = time.time()
    sh(f"echo go > {s.p('systems/servers/n1/stuck')}")
    assert time.time() - t0 < 5
    assert s.status("systems/servers/n1/stuck") == "124 timed out after 1s"
    assert "timed out" in s.log()


def test_status_files_are_read_only(make_sysman):
    s = make_sysman(agents={"systems/servers/_/x.read": "#!/bin/sh\necho x\n"})
    os.mkdir(s.p("systems/servers/n1"))
    s.read("systems/servers/n1/x")
    for cmd in ("echo 0 > {p}", "truncate -s 0 {p}"):
        r = sh(cmd.format(p=s.p("systems/servers/n1/x.status")), check=False)
        assert r.returncode != 0
    assert s.status("systems/servers/n1/x") == "0"
    r = sh(f"touch {s.p('systems/servers/n1/new.status')}", check=False)
    assert r.returncode != 0
