/*
 * proctest.c - the boot-time proof of process creation, until real programs exist: PM starts
 * a child from its own image (fork + newmap + exec); that child, an ordinary user process,
 * asks PM to FORK it; the grandchild hears 0, asks PM to EXEC it at a new entry on a new stack,
 * finds its kernel calls refused, gets privileges with SYS_PRIVCTL, and reads a window on PM's
 * memory through a SYS_SEGCTL selector. The children report by message; PM prints the checks.
 */
#include "pm.h"

/* The children's reports to PM (not MINIX calls: above NCALLS). */
#define PMT_BASE        0x900
#define PMT_HELLO       (PMT_BASE + 0)   /* m1_i1 esp at entry, m1_i2 spawn_mark */
#define PMT_PARENT      (PMT_BASE + 1)   /* m1_i1 what FORK answered the parent */
#define PMT_FORKED      (PMT_BASE + 2)   /* m1_i1 own number (ECHO), m1_i2 what FORK answered */
#define PMT_EXECD       (PMT_BASE + 3)   /* m1_i1 esp at the exec'd entry */
#define PMT_DENIED      (PMT_BASE + 4)   /* m1_i1 result of a kernel call before SYS_PRIVCTL */
#define PMT_PRIVILEGED  (PMT_BASE + 5)   /* m3_i1 result after, m3_ca1 own name; reply: window */
#define PMT_SEGREAD     (PMT_BASE + 6)   /* m3_i1 result, m3_i2 selector, m3_ca1 bytes read */
#define PMT_WAIT        (PMT_BASE + 7)   /* never answered: the sender is done */
#define PMT_LAST        PMT_WAIT

#define SPAWN_MARK      0x5eed0001
#define EXEC_NAME       "execd"

static volatile int spawn_mark;         /* set before PM's image is copied: the child sees it */
char exec_stack[EXEC_STACK_BYTES] __attribute__((aligned(16)));
static char segwin[] = "PM's window";   /* what the grandchild reads through its selector */
static int first_child = NONE, waiting;

/* ---- the children's side: ordinary user processes, so SENDREC and ECHO only ---- */

/* Reads bytes through a far selector, as a driver reads a memory window. */
static void
far_read(u16_t sel, vir_bytes off, char *buf, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		char c;

		__asm__ __volatile__("pushl %%fs\n\tmovw %w1, %%fs\n\tmovb %%fs:(%2), %0\n\tpopl %%fs"
		    : "=q"(c) : "r"(sel), "r"(off + i) : "memory");
		buf[i] = c;
	}
}

void exec_main(vir_bytes esp);
void child_main(vir_bytes esp);

void
exec_main(vir_bytes esp)
{
	message m;
	char name[P_NAME_LEN];
	clock_t uptime;
	int index, r;
	u16_t sel = 0;
	vir_bytes off;
	phys_bytes phys;
	int len;

	memset(&m, 0, sizeof m);
	m.m1_i1 = (int)esp;
	taskcall(PM_PROC_NR, PMT_EXECD, &m);
	m.m1_i1 = sys_times(SELF, NULL, NULL, &uptime);
	taskcall(PM_PROC_NR, PMT_DENIED, &m);
	r = sys_times(SELF, NULL, NULL, &uptime);
	memset(name, 0, sizeof name);
	if (r == OK)
		r = sys_whoami(&index, name, P_NAME_LEN);
	memset(&m, 0, sizeof m);
	m.m3_i1 = r;
	memcpy(m.m3_ca1, name, P_NAME_LEN);
	taskcall(PM_PROC_NR, PMT_PRIVILEGED, &m);
	phys = (phys_bytes)m.m2_l1;
	len = (int)m.m2_l2;
	memset(&m, 0, sizeof m);
	if (len < 0 || len > M3_STRING)
		len = M3_STRING;
	r = sys_segctl(&index, &sel, &off, phys, len);
	if (r == OK)
		far_read(sel, off, m.m3_ca1, len);
	m.m3_i1 = r;
	m.m3_i2 = sel;
	taskcall(PM_PROC_NR, PMT_SEGREAD, &m);
	taskcall(PM_PROC_NR, PMT_WAIT, &m);
	for (;;)
		;
}

static void
forked_child(int heard)
{
	message m;

	memset(&m, 0, sizeof m);
	echo(&m);                       /* the kernel writes our number into m_source */
	m.m1_i1 = m.m_source;
	m.m1_i2 = heard;
	taskcall(PM_PROC_NR, PMT_FORKED, &m);
	memset(&m, 0, sizeof m);
	m.PR_IP_PTR = (char *)exec_entry;
	m.PR_STACK_PTR = exec_stack + EXEC_STACK_BYTES;
	m.PR_NAME_PTR = EXEC_NAME;
	m.m1_i1 = taskcall(PM_PROC_NR, EXEC, &m);    /* comes back only when EXEC failed */
	taskcall(PM_PROC_NR, PMT_WAIT, &m);
}

void
child_main(vir_bytes esp)
{
	message m;
	int r;

	memset(&m, 0, sizeof m);
	m.m1_i1 = (int)esp;
	m.m1_i2 = spawn_mark;
	taskcall(PM_PROC_NR, PMT_HELLO, &m);
	memset(&m, 0, sizeof m);
	r = taskcall(PM_PROC_NR, FORK, &m);
	if (r == 0) {
		forked_child(r);
	} else {
		m.m1_i1 = r;
		taskcall(PM_PROC_NR, PMT_PARENT, &m);
		taskcall(PM_PROC_NR, PMT_WAIT, &m);
	}
	for (;;)
		;
}

/* ---- PM's side ---- */

/* At start-up: PM's own layout, a refused copy, and the first child. */
void
proctest_start(void)
{
	const struct mem_map *me = mproc[PM_PROC_NR].mp_seg;
	u32_t code0, data0;
	int r;

	pm_check("runs separate I&D (text and data in their own segments)",
	    me[T].mem_len != 0 && me[D].mem_phys == me[T].mem_phys + me[T].mem_len && me[D].mem_vir == 0, (int)me[T].mem_len);
	/* Offset 0 through CS is crt0's first instruction (xorl %ebp,%ebp), through DS the zero pad. */
	__asm__ __volatile__("movl %%cs:0, %0" : "=r"(code0));
	__asm__ __volatile__("movl %%ds:0, %0" : "=r"(data0));
	pm_check("CS reaches the text and DS the data at the same offset 0", (code0 & 0xFFFF) == 0xED31 && data0 == 0, (int)(code0 & 0xFFFF));
	r = sys_abscopy(me[D].mem_phys << CLICK_SHIFT, 0x1000, 16);
	pm_check("SYS_PHYSCOPY refuses the kernel's memory", r == EFAULT, r);
	spawn_mark = SPAWN_MARK;
	first_child = pm_spawn_from_self((vir_bytes)child_entry, "child");
	pm_check("SYS_FORK, SYS_NEWMAP and SYS_EXEC start a child from PM's image", first_child > 0, first_child);
}

/* Both children have reported their last: end them. */
static void
finish(void)
{
	int i, r, ok = 1;

	for (i = FIRST_FREE_SLOT; i < NR_PROCS; i++)
		if (mproc[i].mp_in_use) {
			pm_signal_exit(i);
			r = sys_exit(i);
			ok = ok && r == OK;
			mproc[i].mp_in_use = 0;
		}
	pm_check("children ended with SYS_EXIT", ok, 0);
	printf("pm: done, %d failures\n", pm_failures);
}

int
proctest_message(message *m, int *result)
{
	int src = m->m_source;
	const struct mem_map *map;
	phys_bytes phys;

	if (m->m_type < PMT_BASE || m->m_type > PMT_LAST)
		return 0;
	*result = OK;
	switch (m->m_type) {
	case PMT_HELLO:
		map = mproc[src].mp_seg;
		pm_check("the child runs at its entry on the stack SYS_EXEC gave it, with PM's data",
		    src == first_child && (vir_bytes)m->m1_i1 == (map[S].mem_vir + map[S].mem_len) << CLICK_SHIFT &&
		    m->m1_i2 == SPAWN_MARK, src);
		break;
	case PMT_PARENT:
		pm_check("FORK answers the parent with its child's number", src == first_child &&
		    m->m1_i1 > 0 && m->m1_i1 < NR_PROCS && mproc[m->m1_i1].mp_in_use && mproc[m->m1_i1].mp_parent == src, m->m1_i1);
		break;
	case PMT_FORKED:
		pm_check("the forked child runs and hears 0 from FORK", m->m1_i1 == src && m->m1_i2 == 0 &&
		    mproc[src].mp_in_use && mproc[src].mp_parent == first_child, src);
		break;
	case PMT_EXECD:
		pm_check("the exec'd child starts at its new entry on its new stack",
		    (vir_bytes)m->m1_i1 == (vir_bytes)exec_stack + EXEC_STACK_BYTES, m->m1_i1);
		break;
	case PMT_DENIED:
		pm_check("a kernel call from the unprivileged child gives ECALLDENIED", m->m1_i1 == ECALLDENIED, m->m1_i1);
		*result = sys_privctl(src);
		pm_check("SYS_PRIVCTL gives the child privileges of its own", *result == OK, *result);
		break;
	case PMT_PRIVILEGED:
		m->m3_ca1[P_NAME_LEN - 1] = '\0';
		pm_check("after SYS_PRIVCTL its kernel calls are accepted, and SYS_EXEC named it " EXEC_NAME,
		    m->m3_i1 == OK && strcmp(m->m3_ca1, EXEC_NAME) == 0, m->m3_i1);
		*result = sys_umap(SELF, D, (vir_bytes)segwin, sizeof segwin, &phys);
		m->m2_l1 = (long)phys;
		m->m2_l2 = sizeof segwin;
		break;
	case PMT_SEGREAD:
		pm_check("a SYS_SEGCTL selector reads PM's memory", m->m3_i1 == OK &&
		    memcmp(m->m3_ca1, segwin, sizeof segwin) == 0, m->m3_i2);
		break;
	case PMT_WAIT:
		*result = SUSPEND;
		if (++waiting == 2)
			finish();
		break;
	}
	return 1;
}
