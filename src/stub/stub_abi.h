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
#define CDSTUB_VERSION 1u

/* Parameter block: at the start of every stub image (its offset is also exported, see
 * stub_images.hpp). One field = one 32-bit word. */
struct cdstub_params {
  uint32_t magic;         /* CDSTUB_MAGIC */
  uint32_t version;       /* CDSTUB_VERSION */
  uint32_t uart_base;     /* CPU address of the console UART (MIPS: KSEG1) */
  uint32_t reg_width;     /* 1 = byte accesses, 4 = 32-bit accesses */
  uint32_t data_off;      /* TX and RX data register (16550 THR/RBR at 0, PL011 DR at 0) */
  uint32_t status_off;    /* status register (16550 LSR at 5*stride, PL011 FR at 0x18) */
  uint32_t tx_mask;       /* 16550: LSR.THRE (1<<5); PL011: FR.TXFF (1<<5) */
  uint32_t tx_ready_set;  /* 1: may send when (status & tx_mask) != 0; 0: when it is 0 */
  uint32_t rx_mask;       /* 16550: LSR.DR (1<<0); PL011: FR.RXFE (1<<4) */
  uint32_t rx_ready_set;  /* 1: a byte waits when (status & rx_mask) != 0; 0: when it is 0 */
  uint32_t src;           /* first address to send (overridden by `go ENTRY SRC LEN`) */
  uint32_t len;           /* bytes to send (overridden likewise) */
  uint32_t frame_size;    /* data bytes per frame, a multiple of 4, <= 65536 */
  uint32_t idle_polls;    /* status polls without a host byte before the stub gives up */
  uint32_t flags;         /* CDSTUB_FLAG_* */
  uint32_t reserved[3];   /* zero (room for a baud divisor: --fast-baud, not implemented) */
};
#define CDSTUB_PARAMS_WORDS 18u
#define CDSTUB_FLAG_BLANK 1u /* send an all-0xff frame as a short 'B' packet */

/* Wire, stub -> host: every packet is SYNC0 SYNC1 TYPE PAYLOAD CRC32, CRC32 (zlib) over TYPE and
 * PAYLOAD, little-endian.
 *   'H' hello   payload: version, src, len, frame_size            (sent once at start)
 *   'D' data    payload: seq, then min(frame_size, len - seq*frame_size) bytes
 *   'B' blank   payload: seq                      (the frame is all 0xff; CDSTUB_FLAG_BLANK)
 *   'E' end     payload: crc32 of the whole range, len
 * Host -> stub (only after 'E'): 0x5a 0xa5 OP ARG CRC32(OP ARG):
 *   'R' seq     send frame seq again (seq 0xffffffff: send 'E' again)
 *   'Q' 0       return to U-Boot (rc 0). Silence for idle_polls also returns (rc 2). */
#define CDSTUB_SYNC0 0xa5u
#define CDSTUB_SYNC1 0x5au
#define CDSTUB_CMD0 0x5au
#define CDSTUB_CMD1 0xa5u
#define CDSTUB_CMD_LEN 11u
#define CDSTUB_SEQ_END 0xffffffffu

#endif
