"""A small HTTP client for sysman-web's API (standard library only): one
keep-alive connection, the session cookie and the CSRF token."""
import http.client
import json
import ssl
import urllib.parse


class Client:
    def __init__(self, url, timeout=60):
        u = urllib.parse.urlsplit(url)
        self.https = u.scheme == "https"
        self.host, self.port = u.hostname, u.port
        self.timeout = timeout
        self.cookie = None
        self.csrf = None
        self.user = None

    def conn(self):
        if self.https:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout, context=ctx)
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def request(self, method, target, body=None, headers=None, csrf=True, raw=False):
        """-> (status, parsed JSON or raw bytes, response headers)"""
        h = dict(headers or {})
        if self.cookie:
            h["Cookie"] = self.cookie
        if csrf and self.csrf and method != "GET":
            h["X-CSRF-Token"] = self.csrf
        if isinstance(body, str):
            body = body.encode()
        c = self.conn()
        try:
            c.request(method, target, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            hdrs = dict(r.getheaders())
        finally:
            c.close()
        sc = hdrs.get("Set-Cookie")
        if sc:
            val = sc.split(";")[0]
            self.cookie = None if val.endswith("=") else val
        if raw:
            return r.status, data, hdrs
        try:
            return r.status, json.loads(data) if data else None, hdrs
        except ValueError:
            return r.status, data, hdrs

    def login(self, user, password):
        st, body, _ = self.request("POST", "/api/login",
                                   json.dumps({"user": user, "password": password}))
        if st == 200:
            self.csrf = body["csrf"]
            self.user = body["user"]
        return st, body

    @staticmethod
    def q(path):
        return urllib.parse.quote(path, safe="/")

    def get(self, path):
        st, body, _ = self.request("GET", "/api/tree/" + self.q(path))
        return st, body

    def put(self, path, data, csrf=True):
        st, body, _ = self.request("PUT", "/api/tree/" + self.q(path), data, csrf=csrf)
        return st, body

    def batch_get(self, path):
        st, body, _ = self.request("GET", "/api/batch?path=" + urllib.parse.quote(path, safe=""))
        return st, body

    def batch_put(self, path, data):
        """-> (status, [parsed ndjson lines])"""
        st, raw, _ = self.request("PUT", "/api/batch?path=" + urllib.parse.quote(path, safe=""),
                                  data, raw=True)
        if st != 200:
            return st, json.loads(raw)
        return st, [json.loads(x) for x in raw.decode().splitlines() if x.strip()]
