#!/bin/sh
# Boot every guest under QEMU and check its exit status and key output lines.
#   guests/check-qemu.sh            plain TCG
#   guests/check-qemu.sh --slow     also with -icount shift=9 (~2 M instr/s of
#                                   virtual time, like KVM's CPL0 emulation)
# Exit status: number of failed runs (0 = all good).
here=$(cd "$(dirname "$0")" && pwd)
run="$here/run-qemu.sh"
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'LoRe-initrd-0123456789abcdef' > "$tmp/initrd"

# expect NAME STATUS PATTERN... -- QEMU-ARGS...; stdin from $input
expect() {
	name=$1 status=$2
	shift 2
	pats=
	while [ "$1" != "--" ]; do
		pats="$pats
$1"
		shift
	done
	shift
	out="$tmp/$name.out"
	if [ -n "$input" ]; then
		(sleep 1; printf "$input") | timeout 30 "$run" "$name" $extra "$@" >"$out" 2>&1
	else
		timeout 30 "$run" "$name" $extra "$@" </dev/null >"$out" 2>&1
	fi
	got=$?
	ok=1
	[ "$got" = "$status" ] || ok=0
	grep -q '^FAIL' "$out" && ok=0
	echo "$pats" | while IFS= read -r p; do
		[ -z "$p" ] && continue
		grep -qF -- "$p" "$out" || { echo "  missing: $p"; exit 1; }
	done || ok=0
	if [ $ok = 1 ]; then
		echo "PASS $name $* (status $got)"
	else
		echo "FAIL $name $* (status $got, expected $status)"
		sed 's/^/  | /' "$out"
		failed=$((failed + 1))
	fi
}

check_all() {
	input=
	expect hello 1 "Hello from LoRe guest" 'cmdline: "lore test n=5"' "memmap 0: 0x0000000000000000" "hello: done" \
		-- -append "lore test n=5"
	expect pit 1 "pit: all" "checks passed" --
	expect pic 1 "pic: all" "checks passed" --
	expect uart 1 "no input" "uart: all" --
	input='hello world\r\nsecond\nquit\n'
	expect uart 1 "echo: hello world" "echo: second" "echo: quit" "uart: 3 lines" --
	input=
	expect rtc 1 "rtc: all" "checks passed" --
	expect spin 1 "ok timer interrupts while spinning" "spin: 10 ticks after" --
	expect exits 1 "done 100000" --
	expect exits 1 "done 1234" -- -append "n=1234"
	expect triple 0 "about to triple fault" --
	expect fault 1 "ok #UD taken and resumed" "fault: all 1 checks passed" --
	expect demo 7 "BUG: corrupted ring_ctl.magic at record 1024 (value 0x52494e48, expected 0x52494e47)" --
	if ! diff -u "$here/demo/expected-output.txt" "$tmp/demo.out" >/dev/null; then
		echo "FAIL demo output differs from demo/expected-output.txt"
		diff -u "$here/demo/expected-output.txt" "$tmp/demo.out" | sed 's/^/  | /'
		failed=$((failed + 1))
	fi
	expect bzimage 1 "Hello from bzImage" "entry: startup_32" 'cmdline: "console=ttyS0 lore=1"' \
		"initrd: first bytes: 4c 6f 52 65 2d 69 6e 69 74 72 64 2d 30 31 32 33" "bzimage: done" \
		-- -append "console=ttyS0 lore=1" -initrd "$tmp/initrd"
	expect bzload 1 "entry: startup_64" 'cmdline: "via 64-bit entry"' "e820 0: 0x0000000000000000" \
		"initrd: first bytes: 4c 6f 52 65 2d 74 65 73 74 2d 69 6e 69 74 72 64" "bzimage: done" \
		-- -initrd "$here/build/bzimage.bin" -append "via 64-bit entry"
}

extra=
check_all
if [ "$1" = "--slow" ]; then
	echo "--- again with -icount shift=9 (~2 M instructions per virtual second)"
	extra="-icount shift=9"
	check_all
fi
[ $failed = 0 ] && echo "all QEMU runs passed" || echo "$failed QEMU runs FAILED"
exit $failed
