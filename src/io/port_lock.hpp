// SPDX-License-Identifier: MIT
// Owning a serial device alone. Two programs reading one console each get part of the stream
// (a forgotten `screen` or `picocom` would eat half of every md line), so camdump takes the port
// the way picocom and tio do: flock(LOCK_EX|LOCK_NB) on the open file (their convention) and
// TIOCEXCL (tty_ioctl(4): further open(2)s fail with EBUSY, except for root). Programs that take
// neither (screen, cat) are found by scanning /proc/*/fd for the device (proc(5)). Also: the
// permission hint for a device node (dialout/uucp group, re-login).
#pragma once
#include <string>
#include <vector>

namespace camdump::io {

/// Other processes that have `device` open, as "picocom (pid 1234)"; this process excluded.
/// Only processes whose /proc/PID/fd this user may read are seen (all of them as root).
std::vector<std::string> port_holders(const std::string& device);

/// Takes `fd` (an open tty) for this process: flock, TIOCEXCL, then the /proc scan. Throws
/// Error(Io) naming the holders when another program has the device; the caller closes fd.
void lock_port(int fd, const std::string& device);

/// Releases TIOCEXCL (the flock goes with close()).
void unlock_port(int fd);

/// Error(Io) "DEVICE is in use by …" for an open that failed with EBUSY.
[[noreturn]] void fail_busy(const std::string& device);

/// What this user must do to be allowed to open `device` (its group, or only a re-login).
std::string permission_hint(const std::string& device);

/// Error(Permission) for an open that failed with EACCES/EPERM: names the device's group and
/// whether the user only needs to log in again (member in /etc/group, not in this session).
[[noreturn]] void fail_permission(const std::string& device);

}  // namespace camdump::io
