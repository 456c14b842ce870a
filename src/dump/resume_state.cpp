// SPDX-License-Identifier: MIT
#include "dump/resume_state.hpp"

#include <fmt/core.h>

#include <span>

#include "core/atomic_file.hpp"
#include "core/crc32.hpp"
#include "core/error.hpp"
#include "core/file_util.hpp"
#include "core/size.hpp"

namespace camdump::dump {
namespace {

constexpr uint64_t kMaxStateFile = 16u << 20;  // far above any real state file; bounds a hostile one

bool valid_key(std::string_view k) {
  if (k.empty() || k.size() > 64) return false;
  for (char c : k)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return false;
  return true;
}

bool valid_value(std::string_view v) { return v.find_first_of("\r\n") == std::string_view::npos; }

uint32_t text_crc(std::string_view t) {
  return crc32(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(t.data()), t.size()));
}

std::string shown(std::string_view line) {
  std::string s;
  for (char c : line.substr(0, 40)) s += (c >= 0x20 && c < 0x7f) ? c : '?';
  return line.size() > 40 ? s + "..." : s;
}

}  // namespace

ResumeState::ResumeState(std::string kind, std::filesystem::path file)
    : kind_(std::move(kind)), file_(std::move(file)) {}

void ResumeState::set(std::string_view key, std::string_view value) {
  if (!valid_key(key) || !valid_value(value) || key == "format" || key == "kind" || key == "check" || find(key))
    fail(ErrorKind::Usage, fmt::format("resume state: bad or repeated key '{}'", shown(key)));
  kv_.emplace_back(key, value);
}

void ResumeState::set_number(std::string_view key, uint64_t value) { set(key, fmt::format("0x{:x}", value)); }

std::string ResumeState::text() const {
  std::string t = fmt::format("format={}\nkind={}\n", kFormat, kind_);
  for (const auto& [k, v] : kv_) t.append(k).append("=").append(v).append("\n");
  return t + fmt::format("check={:08x}\n", text_crc(t));
}

void ResumeState::save(const std::filesystem::path& path) const { write_file_atomic(path, text()); }

void ResumeState::refuse(std::string_view why) const {
  fail(ErrorKind::Corrupt, fmt::format("{}: {}; not trusted", file_.string(), why),
       fmt::format("delete {} (and the partial file it describes) to start over", file_.string()));
}

ResumeState ResumeState::parse(std::string_view text, std::string_view kind, const std::filesystem::path& file) {
  ResumeState st{std::string(kind), file};
  const std::string_view fmt_line = "format=";
  if (!text.starts_with(fmt_line)) st.refuse("not a camdump state file (no format= line)");
  if (text.substr(fmt_line.size(), kFormat.size() + 1) != std::string(kFormat) + "\n")
    st.refuse(fmt::format("format '{}', not '{}'",
                          shown(text.substr(fmt_line.size(), text.find('\n') - fmt_line.size())), kFormat));
  // The check line covers every byte before it: a truncated or edited file is refused as a whole.
  const size_t check_at = text.rfind("\ncheck=");
  if (check_at == std::string_view::npos || !text.ends_with("\n")) st.refuse("truncated (no check line at the end)");
  const std::string_view body = text.substr(0, check_at + 1);
  const std::string_view check = text.substr(check_at + 7, text.size() - check_at - 8);
  const auto want = parse_hex(check);
  if (check.size() != 8 || !want || *want != text_crc(body)) st.refuse("damaged (its check line does not match)");
  size_t pos = 0;
  bool first = true, kind_seen = false;
  while (pos < body.size()) {
    const size_t nl = body.find('\n', pos);
    const std::string_view line = body.substr(pos, nl - pos);
    pos = nl + 1;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) st.refuse(fmt::format("line '{}' is not key=value", shown(line)));
    const std::string_view k = line.substr(0, eq), v = line.substr(eq + 1);
    if (first) {  // the format line, checked above
      first = false;
      continue;
    }
    if (k == "kind") {
      if (kind_seen) st.refuse("two kind= lines");
      kind_seen = true;
      if (v != kind) st.refuse(fmt::format("it describes '{}', not '{}'", shown(v), kind));
      continue;
    }
    if (!valid_key(k) || k == "format" || k == "check" || st.find(k))
      st.refuse(fmt::format("bad or repeated key '{}'", shown(k)));
    st.kv_.emplace_back(k, v);
  }
  if (!kind_seen) st.refuse("no kind= line");
  return st;
}

std::optional<ResumeState> ResumeState::load(const std::filesystem::path& path, std::string_view kind) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  const auto raw = read_file(path, kMaxStateFile + 1);
  if (raw.size() > kMaxStateFile) ResumeState(std::string(kind), path).refuse("too large for a state file");
  return parse(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()), kind, path);
}

std::optional<std::string_view> ResumeState::find(std::string_view key) const {
  for (const auto& [k, v] : kv_)
    if (k == key) return std::string_view(v);
  return std::nullopt;
}

std::string_view ResumeState::get(std::string_view key) const {
  if (auto v = find(key)) return *v;
  refuse(fmt::format("no '{}' line", key));
}

uint64_t ResumeState::number(std::string_view key) const {
  const auto v = get(key);
  if (auto n = parse_number(v)) return *n;
  refuse(fmt::format("'{}={}' is not a number", key, shown(v)));
}

}  // namespace camdump::dump
