// SPDX-License-Identifier: MIT
// Test TFTP client and lossy UDP proxy. See mini_client.hpp.
#include "mini_client.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <deque>
#include <filesystem>
#include <random>
#include <stdexcept>

namespace camdump::test {
using namespace camdump::tftp;
using Clock = std::chrono::steady_clock;

namespace {

int udp_socket(uint16_t port = 0) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind");
  int buf = 4 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  return fd;
}

uint16_t local_port(int fd) {
  sockaddr_in a{};
  socklen_t l = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &l);
  return ntohs(a.sin_port);
}

sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  return a;
}

void send_to(int fd, const std::vector<uint8_t>& b, const sockaddr_in& to) {
  ::sendto(fd, b.data(), b.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
}

/// One datagram within `timeout`; sets `from`.
std::optional<std::vector<uint8_t>> recv(int fd, std::chrono::milliseconds timeout, sockaddr_in& from) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  std::vector<uint8_t> b(70000);
  socklen_t l = sizeof from;
  ssize_t n = ::recvfrom(fd, b.data(), b.size(), 0, reinterpret_cast<sockaddr*>(&from), &l);
  if (n < 0) return std::nullopt;
  b.resize(static_cast<size_t>(n));
  return b;
}

std::vector<Option> request_options(const TftpClientOptions& o) {
  Options opt;
  opt.blksize = o.blksize;
  opt.windowsize = o.windowsize;
  opt.tsize = o.tsize;
  return encode_options(opt);
}

}  // namespace

MiniClient::MiniClient(uint16_t server_port) : server_(loopback(server_port)) {}
MiniClient::~MiniClient() {
  if (fd_ >= 0) ::close(fd_);
}

// A new port (TID) for every transfer, as RFC 1350 §4 asks. With one port for all, a late packet
// of the previous transfer (the server re-ACKing a final DATA block that we repeated while it was
// still renaming the file) reached the next request first, and the client followed that dead TID.
void MiniClient::new_tid() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = udp_socket();
}

TftpResult MiniClient::get(const std::string& name, const TftpClientOptions& o) {
  TftpResult res;
  auto opts = request_options(o);
  auto rrq = build_rrq(name, opts);
  sockaddr_in peer = server_;
  bool have_peer = false;
  uint32_t blksize = kDefaultBlksize, window = 1;
  uint64_t got = 0;  // blocks received in order
  std::vector<uint8_t> last = rrq;
  new_tid();
  send_to(fd_, rrq, server_);
  int retries = 0;
  uint64_t since_ack = 0, nacked_at = UINT64_MAX;
  bool options_phase = !opts.empty();
  for (;;) {
    sockaddr_in from{};
    auto pkt = recv(fd_, o.rexmt, from);
    if (!pkt) {
      if (++retries > o.max_retries) {
        res.error = "client timeout";
        return res;
      }
      send_to(fd_, last, have_peer ? peer : server_);
      continue;
    }
    if (have_peer && (from.sin_port != peer.sin_port)) continue;
    auto r = parse(*pkt);
    if (!r) continue;
    if (auto* e = std::get_if<ErrorPacket>(&*r.packet)) {
      res.error_code = e->code;
      res.error = e->message;
      return res;
    }
    if (!have_peer) {  // the first OACK or DATA names the transfer's TID; nothing else may
      const auto* d1 = std::get_if<Data>(&*r.packet);
      if (!std::holds_alternative<Oack>(*r.packet) && (d1 == nullptr || d1->block != 1)) continue;
      peer = from;
      have_peer = true;
    }
    if (auto* oack = std::get_if<Oack>(&*r.packet)) {
      if (!options_phase) continue;
      options_phase = false;
      res.oack = oack->options;
      auto agreed = decode_options(oack->options);
      blksize = agreed.blksize.value_or(kDefaultBlksize);
      window = agreed.windowsize.value_or(1);
      last = build_ack(0);
      send_to(fd_, last, peer);
      retries = 0;
      continue;
    }
    auto* d = std::get_if<Data>(&*r.packet);
    if (!d) continue;
    options_phase = false;
    if (d->block == static_cast<uint16_t>(got + 1)) {
      retries = 0;
      res.data.insert(res.data.end(), d->payload.begin(), d->payload.end());
      ++got;
      ++since_ack;
      bool final = d->payload.size() < blksize;
      if (final || since_ack >= window) {
        last = build_ack(static_cast<uint16_t>(got));
        send_to(fd_, last, peer);
        since_ack = 0;
      }
      if (final) {
        res.ok = true;
        // Dally (RFC 1350 §6): if our final ACK is lost the server repeats the last block.
        auto until = Clock::now() + 6 * o.rexmt;
        while (Clock::now() < until) {
          sockaddr_in f2{};
          if (auto again = recv(fd_, o.rexmt, f2); again && f2.sin_port == peer.sin_port) send_to(fd_, last, peer);
        }
        return res;
      }
    } else if (nacked_at != got) {  // a gap or a repeat: say once where we are (RFC 7440)
      nacked_at = got;
      last = build_ack(static_cast<uint16_t>(got));
      send_to(fd_, last, peer);
      since_ack = 0;
    }
  }
}

TftpResult MiniClient::put(const std::string& name, const std::vector<uint8_t>& data, const TftpClientOptions& o) {
  TftpResult res;
  auto opts = request_options(o);
  sockaddr_in peer = server_;
  bool have_peer = false;
  uint32_t blksize = kDefaultBlksize;
  std::vector<uint8_t> last = build_wrq(name, opts);
  new_tid();
  send_to(fd_, last, server_);
  uint64_t sent = 0;  // highest DATA block sent
  uint64_t total_blocks = 0;
  bool started = false;
  int retries = 0;
  auto send_block = [&](uint64_t block) {
    uint64_t off = (block - 1) * blksize;
    size_t len = static_cast<size_t>(std::min<uint64_t>(blksize, data.size() - std::min<uint64_t>(off, data.size())));
    last = build_data(static_cast<uint16_t>(block), std::span<const uint8_t>(data.data() + off, len));
    send_to(fd_, last, peer);
    sent = block;
  };
  for (;;) {
    sockaddr_in from{};
    auto pkt = recv(fd_, o.rexmt, from);
    if (!pkt) {
      if (++retries > o.max_retries) {
        res.error = "client timeout";
        return res;
      }
      send_to(fd_, last, have_peer ? peer : server_);
      continue;
    }
    if (have_peer && from.sin_port != peer.sin_port) continue;
    auto r = parse(*pkt);
    if (!r) continue;
    if (auto* e = std::get_if<ErrorPacket>(&*r.packet)) {
      res.error_code = e->code;
      res.error = e->message;
      return res;
    }
    if (!have_peer) {  // the first OACK or ACK 0 names the transfer's TID; nothing else may
      const auto* a0 = std::get_if<Ack>(&*r.packet);
      if (!std::holds_alternative<Oack>(*r.packet) && (a0 == nullptr || a0->block != 0)) continue;
      peer = from;
      have_peer = true;
    }
    if (!started) {
      if (auto* oack = std::get_if<Oack>(&*r.packet)) {
        res.oack = oack->options;
        blksize = decode_options(oack->options).blksize.value_or(kDefaultBlksize);
      } else if (auto* a = std::get_if<Ack>(&*r.packet); !a || a->block != 0) {
        continue;
      }
      started = true;
      total_blocks = data.size() / blksize + 1;
      retries = 0;
      send_block(1);
      continue;
    }
    auto* a = std::get_if<Ack>(&*r.packet);
    if (!a || a->block != static_cast<uint16_t>(sent)) continue;  // duplicates: wait (no SAS)
    retries = 0;
    if (sent == total_blocks) {
      if (!o.check_path.empty()) {
        std::error_code ec;
        res.final_file_present = std::filesystem::exists(o.check_path, ec);
      }
      res.ok = true;
      return res;
    }
    send_block(sent + 1);
  }
}

LossyProxy::LossyProxy(uint16_t server_port, double drop, double dup, double reorder, uint32_t seed)
    : server_port_(server_port), drop_(drop), dup_(dup), reorder_(reorder), seed_(seed) {
  client_side_ = udp_socket();
  server_side_ = udp_socket();
  port_ = local_port(client_side_);
  thread_ = std::thread([this] { loop(); });
}

LossyProxy::~LossyProxy() {
  stop_ = true;
  thread_.join();
  ::close(client_side_);
  ::close(server_side_);
}

void LossyProxy::loop() {
  std::mt19937 rng(seed_);
  std::uniform_real_distribution<double> u(0, 1);
  sockaddr_in client{}, server = loopback(server_port_);
  bool have_client = false;
  struct Held {
    int fd;
    sockaddr_in to;
    std::vector<uint8_t> bytes;
  };
  std::deque<Held> held;  // reordered: sent after the next datagram
  auto forward = [&](int fd, const sockaddr_in& to, std::vector<uint8_t> b) {
    double x = u(rng);
    if (x < drop_) {
      ++dropped_;
      return;
    }
    if (x < drop_ + reorder_) {
      ++reordered_;
      held.push_back({fd, to, std::move(b)});
      return;
    }
    send_to(fd, b, to);
    if (x < drop_ + reorder_ + dup_) {
      ++duplicated_;
      send_to(fd, b, to);
    }
    while (!held.empty()) {
      send_to(held.front().fd, held.front().bytes, held.front().to);
      held.pop_front();
    }
  };
  while (!stop_) {
    pollfd p[2] = {{client_side_, POLLIN, 0}, {server_side_, POLLIN, 0}};
    int n = ::poll(p, 2, 20);
    if (n <= 0) {  // quiet: release what was held so it arrives late rather than never
      while (!held.empty()) {
        send_to(held.front().fd, held.front().bytes, held.front().to);
        held.pop_front();
      }
      continue;
    }
    sockaddr_in from{};
    if (p[0].revents & POLLIN) {
      if (auto b = recv(client_side_, std::chrono::milliseconds(0), from)) {
        client = from;
        have_client = true;
        // A request goes to the listening port even after the server's TID is known: the client
        // repeats its WRQ when the OACK was lost, and the transfer's port rightly refuses a WRQ.
        const bool request = b->size() >= 2 && (*b)[0] == 0 && ((*b)[1] == 1 || (*b)[1] == 2);
        forward(server_side_, request ? loopback(server_port_) : server, std::move(*b));
      }
    }
    if (p[1].revents & POLLIN) {
      if (auto b = recv(server_side_, std::chrono::milliseconds(0), from)) {
        if (from.sin_port != htons(server_port_)) server = from;  // the transfer's TID
        if (have_client) forward(client_side_, client, std::move(*b));
      }
    }
  }
}

}  // namespace camdump::test
