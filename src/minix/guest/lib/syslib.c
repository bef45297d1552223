/*
 * syslib.c - wrappers that turn kernel calls (SYSTEM) and control-interface requests (CTRLIF)
 * into messages, as MINIX's libsys does: fill the message, sendrec, return the reply's m_type.
 */
#include <stddef.h>
#include <string.h>
#include <errno.h>
#include <minix/types.h>
#include <minix/com.h>
#include <minix/ipc.h>
#include <minix/syslib.h>

int
taskcall(int who, int type, message *m)
{
	int r;

	m->m_type = type;
	r = sendrec(who, m);
	if (r != OK)
		return r;
	return m->m_type;
}

/* SYS_VIRCOPY and SYS_PHYSCOPY take the same message: two (process, space, address) sides. */
int
sys_copy(int call, int src_proc, int src_seg, vir_bytes src, int dst_proc, int dst_seg, vir_bytes dst, phys_bytes n)
{
	message m;

	m.CP_SRC_PROC_NR = src_proc;
	m.CP_SRC_SPACE = (short)src_seg;
	m.CP_SRC_ADDR = (long)src;
	m.CP_DST_PROC_NR = dst_proc;
	m.CP_DST_SPACE = (short)dst_seg;
	m.CP_DST_ADDR = (long)dst;
	m.CP_NR_BYTES = (long)n;
	return taskcall(SYSTEM, call, &m);
}

int
sys_vircopy(int src_proc, int src_seg, vir_bytes src, int dst_proc, int dst_seg, vir_bytes dst, phys_bytes n)
{
	return sys_copy(SYS_VIRCOPY, src_proc, src_seg, src, dst_proc, dst_seg, dst, n);
}

int
sys_getinfo(int request, void *ptr, int len)
{
	message m;

	m.I_REQUEST = request;
	m.I_PROC_NR = SELF;
	m.I_VAL_PTR = ptr;
	m.I_VAL_LEN = len;
	return taskcall(SYSTEM, SYS_GETINFO, &m);
}

int
sys_whoami(int *proc_nr, char *name, int len)
{
	message m;
	int r;

	m.I_REQUEST = GET_WHOAMI;
	m.I_PROC_NR = SELF;
	m.I_VAL_PTR = name;
	m.I_VAL_LEN = len;
	r = taskcall(SYSTEM, SYS_GETINFO, &m);
	if (r == OK)
		*proc_nr = m.I_PROC_NR;
	return r;
}

/* The uptime in ticks, as 3.1.1's getuptime: SYS_TIMES for NONE. */
int
getuptime(clock_t *ticks)
{
	return sys_times(NONE, NULL, NULL, ticks);
}

int
sys_times(int proc_nr, clock_t *user, clock_t *sys, clock_t *uptime)
{
	message m;
	int r;

	m.T_PROC_NR = proc_nr;
	r = taskcall(SYSTEM, SYS_TIMES, &m);
	if (r != OK)
		return r;
	if (user != NULL)
		*user = m.T_USER_TIME;
	if (sys != NULL)
		*sys = m.T_SYSTEM_TIME;
	if (uptime != NULL)
		*uptime = m.T_BOOT_TICKS;
	return OK;
}

int
sys_setalarm(clock_t exp_time, int abs_time)
{
	message m;

	m.ALRM_PROC_NR = SELF;
	m.ALRM_EXP_TIME = exp_time;
	m.ALRM_ABS_TIME = abs_time;
	return taskcall(SYSTEM, SYS_SETALARM, &m);
}

int
sys_memset(unsigned long pattern, phys_bytes base, phys_bytes bytes)
{
	message m;

	m.MEM_PTR = (char *)base;
	m.MEM_COUNT = (long)bytes;
	m.MEM_PATTERN = (long)pattern;
	return taskcall(SYSTEM, SYS_MEMSET, &m);
}

/* SYS_VIRVCOPY and SYS_PHYSVCOPY take the same message: a vector, its length, entries done. */
static int
vcopy(int call, void *vec, int count, int *done)
{
	message m;
	int r;

	m.VCP_VEC_SIZE = count;
	m.VCP_VEC_ADDR = (char *)vec;
	r = taskcall(SYSTEM, call, &m);
	if (done != NULL)
		*done = m.VCP_NR_OK;
	return r;
}

int
sys_virvcopy(struct vir_cp_req *vec, int count, int *done)
{
	return vcopy(SYS_VIRVCOPY, vec, count, done);
}

int
sys_physvcopy(struct phys_cp_req *vec, int count, int *done)
{
	return vcopy(SYS_PHYSVCOPY, vec, count, done);
}

int
sys_abort(int how)
{
	message m;

	m.ABRT_HOW = how;
	return taskcall(SYSTEM, SYS_ABORT, &m);
}

int
sys_exit(int proc_nr)
{
	message m;

	m.m1_i1 = proc_nr;
	return taskcall(SYSTEM, SYS_EXIT, &m);
}

int
ctrlif_register(int cmsg_type)
{
	message m;

	m.m9_type = (u8_t)cmsg_type;
	return taskcall(CTRLIF, CTRLIF_REG_HND, &m);
}

int
ctrlif_send(int type, int subtype, const void *data, int len, int block)
{
	message m;

	if (len < 0 || len > 60)
		return EINVAL;
	m.m9_type = (u8_t)type;
	m.m9_subtype = (u8_t)subtype;
	m.m9_id = 0xFF;                 /* no reply handler */
	m.m9_length = (u8_t)len;
	memcpy(m.m9_msg, data, (size_t)len);
	return taskcall(CTRLIF, block ? CTRLIF_SEND_BLOCK : CTRLIF_SEND_NOBLOCK, &m);
}

int
ctrlif_respond(const message *cmsg)
{
	message m = *cmsg;

	return taskcall(CTRLIF, CTRLIF_SEND_RESPONSE, &m);
}

int
ctrlif_get(message *m)
{
	return taskcall(CTRLIF, CTRLIF_GET, m);
}
