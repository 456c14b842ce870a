// SPDX-License-Identifier: MIT
// Shell-style word splitting (POSIX XCU 2.2 Quoting) for exec: ports.
#include "io/word_split.hpp"

#include "core/error.hpp"

namespace camdump::io {

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  auto bad = [&](const char* what) {
    fail(ErrorKind::Usage, std::string("exec: ") + what + " in '" + std::string(text) + "'",
         "quote like a shell: exec:\"qemu-system-arm -M virt ...\" with '...' or \"...\" around words with blanks");
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(cur));
      cur.clear();
      in_word = false;
    } else if (c == '\\') {
      if (i + 1 >= text.size()) bad("trailing backslash");
      ++i;
      if (text[i] != '\n') cur += text[i];  // backslash-newline is a line continuation
      in_word = true;
    } else if (c == '\'') {
      size_t end = text.find('\'', i + 1);
      if (end == std::string_view::npos) bad("unterminated single quote");
      cur.append(text.substr(i + 1, end - i - 1));
      i = end;
      in_word = true;
    } else if (c == '"') {
      size_t j = i + 1;
      for (;; ++j) {
        if (j >= text.size()) bad("unterminated double quote");
        char d = text[j];
        if (d == '"') break;
        if (d == '\\' && j + 1 < text.size() &&
            (text[j + 1] == '"' || text[j + 1] == '\\' || text[j + 1] == '$' || text[j + 1] == '`' ||
             text[j + 1] == '\n')) {
          ++j;
          if (text[j] != '\n') cur += text[j];
        } else {
          cur += d;
        }
      }
      i = j;
      in_word = true;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(cur));
  return words;
}

}  // namespace camdump::io
