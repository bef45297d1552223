/*
 * minix/bootinfo.h - what the MINIX builder hands the kernel (report 5.2.4): Xen's start_info_t
 * followed by MINIX's domain setup information, at the VA in esi on entry. The host twin is
 * src/minix/builder.ts (test/minix/bootinfo-probe.test.ts checks they agree). Address kinds:
 * VA = virtual address (equal to the pseudo-physical byte address: the builder maps PFN k at
 * VA k*4096), MFN = machine frame number. Needs xen/xen.h and minix/types.h for the C part.
 */
#ifndef _MINIX_BOOTINFO_H
#define _MINIX_BOOTINFO_H

#define PROCESS_MAX          16          /* programs in a boot image, kernel included */
#define NR_GDT_MF            16          /* GDT frames the builder provides */
#define SHARED_INFO_VA       0x2000000   /* where the builder maps shared_info (report 5.2.2) */
#define BOOT_GDT_ENTRIES     8192        /* 16 frames x 512 descriptors */
/* GDT slots the builder fills before entry: ring-1 kernel text and data, base 0. */
#define KERNEL_CS_INDEX      1
#define KERNEL_DS_INDEX      2
/* Offsets of fields the entry code reads before C runs. */
#define MSI_GDT_MFNS         332
#define MSI_SIZE             2388

#ifndef __ASSEMBLY__
typedef struct {
	u32_t base;          /* VA (= pseudo-physical byte address) where text was loaded */
	u32_t size;          /* bytes reserved: a_total rounded up to a click */
	u32_t entry;         /* a_entry, an offset in the process's code segment */
} process_t;

typedef struct {
	char  name[64];      /* NUL-terminated program name from the image */
	u8_t  a_magic[2], a_flags, a_cpu, a_hdrlen, a_unused;
	u16_t a_version;
	u32_t a_text, a_data, a_bss, a_entry, a_total;
	u32_t a_syms;        /* replaced, as the boot monitor does, by the load VA */
	u32_t a_trsize, a_drsize, a_tbase, a_dbase;
} __attribute__((packed)) image_header_t;

struct domain_setup_info_t {
	u32_t msi_vaddr;                  /* VA of this structure (the start info page) */
	u32_t fmem_vaddr;                 /* VA of the first free page */
	u32_t gdt_vaddr;                  /* VA of the 16 GDT frames (mapped read-only) */
	u32_t gdt_mfns[NR_GDT_MF];        /* MFNs of the GDT frames, for set_gdt */
	u32_t nr_procs;                   /* boot-image programs, kernel included */
	process_t processes[PROCESS_MAX];
	image_header_t procheaders[PROCESS_MAX];
} __attribute__((packed));

typedef struct {
	start_info_t start_info;          /* Xen's part; cmd_line holds the boot parameters */
	struct domain_setup_info_t setup_info;
	u32_t shared_info;                /* VA of shared_info (SHARED_INFO_VA) */
} __attribute__((packed)) minix_start_info_t;
#endif /* __ASSEMBLY__ */
#endif
