/* Multiboot entry, trap stubs, setjmp/longjmp and the ring-changing iret used by the CPU
 * test kernels. The loader (qemu -kernel, our bare-mode loader, or the Bochs floppy boot
 * sector) enters _start in flat 32-bit protected mode with eax = 0x2BADB002. */

        .section .multiboot, "a"
        .p2align 2
        .long   0x1badb002              /* magic */
        .long   0                       /* flags: load from the ELF headers */
        .long   -0x1badb002             /* checksum */

        .text
        .globl  _start
_start:
        cli
        movl    $kernel_stack_top, %esp
        pushl   $0
        popfl                           /* known EFLAGS: only bit 1 set */
        pushl   %ebx                    /* multiboot info */
        pushl   %eax                    /* multiboot magic */
        call    kmain
1:      hlt
        jmp     1b

/* One stub per vector. Vectors whose exceptions push an error code skip the dummy push. */
        .macro  stub v
        .p2align 4
        .if (\v == 8) || (\v >= 10 && \v <= 14) || (\v == 17)
        pushl   $\v
        .else
        pushl   $0
        pushl   $\v
        .endif
        jmp     trap_common
        .endm

        .altmacro
        .globl  trap_stubs
        .p2align 4
trap_stubs:
        .set    i, 0
        .rept   256
        stub    %i
        .set    i, i + 1
        .endr

/* Frame on entry to trap_common: vector, err, eip, cs, eflags [, esp, ss] */
trap_common:
        pushfl                          /* EFLAGS as the gate left it (IF, TF, NT) */
        popl    %ss:trap_entry_eflags
        pushl   %ds
        pushl   %es
        pushl   %fs
        pushl   %gs
        pushal
        movl    %esp, %eax
        movw    $0x10, %dx
        movw    %dx, %ds
        movw    %dx, %es
        pushl   %eax
        call    trap_dispatch           /* returns only for traps that resume */
        addl    $4, %esp
        popal
        popl    %gs
        popl    %fs
        popl    %es
        popl    %ds
        addl    $8, %esp
        iret

/* k_setjmp(buf): saves ebx, esi, edi, ebp, esp, eip */
        .globl  k_setjmp
k_setjmp:
        movl    4(%esp), %eax
        movl    %ebx, 0(%eax)
        movl    %esi, 4(%eax)
        movl    %edi, 8(%eax)
        movl    %ebp, 12(%eax)
        leal    4(%esp), %ecx
        movl    %ecx, 16(%eax)
        movl    (%esp), %ecx
        movl    %ecx, 20(%eax)
        xorl    %eax, %eax
        ret

/* k_longjmp(buf, val): back to ring 0 kernel state with flat kernel segments */
        .globl  k_longjmp
k_longjmp:
        movl    4(%esp), %edx
        movl    8(%esp), %eax
        movw    $0x10, %cx
        movw    %cx, %ds
        movw    %cx, %es
        movw    %cx, %fs
        movw    %cx, %gs
        movw    %cx, %ss
        movl    0(%edx), %ebx
        movl    4(%edx), %esi
        movl    8(%edx), %edi
        movl    12(%edx), %ebp
        movl    16(%edx), %esp
        jmp     *20(%edx)

/* run_at_seg(cs, ss, esp, eflags, fn, ds, es, fs, gs) */
        .globl  run_at_seg
run_at_seg:
        pushl   $run_buf
        call    k_setjmp
        addl    $4, %esp
        testl   %eax, %eax
        jnz     2f
        movl    $1, catch_armed_run
        movl    24(%esp), %eax
        movw    %ax, %ds
        movl    28(%esp), %eax
        movw    %ax, %es
        movl    32(%esp), %eax
        movw    %ax, %fs
        movl    36(%esp), %eax
        movw    %ax, %gs
        pushl   %ss:8(%esp)              /* ss */
        pushl   %ss:16(%esp)             /* esp (offsets grow by 4 per push) */
        pushl   %ss:24(%esp)             /* eflags */
        pushl   %ss:16(%esp)             /* cs */
        pushl   %ss:36(%esp)             /* eip = fn */
        iret
2:      cli                             /* the outer code may have set IF */
        subl    $1, %eax                /* k_longjmp passes 1 + trapped */
        ret

/* run_at(cs, ss, esp, eflags, fn): data segments = ss */
        .globl  run_at
run_at:
        movl    8(%esp), %eax
        pushl   %eax
        pushl   %eax
        pushl   %eax
        pushl   %eax
        pushl   36(%esp)
        pushl   36(%esp)
        pushl   36(%esp)
        pushl   36(%esp)
        pushl   36(%esp)
        call    run_at_seg
        addl    $36, %esp
        ret

        .data
        .globl  run_buf, catch_armed_run, trap_entry_eflags
trap_entry_eflags: .long 0
run_buf:        .fill 8, 4, 0
catch_armed_run: .long 0

        .bss
        .p2align 12
        .globl  kernel_stack_top, user_stack_top, ring1_stack_top, ring2_stack_top, ring0_trap_stack_top
        .fill   4096, 1, 0
kernel_stack_top:
        .fill   4096, 1, 0
ring0_trap_stack_top:
        .fill   4096, 1, 0
ring1_stack_top:
        .fill   4096, 1, 0
ring2_stack_top:
        .fill   4096, 1, 0
user_stack_top:
        .fill   4096, 1, 0              /* guard: peers that skip SS limit checks write here */
        .section .note.GNU-stack, "", @progbits
