/* SPDX-License-Identifier: MIT
 * camdump's on-device stub: started by U-Boot's `go`, it streams a memory range over the console
 * UART as CRC-checked binary frames (~1 wire byte per flash byte instead of md's 4-5), then serves
 * re-requests for damaged frames and returns to U-Boot. Freestanding C for MIPS32el and ARMv7; no
 * libc, no calls into U-Boot, no interrupts, nothing in .bss (the image is uploaded as a flat
 * binary). Wire format and parameters: stub_abi.h. Register facts: 16550 (THR/RBR at 0, LSR at
 * 5*stride, LSR.THRE bit 5, LSR.DR bit 0); PL011 (DR at 0, FR at 0x18, TXFF bit 5, RXFE bit 4),
 * per ../shared/reference/qemu-uboot.md §8 and the ARM PrimeCell UART (PL011) TRM.
 */
#include "stub_abi.h"

/* Filled by the host before upload (written with mw.l); first bytes of the image. */
__attribute__((section(".params"), used)) volatile struct cdstub_params cdstub_params = {
    CDSTUB_MAGIC, CDSTUB_VERSION, 0, 4, 0, 0x14, 1u << 5, 1, 1u << 0, 1, 0, 0, 4096, 0x2000000, 1, {0, 0, 0}};

#define P cdstub_params

/* zlib CRC-32, four bits at a time (64-byte table). */
static const uint32_t crc_nibble[16] = {
    0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
    0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c};

/* Running CRC state is kept inverted (init 0xffffffff, final xor), as zlib does. */
static uint32_t crc_byte(uint32_t c, uint32_t b) {
  c ^= b;
  c = (c >> 4) ^ crc_nibble[c & 15];
  c = (c >> 4) ^ crc_nibble[c & 15];
  return c;
}

static uint32_t reg_read(uint32_t off) {
  uintptr_t a = (uintptr_t)(P.uart_base + off);
  if (P.reg_width == 1) return *(volatile uint8_t*)a;
  return *(volatile uint32_t*)a;
}

static void reg_write(uint32_t off, uint32_t v) {
  uintptr_t a = (uintptr_t)(P.uart_base + off);
  if (P.reg_width == 1)
    *(volatile uint8_t*)a = (uint8_t)v;
  else
    *(volatile uint32_t*)a = v;
}

static int flag_is(uint32_t mask, uint32_t when_set) {
  uint32_t s = reg_read(P.status_off) & mask;
  return when_set ? s != 0 : s == 0;
}

static void put(uint32_t b) {
  while (!flag_is(P.tx_mask, P.tx_ready_set)) {
  }
  reg_write(P.data_off, b & 0xff);
}

/* Sends b and folds it into the packet CRC. */
static uint32_t put_c(uint32_t c, uint32_t b) {
  put(b);
  return crc_byte(c, b & 0xff);
}

static uint32_t put_word_c(uint32_t c, uint32_t w) {
  c = put_c(c, w);
  c = put_c(c, w >> 8);
  c = put_c(c, w >> 16);
  return put_c(c, w >> 24);
}

static void put_word(uint32_t w) {
  put(w);
  put(w >> 8);
  put(w >> 16);
  put(w >> 24);
}

/* Starts a packet: sync bytes and type; returns the running CRC. */
static uint32_t begin(uint32_t type) {
  put(CDSTUB_SYNC0);
  put(CDSTUB_SYNC1);
  return put_c(0xffffffffu, type);
}

static void finish(uint32_t c) { put_word(c ^ 0xffffffffu); }

/* Sends frame `seq` of [src, src+len); returns the CRC-32 state of its data folded into `whole`. */
static uint32_t send_frame(uint32_t src, uint32_t len, uint32_t frame, uint32_t seq, uint32_t whole) {
  uint32_t start = seq * frame, n = len - start, i, c;
  const volatile uint8_t* p = (const volatile uint8_t*)(uintptr_t)(src + start);
  if (n > frame) n = frame;
  if (P.flags & CDSTUB_FLAG_BLANK) {
    const volatile uint32_t* w = (const volatile uint32_t*)p;
    for (i = 0; i + 4 <= n && w[i >> 2] == 0xffffffffu; i += 4) {
    }
    for (; i < n && p[i] == 0xff; i++) {
    }
    if (i == n) {
      c = begin('B');
      finish(put_word_c(c, seq));
      for (i = 0; i < n; i++) whole = crc_byte(whole, 0xff);
      return whole;
    }
  }
  c = put_word_c(begin('D'), seq);
  for (i = 0; i < n; i++) {
    uint32_t b = p[i];
    c = put_c(c, b);
    whole = crc_byte(whole, b);
  }
  finish(c);
  return whole;
}

static void send_end(uint32_t whole, uint32_t len) {
  uint32_t c = put_word_c(begin('E'), whole ^ 0xffffffffu);
  finish(put_word_c(c, len));
}

static uint32_t parse_hex(const char* s) {
  uint32_t v = 0;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
  for (;; s++) {
    uint32_t ch = (uint8_t)*s, d;
    if (ch >= '0' && ch <= '9')
      d = ch - '0';
    else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
      d = (ch | 0x20) - 'a' + 10;
    else
      return v;
    v = (v << 4) | d;
  }
}

/* Entry, called by U-Boot's `go ENTRY [SRC LEN]` as entry(argc, argv) with argv[0] = "ENTRY". */
__attribute__((section(".text.entry"), used)) int cdstub_main(int argc, char* const argv[]) {
  uint32_t src = P.src, len = P.len, frame = P.frame_size, seq, nframes, whole = 0xffffffffu;
  uint32_t cmd[CDSTUB_CMD_LEN], got = 0, idle = 0, crc_run, k;
  if (P.magic != CDSTUB_MAGIC || frame == 0 || (frame & 3) != 0) return 1;
  if (argc >= 3) {
    src = parse_hex(argv[1]);
    len = parse_hex(argv[2]);
  }
  nframes = 0;
  for (k = 0; k < len; k += frame) nframes++; /* no division: no libgcc */

  crc_run = put_word_c(begin('H'), CDSTUB_VERSION);
  crc_run = put_word_c(crc_run, src);
  crc_run = put_word_c(crc_run, len);
  finish(put_word_c(crc_run, frame));

  for (seq = 0; seq < nframes; seq++) whole = send_frame(src, len, frame, seq, whole);
  send_end(whole, len);

  /* Serve re-requests until 'Q' or silence. cmd[] is a sliding window over received bytes. */
  for (;;) {
    if (!flag_is(P.rx_mask, P.rx_ready_set)) {
      if (++idle >= P.idle_polls) return 2;
      continue;
    }
    idle = 0;
    if (got == CDSTUB_CMD_LEN) {
      for (k = 1; k < CDSTUB_CMD_LEN; k++) cmd[k - 1] = cmd[k];
      got--;
    }
    cmd[got++] = reg_read(P.data_off) & 0xff;
    if (got < CDSTUB_CMD_LEN || cmd[0] != CDSTUB_CMD0 || cmd[1] != CDSTUB_CMD1) continue;
    crc_run = 0xffffffffu;
    for (k = 2; k < 7; k++) crc_run = crc_byte(crc_run, cmd[k]);
    crc_run ^= 0xffffffffu;
    if (crc_run != (cmd[7] | cmd[8] << 8 | cmd[9] << 16 | cmd[10] << 24)) continue;
    got = 0;
    seq = cmd[3] | cmd[4] << 8 | cmd[5] << 16 | cmd[6] << 24;
    if (cmd[2] == 'Q') return 0;
    if (cmd[2] != 'R') continue;
    if (seq == CDSTUB_SEQ_END)
      send_end(whole, len);
    else if (seq < nframes)
      send_frame(src, len, frame, seq, 0);
  }
}
