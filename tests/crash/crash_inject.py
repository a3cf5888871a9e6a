#!/usr/bin/python3
"""Crash consistency: kill -9 of sysmand at a random moment of a seeded
workload, then a restart and checks, RUNS times.

Each run starts a daemon on a fresh state directory, with the shipped NFS
service agents, and lets one thread do a seeded mix of:

  write     a plain file under groups/crash/ (open O_TRUNC, write, close)
  rename    one of those files to a free name
  ids       credentials into groups/crash/ids
  discover  a "switch ADDR NAME" line into discover_master (a kind with
            no discovery agent: accepted as written, recorded in the
            inventory)
  plan      a valid NFS plan into services/nfs/plan (stored in the
            database by the plan agent)

while the main thread waits for the start of a seeded operation (the
3rd to the 79th), sleeps a seeded 0-15 ms (mostly under 0.5) and sends SIGKILL to sysmand
and its agents.  Every operation is recorded as acknowledged only once its last
system call returned success (strict_errors = yes: a write's close
succeeds only if its agent did).  After the kill the mount is detached, the
daemon started again on the same state, and:

  - every acknowledged write, rename, discovery and plan is there;
  - the operation in flight at the kill is either done or not (a write
    may also have left the file truncated, as write(2) allows; a rename
    is one name or the other, never both or neither);
  - a device in the inventory has its directory; the database passes
    PRAGMA integrity_check;
  - ids are empty (they live in memory only) and no password written
    reached the disk;
  - the tree is usable: a new file can be written and read back.

A failure prints the run's seed; `crash_inject.py --seed S --runs 1`
reproduces it.  Exit status: 0 if every run was consistent, 1 if not.

  /usr/bin/python3 tests/crash/crash_inject.py [--runs 200] [--seed 1] [-v]

CRASH_KEEP=1 keeps each run's directory (/tmp/sysman-crash-*) for a look.
"""
import argparse
import errno
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("SYSMAN_BUILD", os.path.join(ROOT, "build"))
SYSMAND = os.path.join(BUILD, "src", "sysmand")
NFILES = 6


def is_mounted(path):
    real = os.path.realpath(path)
    with open("/proc/self/mountinfo") as f:
        return any(line.split()[4] == real for line in f)


class Daemon:
    def __init__(self, base):
        self.base = base
        self.mnt = os.path.join(base, "mnt")
        self.state = os.path.join(base, "state")
        self.db = os.path.join(base, "sysman.db")
        self.agents = os.path.join(base, "agents")
        self.log = os.path.join(base, "daemon.log")
        os.makedirs(self.mnt)
        os.makedirs(os.path.join(self.agents, "services"))
        # only the NFS service's agents: no discovery agents, so a
        # "switch" line is accepted as written
        os.symlink(os.path.join(ROOT, "agents", "services", "nfs"),
                   os.path.join(self.agents, "services", "nfs"))
        os.symlink(os.path.join(ROOT, "agents", "lib"), os.path.join(self.agents, "lib"))
        self.conf = os.path.join(base, "sysman.conf")
        with open(self.conf, "w") as f:
            f.write(f"mountpoint = {self.mnt}\nstate_dir = {self.state}\n"
                    f"agent_dir = {self.agents}\ndb = {self.db}\n"
                    f"audit_log = {base}/audit.log\nagent_timeout = 10\n"
                    # a close succeeds only if the write agent did
                    "strict_errors = yes\n")
        self.proc = None

    def start(self):
        with open(self.log, "a") as log:
            self.proc = subprocess.Popen([SYSMAND, "-c", self.conf, "-f"], stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("sysmand exited %d; see %s" % (self.proc.returncode, self.log))
            if is_mounted(self.mnt):
                return self
            time.sleep(0.02)
        raise RuntimeError("sysmand did not mount in 20 s")

    def kill9(self):
        """SIGKILL to sysmand and every process it started (its agents are
        in its session), then the mount detached."""
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        self.proc = None
        if is_mounted(self.mnt):
            subprocess.run(["fusermount3", "-u", "-z", self.mnt], check=False)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if is_mounted(self.mnt):
            subprocess.run(["fusermount3", "-u", "-z", self.mnt], check=False)

    def p(self, rel):
        return os.path.join(self.mnt, rel)


class Workload(threading.Thread):
    """The seeded operations; acked holds what was acknowledged, inflight
    the operation whose system calls had not all returned."""

    def __init__(self, d, rng):
        super().__init__(daemon=True)
        self.d, self.rng = d, rng
        self.files = {}          # name -> content, acknowledged
        self.devices = []        # (path, address), acknowledged
        self.plan = None         # the last acknowledged plan text
        self.secrets = []        # every password written
        self.inflight = None
        self.done = 0
        self.target = None       # the operation number at whose start the kill is armed
        self.reached = threading.Event()

    def put(self, path, data):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, data.encode())
        finally:
            os.close(fd)

    def step(self, seq):
        d, rng = self.d, self.rng
        kind = rng.choice(["write", "write", "write", "rename", "ids", "discover", "plan"])
        if kind == "rename" and not self.files:
            kind = "write"
        if kind == "write":
            name = "f%d" % rng.randrange(NFILES)
            data = "v%d %s\n" % (seq, "x" * rng.randrange(200))
            self.inflight = ("write", name, data)
            self.put(d.p("groups/crash/" + name), data)
            self.files[name] = data
        elif kind == "rename":
            a = rng.choice(sorted(self.files))
            free = [n for n in ("f%d" % i for i in range(NFILES)) if n not in self.files]
            b = rng.choice(free) if free else None
            if b is None:
                return
            self.inflight = ("rename", a, b, self.files[a])
            os.rename(d.p("groups/crash/" + a), d.p("groups/crash/" + b))
            self.files[b] = self.files.pop(a)
        elif kind == "ids":
            pw = "Crash-Pass-%d-%d" % (seq, rng.randrange(10 ** 6))
            self.secrets.append(pw)
            self.inflight = ("ids",)
            self.put(d.p("groups/crash/ids"), "admin %s\n" % pw)
        elif kind == "discover":
            addr = "10.77.%d.%d" % (seq // 250 % 250, seq % 250 + 1)
            name = "sw%d" % seq
            self.inflight = ("discover", "/systems/switches/" + name, addr)
            self.put(d.p("discover_master"), "switch %s %s\n" % (addr, name))
            self.devices.append(("/systems/switches/" + name, addr))
        else:
            text = "".join("host h%d-%d address=10.78.0.%d platform=linux\n" % (seq, i, i + 1)
                           for i in range(rng.randrange(1, 4)))
            self.inflight = ("plan", text)
            self.put(d.p("services/nfs/plan"), text)
            self.plan = text
        self.inflight = None
        self.done += 1

    def run(self):
        seq = 0
        try:
            while True:
                seq += 1
                if seq == self.target:
                    self.reached.set()
                self.step(seq)
        except OSError as e:
            # the daemon is gone: ENOTCONN, ECONNABORTED, EIO...
            self.error = e


def check(d, w, seed):
    """Problems found after the restart (a list of strings)."""
    bad = []
    live = {}
    for i in range(NFILES):
        path = d.p("groups/crash/f%d" % i)
        if os.path.exists(path):
            with open(path) as f:
                live["f%d" % i] = f.read()
    want = dict(w.files)
    fl = w.inflight
    if fl and fl[0] == "write":
        _, name, data = fl
        ok = {want.get(name), data, ""}
        if live.get(name) not in ok:
            bad.append("write in flight to %s: found %r, want old %r, new or empty"
                       % (name, (live.get(name) or "")[:20], (want.get(name) or "")[:20]))
        live.pop(name, None)
        want.pop(name, None)
    if fl and fl[0] == "rename":
        _, a, b, data = fl
        one = (a in live) != (b in live)
        if not one or live.get(a, live.get(b)) != data:
            bad.append("rename in flight %s -> %s: found %s" % (a, b, sorted(live)))
        for n in (a, b):
            live.pop(n, None)
            want.pop(n, None)
    if live != want:
        bad.append("acknowledged files differ: want %s, found %s"
                   % ({k: v[:12] for k, v in want.items()}, {k: v[:12] for k, v in live.items()}))
    # the inventory and the devices' directories
    db = sqlite3.connect(d.db)
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        rows = {r[0]: r[1] for r in db.execute("SELECT path, address FROM devices")}
    finally:
        db.close()
    if integrity != "ok":
        bad.append("database integrity_check: %s" % integrity)
    for path, addr in w.devices:
        if rows.get(path) != addr:
            bad.append("acknowledged device %s missing from the inventory" % path)
    for path in rows:
        if not os.path.isdir(d.p(path.lstrip("/"))):
            bad.append("device %s in the inventory has no directory" % path)
    # the plan
    with open(d.p("services/nfs/plan")) as f:
        plan = f.read()
    ok = {w.plan or ""}
    if fl and fl[0] == "plan":
        ok.add(fl[1])
    if plan not in ok:
        bad.append("plan is %r, want the last acknowledged %r%s" % (
            plan[:60], (w.plan or "")[:60], " or the one in flight" if len(ok) > 1 else ""))
    # ids: memory only
    with open(d.p("groups/crash/ids")) if os.path.exists(d.p("groups/crash/ids")) else \
            open(os.devnull) as f:
        if f.read().strip():
            bad.append("ids survived the crash (they are to live in memory only)")
    if w.secrets:
        r = subprocess.run(["grep", "-r", "-l", "-a", "-F", "-e", w.secrets[-1], d.state, d.db],
                           capture_output=True, text=True)
        if r.stdout.strip():
            bad.append("a password reached the disk: %s" % r.stdout.split())
    # usable
    probe = d.p("groups/crash/after")
    with open(probe, "w") as f:
        f.write("ok %d\n" % seed)
    with open(probe) as f:
        if f.read() != "ok %d\n" % seed:
            bad.append("the tree is not usable after the restart")
    return bad


def one_run(seed, work):
    rng = random.Random(seed)
    base = tempfile.mkdtemp(prefix="crash-%d-" % seed, dir=work)
    d = Daemon(base)
    try:
        d.start()
        os.makedirs(d.p("groups/crash"))
        w = Workload(d, rng)
        # the kill lands a seeded 0-15 ms (mostly under 0.5 ms) into a seeded operation, so that
        # every kind of operation is caught in flight, slow or fast
        w.target = rng.randrange(3, 80)
        delay = rng.choice([0.0, rng.uniform(0, 0.0005), rng.uniform(0, 0.015)])
        w.start()
        w.reached.wait(60)
        time.sleep(delay)
        d.kill9()
        w.join(30)
        if w.is_alive():
            return ["the workload hung after the kill (a system call did not return)"], w, delay
        d.start()
        try:
            bad = check(d, w, seed)
        except OSError as e:
            bad = ["after the restart: %s: %s" % (e.filename, e.strerror)]
        if bad:
            with open(d.log) as f:
                bad.append("daemon log, last lines:\n    " + "    ".join(f.readlines()[-8:]))
        return bad, w, delay
    finally:
        d.stop()
        if os.environ.get("CRASH_KEEP") != "1":     # CRASH_KEEP=1 keeps a run's files
            shutil.rmtree(base, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1, help="seed of the first run; run i uses seed+i")
    ap.add_argument("-v", action="store_true", help="a line per run")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("crash_inject: needs root (mounts)", file=sys.stderr)
        return 2
    work = tempfile.mkdtemp(prefix="sysman-crash-", dir="/tmp")
    os.chmod(work, 0o755)
    failed, ops = [], 0
    kinds = {}
    t0 = time.monotonic()
    try:
        for i in range(a.runs):
            seed = a.seed + i
            bad, w, delay = one_run(seed, work)
            ops += w.done
            k = w.inflight[0] if w.inflight else "none"
            kinds[k] = kinds.get(k, 0) + 1
            if bad:
                failed.append(seed)
                print("run seed %d: INCONSISTENT after %d operations (killed %.1f ms into one, in "
                      "flight: %s):\n  %s" % (seed, w.done, delay * 1000, k, "\n  ".join(bad)))
            elif a.v:
                print("run seed %d: consistent (%d operations acknowledged, killed %.1f ms "
                      "into the next, in flight: %s)" % (seed, w.done, delay * 1000, k), flush=True)
    finally:
        if os.environ.get("CRASH_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
    print("%d of %d runs consistent (seeds %d-%d, %d operations acknowledged in all, in flight "
          "at the kill: %s; %.0f s)" % (a.runs - len(failed), a.runs, a.seed, a.seed + a.runs - 1,
                                        ops, ", ".join("%s %d" % kv for kv in sorted(kinds.items())),
                                        time.monotonic() - t0))
    if failed:
        print("reproduce one with: %s --seed S --runs 1 -v   (S in %s)" % (sys.argv[0], failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
