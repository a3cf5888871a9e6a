#!/usr/bin/python3
"""Sysman testbed, NFS site: hosts in network namespaces on a bridge.

Every host is a network namespace `smn-<tag>-<name>` (tag: 231-0 for 10.231.0) with one veth on the
site's bridge `smn-<tag>-br` (addresses SUBNET.1-253; the bridge itself is
SUBNET.254 so that a sysmand in the root namespace reaches the hosts), and
its own mount namespace in which /run is a private tmpfs (so every host has
its own rpcbind socket and sshd privilege separation directory).  Each host
runs an OpenSSH sshd (root logs in with the site key).

Host kinds:
- "ganesha": a server.  nfs-ganesha (VFS FSAL) and its own rpcbind.  The
  host's /srv is DIR/hosts/<name>/root/srv (bind-mounted), so export paths
  below /srv are real directories.
- "client": sshd only; access is proven with libnfs (nfs-ls, nfs-cat,
  nfs-cp) run in the client's namespace: there is no kernel NFS client here.
- "linux", "solaris", "aix", "freebsd": file-level hosts (sshd only).  Their
  files are real, their activation commands (exportfs, shareall, service
  mountd, systemctl) are shims in DIR/hosts/<name>/bin that record each call
  in DIR/hosts/<name>/calls.log.

Sessions get HOME=DIR/hosts/<name> (sshd SetEnv), so that no dotfile of
the machine's root (bash sources ~/.bashrc for ssh commands) runs in them.
A host's configuration files live below its root DIR/hosts/<name>/root
(root/etc/exports, root/etc/ganesha/ganesha.conf, ...); its sshd sets
SYSMAN_NFS_ROOT to that directory, which the NFS remote agents put before
every path (empty on a real host).  ganesha itself reads a testbed-owned
main file that sets Graceless and a private recovery directory and
includes root/etc/ganesha/ganesha.conf; `systemctl reload nfs-ganesha`
(a shim) sends it SIGHUP, which rereads the exports.

Everything started is recorded in DIR/site.json as soon as it runs, and
stop() kills it by PID and removes the namespaces and the bridge, also
after a failed start.  Needs root.  Only the standard library is used.

CLI:    nfs_site.py start|stop --dir DIR [--subnet 10.231.0]
Module: with NfsSite(dir, hosts={"srv1": "ganesha", "cli1": "client"}) as s: ...
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from testbed import _keygen, _pid_alive, _pid_cmdline, _signal_tree, _write  # noqa: E402

PLATFORMS = ("ganesha", "client", "linux", "solaris", "aix", "freebsd")
SERVER_KINDS = ("ganesha", "linux", "solaris", "aix", "freebsd")


class NfsSiteError(Exception):
    """A site operation failed; the message says what and where."""


def _run(argv, check=True, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise NfsSiteError("%s: exit %d: %s" % (" ".join(argv), r.returncode,
                                                r.stderr.strip()))
    return r


# ---------------------------------------------------------------- host files

SYSTEMCTL = r"""#!/bin/sh
# testbed shim of systemctl for one NFS site host: the units are the
# host's ganesha and rpcbind, found by their PID files.  Records each call.
H=@HOST@
echo "systemctl $*" >> "$H/calls.log"
unit=${2%.service}
pidf=$H/run/$unit.pid
# a killed daemon may stay a zombie until init reaps it: that is dead
alive() { [ -s "$pidf" ] && p=$(cat "$pidf") && [ -r "/proc/$p/stat" ] &&
	[ "$(sed 's/.*) //' "/proc/$p/stat" | cut -d' ' -f1)" != Z ]; }
start() {
	case $unit in
	nfs-ganesha) [ -x /usr/bin/ganesha.nfsd ] || return 1
		alive && return 0
		rm -f "$pidf"
		n0=$(wc -c < "$H/ganesha.log" 2>/dev/null || echo 0)
		setsid /usr/bin/ganesha.nfsd -f "$H/ganesha-main.conf" -L "$H/ganesha.log" \
			-p "$pidf" </dev/null >/dev/null 2>&1
		# started = serving: a reload before that loses exports
		i=0; while [ $i -lt 200 ] && ! { alive && tail -c +$((n0 + 1)) "$H/ganesha.log" |
			grep -q 'NFS SERVER INITIALIZED'; }; do sleep 0.05; i=$((i+1)); done
		alive ;;
	*) alive ;;
	esac
}
stop() { alive && kill "$(cat "$pidf")"; i=0
	while [ $i -lt 100 ] && alive; do sleep 0.05; i=$((i+1)); done; ! alive; }
case $1 in
is-active) if alive; then echo active; else echo inactive; exit 3; fi ;;
start) start ;;
stop) stop ;;
restart) stop; start ;;
reload) alive && kill -HUP "$(cat "$pidf")" ;;
*) echo "systemctl shim: $1 not supported" >&2; exit 1 ;;
esac
"""

RECORDER = r"""#!/bin/sh
# testbed shim: records the activation command and succeeds, or fails if
# the test made fail.<command name>; slow.<command name> holds seconds to
# wait first (after recording the call).
H=@HOST@
echo "$(basename "$0")${*:+ $*}" >> "$H/calls.log"
if [ -e "$H/slow.$(basename "$0")" ]; then sleep "$(cat "$H/slow.$(basename "$0")")"; fi
f=$H/fail.$(basename "$0")
if [ -e "$f" ]; then
	[ "$(cat "$f")" = once ] && rm -f "$f"
	echo "$(basename "$0"): failed (testbed)" >&2; exit 1
fi
exit 0
"""

UNAME = r"""#!/bin/sh
# testbed shim: this emulated host runs @SYSTEM@
case "$1" in
-s|"") echo @SYSTEM@ ;;
*) exec /bin/uname "$@" ;;
esac
"""
SYSTEMS = {"solaris": "SunOS", "aix": "AIX", "freebsd": "FreeBSD"}

# platform -> activation shims (the commands the NFS agents run there)
SHIMS = {
    "linux": ("exportfs",),
    "aix": ("exportfs",),
    "solaris": ("shareall", "unshareall"),
    "freebsd": ("service",),
    "ganesha": (),
    "client": (),
}

BOOT = r"""#!/bin/sh
# runs in the host's network namespace, in a new private mount namespace
H=@HOST@
set -e
mount -t tmpfs -o mode=755 smn-run /run
mkdir -p /run/sshd /run/rpcbind
if [ "@KIND@" = ganesha ]; then
	mount --bind "$H/root/srv" /srv
	/usr/sbin/rpcbind -f -w </dev/null >/dev/null 2>&1 & echo $! > "$H/run/rpcbind.pid"
	i=0; while [ $i -lt 100 ] && [ ! -S /run/rpcbind.sock ]; do sleep 0.05; i=$((i+1)); done
	"$H/bin/systemctl" start nfs-ganesha
fi
/usr/sbin/sshd -f "$H/sshd_config" -E "$H/sshd.log"
"""

GANESHA_MAIN = """# testbed-owned main file of one ganesha host (tests/testbed/nfs_site.py)
NFS_CORE_PARAM { Protocols = 3, 4; }
NFSv4 { Graceless = true; RecoveryRoot = "@HOST@/recovery"; }
%include "@HOST@/root/etc/ganesha/ganesha.conf"
"""

SSHD_CONFIG = """# generated by tests/testbed/nfs_site.py
ListenAddress @ADDR@:22
HostKey @HOST@/ssh_host_ed25519_key
PidFile @HOST@/run/sshd.pid
AuthorizedKeysFile @KEYS@
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AllowUsers root
UseDNS no
PrintMotd no
PrintLastLog no
MaxStartups 100:30:200
MaxSessions 64
SetEnv PATH=@HOST@/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin SYSMAN_NFS_ROOT=@HOST@/root HOME=@HOST@
Subsystem sftp internal-sftp
"""


class NfsSite:
    """An NFS site of namespaced hosts.  hosts maps name -> kind (one of
    PLATFORMS), in address order.  All state needed to stop it is in
    DIR/site.json, written before anything is started."""

    def __init__(self, dir, hosts, subnet="10.231.0", quiet=True):
        self.dir = os.path.abspath(dir)
        if not re.fullmatch(r"10\.\d{1,3}\.\d{1,3}", subnet):
            raise NfsSiteError("subnet %r must look like 10.A.B" % subnet)
        if len(hosts) > 253:
            raise NfsSiteError("at most 253 hosts")
        self.subnet = subnet
        self.tag = "-".join(subnet.split(".")[1:])     # 10.231.0 -> 231-0
        self.quiet = quiet
        self.hosts = {}
        for i, (name, kind) in enumerate(hosts.items(), 1):
            if kind not in PLATFORMS:
                raise NfsSiteError("host %s: unknown kind %r" % (name, kind))
            if not re.fullmatch(r"[a-z][a-z0-9]{0,15}", name):
                raise NfsSiteError("host name %r: [a-z][a-z0-9]*, at most 16" % name)
            self.hosts[name] = {
                "name": name, "kind": kind, "addr": "%s.%d" % (subnet, i),
                "ns": "smn-%s-%s" % (self.tag, name),
                "veth": "smn-%s-%d" % (self.tag, i),
                "dir": os.path.join(self.dir, "hosts", name),
            }
        self.bridge = "smn-%s-br" % self.tag
        self.bridge_addr = "%s.254" % subnet
        self.key = os.path.join(self.dir, "id_ed25519")
        self.info = None

    # ------------------------------------------------------------ state

    @property
    def json_path(self):
        return os.path.join(self.dir, "site.json")

    def _save(self):
        _write(self.json_path, json.dumps(self.info, indent=1) + "\n")

    @classmethod
    def load(cls, dir):
        with open(os.path.join(dir, "site.json")) as f:
            info = json.load(f)
        s = cls(dir, {h["name"]: h["kind"] for h in info["hosts"]}, info["subnet"])
        s.info = info
        return s

    def _say(self, msg):
        if not self.quiet:
            print("nfs_site: " + msg, file=sys.stderr, flush=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ------------------------------------------------------------ start

    def _check_free(self):
        links = _run(["ip", "-br", "link"]).stdout
        nets = _run(["ip", "netns", "list"]).stdout
        if re.search(r"^%s[@ ]" % re.escape(self.bridge), links, re.M):
            raise NfsSiteError("bridge %s exists (another site on %s.0/24?)"
                               % (self.bridge, self.subnet))
        for h in self.hosts.values():
            if re.search(r"^%s( |$)" % re.escape(h["ns"]), nets, re.M):
                raise NfsSiteError("namespace %s exists" % h["ns"])
        routes = _run(["ip", "-4", "route", "show", "%s.0/24" % self.subnet]).stdout
        if routes.strip():
            raise NfsSiteError("%s.0/24 is already routed here: %s"
                               % (self.subnet, routes.strip()))

    def _host_files(self, h, pub):
        d = h["dir"]
        for sub in ("bin", "run", "root/etc", "recovery"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        sub = {"@HOST@": d, "@KIND@": h["kind"], "@ADDR@": h["addr"],
               "@KEYS@": os.path.join(self.dir, "authorized_keys")}

        def fill(text):
            for k, v in sub.items():
                text = text.replace(k, v)
            return text
        _write(os.path.join(d, "boot.sh"), fill(BOOT), 0o755)
        _write(os.path.join(d, "sshd_config"), fill(SSHD_CONFIG))
        _write(os.path.join(d, "bin", "systemctl"), fill(SYSTEMCTL), 0o755)
        for shim in SHIMS[h["kind"]]:
            _write(os.path.join(d, "bin", shim), fill(RECORDER), 0o755)
        if h["kind"] in SYSTEMS:
            _write(os.path.join(d, "bin", "uname"),
                   UNAME.replace("@SYSTEM@", SYSTEMS[h["kind"]]), 0o755)
        _write(os.path.join(d, "calls.log"), "")
        _keygen(os.path.join(d, "ssh_host_ed25519_key"), "smn-" + h["name"])
        if h["kind"] == "ganesha":
            os.makedirs(os.path.join(d, "root", "srv"), exist_ok=True)
            os.makedirs(os.path.join(d, "root", "etc", "ganesha"), exist_ok=True)
            _write(os.path.join(d, "ganesha-main.conf"), fill(GANESHA_MAIN))
            conf = os.path.join(d, "root", "etc", "ganesha", "ganesha.conf")
            if not os.path.exists(conf):
                _write(conf, "# no exports yet\n")

    def start(self, timeout=20.0):
        t0 = time.monotonic()
        if os.geteuid() != 0:
            raise NfsSiteError("an NFS site needs root (namespaces, a bridge)")
        self._check_free()
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)
        self.info = {"version": 1, "state": "starting", "dir": self.dir,
                     "subnet": self.subnet, "bridge": self.bridge,
                     "bridge_addr": self.bridge_addr, "made_bridge": False,
                     "hosts": list(self.hosts.values()), "key": self.key,
                     "known_hosts": os.path.join(self.dir, "known_hosts")}
        for h in self.hosts.values():
            h["made_ns"] = False
        self._save()
        try:
            pub = _keygen(self.key, "sysman-nfs-site")
            _write(os.path.join(self.dir, "authorized_keys"), pub + "\n", 0o644)
            _run(["ip", "link", "add", self.bridge, "type", "bridge"])
            self.info["made_bridge"] = True
            self._save()
            _run(["ip", "addr", "add", self.bridge_addr + "/24", "dev", self.bridge])
            _run(["ip", "link", "set", self.bridge, "up"])
            for h in self.hosts.values():
                self._host_files(h, pub)
                self._make_ns(h)
            kh = []
            for h in self.hosts.values():
                self._boot(h)
                with open(os.path.join(h["dir"], "ssh_host_ed25519_key.pub")) as f:
                    kh.append("%s %s" % (h["addr"], " ".join(f.read().split()[:2])))
            _write(self.info["known_hosts"], "\n".join(kh) + "\n")
            self._wait_ready(t0 + timeout)
        except BaseException:
            self.stop()
            raise
        self.info["state"] = "running"
        self._save()
        self._say("%d hosts up on %s in %.1fs" % (len(self.hosts), self.bridge,
                                                 time.monotonic() - t0))
        return self

    def _make_ns(self, h):
        _run(["ip", "netns", "add", h["ns"]])
        h["made_ns"] = True
        self._save()
        peer = h["veth"] + "p"
        _run(["ip", "link", "add", h["veth"], "type", "veth", "peer", "name", peer])
        _run(["ip", "link", "set", peer, "netns", h["ns"]])
        n = ["ip", "-n", h["ns"]]
        _run(n + ["link", "set", peer, "name", "eth0"])
        _run(n + ["addr", "add", h["addr"] + "/24", "dev", "eth0"])
        _run(n + ["link", "set", "eth0", "up"])
        _run(n + ["link", "set", "lo", "up"])
        _run(["ip", "link", "set", h["veth"], "master", self.bridge, "up"])

    def _boot(self, h):
        r = _run(["ip", "netns", "exec", h["ns"], "unshare", "-m", "--propagation",
                  "private", os.path.join(h["dir"], "boot.sh")], check=False,
                 timeout=30)
        if r.returncode != 0:
            raise NfsSiteError("host %s did not boot: %s %s" % (h["name"], r.stdout,
                                                               r.stderr))

    def _wait_ready(self, deadline):
        pending = {h["name"] for h in self.hosts.values()}
        while pending and time.monotonic() < deadline:
            for name in sorted(pending):
                h = self.hosts[name]
                if not self._answers(h["addr"], 22):
                    continue
                if h["kind"] == "ganesha" and not self._answers(h["addr"], 2049):
                    continue
                pending.discard(name)
            time.sleep(0.05)
        if pending:
            raise NfsSiteError("hosts not answering: %s" % ", ".join(sorted(pending)))

    @staticmethod
    def _answers(addr, port):
        try:
            with socket.create_connection((addr, port), timeout=0.5) as s:
                if port == 22:
                    s.settimeout(2)
                    return s.recv(4).startswith(b"SSH-")
                return True
        except OSError:
            return False

    # ------------------------------------------------------------ stop

    def pids(self):
        """PIDs of the site's daemons, from their PID files."""
        out = []
        for h in self.hosts.values():
            for unit in ("sshd", "rpcbind", "nfs-ganesha"):
                p = os.path.join(h["dir"], "run", unit + ".pid")
                try:
                    with open(p) as f:
                        pid = int(f.read().split()[0])
                except (OSError, ValueError, IndexError):
                    continue
                want = {"sshd": "sshd", "rpcbind": "rpcbind",
                        "nfs-ganesha": "ganesha.nfsd"}[unit]
                if _pid_alive(pid) and want in _pid_cmdline(pid):
                    out.append(pid)
        return out

    def stop(self, timeout=5.0):
        if self.info is None:
            if not os.path.exists(self.json_path):
                return
            self.info = NfsSite.load(self.dir).info
        pids = self.pids()
        for pid in pids:
            _signal_tree(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while any(_pid_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in pids:
            if _pid_alive(pid):
                _signal_tree(pid, signal.SIGKILL)
        for h in self.info["hosts"]:
            if h.get("made_ns"):
                # whatever a test started in the namespace goes too
                r = _run(["ip", "netns", "pids", h["ns"]], check=False)
                for p in r.stdout.split():
                    try:
                        os.kill(int(p), signal.SIGKILL)
                    except (ProcessLookupError, ValueError):
                        pass
                _run(["ip", "netns", "del", h["ns"]], check=False)
                h["made_ns"] = False
            _run(["ip", "link", "del", h["veth"]], check=False)
        if self.info.get("made_bridge"):
            _run(["ip", "link", "del", self.info["bridge"]], check=False)
            self.info["made_bridge"] = False
        self.info["state"] = "stopped"
        self._save()

    # ------------------------------------------------------------ helpers for tests

    def host(self, name):
        return self.hosts[name]

    def addr(self, name):
        return self.hosts[name]["addr"]

    def root(self, name):
        """The host's configuration root (its SYSMAN_NFS_ROOT)."""
        return os.path.join(self.hosts[name]["dir"], "root")

    def path(self, name, path):
        return self.root(name) + path

    def seed(self, name, path, text, mode=0o644):
        """Writes a file of the host, e.g. seed("lx1", "/etc/exports", ...)."""
        p = self.path(name, path)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        _write(p, text, mode)

    def read(self, name, path):
        with open(self.path(name, path)) as f:
            return f.read()

    def mkdir(self, name, path, files=None):
        """An export directory on a ganesha host (path below /srv), mode
        0777 so that squashed clients may write; files: {name: text}."""
        if not path.startswith("/srv/"):
            raise NfsSiteError("export directories live below /srv")
        p = self.path(name, path)
        os.makedirs(p, exist_ok=True)
        os.chmod(p, 0o777)
        for fn, text in (files or {}).items():
            _write(os.path.join(p, fn), text, 0o666)
        return p

    def calls(self, name):
        """The activation commands the host ran, one a line."""
        with open(os.path.join(self.hosts[name]["dir"], "calls.log")) as f:
            return [line.rstrip("\n") for line in f]

    def fail_command(self, name, command, fail=True, once=False):
        """The shim fails (once: only its next call) or works again."""
        p = os.path.join(self.hosts[name]["dir"], "fail." + command)
        if fail:
            _write(p, "once\n" if once else "fail\n")
        elif os.path.exists(p):
            os.unlink(p)

    def slow_command(self, name, command, seconds):
        """Makes the shim wait seconds after recording (0: not any more)."""
        p = os.path.join(self.hosts[name]["dir"], "slow." + command)
        if seconds:
            _write(p, "%s\n" % seconds)
        elif os.path.exists(p):
            os.unlink(p)

    def reset(self):
        """Puts every host back to its first state: no NFS files, ganesha
        running with no exports, no recorded calls, no failing shims."""
        for h in self.hosts.values():
            d = h["dir"]
            etc = os.path.join(d, "root", "etc")
            for sub in os.listdir(etc):
                if sub != "ganesha":
                    p = os.path.join(etc, sub)
                    shutil.rmtree(p) if os.path.isdir(p) else os.unlink(p)
            for f in os.listdir(d):
                if f.startswith(("fail.", "slow.")):
                    os.unlink(os.path.join(d, f))
            _write(os.path.join(d, "calls.log"), "")
            self.mend(h["name"])
            if h["kind"] == "ganesha":
                g = os.path.join(etc, "ganesha")
                for f in os.listdir(g):
                    os.unlink(os.path.join(g, f))
                _write(os.path.join(g, "ganesha.conf"), "# no exports yet\n")
                srv = os.path.join(d, "root", "srv")
                for f in os.listdir(srv):
                    shutil.rmtree(os.path.join(srv, f), ignore_errors=True)
                r = self.in_host(h["name"], [os.path.join(d, "bin", "systemctl"),
                                             "restart", "nfs-ganesha"])
                if r.returncode != 0:
                    raise NfsSiteError("ganesha on %s does not restart: %s"
                                       % (h["name"], r.stderr))
                _write(os.path.join(d, "calls.log"), "")

    def in_host(self, name, argv, timeout=30):
        """Runs argv inside the host: its network and mount namespaces
        (those of its sshd), as a login there would."""
        with open(os.path.join(self.hosts[name]["dir"], "run", "sshd.pid")) as f:
            pid = f.read().split()[0]
        return subprocess.run(["nsenter", "-t", pid, "-m", "-n"] + argv,
                              capture_output=True, text=True, timeout=timeout)

    def in_ns(self, name, argv, timeout=30, **kw):
        return subprocess.run(["ip", "netns", "exec", self.hosts[name]["ns"]] + argv,
                              capture_output=True, text=True, timeout=timeout, **kw)

    def nfs_url(self, server, path, version=3):
        url = "nfs://%s%s" % (self.addr(server), path)
        return url + ("?version=4" if version == 4 else "")

    def nfs_cat(self, client, server, path, version=3):
        """libnfs read from the client's namespace: CompletedProcess."""
        return self.in_ns(client, ["nfs-cat", self.nfs_url(server, path, version)])

    def nfs_ls(self, client, server, path, version=3):
        return self.in_ns(client, ["nfs-ls", self.nfs_url(server, path, version)])

    def nfs_put(self, client, server, path, text, version=3):
        """libnfs write (nfs-cp of a local file) from the client's namespace."""
        src = os.path.join(self.hosts[client]["dir"], "put.tmp")
        _write(src, text)
        return self.in_ns(client, ["nfs-cp", src, self.nfs_url(server, path, version)])

    def ganesha_pid(self, name):
        p = os.path.join(self.hosts[name]["dir"], "run", "nfs-ganesha.pid")
        try:
            with open(p) as f:
                pid = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        return pid if _pid_alive(pid) and "ganesha.nfsd" in _pid_cmdline(pid) else None

    def kill_ganesha(self, name):
        pid = self.ganesha_pid(name)
        if pid is None:
            raise NfsSiteError("no ganesha runs on %s" % name)
        os.kill(pid, signal.SIGKILL)
        while _pid_alive(pid):
            time.sleep(0.02)

    def cut(self, name):
        """Makes the host unreachable (its link goes down)."""
        _run(["ip", "-n", self.hosts[name]["ns"], "link", "set", "eth0", "down"])

    def mend(self, name):
        _run(["ip", "-n", self.hosts[name]["ns"], "link", "set", "eth0", "up"])

    def ssh_argv(self, name):
        return ["ssh", "-i", self.key, "-o", "UserKnownHostsFile=" + self.info["known_hosts"],
                "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
                "-o", "ConnectTimeout=5", "root@" + self.addr(name)]

    def sysman_conf(self):
        """Keys of sysman.conf that reach the site."""
        return "\n".join([
            "ssh_key = " + self.key,
            "ssh_user = root",
            "ssh_host_key_policy = strict",
            "ssh_known_hosts = " + self.info["known_hosts"], ""])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=("start", "stop"))
    ap.add_argument("--dir", required=True)
    ap.add_argument("--subnet", default="10.231.0")
    ap.add_argument("--hosts", default="srv1=ganesha,srv2=ganesha,cli1=client,cli2=client,cli3=client",
                    help="name=kind,... (kinds: %s)" % ", ".join(PLATFORMS))
    a = ap.parse_args(argv)
    try:
        if a.command == "start":
            hosts = dict(kv.split("=", 1) for kv in a.hosts.split(","))
            NfsSite(a.dir, hosts, a.subnet, quiet=False).start()
        else:
            NfsSite.load(a.dir).stop()
    except (NfsSiteError, OSError, subprocess.SubprocessError) as e:
        print("nfs_site: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
