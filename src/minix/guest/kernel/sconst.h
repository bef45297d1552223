/*
 * sconst.h - offsets in a process's saved frame (struct stackframe_s in type.h) for the
 * assembly. Segment registers get 32-bit slots (MINIX packs them in 16 bits); 72 bytes in all.
 */
#ifndef SCONST_H
#define SCONST_H
#define GSREG       0
#define FSREG       4
#define ESREG       8
#define DSREG       12
#define DIREG       16
#define SIREG       20
#define BPREG       24
#define STREG       28      /* esp copy pushed by pushal; not used */
#define BXREG       32
#define DXREG       36
#define CXREG       40
#define AXREG       44
#define RETADR      48      /* return address of the call to save */
#define PCREG       52      /* the bounce frame Xen builds starts here */
#define CSREG       56
#define PSWREG      60
#define SPREG       64
#define SSREG       68
#define P_STACKTOP  72      /* stack_switch points ring 2/3 -> 1 transitions here */
#define K_STACK_BYTES 8192
#endif
