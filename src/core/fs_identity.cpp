// SPDX-License-Identifier: MIT
#include "core/fs_identity.hpp"

#include <fmt/core.h>
#include <grp.h>
#include <pwd.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/size.hpp"

namespace camdump {
namespace {

// setgroups(2) for the calling thread only: glibc's setgroups() broadcasts to every thread.
long thread_setgroups(size_t n, const gid_t* groups) {
#ifdef SYS_setgroups32
  return ::syscall(SYS_setgroups32, n, groups);
#else
  return ::syscall(SYS_setgroups, n, groups);
#endif
}

}  // namespace

std::optional<Identity> sudo_identity() {
  const char* su = std::getenv("SUDO_UID");
  const char* sg = std::getenv("SUDO_GID");
  auto uid = parse_number(su ? su : ""), gid = parse_number(sg ? sg : "");
  if (!uid || !gid || *uid == 0 || *uid >= 0xffffffffu || *gid >= 0xffffffffu) return std::nullopt;
  const char* name = std::getenv("SUDO_USER");
  return Identity{static_cast<uid_t>(*uid), static_cast<gid_t>(*gid), name ? name : su};
}

namespace {

// One user or group database lookup with a reentrant call, `lookup(&entry, buf, len, &result)`,
// growing the buffer while the call says ERANGE; `convert` copies the entry out of the buffer.
template <typename Entry, typename Lookup, typename Convert>
auto lookup_entry(Lookup lookup, Convert convert) -> std::optional<decltype(convert(std::declval<const Entry&>()))> {
  Entry entry{};
  Entry* result = nullptr;
  std::vector<char> buf(16384);
  while (lookup(&entry, buf.data(), buf.size(), &result) == ERANGE && buf.size() < (size_t{1} << 24))
    buf.resize(buf.size() * 2);
  if (!result) return std::nullopt;
  return convert(entry);
}

Identity to_identity(const passwd& pw) { return Identity{pw.pw_uid, pw.pw_gid, pw.pw_name}; }

Group to_group(const group& gr) {
  Group g{gr.gr_gid, gr.gr_name, {}};
  for (char** m = gr.gr_mem; m && *m; ++m) g.members.emplace_back(*m);
  return g;
}

}  // namespace

std::optional<Identity> user_identity(const std::string& name) {
  return lookup_entry<passwd>([&](passwd* pw, char* buf, size_t len,
                                  passwd** result) { return ::getpwnam_r(name.c_str(), pw, buf, len, result); },
                              to_identity);
}

std::optional<Identity> user_identity(uid_t uid) {
  return lookup_entry<passwd>(
      [&](passwd* pw, char* buf, size_t len, passwd** result) { return ::getpwuid_r(uid, pw, buf, len, result); },
      to_identity);
}

std::optional<Group> group_entry(gid_t gid) {
  return lookup_entry<group>(
      [&](group* gr, char* buf, size_t len, group** result) { return ::getgrgid_r(gid, gr, buf, len, result); },
      to_group);
}

std::optional<Group> group_entry(const std::string& name) {
  return lookup_entry<group>([&](group* gr, char* buf, size_t len,
                                 group** result) { return ::getgrnam_r(name.c_str(), gr, buf, len, result); },
                             to_group);
}

std::optional<Identity> file_access_identity() {
  if (::geteuid() != 0) return std::nullopt;
  if (auto id = sudo_identity()) return id;
  if (auto nobody = user_identity("nobody")) return nobody;
  return Identity{65534, 65534, "nobody"};
}

ScopedFsIdentity::ScopedFsIdentity(const std::optional<Identity>& id) {
  if (!id) return;
  old_uid_ = static_cast<uid_t>(::setfsuid(static_cast<uid_t>(-1)));
  old_gid_ = static_cast<gid_t>(::setfsgid(static_cast<gid_t>(-1)));
  int n = ::getgroups(0, nullptr);
  old_groups_.resize(n > 0 ? static_cast<size_t>(n) : 0);
  if (n > 0) ::getgroups(n, old_groups_.data());
  const gid_t g = id->gid;
  if (thread_setgroups(1, &g) != 0)
    fail(ErrorKind::Permission, fmt::format("cannot drop the supplementary groups for file access as {}", id->name));
  active_ = true;
  ::setfsgid(id->gid);
  ::setfsuid(id->uid);
  // setfsuid/setfsgid report no errors: read the IDs back.
  if (static_cast<uid_t>(::setfsuid(static_cast<uid_t>(-1))) != id->uid ||
      static_cast<gid_t>(::setfsgid(static_cast<gid_t>(-1))) != id->gid) {
    restore();
    fail(ErrorKind::Permission, fmt::format("cannot access files as {} (uid {})", id->name, id->uid));
  }
}

ScopedFsIdentity::~ScopedFsIdentity() { restore(); }

void ScopedFsIdentity::restore() {
  if (!active_) return;
  ::setfsuid(old_uid_);  // uid first: with fsuid 0 again the thread may set any fsgid
  ::setfsgid(old_gid_);
  thread_setgroups(old_groups_.size(), old_groups_.data());
  active_ = false;
}

}  // namespace camdump
