#!/bin/sh
# Run one LoRe guest under QEMU (software emulation), for cross-checks.
#
#   guests/run-qemu.sh NAME [extra qemu args...]
#
# NAME is a guest in guests/build/ (hello, pit, pic, uart, rtc, spin, exits,
# triple, demo -> NAME.elf booted via PVH; bzimage -> bzimage.bin booted as a
# Linux bzImage).  A path to an image file works too.  COM1 is on stdio, so
# `printf 'hi\nquit\n' | guests/run-qemu.sh uart` feeds the UART.  QEMU's exit
# status is (code << 1) | 1 for a guest that writes `code` to port 0xf4
# (1 = success), 0 after a triple fault (-no-reboot).
# Environment: QEMU (default qemu-system-x86_64), QEMU_ACCEL (default tcg).
set -e
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 1 ]; then
	echo "usage: $0 NAME [extra qemu args...]" >&2
	exit 2
fi
name=$1
shift
case $name in
*/* | *.elf | *.bin) img=$name ;;
bzimage) img=$here/build/bzimage.bin ;;
*) img=$here/build/$name.elf ;;
esac
if [ ! -f "$img" ]; then
	echo "$0: no such guest image: $img (run make -C guests)" >&2
	exit 2
fi
exec "${QEMU:-qemu-system-x86_64}" -accel "${QEMU_ACCEL:-tcg}" -kernel "$img" \
	-device isa-debug-exit,iobase=0xf4,iosize=4 \
	-serial stdio -display none -monitor none -no-reboot -m 64 "$@"
