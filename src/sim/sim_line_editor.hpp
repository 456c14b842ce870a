// SPDX-License-Identifier: MIT
// Internal to the virtual camera: the prompt's line editor, U-Boot's cread_line/readline_into_buffer
// as far as a host tool sees it: printable keys are echoed and stored up to CONFIG_SYS_CBSIZE
// (then BEL), backspace/DEL erase with "\b \b", Ctrl-C abandons the line, CR or LF ends it.
// Tab completion and history keys are not modelled.
#pragma once
#include <string>

namespace camdump::sim {

class LineEditor {
 public:
  enum class Event { None, Interrupt, Enter };
  /// Feeds one key; appends what the console echoes for it to `echo`. On Enter, take() the line.
  Event key(unsigned char c, std::string& echo);
  /// The line typed so far, and the editor empty again.
  std::string take();
  void clear() { line_.clear(); }

 private:
  std::string line_;
};

}  // namespace camdump::sim
