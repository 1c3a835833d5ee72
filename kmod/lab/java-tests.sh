# Run by the lab's /init inside chroot /host (the build host's root, read-only): LoRe's own
# Java (the `lore` command of gdbstub/cli/target) recording and replaying guests on the lab's
# standard KVM. Writes only to /dev/shm/lore (the lab's tmpfs).
#   $1 = the repository root; $2 = phase:
#     kernel  lore.ko loaded: kernel-assisted capture, incl. the TSC guest, and round trips
#     user    lore.ko unloaded: user-space capture; the TSC guest must diverge on replay
ROOT=$1
PHASE=$2
GUESTS=${3:-hello exits rtc}                # chosen by /init (lore.guests=a,b,c to pick)
USER_GUESTS=$4                               # lore.userguests=a,b,c: round trips without lore.ko too
G=$ROOT/guests/build
W=/dev/shm/lore
mkdir -p $W
export TMPDIR=$W
export JAVA_TOOL_OPTIONS="-Djna.tmpdir=$W -Djava.io.tmpdir=$W -XX:-UsePerfData -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto"
# every JVM start costs ~10 s here (TCG); 240 s bounds a command that would hang
lore() { timeout -s KILL 240 java -jar "$ROOT/gdbstub/cli/target/lore.jar" "$@"; }
ok() { echo "ok - $1"; }
fail() { echo "not ok - $1: $2"; }
up() { cut -d' ' -f1 /proc/uptime; }

# record NAME GUEST [lore record options]: records; the output is in $W/NAME.rec
record() {
  name=$1; guest=$2; shift 2
  lore record --kernel "$G/$guest.elf" --out "$W/$name.lore" --serial-out "$W/$name.serial" --time-limit 60 "$@" \
    >$W/$name.rec 2>&1
}

# round trip NAME GUEST CAPTURE [record options]: record, check the header's capture, replay --verify
round_trip() {
  name=$1; guest=$2; capture=$3; shift 3
  t0=$(up)
  record "$name" "$guest" "$@"
  if ! grep -q "capture: $capture" "$W/$name.rec"; then
    fail "${name}_round_trip" "recorder did not report '$capture' capture: $(tail -3 $W/$name.rec | tr '\n' ' ')"
    return
  fi
  if ! lore info "$W/$name.lore" --json >$W/$name.info 2>&1 || ! grep -q "\"capture\" *: *\"$capture\"" $W/$name.info; then
    fail "${name}_round_trip" "header does not say $capture: $(grep -i capture $W/$name.info | head -2 | tr '\n' ' ')"
    return
  fi
  lore replay "$W/$name.lore" --verify --serial-out "$W/$name.replayed" >$W/$name.rep 2>&1
  rc=$?
  if [ $rc = 0 ] && cmp -s "$W/$name.serial" "$W/$name.replayed"; then
    ok "${name}_round_trip"
    echo "# $name: $(grep -m1 'lore: recorded' $W/$name.rec | cut -c1-150); $(( ${t0%.*} )) s -> $(up) s"
  else
    fail "${name}_round_trip" "replay rc=$rc: $(grep -m1 -i diverg $W/$name.rep)"
    sed 's/^/#   /' $W/$name.rep | head -40
  fi
}

case $PHASE in
kernel)
  java -version >$W/java.out 2>&1 && ok java_runs_in_the_lab || fail java_runs_in_the_lab "$(tail -2 $W/java.out)"
  # The TSC guest: lore.ko logged its RDTSC values and hands them back.
  round_trip tsc_kernel_assisted tsc kernel-assisted
  n=$(sed -n 's/.*; \([0-9]*\) RDTSC values logged.*/\1/p' $W/tsc_kernel_assisted.rec)
  if [ -n "$n" ] && [ "$n" -gt 64 ]; then ok tsc_values_logged; else fail tsc_values_logged "logged '${n:-none}'"; fi
  if lore events $W/tsc_kernel_assisted.lore --kind tsc --limit 3 2>&1 | grep -q "tsc .*rip 0x"; then
    ok tsc_events_listed
  else
    fail tsc_events_listed "$(lore events $W/tsc_kernel_assisted.lore --kind tsc --limit 3 2>&1 | head -2)"
  fi
  # A replay that is handed different TSC values must say so: swap the recording's values
  # by replaying another TSC recording's header... (covered by the C lab tests: feed RIP
  # mismatch); here the record/replay round trips of the test guests on standard KVM:
  # Replay notices TSC values that do not fit: fewer than the guest reads, or at another RIP.
  edit() { timeout -s KILL 240 java -cp "$ROOT/gdbstub/lab/target/test-classes:$ROOT/gdbstub/cli/target/lib/*" \
    io.lore.lab.TscEdit "$@"; }
  # refused CHECK FILE EDIT-ARGS MESSAGE: the recording edited into $W/FILE.lore replays with status 1, saying MESSAGE
  refused() {
    local name=$1 edited=$W/$2.lore message=$4
    if edit $W/tsc_kernel_assisted.lore $edited $3 >$W/edit.out 2>&1; then
      lore replay $edited >$W/$2.rep 2>&1
      rc=$?
      if [ $rc = 1 ] && grep -q "$message" $W/$2.rep; then
        ok $name
      else
        fail $name "rc=$rc: $(grep -v JAVA_TOOL $W/$2.rep | head -4 | tr '\n' ' ')"
      fi
    else
      fail $name "TscEdit: $(tail -2 $W/edit.out | tr '\n' ' ')"
    fi
  }
  refused replay_notices_missing_tsc_values tsc_short "drop-last 3" "the guest read the TSC more often than the"
  refused replay_notices_a_tsc_value_at_another_rip tsc_moved "move 5" "1 RDTSC(s) executed at a different RIP than recorded"
  for g in $GUESTS; do
    case $g in
      exits) round_trip exits exits kernel-assisted --cmdline n=5000 ;;
      *) round_trip "$g" "$g" kernel-assisted ;;
    esac
  done
  ;;
user)
  # Without lore.ko: user-space capture, and the TSC guest cannot replay (and says so).
  record tsc_user tsc
  if grep -q "capture: user-space" $W/tsc_user.rec; then ok user_space_capture_without_lore_ko; else
    fail user_space_capture_without_lore_ko "$(tail -3 $W/tsc_user.rec | tr '\n' ' ')"; fi
  lore replay $W/tsc_user.lore --verify >$W/tsc_user.rep 2>&1
  rc=$?
  if [ $rc = 1 ] && grep -qi diverge $W/tsc_user.rep; then ok tsc_without_lore_ko_diverges_and_says_so; else
    fail tsc_without_lore_ko_diverges_and_says_so "replay rc=$rc: $(tail -3 $W/tsc_user.rep | tr '\n' ' ')"; fi
  # The same guests with user-space capture on this standard KVM.
  for g in $USER_GUESTS; do
    round_trip "user_$g" "$g" user-space
  done
  # A kernel-assisted recording with RDTSC values cannot replay without lore.ko: one clear line.
  lore replay $W/tsc_kernel_assisted.lore >$W/tsc_needs.rep 2>&1
  rc=$?
  if [ $rc = 2 ] && grep -q "lore: error: .*replays only with lore.ko" $W/tsc_needs.rep && ! grep -q "Exception\|\tat " $W/tsc_needs.rep; then
    ok kernel_assisted_recording_needs_lore_ko
  else
    fail kernel_assisted_recording_needs_lore_ko "rc=$rc: $(head -3 $W/tsc_needs.rep | tr '\n' ' ')"
  fi
  ;;
esac
