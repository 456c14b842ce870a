// SPDX-License-Identifier: MIT
// Stub wire format, host side (see stub_protocol.hpp and src/stub/stub_abi.h).
#include "uboot/stub_protocol.hpp"

#include <algorithm>
#include <cstring>

#include "core/crc32.hpp"

namespace camdump::uboot {
namespace {

void put_le(std::vector<uint8_t>& v, uint32_t w) {
  for (int i = 0; i < 4; i++) v.push_back(static_cast<uint8_t>(w >> (8 * i)));
}
uint32_t get_le(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

}  // namespace

cdstub_params default_params() {
  cdstub_params p{};
  p.magic = CDSTUB_MAGIC;
  p.version = CDSTUB_VERSION;
  p.frame_size = 4096;
  p.idle_polls = 0x2000000;  // a few seconds of status polls on a ~1 GHz SoC and under QEMU
  p.flags = CDSTUB_FLAG_BLANK;
  p.sync_polls = 0x2000000;  // like idle_polls, seconds of status polls: the host's whole 1 s sync attempt fits
  p.tx_polls = 0x400000;     // ~0.1-1 s for one byte: far beyond a 16-byte FIFO at 9600 baud
  return p;
}

std::array<uint32_t, CDSTUB_PARAMS_WORDS> params_words(const cdstub_params& p) {
  static_assert(sizeof(cdstub_params) == size_t{CDSTUB_PARAMS_WORDS} * 4);
  std::array<uint32_t, CDSTUB_PARAMS_WORDS> w{};
  std::memcpy(w.data(), &p, sizeof p);
  return w;
}

std::array<uint8_t, CDSTUB_CMD_LEN> encode_command(uint8_t op, uint32_t arg) {
  std::array<uint8_t, CDSTUB_CMD_LEN> c{CDSTUB_CMD0, CDSTUB_CMD1, op};
  for (size_t i = 0; i < 4; i++) c[3 + i] = static_cast<uint8_t>(arg >> (8 * i));
  uint32_t crc = crc32(std::span<const uint8_t>(c.data() + 2, 5));
  for (size_t i = 0; i < 4; i++) c[7 + i] = static_cast<uint8_t>(crc >> (8 * i));
  return c;
}

std::vector<uint8_t> encode_packet(uint8_t type, std::span<const uint8_t> payload) {
  std::vector<uint8_t> v{CDSTUB_SYNC0, CDSTUB_SYNC1, type};
  v.insert(v.end(), payload.begin(), payload.end());
  put_le(v, crc32(std::span<const uint8_t>(v.data() + 2, v.size() - 2)));
  return v;
}

std::vector<uint8_t> encode_hello(uint32_t src, uint32_t len, uint32_t frame) {
  std::vector<uint8_t> p;
  put_le(p, CDSTUB_VERSION);
  put_le(p, src);
  put_le(p, len);
  put_le(p, frame);
  return encode_packet('H', p);
}

std::vector<uint8_t> encode_frame(uint32_t seq, std::span<const uint8_t> data, bool blank_skip) {
  std::vector<uint8_t> p;
  put_le(p, seq);
  if (blank_skip && std::all_of(data.begin(), data.end(), [](uint8_t b) { return b == 0xff; }))
    return encode_packet('B', p);
  p.insert(p.end(), data.begin(), data.end());
  return encode_packet('D', p);
}

std::vector<uint8_t> encode_words(uint8_t type, uint32_t a, uint32_t b, uint32_t c) {
  std::vector<uint8_t> p;
  put_le(p, a);
  put_le(p, b);
  put_le(p, c);
  return encode_packet(type, p);
}

std::vector<uint8_t> encode_end(uint32_t crc, uint32_t len) {
  std::vector<uint8_t> p;
  put_le(p, crc);
  put_le(p, len);
  return encode_packet('E', p);
}

StubStreamDecoder::StubStreamDecoder(uint32_t src, uint32_t len, uint32_t frame)
    : src_(src), len_(len), frame_(frame), data_(len), have_(frame_count(len, frame)) {}

std::vector<uint32_t> StubStreamDecoder::missing() const {
  std::vector<uint32_t> m;
  for (uint32_t i = 0; i < have_.size(); i++)
    if (!have_[i]) m.push_back(i);
  return m;
}

void StubStreamDecoder::feed(std::span<const uint8_t> bytes) {
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
  scan();
  compact();
}

void StubStreamDecoder::scan() {
  while (pos_ < buf_.size()) {
    // Look for the sync pair.
    if (buf_[pos_] != CDSTUB_SYNC0) {
      skip_junk();
      continue;
    }
    if (pos_ + 1 >= buf_.size()) break;
    if (buf_[pos_ + 1] != CDSTUB_SYNC1) {
      skip_junk();
      continue;
    }
    if (!try_packet()) break;  // need more bytes
  }
}

void StubStreamDecoder::idle() {
  for (;;) {
    scan();
    if (pos_ >= buf_.size()) break;
    skip_junk();  // stuck on an incomplete packet: it lost bytes
  }
  compact();
}

size_t fixed_payload(uint8_t type) {
  switch (type) {
    case 'H': return 16;
    case 'B': return 4;
    case 'E':
    case 'K':
    case 'N': return 8;
    case 'S':
    case 'Y':
    case 'Q': return 12;
    default: return 0;
  }
}

// At a sync pair: consume one packet (true), skip a false sync (true), or wait for bytes (false).
// Receive mode's 'K'/'N' answers are whole packets here too, skipped (StubAnswerDecoder reads them).
bool StubStreamDecoder::try_packet() {
  const size_t avail = buf_.size() - pos_;
  if (avail < 3) return false;
  const uint8_t* p = buf_.data() + pos_;
  size_t payload = fixed_payload(p[2]);
  uint32_t seq = 0;
  if (p[2] == 'D') {
    if (avail < 7) return false;
    seq = get_le(p + 3);
    if (seq < have_.size()) payload = 4 + std::min<size_t>(frame_, len_ - size_t(seq) * frame_);  // else not ours
  }
  if (payload == 0) {  // a false sync (0xa5 0x5a inside data or noise)
    skip_junk();
    return true;
  }
  const size_t total = 3 + payload + 4;
  if (avail < total) return false;
  const uint32_t want = get_le(p + 3 + payload);
  if (crc32(std::span<const uint8_t>(p + 2, 1 + payload)) != want) {
    bad_++;
    skip_junk();
    return true;
  }
  junk_text_.clear();  // an intact packet: what came before it was not the console
  intact_++;
  const uint8_t* q = p + 3;
  switch (p[2]) {
    case 'H':
      hello_ = true;
      if (get_le(q) != CDSTUB_VERSION || get_le(q + 4) != src_ || get_le(q + 8) != len_ || get_le(q + 12) != frame_)
        hello_mismatch_ = true;
      break;
    case 'B':
    case 'D': {
      seq = get_le(q);
      if (seq >= have_.size()) break;
      const size_t off = size_t(seq) * frame_, n = std::min<size_t>(frame_, len_ - off);
      if (p[2] == 'B') {
        std::fill_n(data_.data() + off, n, 0xff);
        blank_frames_++;
      } else {
        std::copy_n(q + 4, n, data_.data() + off);
      }
      have_[seq] = 1;
      break;
    }
    case 'E':
      if (get_le(q + 4) == len_) end_crc_ = get_le(q);
      else hello_mismatch_ = true;
      break;
    case 'S':
      sync_token_ = get_le(q);
      old_div_ = get_le(q + 4);
      break;
    case 'Y':
      rate_switched_ = get_le(q) != 0;
      old_div_ = get_le(q + 4);
      break;
    case 'Q': quit_answered_ = true; break;
  }
  pos_ += total;
  return true;
}

void StubStreamDecoder::skip_junk() {
  junk_text_.push_back(static_cast<char>(buf_[pos_++]));
  junk_++;
  if (junk_text_.size() > 4096) junk_text_.erase(0, junk_text_.size() - 2048);
}

void StubStreamDecoder::compact() {
  if (pos_ > 0 && (pos_ >= buf_.size() || pos_ > 65536)) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
}

}  // namespace camdump::uboot
