// SPDX-License-Identifier: MIT
// The virtual camera's transmit queue (see sim_output_queue.hpp).
#include "sim/sim_output_queue.hpp"

namespace camdump::sim {
namespace {

constexpr size_t kCompactAt = 1 << 20;  // drop read output once this much has been read

}  // namespace

void OutputQueue::print(std::string_view s) {
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n') {
      buf_.append(s.substr(start, i - start));
      buf_.append("\r\n");
      start = i + 1;
    }
  }
  buf_.append(s.substr(start));
}

void OutputQueue::consume(size_t n) {
  pos_ += n;
  delivered_ += n;
  if (pos_ >= kCompactAt && pos_ * 2 >= buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
}

void OutputQueue::drop_queued() { buf_.erase(pos_); }

}  // namespace camdump::sim
