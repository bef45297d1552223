/*
 * guest.h - the small runtime shared by the Xen test guests: console output (console_io and
 * the control-interface ring), event handling, the trap frame and time. Needs xen/xen.h,
 * xen/io/domain_controller.h and xen/hypercall.h first.
 */

/* What head.S leaves on the stack for trap_c; vector -1 is the event upcall. */
struct trapframe {
	xen_u32 edi, esi, ebp, esp_dummy, ebx, edx, ecx, eax;
	xen_u32 vector;
	xen_u32 cr2;
	xen_u32 error;
	xen_u32 eip, cs, eflags;
};

/* head.S */
void trap_divide(void), trap_debug(void), trap_int3(void), trap_overflow(void);
void trap_bounds(void), trap_invalid_op(void), trap_no_device(void), trap_invalid_tss(void);
void trap_no_segment(void), trap_stack(void), trap_gp(void), trap_page_fault(void);
void trap_coproc(void), trap_align(void), trap_syscall(void), trap_soft(void);
void hypervisor_callback(void), failsafe_callback(void);
extern volatile xen_u32 failsafe_count;
extern char boot_stack_top[];

/* lib.c */
extern start_info_t *start_info;
extern volatile shared_info_t *shared;
void guest_init(start_info_t *si);
void con_write(const char *s, unsigned n);
void con_puts(const char *s);
void con_putx(xen_u32 v);
void con_putd(xen_u32 v);
void ring_write(const char *s, unsigned n);
void ring_puts(const char *s);
unsigned ring_read(char *buf, unsigned max);
int bind_virq(unsigned virq);
void unmask_port(unsigned port);
xen_u64 system_time_ns(void);
void install_traps(const trap_info_t *extra);
unsigned strlen_(const char *s);
void *memset_(void *p, int c, unsigned n);

/* A round in vm86 mode (switch_vm86 with *act): returns when a trap or event brings the
 * guest back to ring 1, which then is described by vm86_exit. Runs on its own SS1:ESP1 stack
 * and leaves the event mask as it found it. */
struct vm86_exit {
	xen_u32 vector;      /* -1 for the event upcall */
	xen_u32 error, cr2;
	vm86_bounce_frame_t frame;
};
extern struct vm86_exit vm86_exit;
void vm86_call(const vm86_activation_t *act);

/* Supplied by each guest. */
void guest_main(start_info_t *si);
void on_event(unsigned port);
void on_trap(struct trapframe *f);
