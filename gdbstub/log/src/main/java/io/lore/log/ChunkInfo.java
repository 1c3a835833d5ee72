package io.lore.log;

/** Where an event chunk is and which events it holds: one entry of the footer index. */
public record ChunkInfo(long offset, long firstEvent, long baseOrdinal, int eventCount) {}
