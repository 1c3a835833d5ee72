/* COM1 16550A output and a small printf. */
#include "lore.h"

static unsigned tx_room;   /* bytes we may write before polling LSR again */
static int tx_poll_broken; /* THRE never came: stop waiting for it */
static char early_rx[16];
static size_t early_rx_len;

void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	/* Enabling the FIFOs resets them; keep what the receiver already holds
	 * (input piped in before the guest started) for the uart guest. */
	while (early_rx_len < sizeof(early_rx) && (inb(COM1 + UART_LSR) & LSR_DR))
		early_rx[early_rx_len++] = (char)inb(COM1 + UART_RBR);
	outb(COM1 + UART_LCR, 0x80);      /* DLAB */
	outb(COM1 + UART_DLL, 0x01);      /* 115200 baud */
	outb(COM1 + UART_DLM, 0x00);
	outb(COM1 + UART_LCR, 0x03);      /* 8N1 */
	outb(COM1 + UART_FCR, 0x07);      /* FIFOs on and cleared, RX trigger 1 */
	outb(COM1 + UART_MCR, 0x0b);      /* DTR, RTS, OUT2 (IRQ gate on PCs) */
	tx_room = 0;
}

size_t serial_take_early_rx(char *buf, size_t size)
{
	size_t n = early_rx_len < size ? early_rx_len : size;
	memcpy(buf, early_rx, n);
	early_rx_len = 0;
	return n;
}

void serial_putc(char c)
{
	if (tx_room == 0) {
		/* With FIFOs on, THRE means the 16-byte TX FIFO is empty: one
		 * LSR read per 16 characters instead of one per character. */
		if (!tx_poll_broken) {
			unsigned i;
			for (i = 0; i < 100000; i++)
				if (inb(COM1 + UART_LSR) & LSR_THRE)
					break;
			if (i == 100000)
				tx_poll_broken = 1;
		}
		tx_room = 16;
	}
	outb(COM1 + UART_THR, (u8)c);
	tx_room--;
}

void serial_write(const char *s, size_t n)
{
	while (n--)
		serial_putc(*s++);
}

void puts(const char *s)
{
	while (*s)
		serial_putc(*s++);
}

/* ------------------------------------------------------------ printf core */
struct sink {
	char *buf; /* NULL: serial */
	size_t size, len;
};

static void sink_put(struct sink *k, char c)
{
	if (!k->buf)
		serial_putc(c);
	else if (k->len + 1 < k->size)
		k->buf[k->len] = c;
	k->len++;
}

static void put_padded(struct sink *k, const char *s, size_t n, int width, int left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;
	if (!left)
		while (fill-- > 0)
			sink_put(k, pad);
	while (n--)
		sink_put(k, *s++);
	if (left)
		while (fill-- > 0)
			sink_put(k, ' ');
}

static int vformat(struct sink *k, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		char tmp[24], pad = ' ';
		int width = 0, left = 0, lng = 0;
		unsigned base = 10;
		int is_signed = 0, upper = 0;
		u64 v;
		size_t n;

		if (*fmt != '%') {
			sink_put(k, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = 1;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case '%':
			sink_put(k, '%');
			continue;
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			put_padded(k, tmp, 1, width, left, ' ');
			continue;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			put_padded(k, s, strlen(s), width, left, ' ');
			continue;
		}
		case 'p':
			v = (u64)va_arg(ap, void *);
			base = 16;
			sink_put(k, '0');
			sink_put(k, 'x');
			goto number;
		case 'd':
		case 'i':
			is_signed = 1;
			break;
		case 'u':
			break;
		case 'X':
			upper = 1;
			/* fall through */
		case 'x':
			base = 16;
			break;
		case 0:
			return (int)k->len;
		default:
			sink_put(k, '%');
			sink_put(k, *fmt);
			continue;
		}
		if (lng)
			v = is_signed ? (u64)va_arg(ap, s64) : va_arg(ap, u64);
		else
			v = is_signed ? (u64)(s64)va_arg(ap, int) : (u64)va_arg(ap, unsigned);
	number:
		n = 0;
		{
			int neg = is_signed && (s64)v < 0;
			if (neg)
				v = -v;
			do {
				unsigned d = v % base;
				tmp[sizeof(tmp) - 1 - n++] = (char)(d < 10 ? '0' + d : (upper ? 'A' : 'a') + d - 10);
				v /= base;
			} while (v);
			if (neg) {
				if (pad == '0') {
					sink_put(k, '-');
					if (width)
						width--;
				} else {
					tmp[sizeof(tmp) - 1 - n++] = '-';
				}
			}
		}
		put_padded(k, tmp + sizeof(tmp) - n, n, width, left, pad);
	}
	return (int)k->len;
}

int kvprintf(const char *fmt, va_list ap)
{
	struct sink k = {0, 0, 0};
	return vformat(&k, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	struct sink k = {buf, size, 0};
	va_list ap;
	va_start(ap, fmt);
	vformat(&k, fmt, ap);
	va_end(ap);
	if (size)
		buf[k.len < size ? k.len : size - 1] = 0;
	return (int)k.len;
}
