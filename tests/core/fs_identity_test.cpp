// SPDX-License-Identifier: MIT
// Issue 17 item 4: a root process hands its file access to an ordinary user, per thread. As root
// (CI runs the suite as root), a file only root may read cannot be opened inside the scope and can
// be again after it; another thread keeps root's access meanwhile.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <future>

#include "core/fs_identity.hpp"
#include "support/process.hpp"

using namespace camdump;

namespace {

bool can_open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

// Sets and restores the environment only while the test has no other thread (its thread starts
// after the constructor and is joined before the destructor).
// NOLINTBEGIN(concurrency-mt-unsafe): no other thread runs while the environment changes
class SudoEnv {
 public:
  SudoEnv(const char* uid, const char* gid) {
    for (const char* k : {"SUDO_UID", "SUDO_GID", "SUDO_USER"}) {
      const char* v = std::getenv(k);
      saved_.emplace_back(k, v ? std::optional<std::string>(v) : std::nullopt);
    }
    ::setenv("SUDO_UID", uid, 1);
    ::setenv("SUDO_GID", gid, 1);
    ::unsetenv("SUDO_USER");
  }
  ~SudoEnv() {
    for (const auto& [k, v] : saved_) v ? ::setenv(k.c_str(), v->c_str(), 1) : ::unsetenv(k.c_str());
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};
// NOLINTEND(concurrency-mt-unsafe)

}  // namespace

TEST(FsIdentity, RootHandsFileAccessToTheSudoUserForThisThreadOnly) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  camdump::test::TempDir dir("camdump-fsid");
  const std::string secret = (dir.path() / "root-only").string();
  std::ofstream(secret) << "x";
  ASSERT_EQ(::chmod(secret.c_str(), 0600), 0);
  ASSERT_EQ(::chmod(dir.path().c_str(), 0777), 0);  // the directory is open to all: the file's mode decides
  SudoEnv env("4242", "4243");
  auto id = file_access_identity();
  ASSERT_TRUE(id);
  EXPECT_EQ(id->uid, 4242u);
  EXPECT_EQ(id->gid, 4243u);
  // A thread started before the scope (a thread started inside it inherits the identity).
  std::promise<void> go;
  std::future<bool> other = std::async(std::launch::async, [&, f = go.get_future()]() mutable {
    f.wait();
    return can_open(secret);
  });
  {
    ScopedFsIdentity as(id);
    EXPECT_FALSE(can_open(secret)) << "root's file was readable with the user's identity";
    go.set_value();
    EXPECT_TRUE(other.get()) << "another thread lost root's file access";
    // Files created in the scope belong to the user.
    const std::string made = (dir.path() / "made").string();
    int fd = ::open(made.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    ::close(fd);
    struct stat st {};
    ASSERT_EQ(::stat(made.c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 4242u);
    EXPECT_EQ(st.st_gid, 4243u);
  }
  EXPECT_TRUE(can_open(secret)) << "root's access did not come back after the scope";
}

TEST(FsIdentity, RootWithoutSudoFallsBackToNobody) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  SudoEnv env("0", "0");  // sudo from root: root is no one to hand access to
  auto id = file_access_identity();
  ASSERT_TRUE(id);
  EXPECT_NE(id->uid, 0u);
  EXPECT_EQ(id->name, "nobody");
}

TEST(FsIdentity, NoIdentityMeansNoChange) {
  ScopedFsIdentity none(std::nullopt);
  EXPECT_TRUE(can_open("/proc/self/status"));
}
