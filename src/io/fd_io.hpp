// SPDX-License-Identifier: MIT
// Blocking-with-timeout reads and full writes on a file descriptor (socket, pty master): the
// shared plumbing of the tcp:, telnet:, rfc2217: and exec: transports.
#pragma once
#include <chrono>
#include <cstdint>
#include <span>
#include <string>

namespace camdump::io {

/// Waits at most `timeout` for the fd to become readable, then reads what is there (up to
/// buf.size()). Returns 0 on timeout. Throws Error(Io) "<what>: closed" on EOF, hangup (a pty whose
/// program exited gives EIO) or a read error.
size_t fd_read(int fd, std::span<uint8_t> buf, std::chrono::milliseconds timeout, const std::string& what);

/// Writes everything, waiting for the fd to drain as needed. Uses send(MSG_NOSIGNAL) on sockets
/// so a closed peer gives Error(Io) instead of SIGPIPE.
void fd_write_all(int fd, std::span<const uint8_t> data, const std::string& what, bool is_socket);

}  // namespace camdump::io
