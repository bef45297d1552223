/* Host tool: counts the instructions a 32-bit program executes between two addresses by
 * single-stepping it with ptrace. Counting starts when the program reaches BEGIN and stops
 * when it reaches END (that instruction not counted); prints the count.
 *   stepcount BEGIN_HEX END_HEX program args...  */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: stepcount BEGIN_HEX END_HEX program args...\n");
		return 2;
	}
	unsigned long begin = strtoul(argv[1], 0, 16), end = strtoul(argv[2], 0, 16);
	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		execv(argv[3], argv + 3);
		perror("execv");
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);   /* stopped at exec */
	unsigned long long count = 0;
	int counting = 0, done = 0;
	for (;;) {
		if (WIFEXITED(status) || WIFSIGNALED(status)) break;
		struct user_regs_struct regs;
		if (ptrace(PTRACE_GETREGS, pid, 0, &regs) != 0) { perror("PTRACE_GETREGS"); return 1; }
		unsigned long ip = regs.rip;
		if (ip == begin && !done) counting = 1;
		if (ip == end && counting) { counting = 0; done = 1; }
		if (counting) count++;
		if (ptrace(PTRACE_SINGLESTEP, pid, 0, 0) != 0) { perror("PTRACE_SINGLESTEP"); return 1; }
		waitpid(pid, &status, 0);
	}
	if (!done) {
		fprintf(stderr, "stepcount: the program never reached 0x%lx and 0x%lx in order\n", begin, end);
		return 1;
	}
	printf("%llu\n", count);
	return 0;
}
