"""Agents: read/write, .status, timeouts, lookup, caching models, write modes."""
import os
import re
import subprocess
import time


from conftest import COUNTER, runs, sh, wait_for

ECHO_READ = """\
    #!/bin/sh
    echo "read $SYSMAN_PATH args=$*"
    """


def test_read_agent_output_and_mtime(make_sysman):
    s = make_sysman(agents={"systems/servers/_/hello.read": ECHO_READ})
    os.mkdir(s.p("systems/servers/n1"))
    before = time.time()
    assert "hello" in os.listdir(s.p("systems/servers/n1"))
    out = s.read("systems/servers/n1/hello")
    assert out == f"read /systems/servers/n1/hello args=-f {s.mnt}/systems/servers/n1/hello\n"
    mtime = os.stat(s.p("systems/servers/n1/hello")).st_mtime
    assert before - 1 <= mtime <= time.time() + 1
    assert s.status("systems/servers/n1/hello") == "0"


def test_write_agent_gets_input_and_output_replaces(make_sysman):
    s = make_sysman(agents={"systems/servers/_/power.write": """\
        #!/bin/sh
        # argv: -f FILE -i INPUT ; stdin has the exact bytes
        [ "$3" = "-i" ] || { echo "no -i" >&2; exit 3; }
        echo "applied <$4> stdin=<$(cat)>"
        """})
    os.mkdir(s.p("systems/servers/n1"))
    s.write("systems/servers/n1/power", "on\n")
    assert s.read("systems/servers/n1/power") == "applied <on> stdin=<on>\n"
    assert s.status("systems/servers/n1/power") == "0"


def test_status_success_failure_timeout_no_orphan(make_sysman):
    s = make_sysman(conf="agent_timeout = 1", agents={
        "systems/servers/_/good.read": "#!/bin/sh\necho fine\n",
        "systems/servers/_/bad.read": "#!/bin/sh\necho partial\necho 'disk on fire' >&2\necho more >&2\nexit 5\n",
        "systems/servers/_/hang.read": """\
            #!/bin/sh
            sleep 1000 &
            echo $! > "$SMTEST_WORK/orphan.pid"
            echo started
            sleep 1000
            """,
    })
    os.mkdir(s.p("systems/servers/n1"))
    assert s.read("systems/servers/n1/good") == "fine\n"
    assert s.status("systems/servers/n1/good") == "0"
    assert s.read("systems/servers/n1/bad") == "partial\n"   # what it printed, read succeeds
    assert s.status("systems/servers/n1/bad") == "5 disk on fire"
    t0 = time.time()
    assert s.read("systems/servers/n1/hang") == "started\n"
    assert time.time() - t0 < 5
    assert s.status("systems/servers/n1/hang") == "124 timed out after 1s"
    pid = int(open(os.path.join(s.work, "orphan.pid")).read())

    def gone():
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as f:
                return f.read().split()[2] == "Z"
        except (ProcessLookupError, FileNotFoundError):
            return True
    assert wait_for(gone, 3), "the agent's child outlived the timeout"


def test_wildcard_any_and_exact_wins(make_sysman):
    s = make_sysman(agents={
        "systems/servers/_/kind.read": "#!/bin/sh\necho wildcard\n",
        "systems/servers/n2/kind.read": "#!/bin/sh\necho exact\n",
        "systems/_/_/deep.read": "#!/bin/sh\necho twolevels\n",
        "_any/notes.read": "#!/bin/sh\necho any\n",
        "_any/kind.read": "#!/bin/sh\necho any-kind\n",
    })
    os.mkdir(s.p("systems/servers/n1"))
    assert os.path.isdir(s.p("systems/servers/n2"))   # agents below n2 make it appear
    assert s.read("systems/servers/n1/kind") == "wildcard\n"
    assert s.read("systems/servers/n2/kind") == "exact\n"
    assert s.read("systems/servers/n1/deep") == "twolevels\n"
    # _any never makes a file appear ...
    assert "notes" not in os.listdir(s.p("systems/servers/n1"))
    assert not os.path.exists(s.p("systems/servers/n1/notes"))
    # ... but serves one that exists
    s.write("systems/servers/n1/notes", "x")
    assert s.read("systems/servers/n1/notes") == "any\n"


def test_caching_models(make_sysman):
    s = make_sysman(conf="""
        [cache]
        systems/servers/*/r = refresh
        systems/servers/*/c = cache 2
        systems/servers/*/p = periodic 1
        systems/servers/*/s = static
        """, agents={f"systems/servers/_/{n}.read": COUNTER for n in "rcps"})
    os.mkdir(s.p("systems/servers/n1"))
    d = "systems/servers/n1/"
    for _ in range(3):
        s.read(d + "r")
        s.read(d + "c")
        s.read(d + "s")
    assert runs(s, "/" + d + "r") == 3
    assert runs(s, "/" + d + "c") == 1
    assert runs(s, "/" + d + "s") == 0
    time.sleep(2.2)
    s.read(d + "c")
    assert runs(s, "/" + d + "c") == 2
    # static: content is what was last written
    s.write(d + "s", "pinned\n")
    assert s.read(d + "s") == "pinned\n"
    assert runs(s, "/" + d + "s") == 0
    # periodic: collected in the background, without reads
    s.read(d + "p")
    assert wait_for(lambda: runs(s, "/" + d + "p") >= 3, 6)
    assert s.read(d + "p").startswith("runs=")


def test_periodic_reads_never_wait(make_sysman):
    s = make_sysman(conf="[cache]\nsystems/servers/*/slow = periodic 1",
                    agents={"systems/servers/_/slow.read": "#!/bin/sh\nsleep 2\necho slow\n"})
    os.mkdir(s.p("systems/servers/n1"))
    for _ in range(3):
        t0 = time.time()
        s.read("systems/servers/n1/slow")
        assert time.time() - t0 < 1.5


def test_sync_and_async_writes(make_sysman):
    slow = "#!/bin/sh\nsleep 1.5\necho \"done $4\"\n"
    s = make_sysman(conf="[write_mode]\nsystems/servers/*/a = async",
                    agents={"systems/servers/_/s.write": slow, "systems/servers/_/a.write": slow})
    os.mkdir(s.p("systems/servers/n1"))
    t0 = time.time()
    sh(f"echo x > {s.p('systems/servers/n1/s')}")
    assert time.time() - t0 >= 1.4            # close waited for the agent
    assert s.read("systems/servers/n1/s") == "done x\n"
    t0 = time.time()
    sh(f"echo y > {s.p('systems/servers/n1/a')}")
    assert time.time() - t0 < 1.0             # close returned once queued
    assert s.read("systems/servers/n1/a") == "done y\n"   # waits for the run
    assert s.status("systems/servers/n1/a") == "0"


def test_async_status_waits_for_pending_run(make_sysman):
    s = make_sysman(agents={"systems/servers/_/command.write":
                            "#!/bin/sh\nsleep 1\necho out-$4\nexit 3\n"})
    os.mkdir(s.p("systems/servers/n1"))
    sh(f"echo hi > {s.p('systems/servers/n1/command')}")   # command: async by default
    assert s.status("systems/servers/n1/command") == "3"
    assert s.read("systems/servers/n1/command") == "out-hi\n"


def test_dynamic_proc_listing(make_sysman):
    s = make_sysman(agents={
        "systems/servers/_/proc.list": """\
            #!/bin/sh
            case "$SYSMAN_PATH" in
            */proc) cat "$SMTEST_WORK/listing" ;;
            */proc/1) printf 'status\\ncmdline\\n' ;;
            esac
            """,
        "systems/servers/_/proc.read": "#!/bin/sh\necho \"remote ${SYSMAN_PATH#*/proc}\"\n",
    })
    with open(os.path.join(s.work, "listing"), "w") as f:
        f.write("1/\nloadavg\nuptime\n")
    os.mkdir(s.p("systems/servers/n1"))
    assert "proc" not in os.listdir(s.p("systems/servers/n1"))   # reachable, not listed
    assert sorted(os.listdir(s.p("systems/servers/n1/proc"))) == ["1", "loadavg", "uptime"]
    assert s.read("systems/servers/n1/proc/loadavg") == "remote /loadavg\n"
    assert sorted(os.listdir(s.p("systems/servers/n1/proc/1"))) == ["cmdline", "status"]
    assert s.read("systems/servers/n1/proc/1/status") == "remote /1/status\n"
    with open(os.path.join(s.work, "listing"), "w") as f:
        f.write("2/\nloadavg\n")
    assert sorted(os.listdir(s.p("systems/servers/n1/proc"))) == ["2", "loadavg"]   # refreshed on access


FUSE_TRACE = "/sys/kernel/tracing/events/fuse/fuse_request_send/enable"


def fuse_requests(fn):
    """Runs fn() with the kernel's fuse_request_send tracepoint on; returns
    the FUSE opcodes the kernel sent meanwhile (all connections)."""
    mounted = False
    if not os.path.exists(FUSE_TRACE):
        # tracefs is not mounted on every machine: mount it for the test
        r = subprocess.run(["mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"],
                           capture_output=True, text=True)
        mounted = r.returncode == 0
    try:
        assert os.path.exists(FUSE_TRACE), "no fuse tracepoints in this kernel (tracefs)"
        with open("/sys/kernel/tracing/trace", "w") as f:
            f.write("")
        with open(FUSE_TRACE, "w") as f:
            f.write("1")
        try:
            fn()
        finally:
            with open(FUSE_TRACE, "w") as f:
                f.write("0")
        with open("/sys/kernel/tracing/trace") as f:
            return re.findall(r"\((FUSE_[A-Z_]+)\)", f.read())
    finally:
        if mounted:
            subprocess.run(["umount", "/sys/kernel/tracing"], check=False)


def test_kernel_cache_serves_cached_files_and_listings(make_sysman):
    """`cache` files and unchanged directories are answered from the
    kernel's caches: a second read sends only OPEN/RELEASE, a second
    listing only OPENDIR/RELEASEDIR."""
    s = make_sysman(conf="[cache]\nsystems/servers/*/c = cache 60",
                    agents={"systems/servers/_/c.read": COUNTER})
    os.mkdir(s.p("systems/servers/n1"))
    d = "systems/servers/n1/"
    assert s.read(d + "c") == "runs=1\n"
    for _ in range(2):     # the first pass fills the page cache
        s.read(d + "c")
        os.listdir(s.p(d))
    time.sleep(0.1)        # past the directory settle time
    os.listdir(s.p(d))
    ops = fuse_requests(lambda: (s.read(d + "c"), os.stat(s.p(d + "c"))))
    assert "FUSE_READ" not in ops and "FUSE_GETATTR" not in ops and "FUSE_FLUSH" not in ops, ops
    assert "FUSE_OPEN" in ops, ops   # the TTL is still checked at open
    ops = fuse_requests(lambda: os.listdir(s.p(d)))
    assert "FUSE_READDIR" not in ops and "FUSE_OPENDIR" in ops, ops
    assert s.read(d + "c") == "runs=1\n"


def test_kernel_cache_never_hides_new_content(make_sysman):
    """New content from an agent, a new device made behind the kernel's
    back, and a periodic refresh show at once despite kernel caching."""
    s = make_sysman(conf="""
        [cache]
        systems/servers/*/c = cache 60
        systems/servers/*/a = cache 60
        systems/servers/*/p = periodic 1
        [write_mode]
        systems/servers/*/a = async
        """, agents={"systems/servers/_/c.read": COUNTER,
                     "systems/servers/_/a.read": COUNTER,
                     "systems/servers/_/a.write": "#!/bin/sh\nsleep 0.5\necho \"async $4, longer\"\n",
                     "systems/servers/_/c.write": "#!/bin/sh\necho \"set to $4, longer than before\"\n",
                     "systems/servers/_/p.read": COUNTER})
    os.mkdir(s.p("systems/servers/n1"))
    d = "systems/servers/n1/"
    for _ in range(3):
        assert s.read(d + "c") == "runs=1\n"
    s.write(d + "c", "x\n")
    assert s.read(d + "c") == "set to x, longer than before\n"
    assert os.stat(s.p(d + "c")).st_size == len("set to x, longer than before\n")
    # an async write's output replaces content the kernel had cached; a
    # stat while the agent runs must not pin the old size
    assert s.read(d + "a") == "runs=1\n"
    s.write(d + "a", "y\n")
    os.stat(s.p(d + "a"))
    assert s.status(d + "a") == "0"     # waits for the write's run
    assert os.stat(s.p(d + "a")).st_size == len("async y, longer\n")
    assert s.read(d + "a") == "async y, longer\n"
    # periodic: the collector's new content replaces the cached pages
    first = s.read(d + "p")
    assert wait_for(lambda: s.read(d + "p") != first, 6)
    # a device created in the backing store (as discovery does) is listed
    # at once, also right after a cached listing and within one tick
    for i in range(5):
        time.sleep(0.1)
        before = os.listdir(s.p("systems/servers"))
        os.mkdir(os.path.join(s.state, "systems/servers", f"new{i}"))
        after = os.listdir(s.p("systems/servers"))
        assert f"new{i}" in after and len(after) == len(before) + 1
