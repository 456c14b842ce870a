// SPDX-License-Identifier: MIT
// HexlogReader::feed_parallel: a mapped log cut at line ends into one part per core, each read by
// its own reader on its own thread, then joined in order. A join is exact (absorb) when no byte was
// read in both parts and the later part's first line meets the earlier part's md run the way it
// would have line by line; otherwise the rest is read again on the calling thread.
#include <algorithm>
#include <cstring>
#include <exception>
#include <system_error>
#include <thread>

#include "dump/hexlog.hpp"

namespace camdump::dump {
namespace {

constexpr unsigned kMaxThreads = 16;

}  // namespace

void HexlogReader::feed_parallel(std::string_view text) {
  unsigned parts = opt_.threads ? opt_.threads : std::max(1u, std::thread::hardware_concurrency());
  parts = std::min(parts, kMaxThreads);
  // Cut just after a line end near each 1/parts of the text.
  std::vector<size_t> cuts{0};
  if (parts > 1 && text.size() >= std::max<size_t>(opt_.parallel_min, 1)) {
    for (unsigned i = 1; i < parts; ++i) {
      const size_t at = std::max(cuts.back(), text.size() / parts * i);
      const void* nl = std::memchr(text.data() + at, '\n', text.size() - at);
      if (!nl) break;
      const size_t cut = static_cast<size_t>(static_cast<const char*>(nl) - text.data()) + 1;
      if (cut < text.size()) cuts.push_back(cut);
    }
  }
  cuts.push_back(text.size());
  const size_t n = cuts.size() - 1;
  auto part = [&](size_t k) { return text.substr(cuts[k], cuts[k + 1] - cuts[k]); };
  if (n == 1) return feed_blocks(text);

  // Parts 1..n-1 each start a fresh reader at a line start of the same source; part 0 continues
  // this reader (which may hold a partial line from earlier input).
  std::atomic<uint64_t> seen{sum_.log_bytes};
  std::vector<std::unique_ptr<HexlogReader>> later;
  HexlogOptions o = opt_;
  o.reporter = nullptr;
  for (size_t k = 1; k < n; ++k) {
    later.push_back(std::make_unique<HexlogReader>(o));
    later.back()->source_ = source_;
    later.back()->shared_bytes_ = &seen;
    later.back()->populate_ = populate_;
  }
  shared_bytes_ = &seen;
  std::vector<std::exception_ptr> errors(n);
  auto run_part = [&](size_t k) {
    try {
      if (k == 0) feed_blocks(part(0));
      else later[k - 1]->feed_blocks(part(k));
    } catch (...) {
      errors[k] = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  std::vector<size_t> here{0};  // parts this thread reads (also those no thread could be made for)
  for (size_t k = 1; k < n; ++k) {
    try {
      threads.emplace_back(run_part, k);
    } catch (const std::system_error&) {
      here.push_back(k);
    }
  }
  for (size_t k : here) run_part(k);
  for (auto& t : threads) t.join();
  shared_bytes_ = nullptr;
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  for (size_t k = 1; k < n; ++k) {
    if (absorb(*later[k - 1])) {
      ++parts_joined_;
      continue;
    }
    // Not joinable exactly: read the rest here, line by line.
    for (size_t j = k; j < n; ++j) feed_blocks(part(j));
    break;
  }
}

bool HexlogReader::absorb(HexlogReader& b) {
  // b read its text knowing nothing of what came before. That is the same as reading it here
  // only when b's first line is an md line b confirmed by its successor and which continues this
  // reader's run exactly (so here it is confirmed by its predecessor, and no lost range, pending
  // line, repeat or damaged line of ours meets it), and b never needed a prompt, command or
  // variable from before it.
  if (b.first_ != First::Confirmed || b.needs_context_ || pending_ || corrupt_since_ || open_corrupt_ || repeat_ ||
      !expect_ || *expect_ != b.first_addr_)
    return false;
  if (!image_.absorb(b.image_, static_cast<uint32_t>(line_no_))) return false;
  auto& t = sum_;
  const auto& f = b.sum_;
  t.lines += f.lines, t.md_lines += f.md_lines, t.repeated_lines += f.repeated_lines;
  t.unchecked_lines += f.unchecked_lines, t.outside_lines += f.outside_lines, t.corrupt_lines += f.corrupt_lines;
  t.unconfirmed_lines += f.unconfirmed_lines, t.conflict_lines += f.conflict_lines;
  t.md_commands += f.md_commands;
  t.widths |= f.widths;
  t.log_bytes += f.log_bytes;
  for (HexlogIssue is : f.issues) {
    // b's issues all lie in b's own text (its first line was clean and confirmed).
    if (is.line) is.line += line_no_;
    if (is.line_end) is.line_end += line_no_;
    if (is.other_line) is.other_line += line_no_;
    if (sum_.issues.size() < opt_.max_issues) sum_.issues.push_back(is);
    else ++sum_.issues_dropped;
  }
  t.issues_dropped += f.issues_dropped;
  for (HexlogCrc c : b.crcs_) {
    c.line += line_no_;
    crcs_.push_back(c);
  }
  targets_.insert(targets_.end(), b.targets_.begin(), b.targets_.end());
  for (const auto& r : b.rejected_) reject(r.addr, r.size);
  lo_ = std::min(lo_, b.lo_);
  hi_ = std::max(hi_, b.hi_);
  // b's end state is now ours (b read at least its first line).
  expect_ = b.expect_;
  corrupt_since_ = b.corrupt_since_;
  good_end_ = b.good_end_;
  good_line_ = b.good_line_ + line_no_;
  pending_ = b.pending_;
  if (pending_) {
    pending_->line += line_no_;
    pending_->lost_line += line_no_;
  }
  repeat_ = b.repeat_;
  open_corrupt_ = b.open_corrupt_;
  if (open_corrupt_) {
    open_corrupt_->line += line_no_;
    open_corrupt_->line_end += line_no_;
  }
  if (b.cmd_end_) cmd_end_ = b.cmd_end_;
  if (b.last_md_) last_md_ = b.last_md_;
  if (b.saw_command_) last_cmd_md_ = b.last_cmd_md_;
  if (!b.prompt_.empty()) prompt_ = b.prompt_;
  for (auto& [k, v] : b.vars_) vars_[k] = v;
  if (line_no_ == 0) first_ = b.first_, first_addr_ = b.first_addr_;
  line_no_ += b.line_no_;
  carry_ = std::move(b.carry_);
  overlong_ = b.overlong_;
  return true;
}

}  // namespace camdump::dump
