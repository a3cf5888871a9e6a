#!/bin/bash
# tests/ipmi/compare.sh - reading `power` of many ipmi_sim BMCs through a
# Sysman mount (in-daemon RMCP+ sessions) against an ipmitool loop.
#
# Usage: compare.sh [-n BMCS] [-P PARALLEL] [-b BASE] [-r ROUNDS] BUILD...
#
# Starts BMCS ipmi_sim BMCs (tests/testbed/testbed.py, --base BASE, default
# 127.9), then for each BUILD directory mounts its sysmand, writes the BMC
# credentials to /ids, discovers the BMCs ("bmc ADDR" lines into
# discover_master) and times
#     ls -d MNT/systems/bmcs/*/power | xargs -P PARALLEL -n 1 cat
# ROUNDS times (the first with no IPMI session open, the others warm),
# then times
#     IPMI_PASSWORD=... xargs -P PARALLEL -I@ -a FILE \
#         ipmitool -I lanplus -C 3 -H @ -U admin -E chassis power status
# Every answer is checked ("on"/"Chassis Power is on").  Prints one
# "name: seconds" line per run, and the IPMI pool's counters (sessions
# opened, commands, keepalives) that sysmand logs when it stops.  Stops everything it
# started, by PID, on exit.  Needs root.  Use a build without sanitizers
# for numbers (e.g. meson setup build-rel; a second BUILD configured with
# -Dipmi=disabled measures the Python agent path).
set -u
N=200 PAR=64 BASE=127.9 ROUNDS=3
while getopts n:P:b:r: o; do
	case $o in
	n) N=$OPTARG ;;
	P) PAR=$OPTARG ;;
	b) BASE=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	*) echo "usage: compare.sh [-n BMCS] [-P PARALLEL] [-b BASE] [-r ROUNDS] BUILD..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: compare.sh [-n BMCS] [-P PARALLEL] [-b BASE] [-r ROUNDS] BUILD..." >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "compare.sh: needs root" >&2; exit 2; }

TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/sysman-ipmi-compare.XXXXXX)
chmod 755 "$T"
TB=$T/tb
DPID=
MNT=

cleanup() {
	if [ -n "$DPID" ]; then
		kill "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	[ -n "$MNT" ] && mountpoint -q "$MNT" && fusermount3 -u -z "$MNT"
	/usr/bin/python3 "$TOP/tests/testbed/testbed.py" stop --dir "$TB" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }

/usr/bin/python3 "$TOP/tests/testbed/testbed.py" start --dir "$TB" --hosts 0 --bmcs "$N" \
	--chassis 0 --base "$BASE" --timeout 60 || exit 1
USER_B=$(/usr/bin/python3 -c "import json; print(json.load(open('$TB/testbed.json'))['users']['bmc']['user'])")
PW_B=$(/usr/bin/python3 -c "import json; print(json.load(open('$TB/testbed.json'))['users']['bmc']['password'])")
seq -f "$BASE.1.%g" 1 "$N" >"$T/addrs"

record() { printf '%-36s %6.2f s  %s\n' "$1:" "$2" "${3:-}"; }

for build in "$@"; do
	build=$(cd "$build" && pwd)
	tag=$(basename "$build")
	d=$T/$tag
	MNT=$d/mnt
	mkdir -p "$MNT" "$d/state"
	cat >"$d/sysman.conf" <<-EOF
	mountpoint = $MNT
	state_dir = $d/state
	agent_dir = $TOP/agents
	db = $d/sysman.db
	audit_log = $d/audit.log
	discover_networks = $BASE.1.0/24
	max_agents = 256
	log_level = info
	EOF
	"$build/src/sysmand" -c "$d/sysman.conf" -f >"$d/daemon.log" 2>&1 &
	DPID=$!
	for _ in $(seq 100); do mountpoint -q "$MNT" && break; sleep 0.1; done
	mountpoint -q "$MNT" || { echo "compare.sh: $tag did not mount:"; cat "$d/daemon.log"; exit 1; }
	echo "$USER_B $PW_B" >"$MNT/ids"
	sed 's/^/bmc /' "$T/addrs" >"$MNT/discover_master"
	n=$(ls -d "$MNT"/systems/bmcs/*/power | wc -l)
	[ "$n" = "$N" ] || { echo "compare.sh: $tag discovered $n of $N BMCs"; exit 1; }
	for r in $(seq "$ROUNDS"); do
		t0=$(now)
		ls -d "$MNT"/systems/bmcs/*/power | xargs -P "$PAR" -n 1 cat >"$d/out.$r"
		t1=$(now)
		ok=$(grep -c '^on$' "$d/out.$r")
		[ "$r" = 1 ] && what="cold" || what="warm"
		record "sysman $tag round $r ($what)" "$(secs "$t0" "$t1")" "$ok/$N on"
	done
	kill "$DPID"
	wait "$DPID" 2>/dev/null
	DPID=
	mountpoint -q "$MNT" && fusermount3 -u -z "$MNT"
	MNT=
	# the pool's counters (sysmand logs them when it stops)
	grep -o 'ipmi: .*' "$d/daemon.log" | sed "s/^/    $tag /"
done

for r in 1 2; do
	t0=$(now)
	IPMI_PASSWORD=$PW_B xargs -P "$PAR" -I@ -a "$T/addrs" \
		ipmitool -I lanplus -C 3 -H @ -U "$USER_B" -E chassis power status >"$T/ipmitool.$r" 2>&1
	t1=$(now)
	ok=$(grep -c 'Chassis Power is on' "$T/ipmitool.$r")
	record "ipmitool xargs -P $PAR round $r" "$(secs "$t0" "$t1")" "$ok/$N on"
done
