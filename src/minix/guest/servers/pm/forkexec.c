/*
 * forkexec.c - process creation as MINIX's PM does it (servers/pm/forkexit.c, exec.c): FORK
 * finds a free slot and memory, copies the parent's text, data and stack there (SYS_PHYSCOPY),
 * has the kernel copy the slot (SYS_FORK), hands it the new map (SYS_NEWMAP), and answers the
 * child 0 and the parent the child's number. EXEC gives a process a new entry, stack and name
 * (SYS_EXEC) and does not answer: the process goes on at the new entry. The stand-in has no
 * file system to load programs from, so EXEC names an entry in the caller's own text.
 */
#include "pm.h"

struct mproc mproc[NR_PROCS];

static int
free_slot(void)
{
	int i;

	for (i = FIRST_FREE_SLOT; i < NR_PROCS; i++)
		if (!mproc[i].mp_in_use)
			return i;
	return -1;
}

/* Copies a process's memory (text, then data up to the end of the stack) into fresh memory. */
static int
copy_image(int parent, struct mem_map *map)
{
	const struct mem_map *pm = mproc[parent].mp_seg;
	phys_clicks text = pm[T].mem_len;
	phys_clicks data = pm[S].mem_vir + pm[S].mem_len - pm[D].mem_vir;
	phys_clicks base = alloc_mem(text + data);
	struct phys_cp_req copies[2];
	int r, done;

	if (base == 0)
		return ENOMEM;
	/* Text (empty for common I&D) and data+stack in one SYS_PHYSVCOPY. */
	copies[0].src = pm[T].mem_phys << CLICK_SHIFT;
	copies[0].dst = base << CLICK_SHIFT;
	copies[0].count = text << CLICK_SHIFT;
	copies[1].src = pm[D].mem_phys << CLICK_SHIFT;
	copies[1].dst = (base + text) << CLICK_SHIFT;
	copies[1].count = data << CLICK_SHIFT;
	if ((r = sys_physvcopy(copies, 2, &done)) != OK)
		return r;
	if (done != 2)
		return EFAULT;
	map[T] = pm[T];
	map[T].mem_phys = base;
	map[D] = pm[D];
	map[D].mem_phys = base + text;
	map[S] = pm[S];
	map[S].mem_phys = base + text + (pm[S].mem_vir - pm[D].mem_vir);
	return OK;
}

/* A child of `parent` in a free slot with a copy of its memory; its number, or an error. */
static int
new_child(int parent)
{
	int child = free_slot(), r;

	if (child < 0)
		return EAGAIN;
	if ((r = copy_image(parent, mproc[child].mp_seg)) != OK)
		return r;
	if ((r = sys_fork(parent, child, child)) != OK)
		return r;
	if ((r = sys_newmap(child, mproc[child].mp_seg)) != OK)
		return r;
	mproc[child].mp_in_use = 1;
	mproc[child].mp_parent = parent;
	pm_signal_fork(parent, child);
	return child;
}

/* FORK from a process: the child hears 0, the parent (the reply to this call) the child. */
int
pm_do_fork(message *m)
{
	message reply;
	int child = new_child(m->m_source);

	if (child < 0)
		return child;
	memset(&reply, 0, sizeof reply);
	pm_reply(child, 0, &reply);
	return child;
}

/* EXEC: m1_p3 the new entry, m1_p1 the new stack pointer, m1_p2 the new name (caller's D). */
int
pm_do_exec(message *m)
{
	char name[P_NAME_LEN];
	int r;

	memset(name, 0, sizeof name);
	r = sys_vircopy(m->m_source, D, (vir_bytes)m->PR_NAME_PTR, SELF, D, (vir_bytes)name, P_NAME_LEN - 1);
	if (r != OK)
		return r;
	r = sys_exec(m->m_source, (vir_bytes)m->PR_STACK_PTR, name, (vir_bytes)m->PR_IP_PTR);
	return r == OK ? SUSPEND : r;
}

/*
 * PM's first child, from PM's own image: fork PM itself, then exec the copy at `pc` with its
 * stack at the top of its data segment (the copy of PM's state waits for SYSTEM's reply to a
 * call it never made; SYS_EXEC ends that wait). Returns the child's number or an error.
 */
int
pm_spawn_from_self(vir_bytes pc, const char *name)
{
	int child = new_child(PM_PROC_NR), r;
	const struct mem_map *map;

	if (child < 0)
		return child;
	map = mproc[child].mp_seg;
	r = sys_exec(child, (map[S].mem_vir + map[S].mem_len) << CLICK_SHIFT, name, pc);
	return r == OK ? child : r;
}
