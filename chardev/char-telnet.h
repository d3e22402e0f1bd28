/*
 * chardev/char-telnet.h: the telnet protocol of socket telnet=on, as pure
 * functions over buffers (RFC 854 commands, RFC 855 option negotiation,
 * RFC 856 BINARY, RFC 857 ECHO, RFC 858 SUPPRESS-GO-AHEAD).
 *
 * The server opens with IAC WILL ECHO, IAC WILL SGA, IAC WILL BINARY and
 * IAC DO BINARY (what QEMU sends): the client's terminal then stops echoing
 * and line-buffering, and bytes pass 8-bit clean.  Incoming data has every
 * IAC sequence stripped (IAC IAC is a data 0xFF; IAC BRK is a BREAK), CR NUL
 * becomes CR, and options are answered so negotiation always terminates:
 * a DO for an option we do not offer gets WONT, a WILL we did not ask for
 * gets DONT, acknowledgements get no answer.
 */
#ifndef CHARDEV_CHAR_TELNET_H
#define CHARDEV_CHAR_TELNET_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* RFC 854 command codes. */
#define TELNET_IAC  255
#define TELNET_DONT 254
#define TELNET_DO   253
#define TELNET_WONT 252
#define TELNET_WILL 251
#define TELNET_SB   250
#define TELNET_BRK  243
#define TELNET_SE   240
/* Option codes: RFC 856, 857, 858. */
#define TELNET_OPT_BINARY 0
#define TELNET_OPT_ECHO   1
#define TELNET_OPT_SGA    3

typedef enum TelnetRxState {
    TELNET_RX_DATA,
    TELNET_RX_CR,       /* after a CR: a NUL here is dropped */
    TELNET_RX_IAC,      /* after IAC */
    TELNET_RX_OPT,      /* after IAC WILL/WONT/DO/DONT: the option byte */
    TELNET_RX_SB,       /* inside a subnegotiation */
    TELNET_RX_SB_IAC,   /* IAC inside a subnegotiation */
} TelnetRxState;

typedef struct TelnetState {
    TelnetRxState rx;
    uint8_t cmd;        /* the WILL/WONT/DO/DONT awaiting its option */
    uint32_t us;        /* bit n: we have option n enabled */
    uint32_t them;      /* bit n: the peer has option n enabled */
    bool out_iac_owed;  /* a doubled IAC was cut after its first byte */
} TelnetState;

/* The greeting a server sends first; fills @out (12 bytes), sets @ts up. */
#define TELNET_GREETING_LEN 12
void telnet_start(TelnetState *ts, bool server, uint8_t *out);

/*
 * telnet_rx: strip telnet from @buf[0..len) in place; returns the number of
 * data bytes left at the front of @buf.  Replies to the peer are appended
 * to @reply; *@brk counts the BREAKs seen.
 */
int telnet_rx(TelnetState *ts, uint8_t *buf, int len, GByteArray *reply,
              int *brk);

/*
 * telnet_tx_escape: @buf with each 0xFF doubled, into @out (cleared first).
 * telnet_tx_consumed: given that @written bytes of that escaped form went
 * out, how many bytes of @buf were sent; records in @ts an IAC whose second
 * half is still owed (send it first next time, see telnet_tx_owed).
 */
void telnet_tx_escape(const uint8_t *buf, int len, GByteArray *out);
int telnet_tx_consumed(TelnetState *ts, const uint8_t *buf, int len,
                       int written);

#endif /* CHARDEV_CHAR_TELNET_H */
