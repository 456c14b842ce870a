// SPDX-License-Identifier: MIT
// user_identity() reads the user database with the reentrant calls: by name and by uid it finds
// root (present on every Linux system), and it says "none" for an account that does not exist;
// group_entry() likewise for groups.
#include <gtest/gtest.h>

#include "core/fs_identity.hpp"

using namespace camdump;

TEST(UserIdentity, FindsRootByName) {
  auto id = user_identity("root");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->uid, 0u);
  EXPECT_EQ(id->gid, 0u);
  EXPECT_EQ(id->name, "root");
}

TEST(UserIdentity, FindsRootByUid) {
  auto id = user_identity(uid_t{0});
  ASSERT_TRUE(id);
  EXPECT_EQ(id->name, "root");
}

TEST(UserIdentity, AnUnknownAccountIsNone) {
  EXPECT_FALSE(user_identity("camdump-no-such-user"));
  EXPECT_FALSE(user_identity(uid_t{4000000000u}));
}

TEST(GroupEntry, FindsRootByGidAndByName) {
  auto by_gid = group_entry(gid_t{0});
  ASSERT_TRUE(by_gid);
  EXPECT_EQ(by_gid->name, "root");
  auto by_name = group_entry("root");
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->gid, 0u);
}

TEST(GroupEntry, AnUnknownGroupIsNone) { EXPECT_FALSE(group_entry("camdump-no-such-group")); }
