// SPDX-License-Identifier: MIT
// Receive mode wire format, host side (see stub_answers.hpp).
#include "uboot/stub_answers.hpp"

#include "core/crc32.hpp"
#include "uboot/stub_protocol.hpp"

namespace camdump::uboot {
namespace {

void put_le(std::vector<uint8_t>& v, uint32_t w, int bytes = 4) {
  for (int i = 0; i < bytes; i++) v.push_back(static_cast<uint8_t>(w >> (8 * i)));
}
uint32_t get_le(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

}  // namespace

std::vector<uint8_t> encode_write_frame(uint32_t seq, uint16_t tag, std::span<const uint8_t> payload) {
  std::vector<uint8_t> v{CDSTUB_CMD0, CDSTUB_CMD1, 'W'};
  v.reserve(write_frame_chars(payload.size()));
  put_le(v, seq);
  put_le(v, tag, 2);
  put_le(v, static_cast<uint32_t>(payload.size()), 2);
  put_le(v, crc32(std::span<const uint8_t>(v.data() + 2, 9)));
  v.insert(v.end(), payload.begin(), payload.end());
  put_le(v, crc32(payload));
  return v;
}

std::vector<uint8_t> encode_answer(bool ok, uint32_t seq, uint32_t tag) {
  std::vector<uint8_t> p;
  put_le(p, seq);
  put_le(p, tag);
  return encode_packet(ok ? 'K' : 'N', p);
}

void StubAnswerDecoder::feed(std::span<const uint8_t> bytes) {
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
  scan();
  if (pos_ > 0 && (pos_ >= buf_.size() || pos_ > 65536)) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
}

void StubAnswerDecoder::scan() {
  while (pos_ < buf_.size()) {
    if (buf_[pos_] != CDSTUB_SYNC0 || (pos_ + 1 < buf_.size() && buf_[pos_ + 1] != CDSTUB_SYNC1)) {
      skip_junk();
      continue;
    }
    if (pos_ + 1 >= buf_.size() || !try_packet()) break;  // need more bytes
  }
}

void StubAnswerDecoder::idle() {
  while (pos_ < buf_.size()) {
    scan();
    if (pos_ < buf_.size()) skip_junk();  // an unfinished packet: it lost bytes
  }
  buf_.clear();
  pos_ = 0;
}

std::vector<FrameAnswer> StubAnswerDecoder::take_answers() {
  std::vector<FrameAnswer> a;
  a.swap(answers_);
  return a;
}

std::string StubAnswerDecoder::console_text() const {
  return junk_text_ + std::string(buf_.begin() + static_cast<std::ptrdiff_t>(pos_), buf_.end());
}

// At a sync pair: consume a packet or a false sync (true), or wait for more bytes (false).
bool StubAnswerDecoder::try_packet() {
  const size_t avail = buf_.size() - pos_;
  if (avail < 3) return false;
  const uint8_t* p = buf_.data() + pos_;
  const size_t payload = fixed_payload(p[2]);
  if (payload == 0) {  // 0xa5 0x5a inside text or noise
    skip_junk();
    return true;
  }
  const size_t total = 3 + payload + 4;
  if (avail < total) return false;
  if (crc32(std::span<const uint8_t>(p + 2, 1 + payload)) != get_le(p + 3 + payload)) {
    bad_++;
    skip_junk();
    return true;
  }
  junk_text_.clear();
  intact_++;
  const uint8_t* q = p + 3;
  switch (p[2]) {
    case 'H': hello_ = std::vector<uint32_t>{get_le(q), get_le(q + 4), get_le(q + 8), get_le(q + 12)}; break;
    case 'Y': rate_switched_ = get_le(q) != 0; break;
    case 'K':
    case 'N': answers_.push_back(FrameAnswer{p[2] == 'K', get_le(q), get_le(q + 4)}); break;
    case 'E':
      end_crc_ = get_le(q);
      end_len_ = get_le(q + 4);
      break;
    default: break;  // 'S', 'Q', 'B': only StubStreamDecoder looks at them
  }
  pos_ += total;
  return true;
}

void StubAnswerDecoder::skip_junk() {
  junk_text_.push_back(static_cast<char>(buf_[pos_++]));
  junk_++;
  if (junk_text_.size() > 4096) junk_text_.erase(0, junk_text_.size() - 2048);
}

}  // namespace camdump::uboot
