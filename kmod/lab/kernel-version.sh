#!/usr/bin/env bash
# Prints the kernel version the lab uses: the newest one installed with both its image
# (/boot/vmlinuz-V, Debian's linux-image-amd64) and its kbuild headers (linux-headers-amd64).
set -euo pipefail
for img in $(ls -v /boot/vmlinuz-* 2>/dev/null | sort -rV); do
  v=${img#/boot/vmlinuz-}
  if [ -d "/lib/modules/$v/build" ] && [ -d "/lib/modules/$v/kernel/arch/x86/kvm" ]; then
    echo "$v"
    exit 0
  fi
done
echo "kernel-version: no kernel with both /boot/vmlinuz-V and /lib/modules/V/build (install linux-image-amd64 linux-headers-amd64)" >&2
exit 1
