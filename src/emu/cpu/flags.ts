// EFLAGS bit names (Intel SDM vol. 1 §3.4.3) and the lazy-flag operation kinds.
// The arithmetic flags live lazily in the CPU (see lazy-flags.ts); the rest sit in `flags`.

export const CF = 1 << 0;
export const PF = 1 << 2;
export const AF = 1 << 4;
export const ZF = 1 << 6;
export const SF = 1 << 7;
export const TF = 1 << 8;
export const IF = 1 << 9;
export const DF = 1 << 10;
export const OF = 1 << 11;
export const IOPL = 3 << 12;
export const IOPL_SHIFT = 12;
export const NT = 1 << 14;
export const RF = 1 << 16;
export const VM = 1 << 17;
export const AC = 1 << 18;
export const ID = 1 << 21;

/** Bit 1 of EFLAGS always reads as one. */
export const FLAGS_FIXED = 1 << 1;
/** The six status flags an ALU operation produces. */
export const ARITH = CF | PF | AF | ZF | SF | OF;
/** Bits software can ever change (VM only through IRET from CPL 0, delivery, or the owner). */
export const FLAGS_WRITABLE = ARITH | TF | IF | DF | OF | IOPL | NT | RF | VM | AC | ID;

/** Lazy-flag kinds: how the six status flags follow from ccA, ccB, ccR. */
export const CC_EAGER = 0; // status flags are in `flags`
export const CC_ADD = 1;
export const CC_ADC = 2; // ccCF holds the carry-in
export const CC_SUB = 3;
export const CC_SBB = 4; // ccCF holds the borrow-in
export const CC_RES = 5; // ZF SF PF from ccR; CF OF AF are held in ccCF ccOF ccAF (logic, shifts, mul)
export const CC_INC = 6; // like ADD with ccB = 1, CF kept in ccCF
export const CC_DEC = 7; // like SUB with ccB = 1, CF kept in ccCF
