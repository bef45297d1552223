/*
 * minix/ipc.h - the message and the IPC primitives (MINIX 3.1.1 numbers). As in the report's
 * port, the union gains mess_9 for one 64-byte Xen control message, so a message is 18 words
 * (72 bytes) instead of stock 3.1.1's 9 words (36 bytes). Needs minix/types.h.
 */
#ifndef _MINIX_IPC_H
#define _MINIX_IPC_H

#define SEND            1
#define RECEIVE         2
#define SENDREC         3
#define NOTIFY          4
#define ECHO            8
#define NON_BLOCKING    0x10
#define SYSCALL_FUNC    0x0F
#define SYSCALL_FLAGS   0xF0
#define SYS386_VECTOR   33      /* int $33: the IPC trap */
#define MESS_SIZE       72      /* bytes; Msize = 18 words */

#ifndef __ASSEMBLY__
#define M3_STRING 14
#define M9_PAYLOAD 64

typedef struct { int m1i1, m1i2, m1i3; char *m1p1, *m1p2, *m1p3; } mess_1;
typedef struct { int m2i1, m2i2, m2i3; long m2l1, m2l2; char *m2p1; } mess_2;
typedef struct { int m3i1, m3i2; char *m3p1; char m3ca1[M3_STRING]; } mess_3;
typedef struct { long m4l1, m4l2, m4l3, m4l4, m4l5; } mess_4;
typedef struct { short m5c1, m5c2; int m5i1, m5i2; long m5l1, m5l2, m5l3; } mess_5;
typedef struct { int m7i1, m7i2, m7i3, m7i4; char *m7p1, *m7p2; } mess_7;
typedef struct { int m8i1, m8i2; char *m8p1, *m8p2, *m8p3, *m8p4; } mess_8;
/* One control message as Xen lays it out: type, subtype, id, length, 60 payload bytes. */
typedef struct { u8_t m9type, m9subtype, m9id, m9length; u8_t m9msg[60]; } mess_9;

typedef struct {
	int m_source;           /* who sent it; always written by the kernel */
	int m_type;
	union {
		mess_1 m_m1; mess_2 m_m2; mess_3 m_m3; mess_4 m_m4;
		mess_5 m_m5; mess_7 m_m7; mess_8 m_m8; mess_9 m_m9;
	} m_u;
} message;

/* The port's message size is part of its ABI (the IPC code copies MESS_SIZE bytes). */
typedef char message_size_is_mess_size[sizeof(message) == MESS_SIZE ? 1 : -1];

#define m1_i1 m_u.m_m1.m1i1
#define m1_i2 m_u.m_m1.m1i2
#define m1_i3 m_u.m_m1.m1i3
#define m1_p1 m_u.m_m1.m1p1
#define m1_p2 m_u.m_m1.m1p2
#define m1_p3 m_u.m_m1.m1p3
#define m2_i1 m_u.m_m2.m2i1
#define m2_i2 m_u.m_m2.m2i2
#define m2_i3 m_u.m_m2.m2i3
#define m2_l1 m_u.m_m2.m2l1
#define m2_l2 m_u.m_m2.m2l2
#define m2_p1 m_u.m_m2.m2p1
#define m3_i1 m_u.m_m3.m3i1
#define m3_i2 m_u.m_m3.m3i2
#define m3_p1 m_u.m_m3.m3p1
#define m3_ca1 m_u.m_m3.m3ca1
#define m4_l1 m_u.m_m4.m4l1
#define m4_l2 m_u.m_m4.m4l2
#define m4_l3 m_u.m_m4.m4l3
#define m4_l4 m_u.m_m4.m4l4
#define m4_l5 m_u.m_m4.m4l5
#define m5_c1 m_u.m_m5.m5c1
#define m5_c2 m_u.m_m5.m5c2
#define m5_i1 m_u.m_m5.m5i1
#define m5_i2 m_u.m_m5.m5i2
#define m5_l1 m_u.m_m5.m5l1
#define m5_l2 m_u.m_m5.m5l2
#define m5_l3 m_u.m_m5.m5l3
#define m7_i1 m_u.m_m7.m7i1
#define m7_i2 m_u.m_m7.m7i2
#define m7_i3 m_u.m_m7.m7i3
#define m7_i4 m_u.m_m7.m7i4
#define m7_p1 m_u.m_m7.m7p1
#define m7_p2 m_u.m_m7.m7p2
#define m9_type m_u.m_m9.m9type
#define m9_subtype m_u.m_m9.m9subtype
#define m9_id m_u.m_m9.m9id
#define m9_length m_u.m_m9.m9length
#define m9_msg m_u.m_m9.m9msg
#define m9_cmsg m_u.m_m9          /* the whole control message */

/* lib/ipc.S: int $33 with eax = src/dst, ebx = message, ecx = primitive. */
int send(int dst, message *m);
int receive(int src, message *m);
int sendrec(int srcdst, message *m);
int notify(int dst);
int echo(message *m);
int nb_send(int dst, message *m);
int nb_receive(int src, message *m);
#endif /* __ASSEMBLY__ */
#endif
