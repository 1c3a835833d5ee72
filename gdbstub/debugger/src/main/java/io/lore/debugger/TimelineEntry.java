package io.lore.debugger;

/**
 * One recorded event as a timeline shows it: which lane it belongs to ("interrupt 0x20",
 * "port I/O", "serial", "mmio", "halt", "digest", "end"), where it is, and a label.
 * {@code guestSeconds} is the guest time of the event, interpolated between the recording's
 * time marks.
 */
public record TimelineEntry(long eventIndex, long exit, double guestSeconds, String lane, String label) {}
