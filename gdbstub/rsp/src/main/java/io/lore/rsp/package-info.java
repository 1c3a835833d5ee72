/**
 * LoRe's GDB Remote Serial Protocol server.
 *
 * <p>Layers, one concept per class: {@link io.lore.rsp.Frames} (checksums, 0x7d escaping,
 * run-length encoding) and {@code FrameDecoder} (bytes to packets/acks/Ctrl-C) make up the wire
 * format; {@code PacketChannel} is one connection (a reader thread that owns the socket input,
 * acks, no-ack mode, a packet queue); {@code PacketDispatcher} maps packet names and prefixes to
 * handlers; {@code GdbSession} is one client's protocol state machine; {@link io.lore.rsp.GdbServer}
 * accepts clients one at a time. {@link io.lore.rsp.TargetDescription} is the register table from
 * which both target.xml and {@code RegisterCodec} derive.
 *
 * <p>Threads and the target: every {@link io.lore.rsp.DebugTarget} call is made on the thread
 * that runs {@code GdbServer.serveOne/serveForever}, except {@link io.lore.rsp.DebugTarget#interrupt()},
 * which the connection's reader thread calls while {@code resume} is running, when GDB sends
 * Ctrl-C or disconnects. A Ctrl-C that arrives after a resume packet but before the run starts
 * is remembered and ends that run at once; one that arrives while the target is stopped is
 * dropped. {@code interrupt()} must not block; a target should latch it and clear the latch
 * when {@code resume} returns. Stop rules the target must follow: after a software breakpoint,
 * rip is the breakpoint address (the stub reports {@code swbreak}, so GDB does not back the PC
 * up, which would be a register write).
 */
package io.lore.rsp;
