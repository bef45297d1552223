/* minix/const.h - MINIX-wide constants: clicks (4 KiB in 3.1.1), booleans, sizes. */
#ifndef _MINIX_CONST_H
#define _MINIX_CONST_H
#define TRUE            1
#define FALSE           0
#define CLICK_SIZE      4096
#define CLICK_SHIFT     12
#define HZ              60      /* clock ticks per second */
#define NR_LOCAL_SEGS   3       /* T, D and S in a process's memory map */
#define T               0
#define D               1
#define S               2
#define P_NAME_LEN      8
#define PUBLIC
#define PRIVATE         static
#define FORWARD         static
#define EXTERN          extern
#endif
