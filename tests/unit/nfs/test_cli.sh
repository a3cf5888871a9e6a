#!/bin/sh
# The `nfs` command line: exit codes, files written, output formats.
# usage: test_cli.sh SYSMAN_NFS_BINARY GOLDEN_DIR
set -u
nfs=$1
golden=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
check() {
	desc=$1; shift
	if "$@"; then echo "ok - $desc"; else echo "not ok - $desc"; fails=$((fails + 1)); fi
}

"$nfs" check "$golden/plan.txt" >"$work/out" 2>"$work/err"
check "check of the golden plan exits 0" test $? -eq 0
check "and reports its two warnings" test "$(grep -c '^warning unused-export line' "$work/out")" -eq 2

printf 'host s platform=linux\nhost c platform=linux\nexport s:/x c(ro)\nimport c:/m s:/x rw\n' >"$work/bad"
"$nfs" check "$work/bad" >"$work/out" 2>&1
check "check exits 1 on an error" test $? -eq 1
check "finding format" grep -q "^error rw-on-ro line 4: .* (fix: .*)$" "$work/out"

printf 'host s platform=linux\nexport s:/x c(rw,frob)\n' >"$work/syntax"
"$nfs" check "$work/syntax" >"$work/out" 2>"$work/err"
check "a parse error exits 1" test $? -eq 1
check "naming line and column" grep -q "syntax: line 2: column 18: unknown or bad export option 'frob'" "$work/err"

"$nfs" generate "$golden/plan.txt" "$work/gen" >"$work/out"
check "generate exits 0" test $? -eq 0
check "generate writes the golden files" diff -r "$golden/gen" "$work/gen"
check "and lists them" test "$(grep -c '^wrote ' "$work/out")" -eq 17

"$nfs" generate "$work/bad" "$work/gen2" >/dev/null 2>"$work/err"
check "generate refuses a plan with errors" test $? -eq 1
check "and writes nothing" test ! -e "$work/gen2"

printf 'host s platform=solaris\nhost c platform=linux\nexport s:/x c(anonuid=1) d(anonuid=2)\nimport c:/m s:/x\n' >"$work/sol"
"$nfs" check "$work/sol" >/dev/null 2>&1
"$nfs" generate "$work/sol" "$work/gen3" >/dev/null 2>"$work/err"
check "a platform limit fails generate" test $? -eq 1
check "naming platform and what" grep -q "solaris cannot express a different anonymous id" "$work/err"

"$nfs" parse ganesha "$golden/parse/ganesha.in" --host gsh --plan "$golden/plan.txt" >"$work/out"
check "parse exits 0" test $? -eq 0
check "parse prints plan syntax" cmp -s "$work/out" "$golden/parse/ganesha.out"
"$nfs" parse linux-exports - --host lnx <"$golden/parse/linux-exports.in" >"$work/out"
check "parse reads stdin" cmp -s "$work/out" "$golden/parse/linux-exports.out"
"$nfs" parse nosuch "$work/bad" >/dev/null 2>&1
check "an unknown format is a usage error" test $? -eq 2

"$nfs" topology "$golden/plan.txt" >"$work/out"
check "topology prints dot" grep -q '^	"lnx" -> "c1" \[label="/srv/home -> /home"\];$' "$work/out"

"$nfs" dependencies >"$work/out"
check "dependencies prints the catalog's graph" grep -q '"aix/nfsd" -> "aix/portmap";' "$work/out"

db="$work/db"
"$nfs" plan show --db "$db" >"$work/out"
check "plan show of an empty database prints nothing" test ! -s "$work/out"
"$nfs" plan store "$golden/plan.txt" --db "$db" 2>"$work/err"
check "plan store accepts the golden plan" test $? -eq 0
"$nfs" plan store "$work/bad" --db "$db" 2>"$work/err"
check "plan store rejects a bad plan" test $? -eq 1
check "saying why first" grep -q '^plan rejected: error rw-on-ro line 4' "$work/err"
SYSMAN_DB="$db" "$nfs" plan show >"$work/out"
check "the stored plan is unchanged (SYSMAN_DB)" cmp -s "$work/out" "$golden/plan.txt"
"$nfs" plan check --db "$db" >"$work/out"
check "plan check exits 0 on warnings" test $? -eq 0
"$nfs" >/dev/null 2>&1
check "no command is a usage error" test $? -eq 2

[ $fails -eq 0 ]
