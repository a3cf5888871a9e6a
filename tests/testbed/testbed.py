#!/usr/bin/python3
"""Sysman testbed: a small cluster of real devices on loopback addresses.

Linux hosts are OpenSSH sshd processes listening on port 22 of 127.B.0.X,
BMCs are OpenIPMI ipmi_sim instances (RMCP+ on UDP 623 of 127.B.1.X), and an
optional blade chassis has a management module at 127.B.2.1 (sshd + its own
BMC) whose blades' BMCs live at 127.B.3.1..n.  Everything lives under one
directory; DIR/testbed.json describes it (addresses, PIDs, users, keys).

CLI:     testbed.py start|stop|status --dir DIR [--hosts N] [--bmcs M]
                   [--chassis B] [--base 127.1]
Module:  with Testbed(dir, hosts=16, bmcs=4, chassis_blades=14) as tb: ...

Only the Python standard library is used.  See docs/testbed.md.
"""

import argparse
import concurrent.futures
import fcntl
import hashlib
import json
import os
import pwd
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

SSH_USER = "sysmantest"
SSH_PASSWORD = "sysman-test-pw"
BMC_USER = "admin"
BMC_PASSWORD = "sysman-bmc-pw"   # IPMI passwords are at most 16/20 bytes
MAX_LISTEN_PER_SSHD = 16         # OpenSSH's MAX_LISTEN_SOCKS
MAX_PER_NET = 254

# ASF presence ping: RMCP header (v6, seq 0xff = no ack, class ASF), IANA 4542,
# type 0x80 = ping, tag, reserved, data length 0.  A pong has type 0x40.
ASF_PING = bytes([0x06, 0x00, 0xff, 0x06, 0x00, 0x00, 0x11, 0xbe,
                  0x80, 0x00, 0x00, 0x00])


class TestbedError(Exception):
    """A testbed operation failed; the message says what and where."""


def _log(msg):
    print("testbed: " + msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- addresses

def _check_base(base):
    m = re.fullmatch(r"127\.(\d{1,3})", base)
    if not m or not 0 <= int(m.group(1)) <= 255:
        raise TestbedError("base %r must look like 127.B (loopback only)" % base)
    return base


def host_addr(base, i):
    """Address of host i (1-based): 127.B.0.1-254, then 127.B.16.x, 17.x ..."""
    k, last = divmod(i - 1, MAX_PER_NET)
    return "%s.%d.%d" % (base, 0 if k == 0 else 15 + k, last + 1)


def bmc_addr(base, i):
    return "%s.1.%d" % (base, i)


def mm_addr(base):
    return "%s.2.1" % base


def blade_addr(base, slot):
    return "%s.3.%d" % (base, slot)


# ---------------------------------------------------------------- processes

def _pid_alive(pid):
    """True if pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _pid_cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _children_map():
    kids = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(name))
    return kids


def _descendants(pid, kids=None):
    kids = _children_map() if kids is None else kids
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in kids.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def _signal_tree(pid, sig, kids=None):
    for p in [pid] + _descendants(pid, kids):
        try:
            os.kill(p, sig)
        except ProcessLookupError:
            pass


# ---------------------------------------------------------------- probes

def _bound(proto="tcp"):
    """{(addr, port): inode} of IPv4 TCP listeners / bound UDP sockets."""
    out = {}
    with open("/proc/net/" + proto) as f:
        next(f)
        for line in f:
            fields = line.split()
            if proto == "tcp" and fields[3] != "0A":      # LISTEN only
                continue
            h, p = fields[1].split(":")
            out[(socket.inet_ntoa(bytes.fromhex(h)[::-1]), int(p, 16))] = fields[9]
    return out


def _tcp_listeners():
    return set(_bound("tcp"))


def _socket_inodes(pid):
    """Socket inodes held open by pid."""
    out = set()
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            if link.startswith("socket:["):
                out.add(link[8:-1])
    except OSError:
        pass
    return out


def probe(targets, timeout):
    """Probe many (kind, addr, port) targets at once; kind is "ssh" (TCP
    banner starting "SSH-"), "tcp" (a socket listens there, read from
    /proc/net/tcp without connecting: sshd forks and re-execs for every
    connection, which is slow for thousands) or "rmcp" (ASF presence pong on
    UDP).  Returns the set of targets that answered before the deadline,
    retrying refused connections and unanswered pings until then."""
    deadline = time.monotonic() + timeout
    sel = selectors.DefaultSelector()
    pending = set(targets)
    ok = set()
    conns = {}
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setblocking(False)
    sel.register(udp, selectors.EVENT_READ, ("udp", None))
    next_try = {t: 0.0 for t in pending}
    listen_checked = 0.0
    try:
        while pending and time.monotonic() < deadline:
            now = time.monotonic()
            if now - listen_checked > 0.1 and any(t[0] == "tcp" for t in pending):
                listen_checked = now
                up = _tcp_listeners()
                for t in [t for t in pending if t[0] == "tcp" and t[1:] in up]:
                    pending.discard(t)
                    ok.add(t)
            for t in list(pending):
                if t[0] == "tcp" or t in conns or next_try[t] > now:
                    continue
                kind, addr, port = t
                next_try[t] = now + 0.2
                if kind == "rmcp":
                    try:
                        udp.sendto(ASF_PING, (addr, port))
                    except OSError:
                        pass
                    continue
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setblocking(False)
                try:
                    s.connect_ex((addr, port))
                except OSError:
                    s.close()
                    continue
                conns[t] = [s, b""]
                sel.register(s, selectors.EVENT_READ, ("tcp", t))
            for key, _ in sel.select(0.05):
                what, t = key.data
                if what == "udp":
                    try:
                        data, (addr, port) = udp.recvfrom(512)
                    except OSError:
                        continue
                    if len(data) >= 9 and data[8] == 0x40:
                        hit = ("rmcp", addr, port)
                        if hit in pending:
                            pending.discard(hit)
                            ok.add(hit)
                    continue
                s, buf = conns[t]
                try:
                    chunk = s.recv(256)
                except OSError:
                    chunk = b""
                buf += chunk
                conns[t][1] = buf
                if buf.startswith(b"SSH-") and b"\n" in buf:
                    pending.discard(t)
                    ok.add(t)
                elif chunk and len(buf) < 256:
                    continue
                sel.unregister(s)
                s.close()
                del conns[t]
    finally:
        for s, _ in conns.values():
            s.close()
        udp.close()
        sel.close()
    return ok


# ---------------------------------------------------------------- IPMI emu

def _fru_field(text):
    b = text.encode("latin-1")[:63]
    return bytes([0xc0 | len(b)]) + b


def _fru_area(body):
    """Pad an info area to 8-byte multiple incl. checksum; fill its length."""
    body = bytearray(body) + b"\xc1"
    while (len(body) + 1) % 8:
        body.append(0)
    body[1] = (len(body) + 1) // 8
    body.append((-sum(body)) & 0xff)
    return bytes(body)


def make_fru(product, serial, part):
    board = _fru_area(bytes([1, 0, 0, 0, 0, 0]) +
                      _fru_field("Sysman Testbed") + _fru_field(product + " board") +
                      _fru_field(serial) + _fru_field(part + "-MB") + _fru_field(""))
    prod = _fru_area(bytes([1, 0, 0]) +
                     _fru_field("Sysman Testbed") + _fru_field(product) +
                     _fru_field(part) + _fru_field("1.0") + _fru_field(serial) +
                     _fru_field("") + _fru_field(""))
    hdr = bytearray([1, 0, 0, 1, 1 + len(board) // 8, 0, 0])
    hdr.append((-sum(hdr)) & 0xff)
    return bytes(hdr) + board + prod


def _sdr_full(num, stype, units, m, name, masks, thresholds, nominal, nmax, nmin):
    """A Full Sensor Record (IPMI 2.0 table 43-1) as main_sdr_add bytes."""
    body = [0x20, 0x00, num, 0x07, 0x01, 0x67, 0x88, stype, 0x01]
    body += masks                                   # 6 mask bytes
    body += [0x00, units, 0x00, 0x00, m, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01]
    body += [nominal, nmax, nmin, 0xff, 0x00]
    body += thresholds                              # UNR UC UNC LNR LC LNC
    body += [0x00, 0x00, 0x00, 0x00, 0x00]          # hysteresis, reserved, OEM
    nb = name.encode()
    rec = body + [0xc0 | len(nb)]
    hdr = [0x00, 0x00, 0x51, 0x01, len(rec) + len(nb)]
    return " ".join("0x%02x" % b for b in hdr + rec) + " " + \
        " ".join("'" + chr(c) for c in nb)


def make_emu(bmcdir, fru):
    temp = _sdr_full(1, 0x01, 0x01, 1, "Temp",
                     [0xc0, 0x0f, 0xc0, 0x7f, 0x38, 0x38],
                     [65, 55, 45, 0, 0, 0], 25, 80, 0)
    fan = _sdr_full(2, 0x04, 0x12, 50, "Fan1",
                    [0x04, 0x20, 0x04, 0x00, 0x02, 0x02],
                    [0, 0, 0, 0, 10, 0], 60, 0x50, 0x14)
    fru_bytes = " ".join("0x%02x" % b for b in fru)
    return "\n".join([
        "mc_setbmc 0x20",
        "mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02",
        "sel_enable 0x20 1000 0x0a",
        'sensor_add 0x20 0 1 0x01 0x01 poll 250 file "%s/temperature"' % bmcdir,
        "main_sdr_add 0x20 " + temp,
        "sensor_set_threshold 0x20 0 1 settable 111000 65 55 45 0 0 0",
        "sensor_set_event_support 0x20 0 1 enable scanning per-state "
        "000111111000000 000111111000000 000111111000000 000111111000000",
        'sensor_add 0x20 0 2 0x04 0x01 poll 1000 file "%s/fan"' % bmcdir,
        "main_sdr_add 0x20 " + fan,
        "sensor_set_threshold 0x20 0 2 settable 000010 0 0 0 0 10 0",
        "sensor_set_event_support 0x20 0 2 enable scanning per-state "
        "000000000000100 000000000000100 000000000000100 000000000000100",
        "mc_add_fru_data 0x20 0 %d data %s" % (len(fru), fru_bytes),
        "mc_enable 0x20",
        ""])


def make_lan_conf(name, addr, port, ccprog, user, password):
    auths = "none md2 md5 straight"
    return "\n".join([
        'name "%s"' % name,
        "set_working_mc 0x20",
        "  startlan 1",
        "    addr %s %d" % (addr, port),
        "    priv_limit admin",
        "    allowed_auths_callback " + auths,
        "    allowed_auths_user " + auths,
        "    allowed_auths_operator " + auths,
        "    allowed_auths_admin " + auths,
        "    guid \"SYSMANTB%08x\"" % (int.from_bytes(socket.inet_aton(addr), "big")),
        "  endlan",
        '  chassis_control "%s"' % ccprog,
        '  user 2 true "%s" "%s" admin 10 %s' % (user, password, auths),
        ""])


# ---------------------------------------------------------------- sshd

def make_sshd_config(d, addrs, hostkey, authkeys, bindir, user, addendum=None, slow_login=False):
    lines = ["# generated by tests/testbed/testbed.py"]
    lines += ["ListenAddress %s:22" % a for a in addrs]
    lines += [
        "HostKey " + hostkey,
        "PidFile %s/sshd.pid" % d,
        "AuthorizedKeysFile " + authkeys,
        "StrictModes no",              # DIR may live under world-writable /tmp
        "UsePAM no",
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication yes",
        "KbdInteractiveAuthentication no",
        "PubkeyAuthentication yes",
        "AllowUsers root " + user,
        "UseDNS no",
        "PrintMotd no",
        "PrintLastLog no",
        "X11Forwarding no",
        "MaxStartups 1000:30:2000",
        "MaxSessions 256",
        "MaxAuthTries 10",
        "LoginGraceTime 30",
        "ClientAliveInterval 0",
        "LogLevel INFO",
        'SetEnv PATH=%s:/usr/local/bin:/usr/bin:/bin SYSMAN_TESTBED=%s'
        % (bindir, os.path.dirname(bindir)),
        "Subsystem sftp internal-sftp",
    ]
    if addendum:
        lines.append("VersionAddendum " + addendum)
    if slow_login:
        lines.append("ForceCommand %s/tb-slowlogin" % bindir)
    return "\n".join(lines) + "\n"


def _keygen(path, comment):
    for p in (path, path + ".pub"):
        if os.path.exists(p):
            os.unlink(p)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment,
                    "-f", path], check=True, stdin=subprocess.DEVNULL)
    with open(path + ".pub") as f:
        return f.read().strip()


def _write(path, text, mode=None):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    if mode is not None:
        os.chmod(tmp, mode)
    os.replace(tmp, path)


def ensure_user(user, password):
    """Create the test user if absent (shell /bin/sh); (re)set its password."""
    created = False
    try:
        pwd.getpwnam(user)
    except KeyError:
        subprocess.run(["useradd", "-m", "-s", "/bin/sh", "-c",
                        "Sysman testbed user", user], check=True)
        created = True
    subprocess.run(["chpasswd"], input="%s:%s\n" % (user, password),
                   text=True, check=True)
    return created


# The machine-wide things a testbed needs (the test user, /run/sshd) are
# shared by every testbed running at once.  Each running testbed holds a
# claim on them in SHARED_DIR; the last one to stop removes what a testbed
# created (never what was there before the first testbed).
SHARED_DIR = "/run/sysman-testbed"


def _shared_lock():
    os.makedirs(SHARED_DIR, mode=0o755, exist_ok=True)
    fd = os.open(os.path.join(SHARED_DIR, "lock"), os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _claims_dir(name):
    return os.path.join(SHARED_DIR, "claims", name.replace("/", "_"))


def _claim_live(path):
    """A claim file names its testbed directory; it is live unless that
    directory is gone or its state says stopped (a testbed still starting
    has no state yet: live)."""
    try:
        with open(path) as f:
            tb_dir = f.read().strip()
    except OSError:
        return False
    if not os.path.isdir(tb_dir):
        return False
    try:
        with open(os.path.join(tb_dir, "testbed.json")) as f:
            return json.load(f).get("state") != "stopped"
    except (OSError, ValueError):
        return True


def shared_acquire(name, owner_dir, make):
    """Claims the shared thing `name` for the testbed in owner_dir; calls
    make() (which returns True if it created the thing) when no live claim
    exists yet."""
    fd = _shared_lock()
    try:
        d = _claims_dir(name)
        os.makedirs(d, exist_ok=True)
        created_mark = d + ".created"
        if make():
            with open(created_mark, "w") as f:
                f.write("created by a Sysman testbed\n")
        with open(os.path.join(d, hashlib.sha1(owner_dir.encode()).hexdigest()), "w") as f:
            f.write(owner_dir + "\n")
    finally:
        os.close(fd)


def shared_release(name, owner_dir, remove):
    """Drops owner_dir's claim on `name`; if no live claim is left and a
    testbed created it, calls remove()."""
    fd = _shared_lock()
    try:
        d = _claims_dir(name)
        mine = os.path.join(d, hashlib.sha1(owner_dir.encode()).hexdigest())
        if os.path.exists(mine):
            os.unlink(mine)
        live = [c for c in (os.listdir(d) if os.path.isdir(d) else [])
                if _claim_live(os.path.join(d, c))]
        if live:
            return
        if not os.path.exists(d + ".created"):
            shutil.rmtree(d, ignore_errors=True)
            return
        remove()
        os.unlink(d + ".created")
        shutil.rmtree(d, ignore_errors=True)
    finally:
        os.close(fd)


def _make_run_sshd():
    if os.path.isdir("/run/sshd"):
        return False
    os.makedirs("/run/sshd", mode=0o755)
    return True


def _remove_run_sshd():
    try:
        os.rmdir("/run/sshd")
    except OSError:
        pass


def _remove_user(user):
    """Called by the last testbed to stop, so every process of the test user
    is a testbed leftover (a session child not reaped yet): those are
    killed, since userdel refuses a user that still has processes."""
    deadline = time.monotonic() + 5
    while True:
        subprocess.run(["pkill", "-KILL", "-u", user], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        r = subprocess.run(["userdel", "-r", user], capture_output=True, text=True)
        # 0 removed (6: no such user; 12: the home or mail spool was missing)
        if r.returncode in (0, 6, 12):
            return
        if time.monotonic() > deadline:
            sys.stderr.write("testbed: cannot remove user %s: %s\n" % (user, r.stderr.strip()))
            return
        time.sleep(0.1)


def claim_shared(owner_dir, user, password):
    """Claims /run/sshd (sshd's privilege separation directory, normally
    made by systemd) and the test user for the testbed, or other test, in
    owner_dir; makes them if missing and sets the user's password.
    Returns True if the user was created now."""
    created = False

    def make_user():
        nonlocal created
        created = ensure_user(user, password)
        return created

    shared_acquire("/run/sshd", owner_dir, _make_run_sshd)
    shared_acquire("user-" + user, owner_dir, make_user)
    return created


def release_shared(owner_dir, user):
    """Drops owner_dir's claims; the last claim removes what a testbed made."""
    if user:
        shared_release("user-" + user, owner_dir, lambda: _remove_user(user))
    shared_release("/run/sshd", owner_dir, _remove_run_sshd)


# ---------------------------------------------------------------- testbed

class Testbed:
    """A running (or startable) testbed rooted at a directory.

    All state needed to stop it is in DIR/testbed.json, written as soon as a
    process is started, so stop() works from another process and after a
    half-finished start.  Addresses are strings; fault helpers take the
    device address."""

    def __init__(self, dir, hosts=16, bmcs=4, chassis_blades=14, base="127.1",
                 hosts_per_sshd=None, user=SSH_USER, password=SSH_PASSWORD,
                 bmc_user=BMC_USER, bmc_password=BMC_PASSWORD, quiet=False, slow_login=False):
        self.dir = os.path.abspath(dir)
        if re.search(r"\s", self.dir):
            raise TestbedError("testbed dir %r must not contain spaces" % self.dir)
        self.nhosts = hosts
        self.nbmcs = bmcs
        self.nblades = chassis_blades
        self.base = _check_base(base)
        if hosts_per_sshd is None:
            hosts_per_sshd = 1 if hosts <= 64 else MAX_LISTEN_PER_SSHD
        if not 1 <= hosts_per_sshd <= MAX_LISTEN_PER_SSHD:
            raise TestbedError("hosts_per_sshd must be 1..%d" % MAX_LISTEN_PER_SSHD)
        self.per_sshd = hosts_per_sshd
        self.slow_login = slow_login   # every login costs ~0.1 s CPU (tb-slowlogin)
        if hosts < 0 or hosts > 16 * MAX_PER_NET:
            raise TestbedError("hosts must be 0..%d" % (16 * MAX_PER_NET))
        if not 0 <= bmcs <= MAX_PER_NET or not 0 <= chassis_blades <= MAX_PER_NET:
            raise TestbedError("bmcs and chassis blades must be 0..%d" % MAX_PER_NET)
        self.user, self.password = user, password
        self.bmc_user, self.bmc_password = bmc_user, bmc_password
        self.quiet = quiet
        self.info = None
        self._procs = {}          # pid -> Popen, for processes we started here

    # ------------------------------------------------------------ loading

    @property
    def json_path(self):
        return os.path.join(self.dir, "testbed.json")

    @classmethod
    def load(cls, dir):
        """A Testbed object for an existing DIR/testbed.json (for stop/status)."""
        path = os.path.join(os.path.abspath(dir), "testbed.json")
        try:
            with open(path) as f:
                info = json.load(f)
        except FileNotFoundError:
            return None
        except ValueError as e:
            raise TestbedError("%s: %s" % (path, e))
        tb = cls(dir, hosts=len(info.get("hosts", [])), bmcs=0, chassis_blades=0,
                 base=info.get("base", "127.1"),
                 hosts_per_sshd=info.get("hosts_per_sshd") or 1, quiet=True)
        tb.info = info
        return tb

    def _save(self):
        _write(self.json_path, json.dumps(self.info, indent=2) + "\n")

    def _say(self, msg):
        if not self.quiet:
            _log(msg)

    # ------------------------------------------------------------ start

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self, timeout=20.0):
        """Start every device in parallel and wait until each answers.
        On any failure everything started so far is stopped again."""
        old = Testbed.load(self.dir)
        if old is not None and old.running_pids():
            raise TestbedError("a testbed is already running in %s (pids %s); "
                               "stop it first" % (self.dir, old.running_pids()))
        t0 = time.monotonic()
        self._check_free()
        try:
            self._prepare()
            self._spawn_all()
            self._wait_ready(timeout)
            self._check_owned()
            self._init_bmcs()
        except BaseException:
            self._say("start failed; stopping what was started")
            try:
                self.stop()
            finally:
                pass
            raise
        self.info["state"] = "running"
        self._save()
        self._say("started %d hosts (%d sshd), %d BMCs, %s in %.1fs; see %s"
                  % (self.nhosts, len(self.info["sshd"]), len(self.info["bmcs"]),
                     "a chassis with %d blades" % self.nblades if self.nblades
                     else "no chassis", time.monotonic() - t0, self.json_path))
        return self

    def _prepare(self):
        d = self.dir
        for sub in ("sshd", "bmc", "bin", "keys", "chassis"):
            shutil.rmtree(os.path.join(d, sub), ignore_errors=True)
        os.makedirs(d, exist_ok=True)
        os.chmod(d, 0o755)
        for sub in ("sshd", "bmc", "bin", "keys", "chassis"):
            os.makedirs(os.path.join(d, sub), mode=0o755, exist_ok=True)
        for name in os.listdir(os.path.join(HERE, "bin")):
            shutil.copy(os.path.join(HERE, "bin", name), os.path.join(d, "bin", name))
            os.chmod(os.path.join(d, "bin", name), 0o755)
        created_user = claim_shared(d, self.user, self.password)

        key = os.path.join(d, "keys", "id_ed25519")
        pub = _keygen(key, "sysman-testbed-client")
        authkeys = os.path.join(d, "keys", "authorized_keys")
        _write(authkeys, pub + "\n", 0o644)

        hosts = [{"name": "node%d" % i, "addr": host_addr(self.base, i), "port": 22,
                  "kind": "server"} for i in range(1, self.nhosts + 1)]
        groups = []
        for g in range(0, len(hosts), self.per_sshd):
            groups.append({"hosts": [h["addr"] for h in hosts[g:g + self.per_sshd]]})
        chassis = []
        if self.nblades:
            mm = mm_addr(self.base)
            groups.append({"hosts": [mm], "addendum": "SysmanTB-MM"})
            blades = [{"slot": s, "addr": blade_addr(self.base, s)}
                      for s in range(1, self.nblades + 1)]
            chassis.append({"mm": mm, "blades": blades,
                            "access_log": os.path.join(d, "chassis", mm + ".access.log")})
            _write(os.path.join(d, "chassis", mm + ".blades"),
                   "".join("%d %s\n" % (b["slot"], b["addr"]) for b in blades))
        bindir = os.path.join(d, "bin")
        hostkeys = {}
        # ssh-keygen is quick for ed25519, but there may be 100+ groups
        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            futs = []
            for n, g in enumerate(groups, 1):
                g["dir"] = gd = os.path.join(d, "sshd", str(n))
                os.makedirs(gd, exist_ok=True)
                g["host_key"] = os.path.join(gd, "ssh_host_ed25519_key")
                futs.append((g, ex.submit(_keygen, g["host_key"], "host-%d" % n)))
            for g, fut in futs:
                g["host_key_pub"] = fut.result()
                for a in g["hosts"]:
                    hostkeys[a] = g["host_key_pub"]
                _write(os.path.join(g["dir"], "sshd_config"),
                       make_sshd_config(g["dir"], g["hosts"], g["host_key"], authkeys,
                                        bindir, self.user, g.get("addendum"),
                                        slow_login=self.slow_login))
        names = {h["addr"]: h["name"] for h in hosts}
        if chassis:
            names[chassis[0]["mm"]] = "chassis1-mm"
        _write(os.path.join(d, "hosts.map"),
               "".join("%s %s\n" % kv for kv in names.items()))
        self._write_known_hosts(hostkeys)
        _write(os.path.join(d, "ssh_config"), "\n".join([
            "Host *",
            "  User root",
            "  IdentityFile " + key,
            "  IdentitiesOnly yes",
            "  UserKnownHostsFile " + os.path.join(d, "known_hosts"),
            "  StrictHostKeyChecking yes",
            "  BatchMode yes",
            "  ConnectTimeout 5",
            "  LogLevel ERROR", ""]))

        bmcs = []
        for i in range(1, self.nbmcs + 1):
            bmcs.append(self._bmc_spec("bmc-%d" % i, bmc_addr(self.base, i),
                                       "TB-Server", "bmc"))
        for c in chassis:
            c["mm_bmc"] = c["mm"]
            bmcs.append(self._bmc_spec("mm-1", c["mm"], "TB-Chassis-MM", "mm"))
            for b in c["blades"]:
                spec = self._bmc_spec("blade-%d" % b["slot"], b["addr"], "TB-Blade",
                                      "blade", extra_log=c["access_log"])
                spec["slot"] = b["slot"]
                b["dir"] = spec["dir"]
                bmcs.append(spec)

        self.info = {
            "version": 1, "state": "starting", "dir": d, "base": self.base,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "hosts_per_sshd": self.per_sshd,
            "users": {
                "ssh": {"user": self.user, "password": self.password, "key": key,
                        "created_by_testbed": created_user},
                "root": {"user": "root", "key": key},
                "bmc": {"user": self.bmc_user, "password": self.bmc_password},
            },
            "client_key": key, "client_key_pub": pub,
            "known_hosts": os.path.join(d, "known_hosts"),
            "ssh_config": os.path.join(d, "ssh_config"),
            "bin": bindir,
            "hosts": hosts, "sshd": groups, "bmcs": bmcs, "chassis": chassis,
        }
        for h in hosts:
            h["sshd"] = next(n for n, g in enumerate(groups) if h["addr"] in g["hosts"])
        self.info["sysman_conf"] = self._write_conf_sample()
        self._save()

    def _write_conf_sample(self):
        """Keys of DESIGN §10 that point a sysmand at this testbed."""
        nets = ["%s.0.0/24" % self.base]
        if self.nbmcs:
            nets.append("%s.1.0/24" % self.base)
        if self.nblades:
            nets.append("%s.2.0/24" % self.base)
        path = os.path.join(self.dir, "sysman.conf.sample")
        _write(path, "\n".join([
            "# sysmand settings for the testbed in %s" % self.dir,
            "# ids: echo '%s %s' > /sysman/systems/bmcs/ids (BMCs, blades)"
            % (self.bmc_user, self.bmc_password),
            "agent_dir = %s" % os.path.join(os.path.dirname(os.path.dirname(HERE)),
                                            "agents"),
            "discover_networks = " + ", ".join(nets),
            "ssh_key = " + os.path.join(self.dir, "keys", "id_ed25519"),
            "ssh_known_hosts = " + os.path.join(self.dir, "sysman_known_hosts"),
            "ssh_host_key_policy = accept-new",
            "ssh_user = root", ""]))
        return path

    def _planned(self):
        """(tcp addrs, udp addrs) this testbed will bind, before _prepare."""
        tcp = [host_addr(self.base, i) for i in range(1, self.nhosts + 1)]
        udp = [bmc_addr(self.base, i) for i in range(1, self.nbmcs + 1)]
        if self.nblades:
            tcp.append(mm_addr(self.base))
            udp.append(mm_addr(self.base))
            udp += [blade_addr(self.base, s) for s in range(1, self.nblades + 1)]
        return tcp, udp

    def _check_free(self):
        """Refuse to start on addresses another process already serves (e.g.
        a testbed with the same --base): probes would find the wrong one."""
        tcp, udp = self._planned()
        ltcp, ludp = _bound("tcp"), _bound("udp")
        busy = ["tcp %s:22" % a for a in tcp
                if (a, 22) in ltcp or ("0.0.0.0", 22) in ltcp]
        busy += ["udp %s:623" % a for a in udp
                 if (a, 623) in ludp or ("0.0.0.0", 623) in ludp]
        if busy:
            raise TestbedError("address already in use: %s%s (another testbed with "
                               "base %s? use --base 127.N)"
                               % (", ".join(busy[:6]), " ..." if len(busy) > 6 else "",
                                  self.base))

    def _check_owned(self, bmcs=None, groups=None):
        """Every endpoint must be served by the process we started for it."""
        ltcp, ludp = _bound("tcp"), _bound("udp")
        wrong = []
        for g in (self.info["sshd"] if groups is None else groups):
            mine = _socket_inodes(g["pid"])
            wrong += ["tcp %s:22" % a for a in g["hosts"] if ltcp.get((a, 22)) not in mine]
        for b in (self.info["bmcs"] if bmcs is None else bmcs):
            if ludp.get((b["addr"], b["port"])) not in _socket_inodes(b["pid"]):
                wrong.append("udp %s:%d" % (b["addr"], b["port"]))
        if wrong:
            raise TestbedError("not served by the testbed's own processes: %s"
                               % ", ".join(wrong[:8]))

    def _write_known_hosts(self, hostkeys):
        lines = []
        for a, k in hostkeys.items():
            kt, kb = k.split()[:2]
            lines.append("%s %s %s\n" % (a, kt, kb))
        _write(os.path.join(self.dir, "known_hosts"), "".join(lines))

    def _bmc_spec(self, name, addr, product, role, extra_log=None):
        bd = os.path.join(self.dir, "bmc", name)
        os.makedirs(os.path.join(bd, "state"), exist_ok=True)
        cc = os.path.join(self.dir, "bin", "tb-chassis-control") + " " + bd
        if extra_log:
            cc += " " + extra_log
        _write(os.path.join(bd, "lan.conf"),
               make_lan_conf(name, addr, 623, cc, self.bmc_user, self.bmc_password))
        serial = "TB%08X" % int.from_bytes(socket.inet_aton(addr), "big")
        _write(os.path.join(bd, "sim.emu"),
               make_emu(bd, make_fru(product, serial, product + "-1")))
        octet = int(addr.rsplit(".", 1)[1])
        _write(os.path.join(bd, "temperature"), "%d\n" % (22 + octet % 13))
        _write(os.path.join(bd, "fan"), "60\n")
        _write(os.path.join(bd, "power"), "1\n")
        _write(os.path.join(bd, "boot"), "none\n")
        open(os.path.join(bd, "access.log"), "a").close()
        console = os.path.join(bd, "console")
        if os.path.exists(console):
            os.unlink(console)
        os.mkfifo(console, 0o600)
        return {"name": name, "addr": addr, "port": 623, "role": role, "dir": bd,
                "serial": serial, "access_log": os.path.join(bd, "access.log"),
                "console": console, "pid": None}

    def _spawn(self, argv, logpath):
        log = open(logpath, "ab")
        try:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                 stderr=subprocess.STDOUT, start_new_session=True,
                                 close_fds=True)
        finally:
            log.close()
        self._procs[p.pid] = p
        return p.pid

    def _spawn_sshd(self, g):
        g["pid"] = self._spawn(["/usr/sbin/sshd", "-D", "-f",
                                os.path.join(g["dir"], "sshd_config"),
                                "-E", os.path.join(g["dir"], "sshd.log")],
                               os.path.join(g["dir"], "stdout.log"))

    def _spawn_bmc(self, b):
        bd = b["dir"]
        # stdin is the console FIFO, opened read-write so it never sees EOF
        # (EOF on the console makes ipmi_sim quit); the chassis-control
        # script writes sel_add commands into it.
        fd = os.open(b["console"], os.O_RDWR)
        log = open(os.path.join(bd, "sim.log"), "ab")
        try:
            p = subprocess.Popen(["ipmi_sim", "-c", os.path.join(bd, "lan.conf"),
                                  "-f", os.path.join(bd, "sim.emu"),
                                  "-s", os.path.join(bd, "state")],
                                 stdin=fd, stdout=log, stderr=subprocess.STDOUT,
                                 start_new_session=True, close_fds=True, cwd=bd)
        finally:
            os.close(fd)
            log.close()
        self._procs[p.pid] = p
        b["pid"] = p.pid
        b["alive"] = True

    def _spawn_all(self):
        self._say("spawning %d sshd and %d ipmi_sim" %
                  (len(self.info["sshd"]), len(self.info["bmcs"])))
        for g in self.info["sshd"]:
            self._spawn_sshd(g)
        for b in self.info["bmcs"]:
            self._spawn_bmc(b)
        self._save()

    def _targets(self, bmcs=None, groups=None):
        t = set()
        for g in (self.info["sshd"] if groups is None else groups):
            # one banner per sshd proves it serves; the other addresses of
            # the same sshd only need to be listening
            t.add(("ssh", g["hosts"][0], 22))
            t |= {("tcp", a, 22) for a in g["hosts"][1:]}
        for b in (self.info["bmcs"] if bmcs is None else bmcs):
            t.add(("rmcp", b["addr"], b["port"]))
        return t

    def _wait_ready(self, timeout, bmcs=None, groups=None):
        targets = self._targets(bmcs, groups)
        ok = probe(targets, timeout)
        missing = sorted(targets - ok)
        if missing:
            dead = [g["pid"] for g in self.info["sshd"] if not _pid_alive(g["pid"])]
            dead += [b["pid"] for b in self.info["bmcs"]
                     if b.get("alive") and not _pid_alive(b["pid"])]
            hint = ""
            if dead:
                hint = "; processes exited: %s (see sshd/*/sshd.log, bmc/*/sim.log)" % dead
            raise TestbedError("%d of %d endpoints did not answer within %.0fs: %s%s"
                               % (len(missing), len(targets), timeout,
                                  ", ".join("%s %s:%d" % m for m in missing[:8]), hint))
        self._say("all %d endpoints answer" % len(targets))

    def ipmitool(self, addr, *args, timeout=20, user=None, password=None):
        """Run ipmitool against a testbed BMC; returns CompletedProcess."""
        env = dict(os.environ,
                   IPMI_PASSWORD=self.bmc_password if password is None else password)
        return subprocess.run(["ipmitool", "-I", "lanplus", "-C", "3", "-N", "1",
                               "-R", "3", "-H", addr,
                               "-U", self.bmc_user if user is None else user, "-E"]
                              + list(args), env=env, capture_output=True, text=True,
                              timeout=timeout)

    def _init_bmcs(self, bmcs=None):
        """Set each BMC's SEL clock (ipmi_sim starts it at the host uptime);
        this also proves RMCP+ login works."""
        bmcs = self.info["bmcs"] if bmcs is None else bmcs

        def one(b):
            r = self.ipmitool(b["addr"], "sel", "time", "set", "now")
            if r.returncode:
                raise TestbedError("BMC %s: ipmitool sel time set failed: %s"
                                   % (b["addr"], (r.stderr or r.stdout).strip()))
        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            list(ex.map(one, bmcs))

    # ------------------------------------------------------------ stop

    def all_pids(self):
        if not self.info:
            return []
        pids = [g.get("pid") for g in self.info.get("sshd", [])]
        pids += [b.get("pid") for b in self.info.get("bmcs", [])]
        return [p for p in pids if p]

    def _ours(self, pid):
        """pid is alive and still one of ours (guards against PID reuse)."""
        return _pid_alive(pid) and self.dir + "/" in _pid_cmdline(pid)

    def running_pids(self):
        return [p for p in self.all_pids() if self._ours(p)]

    def stop(self, timeout=5.0):
        """Stop everything this testbed started, by PID.  Idempotent."""
        if self.info is None:
            other = Testbed.load(self.dir)
            if other is None:
                return
            self.info = other.info
        pids = self.running_pids()
        kids = _children_map()
        victims = set()
        for p in pids:
            victims.add(p)
            victims.update(_descendants(p, kids))
        if victims:
            self._say("stopping %d processes" % len(victims))
        for p in victims:
            for sig in (signal.SIGTERM, signal.SIGCONT):
                try:
                    os.kill(p, sig)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._reap()
            if not any(_pid_alive(p) for p in victims):
                break
            time.sleep(0.05)
        left = [p for p in victims if _pid_alive(p)]
        for p in left:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 2
        while left and time.monotonic() < deadline:
            self._reap()
            left = [p for p in left if _pid_alive(p)]
            time.sleep(0.02)
        if left:
            raise TestbedError("processes survived SIGKILL: %s" % left)
        for g in self.info.get("sshd", []):
            g["pid"] = None
        for b in self.info.get("bmcs", []):
            b["pid"] = None
            b["alive"] = False
        self.info["state"] = "stopped"
        if os.path.isdir(self.dir):
            self._save()
        release_shared(self.dir, self.info.get("users", {}).get("ssh", {}).get("user"))
        self._say("stopped")

    def _reap(self):
        for pid, p in list(self._procs.items()):
            if p.poll() is not None:
                del self._procs[pid]

    # ------------------------------------------------------------ status

    def status(self):
        """Per-component liveness: {"ok": bool, "lines": [...]}"""
        if self.info is None:
            return {"ok": False, "lines": ["no testbed in %s" % self.dir]}
        lines, ok = [], True
        targets = self._targets()
        answered = probe(targets, 2.0) if self.running_pids() else set()
        # count only endpoints served by our own processes
        ltcp, ludp = _bound("tcp"), _bound("udp")
        for g in self.info["sshd"]:
            mine = _socket_inodes(g["pid"]) if g.get("pid") else set()
            for a in g["hosts"]:
                if ltcp.get((a, 22)) not in mine:
                    answered.discard(("ssh", a, 22))
                    answered.discard(("tcp", a, 22))
        for b in self.info["bmcs"]:
            if not b.get("pid") or ludp.get((b["addr"], b["port"])) not in \
                    _socket_inodes(b["pid"]):
                answered.discard(("rmcp", b["addr"], b["port"]))
        lines.append("state: %s  dir: %s" % (self.info.get("state"), self.dir))
        for g in self.info["sshd"]:
            alive = bool(g.get("pid")) and self._ours(g["pid"])
            serving = ("ssh", g["hosts"][0], 22) in answered
            for a in g["hosts"]:
                up = serving and (a == g["hosts"][0] or ("tcp", a, 22) in answered)
                ok &= up
                lines.append("sshd  %-15s pid %-7s %s" % (a, g.get("pid"),
                             "up" if up else ("stopped/hung" if alive else "down")))
        for b in self.info["bmcs"]:
            up = ("rmcp", b["addr"], b["port"]) in answered
            ok &= up
            lines.append("bmc   %-15s pid %-7s %-5s %s" % (b["addr"], b.get("pid"),
                         b["role"], "up" if up else "down"))
        return {"ok": ok, "lines": lines}

    # ------------------------------------------------------------ lookup

    def host(self, addr):
        for h in self.info["hosts"]:
            if h["addr"] == addr or h["name"] == addr:
                return h
        for c in self.info["chassis"]:
            if c["mm"] == addr:
                return {"addr": addr, "name": "chassis1-mm",
                        "sshd": next(n for n, g in enumerate(self.info["sshd"])
                                     if addr in g["hosts"])}
        raise TestbedError("no host %s in this testbed" % addr)

    def bmc(self, addr):
        for b in self.info["bmcs"]:
            if b["addr"] == addr:
                return b
        raise TestbedError("no BMC %s in this testbed" % addr)

    @property
    def host_addrs(self):
        return [h["addr"] for h in self.info["hosts"]]

    @property
    def bmc_addrs(self):
        return [b["addr"] for b in self.info["bmcs"] if b["role"] == "bmc"]

    def ssh_argv(self, addr, user=None):
        """argv prefix for the OpenSSH client to reach a host as user by key
        (default: the light test user; root's login profile is slow, and
        serialises on a lock when many logins run at once)."""
        return ["ssh", "-F", self.info["ssh_config"], "-l", user or self.user, addr]

    # ------------------------------------------------------------ faults

    def _sshd_of(self, addr):
        return self.info["sshd"][self.host(addr)["sshd"]]

    def stop_host(self, addr):
        """SIGSTOP the sshd serving addr and all its session processes: new
        connections hang before the banner, existing sessions hang.  When
        several hosts share an sshd (hosts_per_sshd > 1) they all hang."""
        g = self._sshd_of(addr)
        if not self._ours(g["pid"]):
            raise TestbedError("sshd for %s is not running" % addr)
        _signal_tree(g["pid"], signal.SIGSTOP)
        return g["hosts"]

    def cont_host(self, addr):
        g = self._sshd_of(addr)
        if g.get("pid"):
            _signal_tree(g["pid"], signal.SIGCONT)
        return g["hosts"]

    def kill_host(self, addr):
        """SIGKILL the sshd serving addr and its sessions: connections are
        refused (and every host it serves with it).  Returns those hosts."""
        g = self._sshd_of(addr)
        if g.get("pid") and self._ours(g["pid"]):
            _signal_tree(g["pid"], signal.SIGKILL)
            deadline = time.monotonic() + 3
            while _pid_alive(g["pid"]) and time.monotonic() < deadline:
                self._reap()
                time.sleep(0.02)
        return g["hosts"]

    def restart_host(self, addr, timeout=10.0):
        """Start the killed sshd of addr again (same keys and config)."""
        g = self._sshd_of(addr)
        if g.get("pid") and self._ours(g["pid"]):
            return g["hosts"]
        self._spawn_sshd(g)
        self._save()
        self._wait_ready(timeout, bmcs=[], groups=[g])
        self._check_owned(bmcs=[], groups=[g])
        return g["hosts"]

    def kill_bmc(self, addr):
        """SIGKILL one BMC simulator (it stops answering on UDP 623)."""
        b = self.bmc(addr)
        if b.get("pid") and self._ours(b["pid"]):
            try:
                os.killpg(b["pid"], signal.SIGKILL)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + 3
            while _pid_alive(b["pid"]) and time.monotonic() < deadline:
                self._reap()
                time.sleep(0.02)
        b["alive"] = False
        self._save()

    def restart_bmc(self, addr, timeout=10.0):
        """Start a killed BMC again (its SEL and users persist in its state dir)."""
        b = self.bmc(addr)
        if b.get("pid") and self._ours(b["pid"]):
            return
        self._spawn_bmc(b)
        self._save()
        self._wait_ready(timeout, bmcs=[b], groups=[])
        self._check_owned(bmcs=[b], groups=[])
        self._init_bmcs([b])

    def set_temperature(self, addr, value, wait=True):
        """Feed the BMC's temperature sensor (whole degrees C, 0..255).
        The simulator polls the file every 250 ms; wait covers that."""
        v = int(round(float(value)))
        if not 0 <= v <= 255:
            raise TestbedError("temperature %r out of range 0..255" % value)
        _write(os.path.join(self.bmc(addr)["dir"], "temperature"), "%d\n" % v)
        if wait:
            time.sleep(0.6)

    def set_bmc_delay(self, addr, seconds):
        """Make every chassis-control call of this BMC take `seconds` (a slow
        management controller); 0 removes the delay."""
        p = os.path.join(self.bmc(addr)["dir"], "delay")
        if seconds:
            _write(p, "%g\n" % seconds)
        elif os.path.exists(p):
            os.unlink(p)

    def regen_host_key(self, addr, timeout=10.0):
        """Give the host (its sshd) a new host key and reload sshd (SIGHUP).
        DIR/known_hosts is updated; anyone else's known_hosts now mismatches.
        Returns the new public key line."""
        g = self._sshd_of(addr)
        g["host_key_pub"] = _keygen(g["host_key"], "host-regen")
        if self._ours(g["pid"]):
            os.kill(g["pid"], signal.SIGHUP)
        keys = {}
        for gg in self.info["sshd"]:
            for a in gg["hosts"]:
                keys[a] = gg["host_key_pub"]
        self._write_known_hosts(keys)
        self._save()
        time.sleep(0.2)
        self._wait_ready(timeout, bmcs=[], groups=[g])
        return g["host_key_pub"]


# ---------------------------------------------------------------- CLI

def main(argv=None):
    ap = argparse.ArgumentParser(prog="testbed.py",
                                 description="Start/stop the Sysman testbed.")
    ap.add_argument("command", choices=("start", "stop", "status", "claim-shared", "release-shared"),
                    help="claim-shared / release-shared: take or drop a claim on the test "
                         "user and /run/sshd for another test that runs its own sshd "
                         "(--dir names that test's scratch directory)")
    ap.add_argument("--user", default="sysmantest", help="test user (claim-/release-shared)")
    ap.add_argument("--password", default="sysman-test-pw", help="its password (claim-shared)")
    ap.add_argument("--dir", required=True, help="testbed directory")
    ap.add_argument("--hosts", type=int, default=16, help="Linux hosts (sshd)")
    ap.add_argument("--bmcs", type=int, default=4, help="bare BMCs (ipmi_sim)")
    ap.add_argument("--chassis", type=int, default=14, metavar="B",
                    help="blades in the one chassis; 0 = no chassis")
    ap.add_argument("--base", default="127.1", help="address prefix 127.B")
    ap.add_argument("--hosts-per-sshd", type=int, default=None,
                    help="addresses per sshd (default 1 up to 64 hosts, else 16)")
    ap.add_argument("--timeout", type=float, default=20.0)
    a = ap.parse_args(argv)
    try:
        if os.geteuid() != 0 and a.command == "start":
            raise TestbedError("must run as root (sshd, useradd)")
        if a.command in ("claim-shared", "release-shared") and os.geteuid() != 0:
            raise TestbedError("must run as root (useradd, /run/sshd)")
        if a.command == "claim-shared":
            claim_shared(os.path.abspath(a.dir), a.user, a.password)
            return 0
        if a.command == "release-shared":
            release_shared(os.path.abspath(a.dir), a.user)
            return 0
        if a.command == "start":
            Testbed(a.dir, hosts=a.hosts, bmcs=a.bmcs, chassis_blades=a.chassis,
                    base=a.base, hosts_per_sshd=a.hosts_per_sshd).start(a.timeout)
            return 0
        tb = Testbed.load(a.dir)
        if a.command == "stop":
            if tb is None:
                _log("nothing to stop in %s" % a.dir)
                return 0
            tb.quiet = False
            tb.stop()
            return 0
        if tb is None:
            print("no testbed in %s" % a.dir)
            return 1
        st = tb.status()
        print("\n".join(st["lines"]))
        return 0 if st["ok"] else 1
    except (TestbedError, OSError, subprocess.SubprocessError) as e:
        _log("error: %s" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
