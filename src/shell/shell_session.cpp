// SPDX-License-Identifier: MIT
#include "shell/shell_session.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>

#include "io/logging_transport.hpp"

namespace camdump::shell {
namespace {

using Clock = std::chrono::steady_clock;

/// Remove ANSI escape sequences (colour prompts) and CRs.
std::string clean_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\033') {
      // CSI: ESC [ params final-byte (0x40..0x7e); other escapes: skip one byte.
      if (i + 1 < s.size() && s[i + 1] == '[') {
        i += 2;
        while (i < s.size() && !(s[i] >= 0x40 && s[i] <= 0x7e)) ++i;
      } else {
        ++i;
      }
      continue;
    }
    if (c == '\r') continue;
    out.push_back(c);
  }
  return out;
}

std::string last_line(std::string_view tail) {
  std::string c = clean_text(tail);
  auto nl = c.rfind('\n');
  return nl == std::string::npos ? c : c.substr(nl + 1);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

std::string rtrim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

}  // namespace

bool looks_like_prompt(std::string_view tail) {
  std::string l = last_line(tail);
  if (l.empty() || l.size() > 160) return false;
  std::string t = rtrim(l);
  if (t.empty()) return false;
  char end = t.back();
  return end == '#' || end == '$' || end == '>';
}

bool looks_like_login(std::string_view tail) {
  std::string t = rtrim(lower(last_line(tail)));
  return t.size() >= 6 && t.compare(t.size() - 6, 6, "login:") == 0;
}

bool looks_like_password(std::string_view tail) {
  std::string t = rtrim(lower(last_line(tail)));
  return t.size() >= 9 && t.compare(t.size() - 9, 9, "password:") == 0;
}

ShellSession::ShellSession(io::Transport& t, Reporter& rep, const CancelFlag* cancel)
    : t_(t), rep_(rep), cancel_(cancel) {}

bool ShellSession::read_some(std::string& buf, std::chrono::milliseconds timeout) {
  check_cancel(cancel_);
  uint8_t tmp[8192];
  size_t n = t_.read(tmp, timeout);
  buf.append(reinterpret_cast<const char*>(tmp), n);
  return n > 0;
}

void ShellSession::send_line(std::string_view line) {
  std::string s(line);
  s.push_back('\r');  // a terminal's Enter; the tty turns it into '\n' for the shell
  t_.write(s);
}

void ShellSession::attach(const LoginOptions& opt) {
  const auto deadline = Clock::now() + opt.timeout;
  std::string tail;
  int logins = 0, passwords = 0, pokes = 0;
  bool at_prompt = false;
  while (Clock::now() < deadline) {
    bool got = read_some(tail, std::chrono::milliseconds(600));
    if (tail.size() > 2048) tail.erase(0, tail.size() - 2048);
    if (got) continue;  // decide only once the console has gone quiet
    if (looks_like_password(tail)) {
      if (++passwords > 2)
        fail(ErrorKind::Permission, "login failed: the password was refused", "check --user/--password");
      rep_.log(LogLevel::Info, "shell: answering the password prompt");
      std::string pw = opt.password.empty() && opt.ask_password ? opt.ask_password() : opt.password;
      pw.push_back('\r');
      io::write_secret(t_, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(pw.data()), pw.size()),
                       "password");
      std::fill(pw.begin(), pw.end(), '\0');
      tail.clear();
    } else if (looks_like_login(tail)) {
      if (++logins > 2)
        fail(ErrorKind::Permission, "login failed: the login prompt came back", "check --user/--password");
      rep_.log(LogLevel::Info, fmt::format("shell: logging in as {}", opt.user));
      send_line(opt.user);
      tail.clear();
    } else if (looks_like_prompt(tail)) {
      at_prompt = true;
      break;
    } else if (pokes < 3) {
      // Quiet console and no prompt in sight: one Enter, as a person would press it.
      ++pokes;
      t_.write(std::string_view("\r"));
    }
  }
  if (!at_prompt)
    fail(ErrorKind::Timeout, "no shell prompt on the console",
         "check the wiring and baud rate, and that the camera has booted to a shell or login prompt");
  pending_.clear();
  auto probe = run("echo ok", std::chrono::seconds(5));
  if (probe.lines.empty() || probe.lines.back() != "ok")
    fail(ErrorKind::Protocol, "the console answers but does not behave like a POSIX shell");
  auto id = run("id -u", std::chrono::seconds(5));
  if (id.status == 0 && !id.lines.empty() && id.lines.back() != "0")
    fail(ErrorKind::Permission, "the shell is not root (id -u = " + id.lines.back() + ")",
         "log in as root (--user root) or run 'su' first: /dev/mtd* needs root");
  rep_.log(LogLevel::Debug, "shell: attached");
}

int ShellSession::run_stream(std::string_view cmd, const std::function<void(std::string_view)>& on_line,
                             std::chrono::milliseconds idle_timeout) {
  const unsigned n = ++seq_;
  const std::string start = fmt::format("CDS{}", n);
  const std::string end = fmt::format("CDE{}:", n);
  send_line(fmt::format("echo CD''S{}; {}; echo CD''E{}:$?", n, cmd, n));
  std::string buf = std::move(pending_);
  pending_.clear();
  bool started = false;
  size_t pos = 0;
  for (;;) {
    size_t nl;
    while ((nl = buf.find('\n', pos)) != std::string::npos) {
      std::string_view raw(buf.data() + pos, nl - pos);
      pos = nl + 1;
      std::string line;
      line.reserve(raw.size());
      for (char c : raw)
        if (c != '\r') line.push_back(c);
      if (!started) {
        if (line == start) started = true;
        continue;
      }
      if (line.compare(0, end.size(), end) == 0) {
        pending_ = buf.substr(pos);
        return std::atoi(line.c_str() + end.size());
      }
      on_line(line);
    }
    buf.erase(0, pos);
    pos = 0;
    if (!read_some(buf, idle_timeout))
      fail(ErrorKind::Timeout, fmt::format("the shell stopped answering during '{}'", cmd),
           "the camera may have rebooted or the command hung; check the console");
  }
}

CommandResult ShellSession::run(std::string_view cmd, std::chrono::milliseconds timeout) {
  CommandResult r;
  r.status = run_stream(
      cmd, [&](std::string_view l) { r.lines.emplace_back(l); }, timeout);
  return r;
}

bool ShellSession::has_command(std::string_view name) {
  return run(fmt::format("command -v {} >/dev/null 2>&1 || which {} >/dev/null 2>&1", name, name)).status == 0;
}

}  // namespace camdump::shell
