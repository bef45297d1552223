/*
 * doprnt.c - the printf formatting engine shared by the kernel and processes: %d %i %u %x %X
 * %o %c %s %p %%, with '-', '0', width, precision for strings, and 'l'/'ll' sizes.
 * Characters go to a callback; snprintf is the buffer-filling user of it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct bufout {
	char  *buf;
	size_t size;
	size_t len;
};

static int
put_number(putc_fn put, void *arg, unsigned long long v, unsigned base, int upper,
    int neg, int width, int zero, int left)
{
	char digits[24];
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0, len, count = 0;

	do {
		digits[n++] = set[v % base];
		v /= base;
	} while (v != 0);
	len = n + neg;
	if (neg && zero)
		put('-', arg), count++;
	if (!left)
		for (; width > len; width--, count++)
			put(zero ? '0' : ' ', arg);
	if (neg && !zero)
		put('-', arg), count++;
	while (n > 0)
		put(digits[--n], arg), count++;
	for (; left && width > len; width--, count++)
		put(' ', arg);
	return count;
}

int
doprnt(putc_fn put, void *arg, const char *fmt, va_list ap)
{
	int count = 0;

	for (; *fmt != '\0'; fmt++) {
		int width = 0, prec = -1, zero = 0, left = 0, longs = 0;
		unsigned long long u;
		long long s;
		const char *str;

		if (*fmt != '%') {
			put(*fmt, arg);
			count++;
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = 1;
			else if (*fmt == '0')
				zero = 1;
			else
				break;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		if (*fmt == '.')
			for (prec = 0, fmt++; *fmt >= '0' && *fmt <= '9'; fmt++)
				prec = prec * 10 + (*fmt - '0');
		for (; *fmt == 'l'; fmt++)
			longs++;
		switch (*fmt) {
		case 'd':
		case 'i':
			s = longs > 1 ? va_arg(ap, long long) : longs ? va_arg(ap, long) : va_arg(ap, int);
			u = s < 0 ? -(unsigned long long)s : (unsigned long long)s;
			count += put_number(put, arg, u, 10, 0, s < 0, width, zero, left);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			u = longs > 1 ? va_arg(ap, unsigned long long) : longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
			count += put_number(put, arg, u, *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16, *fmt == 'X', 0, width, zero, left);
			break;
		case 'p':
			put('0', arg), put('x', arg), count += 2;
			count += put_number(put, arg, (unsigned)va_arg(ap, void *), 16, 0, 0, 8, 1, 0);
			break;
		case 'c':
			put(va_arg(ap, int), arg);
			count++;
			break;
		case 's':
			str = va_arg(ap, const char *);
			if (str == NULL)
				str = "(null)";
			{
				int len = 0;
				while (str[len] != '\0' && (prec < 0 || len < prec))
					len++;
				for (; !left && width > len; width--, count++)
					put(' ', arg);
				for (int i = 0; i < len; i++, count++)
					put(str[i], arg);
				for (; left && width > len; width--, count++)
					put(' ', arg);
			}
			break;
		case '%':
			put('%', arg);
			count++;
			break;
		case '\0':
			return count;
		default:
			put('%', arg), put(*fmt, arg), count += 2;
			break;
		}
	}
	return count;
}

static void
buf_put(int c, void *arg)
{
	struct bufout *b = arg;

	if (b->len + 1 < b->size)
		b->buf[b->len] = (char)c;
	b->len++;
}

int
vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct bufout b = { buf, size, 0 };
	int n = doprnt(buf_put, &b, fmt, ap);

	if (size > 0)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return n;
}

int
snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
