/*
 * machine/cpu-jit.c - compile runs of straight-line integer instructions
 * (and simple loops) to x86-64 host code.
 *
 * The interpreter stays in charge: when it decodes a slot that starts a run
 * of at least RISCV_JIT_MIN_RUN such instructions (integer ALU ops, and
 * loads and stores that hit the TLB; nothing else can trap), optionally
 * closed by a conditional branch back to its start, riscv_jit_compile()
 * turns the run into one host function working on the GPR array, and the
 * slot becomes OP_JIT.  A load or store that misses the TLB returns to the
 * interpreter, which runs it and the rest of the run itself.  The other
 * slots keep their ordinary decodes, so a jump into the middle of a run
 * still works.  The host code keeps the last result in a host register,
 * saving the store-to-load round trip through memory that dominates a
 * chain of dependent instructions.
 *
 * Code lives in one RWX arena per decoded-code cache.  When it is full,
 * compilation stops and the cache asks for a full flush at the next safe
 * point (riscv_fetch_slow()), which also empties the arena.
 */
#include "machine/cpu-internal.h"

#include <stddef.h>
#include <sys/mman.h>

#if defined(__x86_64__)

#define JIT_ARENA_SIZE (32u << 20)
/* Longest host sequence one instruction can produce, with its bail-out
 * stub and the epilogue. */
#define JIT_MAX_INSN_BYTES 96

/* The TLB lookup below hard-codes the entry layout and set size. */
G_STATIC_ASSERT(sizeof(RISCVTLBEntry) == 16);
G_STATIC_ASSERT(offsetof(RISCVTLBEntry, page) == 0);
G_STATIC_ASSERT(offsetof(RISCVTLBEntry, addend) == 8);
G_STATIC_ASSERT(RISCV_TLB_SIZE == 256);

/* x86-64 registers by number */
enum { RAX = 0, RCX = 1, RDI = 7 };

typedef struct JitBuf {
    uint8_t *p;
} JitBuf;

static void emit1(JitBuf *b, uint8_t v)
{
    *b->p++ = v;
}

static void emit4(JitBuf *b, uint32_t v)
{
    memcpy(b->p, &v, 4);
    b->p += 4;
}

/* mov reg64, [rdi + 8*gpr] */
static void emit_load(JitBuf *b, int reg, unsigned gpr)
{
    emit1(b, 0x48);
    emit1(b, 0x8b);
    emit1(b, 0x80 | reg << 3 | RDI);   /* mod=10: disp32 */
    emit4(b, gpr * 8);
}

/* mov [rdi + 8*gpr], rax */
static void emit_store(JitBuf *b, unsigned gpr)
{
    emit1(b, 0x48);
    emit1(b, 0x89);
    emit1(b, 0x80 | RAX << 3 | RDI);
    emit4(b, gpr * 8);
}

/* movsxd rax, eax: the W ops' sign extension */
static void emit_sext32(JitBuf *b)
{
    emit1(b, 0x48);
    emit1(b, 0x63);
    emit1(b, 0xc0);
}

bool riscv_jit_supported(uint8_t op)
{
    switch (op) {
    case OP_LUI:
    case OP_ADDI: case OP_SLTI: case OP_SLTIU: case OP_XORI: case OP_ORI:
    case OP_ANDI: case OP_SLLI: case OP_SRLI: case OP_SRAI:
    case OP_ADD: case OP_SUB: case OP_SLL: case OP_SLT: case OP_SLTU:
    case OP_XOR: case OP_SRL: case OP_SRA: case OP_OR: case OP_AND:
    case OP_ADDIW: case OP_SLLIW: case OP_SRLIW: case OP_SRAIW:
    case OP_ADDW: case OP_SUBW: case OP_SLLW: case OP_SRLW: case OP_SRAW:
    case OP_MUL: case OP_MULW:
        return true;
    default:
        return riscv_jit_is_mem(op);
    }
}

bool riscv_jit_is_mem(uint8_t op)
{
    switch (op) {
    case OP_LB: case OP_LH: case OP_LW: case OP_LD: case OP_LBU:
    case OP_LHU: case OP_LWU: case OP_SB: case OP_SH: case OP_SW: case OP_SD:
        return true;
    default:
        return false;
    }
}

static bool has_rs2(uint8_t op)
{
    switch (op) {
    case OP_ADD: case OP_SUB: case OP_SLL: case OP_SLT: case OP_SLTU:
    case OP_XOR: case OP_SRL: case OP_SRA: case OP_OR: case OP_AND:
    case OP_ADDW: case OP_SUBW: case OP_SLLW: case OP_SRLW: case OP_SRAW:
    case OP_MUL: case OP_MULW:
    case OP_SB: case OP_SH: case OP_SW: case OP_SD:
        return true;
    default:
        return false;
    }
}

/* Access size of a load or store op */
static unsigned mem_size(uint8_t op)
{
    switch (op) {
    case OP_LB: case OP_LBU: case OP_SB:
        return 1;
    case OP_LH: case OP_LHU: case OP_SH:
        return 2;
    case OP_LW: case OP_LWU: case OP_SW:
        return 4;
    default:
        return 8;
    }
}

/* Bail-out stubs to patch: a jne rel32 at *at goes to "return done". */
typedef struct JitFixup {
    uint8_t *at;
    uint32_t done;
} JitFixup;

/*
 * A load or store through the TLB (rsi: read set, rdx: write set), with
 * the address x[rs1] + imm in r8; on a miss the function returns the
 * number of instructions completed so far (fixups), and the interpreter
 * runs this one.  Leaves the host address in r8.
 */
static void emit_tlb(JitBuf *b, const RISCVInsn *d, bool write,
                     JitFixup *fix, uint32_t done)
{
    unsigned size = mem_size(d->op);
    uint32_t mask = (uint32_t)~(RISCV_PAGE_MASK & ~(uint64_t)(size - 1));

    emit1(b, 0x49); emit1(b, 0x89); emit1(b, 0xc0);     /* mov r8, rax */
    emit1(b, 0x49); emit1(b, 0x81); emit1(b, 0xc0);     /* add r8, imm */
    emit4(b, (uint32_t)d->imm);
    emit1(b, 0x4d); emit1(b, 0x89); emit1(b, 0xc1);     /* mov r9, r8 */
    emit1(b, 0x49); emit1(b, 0xc1); emit1(b, 0xe9);     /* shr r9, 12 */
    emit1(b, RISCV_PAGE_SHIFT);
    emit1(b, 0x45); emit1(b, 0x0f); emit1(b, 0xb6);     /* movzx r9d, r9b */
    emit1(b, 0xc9);
    emit1(b, 0x49); emit1(b, 0xc1); emit1(b, 0xe1);     /* shl r9, 4 */
    emit1(b, 4);
    emit1(b, 0x49); emit1(b, 0x01);                     /* add r9, rsi/rdx */
    emit1(b, write ? 0xd1 : 0xf1);
    emit1(b, 0x4d); emit1(b, 0x89); emit1(b, 0xc2);     /* mov r10, r8 */
    emit1(b, 0x49); emit1(b, 0x81); emit1(b, 0xe2);     /* and r10, mask */
    emit4(b, mask);
    emit1(b, 0x4d); emit1(b, 0x3b); emit1(b, 0x11);     /* cmp r10, [r9] */
    emit1(b, 0x0f); emit1(b, 0x85);                     /* jne bail */
    fix->at = b->p;
    fix->done = done;
    emit4(b, 0);
    emit1(b, 0x4d); emit1(b, 0x03); emit1(b, 0x41);     /* add r8, [r9+8] */
    emit1(b, 8);
}

/*
 * Emit one instruction: operands in rax (rs1) and rcx (rs2), result
 * stored from rax.  cached is the GPR whose value rax still holds (or -1).
 */
static void emit_insn(JitBuf *b, const RISCVInsn *d, int *cached,
                      JitFixup *fix, uint32_t done)
{
    uint8_t op = d->op;

    if (op != OP_LUI) {
        if (has_rs2(op)) {
            if ((int)d->rs2 == *cached) {
                emit1(b, 0x48);             /* mov rcx, rax */
                emit1(b, 0x89);
                emit1(b, 0xc1);
            } else {
                emit_load(b, RCX, d->rs2);
            }
        }
        if ((int)d->rs1 != *cached) {
            emit_load(b, RAX, d->rs1);
        }
    }

    switch (op) {
    case OP_LD:                             /* mov rax, [r8] */
    case OP_LW: case OP_LWU: case OP_LH: case OP_LHU: case OP_LB: case OP_LBU:
        emit_tlb(b, d, false, fix, done);
        switch (op) {
        case OP_LD:  emit1(b, 0x49); emit1(b, 0x8b); break;
        case OP_LW:  emit1(b, 0x49); emit1(b, 0x63); break;      /* movsxd */
        case OP_LWU: emit1(b, 0x41); emit1(b, 0x8b); break;      /* mov eax */
        case OP_LH:  emit1(b, 0x49); emit1(b, 0x0f); emit1(b, 0xbf); break;
        case OP_LHU: emit1(b, 0x41); emit1(b, 0x0f); emit1(b, 0xb7); break;
        case OP_LB:  emit1(b, 0x49); emit1(b, 0x0f); emit1(b, 0xbe); break;
        default:     emit1(b, 0x41); emit1(b, 0x0f); emit1(b, 0xb6); break;
        }
        emit1(b, 0x00);                     /* ModRM: rax, [r8] */
        break;
    case OP_SB: case OP_SH: case OP_SW: case OP_SD:   /* mov [r8], rcx */
        emit_tlb(b, d, true, fix, done);
        switch (op) {
        case OP_SD: emit1(b, 0x49); emit1(b, 0x89); break;
        case OP_SW: emit1(b, 0x41); emit1(b, 0x89); break;
        case OP_SH: emit1(b, 0x66); emit1(b, 0x41); emit1(b, 0x89); break;
        default:    emit1(b, 0x41); emit1(b, 0x88); break;
        }
        emit1(b, 0x08);                     /* ModRM: rcx, [r8] */
        *cached = d->rs1;                   /* rax still holds x[rs1] */
        return;
    case OP_LUI:                            /* mov rax, simm32 */
        emit1(b, 0x48); emit1(b, 0xc7); emit1(b, 0xc0);
        emit4(b, (uint32_t)d->imm);
        break;
    case OP_ADDI:                           /* add rax, simm32 */
        emit1(b, 0x48); emit1(b, 0x05); emit4(b, (uint32_t)d->imm);
        break;
    case OP_XORI:
        emit1(b, 0x48); emit1(b, 0x35); emit4(b, (uint32_t)d->imm);
        break;
    case OP_ORI:
        emit1(b, 0x48); emit1(b, 0x0d); emit4(b, (uint32_t)d->imm);
        break;
    case OP_ANDI:
        emit1(b, 0x48); emit1(b, 0x25); emit4(b, (uint32_t)d->imm);
        break;
    case OP_SLTI: case OP_SLTIU:            /* cmp rax, simm32; setcc */
        emit1(b, 0x48); emit1(b, 0x3d); emit4(b, (uint32_t)d->imm);
        emit1(b, 0x0f); emit1(b, op == OP_SLTI ? 0x9c : 0x92); emit1(b, 0xc0);
        emit1(b, 0x0f); emit1(b, 0xb6); emit1(b, 0xc0);   /* movzx eax, al */
        break;
    case OP_SLLI: case OP_SRLI: case OP_SRAI:   /* shl/shr/sar rax, imm8 */
        emit1(b, 0x48); emit1(b, 0xc1);
        emit1(b, op == OP_SLLI ? 0xe0 : op == OP_SRLI ? 0xe8 : 0xf8);
        emit1(b, (uint8_t)d->imm);
        break;
    case OP_ADD:
        emit1(b, 0x48); emit1(b, 0x01); emit1(b, 0xc8);
        break;
    case OP_SUB:
        emit1(b, 0x48); emit1(b, 0x29); emit1(b, 0xc8);
        break;
    case OP_XOR:
        emit1(b, 0x48); emit1(b, 0x31); emit1(b, 0xc8);
        break;
    case OP_OR:
        emit1(b, 0x48); emit1(b, 0x09); emit1(b, 0xc8);
        break;
    case OP_AND:
        emit1(b, 0x48); emit1(b, 0x21); emit1(b, 0xc8);
        break;
    case OP_SLT: case OP_SLTU:              /* cmp rax, rcx; setcc */
        emit1(b, 0x48); emit1(b, 0x39); emit1(b, 0xc8);
        emit1(b, 0x0f); emit1(b, op == OP_SLT ? 0x9c : 0x92); emit1(b, 0xc0);
        emit1(b, 0x0f); emit1(b, 0xb6); emit1(b, 0xc0);
        break;
    case OP_SLL: case OP_SRL: case OP_SRA:  /* the count is masked to 6 */
        emit1(b, 0x48); emit1(b, 0xd3);
        emit1(b, op == OP_SLL ? 0xe0 : op == OP_SRL ? 0xe8 : 0xf8);
        break;
    case OP_MUL:                            /* imul rax, rcx */
        emit1(b, 0x48); emit1(b, 0x0f); emit1(b, 0xaf); emit1(b, 0xc1);
        break;
    case OP_ADDIW:                          /* add eax, simm32 */
        emit1(b, 0x05); emit4(b, (uint32_t)d->imm);
        emit_sext32(b);
        break;
    case OP_SLLIW: case OP_SRLIW: case OP_SRAIW:
        emit1(b, 0xc1);
        emit1(b, op == OP_SLLIW ? 0xe0 : op == OP_SRLIW ? 0xe8 : 0xf8);
        emit1(b, (uint8_t)d->imm);
        emit_sext32(b);
        break;
    case OP_ADDW:
        emit1(b, 0x01); emit1(b, 0xc8);
        emit_sext32(b);
        break;
    case OP_SUBW:
        emit1(b, 0x29); emit1(b, 0xc8);
        emit_sext32(b);
        break;
    case OP_SLLW: case OP_SRLW: case OP_SRAW:   /* 32-bit: count & 31 */
        emit1(b, 0xd3);
        emit1(b, op == OP_SLLW ? 0xe0 : op == OP_SRLW ? 0xe8 : 0xf8);
        emit_sext32(b);
        break;
    case OP_MULW:                           /* imul eax, ecx */
        emit1(b, 0x0f); emit1(b, 0xaf); emit1(b, 0xc1);
        emit_sext32(b);
        break;
    default:
        g_assert_not_reached();
    }
    emit_store(b, d->rd);
    *cached = d->rd == 32 ? -1 : d->rd;
}

static bool jit_arena_init(RISCVCodeCache *cc)
{
    if (cc->jit_arena) {
        return true;
    }
    if (cc->jit_disabled) {
        return false;
    }
    void *p = mmap(NULL, JIT_ARENA_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        cc->jit_disabled = true;    /* e.g. a W^X policy: interpret */
        return false;
    }
    cc->jit_arena = p;
    cc->jit_used = 0;
    return true;
}

/* Return to the interpreter: rax = p | r11 << 16 (the next instruction of
 * the run, and the loop iterations left). */
static void emit_exit(JitBuf *b, uint32_t p)
{
    emit1(b, 0x4c); emit1(b, 0x89); emit1(b, 0xd8);     /* mov rax, r11 */
    emit1(b, 0x48); emit1(b, 0xc1); emit1(b, 0xe0);     /* shl rax, 16 */
    emit1(b, 16);
    emit1(b, 0x48); emit1(b, 0x0d); emit4(b, p);        /* or rax, p */
    emit1(b, 0xc3);                                     /* ret */
}

/* Point the rel32 at *at to the current position. */
static void patch_here(JitBuf *b, uint8_t *at)
{
    uint32_t rel = (uint32_t)(b->p - (at + 4));
    memcpy(at, &rel, 4);
}

/* jcc opcode (second byte after 0x0f) that is taken when the branch op is
 * NOT taken: the loop's exit */
static uint8_t branch_exit_jcc(uint8_t op)
{
    switch (riscv_far_op(op)) {
    case OP_BEQ:  return 0x85;  /* jne */
    case OP_BNE:  return 0x84;  /* je */
    case OP_BLT:  return 0x8d;  /* jge */
    case OP_BGE:  return 0x8c;  /* jl */
    case OP_BLTU: return 0x83;  /* jae */
    default:      return 0x82;  /* jb (BGEU) */
    }
}

bool riscv_jit_compile(RISCVCodeCache *cc, RISCVInsn *first, unsigned count,
                       bool loops)
{
    unsigned slots = 0;

    if (!jit_arena_init(cc)) {
        return false;
    }
    if (cc->jit_used + (size_t)(count + 2) * JIT_MAX_INSN_BYTES >
        JIT_ARENA_SIZE) {
        cc->jit_full = true;
        cc->gen++;      /* send the harts through code_page_get() */
        return false;
    }

    uint8_t *fn = cc->jit_arena + cc->jit_used;
    JitBuf b = { .p = fn };
    emit1(&b, 0x49); emit1(&b, 0x89); emit1(&b, 0xcb);  /* mov r11, rcx */
    uint8_t *start = b.p;
    int cached = -1;
    const RISCVInsn *d = first;
    g_autofree JitFixup *fix = g_new(JitFixup, count);
    unsigned nfix = 0;
    unsigned body = loops ? count - 1 : count;
    for (unsigned i = 0; i < body; i++) {
        emit_insn(&b, d, &cached, &fix[nfix], i);
        if (riscv_jit_is_mem(d->op)) {
            nfix++;
        }
        slots += d->len >> 1;
        d += d->len >> 1;
    }
    uint8_t *to_exit = NULL, *to_budget = NULL;
    if (loops) {
        /* the branch back to the first instruction */
        if ((int)d->rs2 == cached) {
            emit1(&b, 0x48); emit1(&b, 0x89); emit1(&b, 0xc1);  /* rcx=rax */
        } else {
            emit_load(&b, RCX, d->rs2);
        }
        if ((int)d->rs1 != cached) {
            emit_load(&b, RAX, d->rs1);
        }
        emit1(&b, 0x48); emit1(&b, 0x39); emit1(&b, 0xc8);  /* cmp rax, rcx */
        emit1(&b, 0x0f); emit1(&b, branch_exit_jcc(d->op));
        to_exit = b.p;
        emit4(&b, 0);
        emit1(&b, 0x49); emit1(&b, 0xff); emit1(&b, 0xcb);  /* dec r11 */
        emit1(&b, 0x0f); emit1(&b, 0x84);                   /* jz budget */
        to_budget = b.p;
        emit4(&b, 0);
        emit1(&b, 0xe9);                                    /* jmp start */
        emit4(&b, (uint32_t)(start - (b.p + 4)));
        slots += d->len >> 1;
        patch_here(&b, to_exit);
    }
    emit_exit(&b, count);                   /* ran to the end */
    if (loops) {
        patch_here(&b, to_budget);
        emit_exit(&b, 0);                   /* iterations used up */
    }
    for (unsigned i = 0; i < nfix; i++) {   /* a load/store missed */
        patch_here(&b, fix[i].at);
        emit_exit(&b, fix[i].done);
    }
    cc->jit_used = b.p - cc->jit_arena;
    /* keep functions 16-byte aligned */
    cc->jit_used = (cc->jit_used + 15) & ~(size_t)15;

    /* The slot keeps what the interpreter needs: where the code is, how
     * many instructions it holds, whether it loops, how many slots. */
    first->op = OP_JIT;
    first->imm = (int32_t)(fn - cc->jit_arena);
    first->raw = count | (loops ? RISCV_JIT_LOOPS : 0) | slots << 16;
    return true;
}

void riscv_jit_reset(RISCVCodeCache *cc)
{
    cc->jit_used = 0;
    cc->jit_full = false;
}

void riscv_jit_free(RISCVCodeCache *cc)
{
    if (cc->jit_arena) {
        munmap(cc->jit_arena, JIT_ARENA_SIZE);
        cc->jit_arena = NULL;
    }
}

#else /* no host code generator: interpret everything */

bool riscv_jit_supported(uint8_t op)
{
    return false;
}

bool riscv_jit_is_mem(uint8_t op)
{
    return false;
}

bool riscv_jit_compile(RISCVCodeCache *cc, RISCVInsn *first, unsigned count,
                       bool loops)
{
    return false;
}

void riscv_jit_reset(RISCVCodeCache *cc)
{
}

void riscv_jit_free(RISCVCodeCache *cc)
{
}

#endif
