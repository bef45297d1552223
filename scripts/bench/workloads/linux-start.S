/* _start of the static Linux driver: hands the initial stack (argc, argv) to linux_main */
        .text
        .globl  _start
_start:
        movl    %esp, %eax
        andl    $-16, %esp
        subl    $12, %esp
        pushl   %eax
        call    linux_main
        movl    %eax, %ebx
        movl    $1, %eax                /* exit */
        int     $0x80
        .section .note.GNU-stack, "", @progbits
