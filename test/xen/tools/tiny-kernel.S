/* Smallest Xen ELF kernels for the builder tests: a __xen_guest string, text, data and bss
   linked at 0xC0000000. The variants differ only in the string (or lack of it). */
#if defined(VARIANT_NOSECTION)
#elif defined(VARIANT_WRONGVER)
        .section __xen_guest
        .asciz  "GUEST_OS=linux,XEN_VER=3.0,VIRT_BASE=0xC0000000"
#elif defined(VARIANT_WRONGOS)
        .section __xen_guest
        .asciz  "GUEST_OS=plan9,XEN_VER=2.0"
#else
        .section __xen_guest
        .asciz  "GUEST_OS=tiny,LOADER=generic,XEN_VER=2.0,VIRT_BASE=0xC0000000,PT_MODE_WRITABLE"
#endif
        .text
        .globl  _start
_start:
        movl    $0x11111111, %eax
        jmp     _start
        .data
marker: .long   0xfeedface
        .bss
        .space  8192
