"""Helpers shared by the discovery agents in agents/_discover/."""

import re

from sysman_agent import AgentError, EINVAL, split_hostport


def parse_line(call, default_port):
    """The manual-line tail "<address> [name] [key=value...]" from -i (or
    SYSMAN_ADDRESS when the daemon re-runs discovery from the inventory).
    Returns (host, port, name, attrs)."""
    text = (call.input if call.input is not None else call.env.get("SYSMAN_ADDRESS", ""))
    words = text.split()
    if not words:
        raise AgentError(EINVAL, "no address: expected \"<address> [name] [key=value...]\"")
    try:
        host, port = split_hostport(words[0], default_port)
    except ValueError:
        raise AgentError(EINVAL, "bad address %r" % words[0])
    if not re.fullmatch(r"[A-Za-z0-9.:_-]+", host):
        raise AgentError(EINVAL, "bad address %r" % words[0])
    name, attrs = None, {}
    for w in words[1:]:
        if "=" in w:
            k, _, v = w.partition("=")
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k):
                raise AgentError(EINVAL, "bad attribute %r (expected key=value)" % w)
            attrs[k] = v
        elif name is None:
            name = w
        else:
            raise AgentError(EINVAL, "unexpected word %r (expected key=value)" % w)
    return host, port, name, attrs


def timeout(call, default):
    try:
        return float(call.conf("discover_timeout", default))
    except ValueError:
        return float(default)
