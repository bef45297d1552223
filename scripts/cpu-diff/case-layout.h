/* Fixed address-space layout and record formats shared by the native snippet harness and,
 * through test/cpu/diff/layout.ts, the emulator side. Every address a generated case touches
 * lies below 64 KiB so 16-bit addressing reaches it with flat segments (needs
 * vm.mmap_min_addr <= 0x8000). */
#ifndef CASE_LAYOUT_H
#define CASE_LAYOUT_H

#define DATA_BASE   0x8000u   /* two read/write pages: scratch data and stack */
#define DATA_SIZE   0x2000u
#define RO_BASE     0xA000u   /* one read-only page: writes fault with #PF(P|W|U) */
#define RO_SIZE     0x1000u
#define CODE_BASE   0xC000u   /* one executable page, 0xCC everywhere but the case's bytes */
#define CODE_SIZE   0x1000u
#define PATTERN_SEED 0x2545F491u /* xorshift32 seed filling DATA and RO pages word by word */

#define USER_CS 0x23u         /* Linux's 32-bit user code and data selectors */
#define USER_DS 0x2Bu

/* Input record (little-endian):
 *   u32 reclen; u32 eax,ecx,edx,ebx,esp,ebp,esi,edi; u32 eflags; u16 ds,es,fs,gs;  (52 bytes)
 *   u16 code_off; u8 code_len; u8 npatch; u8 code[code_len];
 *   npatch x { u16 addr; u8 len; u8 bytes[len] }
 * Output record:
 *   u32 reclen; u32 eax..edi; u32 eflags; u32 eip; u16 cs,ss,ds,es,fs,gs;
 *   u8 signo; u8 trapno; u16 nchanged; u32 err; u32 cr2; u32 flags (bit 0: the case stored into
 *   the code page, which the generator must never allow); nchanged x { u16 addr; u8 value } */
#define IN_FIXED   52u
#define OUT_FIXED  72u

#endif
