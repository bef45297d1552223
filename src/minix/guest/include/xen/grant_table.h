/* Xen 2.0 grant tables as a guest sees them: a domain writes grant_entry_t records into its
 * table frames (handed out by GNTTABOP_setup_table) to let another domain map one of its frames;
 * the other domain maps and unmaps it with hypercall 20. Numbers agree with src/xen/abi.ts. */
#ifndef XEN_GRANT_TABLE_H
#define XEN_GRANT_TABLE_H

#define GNTTABOP_map_grant_ref   0
#define GNTTABOP_unmap_grant_ref 1
#define GNTTABOP_setup_table     2

#define GTF_invalid         0
#define GTF_permit_access   1
#define GTF_accept_transfer 2
#define GTF_type_mask       3
#define GTF_readonly        4
#define GTF_reading         8
#define GTF_writing         16

#define GNTMAP_device_map      1
#define GNTMAP_host_map        2
#define GNTMAP_readonly        4
#define GNTMAP_application_map 8

#define GNTST_okay               0
#define GNTST_general_error      (-1)
#define GNTST_bad_domain         (-2)
#define GNTST_bad_gntref         (-3)
#define GNTST_bad_handle         (-4)
#define GNTST_bad_virt_addr      (-5)
#define GNTST_bad_dev_addr       (-6)
#define GNTST_no_device_space    (-7)
#define GNTST_permission_denied  (-8)

#define NR_GRANT_FRAMES  1
#define NR_GRANT_ENTRIES 512

#ifndef __ASSEMBLY__
#include "xen/xen.h"

typedef xen_u16 grant_ref_t;

typedef struct {
	xen_u16 flags;   /* GTF_*; the granter sets type/readonly, Xen sets reading/writing */
	domid_t domid;   /* the domain allowed to map */
	xen_u32 frame;   /* MFN granted */
} __attribute__((packed)) grant_entry_t;

typedef struct {
	xen_u32     host_virt_addr; /* IN: page-aligned VA for GNTMAP_host_map */
	domid_t     dom;            /* IN: granting domain */
	grant_ref_t ref;            /* IN */
	xen_u16     flags;          /* IN: GNTMAP_* */
	xen_s16     handle;         /* OUT: >= 0 handle, < 0 GNTST_* */
	xen_u32     dev_bus_addr;   /* OUT: machine address for GNTMAP_device_map */
} __attribute__((packed)) gnttab_map_grant_ref_t;

typedef struct {
	xen_u32 host_virt_addr; /* IN: 0 or the VA given to map */
	xen_u32 dev_bus_addr;   /* IN: 0 or the address map returned */
	xen_u16 handle;         /* IN */
	xen_s16 status;         /* OUT: GNTST_* */
} __attribute__((packed)) gnttab_unmap_grant_ref_t;

typedef struct {
	domid_t  dom;        /* IN: DOMID_SELF (others need privilege) */
	xen_u16  nr_frames;  /* IN: <= NR_GRANT_FRAMES */
	xen_s16  status;     /* OUT: GNTST_* */
	xen_u32 *frame_list; /* IN: where Xen writes the table's MFNs */
} __attribute__((packed)) gnttab_setup_table_t;

#endif /* __ASSEMBLY__ */
#endif /* XEN_GRANT_TABLE_H */
