// SPDX-License-Identifier: MIT
// split_key_values(): the one splitter of the simulator specs' key=value lists.
#include <gtest/gtest.h>

#include "core/key_value.hpp"

namespace camdump {
namespace {

TEST(KeyValue, SplitsItemsAtTheSeparatorAndKeysAtTheFirstEquals) {
  const auto v = split_key_values("image.bin,flash=8M,,save=/tmp/a=b,noise");
  ASSERT_EQ(v.size(), 5u);
  EXPECT_EQ(v[0].text, "image.bin");
  EXPECT_FALSE(v[0].has_value);
  EXPECT_EQ(v[0].key, "image.bin");
  EXPECT_EQ(v[0].value, "");
  EXPECT_EQ(v[1].key, "flash");
  EXPECT_EQ(v[1].value, "8M");
  EXPECT_TRUE(v[1].has_value);
  EXPECT_EQ(v[2].text, "");  // empty items are kept: callers tell the first item by position
  EXPECT_FALSE(v[2].has_value);
  EXPECT_EQ(v[3].key, "save");
  EXPECT_EQ(v[3].value, "/tmp/a=b");
  EXPECT_EQ(v[4].key, "noise");
  EXPECT_FALSE(v[4].has_value);
}

TEST(KeyValue, EmptyValueIsStillAValueAndEmptyTextIsOneEmptyItem) {
  const auto v = split_key_values("save=");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_TRUE(v[0].has_value);
  EXPECT_EQ(v[0].value, "");
  const auto e = split_key_values("");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].text, "");
  const auto c = split_key_values("a=1:b=2", ':');
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[1].key, "b");
}

}  // namespace
}  // namespace camdump
