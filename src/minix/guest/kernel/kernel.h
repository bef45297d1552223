/*
 * kernel.h - the include list every kernel .c file uses, in this fixed order (headers do not
 * include one another; this file is only the list).
 */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <stdio.h>
#include <errno.h>
#include <xen/xen.h>
#include <xen/io/domain_controller.h>
#include <minix/config.h>
#include <minix/const.h>
#include <minix/types.h>
#include <signal.h>
#include <minix/com.h>
#include <minix/ipc.h>
#include <minix/bootinfo.h>
#include <a.out.h>
#include "protect.h"
#include "sconst.h"
#include "type.h"
#include "priv.h"
#include "proc.h"
#include "glo.h"
#include "proto.h"
