/* minix/types.h - the fixed-width and MINIX scalar types every guest program uses. */
#ifndef _MINIX_TYPES_H
#define _MINIX_TYPES_H
typedef unsigned char      u8_t;
typedef unsigned short     u16_t;
typedef unsigned int       u32_t;
typedef unsigned long long u64_t;
typedef int                i32_t;
typedef unsigned int       vir_bytes;    /* virtual address, bytes */
typedef unsigned int       phys_bytes;   /* pseudo-physical address, bytes */
typedef unsigned int       vir_clicks;
typedef unsigned int       phys_clicks;
typedef unsigned int       reg_t;
typedef long               clock_t;
typedef int                pid_t;
typedef unsigned short     bitchunk_t;   /* one chunk of a bitmap */

struct mem_map {
	vir_clicks  mem_vir;     /* virtual address of the segment, clicks */
	phys_clicks mem_phys;    /* pseudo-physical address, clicks */
	vir_clicks  mem_len;     /* length, clicks */
};
#endif
