// SPDX-License-Identifier: MIT
// File access without root. A dump started with sudo needs root for port 69 (the routes' TFTP
// inbox) or a device node, but no file it writes or reads on behalf of a camera should be touched
// as root: a hostile upload name or a planted link must meet an ordinary user's permissions.
// Linux keeps a filesystem user and group ID per thread (setfsuid(2), setfsgid(2)); changing the
// fsuid from 0 also clears the filesystem capabilities (CAP_DAC_OVERRIDE, CAP_FOWNER, ...) from
// that thread's effective set (capabilities(7)). The raw setgroups(2) system call (not glibc's
// wrapper, which applies it to every thread) drops root's supplementary groups for this thread.
#pragma once
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace camdump {

struct Identity {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
};

/// The user sudo was called by (SUDO_UID/SUDO_GID/SUDO_USER), when they are set and not root.
std::optional<Identity> sudo_identity();

/// The account `name` / `uid` in the user database (getpwnam_r/getpwuid_r, which unlike
/// getpwnam/getpwuid share no buffer between threads); nullopt when there is none.
std::optional<Identity> user_identity(const std::string& name);
std::optional<Identity> user_identity(uid_t uid);

/// A group in the group database (getgrgid_r/getgrnam_r); nullopt when there is none.
struct Group {
  gid_t gid = 0;
  std::string name;
  std::vector<std::string> members;  ///< the users /etc/group lists (not those whose primary group it is)
};
std::optional<Group> group_entry(gid_t gid);
std::optional<Group> group_entry(const std::string& name);

/// Whom a process running as root hands its file access to: the user sudo was called by
/// (SUDO_UID/SUDO_GID/SUDO_USER, when not 0), else `nobody` (65534 when that user is missing).
/// nullopt when the process is not root (it has no privilege to give up).
std::optional<Identity> file_access_identity();

/// For its lifetime, this thread's file access uses `id` (fsuid, fsgid, supplementary groups =
/// {gid}); the destructor restores root's. Nothing happens when `id` is nullopt. Throws
/// Error(Permission) when the kernel does not take the identity.
class ScopedFsIdentity {
 public:
  explicit ScopedFsIdentity(const std::optional<Identity>& id);
  ~ScopedFsIdentity();
  ScopedFsIdentity(const ScopedFsIdentity&) = delete;
  ScopedFsIdentity& operator=(const ScopedFsIdentity&) = delete;

 private:
  void restore();
  bool active_ = false;
  uid_t old_uid_ = 0;
  gid_t old_gid_ = 0;
  std::vector<gid_t> old_groups_;
};

}  // namespace camdump
