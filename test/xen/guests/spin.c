/*
 * spin.c - a guest that never blocks: it counts in a loop, so only the scheduler's time slices
 * let anyone else run.
 */
#include "xen/xen.h"
#include "xen/io/domain_controller.h"
#include "xen/hypercall.h"
#include "guest.h"

static const char xen_guest_info[] __attribute__((section("__xen_guest"), used)) =
    "GUEST_OS=linux,XEN_VER=2.0,VIRT_BASE=0xC0000000,LOADER=generic";

volatile xen_u32 spins;

void
on_event(unsigned port)
{
	(void)port;
}

void
on_trap(struct trapframe *f)
{
	(void)f;
	HYPERVISOR_shutdown(SHUTDOWN_crash);
}

void
guest_main(start_info_t *si)
{
	guest_init(si);
	con_puts("spin: start\n");
	for (;;)
		spins++;
}
