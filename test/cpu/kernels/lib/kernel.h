/* Runtime shared by the CPU test kernels: console on COM1, descriptor tables, trap capture
 * and a way to run a piece of code at another privilege level and come back. Every kernel
 * prints one line per check; the peer test compares those lines across emulators. */

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

/* GDT layout (selectors) shared by all kernels */
#define SEL_KCODE   0x08    /* ring 0 code, flat */
#define SEL_KDATA   0x10    /* ring 0 data, flat */
#define SEL_UCODE   0x1b    /* ring 3 code, flat (index 3, RPL 3) */
#define SEL_UDATA   0x23    /* ring 3 data, flat (index 4, RPL 3) */
#define SEL_TSS     0x28    /* 32-bit TSS */
#define SEL_R1CODE  0x31    /* ring 1 code, flat (index 6, RPL 1) */
#define SEL_R1DATA  0x39    /* ring 1 data, flat (index 7, RPL 1) */
#define SEL_R2CODE  0x42    /* ring 2 code, flat (index 8, RPL 2) */
#define SEL_R2DATA  0x4a    /* ring 2 data, flat (index 9, RPL 2) */
#define GDT_SCRATCH 10      /* first of the entries each test rewrites */
#define GDT_ENTRIES 32

/* descriptor access-byte pieces (SDM Vol. 3A 3.4.5) */
#define D_P         0x80
#define D_S         0x10    /* code or data (not system) */
#define D_CODE      0x08
#define D_CONF      0x04    /* code: conforming */
#define D_EXPDOWN   0x04    /* data: expand-down */
#define D_READ      0x02    /* code: readable */
#define D_WRITE     0x02    /* data: writable */
#define D_ACC       0x01
#define D_DPL(n)    ((n) << 5)
/* flags nibble */
#define F_G         0x8
#define F_DB        0x4
/* system types */
#define T_TSS32     0x9
#define T_LDT       0x2
#define T_CALLGATE  0xc
#define T_INTGATE   0xe
#define T_TRAPGATE  0xf
#define T_TASKGATE  0x5

#define V_SYSCALL   0x30    /* DPL 3 trap gate: "return to the kernel" from any ring */

/* exception vectors */
#define V_DE 0
#define V_DB 1
#define V_BP 3
#define V_OF 4
#define V_BR 5
#define V_UD 6
#define V_NM 7
#define V_DF 8
#define V_TS 10
#define V_NP 11
#define V_SS 12
#define V_GP 13
#define V_PF 14

/* what the last trap saw */
struct trap {
	u32 vector, err, eip, cs, eflags, esp, ss;  /* esp/ss only on a privilege change */
	u32 cr2;
	u32 handler_esp;    /* esp in the handler just after the CPU pushed the frame */
	u32 eax;            /* eax at the time of the trap (ring-3 code reports through it) */
	u32 ecx, esi, edi;  /* for string instructions stopped part-way */
};

struct tss32 {
	u32 link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	u32 eax, ecx, edx, ebx, esp, ebp, esi, edi;
	u32 es, cs, ss, ds, fs, gs, ldt;
	u16 trap, iomap;
};

extern struct trap last_trap;
extern u32 trap_entry_eflags;       /* EFLAGS on entry to the last handler */
extern volatile int trapped;        /* 1 when the last TRY ended in a trap */
extern volatile u32 db_count;       /* #DB traps counted while db_counting is set */
extern volatile int db_counting;
extern volatile u32 db_eips[16];    /* eip of each counted #DB */
extern u64 gdt[GDT_ENTRIES];
extern u64 idt[256];
/* the TSS followed by a full I/O permission bitmap and its terminating 0xff byte */
struct tss_block {
	struct tss32 t;
	u8 iomap[8192 + 1];
} __attribute__((packed, aligned(16)));
extern struct tss_block tssb;

/* console.c */
void console_init(void);
void putc_(char c);
void puts_(const char *s);
void printf_(const char *fmt, ...);
void machine_exit(void) __attribute__((noreturn));

/* desc.c */
u64 seg_desc(u32 base, u32 limit, u8 access, u8 flags);
u64 gate_desc(u16 sel, u32 offset, u8 type, u8 dpl, u8 present, u8 params);
void set_gdt(int index, u64 d);
void set_idt(int vector, u64 d);
void desc_init(void);
void lgdt_current(void);
void lidt_limit(u16 limit);
u32 read_cr0(void);
void write_cr0(u32 v);
u32 read_cr2(void);
u32 read_cr3(void);
void write_cr3(u32 v);
u32 read_cr4(void);
void write_cr4(u32 v);
u32 read_eflags(void);

/* trap.c */
const char *vector_name(u32 v);
void report(const char *name);      /* prints "name: ok" or the trap just caught */
void report_trap_detail(const char *name);
extern void trap_entry_common(void);

/* start.S */
int k_setjmp(u32 *buf) __attribute__((returns_twice));
void k_longjmp(u32 *buf, int val) __attribute__((noreturn));
/* Enters code at another privilege level with iret (cs/ss/eflags/esp given);
 * comes back when that code executes `int $0x30` or traps. Returns 1 if it trapped. */
int run_at(u32 cs, u32 ss, u32 esp, u32 eflags, void (*fn)(void));
/* Same with explicit data-segment values loaded before the iret. */
int run_at_seg(u32 cs, u32 ss, u32 esp, u32 eflags, void (*fn)(void), u32 ds, u32 es, u32 fs, u32 gs);
extern u32 catch_buf[8];
extern char trap_stubs[];
#define trap_stubs_addr(v)  (trap_stubs + 16 * (v))
extern volatile int catch_armed;
extern u32 user_stack_top[], ring1_stack_top[], ring2_stack_top[], ring0_trap_stack_top[];

/* TRY(stmt): run stmt; if it traps, resume here with the trap in last_trap. */
#define TRY(...) do { \
	trapped = 0; \
	if (k_setjmp(catch_buf) == 0) { catch_armed = 1; __VA_ARGS__; catch_armed = 0; } \
	else { trapped = 1; } \
} while (0)
#define CHECK(name, ...) do { TRY(__VA_ARGS__); report(name); } while (0)

/* each kernel */
void tests(void);
