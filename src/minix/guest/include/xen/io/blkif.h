/*
 * xen/io/blkif.h - the Xen 2.0 block ring (not 3.0's generic ring): one shared page with
 * 64 slots of 60 bytes, segments given as machine addresses. Twin of BLKIF_* in abi.ts.
 * Needs xen/xen.h first for the fixed-width types.
 */
#ifndef XEN_IO_BLKIF_H
#define XEN_IO_BLKIF_H

#define BLKIF_RING_SIZE                 64
#define BLKIF_MAX_SEGMENTS_PER_REQUEST  11
#define BLKIF_OP_READ                   0
#define BLKIF_OP_WRITE                  1
#define BLKIF_OP_PROBE                  2
#define BLKIF_RSP_OKAY                  0
#define BLKIF_RSP_ERROR                 (-1)
#define VDISK_TYPE_DISK                 0x20
#define VDISK_FLAG_RO                   0x40
#define VDISK_FLAG_VIRT                 0x80

#ifndef __ASSEMBLY__
#ifndef XEN_XEN_H
#error "include xen/xen.h before xen/io/blkif.h"
#endif

typedef struct {
	xen_u8  operation;
	xen_u8  nr_segments;
	xen_u16 device;
	xen_u32 id;                 /* echoed in the response */
	xen_u64 sector_number;      /* 512-byte sectors */
	xen_u32 frame_and_sects[BLKIF_MAX_SEGMENTS_PER_REQUEST]; /* MA | first<<3 | last */
} __attribute__((packed)) blkif_request_t;

typedef struct {
	xen_u32 id;
	xen_u8  operation;
	xen_s16 status;             /* PROBE: number of vdisk_t written */
} __attribute__((packed)) blkif_response_t;

typedef struct {
	xen_u32 req_prod;           /* written by the frontend */
	xen_u32 resp_prod;          /* written by the backend */
	union {
		blkif_request_t  req;
		blkif_response_t resp;
	} __attribute__((packed)) ring[BLKIF_RING_SIZE];
} __attribute__((packed)) blkif_ring_t;

typedef struct {
	xen_u64 capacity;           /* sectors */
	xen_u16 device;
	xen_u16 info;               /* type bits 5:0, VDISK_FLAG_* */
} __attribute__((packed)) vdisk_t;

#endif /* __ASSEMBLY__ */
#endif /* XEN_IO_BLKIF_H */
