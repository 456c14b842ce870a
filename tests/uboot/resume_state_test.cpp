// SPDX-License-Identifier: MIT
// The one state-file format (dump/resume_state.hpp): what is written reads back, and a file that is
// garbage, truncated, edited, of another kind or another format version is refused with one line
// naming the file. Also the restore state on top of it.
#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/file_util.hpp"
#include "dump/restore_plan.hpp"
#include "dump/resume_state.hpp"
#include "support/process.hpp"

using namespace camdump;
using namespace camdump::dump;

namespace {

std::string refusal(std::string_view text, std::string_view kind = "chunks") {
  try {
    ResumeState::parse(text, kind, "/d/fw.bin.part.state");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Corrupt);
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();  // one line
    EXPECT_NE(std::string(e.what()).find("/d/fw.bin.part.state"), std::string::npos) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << text;
  return {};
}

ResumeState sample() {
  ResumeState st("chunks");
  st.set_number("offset", 0x10000);
  st.set("name", "a = b");
  return st;
}

}  // namespace

TEST(ResumeState, WrittenTextReadsBack) {
  const std::string t = sample().text();
  EXPECT_TRUE(t.starts_with("format=camdump-resume 1\nkind=chunks\noffset=0x10000\nname=a = b\ncheck=")) << t;
  const auto st = ResumeState::parse(t, "chunks", "x");
  EXPECT_EQ(st.number("offset"), 0x10000u);
  EXPECT_EQ(st.get("name"), "a = b");
  EXPECT_FALSE(st.find("nothing").has_value());
  EXPECT_THROW(st.get("nothing"), Error);
}

TEST(ResumeState, GarbageTruncatedEditedOtherKindOrVersionIsRefused) {
  const std::string t = sample().text();
  refusal("");
  refusal("garbage\n");
  refusal("camdump-uart-state 1\noffset 0x0\n");  // the format before this one
  refusal(t.substr(0, t.size() / 2));             // truncated
  std::string edited = t;
  edited[edited.find("0x10000") + 2] = '2';
  refusal(edited);
  EXPECT_NE(refusal(t, "restore").find("'chunks'"), std::string::npos);
  std::string v2 = t;
  v2.replace(v2.find("resume 1"), 8, "resume 2");
  EXPECT_NE(refusal(v2).find("format"), std::string::npos);
}

TEST(ResumeState, KeysAreCheckedWhenWritten) {
  ResumeState st("chunks");
  EXPECT_THROW(st.set("Bad Key", "x"), Error);
  EXPECT_THROW(st.set("ok", "two\nlines"), Error);
  EXPECT_THROW(st.set("check", "x"), Error);
  st.set("ok", "1");
  EXPECT_THROW(st.set("ok", "2"), Error);
}

TEST(ResumeState, SaveIsAtomicAndLoadRefusesADamagedFile) {
  test::TempDir dir;
  const auto p = dir / "s.state";
  EXPECT_FALSE(ResumeState::load(p, "chunks").has_value());
  sample().save(p);
  EXPECT_EQ(std::filesystem::status(p).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(ResumeState::load(p, "chunks")->number("offset"), 0x10000u);
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(e.path().filename(), "s.state");  // no temporary left behind
  write_file_atomic(p, std::string_view("format=camdump-resume 1\nkind=chunks\n"));
  EXPECT_THROW(ResumeState::load(p, "chunks"), Error);
}

TEST(RestoreStateFile, RoundTripAndADamagedFileIsAnErrorNotNoState) {
  test::TempDir dir;
  RestoreState r;
  r.image_sha256 = std::string(64, 'a');
  r.chip_id = "EF 40 18";
  r.begin = 0x10000;
  r.end = 0x800000;
  r.backup = "/tmp/back up.bin";
  r.saved_sr1 = 0x1c;
  r.units_written = 7;
  const auto p = dir / "fw.bin.restore-state";
  r.save(p);
  const auto q = RestoreState::load(p);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->chip_id, r.chip_id);
  EXPECT_EQ(q->backup, r.backup);
  EXPECT_EQ(q->saved_sr1, 0x1c);
  EXPECT_EQ(q->units_written, 7u);
  r.saved_sr1 = -1;
  r.backup.clear();
  EXPECT_EQ(RestoreState::parse(r.text()).saved_sr1, -1);
  EXPECT_EQ(RestoreState::parse(r.text()).backup, "");
  write_file_atomic(p, std::string_view("camdump-restore 1\nimage_sha256 x\n"));
  EXPECT_THROW(RestoreState::load(p), Error);
  EXPECT_FALSE(RestoreState::load(dir / "absent").has_value());
}
