#!/bin/sh
# /init of the lore.ko lab (see run-lab.sh). Every check prints "ok - name" or
# "not ok - name: why"; "# ..." lines are commentary. Ends with "# lab done" and powers off.
export PATH=/bin:/sbin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
arg() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" /proc/cmdline; }
ok() { echo "ok - $1"; }
fail() { echo "not ok - $1: $2"; }
check() { name=$1; shift; if "$@" >/tmp/check.out 2>&1; then ok "$name"; else fail "$name" "$(tail -3 /tmp/check.out | tr '\n' ' ')"; fi; }
up() { cut -d' ' -f1 /proc/uptime; }

echo "# lab kernel $(uname -r), uptime $(up) s"
loaded=1
for m in $(cat /mods/order); do
  insmod "/mods/$m" || { loaded=0; echo "# insmod $m failed"; }
done
[ $loaded = 1 ] && ok kvm_and_9p_modules_load || fail kvm_and_9p_modules_load "see the lines above"

check lore_module_loads insmod /mods/lore.ko
check lore_device_ready sh -c 'dmesg | grep -q "lore: /dev/lore ready (ABI 1, capabilities trace tsc)" && test -c /dev/lore'

# The probes assume Linux 6.1's tracepoint arguments; the kernel's own format files say
# which fields each event records (in argument order).
fields() { sed -n 's/^\tfield:[^;]* \**\([a-z_]*\)\(\[[0-9]*\]\)*;.*/\1/p' "/sys/kernel/tracing/events/kvm/$1/format" | grep -v '^common_' | tr '\n' ' '; }
tp_check() {   # name, accepted field lists...
  got=$(fields "$1"); name=$1; shift
  for want in "$@"; do
    if [ "$got" = "$want" ]; then ok "tracepoint_${name}_as_expected"; return; fi
  done
  fail "tracepoint_${name}_as_expected" "fields '$got', expected one of: $*"
}
tp_check kvm_pio "rw port size count val "
tp_check kvm_mmio "type len gpa val "
tp_check kvm_msr "write ecx data exception "
tp_check kvm_inj_virq "vector soft reinjected "
# kvm_exit(vcpu, isa): only the vCPU and the ISA are read
tp_check kvm_exit "exit_reason guest_rip isa info1 info2 intr_info error_code vcpu_id " \
  "exit_reason guest_rip isa intr_info error_code vcpu_id "
# kvm_entry(vcpu[, immediate_exit]): only the vCPU is read
tp_check kvm_entry "vcpu_id rip " "vcpu_id rip immediate_exit "

echo "# labtest start uptime $(up)"
/lab/labtest /lab/guest
echo "# labtest end uptime $(up)"

# Unloading: refused while a session is open (the open file holds the module), clean after.
exec 3</dev/lore
if rmmod lore 2>/dev/null; then fail unload_refused_while_open "rmmod succeeded"; else ok unload_refused_while_open; fi
exec 3<&-
check unload_after_close rmmod lore
check reload insmod /mods/lore.ko

if [ "$(arg lore.java)" != 0 ]; then
  ROOT=$(arg lore.root)
  if mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /host; then
    ok host_root_over_9p
    # writable space goes to /dev/shm, not /tmp: the repository may live under the host's /tmp
    mount -t proc proc /host/proc && mount -t sysfs sysfs /host/sys && mount -t devtmpfs devtmpfs /host/dev &&
      mkdir -p /host/dev/shm && mount -t tmpfs tmpfs /host/dev/shm && ok chroot_filesystems ||
      fail chroot_filesystems "mount failed"
    echo "# java tests start uptime $(up)"
    guests=$(arg lore.guests | tr ',' ' ')
    if [ -z "$guests" ]; then
      # Replay finds interrupts injected while the guest computed with KVM's hardware
      # breakpoints; where they do not fire, only guests without such interrupts replay.
      if [ "$(/lab/labtest /lab/guest --probe-hwbp)" = "hwbp yes" ]; then
        guests="hello exits rtc pit pic demo"
      else
        guests="hello exits rtc"
        echo "# hardware breakpoints of KVM guest debugging do not fire in this lab: the guests with"
        echo "# interrupts positioned by state (pit, pic, demo) are not replayed here (lore.guests=pit,pic,demo)"
      fi
    fi
    userguests=$(arg lore.userguests | tr ',' ' ')
    chroot /host /bin/sh -s "$ROOT" kernel "$guests" </lab/java-tests.sh
    rmmod lore
    chroot /host /bin/sh -s "$ROOT" user "$guests" "$userguests" </lab/java-tests.sh
    insmod /mods/lore.ko
    echo "# java tests end uptime $(up)"
  else
    fail host_root_over_9p "mount failed"
  fi
fi

if dmesg | grep -E "BUG:|WARNING:|Oops|general protection|Call Trace" >/tmp/bad; then
  fail kernel_log_clean "$(head -3 /tmp/bad | tr '\n' ' ')"
  dmesg | grep -B5 -A30 -E "BUG:|WARNING:|Oops" | head -80 | sed 's/^/# /'
else
  ok kernel_log_clean
fi
echo "# lab done uptime $(up)"
poweroff -f
