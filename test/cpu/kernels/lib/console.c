/* Console of the CPU test kernels: a 16550 UART at COM1 (0x3F8), which qemu, Bochs, v86 and
 * our bare-mode runner all provide, polled on LSR.THRE before each byte. The kernel stops the
 * machine by writing to qemu's isa-debug-exit port (0xF4) and to Bochs's shutdown port
 * (0x8900, the string "Shutdown"); our runner stops on the 0xF4 write. */
#include "kernel.h"

#define COM1 0x3f8

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port) { u8 v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

void
console_init(void)
{
	outb(COM1 + 1, 0x00);   /* no UART interrupts */
	outb(COM1 + 3, 0x80);   /* DLAB on */
	outb(COM1 + 0, 0x01);   /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);   /* 8N1, DLAB off */
	outb(COM1 + 2, 0x00);   /* FIFO off: one byte at a time */
	outb(0x21, 0xff);       /* mask every PIC line: tests that set IF see no IRQ */
	outb(0xa1, 0xff);
}

void
putc_(char c)
{
	/* No bound on the wait: a loaded host can keep qemu's UART busy for long, and a byte written
	 * while it is busy is lost (seen as "cx=" for "ecx=" in a peer's line). The peer run's
	 * timeout covers a UART that never drains. */
	while ((inb(COM1 + 5) & 0x20) == 0)
		;
	outb(COM1, (u8)c);
}

void
puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void
put_hex(u32 v, int width)
{
	char buf[8];
	int n = 0;
	do {
		buf[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v != 0 && n < 8);
	while (n < width) buf[n++] = '0';
	while (n > 0) putc_(buf[--n]);
}

static void
put_dec(u32 v)
{
	char buf[10];
	int n = 0;
	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0) putc_(buf[--n]);
}

/* %s, %c, %d (unsigned), %x, %0Nx */
void
printf_(const char *fmt, ...)
{
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			putc_(*fmt);
			continue;
		}
		fmt++;
		int width = 0;
		if (*fmt == '0') fmt++;
		while (*fmt >= '1' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
		switch (*fmt) {
		case 's': puts_(__builtin_va_arg(ap, const char *)); break;
		case 'c': putc_((char)__builtin_va_arg(ap, int)); break;
		case 'd': put_dec(__builtin_va_arg(ap, u32)); break;
		case 'x': put_hex(__builtin_va_arg(ap, u32), width); break;
		default: putc_('%'); putc_(*fmt); break;
		}
	}
	__builtin_va_end(ap);
}

void
machine_exit(void)
{
	static const char shutdown[] = "Shutdown";
	puts_("END\n");
	for (int spins = 1000000; (inb(COM1 + 5) & 0x40) == 0 && spins > 0; spins--)
		;   /* wait for the transmitter to drain before the machine stops */
	outb(0xf4, 0x00);
	for (const char *p = shutdown; *p; p++)
		outb(0x8900, (u8)*p);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* kmain: common setup, then the kernel's own tests */
void
kmain(u32 magic)
{
	console_init();
	desc_init();
	printf_("BEGIN magic=%08x\n", magic);
	tests();
	machine_exit();
}
