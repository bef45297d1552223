/*
 * minix/config.h - build-time configuration of MINIX 3.1.1 on Xen (report 6.2, 6.3).
 * XEN selects the port's code paths; the console is one Xen virtual console and no
 * hardware console or serial line (report 6.3.2).
 */
#ifndef _MINIX_CONFIG_H
#define _MINIX_CONFIG_H
#define OS_RELEASE      "3"
#define OS_VERSION      "1.1-xen"
#define XEN             1

#define NR_PROCS        100     /* process slots for servers, drivers and users */
#define NR_SYS_PROCS    32      /* slots with their own privilege structure */

#define NR_CONS         0       /* no hardware console under Xen */
#define NR_RS_LINES     0
#define NR_PTYS         0
#define NR_XEN_CONS     1       /* the Xen virtual console (report 6.3.2) */
#endif
