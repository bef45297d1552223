/*
 * sigreturn.S - __sigreturn, where a catcher returns to (the sigframe's first word). On entry
 * esp points at sf_signo; dropping signo, code, scp and fp leaves sf_retadr2 (the interrupted
 * pc) as a return address and sf_scpcopy as the argument of sigreturn(), which PM turns into
 * SYS_SIGRETURN and which does not come back here.
 */
	.text
	.globl __sigreturn
	.type __sigreturn, @function
__sigreturn:
	addl  $16, %esp
	jmp   sigreturn
	.size __sigreturn, . - __sigreturn

	.section .note.GNU-stack,"",@progbits
