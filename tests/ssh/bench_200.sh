#!/bin/bash
# tests/ssh/bench_200.sh - the pool vs pdsh on N loopback hosts (default 200).
#
# Usage: bench_200.sh path/to/sysman-sshpool-run [NHOSTS] [CMD]
#
# Starts ceil(N/16) sshd processes (an sshd takes at most 16 ListenAddress)
# serving 127.1.10.1..N port 22 as user sysmantest (/bin/sh), then times:
#   pool   sysman-sshpool-run: cold round, then 2 warm rounds
#   pdsh   pdsh -R ssh -f 64 (a new ssh process + handshake per host)
#   cm     OpenSSH ControlMaster: masters opened first, then 64-way xargs
# Every sshd is stopped by PID on exit.  Needs root.  Not a meson test.
# Environment: POOL_ARGS extra sysman-sshpool-run options (e.g. "-j 2");
# POOL_ONLY=1 skips pdsh and ControlMaster; KH_EXTRA=N pre-fills the
# pool's known_hosts with N unrelated entries (cost of the file check).
set -u

RUN=${1:?usage: bench_200.sh path/to/sysman-sshpool-run [NHOSTS] [CMD]}
N=${2:-200}
CMD=${3:-uptime}
SSHD=/usr/sbin/sshd
USER_T=sysmantest
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }

T=$(mktemp -d /tmp/sysman-sshpool-bench.XXXXXX)
PIDS=()
cleanup() {
	local p
	[ -d "$T/cm" ] && for h in $HOSTS; do
		ssh -o ControlPath="$T/cm/%h" -O exit "$USER_T@$h" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	/usr/bin/python3 "$TESTBED" release-shared --dir "$T" --user "$USER_T"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# the test user and /run/sshd are shared with any testbed running at once
TESTBED=$(dirname "$(readlink -f "$0")")/../testbed/testbed.py
/usr/bin/python3 "$TESTBED" claim-shared --dir "$T" --user "$USER_T" --password sysman-test-pw || exit 1
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey" || exit 1
ssh-keygen -q -t ed25519 -N '' -f "$T/id" || exit 1
cp "$T/id.pub" "$T/authorized_keys"
chmod 755 "$T"
chmod 644 "$T/authorized_keys"

HOSTS=$(seq -f '127.1.10.%g' 1 "$N")
i=0
for h in $HOSTS; do
	if [ $((i % 16)) = 0 ]; then
		conf="$T/sshd_$((i / 16)).conf"
		cat >"$conf" <<-EOF
		Port 22
		HostKey $T/hostkey
		PidFile none
		AuthorizedKeysFile $T/authorized_keys
		StrictModes no
		UsePAM no
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		MaxStartups 1000:30:1000
		PrintMotd no
		UseDNS no
		EOF
	fi
	echo "ListenAddress $h" >>"$conf"
	i=$((i + 1))
done
for conf in "$T"/sshd_*.conf; do
	"$SSHD" -D -f "$conf" -E "${conf%.conf}.log" &
	PIDS+=($!)
done
sleep 1
echo "$N hosts on ${#PIDS[@]} sshd processes; command: $CMD"

for i in $(seq "${KH_EXTRA:-0}"); do
	echo "127.3.$((i / 250)).$((i % 250 + 1)) $(cut -d' ' -f1,2 "$T/id.pub")"
done >"$T/kh_pool"
# shellcheck disable=SC2086
"$RUN" ${POOL_ARGS:-} -q -r 3 -k "$T/id" -K "$T/kh_pool" -u "$USER_T" -c "$CMD" $HOSTS \
	2>&1 | sed 's/^/pool: /'

[ "${POOL_ONLY:-0}" = 1 ] && exit 0
export PDSH_SSH_ARGS="-2 -a -x -i $T/id -o UserKnownHostsFile=$T/kh_pdsh \
-o StrictHostKeyChecking=accept-new -o BatchMode=yes -o LogLevel=ERROR -l%u %h"
for round in 1 2; do
	start=$(date +%s.%N)
	ok=$(pdsh -R ssh -f 64 -l "$USER_T" -w "$(echo $HOSTS | tr ' ' ,)" "$CMD" \
		2>/dev/null | grep -c 'load average')
	echo "pdsh: round $round: $ok/$N ok in $(echo "$(date +%s.%N) - $start" | bc) s"
done

mkdir -p "$T/cm"
SSHO=(-o LogLevel=ERROR -i "$T/id" -o UserKnownHostsFile="$T/kh_cm" -o StrictHostKeyChecking=accept-new
	-o BatchMode=yes -o ControlPath="$T/cm/%h")
start=$(date +%s.%N)
echo $HOSTS | tr ' ' '\n' | xargs -P 64 -I{} ssh "${SSHO[@]}" -o ControlMaster=yes \
	-o ControlPersist=yes -fN "$USER_T@{}"
echo "cm:   masters opened in $(echo "$(date +%s.%N) - $start" | bc) s"
for round in 1 2; do
	start=$(date +%s.%N)
	ok=$(echo $HOSTS | tr ' ' '\n' | xargs -P 64 -I{} ssh "${SSHO[@]}" "$USER_T@{}" "$CMD" \
		2>/dev/null | grep -c 'load average')
	echo "cm:   round $round (warm): $ok/$N ok in $(echo "$(date +%s.%N) - $start" | bc) s"
done
