/*
 * A tiny preemptive scheduler: the boot thread (idle) plus kernel threads,
 * each with its own stack.  The PIT interrupt handler (IRQ0) saves the
 * running thread's trap frame and resumes another one's: a context switch is
 * returning through a different frame.  A thread yields by waiting for the
 * next tick (sti; hlt) rather than with a software interrupt: LoRe's build
 * hosts emulate guest ring-0 code and their KVM cannot emulate INT n.
 */
#include "demo.h"

#define MAX_THREADS 3
#define STACK_SIZE 8192

enum { T_FREE, T_RUNNABLE, T_DONE };

struct thread {
	const char *name;
	int state;
	struct trapframe *frame; /* saved while not running */
	void (*fn)(void);
	u8 stack[STACK_SIZE] __attribute__((aligned(16)));
};

static struct thread threads[MAX_THREADS]; /* [0] = boot/idle thread */
static struct thread *current;
volatile u32 sched_ticks, sched_switches;

static struct thread *pick_next(void)
{
	unsigned cur = (unsigned)(current - threads);
	for (unsigned i = 1; i < MAX_THREADS; i++) {
		unsigned n = (cur + i) % MAX_THREADS;
		if (n != 0 && threads[n].state == T_RUNNABLE)
			return &threads[n];
	}
	if (current != &threads[0] && current->state == T_RUNNABLE)
		return current;
	return &threads[0];
}

static void schedule(struct trapframe *tf)
{
	struct thread *next;

	current->frame = tf;
	next = pick_next();
	if (next != current) {
		sched_switches++;
		current = next;
		trap_switch_to(next->frame);
	}
}

static void timer_interrupt(struct trapframe *tf)
{
	sched_ticks++;
	pic_eoi(0);
	schedule(tf);
}

/* Give up the CPU until the next timer tick, which reschedules. */
void sched_yield(void)
{
	sti_hlt();
}

static void thread_start(void)
{
	current->fn();
	cli();
	current->state = T_DONE;
	for (;;)
		sched_yield();
}

void thread_create(const char *name, void (*fn)(void))
{
	for (unsigned i = 1; i < MAX_THREADS; i++) {
		struct thread *t = &threads[i];
		u64 top;
		struct trapframe *tf;

		if (t->state != T_FREE)
			continue;
		t->name = name;
		t->fn = fn;
		top = (u64)(t->stack + STACK_SIZE);
		*(u64 *)(top - 8) = 0; /* fake return address: ends backtraces */
		tf = (struct trapframe *)(top - 16 - sizeof(*tf));
		memset(tf, 0, sizeof(*tf));
		tf->rip = (u64)thread_start;
		tf->cs = KERNEL_CS;
		tf->rflags = 0x202; /* IF */
		tf->rsp = top - 8;
		tf->ss = KERNEL_DS;
		t->frame = tf;
		t->state = T_RUNNABLE;
		return;
	}
	lore_panic("thread_create: no free thread slot for %s", name);
}

void sched_init(void)
{
	threads[0].name = "idle";
	threads[0].state = T_RUNNABLE;
	current = &threads[0];
	trap_set_handler(IRQ_VECTOR(0), timer_interrupt);
}

static int all_done(void)
{
	for (unsigned i = 1; i < MAX_THREADS; i++)
		if (threads[i].state == T_RUNNABLE)
			return 0;
	return 1;
}

void sched_run(void)
{
	pit_program(0, 2, pit_divisor(DEMO_HZ));
	pic_unmask(0);
	/* The first yield switches to a thread; we come back only when no
	 * thread is runnable any more. */
	while (!all_done()) {
		sched_yield();
		if (!all_done())
			sti_hlt();
		cli();
	}
	pic_mask(0);
}
