// SPDX-License-Identifier: MIT
// YMODEM codec, xyzModem-like receiver and sender (see ymodem.hpp).
#include "uboot/ymodem.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

namespace camdump::uboot::ymodem {

uint16_t crc16(std::span<const uint8_t> data, uint16_t crc) {
  for (uint8_t b : data) {
    crc = static_cast<uint16_t>(crc ^ (b << 8));
    for (int i = 0; i < 8; ++i) crc = static_cast<uint16_t>(crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1);
  }
  return crc;
}

std::vector<uint8_t> build_block(uint8_t seq, std::span<const uint8_t> data, bool large, bool crc) {
  const size_t len = large ? 1024 : 128;
  std::vector<uint8_t> b;
  b.reserve(len + 5);
  b.push_back(large ? kStx : kSoh);
  b.push_back(seq);
  b.push_back(static_cast<uint8_t>(~seq));
  const size_t n = std::min(len, data.size());
  b.insert(b.end(), data.begin(), data.begin() + static_cast<long>(n));
  b.resize(3 + len, seq == 0 ? 0 : kPad);  // block 0 is NUL padded, data blocks with CPMEOF
  const std::span<const uint8_t> payload(b.data() + 3, len);
  if (crc) {
    const uint16_t c = crc16(payload);
    b.push_back(static_cast<uint8_t>(c >> 8));
    b.push_back(static_cast<uint8_t>(c));
  } else {
    uint8_t sum = 0;
    for (uint8_t x : payload) sum = static_cast<uint8_t>(sum + x);
    b.push_back(sum);
  }
  return b;
}

std::vector<uint8_t> build_header(const std::string& name, uint64_t size, bool crc) {
  std::vector<uint8_t> p;
  if (!name.empty()) {
    p.assign(name.begin(), name.end());
    p.push_back(0);
    const std::string s = std::to_string(size);
    p.insert(p.end(), s.begin(), s.end());
    p.push_back(0);
  }
  return build_block(0, p, p.size() > 128, crc);
}

// ---- receiver (behaviour of U-Boot common/xyzModem.c, ymodem mode, USE_YMODEM_LENGTH)

std::string Receiver::start() { return std::string(1, static_cast<char>(kCrcReq)); }

void Receiver::fail(const char* why) {
  state_ = State::Failed;
  error_ = why;
}

// A bad block, a sequence error or a timeout: ask again ('C' in CRC mode), up to 20 times.
std::string Receiver::nak() {
  ++retries_;
  in_block_ = false;
  pkt_.clear();
  hdr_chars_ = 0;
  can_run_ = 0;
  if (tries_left_ == 0 || --tries_left_ == 0) {
    fail(state_ == State::WaitHeader ? "Timed out" : "Block sequence error");
    return {};
  }
  return std::string(1, static_cast<char>(kCrcReq));
}

std::string Receiver::on_block(uint8_t seq, std::span<const uint8_t> payload) {
  std::string ack(1, static_cast<char>(kAck));  // not const: returning it may move it
  switch (state_) {
    case State::WaitHeader: {
      // Block 0: "name\0size ..."; the rest is ignored. Any other block also opens the stream.
      if (seq == 0) {
        const auto* p = payload.data();
        const auto* end = p + payload.size();
        const auto* z = std::find(p, end, 0);
        name_.assign(p, z);
        if (z != end) {
          uint64_t v = 0;
          auto r = std::from_chars(reinterpret_cast<const char*>(z + 1), reinterpret_cast<const char*>(end), v);
          if (r.ec == std::errc() && r.ptr != reinterpret_cast<const char*>(z + 1)) size_ = v;
        }
      }
      state_ = State::Data;
      next_ = 1;
      tries_left_ = 20;
      ++retries_;  // xyzModem counts the 'C' after block 0 as a retry
      return ack + std::string(1, static_cast<char>(kCrcReq));
    }
    case State::Data:
      if (seq == next_) {
        size_t n = payload.size();
        if (size_ && *size_ > 0)
          n = static_cast<size_t>(std::min<uint64_t>(n, *size_ - std::min(*size_, data_.size())));
        if (data_.size() + n > max_) {
          fail("Too large");
          return std::string(4, static_cast<char>(kCan));
        }
        data_.insert(data_.end(), payload.begin(), payload.begin() + static_cast<long>(n));
        next_ = static_cast<uint8_t>(next_ + 1);
        tries_left_ = 20;
        return ack;
      }
      if (seq == static_cast<uint8_t>(next_ - 1)) return ack;  // a duplicate: re-ACK so the sender goes on
      return nak();
    case State::WaitFinal: state_ = State::Done; return ack;
    default: return {};
  }
}

std::string Receiver::feed(std::span<const uint8_t> bytes) {
  std::string reply;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (state_ == State::Done || state_ == State::Failed) break;
    const uint8_t c = bytes[i];
    if (!in_block_) {
      ++hdr_chars_;
      if (c == kSoh || c == kStx) {
        (c == kSoh ? soh_ : stx_)++;
        in_block_ = true;
        pkt_.assign(1, c);
      } else if (c == kCan) {
        ++can_;
        if (++can_run_ == 3) fail("Cancelled");  // xyzModem_CAN_COUNT
      } else if (c == kEot && hdr_chars_ == 1 && state_ == State::Data) {
        // EOT is taken only as the first character of a header search ("no noise").
        state_ = State::WaitFinal;
        hdr_chars_ = 0;
        ++retries_;
        reply += static_cast<char>(kAck);
        reply += static_cast<char>(kCrcReq);
      }
      continue;
    }
    pkt_.push_back(c);
    const size_t len = pkt_[0] == kSoh ? 128 : 1024;
    if (pkt_.size() < 3 + len + 2) continue;
    in_block_ = false;
    hdr_chars_ = 0;
    can_run_ = 0;
    const uint8_t seq = pkt_[1], cseq = pkt_[2];
    const std::span<const uint8_t> payload(pkt_.data() + 3, len);
    const uint16_t want = static_cast<uint16_t>(pkt_[3 + len] << 8 | pkt_[4 + len]);
    if (state_ == State::WaitFinal) {  // the final header's result is not checked: ACK, done
      reply += on_block(seq, payload);
      continue;
    }
    if ((seq ^ cseq) != 0xff) {  // framing error: xyzModem flushes the line, then asks again
      reply += nak();
      break;
    }
    if (crc16(payload) != want) {
      reply += nak();
      continue;
    }
    reply += on_block(seq, payload);
  }
  return reply;
}

std::string Receiver::timeout() {
  switch (state_) {
    case State::WaitHeader:
    case State::Data: return nak();
    case State::WaitFinal: state_ = State::Done; return std::string(1, static_cast<char>(kAck));
    default: return {};
  }
}

// ---- sender

namespace {

using Clock = std::chrono::steady_clock;
using ms = std::chrono::milliseconds;

class Line {
 public:
  Line(io::Transport& t, std::string pending, const CancelFlag* cancel)
      : t_(t), buf_(std::move(pending)), cancel_(cancel) {}
  // The next byte among `want` (other bytes are text or noise); CAN counts only twice in a row.
  std::optional<uint8_t> wait(std::string_view want, ms timeout) {
    const auto deadline = Clock::now() + timeout;
    unsigned cans = 0;
    for (;;) {
      while (pos_ < buf_.size()) {
        const auto c = static_cast<uint8_t>(buf_[pos_++]);
        if (c == kCan) {
          if (++cans == 2) return kCan;
          continue;
        }
        cans = 0;
        if (want.find(static_cast<char>(c)) != std::string_view::npos) return c;
      }
      buf_.clear();
      pos_ = 0;
      check_cancel(cancel_);
      const auto now = Clock::now();
      if (now >= deadline) return std::nullopt;
      std::array<uint8_t, 512> b;
      const size_t n = t_.read(b, std::min(std::chrono::duration_cast<ms>(deadline - now), ms(200)));
      buf_.append(reinterpret_cast<const char*>(b.data()), n);
    }
  }
  // What was read but not looked at yet.
  std::string rest() const { return buf_.substr(pos_); }

 private:
  io::Transport& t_;
  std::string buf_;
  size_t pos_ = 0;
  const CancelFlag* cancel_;
};

const std::string kReplies = {static_cast<char>(kAck), static_cast<char>(kNak), static_cast<char>(kCrcReq)};

// Send one block until ACK. 'C' or NAK or silence = send again.
void send_block(io::Transport& t, Line& line, const std::vector<uint8_t>& b, const SendOptions& o, SendStats& st,
                uint64_t index) {
  for (unsigned attempt = 0; attempt < o.block_tries; ++attempt) {
    if (attempt) ++st.resent;
    t.write(b);
    auto r = line.wait(kReplies, o.ack_timeout);
    if (r == kAck) return;
    if (r == kCan) fail(ErrorKind::Protocol, fmt::format("ymodem: the receiver cancelled at block {}", index));
  }
  fail(ErrorKind::Protocol, fmt::format("ymodem: block {} was not acknowledged after {} tries", index, o.block_tries),
       "a noisy line or a receiver that gave up; the transfer is started again by the caller");
}

}  // namespace

SendStats send(io::Transport& t, const std::string& name, std::span<const uint8_t> data, const SendOptions& o,
               const CancelFlag* cancel) {
  SendStats st;
  const uint64_t rx0 = t.rx_bytes(), tx0 = t.tx_bytes();
  Line line(t, o.pending, cancel);
  auto first = line.wait(std::string{static_cast<char>(kCrcReq), static_cast<char>(kNak)}, o.start_timeout);
  if (!first)
    fail(ErrorKind::Timeout, "ymodem: the receiver never asked for the file (no 'C' or NAK)",
         "is `loady` running on the camera?");
  if (*first == kCan) fail(ErrorKind::Protocol, "ymodem: the receiver cancelled before the transfer");
  const bool crc = *first == kCrcReq;
  send_block(t, line, build_header(name, data.size(), crc), o, st, 0);
  // xyzModem sends 'C' after ACKing block 0; wait briefly (it may have been lost to noise).
  line.wait(std::string(1, static_cast<char>(kCrcReq)), o.ack_timeout);
  uint8_t seq = 1;
  for (uint64_t off = 0; off < data.size(); off += 1024, seq = static_cast<uint8_t>(seq + 1)) {
    const auto part = data.subspan(off, std::min<uint64_t>(1024, data.size() - off));
    // The last short block goes as a 128-byte SOH block when it fits: fewer pad bytes on the wire.
    send_block(t, line, build_block(seq, part, part.size() > 128, crc), o, st, ++st.blocks);
  }
  for (unsigned attempt = 0;; ++attempt) {
    if (attempt == o.block_tries) fail(ErrorKind::Protocol, "ymodem: EOT was not acknowledged");
    t.write(std::vector<uint8_t>{kEot});
    auto r = line.wait(std::string{static_cast<char>(kAck), static_cast<char>(kNak)}, o.ack_timeout);
    if (r == kAck) break;
    if (r == kCan) fail(ErrorKind::Protocol, "ymodem: the receiver cancelled at EOT");
  }
  line.wait(std::string(1, static_cast<char>(kCrcReq)), o.ack_timeout);
  t.write(build_header("", 0, crc));
  line.wait(std::string(1, static_cast<char>(kAck)), o.ack_timeout);  // xyzModem ACKs the end block whatever it got
  st.rest = line.rest();
  st.rx_bytes = t.rx_bytes() - rx0;
  st.tx_bytes = t.tx_bytes() - tx0;
  return st;
}

}  // namespace camdump::uboot::ymodem
