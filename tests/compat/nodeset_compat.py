#!/usr/bin/python3
"""`sysman nodeset` against ClusterShell's own `nodeset` (Debian package
clustershell): random node-set expressions, seeded, with ranges, padding,
steps, several bracket groups, and the operators , ! & ^.  For each, the
output of -f, -e and -c must be identical, and so must the fold of the
expanded names given one by one.  Skips (exit 77) without `nodeset`.

  nodeset_compat.py SYSMAN [--count 200] [--seed 12] [-v]
"""
import argparse
import concurrent.futures
import os
import random
import shutil
import subprocess
import sys

OPS = [",", "!", "&", "^"]


def num(rng, width):
    return str(rng.randint(0, 10 ** width - 1)).zfill(width) if width else str(rng.randint(0, 40))


def bracket(rng):
    """A bracket group: numbers and ranges, maybe padded, maybe stepped."""
    width = rng.choice([0, 0, 0, 2, 3])
    parts = []
    for _ in range(rng.randint(1, 3)):
        lo = rng.randint(0, 30 if not width else 10 ** min(width, 2) - 1)
        kind = rng.random()
        if kind < 0.3:
            parts.append(str(lo).zfill(width) if width else str(lo))
            continue
        hi = lo + rng.randint(0, 25)
        if width and len(str(hi)) > width:
            hi = 10 ** width - 1
        a, b = (str(lo).zfill(width), str(hi).zfill(width)) if width else (str(lo), str(hi))
        step = f"/{rng.randint(2, 4)}" if kind > 0.85 and hi > lo else ""
        parts.append(f"{a}-{b}{step}" if hi > lo else a)
    return "[" + ",".join(parts) + "]"


def operand(rng, dims, main):
    # mostly the expression's own prefix, so that ! & ^ have something to do
    prefix = main if rng.random() < 0.75 else rng.choice(["n", "node", "cn", "x", "r"])
    if dims == 0:
        return prefix + num(rng, rng.choice([0, 0, 2]))
    out = prefix
    for d in range(dims):
        out += bracket(rng) if rng.random() < 0.8 else num(rng, rng.choice([0, 2]))
        if d + 1 < dims:
            out += "ns-."[d % 4]
    return out


def expression(rng):
    dims = rng.choice([1, 1, 1, 1, 2, 2, 3])
    main = rng.choice(["n", "node", "cn", "x", "r"])
    terms = [operand(rng, dims if rng.random() < 0.9 else 0, main) for _ in range(rng.randint(1, 4))]
    ex = terms[0]
    for t in terms[1:]:
        ex += rng.choice(OPS) + t
    return ex


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sysman")
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    if not shutil.which("nodeset"):
        print("SKIP: ClusterShell's nodeset is not installed (apt-get install clustershell)")
        return 77
    rng = random.Random(a.seed)
    exprs = [expression(rng) for _ in range(a.count)]

    def compare(ex):
        """(checked, lines of differences) for one expression."""
        out, n = [], 0
        theirs_e = None
        for flag in ("-f", "-e", "-c"):
            ours, theirs = run([a.sysman, "nodeset", flag, ex]), run(["nodeset", flag, ex])
            if flag == "-e":
                theirs_e = theirs
            n += 1
            if ours != theirs:
                out.append(f"DIFF nodeset {flag} '{ex}':\n  ours   {ours}\n  theirs {theirs}")
            elif a.v:
                out.append(f"ok   nodeset {flag} '{ex}' -> {ours[1].strip()[:100]}")
        names = theirs_e[1].split()
        if 0 < len(names) <= 3000:   # ClusterShell is slow on big nD lists
            ours, theirs = run([a.sysman, "nodeset", "-f"] + names), run(["nodeset", "-f"] + names)
            n += 1
            if ours != theirs:
                out.append(f"DIFF nodeset -f <{len(names)} names of '{ex}'>:\n  ours   {ours}\n"
                           f"  theirs {theirs}")
        return n, out

    fails = checked = 0
    # the commands are independent processes: a few at a time, results in
    # the expressions' order
    with concurrent.futures.ThreadPoolExecutor(max(2, os.cpu_count() or 2)) as ex:
        for n, out in ex.map(compare, exprs):
            checked += n
            fails += sum(1 for line in out if line.startswith("DIFF"))
            for line in out:
                print(line)
    print(f"{checked - fails} of {checked} outputs identical ({a.count} expressions, seed {a.seed})")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
