// SPDX-License-Identifier: MIT
// Internal to the virtual camera: jobs, the commands that run for a while (md, sf read/erase/write,
// loady, tftpboot, go, sleep), and the slot that holds the running one. While a job runs the
// console is its own: the prompt comes back when it finishes.
#pragma once
#include <cstddef>
#include <memory>
#include <string>

namespace camdump::sim {

class Machine;

/// A command that runs for a while: produces output lazily, may read input.
class Job {
 public:
  virtual ~Job() = default;
  /// Append output until out has about `want` bytes; return true when the command has finished.
  virtual bool step(Machine& m, size_t want) = 0;
  double ready_at = 0;  ///< virtual time before which the job does nothing (slow operations)
  /// True for a job that reads the console as fast as it arrives (loady): no RX FIFO overrun.
  virtual bool reads_input() const { return false; }
};

/// A job that prints `text` once the virtual clock reaches `at` (slow commands: sf read, mmc).
std::unique_ptr<Job> make_delayed_text(std::string text, double at);

/// The running job, if any, and whether it has failed (md interrupted, a verify that differs).
class JobSlot {
 public:
  void start(std::unique_ptr<Job> job) {
    job_ = std::move(job);
    ok_ = true;
  }
  bool running() const { return job_ != nullptr; }
  Job& job() { return *job_; }
  const Job& job() const { return *job_; }
  /// The job failed: the command line counts as failed when it finishes.
  void fail() { ok_ = false; }
  bool ok() const { return ok_; }
  void stop() { job_.reset(); }

 private:
  std::unique_ptr<Job> job_;
  bool ok_ = true;
};

}  // namespace camdump::sim
