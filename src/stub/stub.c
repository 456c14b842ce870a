/* SPDX-License-Identifier: MIT
 * camdump's on-device stub: started by U-Boot's `go`, it streams a memory range over the console
 * UART as CRC-checked binary frames (~1 wire byte per flash byte instead of md's 4-5), then serves
 * re-requests for damaged frames and returns to U-Boot. Freestanding C for MIPS32el and ARMv7; no
 * libc, no calls into U-Boot, no interrupts, nothing in .bss (the image is uploaded as a flat
 * binary). Every wait is bounded (a wrong or clock-gated UART never reports room in its TX
 * FIFO: the stub gives up and returns to U-Boot), and U-Boot's divisor is always restored before
 * returning. Wire format and parameters: stub_abi.h. Register facts (docs/reference/socs.md):
 * 16550 (THR/RBR/DLL at 0, IER/DLM at 1*stride, LCR at 3*stride with DLAB bit 7, LSR at 5*stride:
 * DR bit 0, THRE bit 5, TEMT bit 6); PL011 (DR at 0, FR at 0x18: BUSY bit 3, RXFE bit 4, TXFF bit
 * 5; IBRD 0x24, FBRD 0x28, LCR_H 0x2c, whose write latches a new divisor), per the ARM PrimeCell
 * UART (PL011) TRM (DDI 0183) and the 16550D datasheet.
 */
#include "stub_abi.h"

/* Filled by the host before upload (written with mw.l); first bytes of the image. static: the ARM
 * stub is position-independent and reaches it PC-relatively. */
__attribute__((section(".params"), used)) static volatile struct cdstub_params cdstub_params = {CDSTUB_MAGIC,
                                                                                                CDSTUB_VERSION,
                                                                                                0,
                                                                                                4,
                                                                                                0,
                                                                                                0x14,
                                                                                                1u << 5,
                                                                                                1,
                                                                                                1u << 0,
                                                                                                1,
                                                                                                0,
                                                                                                0,
                                                                                                4096,
                                                                                                0x2000000,
                                                                                                1,
                                                                                                CDSTUB_UART_16550,
                                                                                                4,
                                                                                                0,
                                                                                                0x400000,
                                                                                                0x400000,
                                                                                                {0, 0, 0}};

#define P cdstub_params

/* Per-run state, on the stack (the image has no .bss). */
struct run {
  uint32_t dead;                     /* the TX FIFO never had room: every later put() is skipped */
  uint32_t old_div;                  /* U-Boot's divisor, saved before a switch */
  uint32_t switched;                 /* new_div is in effect */
  uint32_t new_div;                  /* the divisor asked for in this run */
  uint32_t win[CDSTUB_CMD_LEN], got; /* sliding window over received bytes */
};

/* zlib CRC-32, four bits at a time (64-byte table). */
static const uint32_t crc_nibble[16] = {0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
                                        0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
                                        0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c};

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
  if (P.reg_width == 1) *(volatile uint8_t*)a = (uint8_t)v;
  else *(volatile uint32_t*)a = v;
}

static int flag_is(uint32_t mask, uint32_t when_set) {
  uint32_t s = reg_read(P.status_off) & mask;
  return when_set ? s != 0 : s == 0;
}

static void put(struct run* r, uint32_t b) {
  uint32_t n;
  if (r->dead) return;
  for (n = 0; !flag_is(P.tx_mask, P.tx_ready_set); n++)
    if (n >= P.tx_polls) {
      r->dead = 1;
      return;
    }
  reg_write(P.data_off, b & 0xff);
}

/* Sends b and folds it into the packet CRC. */
static uint32_t put_c(struct run* r, uint32_t c, uint32_t b) {
  put(r, b);
  return crc_byte(c, b & 0xff);
}

static uint32_t put_word_c(struct run* r, uint32_t c, uint32_t w) {
  c = put_c(r, c, w);
  c = put_c(r, c, w >> 8);
  c = put_c(r, c, w >> 16);
  return put_c(r, c, w >> 24);
}

static void put_word(struct run* r, uint32_t w) {
  put(r, w);
  put(r, w >> 8);
  put(r, w >> 16);
  put(r, w >> 24);
}

/* Starts a packet: sync bytes and type; returns the running CRC. */
static uint32_t begin(struct run* r, uint32_t type) {
  put(r, CDSTUB_SYNC0);
  put(r, CDSTUB_SYNC1);
  return put_c(r, 0xffffffffu, type);
}

static void finish(struct run* r, uint32_t c) { put_word(r, c ^ 0xffffffffu); }

/* A packet of three words ('S', 'Y'). */
static void send3(struct run* r, uint32_t type, uint32_t a, uint32_t b, uint32_t c3) {
  uint32_t c = put_word_c(r, begin(r, type), a);
  c = put_word_c(r, c, b);
  finish(r, put_word_c(r, c, c3));
}

/* ---- divisor (rate switch) */

/* Waits (bounded) until the last bit has left the line: 16550 LSR.TEMT, PL011 FR.BUSY clear. */
static void wait_tx_empty(void) {
  uint32_t n;
  for (n = 0; n < P.tx_polls; n++) {
    uint32_t s = reg_read(P.status_off);
    if (P.uart_kind == CDSTUB_UART_PL011 ? (s & (1u << 3)) == 0 : (s & (1u << 6)) != 0) return;
  }
}

static uint32_t get_div(void) {
  uint32_t lcr, lo, hi;
  if (P.uart_kind == CDSTUB_UART_PL011) return (reg_read(0x24) & 0xffff) | (reg_read(0x28) & 0x3f) << 16;
  lcr = reg_read(3 * P.reg_stride);
  reg_write(3 * P.reg_stride, lcr | 0x80); /* DLAB: offsets 0 and 1*stride are DLL/DLM */
  lo = reg_read(0) & 0xff;
  hi = reg_read(P.reg_stride) & 0xff;
  reg_write(3 * P.reg_stride, lcr & ~0x80u);
  return lo | hi << 8;
}

static void set_div(uint32_t d) {
  uint32_t lcr;
  wait_tx_empty();
  if (P.uart_kind == CDSTUB_UART_PL011) {
    reg_write(0x24, d & 0xffff);
    reg_write(0x28, (d >> 16) & 0x3f);
    reg_write(0x2c, reg_read(0x2c)); /* IBRD/FBRD take effect on an LCR_H write */
    return;
  }
  lcr = reg_read(3 * P.reg_stride);
  reg_write(3 * P.reg_stride, lcr | 0x80);
  reg_write(0, d & 0xff);
  reg_write(P.reg_stride, (d >> 8) & 0xff);
  reg_write(3 * P.reg_stride, lcr & ~0x80u);
}

/* U-Boot's divisor back, before every return. */
static uint32_t leave(struct run* r, uint32_t rc) {
  if (r->switched) set_div(r->old_div);
  r->switched = 0;
  return r->dead ? CDSTUB_RC_TXDEAD : rc;
}

/* Reads host bytes until a whole CRC-checked command is in the window or `polls` status reads
 * found nothing. 1 with op and arg set, 0 on silence. */
static int get_cmd(struct run* r, uint32_t polls, uint32_t* op, uint32_t* arg) {
  uint32_t idle = 0, k, c;
  for (;;) {
    if (!flag_is(P.rx_mask, P.rx_ready_set)) {
      if (++idle >= polls) return 0;
      continue;
    }
    idle = 0;
    if (r->got == CDSTUB_CMD_LEN) {
      for (k = 1; k < CDSTUB_CMD_LEN; k++) r->win[k - 1] = r->win[k];
      r->got--;
    }
    r->win[r->got++] = reg_read(P.data_off) & 0xff;
    if (r->got < CDSTUB_CMD_LEN || r->win[0] != CDSTUB_CMD0 || r->win[1] != CDSTUB_CMD1) continue;
    c = 0xffffffffu;
    for (k = 2; k < 7; k++) c = crc_byte(c, r->win[k]);
    c ^= 0xffffffffu;
    if (c != (r->win[7] | r->win[8] << 8 | r->win[9] << 16 | r->win[10] << 24)) continue;
    r->got = 0;
    *op = r->win[2];
    *arg = r->win[3] | r->win[4] << 8 | r->win[5] << 16 | r->win[6] << 24;
    return 1;
  }
}

/* ---- frames */

/* Sends frame `seq` of [src, src+len); returns the CRC-32 state of its data folded into `whole`. */
static uint32_t send_frame(struct run* r, uint32_t src, uint32_t len, uint32_t frame, uint32_t seq, uint32_t whole) {
  uint32_t start = seq * frame, n = len - start, i, c;
  const volatile uint8_t* p = (const volatile uint8_t*)(uintptr_t)(src + start);
  if (n > frame) n = frame;
  if (P.flags & CDSTUB_FLAG_BLANK) {
    const volatile uint32_t* w = (const volatile uint32_t*)p;
    for (i = 0; i + 4 <= n && w[i >> 2] == 0xffffffffu; i += 4) {}
    for (; i < n && p[i] == 0xff; i++) {}
    if (i == n) {
      c = begin(r, 'B');
      finish(r, put_word_c(r, c, seq));
      for (i = 0; i < n; i++) whole = crc_byte(whole, 0xff);
      return whole;
    }
  }
  c = put_word_c(r, begin(r, 'D'), seq);
  for (i = 0; i < n; i++) {
    uint32_t b = p[i];
    c = put_c(r, c, b);
    whole = crc_byte(whole, b);
  }
  finish(r, c);
  return whole;
}

static void send_end(struct run* r, uint32_t whole, uint32_t len) {
  uint32_t c = put_word_c(r, begin(r, 'E'), whole ^ 0xffffffffu);
  finish(r, put_word_c(r, c, len));
}

static uint32_t parse_hex(const char* s) {
  uint32_t v = 0;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
  for (;; s++) {
    uint32_t ch = (uint8_t)*s, d;
    if (ch >= '0' && ch <= '9') d = ch - '0';
    else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f') d = (ch | 0x20) - 'a' + 10;
    else return v;
    v = (v << 4) | d;
  }
}

/* The rate switch after the hello (stub_abi.h): set new_div, answer 'S', start on 'G'; without a
 * 'G' within sync_polls go back to U-Boot's divisor. Then 'Y' says which rate carries the stream. */
static void switch_rate(struct run* r, uint32_t div) {
  uint32_t op, arg, polls;
  if (div == 0 || r->dead) return;
  wait_tx_empty();
  r->old_div = get_div();
  set_div(div);
  r->switched = 1;
  /* get_cmd restarts its count on every byte: bound the whole wait by counting calls too. */
  for (polls = 0; polls < 64; polls++) {
    if (!get_cmd(r, P.sync_polls >> 6, &op, &arg)) continue;
    if (op == 'S') send3(r, 'S', arg, r->old_div, div);
    if (op == 'G') break;
  }
  if (polls == 64) {
    set_div(r->old_div);
    r->switched = 0;
  }
  send3(r, 'Y', r->switched, r->old_div, div);
  r->new_div = div;
}

/* 'Q' from the host. At a switched rate the host is still listening at that rate, and U-Boot
 * prints "## Application terminated" the moment the stub returns: that line would reach the host
 * as garbage while its own rate change (a local ioctl, or an RFC 2217 SET-BAUDRATE through the
 * network and ser2net) is on its way. So the stub answers 'Q' at the switched rate, restores
 * U-Boot's divisor, and returns only on the host's second 'Q', sent at U-Boot's rate once the host
 * is there (or after sync_polls without it). */
static uint32_t quit(struct run* r) {
  uint32_t op, arg, polls;
  if (!r->switched || r->dead) return leave(r, CDSTUB_RC_OK);
  send3(r, 'Q', 0, r->old_div, r->new_div);
  (void)leave(r, CDSTUB_RC_OK); /* waits for the transmitter to empty, then U-Boot's divisor */
  r->got = 0;                   /* what the FIFO held at the old rate is garbage now */
  for (polls = 0; polls < 64; polls++)
    if (get_cmd(r, P.sync_polls >> 6, &op, &arg) && op == 'Q') break;
  return leave(r, CDSTUB_RC_OK);
}

/* ---- receive mode (issue 14): the host's frames into RAM (stub_abi.h) */

static uint32_t le32(const uint8_t* b) { return b[0] | b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24; }

static uint32_t crc_bytes(uint32_t c, const volatile uint8_t* p, uint32_t n) {
  uint32_t i;
  for (i = 0; i < n; i++) c = crc_byte(c, p[i]);
  return c;
}

/* One answer waiting to leave: its bytes go out one per loop pass when the TX FIFO has room, so
 * sending never keeps the stub from draining its RX FIFO (16 bytes on many 16550s). */
struct txq {
  uint8_t b[16];
  uint32_t n, i;
};

static void q_flush(struct run* r, struct txq* q) {
  while (q->i < q->n) put(r, q->b[q->i++]);
}

static void q_answer(struct run* r, struct txq* q, uint32_t type, uint32_t seq, uint32_t tag) {
  uint32_t c, k;
  q_flush(r, q); /* only with frames shorter than an answer */
  q->b[0] = CDSTUB_SYNC0;
  q->b[1] = CDSTUB_SYNC1;
  q->b[2] = (uint8_t)type;
  for (k = 0; k < 8; k++) q->b[3 + k] = (uint8_t)((k < 4 ? seq : tag) >> (8 * (k & 3)));
  c = crc_bytes(0xffffffffu, q->b + 2, 9) ^ 0xffffffffu;
  for (k = 0; k < 4; k++) q->b[11 + k] = (uint8_t)(c >> (8 * k));
  q->n = 15;
  q->i = 0;
}

/* Parser states: hunting the two sync bytes, header (op and what follows), payload, payload CRC. */
static uint32_t receive(struct run* r, uint32_t dst, uint32_t len, uint32_t frame, uint32_t nframes) {
  uint8_t h[13];
  uint32_t st = 0, k = 0, idle = 0, c = 0, n = 0, seq = 0, tag = 0, b, op, want;
  volatile uint8_t* p = 0;
  struct txq q;
  q.n = q.i = 0;
  while (!r->dead) {
    b = reg_read(P.status_off); /* one status read serves both directions */
    if (q.i < q.n && ((b & P.tx_mask) != 0) == P.tx_ready_set) reg_write(P.data_off, q.b[q.i++]);
    if (((b & P.rx_mask) != 0) != P.rx_ready_set) {
      if (++idle >= P.idle_polls) return leave(r, CDSTUB_RC_IDLE);
      continue;
    }
    idle = 0;
    b = reg_read(P.data_off) & 0xff;
    if (st == 0) {
      st = b == CDSTUB_CMD0;
    } else if (st == 1) {
      st = b == CDSTUB_CMD1 ? 2 : b == CDSTUB_CMD0;
      k = 0;
    } else if (st == 2) {
      h[k++] = (uint8_t)b;
      op = h[0];
      if (k < (op == 'W' ? 13u : 9u)) continue;
      st = 0;
      if ((crc_bytes(0xffffffffu, h, k - 4) ^ 0xffffffffu) != le32(h + k - 4)) continue;
      if (op == 'Q') {
        q_flush(r, &q);
        return quit(r);
      }
      if (op == 'E') {
        q_flush(r, &q);
        send_end(r, crc_bytes(0xffffffffu, (const volatile uint8_t*)(uintptr_t)dst, len), len);
      }
      if (op == 'G' && r->switched) {
        q_flush(r, &q);
        send3(r, 'Y', 1, r->old_div, r->new_div);
      }
      if (op != 'W') continue;
      seq = le32(h + 1);
      tag = h[5] | h[6] << 8;
      n = h[7] | h[8] << 8;
      if (seq >= nframes) continue;
      want = len - seq * frame;
      if (n != (want > frame ? frame : want)) continue;
      p = (volatile uint8_t*)(uintptr_t)(dst + seq * frame);
      c = 0xffffffffu;
      k = 0;
      st = 3;
    } else if (st == 3) {
      p[k++] = (uint8_t)b;
      c = crc_byte(c, b);
      if (k == n) st = 4, k = 0;
    } else {
      h[k++] = (uint8_t)b;
      if (k < 4) continue;
      st = 0;
      q_answer(r, &q, (c ^ 0xffffffffu) == le32(h) ? 'K' : 'N', seq, tag);
    }
  }
  return leave(r, CDSTUB_RC_TXDEAD);
}

/* Entry, called by U-Boot's `go ENTRY [SRC LEN [DIV [RXFRAME]]]` as entry(argc, argv), argv[0] =
 * "ENTRY". RXFRAME != 0: receive mode (the host writes [SRC, SRC+LEN) in frames of RXFRAME). */
__attribute__((section(".text.entry"), used)) int cdstub_main(int argc, char* const argv[]) {
  uint32_t src = P.src, len = P.len, frame = P.frame_size, seq, nframes, whole = 0xffffffffu;
  uint32_t crc_run, k, op, arg, div = P.new_div, rx = 0;
  struct run r;
  r.dead = r.old_div = r.switched = r.got = r.new_div = 0;
  if (argc >= 3) {
    src = parse_hex(argv[1]);
    len = parse_hex(argv[2]);
  }
  if (argc >= 4) div = parse_hex(argv[3]);
  if (argc >= 5 && (rx = parse_hex(argv[4])) != 0) {
    if (rx < 16 || rx > CDSTUB_RX_MAX_FRAME) return CDSTUB_RC_BADPARAM;
    frame = rx;
  }
  if (P.magic != CDSTUB_MAGIC || frame == 0 || (frame & 3) != 0) return CDSTUB_RC_BADPARAM;
  nframes = 0;
  for (k = 0; k < len; k += frame) nframes++; /* no division: no libgcc */

  crc_run = put_word_c(&r, begin(&r, 'H'), CDSTUB_VERSION);
  crc_run = put_word_c(&r, crc_run, src);
  crc_run = put_word_c(&r, crc_run, len);
  finish(&r, put_word_c(&r, crc_run, frame));
  switch_rate(&r, div);
  if (rx) return (int)receive(&r, src, len, frame, nframes);

  for (seq = 0; seq < nframes && !r.dead; seq++) whole = send_frame(&r, src, len, frame, seq, whole);
  send_end(&r, whole, len);

  /* Serve re-requests until 'Q' or silence. */
  while (!r.dead) {
    if (!get_cmd(&r, P.idle_polls, &op, &arg)) return (int)leave(&r, CDSTUB_RC_IDLE);
    if (op == 'Q') return (int)quit(&r);
    if (op == 'G' && r.switched) send3(&r, 'Y', 1, r.old_div, r.new_div); /* a lost 'Y' */
    if (op != 'R') continue;
    if (arg == CDSTUB_SEQ_END) send_end(&r, whole, len);
    else if (arg < nframes) send_frame(&r, src, len, frame, arg, 0);
  }
  return (int)leave(&r, CDSTUB_RC_TXDEAD);
}
