"""Fixtures that mount the real Sysman file system.

Every daemon is started with -f and stopped by its PID; every mount point
is unmounted and every temporary directory removed, even when a test fails.
"""
import os
import shlex
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


def stop_process(proc, timeout=15):
    """SIGTERM to a process we started, SIGKILL if it outlives timeout."""
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def spawn(argv, logfile, ready, what, log, timeout=15, env=None):
    """Starts argv (its own session, output appended to logfile) and waits
    until ready() is true; raises with the log if it exits or times out."""
    with open(logfile, "a") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, env=env)
    if ready is None:
        return proc
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited {proc.returncode}: {log()}")
        if ready():
            return proc
        time.sleep(0.05)
    stop_process(proc)
    raise RuntimeError(f"{what} did not start: {log()}")


def sanitizer_reports(logs):
    """The ASan/LSan/UBSan reports found in daemon logs."""
    reports = []
    for log in logs:
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            if marker in log:
                i = log.index(marker)
                reports.append(log[max(0, i - 200):i + 3000])
    return reports


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
        self.proc = spawn([SYSMAND, "-c", self.conf, "-f"], self.logfile,
                          (lambda: is_mounted(self.mnt)) if wait else None, "sysmand", self.log,
                          env=dict(os.environ, SMTEST_WORK=self.work))
        return self

    def stop(self):
        stop_process(self.proc)
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
    if not os.environ.get("SYSMAN_TEST_KEEP"):
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
    reports = sanitizer_reports(s.log() for s in made)
    # a sanitizer report from the daemon fails the test that produced it
    assert not reports, "sanitizer report from sysmand:\n" + "\n".join(reports)


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


# ---------------------------------------------------------------- testbed
import sys  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "tests", "testbed"))
from testbed import Testbed, blade_addr, bmc_addr, host_addr, mm_addr  # noqa: E402,F401

TB_BASE = os.environ.get("SYSMAN_TEST_TB_BASE", "127.3")
TB_HOSTS, TB_BMCS, TB_BLADES = 8, 3, 4


@pytest.fixture(scope="session")
def testbed():
    """Real sshd hosts, ipmi_sim BMCs and a chassis, for the whole session."""
    d = tempfile.mkdtemp(prefix="sysman-tb-", dir="/tmp")
    os.chmod(d, 0o755)
    tb = Testbed(d, hosts=TB_HOSTS, bmcs=TB_BMCS, chassis_blades=TB_BLADES, base=TB_BASE, quiet=True)
    try:
        tb.start()
        yield tb
    finally:
        tb.stop()
        shutil.rmtree(d, ignore_errors=True)


def cluster_conf(tb, extra=""):
    return f"""
        agent_dir = {ROOT}/agents
        discover_networks = {TB_BASE}.0.0/24, {TB_BASE}.1.0/24, {TB_BASE}.2.0/24
        ssh_key = {tb.dir}/keys/id_ed25519
        ssh_host_key_policy = accept-new
        ssh_user = {tb.user}
        agent_timeout = 15
        {extra}
        """


@pytest.fixture
def cluster(testbed, make_sysman):
    """cluster(extra_conf="") -> a Sysman over the testbed, discovered, with
    the BMC credentials in /sysman/ids."""
    def make(extra="", discover=True):
        s = make_sysman(conf=cluster_conf(testbed, f"ssh_known_hosts = {{KH}}\n" + extra))
        # each daemon has its own known_hosts
        s.stop()
        with open(s.conf) as f:
            text = f.read().replace("{KH}", os.path.join(s.base, "known_hosts"))
        with open(s.conf, "w") as f:
            f.write(text)
        s.start()
        s.write("ids", f"{testbed.bmc_user} {testbed.bmc_password}\n")
        if discover:
            s.write("discover_master", "1\n")
        return s
    return make


def in_sysman(s, script, cwd="/", check=True, timeout=120):
    """Runs a shell script with the test's mount at /sysman, as the paper's
    figures are printed, in a private mount namespace."""
    created = not os.path.exists("/sysman")
    if created:
        os.mkdir("/sysman")
    try:
        inner = f"mount --bind {s.mnt} /sysman && cd {cwd} && {script}"
        return sh(f"unshare -m --propagation private bash -c {shlex.quote(inner)}", check=check, timeout=timeout)
    finally:
        if created:
            try:
                os.rmdir("/sysman")
            except OSError:
                pass


# ---------------------------------------------------------------- web
SYSMAN_WEB = os.path.join(BUILD, "src", "sysman-web")
WEB_GROUP = "ops"
WEB_USERS = {"smweb-alice": True, "smweb-bob": False}    # name -> in WEB_GROUP


@pytest.fixture(scope="session")
def web_users():
    """System users with passwords for PAM log-ins: smweb-alice in group
    ops, smweb-bob not.  Removed at the end (the group too, if made here)."""
    import secrets
    made_group = subprocess.run(["getent", "group", WEB_GROUP], capture_output=True).returncode != 0
    if made_group:
        subprocess.run(["groupadd", WEB_GROUP], check=True)
    users = {}
    try:
        for name, in_group in WEB_USERS.items():
            subprocess.run(["userdel", name], capture_output=True)
            cmd = ["useradd", "-M", "-N", "-d", "/nonexistent", "-s", "/usr/sbin/nologin"]
            if in_group:
                cmd += ["-G", WEB_GROUP]
            subprocess.run(cmd + [name], check=True)
            pw = "pw-" + secrets.token_hex(8)
            subprocess.run(["chpasswd"], input=f"{name}:{pw}\n", text=True, check=True)
            import pwd
            users[name] = {"password": pw, "uid": pwd.getpwnam(name).pw_uid}
        import grp
        users["gid_ops"] = grp.getgrnam(WEB_GROUP).gr_gid
        yield users
    finally:
        for name in WEB_USERS:
            subprocess.run(["userdel", name], capture_output=True)
        if made_group:
            subprocess.run(["groupdel", WEB_GROUP], capture_output=True)


def free_port():
    import socket
    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        return so.getsockname()[1]


class Web:
    """sysman-web over a started Sysman, on a free loopback port."""

    def __init__(self, s, extra=""):
        self.s = s
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.logfile = os.path.join(s.base, "web.log")
        self.extra = extra
        self.proc = None

    def start(self, wait=True):
        with open(self.s.conf) as f:
            text = f.read()
        lines = [f"web_listen = 127.0.0.1:{self.port}", f"web_root = {ROOT}/web"]
        lines += [x.strip() for x in textwrap.dedent(self.extra).splitlines() if x.strip()]
        # top-level keys go before the first [section]
        i = text.find("\n[")
        text = (text + "\n" + "\n".join(lines) + "\n") if i < 0 else \
            (text[:i] + "\n" + "\n".join(lines) + "\n" + text[i:])
        with open(self.s.conf, "w") as f:
            f.write(text)

        def listening():
            import socket
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                return False
        self.proc = spawn([SYSMAN_WEB, "-c", self.s.conf, "-v"], self.logfile,
                          listening if wait else None, "sysman-web", self.log)
        return self

    def stop(self):
        stop_process(self.proc)
        self.proc = None

    def log(self):
        try:
            with open(self.logfile) as f:
                return f.read()
        except FileNotFoundError:
            return ""


@pytest.fixture
def make_web():
    """make_web(sysman, extra_conf="") -> a started Web; stopped by PID at the end."""
    made = []

    def make(s, extra="", start=True):
        w = Web(s, extra)
        made.append(w)
        if start:
            w.start()
        return w

    yield make
    for w in made:
        w.stop()
    reports = sanitizer_reports(w.log() for w in made)
    assert not reports, "sanitizer report from sysman-web:\n" + "\n".join(reports)
