"""Shared helpers for Sysman's shipped agents (python3 stdlib only).

Agent contract (DESIGN §5): argv is `-f <path> [-u user] [-p password]
[-i input]`; the environment carries SYSMAN_* variables; stdout becomes the
file's content; the exit code and the first stderr line become `.status`.
"""

import os
import selectors
import socket
import sys
import time

# errno-style exit codes used by the agents
EPERM, ENOENT, EIO, EACCES, EINVAL, ENODATA, ETIMEDOUT, EHOSTUNREACH = \
    1, 2, 5, 13, 22, 61, 110, 113


class AgentError(Exception):
    def __init__(self, rc, msg):
        super().__init__(msg)
        self.rc = rc
        self.msg = msg


class Call:
    """The parsed invocation: path, op, property, user, password, input."""

    def __init__(self, argv=None, env=None):
        argv = sys.argv if argv is None else argv
        self.env = os.environ if env is None else env
        self.prog = os.path.basename(argv[0])
        self.path = self.env.get("SYSMAN_PATH", "")
        self.user = self.env.get("SYSMAN_USER") or None
        self.password = self.env.get("SYSMAN_PASSWORD")
        self.input = None
        args = argv[1:]
        i = 0
        while i < len(args):
            a = args[i]
            if a in ("-f", "-u", "-p", "-i") and i + 1 < len(args):
                v = args[i + 1]
                if a == "-f":
                    self.path = v
                elif a == "-u":
                    self.user = v
                elif a == "-p":
                    self.password = v
                else:
                    self.input = v
                i += 2
            else:
                raise AgentError(EINVAL, "usage: %s -f <path> [-u user] [-i input]"
                                 % self.prog)
        # Property and op: from our own name (power.read) when called through
        # a per-location link, else from the file path and SYSMAN_OP.
        stem, dot, op = self.prog.rpartition(".")
        if dot and op in ("read", "write", "list"):
            self.prop, self.op = stem, op
        else:
            self.prop = os.path.basename(self.path.rstrip("/"))
            self.op = self.env.get("SYSMAN_OP") or "read"

    def conf(self, key, default=None):
        v = self.env.get("SYSMAN_CONF_" + key)
        return default if v in (None, "") else v

    def attr(self, key, default=None):
        v = self.env.get("SYSMAN_ATTR_" + key)
        return default if v in (None, "") else v

    def read_input(self):
        """Write input: -i if given, else stdin (the daemon sends both)."""
        if self.input is None:
            self.input = ""
            if self.op == "write" and not sys.stdin.isatty():
                try:
                    self.input = sys.stdin.read()
                except OSError:
                    pass
        return self.input


def run(main):
    """Run main(call) with the agent error convention."""
    try:
        call = Call()
        out = main(call)
        if out:
            sys.stdout.write(out if out.endswith("\n") else out + "\n")
        return 0
    except AgentError as e:
        sys.stderr.write(e.msg.replace("\n", " ") + "\n")
        return e.rc
    except KeyboardInterrupt:
        return 130


def split_hostport(addr, default_port):
    """"10.0.0.1" / "10.0.0.1:2222" / "[::1]:22" -> (host, port)."""
    if addr.startswith("["):
        host, _, rest = addr[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else default_port
    if addr.count(":") == 1:
        host, port = addr.split(":")
        return host, int(port)
    return addr, default_port


def redfish_roots(hosts, port, timeout, workers=64):
    """GET https://HOST:PORT/redfish/v1 on every host, concurrently; returns
    the set of hosts whose answer is a Redfish service root (a JSON object
    with "RedfishVersion").  The service root needs no credentials and none
    are sent, so the certificate is not checked here: the daemon checks it
    (redfish_verify) when it logs in."""
    import concurrent.futures
    import http.client
    import json
    import ssl

    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE

    def one(host):
        c = http.client.HTTPSConnection(host, port, context=ctx, timeout=timeout)
        try:
            c.request("GET", "/redfish/v1", headers={"Accept": "application/json"})
            r = c.getresponse()
            body = r.read(1 << 20)
            if r.status != 200:
                return False
            doc = json.loads(body)
            return isinstance(doc, dict) and "RedfishVersion" in doc
        except (OSError, ValueError, http.client.HTTPException):
            return False
        finally:
            c.close()

    hosts = list(hosts)
    if not hosts:
        return set()
    with concurrent.futures.ThreadPoolExecutor(min(workers, len(hosts))) as ex:
        return {h for h, ok in zip(hosts, ex.map(one, hosts)) if ok}


ASF_PING = bytes([0x06, 0x00, 0xff, 0x06, 0x00, 0x00, 0x11, 0xbe,
                  0x80, 0x00, 0x00, 0x00])


def probe(targets, timeout):
    """Probe many (kind, host, port) targets concurrently, kind "ssh" (a TCP
    banner beginning "SSH-"; the banner line is returned), "tcp" (a TCP
    connection accepted: "open") or "rmcp" (an ASF presence pong on UDP).
    Returns {target: banner-or-"open"-or-"pong"} for those that answered
    before the deadline.  Pings are resent every 300 ms; a refused TCP
    connection is final."""
    deadline = time.monotonic() + timeout
    sel = selectors.DefaultSelector()
    found = {}
    conns = {}
    tcp = [t for t in targets if t[0] in ("ssh", "tcp")]
    rmcp = {(t[1], t[2]): t for t in targets if t[0] == "rmcp"}
    udp = None
    if rmcp:
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.setblocking(False)
        sel.register(udp, selectors.EVENT_READ, None)
    try:
        for t in tcp:
            s = socket.socket(socket.AF_INET6 if ":" in t[1] else socket.AF_INET,
                              socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect_ex((t[1], t[2]))
            except OSError:
                s.close()
                continue
            conns[s] = [t, b""]
            sel.register(s, selectors.EVENT_WRITE if t[0] == "tcp" else selectors.EVENT_READ, t)
        next_ping = 0.0
        while time.monotonic() < deadline:
            now = time.monotonic()
            if udp and now >= next_ping:
                for hp, t in rmcp.items():
                    if t not in found:
                        try:
                            udp.sendto(ASF_PING, hp)
                        except OSError:
                            pass
                next_ping = now + 0.3
            if not conns and (not rmcp or len(found) >= len(targets)):
                break
            if udp and all(t in found for t in rmcp.values()) and not conns:
                break
            wait = min(deadline - now, 0.1)
            for key, _ in sel.select(max(wait, 0)):
                if key.data is None:
                    try:
                        data, src = udp.recvfrom(512)
                    except OSError:
                        continue
                    t = rmcp.get(src[:2])
                    if t and len(data) >= 9 and data[8] == 0x40:
                        found[t] = "pong"
                    continue
                s = key.fileobj
                t, buf = conns[s]
                if t[0] == "tcp":
                    if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                        found[t] = "open"
                    sel.unregister(s)
                    s.close()
                    del conns[s]
                    continue
                try:
                    chunk = s.recv(512)
                except OSError:
                    chunk = b""
                buf += chunk
                conns[s][1] = buf
                if buf.startswith(b"SSH-") and b"\n" in buf:
                    found[t] = buf.split(b"\n", 1)[0].decode(errors="replace").strip()
                elif chunk and len(buf) < 512:
                    continue
                sel.unregister(s)
                s.close()
                del conns[s]
            if not conns and (not udp or all(t in found for t in rmcp.values())):
                break
    finally:
        for s in conns:
            s.close()
        if udp:
            udp.close()
        sel.close()
    return found
