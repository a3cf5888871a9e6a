"""nodes/<set>/<file> through the mount (issue 12): a node set's members'
files read as one gathered file (clush -b style) and written all at once,
each member with its own agent, .status and permission check.  The first
tests use local agents; the others the testbed's sshd hosts and ipmi_sim
BMCs."""
import errno
import os
import re
import shlex
import threading

import pytest

from conftest import BUILD, TB_BASE, TB_BMCS, TB_HOSTS, bmc_addr, host_addr, sh

RULE = "-" * 15
SYSMAN = os.path.join(BUILD, "tools", "sysman")
USER, GROUP = 4000, 4100
SLOW_OK = "agent_timeout = 60"

LOCAL = {
    "systems/servers/_/same.read": "#!/bin/sh\necho same\n",
    "systems/servers/_/who.read": '#!/bin/sh\necho "I am $(basename "$(dirname "$SYSMAN_PATH")")"\n',
    "systems/servers/_/power.read": """\
        #!/bin/sh
        n=$(basename "$(dirname "$SYSMAN_PATH")")
        cat "$SMTEST_WORK/power.$n" 2>/dev/null || echo unknown
        """,
    "systems/servers/_/power.write": """\
        #!/bin/sh
        n=$(basename "$(dirname "$SYSMAN_PATH")")
        [ "$4" = bad ] && [ "$n" = n2 ] && { echo "n2 refuses" >&2; exit 3; }
        echo "$4" > "$SMTEST_WORK/power.$n"
        """,
}


def block(nodes, count, body):
    head = f"{nodes} ({count})" if count > 1 else nodes
    return f"{RULE}\n{head}\n{RULE}\n{body}"


def blocks(text):
    """Parses gathered output into [(header, body)]."""
    out, lines, i = [], text.splitlines(keepends=True), 0
    while i < len(lines):
        assert lines[i] == RULE + "\n" and lines[i + 2] == RULE + "\n", text
        head, i = lines[i + 1].rstrip("\n"), i + 3
        body = []
        while i < len(lines) and not (lines[i] == RULE + "\n" and i + 2 < len(lines)
                                      and lines[i + 2] == RULE + "\n"):
            body.append(lines[i])
            i += 1
        out.append((head, "".join(body)))
    return out


def as_user(cmd, uid=USER, gid=USER, groups=(GROUP,)):
    g = ",".join(str(x) for x in groups)
    return sh(f"setpriv --reuid={uid} --regid={gid} --groups={g} -- bash -c {shlex.quote(cmd)}",
              check=False)


def servers(s, names):
    for n in names:
        os.makedirs(s.p(f"systems/servers/{n}"))


# ------------------------------------------------------------ local agents

def test_gathered_read_status_and_never_stored(make_sysman):
    s = make_sysman(agents=LOCAL)
    servers(s, [f"n{i}" for i in range(1, 6)])
    # computed, never listed, never stored
    assert "nodes" not in os.listdir(s.mnt)
    assert os.path.isdir(s.p("nodes")) and os.listdir(s.p("nodes")) == []
    assert os.listdir(s.p("nodes/n[1-5]")) == []
    assert s.read("nodes/n[1-5]/same") == block("n[1-5]", 5, "same\n")
    # all different: one block each, in node order
    assert s.read("nodes/n[1-3]/who") == "".join(block(f"n{i}", 1, f"I am n{i}\n") for i in (1, 2, 3))
    # set algebra, as in ClusterShell
    assert s.read("nodes/n[1-5]!n[2-3]/same") == block("n[1,4-5]", 3, "same\n")
    # a member that does not exist is reported in .status, the others go on
    assert s.read("nodes/n[4-6]/same") == block("n[4-5]", 2, "same\n")
    assert s.read("nodes/n[4-6]/same.status") == block("n[4-5]", 2, "0\n") + block("n6", 1, "2 no such device\n")
    assert not os.path.exists(os.path.join(s.state, "nodes"))
    assert "nodes" not in os.listdir(s.mnt)
    # nothing can be made there
    with pytest.raises(OSError) as e:
        os.mkdir(s.p("nodes/n1/x"))
    assert e.value.errno in (errno.EPERM, errno.EACCES)
    with pytest.raises(OSError):
        os.mkdir(s.p("nodes"))


def test_write_every_member_and_gather_status(make_sysman):
    s = make_sysman(agents=LOCAL)
    servers(s, [f"n{i}" for i in range(1, 6)])
    s.write("nodes/n[1-3]/power", "off\n")
    assert s.read("nodes/n[1-5]/power") == block("n[1-3]", 3, "off\n") + block("n[4-5]", 2, "unknown\n")
    # each member's own file and .status, as if written one by one
    assert s.read("systems/servers/n2/power") == "off\n"
    assert s.status("systems/servers/n2/power") == "0"
    assert s.read("nodes/n[1-3]/power.status") == block("n[1-3]", 3, "0\n")
    # one member's agent fails: the others are done; the failure is gathered
    s.write("nodes/n[1-3]/power", "bad\n")
    assert s.read("nodes/n[1-3]/power.status") == block("n[1,3]", 2, "0\n") + block("n2", 1, "3 n2 refuses\n")
    assert s.read("systems/servers/n1/power") == "bad\n"
    # a .status is read-only
    with pytest.raises(PermissionError):
        s.write("nodes/n[1-3]/power.status", "0\n")
    # groups: a members file
    os.makedirs(s.p("groups/even"))
    s.write("groups/even/members", "n[2,4]\n")
    s.write("nodes/@even/power", "on\n")
    # blocks of one size come in the order of their first node
    assert s.read("nodes/n[1-5]/power") == (block("n[1,3]", 2, "bad\n") + block("n[2,4]", 2, "on\n")
                                            + block("n5", 1, "unknown\n"))


def test_strict_errors_fail_the_close(make_sysman):
    s = make_sysman(conf="strict_errors = yes", agents=LOCAL)
    servers(s, ["n1", "n2", "n3"])
    with pytest.raises(OSError) as e:
        s.write("nodes/n[1-3]/power", "bad\n")
    assert e.value.errno == errno.EIO
    assert s.read("systems/servers/n3/power") == "bad\n"   # the others were done


def test_malformed_and_too_large_sets(make_sysman):
    s = make_sysman(conf="max_nodeset = 10", agents=LOCAL)
    servers(s, ["n1"])
    for bad in ("n[1-", "n[3-1]", "@nosuch", "n[1-2]]"):
        with pytest.raises(FileNotFoundError):
            s.read(f"nodes/{bad}/same")
    log = s.log()
    assert "'nodes/n[1-': malformed node set at offset" in log
    assert "'nodes/@nosuch'" in log
    assert s.read("nodes/n[1-10]/same") == block("n1", 1, "same\n")
    with pytest.raises(OSError) as e:
        s.read("nodes/n[1-11]/same")
    assert e.value.errno == errno.E2BIG
    assert "'nodes/n[1-11]': refused: more than max_nodeset (10) names" in s.log()
    # a file no member has
    with pytest.raises(FileNotFoundError):
        s.read("nodes/n1/nosuch")


def test_member_without_permission_is_reported_others_proceed(make_sysman):
    s = make_sysman(agents=LOCAL)
    servers(s, ["n1", "n2", "n3"])
    for n in ("n1", "n2", "n3"):
        s.read(f"systems/servers/{n}/power")            # makes the file appear
        os.chmod(s.p(f"systems/servers/{n}/power"), 0o666)
    os.chmod(s.p("systems/servers/n2/power"), 0o644)
    code = ("import sys\n"
            "f = open(sys.argv[1], 'w')\n"
            "f.write('off\\n')\n"
            "try:\n    f.close()\nexcept OSError as e:\n    print('close', e.errno)\n")
    r = as_user(f"/usr/bin/python3 -c {shlex.quote(code)} {shlex.quote(s.p('nodes/n[1-3]/power'))}")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"close {errno.EACCES}"
    assert "'/systems/servers/n2/power': uid 4000 may not write it" in s.log()
    r = as_user(f"cat {shlex.quote(s.p('nodes/n[1-3]/power.status'))}")
    assert r.stdout == block("n[1,3]", 2, "0\n") + block("n2", 1, "13 permission denied\n"), r.stderr
    # the refusal was the user's, not root's
    assert s.read("nodes/n[1-3]/power.status") == block("n[1-3]", 3, "0\n")
    assert s.read("systems/servers/n1/power") == "off\n" and s.read("systems/servers/n3/power") == "off\n"
    assert s.read("systems/servers/n2/power") == "unknown\n"
    # n2's own .status is newer now: the refusal is no longer shown
    r = as_user(f"cat {shlex.quote(s.p('nodes/n[1-3]/power.status'))}")
    assert r.stdout == block("n[1-3]", 3, "0\n"), r.stderr
    # a member the user may not read is left out and reported
    os.chmod(s.p("systems/servers/n3/power"), 0o600)
    r = as_user(f"cat {shlex.quote(s.p('nodes/n[1-3]/power'))}; cat {shlex.quote(s.p('nodes/n[1-3]/power.status'))}")
    assert r.stdout == (block("n1", 1, "off\n") + block("n2", 1, "unknown\n") +
                        block("n[1-2]", 2, "0\n") + block("n3", 1, "13 permission denied\n")), r.stderr



def test_concurrent_readers_and_writers(make_sysman):
    s = make_sysman(agents=LOCAL)
    servers(s, [f"n{i}" for i in range(1, 21)])
    errors = []

    def reader():
        try:
            for _ in range(5):
                assert s.read("nodes/n[1-20]/same") == block("n[1-20]", 20, "same\n")
                st = blocks(s.read("nodes/n[1-20]/power.status"))
                assert sum(int(h.split("(")[1].rstrip(")")) if "(" in h else 1 for h, _ in st) <= 20
        except Exception as e:          # noqa: BLE001 - reported below
            errors.append(repr(e))

    def writer():
        try:
            for v in ("on", "off", "on"):
                s.write("nodes/n[1-20]/power", v + "\n")
        except Exception as e:          # noqa: BLE001
            errors.append(repr(e))

    ts = [threading.Thread(target=reader) for _ in range(6)] + [threading.Thread(target=writer)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    assert not errors, errors
    assert s.read("nodes/n[1-20]/power") == block("n[1-20]", 20, "on\n")
    assert s.read("nodes/n[1-20]/power.status") == block("n[1-20]", 20, "0\n")


# ------------------------------------------------------------ the testbed

def test_read_forty_nodes_folds_identical_outputs(cluster, testbed):
    s = cluster(SLOW_OK, discover=False)
    lines = "".join(f"server {host_addr(TB_BASE, (i - 1) % TB_HOSTS + 1)} n{i}\n" for i in range(1, 41))
    s.write("discover_master", lines)
    assert len(os.listdir(s.p("systems/servers"))) == 40
    # the same system everywhere: one block
    out = s.read("nodes/n[1-40]/os")
    assert out == block("n[1-40]", 40, s.read("systems/servers/n1/os"))
    # uptime: the same machine, so the outputs differ only by the second
    # (and load) at which each host answered; identical ones are folded
    got = blocks(s.read("nodes/n[1-40]/uptime"))
    seen = []
    for head, body in got:
        m = re.fullmatch(r"n(\[[0-9,\-]+\]|[0-9]+)(?: \((\d+)\))?", head)
        assert m, head
        members = sh(f"{SYSMAN} nodeset -e {shlex.quote(head.split()[0])}").stdout.split()
        assert int(m.group(2) or 1) == len(members)
        seen += members
        assert re.match(r"\d+\n.*load average", body, re.S), body
    assert sorted(seen) == sorted(f"n{i}" for i in range(1, 41))
    assert len({body for _, body in got}) == len(got) < 40
    assert s.read("nodes/n[1-40]/uptime.status") == block("n[1-40]", 40, "0\n")
    # a command written to all, then read back: each host's own answer
    s.write("nodes/n[1-40]/command", "tb-hostname\n")
    out = s.read("nodes/n[1-40]/command")
    want = [(i, [n for n in range(1, 41) if (n - 1) % TB_HOSTS + 1 == i]) for i in range(1, TB_HOSTS + 1)]
    assert out == "".join(block("n[" + ",".join(map(str, ns)) + "]", len(ns), f"node{i}\n") for i, ns in want)
    assert s.read("nodes/n[1-40]/command.status") == block("n[1-40]", 40, "0\n")


def power_state(testbed, b):
    out = testbed.ipmitool(b, "chassis", "power", "status").stdout.lower()
    return "on" if "is on" in out else "off" if "is off" in out else out


def test_power_off_a_rack_and_gather_statuses(cluster, testbed):
    s = cluster(SLOW_OK)
    bmcs = [bmc_addr(TB_BASE, i) for i in range(1, TB_BMCS + 1)]
    rack, outside = bmcs[:2], bmcs[2:]
    for b in bmcs:
        s.write(f"systems/bmcs/{b}/power", "on\n")
        assert s.status(f"systems/bmcs/{b}/power") == "0"
    os.makedirs(s.p("groups/rack1"))
    for b in rack:
        os.symlink(f"../../systems/bmcs/{b}", s.p(f"groups/rack1/{b}"))
    rack_set = f"{TB_BASE}.1.[1-2]"
    s.write("nodes/@rack1/power", "off\n")
    assert [power_state(testbed, b) for b in rack] == ["off", "off"]
    assert [power_state(testbed, b) for b in outside] == ["on"] * len(outside)
    assert s.read("nodes/@rack1/power.status") == block(rack_set, 2, "0\n")
    assert s.read("nodes/@rack1/power") == block(rack_set, 2, "off\n")
    all_set = f"{TB_BASE}.1.[1-{TB_BMCS}]"
    assert s.read(f"nodes/{all_set}/power") == block(rack_set, 2, "off\n") + block(outside[0], 1, "on\n")

    # a member the user may not write: reported, the other is powered
    for b in bmcs:
        s.write(f"systems/bmcs/{b}/power", "on\n")
        os.chmod(s.p(f"systems/bmcs/{b}/power"), 0o666)
    os.chmod(s.p(f"systems/bmcs/{rack[0]}/power"), 0o644)
    code = ("import sys\n"
            "f = open(sys.argv[1], 'w')\n"
            "f.write('off\\n')\n"
            "try:\n    f.close()\nexcept OSError as e:\n    print('close', e.errno)\n")
    r = as_user(f"/usr/bin/python3 -c {shlex.quote(code)} {shlex.quote(s.p('nodes/@rack1/power'))}")
    assert r.stdout.strip() == f"close {errno.EACCES}", r.stderr
    assert power_state(testbed, rack[0]) == "on" and power_state(testbed, rack[1]) == "off"
    assert f"'/systems/bmcs/{rack[0]}/power': uid {USER} may not write it" in s.log()
    r = as_user(f"cat {shlex.quote(s.p('nodes/@rack1/power.status'))}")
    assert r.stdout == block(rack[0], 1, "13 permission denied\n") + block(rack[1], 1, "0\n"), r.stderr


def test_group_attrs_inherited_by_members(make_sysman):
    s = make_sysman(agents={
        "_discover/server": "#!/bin/sh\nexit 0\n",
        "systems/servers/_/env.read": '#!/bin/sh\necho "rack=$SYSMAN_ATTR_rack color=$SYSMAN_ATTR_color"\n',
    })
    s.write("discover_master", "server 10.9.0.1 n1 color=blue\nserver 10.9.0.2 n2\nserver 10.9.0.3 n3\n")
    assert s.status("discover_master").startswith("0"), s.status("discover_master")
    assert s.read("nodes/n[1-3]/env") == block("n[2-3]", 2, "rack= color=\n") + block("n1", 1, "rack= color=blue\n")
    os.makedirs(s.p("groups/rack1"))
    s.write("groups/rack1/members", "n[1-2]\n")
    s.write("groups/rack1/attrs", "# the first rack\nrack=r1 color=red\n")
    os.makedirs(s.p("groups/zz"))
    for n in ("n1", "n2", "n3"):
        os.symlink(f"../../systems/servers/{n}", s.p(f"groups/zz/{n}"))
    s.write("groups/zz/attrs", "rack=zz\ncolor=green\n")
    # the device's own attributes win, then groups in name order
    assert s.read("nodes/n[1-3]/env") == "".join(block(n, 1, body) for n, body in (
        ("n1", "rack=r1 color=blue\n"), ("n2", "rack=r1 color=red\n"), ("n3", "rack=zz color=green\n")))
    # what the group says is what its agents see at their next run
    s.write("groups/rack1/members", "n2\n")
    assert s.read("systems/servers/n1/env") == "rack=zz color=blue\n"
