"""Fixtures that mount the real Sysman file system.

Every daemon is started with -f and stopped by its PID; every mount point
is unmounted and every temporary directory removed, even when a test fails.
"""
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import textwrap
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SYSMAN_BUILD", os.path.join(ROOT, "build"))
SYSMAND = os.path.join(BUILD, "src", "sysmand")


def is_mounted(path):
    real = os.path.realpath(path)
    with open("/proc/self/mountinfo") as f:
        return any(line.split()[4] == real for line in f)


def sh(cmd, check=True, timeout=120, **kw):
    """Runs a shell command; returns CompletedProcess with text output."""
    return subprocess.run(["bash", "-c", cmd], capture_output=True, text=True,
                          check=check, timeout=timeout, **kw)


class Sysman:
    def __init__(self, base, conf="", agents=None):
        self.base = base
        self.mnt = os.path.join(base, "mnt")
        self.state = os.path.join(base, "state")
        self.agents = os.path.join(base, "agents")
        self.work = os.path.join(base, "work")     # scratch for agents
        self.db = os.path.join(base, "sysman.db")
        self.audit = os.path.join(base, "audit.log")
        self.logfile = os.path.join(base, "daemon.log")
        self.conf = os.path.join(base, "sysman.conf")
        for d in (self.mnt, self.agents, self.work):
            os.makedirs(d, exist_ok=True)
        os.chmod(self.work, 0o777)
        self.proc = None
        top, sections = [], []
        for line in textwrap.dedent(conf).strip().splitlines():
            (sections if sections or line.startswith("[") else top).append(line)
        with open(self.conf, "w") as f:
            f.write(textwrap.dedent(f"""\
                mountpoint = {self.mnt}
                state_dir = {self.state}
                agent_dir = {self.agents}
                db = {self.db}
                audit_log = {self.audit}
                agent_timeout = 10
                """))
            f.write("\n".join(top) + "\n")
            f.write("\n".join(sections) + "\n")
        for rel, body in (agents or {}).items():
            self.agent(rel, body)

    def agent(self, rel, body, mode=0o755):
        path = os.path.join(self.agents, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(body).lstrip())
        os.chmod(path, mode)
        return path

    def start(self, wait=True):
        log = open(self.logfile, "a")
        self.proc = subprocess.Popen([SYSMAND, "-c", self.conf, "-f"], stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     env=dict(os.environ, SMTEST_WORK=self.work))
        log.close()
        if not wait:
            return self
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"sysmand exited {self.proc.returncode}: {self.log()}")
            if is_mounted(self.mnt):
                return self
            time.sleep(0.05)
        raise RuntimeError("sysmand did not mount: " + self.log())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if is_mounted(self.mnt):
            subprocess.run(["fusermount3", "-u", "-z", self.mnt], check=False)

    def restart(self):
        self.stop()
        return self.start()

    def p(self, rel=""):
        return os.path.join(self.mnt, rel)

    def read(self, rel):
        with open(self.p(rel)) as f:
            return f.read()

    def write(self, rel, data):
        with open(self.p(rel), "w") as f:
            f.write(data)

    def status(self, rel):
        return self.read(rel + ".status").rstrip("\n")

    def log(self):
        try:
            with open(self.logfile) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def threads(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
        return 0


@pytest.fixture
def tmpbase():
    base = tempfile.mkdtemp(prefix="sysman-test-", dir="/tmp")
    os.chmod(base, 0o755)   # non-root test users must traverse it
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def make_sysman(tmpbase):
    """make_sysman(conf=..., agents={relpath: script}) -> started Sysman."""
    made = []

    def make(conf="", agents=None, start=True, sub="a"):
        base = os.path.join(tmpbase, sub)
        os.makedirs(base, exist_ok=True)
        os.chmod(base, 0o755)
        s = Sysman(base, conf, agents)
        made.append(s)
        if start:
            s.start()
        return s

    yield make
    for s in made:
        s.stop()


def wait_for(pred, timeout=10.0, step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


COUNTER = """\
    #!/bin/sh
    # counts its runs in $SMTEST_WORK/count.<path with / as _>
    f=$(echo "$SYSMAN_PATH" | tr / _)
    echo run >> "$SMTEST_WORK/count.$f"
    echo "runs=$(wc -l < "$SMTEST_WORK/count.$f")"
    """


def runs(s, path):
    try:
        with open(os.path.join(s.work, "count." + path.replace("/", "_"))) as f:
            return len(f.readlines())
    except FileNotFoundError:
        return 0
