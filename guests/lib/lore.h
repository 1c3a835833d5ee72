/*
 * LoRe guest runtime: everything a test guest needs, in one header.
 *
 * The runtime (guests/lib/) boots a PVH ELF (or, for the bzImage guest, the
 * Linux boot protocol) into 64-bit long mode at CPL0 with the first 4 GiB
 * identity mapped, zeroes .bss, sets up a GDT, an IDT whose 256 vectors all
 * go to trap_dispatch(), COM1 at 115200 8N1 with FIFOs, remaps both 8259 PICs
 * to vectors 0x20/0x28 with every IRQ masked, and then calls the guest's
 * kmain().  Interrupts stay disabled (IF=0) until the guest enables them.
 * kmain's return value is passed to lore_exit().
 */
#ifndef LORE_H
#define LORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define barrier() __asm__ __volatile__("" ::: "memory")
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

/* ---------------------------------------------------------------- exit codes
 * Written to the isa-debug-exit port 0xf4; the host sees (code << 1) | 1. */
#define EXIT_OK 0          /* all checks passed            -> host status 1   */
#define EXIT_FAIL 1        /* at least one check failed    -> host status 3   */
#define EXIT_PANIC 0x70    /* lore_panic()                 -> host status 225 */
#define EXIT_EXCEPTION 0x71 /* unexpected CPU exception     -> host status 227 */
#define EXIT_IRQ 0x72      /* unexpected interrupt vector  -> host status 229 */
#define DEBUG_EXIT_PORT 0xf4

/* ---------------------------------------------------------------- port I/O */
static inline void outb(u16 port, u8 v) { __asm__ __volatile__("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { __asm__ __volatile__("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ __volatile__("outl %0, %1" ::"a"(v), "Nd"(port)); }
static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline u16 inw(u16 port)
{
	u16 v;
	__asm__ __volatile__("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline u32 inl(u16 port)
{
	u32 v;
	__asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* ---------------------------------------------------------------- CPU */
static inline void cli(void) { __asm__ __volatile__("cli" ::: "memory"); }
static inline void sti(void) { __asm__ __volatile__("sti" ::: "memory"); }
static inline void hlt(void) { __asm__ __volatile__("hlt" ::: "memory"); }
/* sti;hlt is atomic w.r.t. interrupts (STI shadow): no lost wake-up. */
static inline void sti_hlt(void) { __asm__ __volatile__("sti; hlt" ::: "memory"); }
static inline void cpu_relax(void) { __asm__ __volatile__("pause" ::: "memory"); }
static inline u64 read_rflags(void)
{
	u64 f;
	__asm__ __volatile__("pushfq; popq %0" : "=r"(f)::"memory");
	return f;
}
static inline u64 irq_save(void)
{
	u64 f = read_rflags();
	cli();
	return f;
}
static inline void irq_restore(u64 flags)
{
	if (flags & 0x200)
		sti();
}
#define RFLAGS_IF 0x200ull

/* ---------------------------------------------------------------- boot info */
#define HVM_START_MAGIC 0x336ec578u
struct hvm_start_info {
	u32 magic;
	u32 version;
	u32 flags;
	u32 nr_modules;
	u64 modlist_paddr;
	u64 cmdline_paddr;
	u64 rsdp_paddr;
	u64 memmap_paddr; /* version >= 1 */
	u32 memmap_entries;
	u32 reserved;
};
struct hvm_modlist_entry {
	u64 paddr;
	u64 size;
	u64 cmdline_paddr;
	u64 reserved;
};
struct hvm_memmap_table_entry {
	u64 addr;
	u64 size;
	u32 type;
	u32 reserved;
};
/* Implemented by every guest; its return value becomes the exit code.
 * PVH guests get the hvm_start_info, the bzImage guest (which defines
 * LORE_BZIMAGE before including this header) the Linux boot_params. */
#ifdef LORE_BZIMAGE
int kmain(const u8 *boot_params);
#else
int kmain(const struct hvm_start_info *si);
#endif
/* Command line of a PVH boot ("" when there is none). */
const char *pvh_cmdline(const struct hvm_start_info *si);
const char *e820_type_name(u32 type);

/* ---------------------------------------------------------------- strings */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
/* Value of "key=value" in a space-separated command line, as a number
 * (decimal or 0x hex); dflt when absent or malformed. */
u64 cmdline_u64(const char *cmdline, const char *key, u64 dflt);

/* ---------------------------------------------------------------- COM1 */
#define COM1 0x3f8
#define UART_RBR 0 /* DLAB=0, read */
#define UART_THR 0 /* DLAB=0, write */
#define UART_DLL 0 /* DLAB=1 */
#define UART_IER 1 /* DLAB=0 */
#define UART_DLM 1 /* DLAB=1 */
#define UART_IIR 2 /* read */
#define UART_FCR 2 /* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
void serial_init(void);
void serial_putc(char c);
void serial_write(const char *s, size_t n);
void puts(const char *s); /* no newline added */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Bytes that were already waiting in the receiver when serial_init()
 * enabled (and thereby reset) the FIFOs; serial_take_early_rx() hands them
 * out once. */
size_t serial_take_early_rx(char *buf, size_t size);

/* ---------------------------------------------------------------- exit, panic */
void lore_exit(int code) __attribute__((noreturn));
void lore_panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void lore_triple_fault(void) __attribute__((noreturn));

/* ---------------------------------------------------------------- checks
 * Every check prints "ok <what>" or "FAIL <what>: expected X got Y". */
extern unsigned checks_run, checks_failed;
int check_eq(const char *what, u64 expected, u64 got);   /* decimal */
int check_eqx(const char *what, u64 expected, u64 got);  /* hex */
int check_range(const char *what, u64 lo, u64 hi, u64 got); /* lo <= got <= hi */
int check_true(const char *what, int cond, const char *expected, const char *got);
/* Prints the summary line and returns EXIT_OK or EXIT_FAIL. */
int checks_finish(const char *guest);

/* ---------------------------------------------------------------- traps */
struct trapframe {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};
typedef void (*trap_handler_t)(struct trapframe *tf);
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
void idt_init(void);
void trap_set_handler(unsigned vector, trap_handler_t h);
/* From inside a handler: resume another (saved) frame instead of tf when
 * the handler returns.  This is how the demo switches threads. */
void trap_switch_to(struct trapframe *next);
void lidt_raw(u16 limit, u64 base);
void trap_dump(const struct trapframe *tf);

/* ---------------------------------------------------------------- 8259 PIC */
#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define PIC1_BASE 0x20 /* IRQ0-7  -> vectors 0x20-0x27 */
#define PIC2_BASE 0x28 /* IRQ8-15 -> vectors 0x28-0x2f */
#define IRQ_VECTOR(irq) ((irq) < 8 ? PIC1_BASE + (irq) : PIC2_BASE + (irq) - 8)
void pic_init(u8 base1, u8 base2); /* ICW1-4, then mask everything */
void pic_set_mask(u16 mask);       /* bit n = IRQ n masked (bits 8-15 slave) */
u16 pic_get_mask(void);
void pic_unmask(unsigned irq);     /* unmasking a slave IRQ also unmasks IRQ2 */
void pic_mask(unsigned irq);
void pic_eoi(unsigned irq);        /* non-specific EOI (slave, then master) */
u16 pic_read_irr(void);            /* OCW3 read IRR, both chips */
u16 pic_read_isr(void);            /* OCW3 read ISR, both chips */
extern volatile u32 pic_spurious_master, pic_spurious_slave;

/* ---------------------------------------------------------------- 8254 PIT */
#define PIT_HZ 1193182u
#define PIT_CH0 0x40
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PORT_61 0x61
/* Channel 0, lobyte/hibyte access, binary, given mode and reload value. */
void pit_program(unsigned channel, unsigned mode, u16 count);
u16 pit_divisor(unsigned hz);
u16 pit_latch_count(unsigned channel);
u8 pit_read_status(unsigned channel); /* read-back command, status only */
/* Channel 2 as a poll-able one-shot timer: gate on, speaker off, mode 0. */
void pit_ch2_start(u16 count);
int pit_ch2_expired(void); /* port 0x61 bit 5 = channel 2 OUT */
/* With interrupts off, wait until IRQ0 is pending in the master's IRR, at most
 * guard_us (timed with channel 2, chained counts beyond 54 ms); 1 if it is. */
int pit_wait_irq0_pending(u32 guard_us);
/* IRQ0 ticks counted by the handler pit_count_irq0() installs (it also sends the EOI). */
extern volatile u32 pit_ticks;
void pit_count_irq0(void);
/* Busy-wait about us microseconds on channel 2 (<= 54 ms); returns 0 if
 * channel 2 never expired within a generous iteration bound. */
int pit_ch2_delay_us(u32 us);

/* ---------------------------------------------------------------- CMOS */
u8 cmos_read(u8 reg);
void cmos_write(u8 reg, u8 v);

#endif
