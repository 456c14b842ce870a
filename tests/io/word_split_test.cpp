// SPDX-License-Identifier: MIT
// exec: word splitting: blanks, single/double quotes, backslashes, errors.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "io/word_split.hpp"

using camdump::Error;
using camdump::ErrorKind;
using camdump::io::split_words;
using V = std::vector<std::string>;

TEST(WordSplit, BlanksSeparateWords) {
  EXPECT_EQ(split_words("  qemu-system-arm  -M\tvirt -m 512 "), (V{"qemu-system-arm", "-M", "virt", "-m", "512"}));
  EXPECT_EQ(split_words(""), V{});
  EXPECT_EQ(split_words("   "), V{});
}

TEST(WordSplit, SingleQuotesAreLiteral) {
  EXPECT_EQ(split_words("sh -c 'echo \"a  b\" \\n $x'"), (V{"sh", "-c", "echo \"a  b\" \\n $x"}));
  EXPECT_EQ(split_words("''"), V{""});
  EXPECT_EQ(split_words("a'b c'd"), V{"ab cd"});
}

TEST(WordSplit, DoubleQuotesKeepBlanksAndHonourFourEscapes) {
  EXPECT_EQ(split_words(R"(echo "a  b" "q\"q" "back\\slash" "\$x" "\n")"),
            (V{"echo", "a  b", "q\"q", "back\\slash", "$x", "\\n"}));
  EXPECT_EQ(split_words(R"("")"), V{""});
}

TEST(WordSplit, BackslashOutsideQuotesEscapesOneCharacter) {
  EXPECT_EQ(split_words(R"(a\ b c\'d \\)"), (V{"a b", "c'd", "\\"}));
  EXPECT_EQ(split_words("a\\\nb"), V{"ab"});  // line continuation
}

TEST(WordSplit, ShellQuoteRoundTrips) { EXPECT_EQ(split_words("x 'it'\\''s' y"), (V{"x", "it's", "y"})); }

TEST(WordSplit, UnterminatedQuotesAndTrailingBackslashAreUsageErrors) {
  for (const char* bad : {"echo 'abc", "echo \"abc", "echo abc\\", "\"a\\\""}) {
    try {
      split_words(bad);
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Usage) << bad;
      EXPECT_FALSE(e.hint().empty());
    }
  }
}
