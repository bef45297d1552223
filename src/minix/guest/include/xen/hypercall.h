/*
 * xen/hypercall.h - Xen 2.0 hypercalls from ring 1: one `int $0x82` inline per arity
 * (EAX = number, args in EBX, ECX, EDX, ESI, EDI, result in EAX) and a one-line typed
 * wrapper per call. Argument registers are treated as clobbered, since Xen may rewrite
 * them when it preempts a long call. Needs xen/xen.h first. C only.
 */
#ifndef XEN_HYPERCALL_H
#define XEN_HYPERCALL_H
#ifndef __ASSEMBLY__
#ifndef XEN_XEN_H
#error "include xen/xen.h before xen/hypercall.h"
#endif
#include "xen/grant_table.h"

static inline long
_hypercall0(unsigned op)
{
	long r;
	__asm__ volatile("int $0x82" : "=a"(r) : "0"(op) : "memory");
	return r;
}

static inline long
_hypercall1(unsigned op, unsigned a1)
{
	long r;
	unsigned b;
	__asm__ volatile("int $0x82" : "=a"(r), "=b"(b) : "0"(op), "1"(a1) : "memory");
	return r;
}

static inline long
_hypercall2(unsigned op, unsigned a1, unsigned a2)
{
	long r;
	unsigned b, c;
	__asm__ volatile("int $0x82" : "=a"(r), "=b"(b), "=c"(c)
	    : "0"(op), "1"(a1), "2"(a2) : "memory");
	return r;
}

static inline long
_hypercall3(unsigned op, unsigned a1, unsigned a2, unsigned a3)
{
	long r;
	unsigned b, c, d;
	__asm__ volatile("int $0x82" : "=a"(r), "=b"(b), "=c"(c), "=d"(d)
	    : "0"(op), "1"(a1), "2"(a2), "3"(a3) : "memory");
	return r;
}

static inline long
_hypercall4(unsigned op, unsigned a1, unsigned a2, unsigned a3, unsigned a4)
{
	long r;
	unsigned b, c, d, s;
	__asm__ volatile("int $0x82" : "=a"(r), "=b"(b), "=c"(c), "=d"(d), "=S"(s)
	    : "0"(op), "1"(a1), "2"(a2), "3"(a3), "4"(a4) : "memory");
	return r;
}

static inline long
_hypercall5(unsigned op, unsigned a1, unsigned a2, unsigned a3, unsigned a4, unsigned a5)
{
	long r;
	unsigned b, c, d, s, di;
	__asm__ volatile("int $0x82" : "=a"(r), "=b"(b), "=c"(c), "=d"(d), "=S"(s), "=D"(di)
	    : "0"(op), "1"(a1), "2"(a2), "3"(a3), "4"(a4), "5"(a5) : "memory");
	return r;
}

#define XEN_ARG(x) ((unsigned)(x))

static inline long HYPERVISOR_set_trap_table(const trap_info_t *t) { return _hypercall1(__HYPERVISOR_set_trap_table, XEN_ARG(t)); }
static inline long HYPERVISOR_mmu_update(const mmu_update_t *req, unsigned count, unsigned *success_count) { return _hypercall3(__HYPERVISOR_mmu_update, XEN_ARG(req), count, XEN_ARG(success_count)); }
static inline long HYPERVISOR_set_gdt(const xen_u32 *frame_list_mfns, unsigned entries) { return _hypercall2(__HYPERVISOR_set_gdt, XEN_ARG(frame_list_mfns), entries); }
static inline long HYPERVISOR_stack_switch(unsigned ss, unsigned esp) { return _hypercall2(__HYPERVISOR_stack_switch, ss, esp); }
static inline long HYPERVISOR_set_callbacks(unsigned event_cs, unsigned event_eip, unsigned failsafe_cs, unsigned failsafe_eip) { return _hypercall4(__HYPERVISOR_set_callbacks, event_cs, event_eip, failsafe_cs, failsafe_eip); }
static inline long HYPERVISOR_fpu_taskswitch(void) { return _hypercall0(__HYPERVISOR_fpu_taskswitch); }
static inline long HYPERVISOR_sched_op(unsigned op) { return _hypercall1(__HYPERVISOR_sched_op, op); }
static inline long HYPERVISOR_yield(void) { return HYPERVISOR_sched_op(SCHEDOP_yield); }
static inline long HYPERVISOR_block(void) { return HYPERVISOR_sched_op(SCHEDOP_block); }
static inline long HYPERVISOR_shutdown(unsigned reason) { return HYPERVISOR_sched_op(SCHEDOP_shutdown | (reason << SCHEDOP_reasonshift)); }
static inline long HYPERVISOR_set_debugreg(unsigned reg, unsigned value) { return _hypercall2(__HYPERVISOR_set_debugreg, reg, value); }
static inline long HYPERVISOR_get_debugreg(unsigned reg) { return _hypercall1(__HYPERVISOR_get_debugreg, reg); }
static inline long HYPERVISOR_update_descriptor(unsigned ma, unsigned word_lo, unsigned word_hi) { return _hypercall3(__HYPERVISOR_update_descriptor, ma, word_lo, word_hi); }
static inline long HYPERVISOR_set_fast_trap(unsigned vector) { return _hypercall1(__HYPERVISOR_set_fast_trap, vector); }
static inline long HYPERVISOR_dom_mem_op(unsigned op, xen_u32 *extent_list_mfns, unsigned nr_extents, unsigned extent_order) { return _hypercall5(__HYPERVISOR_dom_mem_op, op, XEN_ARG(extent_list_mfns), nr_extents, extent_order, DOMID_SELF); }
static inline long HYPERVISOR_multicall(multicall_entry_t *list, unsigned nr_calls) { return _hypercall2(__HYPERVISOR_multicall, XEN_ARG(list), nr_calls); }
static inline long HYPERVISOR_update_va_mapping(unsigned va, unsigned new_pte, unsigned flags) { return _hypercall3(__HYPERVISOR_update_va_mapping, va >> PAGE_SHIFT, new_pte, flags); }
static inline long HYPERVISOR_set_timer_op(xen_u64 timeout_ns) { return _hypercall2(__HYPERVISOR_set_timer_op, (unsigned)(timeout_ns >> 32), (unsigned)timeout_ns); }
static inline long HYPERVISOR_event_channel_op(evtchn_op_t *op) { return _hypercall1(__HYPERVISOR_event_channel_op, XEN_ARG(op)); }
static inline long HYPERVISOR_xen_version(unsigned cmd) { return _hypercall1(__HYPERVISOR_xen_version, cmd); }
static inline long HYPERVISOR_console_io(unsigned cmd, unsigned count, char *buf) { return _hypercall3(__HYPERVISOR_console_io, cmd, count, XEN_ARG(buf)); }
static inline long HYPERVISOR_physdev_op(void *op) { return _hypercall1(__HYPERVISOR_physdev_op, XEN_ARG(op)); }
static inline long HYPERVISOR_grant_table_op(unsigned cmd, void *uop, unsigned count) { return _hypercall3(__HYPERVISOR_grant_table_op, cmd, XEN_ARG(uop), count); }
static inline long HYPERVISOR_grant_map(gnttab_map_grant_ref_t *ops, unsigned count) { return HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, ops, count); }
static inline long HYPERVISOR_grant_unmap(gnttab_unmap_grant_ref_t *ops, unsigned count) { return HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, ops, count); }
static inline long HYPERVISOR_grant_setup_table(gnttab_setup_table_t *op) { return HYPERVISOR_grant_table_op(GNTTABOP_setup_table, op, 1); }
static inline long HYPERVISOR_vm_assist(unsigned cmd, unsigned type) { return _hypercall2(__HYPERVISOR_vm_assist, cmd, type); }

#endif /* __ASSEMBLY__ */
#endif /* XEN_HYPERCALL_H */
