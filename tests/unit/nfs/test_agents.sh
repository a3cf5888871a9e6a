#!/bin/sh
# The shell agents of services/nfs against a scratch database, with the
# sysman-nfs binary given as $1 (used when no `sysman` is on PATH).
set -u
bin=$1
agents=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
ln -s "$bin" "$work/bin/sysman-nfs"
PATH="$work/bin:/usr/bin:/bin"
SYSMAN_DB="$work/sysman.db"
export PATH SYSMAN_DB
fails=0
check() {      # check DESCRIPTION COMMAND...
	desc=$1; shift
	if "$@"; then echo "ok - $desc"; else echo "not ok - $desc"; fails=$((fails + 1)); fi
}

good='host s address=10.0.0.1 platform=linux
host c address=10.0.0.2 platform=linux
export s:/x c(rw)
export s:/unused c
import c:/m s:/x rw'
bad="$good
import c:/m s:/x ro"

"$agents/plan.read" -f /services/nfs/plan >"$work/out" 2>"$work/err"
check "plan.read with no plan is empty" test ! -s "$work/out"

printf '%s\n' "$good" | "$agents/plan.write" -f /services/nfs/plan \
	>"$work/out" 2>"$work/err"
check "plan.write stores a good plan" test $? -eq 0
printf '%s\n' "$good" >"$work/want"
check "plan.write prints the stored plan" cmp -s "$work/out" "$work/want"
check "plan.write passes warnings on" grep -q '^warning unused-export line 4' "$work/err"

"$agents/plan.read" -f /services/nfs/plan >"$work/out"
check "plan.read prints it" cmp -s "$work/out" "$work/want"

printf "%s\n" "$bad" | "$agents/plan.write" -f /services/nfs/plan -i "$bad" >"$work/out" 2>"$work/err"
check "plan.write rejects a bad plan" test $? -eq 1
check "a rejection restores the old content" cmp -s "$work/out" "$work/want"
head -n 1 "$work/err" >"$work/first"
check "the first stderr line names rule and line" \
	grep -q '^plan rejected: error mountpoint-conflict line 6:' "$work/first"

printf 'host x platform=vms\n' | "$agents/plan.write" -f p >"$work/out" 2>"$work/err"
check "a parse error is rejected" test $? -eq 1
check "with line and column" grep -q '^plan rejected: line 1: column 8:' "$work/err"
"$agents/plan.read" -f p >"$work/out"
check "and the stored plan is unchanged" cmp -s "$work/out" "$work/want"

"$agents/check.read" -f /services/nfs/check >"$work/out" 2>"$work/err"
check "check.read exits with the number of errors (0)" test $? -eq 0
check "check.read lists the warning" grep -q '^warning unused-export line 4:' "$work/out"
check "check.read summarises on stderr" grep -q '^0 error(s), 1 warning(s)' "$work/err"

"$agents/topology.dot.read" -f /services/nfs/topology.dot >"$work/out"
check "topology.dot.read prints a digraph" grep -q '^digraph nfs {' "$work/out"
check "with the import edge" grep -q '"s" -> "c" \[label="/x -> /m"\]' "$work/out"

"$agents/dependencies.dot.read" -f /services/nfs/dependencies.dot >"$work/out"
check "dependencies.dot.read prints the catalog's dependencies" \
	grep -q '"linux/nfsd" -> "linux/statd" \[label="vers=3", style=dashed\];' "$work/out"

[ $fails -eq 0 ]
