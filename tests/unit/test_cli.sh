#!/bin/sh
# Checks sysman(1) against a scratch tree shaped like /sysman (the status,
# tree, expand and conf commands read plain files, so no mount is needed).
# Usage: test_cli.sh PATH/TO/sysman
set -u
SYSMAN=${1:?usage: test_cli.sh SYSMAN}
T=$(mktemp -d "${TMPDIR:-/tmp}/sysman-cli-XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
fails=0

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# expect RC WANT_STDOUT CMD...: runs CMD, compares exit status and stdout
expect() {
	want_rc=$1 want_out=$2
	shift 2
	out=$("$@" 2>"$T/err")
	rc=$?
	[ "$rc" = "$want_rc" ] || fail "$* exited $rc, want $want_rc ($(cat "$T/err"))"
	[ "$out" = "$want_out" ] || fail "$*: got
$out
want
$want_out"
}

# expect_err RC PATTERN CMD...: exit status and a grep pattern on stderr
expect_err() {
	want_rc=$1 pat=$2
	shift 2
	"$@" >/dev/null 2>"$T/err"
	rc=$?
	[ "$rc" = "$want_rc" ] || fail "$* exited $rc, want $want_rc"
	grep -q -- "$pat" "$T/err" || fail "$*: stderr lacks '$pat': $(cat "$T/err")"
}

R=$T/sysman
mkdir -p "$R/systems/servers/n1/proc/1" "$R/systems/servers/n2" "$R/groups/rack1"
: >"$R/systems/servers/n1/power"; echo "0" >"$R/systems/servers/n1/power.status"
: >"$R/systems/servers/n1/uptime"; echo "0 ok" >"$R/systems/servers/n1/uptime.status"
: >"$R/systems/servers/n2/power"; echo "124 timed out after 30s" >"$R/systems/servers/n2/power.status"
: >"$R/systems/servers/n2/temp"
: >"$R/systems/servers/n1/proc/1/stat"; echo "0" >"$R/systems/servers/n1/proc/1/stat.status"
ln -s ../../systems/servers/n1 "$R/groups/rack1/n1"
ln -s systems "$R/system"

# --- dispatch ---
expect 0 "sysman $($SYSMAN --version | cut -d' ' -f2)" "$SYSMAN" --version
"$SYSMAN" --help | grep -q '^  status' || fail "--help lists no status command"
expect_err 2 "unknown command" "$SYSMAN" frobnicate
expect_err 2 "Usage" "$SYSMAN"

# --- status ---
expect 1 "$R/systems/servers/n1/power: 0
$R/systems/servers/n1/uptime: 0 ok
$R/systems/servers/n2/power: 124 timed out after 30s" "$SYSMAN" status "$R"
expect 1 "$R/systems/servers/n2/power: 124 timed out after 30s" "$SYSMAN" status -e "$R/systems"
expect 0 "$R/systems/servers/n1/power: 0
$R/systems/servers/n1/uptime: 0 ok" "$SYSMAN" status "$R/systems/servers/n1"
expect 0 "$R/systems/servers/n1/power: 0
$R/systems/servers/n1/proc/1/stat: 0
$R/systems/servers/n1/uptime: 0 ok" "$SYSMAN" status -r -a "$R/systems/servers/n1"
expect 0 "$R/systems/servers/n1/power: 0" "$SYSMAN" status "$R/systems/servers/n1/power"
expect 0 "$R/systems/servers/n1/power: 0" "$SYSMAN" status "$R/systems/servers/n1/power.status"
expect 0 "$R/groups/rack1/n1/power: 0" "$SYSMAN" status "$R/groups/rack1/n1/power"
SYSMAN_ROOT="$R/systems/servers/n1" expect 0 "$R/systems/servers/n1/power: 0
$R/systems/servers/n1/uptime: 0 ok" "$SYSMAN" status
expect_err 1 "No such file" "$SYSMAN" status "$R/nope"
expect_err 0 "no status" "$SYSMAN" status "$R/systems/servers/n2/temp"
echo "garbage" >"$R/systems/servers/n2/temp.status"
expect_err 1 "malformed" "$SYSMAN" status "$R/systems/servers/n2/temp"
rm "$R/systems/servers/n2/temp.status"
expect_err 2 "Usage" "$SYSMAN" status --bogus

# --- tree ---
expect 0 "$R/systems/servers
|-- n1
|   |-- power
|   |-- power.status
|   |-- proc
|   |-- uptime
|   \`-- uptime.status
\`-- n2
    |-- power
    |-- power.status
    \`-- temp

3 directories, 7 files" "$SYSMAN" tree --ascii "$R/systems/servers"
expect 0 "$R
|-- groups
|   \`-- rack1
|-- system -> systems
\`-- systems
    \`-- servers

4 directories, 1 file" "$SYSMAN" tree --ascii -L 2 "$R"
expect 0 "$R/systems/servers/n1
|-- power
|-- proc
|   \`-- 1
|       \`-- stat
\`-- uptime

2 directories, 3 files" "$SYSMAN" tree --ascii -a -S "$R/systems/servers/n1"
expect_err 2 "depth" "$SYSMAN" tree -L 0 "$R"
expect_err 1 "No such file" "$SYSMAN" tree "$R/nope"

# --- expand ---
expect 0 "n1
n2
n3
n4
n7" "$SYSMAN" expand 'n[1-4,7]'
expect 0 "r1n01 r1n02 r2n01 r2n02 a" "$SYSMAN" expand -s ' ' 'r[1-2]n[01-02]' a
expect 0 "96" "$SYSMAN" expand -c 'r[1-6]n[01-16]'
expect_err 2 "offset 7" "$SYSMAN" expand 'n[1-3],'
expect 2 "" "$SYSMAN" expand 'ok[1-2]' 'n[1-'
expect_err 2 "more than" "$SYSMAN" expand 'n[1-2000000]'
expect_err 2 "PATTERN" "$SYSMAN" expand

# --- nodeset ---
expect 0 "n[1-2,6-8]" "$SYSMAN" nodeset -f 'n[1-10]!n[3-5]&n[1-8]'
expect 0 "n1 n2 n6 n7 n8" "$SYSMAN" nodeset -e 'n[1-5]^n[3-8]'
expect 0 "n1,n2" "$SYSMAN" nodeset -e -S , 'n[1-2]'
expect 0 "5" "$SYSMAN" nodeset -c 'r[1-2]n[1-3]!r1n2'
expect 0 "m1,n[1-3]" "$SYSMAN" nodeset -f n1 n2 'n3,m1'
expect 0 "n[1-3]" sh -c "echo 'n1 n2
n3' | $SYSMAN nodeset -f"
expect 0 "" "$SYSMAN" nodeset -f 'n1!n1'
expect_err 2 "offset 7: missing operand after '!'" "$SYSMAN" nodeset -f 'n[1-3]!'
expect_err 2 "offset 4: range goes down" "$SYSMAN" nodeset -e 'n[5-1]'
expect_err 2 "more than 100000" "$SYSMAN" nodeset -c 'n[1-100001]'
expect_err 2 "one of -f, -e, -c" "$SYSMAN" nodeset 'n1'
# groups: a members file, a directory of symlinks, nested, unknown
mkdir -p "$R/groups/rack2" "$R/groups/all"
echo 'n[1-2],n5' >"$R/groups/rack2/members"
echo '@rack1,@rack2' >"$R/groups/all/members"
ln -s ../../systems/servers/n2/ "$R/groups/rack1/n2"
SYSMAN_ROOT=$R expect 0 "n[1-2]" "$SYSMAN" nodeset -f @rack1
expect 0 "n[1-2,5]" "$SYSMAN" nodeset --root "$R" -f @rack2
expect 0 "n5" "$SYSMAN" nodeset --root "$R" -f '@all!@rack1'
expect_err 2 "offset 3: no group '@nope'" "$SYSMAN" nodeset --root "$R" -f 'n1,@nope'

# --- gather ---
G=$T/g
mkdir -p "$G/n1" "$G/n2" "$G/n3" "$G/n10"
printf 'up 3 days\n' >"$G/n1/uptime"; printf 'up 3 days\n' >"$G/n2/uptime"
printf 'up 3 days\n' >"$G/n10/uptime"; printf 'down\nreally' >"$G/n3/uptime"
expect 0 "---------------
n[1-2,10] (3)
---------------
up 3 days
---------------
n3
---------------
down
really" "$SYSMAN" gather "$G"/n1/uptime "$G"/n2/uptime "$G"/n3/uptime "$G"/n10/uptime
expect 0 "n1: up 3 days
n2: up 3 days
n3: down
n3: really
n10: up 3 days" "$SYSMAN" gather -L "$G"/n10/uptime "$G"/n1/uptime "$G"/n2/uptime "$G"/n3/uptime
echo "3 not so well" >"$G/n3/uptime.status"
expect 3 "---------------
n[1-2] (2)
---------------
up 3 days
---------------
n3
---------------
down
really" "$SYSMAN" gather "$G"/n1/uptime "$G"/n2/uptime "$G"/n3/uptime
expect_err 3 "gather: n3: exit code 3: not so well" "$SYSMAN" gather "$G"/n3/uptime
expect_err 1 "n9: exit code 1: No such file" "$SYSMAN" gather "$G"/n1/uptime "$T/n9/uptime"
expect_err 2 "FILE" "$SYSMAN" gather

# --- run (plain files stand in for the tree: the command file reads back
# what was written, command.status is prepared) ---
for n in n1 n2; do : >"$R/systems/servers/$n/command"; echo 0 >"$R/systems/servers/$n/command.status"; done
expect 0 "---------------
n[1-2] (2)
---------------
echo hi" "$SYSMAN" run --root "$R" -w 'n[1-2]' echo hi
expect 0 "n1: uptime
n2: uptime" "$SYSMAN" run --root "$R" -L -w n1 -w @rack1 uptime
echo "7 bad" >"$R/systems/servers/n2/command.status"
expect_err 7 "run: n2: exit code 7: bad" "$SYSMAN" run --root "$R" -w @rack1 true
expect_err 1 "run: n5: exit code 1: no such server" "$SYSMAN" run --root "$R" -w 'n1,n5' true
expect_err 2 "offset 2: number expected" "$SYSMAN" run --root "$R" -w 'n[x]' true
expect_err 2 "a command" "$SYSMAN" run --root "$R" -w n1
expect_err 2 "bad timeout" "$SYSMAN" run --root "$R" -t soon -w n1 true

# --- conf ---
cat >"$T/good.conf" <<CONF
mountpoint = /mnt/sysman   # inline comment
max_agents = 12
[cache]
systems/*/*/temperature = cache 10
CONF
"$SYSMAN" conf -c "$T/good.conf" >"$T/out" 2>"$T/err" || fail "conf good.conf: $(cat "$T/err")"
grep -qx 'mountpoint = /mnt/sysman' "$T/out" || fail "conf: mountpoint not printed"
grep -qx 'max_agents = 12' "$T/out" || fail "conf: max_agents not printed"
grep -qx 'agent_timeout = 30' "$T/out" || fail "conf: default agent_timeout not printed"
grep -qx 'systems/\*/\*/temperature = cache 10' "$T/out" || fail "conf: cache rule not printed"
expect 0 "" "$SYSMAN" conf -q "$T/good.conf"
printf 'max_agents = 1\n\nmax_agents = lots\n' >"$T/bad.conf"
expect_err 2 "$T/bad.conf:3:" "$SYSMAN" conf -c "$T/bad.conf"
expect_err 2 "No such file" "$SYSMAN" conf -c "$T/missing.conf"

[ "$fails" = 0 ] || { echo "$fails check(s) failed" >&2; exit 1; }
echo "all CLI checks passed"
