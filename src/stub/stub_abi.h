/* SPDX-License-Identifier: MIT
 * The contract between camdump and its on-device stubs (stub.c): the parameter block the host
 * fills before upload and the packet format on the wire. Shared by the freestanding C stub and
 * the host (src/uboot/stub_protocol.*), so both sides read the same numbers. Everything is
 * little-endian: both targets (MIPS32el Ingenic/Malta, ARMv7) and the wire. Design: docs/stub.md.
 */
#ifndef CAMDUMP_STUB_ABI_H
#define CAMDUMP_STUB_ABI_H
#include <stdint.h>

#define CDSTUB_MAGIC 0x54534443u /* "CDST" */
#define CDSTUB_VERSION 4u

/* Parameter block: at the start of every stub image (its offset is also exported, see
 * stub_images.hpp). One field = one 32-bit word. */
struct cdstub_params {
  uint32_t magic;        /* CDSTUB_MAGIC */
  uint32_t version;      /* CDSTUB_VERSION */
  uint32_t uart_base;    /* CPU address of the console UART (MIPS: KSEG1) */
  uint32_t reg_width;    /* 1 = byte accesses, 4 = 32-bit accesses */
  uint32_t data_off;     /* TX and RX data register (16550 THR/RBR at 0, PL011 DR at 0) */
  uint32_t status_off;   /* status register (16550 LSR at 5*stride, PL011 FR at 0x18) */
  uint32_t tx_mask;      /* 16550: LSR.THRE (1<<5); PL011: FR.TXFF (1<<5) */
  uint32_t tx_ready_set; /* 1: may send when (status & tx_mask) != 0; 0: when it is 0 */
  uint32_t rx_mask;      /* 16550: LSR.DR (1<<0); PL011: FR.RXFE (1<<4) */
  uint32_t rx_ready_set; /* 1: a byte waits when (status & rx_mask) != 0; 0: when it is 0 */
  uint32_t src;          /* first address to send (overridden by `go ENTRY SRC LEN`) */
  uint32_t len;          /* bytes to send (overridden likewise) */
  uint32_t frame_size;   /* data bytes per frame, a multiple of 4, <= 65536 */
  uint32_t idle_polls;   /* status polls without a host byte before the stub gives up */
  uint32_t flags;        /* CDSTUB_FLAG_* */
  uint32_t uart_kind;    /* CDSTUB_UART_16550 or CDSTUB_UART_PL011 (for the divisor registers) */
  uint32_t reg_stride;   /* 16550: bytes between registers (1 or 4); PL011: unused */
  uint32_t new_div;      /* 0: keep U-Boot's rate. 16550: DLL | DLM << 8; PL011: IBRD | FBRD << 16 */
  uint32_t sync_polls;   /* status polls waiting for the host's sync at new_div before falling back */
  uint32_t tx_polls;     /* status polls one byte may wait for room in the TX FIFO (then give up) */
  uint32_t reserved[3];  /* zero */
};
#define CDSTUB_PARAMS_WORDS 23u
#define CDSTUB_FLAG_BLANK 1u /* send an all-0xff frame as a short 'B' packet */
#define CDSTUB_UART_16550 0u
#define CDSTUB_UART_PL011 1u

/* Return codes of cdstub_main (U-Boot prints them as "## Application terminated, rc = 0x%lX"). */
#define CDSTUB_RC_OK 0u       /* 'Q' received */
#define CDSTUB_RC_BADPARAM 1u /* parameter block invalid */
#define CDSTUB_RC_IDLE 2u     /* the host stayed silent for idle_polls */
#define CDSTUB_RC_TXDEAD 4u   /* the TX FIFO never had room within tx_polls: wrong or clock-gated UART */

/* Wire, stub -> host: every packet is SYNC0 SYNC1 TYPE PAYLOAD CRC32, CRC32 (zlib) over TYPE and
 * PAYLOAD, little-endian.
 *   'H' hello   payload: version, src, len, frame_size            (sent once at start)
 *   'D' data    payload: seq, then min(frame_size, len - seq*frame_size) bytes
 *   'B' blank   payload: seq                      (the frame is all 0xff; CDSTUB_FLAG_BLANK)
 *   'E' end     payload: crc32 of the whole range, len
 *   'S' sync    payload: the host's sync token, old divisor, new divisor (sent at the new rate)
 *   'Y' rate    payload: 1 = streaming at new_div, 0 = at U-Boot's divisor; old divisor, new divisor
 *   'Q' leaving payload: 0, old divisor, new divisor (the answer to 'Q' at the switched rate, below)
 * Host -> stub: 0x5a 0xa5 OP ARG CRC32(OP ARG):
 *   'S' token   (rate switch, new rate) answer with an 'S' packet carrying token
 *   'G' 0       (rate switch, new rate) the host heard the 'S' packet: stream at the new rate
 *   'R' seq     (after 'E') send frame seq again (seq 0xffffffff: send 'E' again)
 *   'Q' 0       (after 'E') restore U-Boot's divisor and return to U-Boot (rc 0). Silence for
 *               idle_polls also returns (rc 2), after restoring the divisor too. At a switched
 *               rate the stub first answers with a 'Q' packet at that rate, then restores U-Boot's
 *               divisor and returns on a second 'Q' 0 at U-Boot's rate (or after sync_polls): the
 *               host switches back in between, so it hears U-Boot's "## Application terminated".
 * Rate switch (new_div != 0), right after 'H': the stub waits until its transmitter is empty, saves
 * U-Boot's divisor, sets new_div and waits up to sync_polls for 'S'/'G'. Without a 'G' it restores
 * U-Boot's divisor by itself. Either way it then sends 'Y' (at the rate now in effect) and streams.
 *
 * Receive mode (issue 14): `go ENTRY DST LEN DIV RXFRAME` with RXFRAME != 0 (a multiple of 4,
 * 16..CDSTUB_RX_MAX_FRAME). The stub says 'H' (version, dst, len, RXFRAME), does the rate switch
 * as above, then writes the host's frames into RAM:
 * Host -> stub frame: 0x5a 0xa5 'W' seq tag:u16 n:u16 HCRC PAYLOAD[n] DCRC, HCRC = CRC-32 of the 9
 *   bytes 'W' seq tag n, DCRC = CRC-32 of PAYLOAD. Accepted only when HCRC is right, seq < frames
 *   and n = min(RXFRAME, len - seq*RXFRAME); the payload goes to dst + seq*RXFRAME.
 * Stub -> host answer per frame: 'K' (seq, tag): DCRC right, the slot holds these bytes; 'N' (seq,
 *   tag): DCRC wrong, the slot holds damaged bytes until a copy is answered 'K'. A frame whose
 *   header is damaged gets no answer (its bytes are not written). tag lets the host tell which
 *   copy an answer belongs to: a slot is right only when its LAST copy was answered 'K'.
 * Host -> stub commands as above: 'E' 0 answers 'E' (CRC-32 of [dst, dst+len), len); 'G' 0 repeats
 *   'Y'; 'Q' 0 returns (rc 0), silence for idle_polls returns (rc 2), U-Boot's divisor restored. */
#define CDSTUB_RX_MAX_FRAME 16384u
#define CDSTUB_RX_HEADER 15u /* sync, 'W', seq, tag, n, HCRC */
#define CDSTUB_SYNC0 0xa5u
#define CDSTUB_SYNC1 0x5au
#define CDSTUB_CMD0 0x5au
#define CDSTUB_CMD1 0xa5u
#define CDSTUB_CMD_LEN 11u
#define CDSTUB_SEQ_END 0xffffffffu

#endif
