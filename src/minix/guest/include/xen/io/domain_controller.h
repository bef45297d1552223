/*
 * xen/io/domain_controller.h - the control interface between a guest and dom0's domain
 * controller (Xen 2.0): two 8-slot rings at shared_info + CONTROL_IF_OFFSET, and the message
 * types the guest sees. Twin of the CONTROL_* / CMSG_* part of src/xen/abi.ts.
 * Needs xen/xen.h first for the fixed-width types.
 */
#ifndef XEN_IO_DOMAIN_CONTROLLER_H
#define XEN_IO_DOMAIN_CONTROLLER_H

#define CONTROL_RING_SIZE          8           /* slot = index & 7                      */
#define CONTROL_MSG_PAYLOAD        60

#define CMSG_CONSOLE               0
#define CMSG_BLKIF_BE              1
#define CMSG_BLKIF_FE              2
#define CMSG_NETIF_BE              3
#define CMSG_NETIF_FE              4
#define CMSG_SHUTDOWN              6
#define CMSG_MEM_REQUEST           7

#define CMSG_CONSOLE_DATA          0

#define CMSG_SHUTDOWN_POWEROFF     0
#define CMSG_SHUTDOWN_REBOOT       1
#define CMSG_SHUTDOWN_SUSPEND      2
#define CMSG_SHUTDOWN_SYSRQ        3

#define CMSG_MEM_REQUEST_SET       0

#define CMSG_BLKIF_FE_INTERFACE_STATUS      0
#define CMSG_BLKIF_FE_DRIVER_STATUS         32
#define CMSG_BLKIF_FE_INTERFACE_CONNECT     33
#define CMSG_BLKIF_FE_INTERFACE_DISCONNECT  34
#define CMSG_BLKIF_FE_INTERFACE_QUERY       35

#define BLKIF_INTERFACE_STATUS_CLOSED       0
#define BLKIF_INTERFACE_STATUS_DISCONNECTED 1
#define BLKIF_INTERFACE_STATUS_CONNECTED    2
#define BLKIF_INTERFACE_STATUS_CHANGED      3
#define BLKIF_DRIVER_STATUS_DOWN            0
#define BLKIF_DRIVER_STATUS_UP              1

#ifndef __ASSEMBLY__
#ifndef XEN_XEN_H
#error "include xen/xen.h before xen/io/domain_controller.h"
#endif

typedef struct {
	xen_u8 type;
	xen_u8 subtype;
	xen_u8 id;           /* echoed in the response; 0xFF = no reply handler */
	xen_u8 length;       /* bytes used in msg */
	xen_u8 msg[CONTROL_MSG_PAYLOAD];
} __attribute__((packed)) control_msg_t;

typedef struct {
	control_msg_t tx_ring[CONTROL_RING_SIZE];   /* guest -> controller */
	control_msg_t rx_ring[CONTROL_RING_SIZE];   /* controller -> guest */
	xen_u32 tx_req_prod;                        /* written by the guest */
	xen_u32 tx_resp_prod;                       /* written by the controller */
	xen_u32 rx_req_prod;                        /* written by the controller */
	xen_u32 rx_resp_prod;                       /* written by the guest */
} __attribute__((packed)) control_if_t;

typedef struct {
	xen_u32 handle;
	xen_u32 status;
	xen_u16 evtchn;      /* valid when CONNECTED */
	domid_t domid;       /* backend domain */
} __attribute__((packed)) blkif_fe_interface_status_t;

typedef struct {
	xen_u32 status;
	xen_u32 max_handle;
} __attribute__((packed)) blkif_fe_driver_status_t;

typedef struct {
	xen_u32 handle;
	xen_u32 pad;
	XEN_PADDED32(shmem_frame);  /* MFN of the guest's ring page */
} __attribute__((packed)) blkif_fe_interface_connect_t;

typedef struct {
	xen_u32 handle;
} __attribute__((packed)) blkif_fe_interface_disconnect_t;

typedef struct {
	xen_u32 target;      /* pages */
	xen_u32 status;
} __attribute__((packed)) mem_request_t;

#endif /* __ASSEMBLY__ */
#endif /* XEN_IO_DOMAIN_CONTROLLER_H */
