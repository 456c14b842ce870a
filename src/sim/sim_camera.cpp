// SPDX-License-Identifier: MIT
// SimCamera (the public face of the emulator), SimTransport (the io::Transport over it, with a
// mutex so a reader and a writer thread may share it), open_sim(), and a camera's `go` programs.
#include "sim/sim_camera.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "sim/sim_machine.hpp"

namespace camdump::sim {
namespace {

// How long an idle read really sleeps (virtual time still advances by the whole timeout), so
// host loops with wall-clock deadlines neither spin nor make tests slow.
constexpr auto kIdleSleepCap = std::chrono::milliseconds(20);

}  // namespace

void GoPrograms::add(std::string name, GoHandler handler) {
  for (auto& [n, h] : handlers_)
    if (n == name) {
      h = std::move(handler);
      return;
    }
  handlers_.emplace_back(std::move(name), std::move(handler));
}

void GoPrograms::remove(const std::string& name) {
  std::erase_if(handlers_, [&](const auto& p) { return p.first == name; });
}

bool GoPrograms::has(const std::string& name) const {
  return std::any_of(handlers_.begin(), handlers_.end(), [&](const auto& p) { return p.first == name; });
}

std::unique_ptr<SimProgram> GoPrograms::find(SimCamera& cam, uint64_t addr, std::span<const std::string> args) const {
  for (const auto& [n, h] : handlers_)
    if (auto p = h(cam, addr, args)) return p;
  return nullptr;
}

// ---- SimCamera

SimCamera::SimCamera(SimOptions opt, Reporter& rep, GoPrograms programs)
    : go_(std::move(programs)), m_(std::make_unique<Machine>(*this, std::move(opt), rep)) {}
SimCamera::~SimCamera() = default;

void SimCamera::host_write(std::span<const uint8_t> data) { m_->host_write(data); }
size_t SimCamera::host_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) {
  return m_->host_read(buf, static_cast<double>(timeout.count()) / 1000.0);
}
bool SimCamera::has_output() const { return m_->queued() > 0; }
void SimCamera::set_host_baud(uint32_t baud) { m_->host_baud_ = baud; }
uint32_t SimCamera::host_baud() const { return m_->host_baud_; }
const SimOptions& SimCamera::options() const { return m_->opt_; }
std::span<uint8_t> SimCamera::ram(uint64_t addr, uint64_t len) {
  uint8_t* p = m_->mem(addr, len, true);
  if (!p) return {};
  return {p, len};
}
std::span<const uint8_t> SimCamera::flash() const { return m_->flash_; }
uint32_t SimCamera::console_baud() const { return m_->uart_baud_; }
void SimCamera::set_console_baud(uint32_t baud) { m_->uart_baud_ = baud; }
std::string SimCamera::prompt() const { return m_->opt_.prompt_text(); }
double SimCamera::virtual_seconds() const { return m_->now(); }
const SimStats& SimCamera::stats() const { return m_->stats_; }
bool SimCamera::idle() const { return m_->idle_waiting_for_input(); }
GoPrograms& SimCamera::go_programs() { return go_; }

// ---- SimTransport

struct SimTransport::Sync {
  std::mutex mu;
  std::condition_variable cv;
  uint64_t writes = 0;
};

SimTransport::SimTransport(SimOptions opt, Reporter& rep, GoPrograms programs)
    : sync_(std::make_unique<Sync>()), cam_(std::make_unique<SimCamera>(std::move(opt), rep, std::move(programs))) {
  const auto& o = cam_->options();
  spec_desc_ = fmt::format("sim:{}{} ({}, {} bps)", o.image_path.empty() ? "built-in" : o.image_path,
                           o.image_path.empty() ? " image" : "", dialect_name(o.dialect), o.baud);
}

SimTransport::~SimTransport() = default;

bool SimTransport::set_baud(uint32_t baud) {
  std::lock_guard lock(sync_->mu);
  if (cam_->options().adapter_max && baud > *cam_->options().adapter_max) return false;  // adapter-max=
  cam_->set_host_baud(baud);
  return true;
}

std::optional<uint32_t> SimTransport::baud() const {
  std::lock_guard lock(sync_->mu);
  return cam_->host_baud();
}

std::string SimTransport::describe() const { return spec_desc_; }

size_t SimTransport::do_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) {
  std::unique_lock lock(sync_->mu);
  uint64_t writes = sync_->writes;
  size_t n = cam_->host_read(buf, timeout);
  if (n == 0 && timeout.count() > 0 && cam_->idle()) {
    // Waiting for input: give a writer thread a chance (a write wakes us at once).
    sync_->cv.wait_for(lock, std::min<std::chrono::milliseconds>(timeout, kIdleSleepCap),
                       [&] { return sync_->writes != writes; });
    if (sync_->writes != writes) n = cam_->host_read(buf, std::chrono::milliseconds(0));
  }
  return n;
}

void SimTransport::do_write(std::span<const uint8_t> data) {
  {
    std::lock_guard lock(sync_->mu);
    cam_->host_write(data);
    ++sync_->writes;
  }
  sync_->cv.notify_all();
}

std::unique_ptr<io::Transport> open_sim(std::string_view spec, Reporter& rep, GoPrograms programs) {
  return std::make_unique<SimTransport>(parse_sim_spec(spec), rep, std::move(programs));
}

}  // namespace camdump::sim
