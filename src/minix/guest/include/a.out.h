/*
 * a.out.h - MINIX a.out header flag bits the kernel reads from the boot headers (MINIX
 * include/a.out.h; minix-facts 1.1). The host twin is src/minix/aout.ts.
 */
#ifndef _AOUT_H
#define _AOUT_H
#define A_EXEC  0x10    /* executable, common I&D */
#define A_SEP   0x20    /* separate I&D: text and data each from virtual 0 in their own segment */
#endif
