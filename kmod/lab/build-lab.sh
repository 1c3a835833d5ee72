#!/usr/bin/env bash
# Builds everything the lore.ko lab needs into OUT (default kmod/build/lab):
#   OUT/kbuild/       lore.ko built by kbuild against Debian's headers (log: kbuild.log)
#   OUT/rootfs/       the lab's initramfs tree: busybox, KVM and 9p modules, lore.ko,
#                     labtest (static C), the real-mode test guests, /init
#   OUT/initramfs.cpio.gz
# usage: kmod/lab/build-lab.sh [OUT]      (KVER=... to pick a kernel; default: the newest
#                                          with both /boot/vmlinuz-KVER and its headers)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
KMOD=$(cd "$HERE/.." && pwd)
OUT=${1:-$KMOD/build/lab}
KVER=${KVER:-$("$HERE/kernel-version.sh")}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# lore.ko: kbuild builds in the source directory, so build a copy (the tree stays clean).
rm -rf "$OUT/kbuild"
mkdir -p "$OUT/kbuild/include/uapi"
cp "$KMOD"/Kbuild "$KMOD"/*.c "$KMOD"/*.h "$OUT/kbuild/"
cp "$KMOD"/include/uapi/lore.h "$OUT/kbuild/include/uapi/"
if ! make -C "/lib/modules/$KVER/build" M="$OUT/kbuild" modules >"$OUT/kbuild.log" 2>&1; then
  cat "$OUT/kbuild.log" >&2
  echo "build-lab: kbuild failed (log above)" >&2
  exit 1
fi

R=$OUT/rootfs
rm -rf "$R"
mkdir -p "$R"/{bin,sbin,dev,proc,sys,tmp,mods,host,lab/guest}
cp /bin/busybox "$R/bin/busybox"
ln -s busybox "$R/bin/sh"

# KVM (AMD: the lab CPU is TCG's, which emulates SVM) and 9p over virtio, in load order.
for m in kvm_amd virtio_pci 9pnet_virtio 9p; do modprobe -S "$KVER" --show-depends "$m"; done \
  | awk '$1 == "insmod" {print $2}' | awk '!seen[$0]++' >"$OUT/modules.list"
: >"$R/mods/order"
while read -r ko; do
  cp "$ko" "$R/mods/"
  basename "$ko" >>"$R/mods/order"
done <"$OUT/modules.list"
cp "$OUT/kbuild/lore.ko" "$R/mods/lore.ko"

for g in "$HERE"/guest/*.S; do
  n=$(basename "$g" .S)
  as --32 -o "$OUT/$n.o" "$g"
  ld -m elf_i386 -Ttext=0x1000 --oformat binary -o "$R/lab/guest/$n.bin" "$OUT/$n.o"
done
gcc -O2 -Wall -Wextra -Werror -static -pthread -I"$KMOD" -o "$R/lab/labtest" "$HERE/labtest.c"
cp "$HERE/init.sh" "$R/init"
cp "$HERE/java-tests.sh" "$R/lab/java-tests.sh"
chmod +x "$R/init" "$R/lab/java-tests.sh"
echo "$KVER" >"$R/lab/kver"
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) >"$OUT/initramfs.cpio.gz"
echo "build-lab: $OUT/initramfs.cpio.gz (kernel $KVER)"
