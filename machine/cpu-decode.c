/*
 * machine/cpu-decode.c - decode RV64GC instructions into RISCVInsn, and
 * expand RVC (compressed) instructions into their 32-bit equivalents
 * (unprivileged spec 20191213, chapter 16 "C" and chapter 24 opcode map).
 *
 * Decoding happens once per instruction slot of a physical page; the
 * interpreter (cpu-exec.c) then dispatches on RISCVInsn.op.
 */
#include "machine/cpu-internal.h"

/* Major opcodes, unprivileged spec table 24.1. */
#define OPC_LOAD      0x03
#define OPC_LOAD_FP   0x07
#define OPC_MISC_MEM  0x0f
#define OPC_OP_IMM    0x13
#define OPC_AUIPC     0x17
#define OPC_OP_IMM_32 0x1b
#define OPC_STORE     0x23
#define OPC_STORE_FP  0x27
#define OPC_AMO       0x2f
#define OPC_OP        0x33
#define OPC_LUI       0x37
#define OPC_OP_32     0x3b
#define OPC_MADD      0x43
#define OPC_MSUB      0x47
#define OPC_NMSUB     0x4b
#define OPC_NMADD     0x4f
#define OPC_OP_FP     0x53
#define OPC_BRANCH    0x63
#define OPC_JALR      0x67
#define OPC_JAL       0x6f
#define OPC_SYSTEM    0x73

/* Fixed SYSTEM encodings, privileged spec table 9.1 (chapter 9, "RISC-V
 * Privileged Instruction Set Listings"). */
#define INSN_ECALL  0x00000073u
#define INSN_EBREAK 0x00100073u
#define INSN_SRET   0x10200073u
#define INSN_MRET   0x30200073u
#define INSN_WFI    0x10500073u
#define FUNCT7_SFENCE_VMA 0x09
/* Zihintpause: FENCE with pred=W, succ=0 (unprivileged spec chapter 10);
 * Linux's cpu_relax() emits it in spin-wait loops. */
#define INSN_PAUSE  0x0100000fu

#define FUNCT7_ALT  0x20    /* sub, sra */
#define FUNCT7_MULDIV 0x01  /* the M extension */

/* bits hi..lo of x */
#define BITS(x, hi, lo) (((x) >> (lo)) & ((1u << ((hi) - (lo) + 1)) - 1))

static inline int32_t sext(uint32_t v, int bits)
{
    return (int32_t)(v << (32 - bits)) >> (32 - bits);
}

/* ---- encoders used by the RVC expansion ---- */

static inline uint32_t enc_i(uint32_t opc, uint32_t rd, uint32_t f3,
                             uint32_t rs1, int32_t imm)
{
    return ((uint32_t)imm << 20) | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}

static inline uint32_t enc_r(uint32_t opc, uint32_t rd, uint32_t f3,
                             uint32_t rs1, uint32_t rs2, uint32_t f7)
{
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}

static inline uint32_t enc_s(uint32_t opc, uint32_t f3, uint32_t rs1,
                             uint32_t rs2, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return BITS(u, 11, 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
           BITS(u, 4, 0) << 7 | opc;
}

static inline uint32_t enc_b(uint32_t f3, uint32_t rs1, uint32_t rs2,
                             int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return BITS(u, 12, 12) << 31 | BITS(u, 10, 5) << 25 | rs2 << 20 |
           rs1 << 15 | f3 << 12 | BITS(u, 4, 1) << 8 | BITS(u, 11, 11) << 7 |
           OPC_BRANCH;
}

static inline uint32_t enc_j(uint32_t rd, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return BITS(u, 20, 20) << 31 | BITS(u, 10, 1) << 21 |
           BITS(u, 11, 11) << 20 | BITS(u, 19, 12) << 12 | rd << 7 | OPC_JAL;
}

uint32_t riscv_rvc_expand(uint16_t insn)
{
    uint32_t c = insn;
    uint32_t f3 = BITS(c, 15, 13);
    uint32_t rd = BITS(c, 11, 7);       /* also rs1 in quadrants 1, 2 */
    uint32_t rs2 = BITS(c, 6, 2);
    uint32_t rdp = 8 + BITS(c, 4, 2);   /* rd' / rs2' */
    uint32_t rs1p = 8 + BITS(c, 9, 7);  /* rs1' / rd' */
    int32_t imm6 = sext(BITS(c, 12, 12) << 5 | BITS(c, 6, 2), 6);
    uint32_t shamt = BITS(c, 12, 12) << 5 | BITS(c, 6, 2);
    int32_t imm;

    switch (c & 3) {
    case 0:
        switch (f3) {
        case 0: /* c.addi4spn */
            imm = BITS(c, 12, 11) << 4 | BITS(c, 10, 7) << 6 |
                  BITS(c, 6, 6) << 2 | BITS(c, 5, 5) << 3;
            return imm ? enc_i(OPC_OP_IMM, rdp, 0, 2, imm) : 0;
        case 1: /* c.fld */
            imm = BITS(c, 12, 10) << 3 | BITS(c, 6, 5) << 6;
            return enc_i(OPC_LOAD_FP, rdp, 3, rs1p, imm);
        case 2: /* c.lw */
            imm = BITS(c, 12, 10) << 3 | BITS(c, 6, 6) << 2 |
                  BITS(c, 5, 5) << 6;
            return enc_i(OPC_LOAD, rdp, 2, rs1p, imm);
        case 3: /* c.ld */
            imm = BITS(c, 12, 10) << 3 | BITS(c, 6, 5) << 6;
            return enc_i(OPC_LOAD, rdp, 3, rs1p, imm);
        case 5: /* c.fsd */
            imm = BITS(c, 12, 10) << 3 | BITS(c, 6, 5) << 6;
            return enc_s(OPC_STORE_FP, 3, rs1p, rdp, imm);
        case 6: /* c.sw */
            imm = BITS(c, 12, 10) << 3 | BITS(c, 6, 6) << 2 |
                  BITS(c, 5, 5) << 6;
            return enc_s(OPC_STORE, 2, rs1p, rdp, imm);
        case 7: /* c.sd */
            imm = BITS(c, 12, 10) << 3 | BITS(c, 6, 5) << 6;
            return enc_s(OPC_STORE, 3, rs1p, rdp, imm);
        default:
            return 0;
        }
    case 1:
        switch (f3) {
        case 0: /* c.addi (c.nop) */
            return enc_i(OPC_OP_IMM, rd, 0, rd, imm6);
        case 1: /* c.addiw */
            return rd ? enc_i(OPC_OP_IMM_32, rd, 0, rd, imm6) : 0;
        case 2: /* c.li */
            return enc_i(OPC_OP_IMM, rd, 0, 0, imm6);
        case 3:
            if (rd == 2) { /* c.addi16sp */
                imm = sext(BITS(c, 12, 12) << 9 | BITS(c, 6, 6) << 4 |
                           BITS(c, 5, 5) << 6 | BITS(c, 4, 3) << 7 |
                           BITS(c, 2, 2) << 5, 10);
                return imm ? enc_i(OPC_OP_IMM, 2, 0, 2, imm) : 0;
            }
            /* c.lui */
            imm = sext(BITS(c, 12, 12) << 17 | BITS(c, 6, 2) << 12, 18);
            return imm ? ((uint32_t)imm & 0xfffff000u) | rd << 7 | OPC_LUI
                       : 0;
        case 4:
            switch (BITS(c, 11, 10)) {
            case 0: /* c.srli */
                return enc_i(OPC_OP_IMM, rs1p, 5, rs1p, shamt);
            case 1: /* c.srai: imm[10] selects the arithmetic shift */
                return enc_i(OPC_OP_IMM, rs1p, 5, rs1p, shamt | 0x400);
            case 2: /* c.andi */
                return enc_i(OPC_OP_IMM, rs1p, 7, rs1p, imm6);
            default:
                if (!BITS(c, 12, 12)) {
                    static const uint8_t f3s[4] = { 0, 4, 6, 7 };
                    uint32_t op = BITS(c, 6, 5);
                    return enc_r(OPC_OP, rs1p, f3s[op], rs1p, rdp,
                                 op == 0 ? FUNCT7_ALT : 0);
                }
                switch (BITS(c, 6, 5)) {
                case 0: /* c.subw */
                    return enc_r(OPC_OP_32, rs1p, 0, rs1p, rdp, FUNCT7_ALT);
                case 1: /* c.addw */
                    return enc_r(OPC_OP_32, rs1p, 0, rs1p, rdp, 0);
                default:
                    return 0;
                }
            }
        case 5: /* c.j */
            imm = sext(BITS(c, 12, 12) << 11 | BITS(c, 11, 11) << 4 |
                       BITS(c, 10, 9) << 8 | BITS(c, 8, 8) << 10 |
                       BITS(c, 7, 7) << 6 | BITS(c, 6, 6) << 7 |
                       BITS(c, 5, 3) << 1 | BITS(c, 2, 2) << 5, 12);
            return enc_j(0, imm);
        default: /* c.beqz, c.bnez */
            imm = sext(BITS(c, 12, 12) << 8 | BITS(c, 11, 10) << 3 |
                       BITS(c, 6, 5) << 6 | BITS(c, 4, 3) << 1 |
                       BITS(c, 2, 2) << 5, 9);
            return enc_b(f3 == 6 ? 0 : 1, rs1p, 0, imm);
        }
    case 2:
        switch (f3) {
        case 0: /* c.slli */
            return enc_i(OPC_OP_IMM, rd, 1, rd, shamt);
        case 1: /* c.fldsp */
            imm = BITS(c, 12, 12) << 5 | BITS(c, 6, 5) << 3 |
                  BITS(c, 4, 2) << 6;
            return enc_i(OPC_LOAD_FP, rd, 3, 2, imm);
        case 2: /* c.lwsp */
            imm = BITS(c, 12, 12) << 5 | BITS(c, 6, 4) << 2 |
                  BITS(c, 3, 2) << 6;
            return rd ? enc_i(OPC_LOAD, rd, 2, 2, imm) : 0;
        case 3: /* c.ldsp */
            imm = BITS(c, 12, 12) << 5 | BITS(c, 6, 5) << 3 |
                  BITS(c, 4, 2) << 6;
            return rd ? enc_i(OPC_LOAD, rd, 3, 2, imm) : 0;
        case 4:
            if (!BITS(c, 12, 12)) {
                if (rs2 == 0) { /* c.jr */
                    return rd ? enc_i(OPC_JALR, 0, 0, rd, 0) : 0;
                }
                return enc_r(OPC_OP, rd, 0, 0, rs2, 0); /* c.mv */
            }
            if (rs2 == 0) {
                return rd ? enc_i(OPC_JALR, 1, 0, rd, 0) /* c.jalr */
                          : INSN_EBREAK;                  /* c.ebreak */
            }
            return enc_r(OPC_OP, rd, 0, rd, rs2, 0); /* c.add */
        case 5: /* c.fsdsp */
            imm = BITS(c, 12, 10) << 3 | BITS(c, 9, 7) << 6;
            return enc_s(OPC_STORE_FP, 3, 2, rs2, imm);
        case 6: /* c.swsp */
            imm = BITS(c, 12, 9) << 2 | BITS(c, 8, 7) << 6;
            return enc_s(OPC_STORE, 2, 2, rs2, imm);
        default: /* c.sdsp */
            imm = BITS(c, 12, 10) << 3 | BITS(c, 9, 7) << 6;
            return enc_s(OPC_STORE, 3, 2, rs2, imm);
        }
    default:
        return 0;   /* not compressed */
    }
}

static const uint8_t op_branch[8] = {
    OP_BEQ, OP_BNE, OP_ILLEGAL, OP_ILLEGAL, OP_BLT, OP_BGE, OP_BLTU, OP_BGEU,
};
static const uint8_t op_load[8] = {
    OP_LB, OP_LH, OP_LW, OP_LD, OP_LBU, OP_LHU, OP_LWU, OP_ILLEGAL,
};
static const uint8_t op_store[8] = {
    OP_SB, OP_SH, OP_SW, OP_SD,
    OP_ILLEGAL, OP_ILLEGAL, OP_ILLEGAL, OP_ILLEGAL,
};
static const uint8_t op_imm[8] = {
    OP_ADDI, OP_SLLI, OP_SLTI, OP_SLTIU, OP_XORI, OP_SRLI, OP_ORI, OP_ANDI,
};
static const uint8_t op_reg[8] = {
    OP_ADD, OP_SLL, OP_SLT, OP_SLTU, OP_XOR, OP_SRL, OP_OR, OP_AND,
};
static const uint8_t op_muldiv[8] = {
    OP_MUL, OP_MULH, OP_MULHSU, OP_MULHU, OP_DIV, OP_DIVU, OP_REM, OP_REMU,
};
static const uint8_t op_muldiv32[8] = {
    OP_MULW, OP_ILLEGAL, OP_ILLEGAL, OP_ILLEGAL,
    OP_DIVW, OP_DIVUW, OP_REMW, OP_REMUW,
};
static const uint8_t op_csr[8] = {
    OP_ILLEGAL, OP_CSRRW, OP_CSRRS, OP_CSRRC,
    OP_ILLEGAL, OP_CSRRWI, OP_CSRRSI, OP_CSRRCI,
};

/* AMO funct5 values, unprivileged spec table 24.2 ("RV32A"/"RV64A"). */
#define AMO_LR 0x02
#define AMO_SC 0x03
static bool amo_funct5_valid(uint32_t f5)
{
    switch (f5) {
    case 0x00: case 0x01: case AMO_LR: case AMO_SC: case 0x04: case 0x08:
    case 0x0c: case 0x10: case 0x14: case 0x18: case 0x1c:
        return true;
    default:
        return false;
    }
}

static uint8_t decode_op(uint32_t insn)
{
    uint32_t f3 = BITS(insn, 14, 12);
    uint32_t f7 = insn >> 25;
    uint32_t imm_hi = insn >> 26;   /* imm[11:6] of RV64 shift immediates */

    switch (insn & 0x7f) {
    case OPC_LUI:
        return OP_LUI;
    case OPC_AUIPC:
        return OP_AUIPC;
    case OPC_JAL:
        return OP_JAL;
    case OPC_JALR:
        return f3 == 0 ? OP_JALR : OP_ILLEGAL;
    case OPC_BRANCH:
        return op_branch[f3];
    case OPC_LOAD:
        return op_load[f3];
    case OPC_STORE:
        return op_store[f3];
    case OPC_OP_IMM:
        if (f3 == 1) {
            return imm_hi == 0 ? OP_SLLI : OP_ILLEGAL;
        }
        if (f3 == 5) {
            return imm_hi == 0 ? OP_SRLI
                 : imm_hi == (FUNCT7_ALT >> 1) ? OP_SRAI : OP_ILLEGAL;
        }
        return op_imm[f3];
    case OPC_OP_IMM_32:
        switch (f3) {
        case 0:
            return OP_ADDIW;
        case 1:
            return f7 == 0 ? OP_SLLIW : OP_ILLEGAL;
        case 5:
            return f7 == 0 ? OP_SRLIW : f7 == FUNCT7_ALT ? OP_SRAIW
                                                         : OP_ILLEGAL;
        default:
            return OP_ILLEGAL;
        }
    case OPC_OP:
        if (f7 == 0) {
            return op_reg[f3];
        }
        if (f7 == FUNCT7_MULDIV) {
            return op_muldiv[f3];
        }
        if (f7 == FUNCT7_ALT) {
            return f3 == 0 ? OP_SUB : f3 == 5 ? OP_SRA : OP_ILLEGAL;
        }
        return OP_ILLEGAL;
    case OPC_OP_32:
        if (f7 == 0) {
            return f3 == 0 ? OP_ADDW : f3 == 1 ? OP_SLLW
                 : f3 == 5 ? OP_SRLW : OP_ILLEGAL;
        }
        if (f7 == FUNCT7_MULDIV) {
            return op_muldiv32[f3];
        }
        if (f7 == FUNCT7_ALT) {
            return f3 == 0 ? OP_SUBW : f3 == 5 ? OP_SRAW : OP_ILLEGAL;
        }
        return OP_ILLEGAL;
    case OPC_MISC_MEM:
        if (insn == INSN_PAUSE) {
            return OP_PAUSE;
        }
        return f3 == 0 ? OP_FENCE : f3 == 1 ? OP_FENCE_I : OP_ILLEGAL;
    case OPC_SYSTEM:
        if (f3 != 0) {
            return op_csr[f3];
        }
        switch (insn) {
        case INSN_ECALL:
            return OP_ECALL;
        case INSN_EBREAK:
            return OP_EBREAK;
        case INSN_MRET:
            return OP_MRET;
        case INSN_SRET:
            return OP_SRET;
        case INSN_WFI:
            return OP_WFI;
        default:
            return f7 == FUNCT7_SFENCE_VMA && BITS(insn, 11, 7) == 0
                   ? OP_SFENCE_VMA : OP_ILLEGAL;
        }
    case OPC_AMO:
        if ((f3 != 2 && f3 != 3) || !amo_funct5_valid(insn >> 27) ||
            ((insn >> 27) == AMO_LR && BITS(insn, 24, 20) != 0)) {
            return OP_ILLEGAL;
        }
        return OP_AMO;
    case OPC_LOAD_FP:
        return f3 == 2 ? OP_FLW : f3 == 3 ? OP_FLD : OP_ILLEGAL;
    case OPC_STORE_FP:
        return f3 == 2 ? OP_FSW : f3 == 3 ? OP_FSD : OP_ILLEGAL;
    case OPC_MADD: case OPC_MSUB: case OPC_NMSUB: case OPC_NMADD:
    case OPC_OP_FP:
        return OP_FP;   /* funct fields checked when executed */
    default:
        return OP_ILLEGAL;
    }
}

void riscv_decode(RISCVInsn *d, uint32_t insn, uint32_t raw16)
{
    uint32_t opc = insn & 0x7f;
    uint32_t rd = BITS(insn, 11, 7);
    int32_t imm;

    d->op = decode_op(insn);
    d->rs1 = BITS(insn, 19, 15);
    d->rs2 = BITS(insn, 24, 20);
    d->rm = BITS(insn, 14, 12);
    d->len = raw16 ? 2 : 4;
    d->hoff = 0;
    d->raw = raw16 ? raw16 : insn;

    switch (opc) {
    case OPC_LUI: case OPC_AUIPC:
        imm = (int32_t)(insn & 0xfffff000u);
        break;
    case OPC_JAL:
        imm = sext(BITS(insn, 31, 31) << 20 | BITS(insn, 30, 21) << 1 |
                   BITS(insn, 20, 20) << 11 | BITS(insn, 19, 12) << 12, 21);
        break;
    case OPC_BRANCH:
        imm = sext(BITS(insn, 31, 31) << 12 | BITS(insn, 30, 25) << 5 |
                   BITS(insn, 11, 8) << 1 | BITS(insn, 7, 7) << 11, 13);
        break;
    case OPC_STORE: case OPC_STORE_FP:
        imm = sext(BITS(insn, 31, 25) << 5 | BITS(insn, 11, 7), 12);
        break;
    case OPC_SYSTEM:
        imm = insn >> 20;   /* CSR number, unsigned */
        break;
    case OPC_AMO:
        imm = insn >> 27;   /* funct5 */
        break;
    default:
        imm = (int32_t)insn >> 20;
        break;
    }
    /* Shift immediates: keep only the shift amount. */
    switch (d->op) {
    case OP_SLLI: case OP_SRLI: case OP_SRAI:
        imm &= 63;
        break;
    case OP_SLLIW: case OP_SRLIW: case OP_SRAIW:
        imm &= 31;
        break;
    default:
        break;
    }
    d->imm = imm;

    /* Integer destinations: x0 becomes the sink register 32, so the
     * interpreter never needs to test for it.  FP ops keep the raw rd. */
    if (d->op == OP_FP || d->op == OP_FLW || d->op == OP_FLD) {
        d->rd = rd;
    } else {
        d->rd = rd ? rd : 32;
    }
}

/* A jump or branch whose target lies in its own page can skip the
 * interpreter's page check: switch it to the _NEAR op. */
static void mark_near(RISCVInsn *d, unsigned off)
{
    int64_t target = (int64_t)off + d->imm;

    if (target < 0 || target >= (int64_t)RISCV_PAGE_SIZE) {
        return;
    }
    switch (d->op) {
    case OP_JAL:  d->op = OP_JAL_NEAR; break;
    case OP_BEQ:  d->op = OP_BEQ_NEAR; break;
    case OP_BNE:  d->op = OP_BNE_NEAR; break;
    case OP_BLT:  d->op = OP_BLT_NEAR; break;
    case OP_BGE:  d->op = OP_BGE_NEAR; break;
    case OP_BLTU: d->op = OP_BLTU_NEAR; break;
    case OP_BGEU: d->op = OP_BGEU_NEAR; break;
    default: break;
    }
}

void riscv_decode_slot(RISCVInsn *d, const uint8_t *page, unsigned off)
{
    uint16_t lo;

    memcpy(&lo, page + off, 2);
    if ((lo & 3) != 3) {
        uint32_t insn = riscv_rvc_expand(lo);
        if (insn) {
            riscv_decode(d, insn, lo);
            mark_near(d, off);
        } else {
            memset(d, 0, sizeof(*d));
            d->op = OP_ILLEGAL;
            d->len = 2;
            d->raw = lo;
        }
        return;
    }
    if (off + 4 > RISCV_PAGE_SIZE) {
        /* A 32-bit instruction straddling two pages: fetched on every
         * execution, since the second page may change mapping. */
        memset(d, 0, sizeof(*d));
        d->op = OP_CROSS_PAGE;
        return;
    }
    uint32_t insn;
    memcpy(&insn, page + off, 4);
    riscv_decode(d, insn, 0);
    mark_near(d, off);
}
