#!/usr/bin/python3
"""A fake Redfish BMC for the testbed (standard library only).

One process serves one or more BMCs, one per loopback address (127.8.x.y
by default), over HTTPS with a self-signed certificate made at start with
openssl.  Each BMC keeps its state across requests: power, boot override,
sessions, event log.  The resource tree is the part of DMTF Redfish that
Sysman reads and writes:

  /redfish/v1                                  service root
  /redfish/v1/Systems[/1]                      PowerState, Boot (PATCH), FRU fields
  /redfish/v1/Systems/1/Actions/ComputerSystem.Reset      POST {"ResetType": ...}
  /redfish/v1/Chassis[/1][/Thermal]            temperatures and fans
  /redfish/v1/Managers[/1]                     FirmwareVersion
  /redfish/v1/Managers/1/LogServices[/SEL[/Entries]]      event log (+ ClearLog)
  /redfish/v1/SessionService[/Sessions[/<id>]] X-Auth-Token sessions with expiry

Authentication: a session token (X-Auth-Token) or HTTP basic auth; the
service root needs none.  With --no-sessions there is no SessionService
(basic auth only).

Faults and counters are reached over a side channel a real BMC does not
have: /_fake/... on the same address, without authentication (the tests'
switches; Sysman never asks for it):
  GET  /_fake/stats    {"logins", "connections", "requests", "resets": [...],
                        "patches", "sessions"}
  POST /_fake/fault    JSON, any of:
       {"slow": SECONDS}       every answer is delayed
       {"http503": N}          the next N requests (-1: all) answer 503
       {"password": "x"}       the BMC's password changes (a wrong password: 401)
       {"drop": N}             the next N requests are read and the
                               connection closed without an answer (-1: all)
       {"expire": true}        every session expires now
       {"session_timeout": S}  sessions expire after S idle seconds
  POST /_fake/reset    faults off, counters to zero

Usage: redfish_bmc.py --dir DIR --addr A [--addr B ...] [--port 443]
                      [--user U] [--no-sessions]
The password is read from the environment (REDFISH_BMC_PASSWORD), never
argv.  The process writes DIR/ready once every address listens; SIGTERM
stops it.  RedfishBmcs (below) starts and stops such processes by PID.
"""
import argparse
import base64
import datetime
import http.server
import json
import os
import secrets
import signal
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time

ROOT = "/redfish/v1"
SYS = ROOT + "/Systems/1"
CHASSIS = ROOT + "/Chassis/1"
MANAGER = ROOT + "/Managers/1"
SEL = MANAGER + "/LogServices/SEL"
SESSIONS = ROOT + "/SessionService/Sessions"

RESET_TYPES = ["On", "ForceOff", "GracefulShutdown", "ForceRestart", "PowerCycle", "Nmi"]
BOOT_TARGETS = ["None", "Pxe", "Hdd", "Cd", "BiosSetup"]
BOOT_ENABLED = ["Disabled", "Once", "Continuous"]


def _now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


class Bmc:
    """The state of one fake BMC; every field is guarded by lock."""

    def __init__(self, addr, index, user, password, sessions):
        self.lock = threading.Lock()
        self.addr = addr
        self.user = user
        self.password = password
        self.has_sessions = sessions
        self.serial = "RF%06d" % index
        self.power = "On"
        self.boot_target = "None"
        self.boot_enabled = "Disabled"
        self.sessions = {}            # token -> {"id", "last"}
        self.session_timeout = 600
        self.next_session = 1
        self.entries = [self._entry(1, "OK", "System AC power restored", "Power Unit")]
        self.faults = {}
        self.stats = {}
        self.reset_stats()

    def reset_stats(self):
        self.faults = {"slow": 0.0, "http503": 0, "drop": 0}
        self.stats = {"logins": 0, "connections": 0, "requests": 0, "resets": [],
                      "patches": 0, "basic": 0}

    def _entry(self, n, severity, message, sensor):
        return {"@odata.id": "%s/Entries/%d" % (SEL, n),
                "@odata.type": "#LogEntry.v1_9_0.LogEntry",
                "Id": str(n), "Name": "Log Entry %d" % n, "EntryType": "SEL",
                "Created": _now_iso(), "Severity": severity, "Message": message,
                "SensorType": sensor, "SensorNumber": n}

    def log(self, severity, message, sensor):
        n = int(self.entries[-1]["Id"]) + 1 if self.entries else 1
        self.entries.append(self._entry(n, severity, message, sensor))

    def temperatures(self):
        on = self.power == "On"
        return [
            {"MemberId": "0", "Name": "CPU1 Temp", "SensorNumber": 1,
             "ReadingCelsius": 45 if on else 25, "UpperThresholdCritical": 90,
             "UpperThresholdFatal": 100, "Status": {"State": "Enabled", "Health": "OK"}},
            {"MemberId": "1", "Name": "Inlet Temp", "SensorNumber": 2,
             "ReadingCelsius": 22, "UpperThresholdCritical": 45,
             "UpperThresholdFatal": 50, "Status": {"State": "Enabled", "Health": "OK"}},
        ]

    def fans(self):
        on = self.power == "On"
        return [{"MemberId": "0", "Name": "FAN1", "Reading": 5400 if on else 0,
                 "ReadingUnits": "RPM", "LowerThresholdCritical": 500,
                 "Status": {"State": "Enabled" if on else "StandbyOffline", "Health": "OK"}}]


def _collection(odata_id, name, members):
    return {"@odata.id": odata_id, "@odata.type": "#%sCollection.%sCollection" % (name, name),
            "Name": name + " Collection", "Members@odata.count": len(members),
            "Members": [{"@odata.id": m} for m in members]}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"      # keep-alive
    server_version = "FakeRedfish/1.0"
    sys_version = ""

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("%s %s\n" % (self.server.bmc.addr, fmt % args))

    def setup(self):
        super().setup()
        self.counted = False          # connections count once, side channel aside

    # ---------------------------------------------------------- replies

    def _send(self, code, obj=None, headers=None):
        body = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(code)
        if obj is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("OData-Version", "4.0")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        # headers and body in one write, as a BMC's web server sends them:
        # two small writes on a kept-alive connection meet Nagle and the
        # client's delayed ACK (40 ms a response)
        self._headers_buffer.append(b"\r\n")
        if body and self.command != "HEAD":
            self._headers_buffer.append(body)
        self.flush_headers()

    def _error(self, code, msg, extra=None):
        e = {"error": {"code": "Base.1.8.GeneralError", "message": msg,
                       "@Message.ExtendedInfo": [{"MessageId": extra or "Base.1.8.GeneralError",
                                                   "Message": msg}]}}
        self._send(code, e, {"WWW-Authenticate": 'Basic realm="redfish"'} if code == 401 else None)

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > 65536:
            raise ValueError("body too large")
        data = self.rfile.read(n) if n else b""
        if not data:
            return {}
        return json.loads(data)

    # ---------------------------------------------------------- faults, auth

    def _faulted(self):
        """Applies the fault switches; True if the request was answered
        (or dropped) here."""
        bmc = self.server.bmc
        with bmc.lock:
            bmc.stats["requests"] += 1
            if not self.counted:
                bmc.stats["connections"] += 1
                self.counted = True
            slow = bmc.faults["slow"]
            drop = bmc.faults["drop"] != 0
            if bmc.faults["drop"] > 0:
                bmc.faults["drop"] -= 1
            err = bmc.faults["http503"] != 0
            if bmc.faults["http503"] > 0:
                bmc.faults["http503"] -= 1
        if slow:
            time.sleep(slow)
        if drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return True
        if err:
            self._send(503, {"error": {"code": "Base.1.8.ServiceTemporarilyUnavailable",
                                       "message": "The service is temporarily unavailable."}},
                       {"Retry-After": "1"})
            return True
        return False

    def _authorized(self):
        bmc = self.server.bmc
        tok = self.headers.get("X-Auth-Token")
        now = time.monotonic()
        with bmc.lock:
            if tok is not None and bmc.has_sessions:
                s = bmc.sessions.get(tok)
                if s and now - s["last"] <= bmc.session_timeout:
                    s["last"] = now
                    return True
                bmc.sessions.pop(tok, None)
                return False
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                try:
                    u, _, p = base64.b64decode(auth[6:]).decode().partition(":")
                except (ValueError, UnicodeDecodeError):
                    return False
                bmc.stats["basic"] += 1
                return secrets.compare_digest(u, bmc.user) and secrets.compare_digest(p, bmc.password)
        return False

    # ---------------------------------------------------------- methods

    def do_GET(self):
        self._dispatch("GET")

    def do_HEAD(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method):
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        try:
            if path.startswith("/_fake/"):
                return self._fake(method, path)
            # the body is read first, so a faulted answer leaves the
            # kept-alive connection at the next request
            body = self._body() if method in ("POST", "PATCH") else {}
            if self._faulted():
                return None
            if path in ("/redfish", ROOT) and method == "GET":
                return self._send(200, self._root() if path == ROOT else {"v1": ROOT + "/"})
            if path == SESSIONS and method == "POST" and self.server.bmc.has_sessions:
                return self._login(body)
            if not self._authorized():
                return self._error(401, "Authentication required or credentials invalid.",
                                   "Base.1.8.NoValidSession")
            return self._resource(method, path, body)
        except (ValueError, KeyError, TypeError) as e:
            return self._error(400, "malformed request: %s" % e, "Base.1.8.MalformedJSON")

    def _root(self):
        r = {"@odata.id": ROOT, "@odata.type": "#ServiceRoot.v1_11_0.ServiceRoot",
             "Id": "RootService", "Name": "Root Service", "RedfishVersion": "1.11.0",
             "UUID": "00000000-0000-4000-8000-%012d" % int(self.server.bmc.serial[2:]),
             "Product": "Sysman fake BMC", "Vendor": "Sysman",
             "Systems": {"@odata.id": ROOT + "/Systems"},
             "Chassis": {"@odata.id": ROOT + "/Chassis"},
             "Managers": {"@odata.id": ROOT + "/Managers"}}
        if self.server.bmc.has_sessions:
            r["SessionService"] = {"@odata.id": ROOT + "/SessionService"}
            r["Links"] = {"Sessions": {"@odata.id": SESSIONS}}
        return r

    def _login(self, body):
        bmc = self.server.bmc
        u, p = str(body.get("UserName", "")), str(body.get("Password", ""))
        with bmc.lock:
            ok = secrets.compare_digest(u, bmc.user) and secrets.compare_digest(p, bmc.password)
            if ok:
                bmc.stats["logins"] += 1
                sid = str(bmc.next_session)
                bmc.next_session += 1
                tok = secrets.token_hex(16)
                bmc.sessions[tok] = {"id": sid, "last": time.monotonic()}
        if not ok:
            return self._error(401, "Invalid username or password.", "Base.1.8.NoValidSession")
        loc = "%s/%s" % (SESSIONS, sid)
        return self._send(201, {"@odata.id": loc, "@odata.type": "#Session.v1_3_0.Session",
                                "Id": sid, "Name": "User Session", "UserName": u},
                          {"X-Auth-Token": tok, "Location": loc})

    def _resource(self, method, path, body):
        bmc = self.server.bmc
        get = method == "GET"
        if get and path == ROOT + "/Systems":
            return self._send(200, _collection(path, "ComputerSystem", [SYS]))
        if path == SYS and get:
            return self._send(200, self._system())
        if path == SYS and method == "PATCH":
            return self._patch_boot(body)
        if path == SYS + "/Actions/ComputerSystem.Reset" and method == "POST":
            return self._reset(body)
        if get and path == ROOT + "/Chassis":
            return self._send(200, _collection(path, "Chassis", [CHASSIS]))
        if get and path == CHASSIS:
            return self._send(200, {
                "@odata.id": CHASSIS, "@odata.type": "#Chassis.v1_14_0.Chassis", "Id": "1",
                "Name": "Chassis", "ChassisType": "RackMount", "Manufacturer": "Sysman",
                "Model": "FakeServer 1000", "SerialNumber": bmc.serial, "PartNumber": "FS-1000",
                "PowerState": bmc.power, "Thermal": {"@odata.id": CHASSIS + "/Thermal"}})
        if get and path == CHASSIS + "/Thermal":
            with bmc.lock:
                return self._send(200, {
                    "@odata.id": path, "@odata.type": "#Thermal.v1_7_0.Thermal", "Id": "Thermal",
                    "Name": "Thermal", "Temperatures": bmc.temperatures(), "Fans": bmc.fans()})
        if get and path == ROOT + "/Managers":
            return self._send(200, _collection(path, "Manager", [MANAGER]))
        if get and path == MANAGER:
            return self._send(200, {
                "@odata.id": MANAGER, "@odata.type": "#Manager.v1_10_0.Manager", "Id": "1",
                "Name": "Manager", "ManagerType": "BMC", "FirmwareVersion": "1.02",
                "LogServices": {"@odata.id": MANAGER + "/LogServices"}})
        if get and path == MANAGER + "/LogServices":
            return self._send(200, _collection(path, "LogService", [SEL]))
        if get and path == SEL:
            return self._send(200, {
                "@odata.id": SEL, "@odata.type": "#LogService.v1_2_0.LogService", "Id": "SEL",
                "Name": "System Event Log", "Entries": {"@odata.id": SEL + "/Entries"},
                "Actions": {"#LogService.ClearLog": {"target": SEL + "/Actions/LogService.ClearLog"}}})
        if get and path == SEL + "/Entries":
            with bmc.lock:
                c = _collection(path, "LogEntry", [])
                c["Members"] = list(bmc.entries)
                c["Members@odata.count"] = len(bmc.entries)
            return self._send(200, c)
        if path == SEL + "/Actions/LogService.ClearLog" and method == "POST":
            with bmc.lock:
                bmc.entries = []
            return self._send(204)
        if bmc.has_sessions and get and path == ROOT + "/SessionService":
            return self._send(200, {
                "@odata.id": path, "@odata.type": "#SessionService.v1_1_8.SessionService",
                "Id": "SessionService", "ServiceEnabled": True,
                "SessionTimeout": bmc.session_timeout, "Sessions": {"@odata.id": SESSIONS}})
        if bmc.has_sessions and get and path == SESSIONS:
            with bmc.lock:
                ids = ["%s/%s" % (SESSIONS, s["id"]) for s in bmc.sessions.values()]
            return self._send(200, _collection(path, "Session", ids))
        if bmc.has_sessions and method == "DELETE" and path.startswith(SESSIONS + "/"):
            sid = path.rsplit("/", 1)[1]
            with bmc.lock:
                for t, s in list(bmc.sessions.items()):
                    if s["id"] == sid:
                        del bmc.sessions[t]
                        return self._send(204)
            return self._error(404, "no session %s" % sid, "Base.1.8.ResourceMissingAtURI")
        if get:
            return self._error(404, "The resource at the URI %s was not found." % path,
                               "Base.1.8.ResourceMissingAtURI")
        return self._error(405, "%s is not allowed on %s." % (method, path),
                           "Base.1.8.OperationNotAllowed")

    def _system(self):
        bmc = self.server.bmc
        with bmc.lock:
            return {
                "@odata.id": SYS, "@odata.type": "#ComputerSystem.v1_13_0.ComputerSystem",
                "Id": "1", "Name": "System", "SystemType": "Physical",
                "Manufacturer": "Sysman", "Model": "FakeServer 1000",
                "SerialNumber": bmc.serial, "PartNumber": "FS-1000", "BiosVersion": "2.3.4",
                "PowerState": bmc.power, "Status": {"State": "Enabled", "Health": "OK"},
                "Boot": {"BootSourceOverrideEnabled": bmc.boot_enabled,
                         "BootSourceOverrideTarget": bmc.boot_target,
                         "BootSourceOverrideTarget@Redfish.AllowableValues": BOOT_TARGETS,
                         "BootSourceOverrideMode": "UEFI"},
                "Actions": {"#ComputerSystem.Reset": {
                    "target": SYS + "/Actions/ComputerSystem.Reset",
                    "ResetType@Redfish.AllowableValues": RESET_TYPES}},
                "Links": {"Chassis": [{"@odata.id": CHASSIS}],
                          "ManagedBy": [{"@odata.id": MANAGER}]}}

    def _patch_boot(self, body):
        bmc = self.server.bmc
        boot = body.get("Boot")
        if not isinstance(boot, dict) or not boot:
            return self._error(400, "only Boot may be changed", "Base.1.8.PropertyNotWritable")
        t = boot.get("BootSourceOverrideTarget")
        e = boot.get("BootSourceOverrideEnabled")
        if t is not None and t not in BOOT_TARGETS:
            return self._error(400, "The value %s for the property BootSourceOverrideTarget "
                               "is not in the list of acceptable values." % t,
                               "Base.1.8.PropertyValueNotInList")
        if e is not None and e not in BOOT_ENABLED:
            return self._error(400, "The value %s for the property BootSourceOverrideEnabled "
                               "is not in the list of acceptable values." % e,
                               "Base.1.8.PropertyValueNotInList")
        with bmc.lock:
            bmc.stats["patches"] += 1
            if t is not None:
                bmc.boot_target = t
            if e is not None:
                bmc.boot_enabled = e
        return self._send(204)

    def _reset(self, body):
        bmc = self.server.bmc
        rt = body.get("ResetType")
        if rt not in RESET_TYPES:
            return self._error(400, "The value %s for the parameter ResetType is not in the "
                               "list of acceptable values." % rt, "Base.1.8.ActionParameterValueNotInList")
        with bmc.lock:
            bmc.stats["resets"].append(rt)
            if rt == "On":
                if bmc.power != "On":
                    bmc.log("OK", "System powered on", "System Event")
                bmc.power = "On"
            elif rt in ("ForceOff", "GracefulShutdown"):
                if bmc.power != "Off":
                    bmc.log("OK", "System powered off", "System Event")
                bmc.power = "Off"
            elif rt in ("ForceRestart", "PowerCycle"):
                # the fake's cycle and restart end on, as ipmi_sim's do
                bmc.log("OK", "System restarted (%s)" % rt, "System Event")
                bmc.power = "On"
        return self._send(204)

    # ---------------------------------------------------------- side channel

    def _fake(self, method, path):
        bmc = self.server.bmc
        if path == "/_fake/stats" and method == "GET":
            with bmc.lock:
                s = dict(bmc.stats, resets=list(bmc.stats["resets"]),
                         sessions=len(bmc.sessions), power=bmc.power,
                         boot=[bmc.boot_target, bmc.boot_enabled])
            return self._send(200, s)
        if path == "/_fake/reset" and method == "POST":
            self._body()
            with bmc.lock:
                bmc.reset_stats()
                bmc.password = self.server.password0
            return self._send(204)
        if path == "/_fake/fault" and method == "POST":
            f = self._body()
            with bmc.lock:
                for k in ("slow", "http503", "drop"):
                    if k in f:
                        bmc.faults[k] = f[k]
                if "password" in f:
                    bmc.password = str(f["password"])
                if "session_timeout" in f:
                    bmc.session_timeout = float(f["session_timeout"])
                if f.get("expire"):
                    bmc.sessions.clear()
                if "power" in f:
                    bmc.power = f["power"]
                if "event" in f:
                    bmc.log("Critical", str(f["event"]), "Temperature")
            return self._send(204)
        return self._error(404, "no such switch")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, port, bmc, ctx, password, verbose):
        self.bmc = bmc
        self.ctx = ctx
        self.password0 = password
        self.verbose = verbose
        super().__init__((addr, port), Handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # the handshake happens in the connection's thread (first read),
        # so a slow client never holds up the accept loop
        return self.ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        if self.verbose:
            super().handle_error(request, client_address)


def make_cert(d, addrs):
    """A self-signed certificate naming every address (subjectAltName)."""
    key, crt = os.path.join(d, "key.pem"), os.path.join(d, "cert.pem")
    san = ",".join("IP:" + a for a in addrs)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                    "-subj", "/CN=sysman-fake-bmc", "-addext", "subjectAltName=" + san,
                    "-keyout", key, "-out", crt], check=True, capture_output=True)
    os.chmod(key, 0o600)
    return key, crt


def serve(args):
    password = os.environ.get("REDFISH_BMC_PASSWORD", "")
    if not password:
        sys.exit("redfish_bmc: REDFISH_BMC_PASSWORD is not set")
    os.makedirs(args.dir, exist_ok=True)
    key, crt = make_cert(args.dir, args.addr)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    servers = []
    for i, a in enumerate(args.addr):
        bmc = Bmc(a, args.first + i, args.user, password, not args.no_sessions)
        servers.append(Server(a, args.port, bmc, ctx, password, args.verbose))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
               for s in servers]
    for t in threads:
        t.start()
    with open(os.path.join(args.dir, "ready.tmp"), "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(os.path.join(args.dir, "ready.tmp"), os.path.join(args.dir, "ready"))
    while not stop.wait(1):
        pass
    for s in servers:
        s.shutdown()
        s.server_close()


# ------------------------------------------------------------------ helper

def rf_addr(base, i):
    """Address of Redfish BMC i (1-based): 127.8.0.1-254, 127.8.1.x, ..."""
    k, last = divmod(i - 1, 254)
    return "%s.%d.%d" % (base, k, last + 1)


class RedfishBmcs:
    """N fake Redfish BMCs on base.x.y, PER_PROC addresses a process; the
    processes are stopped by PID (stop() is idempotent).  Use as a context
    manager or start()/stop()."""

    PER_PROC = 50

    def __init__(self, dir, n, base="127.8", port=443, user="admin", password="rfpass",
                 sessions=True, first=1):
        self.dir = os.path.abspath(dir)
        self.n, self.base, self.port = n, base, port
        self.user, self.password, self.sessions = user, password, sessions
        self.addrs = [rf_addr(base, first + i) for i in range(n)]
        self.first = first
        self.procs = []               # Popen
        self.cert = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self, timeout=30.0):
        env = dict(os.environ, REDFISH_BMC_PASSWORD=self.password)
        os.makedirs(self.dir, exist_ok=True)
        try:
            for k in range(0, self.n, self.PER_PROC):
                d = os.path.join(self.dir, "rf%d" % (k // self.PER_PROC))
                os.makedirs(d, exist_ok=True)
                for f in ("ready", "ready.tmp"):
                    if os.path.exists(os.path.join(d, f)):
                        os.unlink(os.path.join(d, f))
                argv = [sys.executable, os.path.abspath(__file__), "--dir", d,
                        "--port", str(self.port), "--user", self.user,
                        "--first", str(self.first + k)]
                for a in self.addrs[k:k + self.PER_PROC]:
                    argv += ["--addr", a]
                if not self.sessions:
                    argv.append("--no-sessions")
                log = open(os.path.join(d, "log"), "ab")
                try:
                    p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
                finally:
                    log.close()
                self.procs.append((p, d))
            deadline = time.monotonic() + timeout
            for p, d in self.procs:
                while not os.path.exists(os.path.join(d, "ready")):
                    if p.poll() is not None:
                        with open(os.path.join(d, "log")) as f:
                            raise RuntimeError("redfish_bmc exited: " + f.read()[-2000:])
                    if time.monotonic() > deadline:
                        raise RuntimeError("redfish_bmc in %s not ready in %.0fs" % (d, timeout))
                    time.sleep(0.05)
            self.cert = os.path.join(self.procs[0][1], "cert.pem") if self.procs else None
        except BaseException:
            self.stop()
            raise
        return self

    def pids(self):
        return [p.pid for p, _ in self.procs]

    def stop(self):
        for p, _ in self.procs:
            if p.poll() is None:
                p.terminate()
        for p, _ in self.procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
        self.procs = []

    # the side channel, for tests
    def _ctx(self):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def call(self, addr, method, path, obj=None):
        import http.client
        c = http.client.HTTPSConnection(addr, self.port, context=self._ctx(), timeout=10)
        try:
            body = None if obj is None else json.dumps(obj)
            c.request(method, path, body=body,
                      headers={"Content-Type": "application/json"} if body else {})
            r = c.getresponse()
            data = r.read()
            return r.status, (json.loads(data) if data else None)
        finally:
            c.close()

    def stats(self, addr):
        return self.call(addr, "GET", "/_fake/stats")[1]

    def fault(self, addr, **kw):
        st, _ = self.call(addr, "POST", "/_fake/fault", kw)
        assert st == 204, st

    def reset(self, addr):
        st, _ = self.call(addr, "POST", "/_fake/reset", {})
        assert st == 204, st


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--addr", action="append", required=True)
    ap.add_argument("--port", type=int, default=443)
    ap.add_argument("--user", default="admin")
    ap.add_argument("--first", type=int, default=1, help="serial number of the first BMC")
    ap.add_argument("--no-sessions", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    serve(ap.parse_args())


if __name__ == "__main__":
    main()
