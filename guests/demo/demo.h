/* LoRe demo kernel: shared declarations. */
#ifndef DEMO_H
#define DEMO_H

#include "lore.h"

#define DEMO_HZ 1000          /* PIT tick, preemption */
#define NR_RECORDS 2048       /* records the producer plans to send */
#define PROGRESS_EVERY 128    /* consumer progress line */
#define CHECKPOINT_EVERY 512  /* consumer checks the ring control block */
#define EPOCH_EVERY 700       /* producer emits an epoch marker record */
#define PAYLOAD_WORDS 12

enum rec_kind {
	KIND_DATA,
	KIND_FILL,
	KIND_SYNC,
	KIND_EPOCH, /* added later: "epoch marker" */
};

struct record {
	u32 seq;
	u32 kind;
	u32 len; /* payload words in use, 1..PAYLOAD_WORDS */
	u32 payload[PAYLOAD_WORDS];
	u32 checksum;
};

/* ring.c: single-producer single-consumer ring of records */
#define RING_SLOTS 8
#define RING_MAGIC 0x52494e47u /* "RING" */
struct ring_ctl {
	u32 magic;
	u32 nslots;
	volatile u32 head; /* written by the producer only */
	volatile u32 tail; /* written by the consumer only */
};
extern struct ring_ctl ring_ctl;
int ring_put(const struct record *r); /* 0: full */
int ring_get(struct record *r);       /* 0: empty */

/* stats.c: producer-side statistics */
void stats_note_record(const struct record *r);
u32 stats_total_words(void);

/* sched.c: two kernel threads, switched by the timer and by yields */
void sched_init(void);
void thread_create(const char *name, void (*fn)(void));
void sched_run(void); /* returns when every thread has finished */
void sched_yield(void);
extern volatile u32 sched_ticks, sched_switches;

/* main.c */
u32 record_checksum(const struct record *r);

#endif
