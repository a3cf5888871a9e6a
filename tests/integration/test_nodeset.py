"""Node sets on the command line, through the mount: `sysman run -w` writes
each member's command file and gathers the outputs, `sysman gather` folds
files, and `@group` is a members file or a directory of symlinks.  The
hosts are the testbed's real sshd hosts."""
import os
import subprocess

from conftest import BUILD, TB_BASE, TB_HOSTS

SYSMAN = os.path.join(BUILD, "tools", "sysman")
RULE = "-" * 15
# what is measured here is folding and exit codes, not speed: on a loaded
# 2-core machine a remote command can take longer than the usual 15 s
SLOW_OK = "agent_timeout = 60"


def sysman(s, *args, timeout=120):
    return subprocess.run([SYSMAN, *args], capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, SYSMAN_ROOT=s.mnt))


def hosts(first=1, last=TB_HOSTS):
    return f"{TB_BASE}.0.[{first}-{last}]"


def block(nodes, count, body):
    head = f"{nodes} ({count})" if count > 1 else nodes
    return f"{RULE}\n{head}\n{RULE}\n{body}"


def test_run_folds_identical_outputs_and_reports_failures(cluster):
    s = cluster(SLOW_OK)
    r = sysman(s, "run", "-w", hosts(), "echo", "same everywhere")
    assert r.returncode == 0, r.stderr
    assert r.stdout == block(hosts(), TB_HOSTS, "same everywhere\n")
    # one host fails with rc 3 and says something else: its own block, the
    # exit code is the worst rc, stderr names it
    cmd = 'if [ "$(tb-hostname)" = node3 ]; then echo broken; exit 3; fi; echo fine'
    r = sysman(s, "run", "-w", hosts(), cmd)
    assert r.returncode == 3, r.stderr
    others = f"{TB_BASE}.0.[1-2,4-{TB_HOSTS}]"
    assert r.stdout == block(others, TB_HOSTS - 1, "fine\n") + block(f"{TB_BASE}.0.3", 1, "broken\n")
    assert f"sysman: run: {TB_BASE}.0.3: exit code 3" in r.stderr
    # the files say the same as the CLI did
    assert s.read(f"systems/servers/{TB_BASE}.0.3/command") == "broken\n"
    assert s.status(f"systems/servers/{TB_BASE}.0.3/command") == "3"
    # -L: one line per node, in node order
    r = sysman(s, "run", "-L", "-w", f"{TB_BASE}.0.[1-3]", "tb-hostname")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [f"{TB_BASE}.0.{i}: node{i}" for i in (1, 2, 3)]


def test_run_timeout_and_unknown_server(cluster):
    s = cluster(SLOW_OK)
    assert sysman(s, "run", "-w", f"{TB_BASE}.0.[1-3]", "true").returncode == 0   # warm
    cmd = 'if [ "$(tb-hostname)" = node2 ]; then sleep 20; fi; echo done'
    r = sysman(s, "run", "-t", "10", "-w", f"{TB_BASE}.0.[1-3]", cmd)
    assert (r.returncode, r.stdout) == (124, block(f"{TB_BASE}.0.[1,3]", 2, "done\n")), r.stderr
    assert f"{TB_BASE}.0.2: exit code 124: no answer within 10s" in r.stderr
    r = sysman(s, "run", "-w", f"{TB_BASE}.0.1,nosuch[1-2]", "true")
    assert r.returncode == 1
    assert "nosuch[1-2]: exit code 1: no such server" in r.stderr
    r = sysman(s, "run", "-w", f"{TB_BASE}.0.[1-", "true")
    assert r.returncode == 2 and "malformed node set at offset" in r.stderr


def test_gather_files_of_the_tree(cluster):
    s = cluster(SLOW_OK)
    servers = s.p("systems/servers")
    names = sorted(os.listdir(servers))
    assert len(names) == TB_HOSTS
    # the same kernel everywhere on the testbed: one block
    r = sysman(s, "gather", *[f"{servers}/{n}/os" for n in names])
    assert r.returncode == 0, r.stderr
    body = s.read(f"systems/servers/{names[0]}/os")
    assert body and r.stdout == block(hosts(), TB_HOSTS, body)
    # uptime-like files, identical on the odd hosts and on the even ones
    for n in names:
        s.write(f"systems/servers/{n}/command", 'n=$(tb-hostname | tr -dc 0-9); echo "up $((n % 2)) days"\n')
    r = sysman(s, "gather", *[f"{servers}/{n}/command" for n in names])
    assert r.returncode == 0, r.stderr
    odd = ",".join(str(i) for i in range(1, TB_HOSTS + 1, 2))
    even = ",".join(str(i) for i in range(2, TB_HOSTS + 1, 2))
    assert r.stdout == (block(f"{TB_BASE}.0.[{odd}]", len(odd.split(",")), "up 1 days\n") +
                        block(f"{TB_BASE}.0.[{even}]", len(even.split(",")), "up 0 days\n"))
    r = sysman(s, "gather", f"{servers}/{names[0]}/hostname", f"{servers}/nope/hostname")
    assert r.returncode == 1 and "nope: exit code 1" in r.stderr


def test_groups_members_file_and_symlinks(cluster):
    s = cluster(SLOW_OK)
    os.makedirs(s.p("groups/rack1"))
    s.write("groups/rack1/members", f"{TB_BASE}.0.[1-3]\n")
    os.makedirs(s.p("groups/rack2"))
    for i in (5, 6):
        os.symlink(f"../../systems/servers/{TB_BASE}.0.{i}", s.p(f"groups/rack2/{TB_BASE}.0.{i}"))
    r = sysman(s, "nodeset", "-f", "@rack1,@rack2")
    assert (r.returncode, r.stdout) == (0, f"{TB_BASE}.0.[1-3,5-6]\n"), r.stderr
    r = sysman(s, "run", "-w", "@rack1,@rack2!" + f"{TB_BASE}.0.2", "echo", "grouped")
    assert r.returncode == 0, r.stderr
    assert r.stdout == block(f"{TB_BASE}.0.[1,3,5-6]", 4, "grouped\n")
    r = sysman(s, "run", "-w", "@rack9", "true")
    assert r.returncode == 2 and "no group '@rack9'" in r.stderr
