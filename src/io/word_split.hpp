// SPDX-License-Identifier: MIT
// Splits the COMMAND part of `exec:COMMAND ARGS...` into words the way a POSIX shell does for
// quoting only: blanks separate words, '...' is literal, "..." keeps blanks and honours \" \\ \$ \`,
// and a backslash outside quotes escapes the next character. No variables, globs or operators.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace camdump::io {

/// Throws Error(Usage) for an unterminated quote or a trailing backslash.
std::vector<std::string> split_words(std::string_view text);

}  // namespace camdump::io
