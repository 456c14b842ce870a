// SPDX-License-Identifier: MIT
// The write side of a TFTP transfer (WRQ): DATA is appended to a unique temporary file (core/atomic_file.hpp),
// the size limit is enforced as data arrives, and on the short final block the file is fsynced and
// renamed to NAME (mode 0600) before the final ACK goes out, so a client holding its last ACK finds
// the file in place. Afterwards the transfer lingers ("dallies", RFC 1350 §6) to re-ACK a repeated
// final block whose ACK got lost. Any failure removes the temporary file; nothing appears under NAME.
#include <fmt/core.h>
#include <sys/stat.h>

#include "core/error.hpp"
#include "core/size.hpp"
#include "tftp/transfer.hpp"

namespace camdump::tftp {

namespace {
constexpr size_t kFlushBytes = 1 << 20;  // write in 1 MiB pieces, not per block
}

WriteTransfer::WriteTransfer(UdpSocket sock, Endpoint peer, TransferParams params, Reporter& reporter,
                             const std::filesystem::path& path, std::string name, std::optional<uint64_t> tsize)
    : Transfer(std::move(sock), peer, params, reporter), tsize_(tsize) {
  report_.direction = Direction::Write;
  report_.name = std::move(name);
  report_.path = path;
  // A fresh .camdump-tmp-<random> next to NAME (0600, removed unless committed): a client may
  // upload NAME.part as an ordinary file, and no client can reach the bytes on their way to NAME,
  // so the SHA-256 we log is the hash of what ends up under NAME.
  file_ = std::make_unique<AtomicFile>(path, AtomicFile::Open::Truncate, AtomicFile::OnAbandon::Remove,
                                       AtomicFile::TempName::Unique);
  pending_.reserve(kFlushBytes + kMaxBlksize);
}

void WriteTransfer::start(Clock::time_point now) {
  if (!oack_bytes_.empty()) {
    oack_pending_ = true;
    send(oack_bytes_);
  } else {
    send_ack(0);
  }
  arm(now);
}

void WriteTransfer::send_ack(uint16_t block) {
  uint8_t a[4];
  put_ack(a, block);
  send(a);
}

void WriteTransfer::flush() {
  if (pending_.empty()) return;
  file_->write(pending_);
  pending_.clear();
}

void WriteTransfer::finish_upload(Clock::time_point now) {
  try {
    flush();
    struct stat st {};
    if (!params_.allow_overwrite && ::lstat(report_.path.c_str(), &st) == 0) {
      file_.reset();  // removes the temporary file
      abort(ErrorCode::FileExists, "file exists (created while the upload ran)", now);
      return;
    }
    file_->commit();  // fsync, rename the temporary file -> NAME, fsync the directory
  } catch (const Error& e) {
    file_.reset();
    abort(ErrorCode::DiskFull, "cannot store the file", now, e.what());
    return;
  }
  file_.reset();
  progress(report_.bytes, report_.bytes, true);
  succeed(now);
  send_ack(static_cast<uint16_t>(received_));
  dallying_ = true;
  deadline_ = now + std::min<std::chrono::milliseconds>(2 * params_.timeout, std::chrono::seconds(3));
}

void WriteTransfer::on_packet(std::span<const uint8_t> bytes, Clock::time_point now) {
  auto r = parse(bytes);
  if (!r) {
    if (!dallying_) abort(ErrorCode::IllegalOperation, "malformed packet: " + r.reason, now);
    return;
  }
  if (auto* e = std::get_if<ErrorPacket>(&*r.packet)) {
    if (!dallying_) {
      file_.reset();
      peer_error(*e, now);
    }
    return;
  }
  auto* d = std::get_if<Data>(&*r.packet);
  if (!d) {
    if (!dallying_) abort(ErrorCode::IllegalOperation, "expected DATA", now);
    return;
  }
  if (dallying_) {  // our final ACK was lost: say it again
    if (d->block == static_cast<uint16_t>(received_)) send_ack(d->block);
    return;
  }
  uint64_t expected = received_ + 1;
  if (d->block != static_cast<uint16_t>(expected)) {
    // The previous block again: our ACK was lost, repeat it. Anything else (reordered, stale) is
    // ignored; the client's timer resends it.
    if (received_ > 0 && d->block == static_cast<uint16_t>(received_)) send_ack(d->block);
    return;
  }
  size_t len = d->payload.size();
  if (len > params_.blksize) {
    file_.reset();
    abort(ErrorCode::IllegalOperation, "DATA larger than the negotiated block size", now);
    return;
  }
  if (report_.bytes + len > params_.max_size) {
    file_.reset();
    abort(ErrorCode::DiskFull, fmt::format("upload exceeds the size limit ({})", format_size(params_.max_size)), now);
    return;
  }
  oack_pending_ = false;
  pending_.insert(pending_.end(), d->payload.begin(), d->payload.end());
  digest_.update(d->payload);
  report_.bytes += len;
  ++received_;
  retries_ = 0;
  if (len < params_.blksize) {
    finish_upload(now);
    return;
  }
  if (pending_.size() >= kFlushBytes) {
    try {
      flush();
    } catch (const Error& e) {
      file_.reset();
      abort(ErrorCode::DiskFull, "cannot write the file", now, e.what());
      return;
    }
  }
  send_ack(static_cast<uint16_t>(received_));
  arm(now);
  progress(report_.bytes, tsize_.value_or(0));
}

void WriteTransfer::on_timeout(Clock::time_point now) {
  if (dallying_) {
    done_ = true;
    return;
  }
  if (!retry(now)) {
    file_.reset();
    return;
  }
  if (oack_pending_) {
    send(oack_bytes_);
  } else {
    send_ack(static_cast<uint16_t>(received_));
  }
  arm(now);
}

}  // namespace camdump::tftp
