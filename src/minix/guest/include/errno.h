/*
 * errno.h - MINIX 3.1.1 error numbers. Inside the system (_SYSTEM) they are negative, as
 * MINIX's _SIGN makes them; every guest program here is part of the system.
 */
#ifndef _ERRNO_H
#define _ERRNO_H
#define _SIGN        -
#define OK           0
#define EGENERIC     (_SIGN 99)
#define EPERM        (_SIGN 1)
#define ENOENT       (_SIGN 2)
#define ESRCH        (_SIGN 3)
#define EINTR        (_SIGN 4)
#define EIO          (_SIGN 5)
#define ENXIO        (_SIGN 6)
#define E2BIG        (_SIGN 7)
#define EAGAIN       (_SIGN 11)
#define ENOMEM       (_SIGN 12)
#define EFAULT       (_SIGN 14)
#define EBUSY        (_SIGN 16)
#define ENODEV       (_SIGN 19)
#define EINVAL       (_SIGN 22)
#define ENOTTY       (_SIGN 25)
#define ENOSPC       (_SIGN 28)
#define ENOSYS       (_SIGN 38)
/* Errors the kernel's IPC produces (minix-facts 3.2). */
#define ELOCKED      (_SIGN 101)   /* the call would deadlock */
#define EBADCALL     (_SIGN 102)   /* unknown IPC primitive */
#define EBADSRCDST   (_SIGN 103)   /* source or destination out of range */
#define ECALLDENIED  (_SIGN 104)   /* no permission to send there */
#define EDEADSRCDST  (_SIGN 105)   /* source or destination slot is empty */
#define ENOTREADY    (_SIGN 106)   /* non-blocking call found no peer */
#define EBADREQUEST  (_SIGN 107)   /* unknown request to a task */
#define ESRCDIED     (_SIGN 108)
#define EDSTDIED     (_SIGN 109)
#define ETRAPDENIED  (_SIGN 110)   /* primitive not in the caller's trap mask */
#define EDONTREPLY   (_SIGN 201)   /* handler answers later or never */
#endif
