// SPDX-License-Identifier: MIT
#include "io/port_lock.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>

#include "core/error.hpp"
#include "core/fs_identity.hpp"

namespace camdump::io {
namespace {

std::string comm_of(const std::string& pid) {
  std::ifstream f("/proc/" + pid + "/comm");
  std::string name;
  std::getline(f, name);
  return name.empty() ? "a program" : name;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

std::vector<std::string> port_holders(const std::string& device) {
  std::vector<std::string> out;
  struct stat dev {};
  if (::stat(device.c_str(), &dev) != 0 || !S_ISCHR(dev.st_mode)) return out;
  const std::string self = std::to_string(::getpid());
  DIR* proc = ::opendir("/proc");
  if (!proc) return out;
  while (dirent* e = ::readdir(proc)) {
    const std::string pid = e->d_name;
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos || pid == self) continue;
    const std::string fd_dir = "/proc/" + pid + "/fd";
    DIR* fds = ::opendir(fd_dir.c_str());
    if (!fds) continue;  // another user's process (EACCES) or gone
    bool holds = false;
    while (dirent* f = ::readdir(fds)) {
      if (f->d_name[0] == '.') continue;
      struct stat st {};
      if (::stat((fd_dir + "/" + f->d_name).c_str(), &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == dev.st_rdev) {
        holds = true;
        break;
      }
    }
    ::closedir(fds);
    if (holds) out.push_back(comm_of(pid) + " (pid " + pid + ")");
  }
  ::closedir(proc);
  return out;
}

void fail_busy(const std::string& device) {
  auto who = port_holders(device);
  fail(ErrorKind::Io, device + " is in use by " + (who.empty() ? "another program" : joined(who)),
       "close that program (screen: Ctrl-A k; picocom: Ctrl-A Ctrl-X; minicom: Ctrl-A X) and run again; two "
       "programs on one console each get part of the stream");
}

void lock_port(int fd, const std::string& device) {
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) fail_busy(device);
    // flock unsupported on this file: TIOCEXCL and the scan below still apply.
  }
  if (!port_holders(device).empty()) fail_busy(device);
  ::ioctl(fd, TIOCEXCL);
}

void unlock_port(int fd) { ::ioctl(fd, TIOCNXCL); }

std::string permission_hint(const std::string& device) {
  struct stat st {};
  std::string group = "dialout";
  if (::stat(device.c_str(), &st) == 0)
    if (auto g = group_entry(st.st_gid)) group = g->name;
  // Member in /etc/group already? Then only this login session predates it.
  bool listed = false;
  if (auto me = user_identity(::getuid()))
    if (auto g = group_entry(group))
      listed = std::find(g->members.begin(), g->members.end(), me->name) != g->members.end();
  if (group == "root") return "the device belongs to root only; run camdump with sudo or fix the device's group (udev)";
  if (listed)
    return "you are in the '" + group + "' group, but this login predates it: log out and in again (or run 'newgrp " +
           group + "')";
  return "add yourself to the '" + group + "' group: sudo usermod -aG " + group +
         " $USER, then log out and in again (the group is called uucp on Arch and Fedora)";
}

void fail_permission(const std::string& device) {
  fail(ErrorKind::Permission, "cannot open " + device + ": permission denied", permission_hint(device));
}

}  // namespace camdump::io
