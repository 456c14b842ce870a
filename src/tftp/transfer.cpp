// SPDX-License-Identifier: MIT
// The common part of a TFTP transfer and the read side (RRQ): lock-step or RFC 7440 windows,
// retransmission on the timer only, 16-bit block numbers wrapping to 0.
#include "tftp/transfer.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/errno_text.hpp"
#include "core/error.hpp"
#include "tftp/path_guard.hpp"

namespace camdump::tftp {

Transfer::Transfer(UdpSocket sock, Endpoint peer, TransferParams params, Reporter& reporter)
    : sock_(std::move(sock)), peer_(peer), params_(params), reporter_(reporter) {
  report_.peer = peer_.str();
  report_.blksize = params_.blksize;
  report_.windowsize = params_.windowsize;
  buf_.resize(kMaxPacket + 4);
  start_ = last_progress_ = deadline_ = Clock::now();
}

void Transfer::on_readable(Clock::time_point now) {
  Endpoint from;
  auto n = sock_.recv_from(buf_, from);
  if (!n) return;
  if (!(from == peer_)) {  // RFC 1350 §4: tell the stranger, keep the transfer going
    sock_.send_to(build_error(ErrorCode::UnknownTid, "unknown transfer ID"), from);
    return;
  }
  if (done_) return;
  on_packet(std::span<const uint8_t>(buf_.data(), *n), now);
}

void Transfer::abort(ErrorCode code, const std::string& message, Clock::time_point now, const std::string& detail) {
  send(build_error(code, message));
  report_.ok = false;
  report_.error = detail.empty() ? message : message + " (" + detail + ")";
  report_.seconds = std::chrono::duration<double>(now - start_).count();
  settled_ = done_ = true;
}

void Transfer::peer_error(const ErrorPacket& e, Clock::time_point now) {
  report_.ok = false;
  report_.error = fmt::format("the client aborted with error {} ({}){}{}", static_cast<unsigned>(e.code),
                              error_code_name(e.code), e.message.empty() ? "" : ": ", printable_name(e.message, 128));
  report_.seconds = std::chrono::duration<double>(now - start_).count();
  settled_ = done_ = true;
}

void Transfer::succeed(Clock::time_point now) {
  report_.ok = true;
  report_.sha256 = digest_.hex_final();
  report_.seconds = std::chrono::duration<double>(now - start_).count();
  settled_ = true;
}

bool Transfer::retry(Clock::time_point now) {
  if (++retries_ > params_.max_retries) {
    abort(ErrorCode::NotDefined, fmt::format("timed out: no answer after {} retransmissions", params_.max_retries),
          now);
    return false;
  }
  ++report_.retransmits;
  return true;
}

void Transfer::progress(uint64_t done, uint64_t total, bool finished) {
  auto now = Clock::now();
  if (!finished && now - last_progress_ < std::chrono::milliseconds(250)) return;
  last_progress_ = now;
  Progress p;
  p.stage = fmt::format("tftp {} {}", report_.direction == Direction::Read ? "sending" : "receiving",
                        printable_name(report_.name));
  p.done = done;
  p.total = total;
  p.wire_bytes = done;
  p.retries = report_.retransmits;
  p.finished = finished;
  reporter_.progress(p);
}

// ---- read (RRQ) --------------------------------------------------------------------------------

ReadTransfer::ReadTransfer(UdpSocket sock, Endpoint peer, TransferParams params, Reporter& reporter,
                           const std::filesystem::path& path, std::string name)
    : Transfer(std::move(sock), peer, params, reporter) {
  report_.direction = Direction::Read;
  report_.name = std::move(name);
  report_.path = path;
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    fail_errno(errno, "cannot open " + path.string());
  }
  struct stat st {};
  ::fstat(fd_, &st);
  size_ = static_cast<uint64_t>(st.st_size);
  blocks_ = size_ / params_.blksize + 1;  // the last DATA is shorter than blksize (maybe empty)
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  out_.resize(4 + params_.blksize);
}

ReadTransfer::~ReadTransfer() {
  if (fd_ >= 0) ::close(fd_);
}

void ReadTransfer::start(Clock::time_point now) {
  if (!oack_bytes_.empty()) {
    oack_pending_ = true;
    send(oack_bytes_);
    arm(now);
  } else {
    send_window(now);
  }
}

bool ReadTransfer::send_block(uint64_t block) {
  uint64_t off = (block - 1) * params_.blksize;
  size_t len = static_cast<size_t>(std::min<uint64_t>(params_.blksize, size_ - std::min(off, size_)));
  size_t got = 0;
  while (got < len) {
    ssize_t n = ::pread(fd_, out_.data() + 4 + got, len - got, static_cast<off_t>(off + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // the file shrank or failed under us
    got += static_cast<size_t>(n);
  }
  put_data_header(out_.data(), static_cast<uint16_t>(block));
  if (block == hashed_ + 1) {
    digest_.update(std::span<const uint8_t>(out_.data() + 4, len));
    ++hashed_;
  }
  send(std::span<const uint8_t>(out_.data(), 4 + len));
  return true;
}

void ReadTransfer::send_window(Clock::time_point now) {
  while (next_ <= blocks_ && next_ <= acked_ + params_.windowsize) {
    if (!send_block(next_)) {
      abort(ErrorCode::NotDefined, "read error on the server", now);
      return;
    }
    ++next_;
  }
  arm(now);
}

void ReadTransfer::on_packet(std::span<const uint8_t> bytes, Clock::time_point now) {
  auto r = parse(bytes);
  if (!r) {
    abort(ErrorCode::IllegalOperation, "malformed packet: " + r.reason, now);
    return;
  }
  if (auto* e = std::get_if<ErrorPacket>(&*r.packet)) {
    peer_error(*e, now);
    return;
  }
  auto* ack = std::get_if<Ack>(&*r.packet);
  if (!ack) {
    abort(ErrorCode::IllegalOperation, "expected an ACK", now);
    return;
  }
  if (oack_pending_) {
    if (ack->block != 0) return;  // stale
    oack_pending_ = false;
    retries_ = 0;
    send_window(now);
    return;
  }
  uint64_t in_flight = next_ - 1 - acked_;
  uint64_t delta = static_cast<uint16_t>(ack->block - static_cast<uint16_t>(acked_));
  if (delta == 0) {
    // A repeated ACK of the window base. In lock-step it is only a duplicate (answering it would
    // be the Sorcerer's Apprentice bug). With windows it is how the client reports that the
    // first block of the window went missing (RFC 7440 §4): resend once per base.
    if (params_.windowsize > 1 && in_flight > 0 && rewound_at_ != acked_) {
      rewound_at_ = acked_;
      next_ = acked_ + 1;
      send_window(now);
    }
    return;
  }
  if (delta > in_flight) return;  // an old ACK from before a wrap or a rewind: ignore
  acked_ += delta;
  retries_ = 0;
  if (acked_ == blocks_) {
    report_.bytes = size_;
    progress(size_, size_, true);
    succeed(now);
    done_ = true;
    return;
  }
  report_.bytes = std::min(acked_ * params_.blksize, size_);
  progress(report_.bytes, size_);
  // An ACK inside the window only slides it: some clients ACK more often than once per window,
  // and going back on each would resend most of the window. A real gap shows up as the same ACK
  // repeated (handled above) or as our timer running out.
  send_window(now);
}

void ReadTransfer::on_timeout(Clock::time_point now) {
  if (!retry(now)) return;
  if (oack_pending_) {
    send(oack_bytes_);
    arm(now);
    return;
  }
  next_ = acked_ + 1;
  send_window(now);
}

}  // namespace camdump::tftp
