/* stddef.h - size_t and NULL for the freestanding guest. */
#ifndef _STDDEF_H
#define _STDDEF_H
typedef unsigned int size_t;
#define NULL ((void *)0)
#define offsetof(type, field) __builtin_offsetof(type, field)
#endif
