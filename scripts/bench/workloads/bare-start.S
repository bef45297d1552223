/* Multiboot header and entry of the benchmark kernel. This object is linked first, so the
 * header opens .text, well inside the first 8 KiB of the file as multiboot requires. */
        .text
        .p2align 2
        .long   0x1badb002, 0, -0x1badb002
        .globl  _start
_start:
        cli
        movl    $stack_top, %esp
        call    bare_main
1:      hlt
        jmp     1b
        .bss
        .p2align 4
        .fill   16384, 1, 0
stack_top:
        .section .note.GNU-stack, "", @progbits
