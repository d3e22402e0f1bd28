/*
 * sha256.h: a small SHA-256 (FIPS 180-4) for the guest test programs.
 *
 * Plain C with no libc beyond string.h, so the static riscv64 binaries stay
 * small. One context per stream; not thread-safe per context.
 */
#ifndef GUEST_TESTS_SHA256_H
#define GUEST_TESTS_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_BLOCK_SIZE  64   /* FIPS 180-4 §5.1.2: 512-bit blocks */
#define SHA256_DIGEST_SIZE 32   /* 256-bit message digest */
#define SHA256_HEX_SIZE    (2 * SHA256_DIGEST_SIZE + 1)

typedef struct Sha256 {
    uint32_t h[8];                      /* intermediate hash value H(i) */
    uint64_t length;                    /* bytes hashed so far */
    uint8_t block[SHA256_BLOCK_SIZE];   /* a partial block, block_len bytes */
    size_t block_len;
} Sha256;

/* Start a new digest. */
void sha256_init(Sha256 *s);
/* Hash len more bytes of the message. */
void sha256_update(Sha256 *s, const void *data, size_t len);
/* Finish: pad, and write the digest; s must be re-initialised to reuse it. */
void sha256_final(Sha256 *s, uint8_t digest[SHA256_DIGEST_SIZE]);
/* Lower-case hex of a digest, NUL-terminated. */
void sha256_hex(const uint8_t digest[SHA256_DIGEST_SIZE],
                char hex[SHA256_HEX_SIZE]);

#endif
