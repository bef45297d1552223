/*
 * sysproc.c - wrappers for the process-management kernel calls PM makes (MINIX 3.1.1 libsys's
 * sys_fork.c, sys_newmap.c, sys_exec.c, sys_privctl.c, sys_segctl.c, sys_physcopy.c,
 * sys_umap.c, sys_getinfo's sys_getproc): fill the message, sendrec to SYSTEM.
 */
#include <stddef.h>
#include <string.h>
#include <errno.h>
#include <minix/types.h>
#include <minix/com.h>
#include <minix/ipc.h>
#include <minix/syslib.h>

int
sys_fork(int parent, int child, int pid)
{
	message m;

	m.PR_PPROC_NR = parent;
	m.PR_PROC_NR = child;
	m.PR_PID = pid;
	return taskcall(SYSTEM, SYS_FORK, &m);
}

int
sys_newmap(int proc_nr, struct mem_map *map)
{
	message m;

	m.PR_PROC_NR = proc_nr;
	m.PR_MEM_PTR = (char *)map;
	return taskcall(SYSTEM, SYS_NEWMAP, &m);
}

int
sys_exec(int proc_nr, vir_bytes sp, const char *name, vir_bytes pc)
{
	message m;

	m.PR_PROC_NR = proc_nr;
	m.PR_STACK_PTR = (char *)sp;
	m.PR_NAME_PTR = (char *)name;
	m.PR_IP_PTR = (char *)pc;
	return taskcall(SYSTEM, SYS_EXEC, &m);
}

int
sys_privctl(int proc_nr)
{
	message m;

	m.CTL_PROC_NR = proc_nr;
	m.CTL_REQUEST = 0;
	return taskcall(SYSTEM, SYS_PRIVCTL, &m);
}

int
sys_segctl(int *index, u16_t *selector, vir_bytes *offset, phys_bytes phys, vir_bytes size)
{
	message m;
	int r;

	m.SEG_PHYS = (long)phys;
	m.SEG_SIZE = (long)size;
	r = taskcall(SYSTEM, SYS_SEGCTL, &m);
	if (r == OK) {
		*index = (int)m.SEG_INDEX;
		*selector = (u16_t)m.SEG_SELECT;
		*offset = (vir_bytes)m.SEG_OFFSET;
	}
	return r;
}

int
sys_physcopy(int src_proc, int src_seg, vir_bytes src, int dst_proc, int dst_seg, vir_bytes dst, phys_bytes n)
{
	return sys_copy(SYS_PHYSCOPY, src_proc, src_seg, src, dst_proc, dst_seg, dst, n);
}

/* A copy between two pseudo-physical addresses. */
int
sys_abscopy(phys_bytes src, phys_bytes dst, phys_bytes n)
{
	return sys_physcopy(NONE, PHYS_SEG, src, NONE, PHYS_SEG, dst, n);
}

int
sys_umap(int proc_nr, int seg, vir_bytes vir, vir_bytes bytes, phys_bytes *phys)
{
	message m;
	int r;

	m.CP_SRC_PROC_NR = proc_nr;
	m.CP_SRC_SPACE = (short)seg;
	m.CP_SRC_ADDR = (long)vir;
	m.CP_NR_BYTES = (long)bytes;
	r = taskcall(SYSTEM, SYS_UMAP, &m);
	if (r == OK)
		*phys = (phys_bytes)m.CP_DST_ADDR;
	return r;
}

/* One process-table slot (the kernel's struct proc) into dst. */
int
sys_getproc(void *dst, int proc_nr, int len)
{
	message m;

	m.I_REQUEST = GET_PROC;
	m.I_VAL_PTR = dst;
	m.I_VAL_LEN = len;
	m.I_VAL_LEN2 = proc_nr;
	return taskcall(SYSTEM, SYS_GETINFO, &m);
}
