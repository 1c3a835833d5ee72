#!/usr/bin/env bash
# Boots the lore.ko lab: Debian's kernel under qemu-system-x86_64 TCG (-cpu max: AMD with
# SVM and nested paging, so kvm_amd runs a standard KVM), the initramfs of build-lab.sh, and
# this host's root filesystem read-only over 9p (so the lab runs the project's own Java).
# The lab's /init prints one "ok - name" / "not ok - name: why" line per test.
# usage: kmod/lab/run-lab.sh [OUT] [extra kernel command line, e.g. lore.java=0]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE/../build/lab}
EXTRA=${2:-}
if [ ! -f "$OUT/initramfs.cpio.gz" ] || [ ! -f "$OUT/rootfs/lab/kver" ]; then
  echo "run-lab: no lab in $OUT: build it first with kmod/lab/build-lab.sh $OUT" >&2
  exit 2
fi
KVER=$(cat "$OUT/rootfs/lab/kver")
ROOT=$(cd "$HERE/../.." && pwd)
exec timeout -k 5 "${LAB_TIMEOUT:-900}" qemu-system-x86_64 -accel tcg -cpu max -m 3G -smp 1 \
  -nographic -no-reboot -monitor none -serial stdio -display none \
  -kernel "/boot/vmlinuz-$KVER" -initrd "$OUT/initramfs.cpio.gz" \
  -append "console=ttyS0 quiet loglevel=1 panic=-1 lore.root=$ROOT $EXTRA" \
  -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
  -device isa-debug-exit,iobase=0xf4,iosize=0x04 -net none
