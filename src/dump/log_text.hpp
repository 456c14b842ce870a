// SPDX-License-Identifier: MIT
// Cleaning up one line of a terminal log before it is parsed again: what terminal loggers and
// serial consoles add around the device's own text (ANSI escapes, control bytes, timestamps).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace camdump::dump {

/// Length of a logger timestamp prefix ("[anything] ", "2026-01-01 12:00:00.123 ",
/// "12:00:00.123 ", "12:00:00 ") including the blanks after it; 0 when there is none.
size_t timestamp_prefix(std::string_view s);

/// True when `s` holds a control byte other than tab (ESC, CR, BS, DEL, ...).
bool has_controls(std::string_view s);

/// Copy `s` to `out` without ANSI escape sequences (CSI, OSC, two-byte ESC x) and other control
/// bytes (tab is kept).
void strip_controls(std::string_view s, std::string& out);

}  // namespace camdump::dump
