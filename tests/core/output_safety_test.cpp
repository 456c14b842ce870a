// SPDX-License-Identifier: MIT
// Issue 17 items 1 and 2 in the library: the temporary file is never a symlink or hard link
// someone planted, commit() replaces only a regular file, and check_output_path() refuses every
// OUT that is not a new name in a writable directory or an existing regular file the user allowed
// us to replace (with the file's size in the message).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <string>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/file_util.hpp"
#include "core/output_path.hpp"
#include "support/process.hpp"

using namespace camdump;
using camdump::test::TempDir;
namespace fs = std::filesystem;

namespace {

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

ErrorKind kind_of(const std::function<void()>& f, std::string* message = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.kind();
  }
  ADD_FAILURE() << "no error";
  return ErrorKind::Cancelled;
}

}  // namespace

TEST(AtomicFileSafety, SymlinkAtPartIsNeverWrittenThrough) {
  TempDir d("camdump-atomic-link");
  test::write_file(d / "victim", "DATA\n");
  fs::create_symlink(d / "victim", d / "out.bin.part");
  EXPECT_EQ(kind_of([&] { write_file_atomic(d / "out.bin", bytes("firmware")); }), ErrorKind::Usage);
  EXPECT_EQ(test::read_file(d / "victim"), "DATA\n");
  EXPECT_FALSE(fs::exists(fs::symlink_status(d / "out.bin")));
  EXPECT_EQ(kind_of([&] { AtomicFile f(d / "out.bin", AtomicFile::Open::Resume, AtomicFile::OnAbandon::Keep); }),
            ErrorKind::Usage);
  EXPECT_EQ(test::read_file(d / "victim"), "DATA\n");
  EXPECT_TRUE(fs::is_symlink(d / "out.bin.part"));  // left for the user to look at
}

TEST(AtomicFileSafety, HardLinkAtPartIsReplacedNotTruncated) {
  TempDir d("camdump-atomic-hardlink");
  test::write_file(d / "victim", "DATA\n");
  fs::create_hard_link(d / "victim", d / "out.bin.part");
  write_file_atomic(d / "out.bin", bytes("firmware"));
  EXPECT_EQ(test::read_file(d / "victim"), "DATA\n");
  EXPECT_EQ(test::read_file(d / "out.bin"), "firmware");
  // A resumed run does not continue a file with another name either.
  fs::create_hard_link(d / "victim", d / "again.bin.part");
  EXPECT_EQ(kind_of([&] { AtomicFile f(d / "again.bin", AtomicFile::Open::Resume); }), ErrorKind::Usage);
  EXPECT_EQ(test::read_file(d / "victim"), "DATA\n");
}

TEST(AtomicFileSafety, CommitReplacesOnlyARegularFile) {
  TempDir d("camdump-atomic-commit");
  AtomicFile f(d / "out.bin");
  f.write(bytes("firmware"));
  fs::create_directory(d / "out.bin");  // appeared while we wrote
  EXPECT_EQ(kind_of([&] { f.commit(); }), ErrorKind::Usage);
  EXPECT_TRUE(fs::is_directory(d / "out.bin"));
  EXPECT_EQ(test::read_file(d / "out.bin.part"), "firmware");  // the data is not lost
}

TEST(AtomicFileSafety, UniqueTempNamesDifferAndAreReserved) {
  TempDir d("camdump-atomic-unique");
  AtomicFile a(d / "x", AtomicFile::Open::Truncate, AtomicFile::OnAbandon::Remove, AtomicFile::TempName::Unique);
  AtomicFile b(d / "x", AtomicFile::Open::Truncate, AtomicFile::OnAbandon::Remove, AtomicFile::TempName::Unique);
  EXPECT_NE(a.part_path(), b.part_path());
  EXPECT_TRUE(a.part_path().filename().string().starts_with(kUniqueTempPrefix));
  EXPECT_FALSE(fs::exists(d / "x.part"));
  a.write(bytes("A"));
  b.write(bytes("B"));
  a.commit();
  EXPECT_EQ(test::read_file(d / "x"), "A");
}

TEST(OutputPath, RefusesEmptyDirectoryFifoAndDeviceNode) {
  TempDir d("camdump-outpath");
  std::string msg;
  EXPECT_EQ(kind_of([&] { check_output_path(""); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { check_output_path(d.path()); }, &msg), ErrorKind::Usage);
  EXPECT_NE(msg.find("is a directory"), std::string::npos) << msg;
  EXPECT_EQ(kind_of([&] { check_output_path(d.path().string() + "/"); }), ErrorKind::Usage);
  ASSERT_EQ(::mkfifo((d / "fifo").c_str(), 0600), 0);
  EXPECT_EQ(kind_of([&] { check_output_path(d / "fifo", {.force = true}); }, &msg), ErrorKind::Usage);
  EXPECT_NE(msg.find("FIFO"), std::string::npos) << msg;
  EXPECT_EQ(kind_of([&] { check_output_path("/dev/null", {.force = true}); }, &msg), ErrorKind::Usage);
  EXPECT_NE(msg.find("character device"), std::string::npos) << msg;
  fs::create_symlink(d / "elsewhere", d / "link.bin");
  EXPECT_EQ(kind_of([&] { check_output_path(d / "link.bin", {.force = true}); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { check_output_path(d / "no-such-dir" / "fw.bin"); }), ErrorKind::NotFound);
}

TEST(OutputPath, ExistingFileNeedsForceOrResumeAndIsNamedWithItsSize) {
  TempDir d("camdump-outpath-exists");
  test::write_file(d / "fw.bin", std::string(1234, 'x'));
  std::string msg;
  EXPECT_EQ(kind_of([&] { check_output_path(d / "fw.bin"); }, &msg), ErrorKind::Usage);
  EXPECT_NE(msg.find((d / "fw.bin").string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("1234 bytes"), std::string::npos) << msg;
  EXPECT_NE(msg.find("modified 20"), std::string::npos) << msg;
  EXPECT_NO_THROW(check_output_path(d / "fw.bin", {.force = true}));
  EXPECT_NO_THROW(check_output_path(d / "fw.bin", {.resume = true}));
  EXPECT_NO_THROW(check_output_path(d / "new.bin"));
}

TEST(OutputPath, SymlinkAtPartIsRefusedBeforeAnythingRuns) {
  TempDir d("camdump-outpath-part");
  fs::create_symlink(d / "victim", d / "fw.bin.part");
  std::string msg;
  EXPECT_EQ(kind_of([&] { check_output_path(d / "fw.bin"); }, &msg), ErrorKind::Usage);
  EXPECT_NE(msg.find("fw.bin.part is a symbolic link"), std::string::npos) << msg;
}

TEST(ReadFile, StopsAtTheLimitOnAnEndlessDevice) {
  std::string msg;
  EXPECT_EQ(kind_of([&] { read_file("/dev/zero", 1 << 20); }, &msg), ErrorKind::Usage);
  EXPECT_NE(msg.find("/dev/zero"), std::string::npos) << msg;
}
