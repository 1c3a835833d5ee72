/**
 * Positioning asynchronous events with a guest branch counter, as in the LoRe paper: the
 * alternative to finding a recorded StatePoint by trapping at its RIP alone, which is exact
 * but slow when a tight loop passes that RIP many times.
 *
 * <h2>How it works</h2>
 * <ul>
 * <li><b>Record.</b> Each vCPU thread opens a {@link io.lore.replay.pmu.GuestBranchCounter}
 *     (retired conditional branches, guest mode only, following the thread) and resets and
 *     enables it before the first KVM_RUN. At each asynchronous injection the recorder reads
 *     the counter and stores the count next to the StatePoint (RIP, registers, digests).
 * <li><b>Replay.</b> After the preceding synchronous exit, {@link io.lore.replay.pmu.BranchSeek}
 *     drives the vCPU to (count B, RIP R): run with the counter armed to overflow at
 *     {@code B - margin} (the overflow sends real-time signal 40, the vCPU kick signal, so
 *     KVM_RUN returns EINTR), then a hardware breakpoint at R, counting each hit until the count
 *     equals B, then verify the StatePoint. The margin exceeds the PMU's skid, so a late
 *     overflow still stops before the target; the StatePoint check settles loops that pass R
 *     more than once at the same count.
 * <li><b>Selection.</b> {@link io.lore.replay.pmu.PmuSupport#detect()} picks the event for the
 *     CPU ({@link io.lore.replay.pmu.BranchEvent}) and really opens the counter once. The path
 *     is selected automatically when it reports available; otherwise recording and replay keep
 *     the StatePoint-only positioning, and {@code Detection.reason()} says why.
 * </ul>
 *
 * <h2>Status: untested on real hardware</h2>
 * No host this project runs on has a hardware PMU (the build machines' KVM exposes none, and
 * perf hardware events fail with ENOENT), so the counter has never counted a real guest branch
 * here. What is tested: the perf_event_attr layout and flag bits against the kernel header, the
 * syscall/ioctl/fcntl plumbing end to end with a software event (including overflow delivery of
 * signal 40 to the owning thread), the event table, every detection outcome, and the seek logic.
 * What only real hardware can show: that the guest-only count is exact and deterministic across
 * record and replay (KVM exits, emulated instructions and interrupt injection must not move it),
 * the actual skid (rr's figures are used: 100-125 on Intel, up to 10000 and occasionally more on
 * AMD Zen, where rr also requires the SpecLockMap optimisation to be disabled), and that
 * PERF_EVENT_IOC_PERIOD takes effect immediately on the host kernel (old kernels had a bug,
 * rr's "has_ioc_period_bug"). Before trusting it, compare recorded counts with a replay of the
 * same log on the target machine.
 */
package io.lore.replay.pmu;
