/* sigset.c - signal sets as MINIX keeps them: bit n stands for signal n (1.._NSIG). */
#include <errno.h>
#include <minix/types.h>
#include <signal.h>

int
sigemptyset(sigset_t *set)
{
	*set = 0;
	return 0;
}

int
sigfillset(sigset_t *set)
{
	*set = ~(sigset_t)0;
	return 0;
}

int
sigaddset(sigset_t *set, int sig)
{
	if (sig < 0 || sig > _NSIG)
		return EINVAL;
	*set |= (sigset_t)1 << sig;
	return 0;
}

int
sigdelset(sigset_t *set, int sig)
{
	if (sig < 0 || sig > _NSIG)
		return EINVAL;
	*set &= ~((sigset_t)1 << sig);
	return 0;
}

int
sigismember(const sigset_t *set, int sig)
{
	if (sig < 0 || sig > _NSIG)
		return EINVAL;
	return (*set >> sig) & 1;
}
