/*
 * start.c - xen_cstart (report 6.2.2): the first C code, run on the kernel stack once the
 * builder's GDT is live. Records the start information, what the kernel knows of itself
 * (kinfo) and the boot parameters, then sets up the GDT descriptors the kernel needs.
 */
#include "kernel.h"

extern char _etext[], _edata[], _end[];

#define MAX_HZ  100000          /* a 10 us tick: 1000 instructions of the emulated CPU */

/*
 * The boot monitor's form of the parameters, which 3.1.1's env_get_param reads from
 * GET_MONPARAMS: each "name=value" a NUL-terminated string, an empty string last. The builder
 * hands them over as words separated by spaces in start_info.cmd_line.
 */
static void
params_from_cmdline(char *to, size_t size, const char *cmd)
{
	size_t n = 0;

	for (; *cmd != '\0' && n + 2 < size; cmd++) {
		if (*cmd != ' ')
			to[n++] = *cmd;
		else if (n > 0 && to[n - 1] != '\0')
			to[n++] = '\0';
	}
	if (n > 0 && to[n - 1] != '\0')
		to[n++] = '\0';
	to[n] = '\0';
}

/* The decimal value of boot parameter `name`, or `dflt`. */
static u32_t
param_value(const char *params, const char *name, u32_t dflt)
{
	size_t len = strlen(name);
	const char *p;
	u32_t v = 0;

	for (p = params; *p != '\0'; p += strlen(p) + 1) {
		if (strncmp(p, name, len) == 0 && p[len] == '=') {
			for (p += len + 1; *p >= '0' && *p <= '9'; p++)
				v = v * 10 + (u32_t)(*p - '0');
			return v;
		}
	}
	return dflt;
}

void
xen_cstart(minix_start_info_t *info)
{
	struct domain_setup_info_t *setup = &info->setup_info;

	msi = info;
	kinfo.code_base = 0;
	kinfo.code_size = (phys_bytes)_etext;
	kinfo.data_base = 0;            /* base-0 segments: kernel VA = linear address */
	kinfo.data_size = (phys_bytes)_end;
	kinfo.proc_addr = (vir_bytes)proc;
	kinfo.kmem_base = 0;
	kinfo.kmem_size = (phys_bytes)_end;
	kinfo.free_base = setup->fmem_vaddr;
	kinfo.mem_size = info->start_info.nr_pages << PAGE_SHIFT;
	kinfo.nr_procs = NR_PROCS;
	kinfo.nr_tasks = NR_TASKS;
	strncpy(kinfo.release, OS_RELEASE, sizeof kinfo.release);
	strncpy(kinfo.version, OS_VERSION, sizeof kinfo.version);
	params_from_cmdline(kinfo.params, sizeof kinfo.params, (const char *)info->start_info.cmd_line);
	/* As MINIX 3.1.3's system_hz: the tick rate from the boot parameter hz, HZ by default. */
	system_hz = param_value(kinfo.params, "hz", HZ);
	if (system_hz < 1 || system_hz > MAX_HZ)
		system_hz = HZ;
	prot_init();
}
