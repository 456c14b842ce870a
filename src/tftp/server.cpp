// SPDX-License-Identifier: MIT
// The TFTP server's poll loop, request handling and option negotiation. See server.hpp.
#include "tftp/server.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "core/size.hpp"
#include "core/errno_text.hpp"

namespace camdump::tftp {

std::string describe(const TransferReport& r) {
  const char* verb = r.direction == Direction::Write ? "received" : "sent";
  const char* prep = r.direction == Direction::Write ? "from" : "to";
  if (!r.ok) {
    // The error text can quote the client's name inside a path (e.g. a failed rename): the name is
    // escaped and capped there too, so no log line carries it raw.
    std::string err = r.error;
    if (!r.name.empty()) {
      const std::string shown = printable_name(r.name);
      for (size_t at = err.find(r.name); at != std::string::npos; at = err.find(r.name, at + shown.size()))
        err.replace(at, r.name.size(), shown);
    }
    return fmt::format("{} {} {} {} failed after {}: {}", r.direction == Direction::Write ? "upload" : "download",
                       printable_name(r.name), prep, r.peer, format_size(r.bytes), err);
  }
  return fmt::format("{} {} {} {}: {} in {:.2f} s ({:.1f} MiB/s, blksize {}{}), sha256 {}", verb,
                     printable_name(r.name), prep, r.peer, format_size(r.bytes), r.seconds,
                     r.rate() / (1024.0 * 1024.0), r.blksize,
                     r.windowsize > 1 ? fmt::format(", windowsize {}", r.windowsize) : "", r.sha256);
}

Server::Server(ServerConfig config, Reporter& reporter)
    : config_(std::move(config)), reporter_(reporter), guard_(config_.root) {
  listen_ = UdpSocket::bind(config_.listen);
  if (::pipe2(wake_, O_NONBLOCK | O_CLOEXEC) != 0) fail(ErrorKind::Io, "cannot create a pipe");
  buf_.resize(kMaxPacket + 4);
}

Server::~Server() {
  for (int fd : wake_)
    if (fd >= 0) ::close(fd);
}

void Server::stop() {
  stop_.store(true);
  char c = 1;
  [[maybe_unused]] auto n = ::write(wake_[1], &c, 1);
}

void Server::refuse(const Endpoint& to, ErrorCode code, const std::string& why, const std::string& what) {
  // RFC 1350: the answer comes from a new TID, like every reply to a request.
  try {
    Endpoint any = config_.listen;
    any.addr.sin_port = 0;
    UdpSocket s = UdpSocket::bind(any);
    s.send_to(build_error(code, why), to);
  } catch (const Error&) {
    listen_.send_to(build_error(code, why), to);
  }
  reporter_.log(LogLevel::Warn, fmt::format("tftp: refused {} from {}: {} (error {})", what, to.str(), why,
                                            static_cast<unsigned>(code)));
}

namespace {

struct Refusal {
  ErrorCode code;
  std::string why;
};

// What the server allows at all: octet mode, and reads or writes switched on.
std::optional<Refusal> check_allowed(const Request& req, const ServerConfig& c) {
  if (req.mode != "octet")
    return Refusal{ErrorCode::IllegalOperation,
                   fmt::format("mode '{}' not supported, use octet (binary)", printable_name(req.mode, 16))};
  if (req.write ? !c.allow_write : !c.allow_read)
    return Refusal{ErrorCode::AccessViolation,
                   req.write ? "uploads are disabled on this server" : "downloads are disabled on this server"};
  return std::nullopt;
}

struct Negotiated {
  TransferParams params;
  Options asked, agreed;
  std::optional<Refusal> refusal;
};

// RFC 2347: answer only the options we understand and accept (blksize RFC 2348, timeout and tsize
// RFC 2349, windowsize RFC 7440 for reads).
Negotiated negotiate(const Request& req, const ServerConfig& c) {
  Negotiated n;
  n.asked = decode_options(req.options);
  const Options& asked = n.asked;
  TransferParams& p = n.params;
  p.timeout = c.timeout;
  p.max_retries = c.max_retries;
  p.max_size = c.max_size;
  p.allow_overwrite = c.allow_overwrite;
  if (asked.blksize) n.agreed.blksize = p.blksize = std::min(*asked.blksize, c.max_blksize);
  if (asked.timeout) {
    n.agreed.timeout = asked.timeout;
    p.timeout = std::chrono::seconds(*asked.timeout);
  }
  if (!req.write && asked.windowsize)
    n.agreed.windowsize = p.windowsize = std::min(*asked.windowsize, c.max_windowsize);
  if (req.write && asked.tsize) {
    if (*asked.tsize > c.max_size)
      n.refusal = Refusal{ErrorCode::DiskFull, fmt::format("upload of {} exceeds the size limit ({})",
                                                           format_size(*asked.tsize), format_size(c.max_size))};
    n.agreed.tsize = asked.tsize;
  }
  return n;
}

}  // namespace

void Server::handle_request(std::span<const uint8_t> bytes, const Endpoint& from, Clock::time_point now) {
  auto r = parse(bytes);
  if (!r) return refuse(from, ErrorCode::IllegalOperation, "malformed request: " + r.reason, "a packet");
  auto* req = std::get_if<Request>(&*r.packet);
  if (!req) return refuse(from, ErrorCode::IllegalOperation, "expected RRQ or WRQ on this port", "a packet");
  for (const auto& t : transfers_)
    if (t->peer() == from && !t->settled()) return;  // a repeated request: our timer answers it
  // Names and modes come from the network: quoted and capped wherever they are printed or echoed.
  const std::string what = fmt::format("{} '{}'", req->write ? "upload" : "download", printable_name(req->filename));
  if (auto no = check_allowed(*req, config_)) return refuse(from, no->code, no->why, what);
  const PathDecision pd =
      req->write ? guard_.for_write(req->filename, config_.allow_overwrite) : guard_.for_read(req->filename);
  if (!pd.ok) return refuse(from, pd.code, pd.message, what);
  if (req->write && upload_running(pd.path))
    return refuse(from, ErrorCode::AccessViolation, "an upload of this file is already running", what);
  Negotiated n = negotiate(*req, config_);
  if (n.refusal) return refuse(from, n.refusal->code, n.refusal->why, what);
  std::unique_ptr<Transfer> t = open_transfer(*req, from, pd.path, n.params, n.asked, n.agreed, what);
  if (!t) return;
  reporter_.log(LogLevel::Debug,
                fmt::format("tftp: {} from {} (blksize {}, windowsize {}, timeout {} ms)", what, from.str(),
                            n.params.blksize, n.params.windowsize, n.params.timeout.count()));
  t->start(now);
  transfers_.push_back(std::move(t));
}

bool Server::upload_running(const std::filesystem::path& path) const {
  for (const auto& t : transfers_)
    if (!t->settled() && t->report().direction == Direction::Write && t->report().path == path) return true;
  return false;
}

std::unique_ptr<Transfer> Server::open_transfer(const Request& req, const Endpoint& from,
                                                const std::filesystem::path& path, const TransferParams& p,
                                                const Options& asked, Options agreed, const std::string& what) {
  Endpoint any = config_.listen;
  any.addr.sin_port = 0;
  std::unique_ptr<Transfer> t;
  try {
    UdpSocket sock = UdpSocket::bind(any);
    if (req.write) {
      t = std::make_unique<WriteTransfer>(std::move(sock), from, p, reporter_, path, req.filename, asked.tsize);
    } else {
      auto rt = std::make_unique<ReadTransfer>(std::move(sock), from, p, reporter_, path, req.filename);
      if (asked.tsize) agreed.tsize = rt->size();  // tsize in an RRQ asks for the size (RFC 2349)
      t = std::move(rt);
    }
    if (agreed != Options{}) t->set_oack(encode_options(agreed));
  } catch (const Error& e) {
    // The details name the server's absolute path: they go to our log, not to the client.
    reporter_.log(LogLevel::Warn, fmt::format("tftp: {} from {}: {}", what, from.str(), e.what()));
    const bool perm = e.kind() == ErrorKind::Permission;
    refuse(from, perm ? ErrorCode::AccessViolation : ErrorCode::NotDefined,
           req.write ? (perm ? "cannot create the file: permission denied" : "cannot create the file")
                     : (perm ? "cannot open the file: permission denied" : "cannot open the file"),
           what);
    return nullptr;
  }
  return t;
}

void Server::settle(Transfer& t) {
  const TransferReport& r = t.report();
  reporter_.log(r.ok ? LogLevel::Info : LogLevel::Warn, "tftp: " + describe(r));
  {
    std::lock_guard lock(mu_);
    finished_.push_back(r);
    claimed_.push_back(false);
    if (config_.once && r.ok && r.direction == Direction::Write) once_done_ = true;
  }
  cv_.notify_all();
  if (callback_) callback_(r);
}

bool Server::reap() {
  for (auto& t : transfers_)
    if (t->settled() && std::find(settled_.begin(), settled_.end(), t.get()) == settled_.end()) {
      settled_.push_back(t.get());
      settle(*t);
    }
  auto gone = std::remove_if(transfers_.begin(), transfers_.end(), [&](const std::unique_ptr<Transfer>& t) {
    if (!t->done()) return false;
    settled_.erase(std::remove(settled_.begin(), settled_.end(), t.get()), settled_.end());
    return true;
  });
  transfers_.erase(gone, transfers_.end());
  std::lock_guard lock(mu_);
  return once_done_ && transfers_.empty();
}

void Server::run(const CancelFlag* cancel) {
  {
    std::lock_guard lock(mu_);
    ended_ = false;
  }
  std::vector<pollfd> fds;
  while (!stop_.load()) {
    if (cancel && cancel->load()) break;
    auto now = Clock::now();
    auto wait = std::chrono::milliseconds(200);
    for (const auto& t : transfers_) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(t->deadline() - now);
      wait = std::clamp(left + std::chrono::milliseconds(1), std::chrono::milliseconds(0), wait);
    }
    fds.clear();
    fds.push_back({wake_[0], POLLIN, 0});
    fds.push_back({listen_.fd(), POLLIN, 0});
    for (const auto& t : transfers_) fds.push_back({t->fd(), POLLIN, 0});
    int n = ::poll(fds.data(), fds.size(), static_cast<int>(wait.count()));
    if (n < 0 && errno != EINTR) {
      reporter_.log(LogLevel::Error, fmt::format("tftp: the server stops: poll: {}", errno_text(errno)));
      break;
    }
    now = Clock::now();
    size_t count = transfers_.size();  // new transfers are appended; poll them next round
    for (size_t i = 0; i < count && n > 0; ++i)
      if (fds[i + 2].revents & (POLLIN | POLLERR)) transfers_[i]->on_readable(now);
    if (n > 0 && (fds[1].revents & POLLIN)) {
      Endpoint from;
      if (auto len = listen_.recv_from(buf_, from))
        handle_request(std::span<const uint8_t>(buf_.data(), *len), from, now);
    }
    now = Clock::now();
    for (auto& t : transfers_)
      if (!t->done() && t->deadline() <= now) t->on_timeout(now);
    if (reap()) break;
  }
  // Leaving: abort what still runs (their destructors remove their temporary files).
  auto now = Clock::now();
  for (auto& t : transfers_) {
    if (!t->settled()) t->cancel(now);
  }
  reap();
  transfers_.clear();
  {
    std::lock_guard lock(mu_);
    ended_ = true;  // wait_upload() stops waiting: nothing more can arrive
  }
  cv_.notify_all();
}

std::optional<TransferReport> Server::wait_upload(const std::string& name, std::chrono::milliseconds timeout,
                                                  const CancelFlag* cancel) {
  auto until = Clock::now() + timeout;
  std::unique_lock lock(mu_);
  for (;;) {
    for (size_t i = 0; i < finished_.size(); ++i)
      if (!claimed_[i] && finished_[i].ok && finished_[i].direction == Direction::Write && finished_[i].name == name) {
        claimed_[i] = true;
        return finished_[i];
      }
    if (ended_ || Clock::now() >= until || (cancel && cancel->load())) return std::nullopt;
    cv_.wait_until(lock, std::min(until, Clock::now() + std::chrono::milliseconds(100)));
  }
}

bool Server::ended() const {
  std::lock_guard lock(mu_);
  return ended_;
}

std::vector<TransferReport> Server::finished() const {
  std::lock_guard lock(mu_);
  return finished_;
}

}  // namespace camdump::tftp
