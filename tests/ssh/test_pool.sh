#!/bin/bash
# tests/ssh/test_pool.sh - the SSH pool against real sshds on loopback.
#
# Usage: test_pool.sh path/to/sysman-sshpool-run
#
# Starts its own sshd processes (own config, host keys, authorized key, all
# in a temp dir): "a" serves 127.1.9.1-8, "b" serves 127.1.9.9, both on
# port 22, user sysmantest (/bin/sh; created if missing, password set with
# chpasswd; it and /run/sshd are claimed through tests/testbed/testbed.py
# claim-shared, so the last test or testbed to stop removes them).  Every process it starts is stopped by PID on exit, even on
# failure.  Needs root (port 22, sshd privilege separation); exits 77
# (meson: skipped) otherwise.
set -u

RUN=${1:?usage: test_pool.sh path/to/sysman-sshpool-run}
SSHD=/usr/sbin/sshd
USER_T=sysmantest
PW='sysman-test-pw'

if [ "$(id -u)" != 0 ] || [ ! -x "$SSHD" ]; then
	echo "SKIP: needs root and $SSHD"
	exit 77
fi

T=$(mktemp -d /tmp/sysman-sshpool-test.XXXXXX)
# the test user and /run/sshd are shared with any testbed running at once
TESTBED=$(dirname "$(readlink -f "$0")")/../testbed/testbed.py
CLAIMED=0
declare -A SSHD_PID=()
FAILS=0
PASSES=0

cleanup() {
	local p
	for p in "${SSHD_PID[@]}"; do
		kill -CONT "$p" 2>/dev/null
		kill "$p" 2>/dev/null
	done
	for p in "${SSHD_PID[@]}"; do
		wait "$p" 2>/dev/null
	done
	[ "$CLAIMED" = 1 ] && /usr/bin/python3 "$TESTBED" release-shared --dir "$T" --user "$USER_T"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass() { PASSES=$((PASSES + 1)); echo "PASS: $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

# --- fixtures -------------------------------------------------------------
setup_user() {
	CLAIMED=1
	/usr/bin/python3 "$TESTBED" claim-shared --dir "$T" --user "$USER_T" --password "$PW"
}

# start_sshd NAME HOSTKEY ADDR...
start_sshd() {
	local name=$1 key=$2 a i
	shift 2
	{
		echo "Port 22"
		for a in "$@"; do echo "ListenAddress $a"; done
		cat <<-EOF
		HostKey $key
		PidFile none
		AuthorizedKeysFile $T/authorized_keys
		StrictModes no
		UsePAM no
		PermitRootLogin prohibit-password
		PasswordAuthentication yes
		KbdInteractiveAuthentication no
		MaxStartups 1000:30:1000
		LogLevel VERBOSE
		PrintMotd no
		UseDNS no
		EOF
	} >"$T/sshd_$name.conf"
	"$SSHD" -D -f "$T/sshd_$name.conf" -E "$T/sshd_$name.log" &
	SSHD_PID[$name]=$!
	for i in $(seq 50); do
		[ "$(cat "$T/sshd_$name.log" 2>/dev/null | grep -c 'Server listening')" \
			-ge $# ] && return 0
		kill -0 "${SSHD_PID[$name]}" 2>/dev/null || break
		sleep 0.1
	done
	echo "sshd $name did not start:"
	cat "$T/sshd_$name.log"
	return 1
}

accepted() { grep -c "Accepted $1 for $USER_T" "$T/sshd_a.log" "$T/sshd_b.log" |
	awk -F: '{ s += $2 } END { print s }'; }

setup_user || { echo "cannot create user $USER_T"; exit 1; }
ssh-keygen -q -t ed25519 -N '' -C a -f "$T/hostkey_a" || exit 1
ssh-keygen -q -t ed25519 -N '' -C b -f "$T/hostkey_b" || exit 1
ssh-keygen -q -t ed25519 -N '' -C client -f "$T/id" || exit 1
cp "$T/id.pub" "$T/authorized_keys"
# sshd reads authorized_keys as the target user
chmod 755 "$T"
chmod 644 "$T/authorized_keys"
HOSTS_A=$(seq -f '127.1.9.%g' 1 8)
# shellcheck disable=SC2086
start_sshd a "$T/hostkey_a" $HOSTS_A || exit 1
start_sshd b "$T/hostkey_b" 127.1.9.9 || exit 1

run() { "$RUN" -k "$T/id" -u "$USER_T" "$@"; }

# --- 1. output, exit status, accept-new, session reuse ----------------------
before=$(accepted publickey)
# shellcheck disable=SC2086
run -K "$T/kh" -r 2 -c 'echo hello; echo oops >&2; exit 3' $HOSTS_A \
	>"$T/out1" 2>"$T/err1"
check "output and exit status on 8 hosts, 2 rounds" \
	test "$(grep -c '^127\.1\.9\.[1-8]: 0 3 hello$' "$T/out1")" = 16
check "session reuse: 8 ssh logins for 16 commands (sshd log)" \
	test $(($(accepted publickey) - before)) = 8
check "session reuse: pool opened 8 connections" \
	grep -q 'round 2 (warm).* 8 connects so far' "$T/err1"
n=0
for h in $HOSTS_A; do
	ssh-keygen -F "$h" -f "$T/kh" | grep -qF "$(cut -d' ' -f2 "$T/hostkey_a.pub")" &&
		n=$((n + 1))
done
check "accept-new recorded the 8 host keys" test "$n" = 8

# --- 2. 200 commands over 8 hosts at once ---------------------------------
before=$(accepted publickey)
# shellcheck disable=SC2086
run -K "$T/kh" -r 2 -n 25 -c 'echo $((6 * 7))' $HOSTS_A >"$T/out2" 2>"$T/err2"
check "200 concurrent commands over 8 hosts, twice: all 0 0 42" \
	test "$(grep -c ': 0 0 42$' "$T/out2")" = 400
check "200 commands: still one session per host" \
	test $(($(accepted publickey) - before)) = 8
sed 's/^/    /' "$T/err2"
grep -v ': 0 0 42$' "$T/out2" | sort | uniq -c | head -5 | sed 's/^/    /'

# --- 3. command timeout kills the remote command --------------------------
start=$(date +%s.%N)
run -K "$T/kh" -r 1 -t 2 -c 'sleep 4242' 127.1.9.1 >"$T/out3" 2>&1
el=$(echo "$(date +%s.%N) - $start" | bc)
check "timeout: -ETIMEDOUT" grep -q '^127.1.9.1: -ETIMEDOUT ' "$T/out3"
check "timeout: returned in < 4 s (took $el s)" test "$(echo "$el < 4" | bc)" = 1
gone=no
for i in $(seq 30); do
	pgrep -x -f 'sleep 4242' >/dev/null || { gone=yes; break; }
	sleep 0.1
done
check "timeout: remote 'sleep 4242' is gone" test "$gone" = yes

# --- 4. stopped sshd: connect timeout, others unaffected ------------------
kill -STOP "${SSHD_PID[b]}"
start=$(date +%s.%N)
run -K "$T/kh" -r 1 -C 2 -c 'echo up' 127.1.9.1 127.1.9.9 >"$T/out4" 2>&1
el=$(echo "$(date +%s.%N) - $start" | bc)
kill -CONT "${SSHD_PID[b]}"
check "stopped sshd: -ETIMEDOUT" grep -q '^127.1.9.9: -ETIMEDOUT ' "$T/out4"
check "stopped sshd: other host fine" grep -q '^127.1.9.1: 0 0 up$' "$T/out4"
check "stopped sshd: done within connect timeout (took $el s)" \
	test "$(echo "$el < 3.5" | bc)" = 1
cat "$T/out4" | sed 's/^/    /'

# --- 5. passwords ---------------------------------------------------------
SYSMAN_PASSWORD='wrong-pw-7Hq' "$RUN" -W -u "$USER_T" -K "$T/kh" -r 1 \
	-c 'id -un' 127.1.9.2 >"$T/out5" 2>&1
check "wrong password: -EACCES" grep -q '^127.1.9.2: -EACCES ' "$T/out5"
sed 's/^/    /' "$T/out5"
SYSMAN_PASSWORD="$PW" "$RUN" -W -u "$USER_T" -K "$T/kh" -r 1 \
	-c 'id -un' 127.1.9.2 >"$T/out5b" 2>&1
check "right password: runs as $USER_T" \
	grep -q "^127.1.9.2: 0 0 $USER_T\$" "$T/out5b"
check "password never printed or logged" \
	sh -c "! grep -r -e 'wrong-pw-7Hq' -e '$PW' '$T'/out* '$T'/err* '$T'/*.log"

# --- 6. host keys ---------------------------------------------------------
echo "127.1.9.9 $(cut -d' ' -f1,2 "$T/hostkey_a.pub")" >"$T/kh_changed"
cp "$T/kh_changed" "$T/kh_changed.orig"
run -K "$T/kh_changed" -P strict -r 1 -c true 127.1.9.9 >"$T/out6" 2>&1
check "changed key, strict: -EKEYREJECTED" \
	grep -q '^127.1.9.9: -EKEYREJECTED .*has changed' "$T/out6"
sed 's/^/    /' "$T/out6"
run -K "$T/kh_changed" -P accept-new -r 1 -c true 127.1.9.9 >"$T/out6b" 2>&1
check "changed key, accept-new: -EKEYREJECTED too" \
	grep -q '^127.1.9.9: -EKEYREJECTED ' "$T/out6b"
check "changed key: known_hosts untouched" cmp -s "$T/kh_changed" "$T/kh_changed.orig"
: >"$T/kh_empty"
run -K "$T/kh_empty" -P strict -r 1 -c true 127.1.9.9 >"$T/out6c" 2>&1
check "unknown key, strict: -EKEYREJECTED, nothing recorded" \
	sh -c "grep -q '^127.1.9.9: -EKEYREJECTED .*policy is strict' '$T/out6c' && ! test -s '$T/kh_empty'"
run -K "$T/kh_empty" -P accept-new -r 1 -c true 127.1.9.9 >"$T/out6d" 2>&1
run -K "$T/kh_empty" -P strict -r 1 -c 'echo known' 127.1.9.9 >"$T/out6e" 2>&1
check "accept-new records the key; strict then accepts it" \
	grep -q '^127.1.9.9: 0 0 known$' "$T/out6e"

# --- 7. broken session: reconnect on the next command ----------------------
run -K "$T/kh" -r 2 -s 2 -c 'echo again' 127.1.9.1 127.1.9.2 >"$T/out7" 2>"$T/err7" &
rp=$!
sleep 1
for c in $(pgrep -P "${SSHD_PID[a]}"); do kill "$c"; done
wait "$rp"
check "broken session: second round reconnects and succeeds" \
	test "$(grep -c ': 0 0 again$' "$T/out7")" = 4
check "broken session: 4 connections in all" \
	grep -q 'round 2 .* 4 connects so far' "$T/err7"

# --- 8. keepalive notices a dead peer while idle ---------------------------
run -K "$T/kh" -r 2 -s 6 -a 1 -c 'echo alive' 127.1.9.3 >"$T/out8" 2>"$T/err8" &
rp=$!
sleep 1
stopped=$(pgrep -P "${SSHD_PID[a]}")
for c in $stopped; do
	kill -STOP "$c" $(pgrep -P "$c")
done
wait "$rp"
for c in $stopped; do
	kill -CONT $(pgrep -P "$c") "$c" 2>/dev/null
	kill "$c" 2>/dev/null
done
check "keepalive: silent session dropped, next command reconnects" \
	sh -c "test \"\$(grep -c ': 0 0 alive\$' '$T/out8')\" = 2 &&
		grep -q 'round 2 .* 2 connects so far' '$T/err8'"

# --- 9. output cap ---------------------------------------------------------
run -K "$T/kh" -r 1 -o 1000 -c 'head -c 5000 /dev/zero | tr "\0" a; echo' \
	127.1.9.4 >"$T/out9" 2>&1
check "output capped at output_max and marked truncated" \
	sh -c "grep -q '(output truncated)\$' '$T/out9' &&
		test \$(grep '^127.1.9.4: 0 0 ' '$T/out9' | cut -d' ' -f4 | tr -d '\n' | wc -c) = 1000"

echo "$PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
