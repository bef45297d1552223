/* Floppy boot sector used only to start the CPU test kernels under Bochs, which has no
 * multiboot loader. It does what a multiboot loader does for our kernels: reads the kernel
 * (flattened from its ELF PT_LOAD segments by mkfloppy.mjs, which patches the load header
 * below) through the BIOS, enables A20, enters 32-bit protected mode with flat 4 GiB
 * segments, copies the image to its load address, zeroes the bss, and jumps to the entry
 * point with eax = 0x2BADB002 and ebx = a zeroed multiboot info block (flags = 0). */

#define LOAD_SEG   0x1000        /* the flat image is read to 0x10000 first */
#define INFO_ADDR  0x9000        /* multiboot info, all zero */
#define SPT        18            /* 1.44 MB floppy geometry */
#define HEADS      2

        .code16
        .text
        .globl  _start
_start:
        cli
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %ss
        movw    $0x7c00, %sp
        movb    %dl, drive

        /* read `sectors` sectors from LBA 1 to LOAD_SEG:0, one at a time */
        movw    $LOAD_SEG, %ax
        movw    %ax, %es
        movw    $1, %si                 /* current LBA */
read_next:
        movw    %si, %ax
        decw    %ax
        cmpw    sectors, %ax
        jae     read_done
        movw    %si, %ax
        xorw    %dx, %dx
        movw    $SPT, %bx
        divw    %bx                     /* ax = track index, dx = sector - 1 */
        movb    %dl, %cl
        incb    %cl                     /* cl = sector (1-based) */
        xorw    %dx, %dx
        movw    $HEADS, %bx
        divw    %bx                     /* ax = cylinder, dx = head */
        movb    %al, %ch
        movb    %dl, %dh
        movb    drive, %dl
        xorw    %bx, %bx
        movw    $0x0201, %ax            /* read one sector to es:0 */
        int     $0x13
        jc      disk_error
        movw    %es, %ax
        addw    $0x20, %ax
        movw    %ax, %es
        incw    %si
        jmp     read_next

disk_error:
        movw    $0x0e21, %ax            /* print '!' and stop */
        int     $0x10
1:      hlt
        jmp     1b

read_done:
        inb     $0x92, %al              /* fast A20 gate */
        orb     $2, %al
        andb    $0xfe, %al
        outb    %al, $0x92
        lgdt    gdt_desc
        movl    %cr0, %eax
        orl     $1, %eax
        movl    %eax, %cr0
        ljmp    $0x08, $pm_entry

        .code32
pm_entry:
        movw    $0x10, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %fs
        movw    %ax, %gs
        movw    %ax, %ss
        movl    $0x7c00, %esp
        cld
        movl    $(LOAD_SEG << 4), %esi  /* copy the image to its load address */
        movl    load_addr, %edi
        movl    file_size, %ecx
        rep movsb
        movl    mem_size, %ecx          /* zero the bss */
        subl    file_size, %ecx
        xorl    %eax, %eax
        rep stosb
        movl    $INFO_ADDR, %edi        /* zero the multiboot info block */
        movl    $32, %ecx
        rep stosl
        movl    $0x2badb002, %eax
        movl    $INFO_ADDR, %ebx
        jmp     *entry

        .p2align 3
gdt:
        .quad   0
        .quad   0x00cf9a000000ffff      /* 0x08: code, base 0, 4 GiB, 32-bit */
        .quad   0x00cf92000000ffff      /* 0x10: data, base 0, 4 GiB */
gdt_desc:
        .word   gdt_desc - gdt - 1
        .long   gdt
drive:
        .byte   0

        /* load header, patched by mkfloppy.mjs at offset 0x1e6 */
        .org    0x1e6
sectors:   .word 0
load_addr: .long 0
file_size: .long 0
mem_size:  .long 0
entry:     .long 0
        .org    0x1fe
        .word   0xaa55
