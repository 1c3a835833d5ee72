/**
 * Whole-machine checkpoints with incremental memory: the foundation of reverse execution
 * (restore the nearest checkpoint before a target position, replay forward to it).
 *
 * <ul>
 * <li>{@link io.lore.replay.checkpoint.DirtyPageTracker}: the single reader of KVM's dirty log,
 *     accumulating written pages for several consumers (the checkpoint store, the replay's memory
 *     digest) and telling them of pages the host rewrote.
 * <li>{@link io.lore.replay.checkpoint.VcpuState}: a snapshot of the vCPU (registers, special
 *     registers, XSAVE, XCRs, events, debug registers, MSRs) with capture and restore in KVM's
 *     required order; {@link io.lore.replay.checkpoint.VcpuStateSupport} is what this KVM offers.
 * <li>{@link io.lore.replay.checkpoint.CheckpointStore}: checkpoints at opaque positions, per-page
 *     version lists, exact restores in both directions, a memory budget with spread-preserving
 *     eviction.
 * </ul>
 *
 * <h2>Wiring still to do</h2>
 * {@code io.lore.replay.MemoryDigest} reads KVM_GET_DIRTY_LOG itself; it must become a consumer
 * of the VM's {@link io.lore.replay.checkpoint.DirtyPageTracker} (see that class) before a
 * {@link io.lore.replay.checkpoint.CheckpointStore} is used on the same VM, or each of them
 * misses the pages the other collected. With the tracker it also learns which pages a restore
 * rewrote. One tracker per VM, created before either of them.
 *
 * <h2>Facts about this host's KVM that shaped the code</h2>
 * <ul>
 * <li>After a PIO IN exit KVM finishes the instruction only at the next KVM_RUN (RIP still at
 *     the IN); OUT exits are already finished here (RIP past the OUT; on standard KVM they are
 *     not). Capture and restore complete a pending exit with an {@code immediate_exit} KVM_RUN.
 *     {@code kvm_run.exit_reason} keeps its old value after such a run.
 * <li>With a user-space irqchip KVM reloads CR8 from {@code kvm_run.cr8} at every entry, so a
 *     restore sets that field too ({@code RunArea.cr8}).
 * <li>Guest CPL3 code runs natively through shadow page tables that host writes to guest page
 *     tables do not invalidate, nor does KVM_SET_SREGS (even with a different CR3 in between);
 *     moving the memory slot away and back does (about 0.3-0.6 ms).
 * <li>A host write of the TSC MSR close to the value KVM expects is taken as a synchronization
 *     request: the TSC does not go back on restore.
 * </ul>
 */
package io.lore.replay.checkpoint;
