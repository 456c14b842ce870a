// SPDX-License-Identifier: MIT
// The console-route skeleton (see console_route.hpp).
#include "dump/console_route.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "core/crc32.hpp"
#include "core/hash.hpp"
#include "uboot/device_crc.hpp"

namespace camdump::dump {

ConsoleRoute::ConsoleRoute(uboot::UbootSession& s, const StagingOptions& staging, std::string give_up_hint)
    : s_(s), stager_(s, staging), give_up_hint_(std::move(give_up_hint)) {}

void ConsoleRoute::setup() {
  s_.attach();
  s_.disable_watchdog();
  device_ = s_.device_info();
  stager_.prepare();
  prepare_route();
}

void ConsoleRoute::recover(const uboot::ConsoleLost& e) {
  if (++recoveries_ > kMaxRecoveries)
    fail(ErrorKind::Io, fmt::format("the console was lost {} times; giving up ({})", recoveries_, e.what()),
         give_up_hint_);
  resets_ += e.why() == uboot::ConsoleLost::Why::Reset;
  if (e.why() == uboot::ConsoleLost::Why::Silent) {  // usually a prompt damaged by line noise
    s_.reporter().log(LogLevel::Info, fmt::format("{}; camdump is sending Ctrl-C to bring the prompt back", e.what()));
    if (s_.resync()) return;
  }
  s_.reporter().log(LogLevel::Warn, fmt::format("{}: re-attaching and staging again", e.what()));
  before_reattach();
  guarded([this] { setup(); });  // a reset while attaching is one more loss
  after_reattach();
}

std::optional<uint32_t> ConsoleRoute::device_whole_crc(uint64_t offset, uint64_t length, uint32_t local) {
  if (!stager_.mapped() && !(length <= kWholeCrcMax && stager_.fits(length))) return std::nullopt;  // below U-Boot
  return guarded([&] {
    const uint64_t ram = stager_.stage(offset, length);
    return uboot::require_device_crc32(s_, ram, length, uboot::whole_image_crc(local));
  });
}

bool ConsoleRoute::check_whole_crc(uint64_t offset, uint64_t length, uint32_t local, std::string_view local_name) {
  const auto dev = device_whole_crc(offset, length, local);
  if (dev && *dev != local)
    fail(ErrorKind::VerifyMismatch,
         fmt::format("whole-image CRC32 differs: device {:08x}, {} {:08x}", *dev, local_name, local),
         "the flash changed during the dump or staging overlapped; run again");
  return dev.has_value();
}

ChunkedOutput::ChunkedOutput(std::filesystem::path out, ChunkPlan plan, bool resume, uint64_t align, Reporter& rep)
    : out_(std::move(out)), state_path_(state_path_for(out_)), rep_(rep), plan_(std::move(plan)) {
  if (resume && std::filesystem::exists(state_path_) && std::filesystem::exists(part_path_for(out_))) {
    const auto st = ResumeState::load(state_path_, "chunks");
    const ChunkPlan saved = plan_from_state(*st, align);
    if (saved.offset != plan_.offset || saved.length != plan_.length || saved.chunk != plan_.chunk)
      fail(ErrorKind::Usage, fmt::format("{} is for another range or chunk size", state_path_.string()),
           fmt::format("use --offset 0x{:x} --length 0x{:x} --chunk 0x{:x}, or drop --resume", saved.offset,
                       saved.length, saved.chunk));
    plan_ = saved;
    resuming_ = true;
  } else if (resume) {
    rep_.log(LogLevel::Warn, "nothing to resume: starting from the beginning");
  }
  file_ = std::make_unique<AtomicFile>(out_, resuming_ ? AtomicFile::Open::Resume : AtomicFile::Open::Truncate,
                                       AtomicFile::OnAbandon::Keep);
  if (!resuming_) save_state();
}

void ChunkedOutput::save_state() {
  plan_.state(file_->size(), state_path_).save(state_path_);
  saved_at_ = std::chrono::steady_clock::now();
}

void ChunkedOutput::settle(size_t i, std::span<const uint8_t> data, ChunkStatus status, uint32_t crc) {
  Chunk& c = plan_.chunks[i];
  file_->write_at(c.offset - plan_.offset, data);
  c.status = status;
  c.crc = crc;
  // At most once a second: a state file is fsync'ed and renamed, which costs more than a fast
  // chunk. An interrupted run saves it on its way out (interrupted()); a killed one loses at most
  // the last second, which a resumed run reads again.
  if (std::chrono::steady_clock::now() - saved_at_ >= std::chrono::seconds(1)) save_state();
}

uint64_t ChunkedOutput::check_resumed(const std::function<std::optional<uint32_t>(const Chunk&)>& device_crc) {
  uint64_t kept = 0;
  std::vector<uint8_t> buf;
  for (Chunk& c : plan_.chunks) {
    if (c.status == ChunkStatus::Pending) continue;
    buf.resize(c.len);
    bool ok = file_->size() >= c.offset - plan_.offset + c.len;
    if (ok) {
      file_->read_at(c.offset - plan_.offset, buf);
      ok = crc32(buf) == c.crc && device_crc(c) == c.crc;
    }
    if (ok) {
      kept += c.len;
    } else {
      rep_.log(LogLevel::Warn, fmt::format("saved chunk 0x{:x} no longer matches; reading it again", c.offset));
      c.status = ChunkStatus::Pending;
    }
  }
  save_state();
  return kept;
}

ChunkedOutput::Verified ChunkedOutput::verify_and_commit(ConsoleRoute& route) {
  file_->truncate(plan_.length);
  Digest sha(Digest::Algo::Sha256);
  uint32_t local = 0;
  std::vector<uint8_t> buf;
  for (uint64_t pos = 0; pos < plan_.length; pos += buf.size()) {
    buf.resize(std::min<uint64_t>(1 << 20, plan_.length - pos));
    file_->read_at(pos, buf);
    local = crc32(buf, local);
    sha.update(buf);
  }
  if (local != plan_.combined_crc())
    fail(ErrorKind::VerifyMismatch, "OUT.part does not match the verified chunks (disk error?)",
         "run again without --resume");
  Verified v;
  v.device_whole = route.check_whole_crc(plan_.offset, plan_.length, local);
  v.crc32 = local;
  v.sha256 = sha.hex_final();
  file_->commit();
  std::error_code ec;
  std::filesystem::remove(state_path_, ec);
  return v;
}

void ChunkedOutput::interrupted() {
  try {
    save_state();
  } catch (const Error&) {  // the interruption is the error to report
  }
  fail(ErrorKind::Cancelled,
       fmt::format("interrupted; {} of {} bytes are saved in {}", plan_.settled_bytes(), plan_.length,
                   file_->part_path().string()),
       "run the same command with --resume to continue");
}

}  // namespace camdump::dump
