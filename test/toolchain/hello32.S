/* Smallest i386 Linux program: write(1, msg, len); exit(7). Runs natively on the x86-64
   host, so a test can prove the guest toolchain produces real i386 code. */
        .text
        .globl _start
_start:
        movl    $4, %eax                /* __NR_write (i386) */
        movl    $1, %ebx
        movl    $msg, %ecx
        movl    $len, %edx
        int     $0x80
        movl    $1, %eax                /* __NR_exit (i386) */
        movl    $7, %ebx
        int     $0x80

        .data
msg:    .ascii  "hello from i386\n"
        .set    len, . - msg
