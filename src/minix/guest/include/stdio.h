/*
 * stdio.h - printf-style formatting of the guest library (lib/doprnt.c): one engine that hands
 * each character to a callback, so the kernel (console_io) and processes (TTY) share it.
 * Needs stdarg.h and stddef.h.
 */
#ifndef _STDIO_H
#define _STDIO_H
typedef void (*putc_fn)(int c, void *arg);
int doprnt(putc_fn put, void *arg, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
/* Processes only: formats and writes through the TTY (lib/printf.c). */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#endif
