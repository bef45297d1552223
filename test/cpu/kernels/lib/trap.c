/* Trap capture for the CPU test kernels: every vector lands in trap_dispatch, which records
 * what the CPU pushed and either resumes the code that armed a TRY or run_at (longjmp), or,
 * for vector 0x31, returns to the interrupted code (iret) so ring-3 code can continue. */
#include "kernel.h"

struct frame {
	u32 edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax;
	u32 gs, fs, es, ds;
	u32 vector, err;
	u32 eip, cs, eflags, esp, ss;
};

struct trap last_trap;
volatile u32 db_count;
volatile u32 db_eips[16];
volatile int db_counting;
volatile int trapped;
u32 catch_buf[8];
volatile int catch_armed;
extern u32 run_buf[8];
extern volatile int catch_armed_run;


static const char *const names[] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "V15",
	"#MF", "#AC", "#MC", "#XM",
};

const char *
vector_name(u32 v)
{
	static char buf[8];
	if (v < sizeof(names) / sizeof(names[0])) return names[v];
	buf[0] = 'i'; buf[1] = 'n'; buf[2] = 't';
	buf[3] = "0123456789abcdef"[(v >> 4) & 15];
	buf[4] = "0123456789abcdef"[v & 15];
	buf[5] = 0;
	return buf;
}

static int
has_error_code(u32 v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17;
}

void
trap_dispatch(struct frame *f)
{
	last_trap.vector = f->vector;
	last_trap.err = f->err;
	last_trap.eip = f->eip;
	last_trap.cs = f->cs;
	last_trap.eflags = f->eflags;
	last_trap.cr2 = read_cr2();
	last_trap.handler_esp = (u32)&f->eip - (has_error_code(f->vector) ? 4 : 0);
	last_trap.eax = f->eax;
	last_trap.ecx = f->ecx;
	last_trap.esi = f->esi;
	last_trap.edi = f->edi;
	if ((f->cs & 3) != 0) {
		last_trap.esp = f->esp;
		last_trap.ss = f->ss;
	} else {
		last_trap.esp = 0;
		last_trap.ss = 0;
	}
	if (f->vector == V_SYSCALL + 1)
		return;     /* resume the interrupted code */
	if (f->vector == V_DB && db_counting) {
		if (db_count < 16)
			db_eips[db_count] = f->eip;
		db_count++;
		return;     /* single-step: count and go on with TF still set */
	}
	if (catch_armed_run) {
		catch_armed_run = 0;
		k_longjmp(run_buf, f->vector == V_SYSCALL ? 1 : 2);
	}
	if (catch_armed) {
		catch_armed = 0;
		k_longjmp(catch_buf, 1);
	}
	printf_("UNEXPECTED %s err=%x eip=%08x cs=%x\n", vector_name(f->vector), f->err, f->eip, f->cs);
	machine_exit();
}

/* "name: ok" or "name: #GP(0010)" for the trap TRY just caught */
void
report(const char *name)
{
	if (!trapped) {
		printf_("%s: ok\n", name);
		return;
	}
	if (has_error_code(last_trap.vector))
		printf_("%s: %s(%04x)\n", name, vector_name(last_trap.vector), last_trap.err);
	else
		printf_("%s: %s\n", name, vector_name(last_trap.vector));
}

/* report() plus where the CPU said the trap happened */
void
report_trap_detail(const char *name)
{
	if (!trapped) {
		printf_("%s: ok\n", name);
		return;
	}
	printf_("%s: %s err=%x eip=%08x cs=%x cr2=%08x\n", name, vector_name(last_trap.vector),
		has_error_code(last_trap.vector) ? last_trap.err : 0, last_trap.eip, last_trap.cs,
		last_trap.vector == V_PF ? last_trap.cr2 : 0);
}
