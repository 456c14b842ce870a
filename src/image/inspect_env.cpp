// SPDX-License-Identifier: MIT
// U-Boot environment blocks (include/env_internal.h, tools/mkenvimage.c; docs/reference/image-formats.md#env):
// u32 CRC-32 over data[ENV_SIZE] (LE on Ingenic), a flags byte only for redundant envs, then
// NUL-separated name=value pairs ending in an empty string; the padding is covered by the CRC.
#include <algorithm>
#include <cctype>

#include "core/crc32.hpp"
#include "image/inspect_checks.hpp"
#include "image/inspect_util.hpp"

namespace camdump::image {

const std::string* EnvBlock::get(std::string_view key) const {
  for (const auto& [k, v] : vars)
    if (k == key) return &v;
  return nullptr;
}

// Secrets are found by the names people give them (vendor firmware: wifi_pw, wpa_psk, sshpw,
// wlanpass, pincode, auth_token ...). "pin" counts only at the start of a word part, so spinand,
// mapping and stopping stay readable; "pw" does not count in pwm (the PWM driver's settings).
bool is_secret_key(std::string_view key) {
  std::string k(key);
  for (char& c : k) c = char(std::tolower(static_cast<unsigned char>(c)));
  for (const char* w : {"pass", "psk", "wpa", "secret", "key", "token", "auth", "cred"})
    if (k.find(w) != std::string::npos) return true;
  for (size_t i = k.find("pw"); i != std::string::npos; i = k.find("pw", i + 1))
    if (k.compare(i, 3, "pwm") != 0) return true;
  for (size_t i = k.find("pin"); i != std::string::npos; i = k.find("pin", i + 1))
    if (i == 0 || !std::isalpha(static_cast<unsigned char>(k[i - 1]))) return true;
  return false;
}

namespace {

constexpr std::string_view kMask = "********";

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'; }
bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// End of a value starting at i: a quoted string up to its closing quote, else up to white space
// or ';' (U-Boot's hush and the kernel command line both end a word there).
size_t value_end(const std::string& v, size_t i) {
  if (i < v.size() && (v[i] == '\'' || v[i] == '"')) {
    size_t q = v.find(v[i], i + 1);
    return q == std::string::npos ? v.size() : q + 1;
  }
  while (i < v.size() && !space(v[i]) && v[i] != ';') ++i;
  return i;
}

// `NAME=VALUE` anywhere (bootargs "... wifi_pw=X", a script's "wlanpass=Y").
void mask_assignments(std::string& v) {
  for (size_t eq = v.find('='); eq != std::string::npos; eq = v.find('=', eq + 1)) {
    size_t b = eq;
    while (b > 0 && name_char(v[b - 1])) --b;
    if (b == eq || !is_secret_key(std::string_view(v).substr(b, eq - b))) continue;
    const size_t e = value_end(v, eq + 1);
    if (e == eq + 1) continue;
    v.replace(eq + 1, e - eq - 1, kMask);
    eq += kMask.size();
  }
}

// `setenv NAME VALUE...` / `env set NAME VALUE...` / `fw_setenv NAME VALUE...`: the rest of the
// command (up to ';' or the end) is the value.
void mask_setenv(std::string& v) {
  for (std::string_view cmd : {"setenv", "env set", "fw_setenv"}) {
    for (size_t at = v.find(cmd); at != std::string::npos; at = v.find(cmd, at + 1)) {
      if (at > 0 && name_char(v[at - 1])) continue;
      size_t i = at + cmd.size();
      if (i >= v.size() || !space(v[i])) continue;
      while (i < v.size() && space(v[i])) ++i;
      size_t n = i;
      while (n < v.size() && name_char(v[n])) ++n;
      if (n == i || !is_secret_key(std::string_view(v).substr(i, n - i))) continue;
      size_t b = n;
      while (b < v.size() && space(v[b])) ++b;
      size_t e = b;
      while (e < v.size() && v[e] != ';') e = (v[e] == '\'' || v[e] == '"') ? value_end(v, e) : e + 1;
      while (e > b && space(v[e - 1])) --e;
      if (e > b) v.replace(b, e - b, kMask);
    }
  }
}

}  // namespace

void mask_secrets(std::string_view key, std::string& value) {
  if (value.empty()) return;
  if (is_secret_key(key)) {
    value = kMask;
    return;
  }
  mask_assignments(value);
  mask_setenv(value);
}

namespace detail {
namespace {

// Sizes U-Boot configs use (CONFIG_ENV_SIZE), smallest first for incremental CRCs.
constexpr uint64_t kSizes[] = {0x1000, 0x2000, 0x4000, 0x8000, 0x10000, 0x20000, 0x40000};
// Known locations: uboot-ingenic 0x40000, Thingino current 0x50000, OpenIPC/others.
constexpr uint64_t kKnownOffsets[] = {0x40000, 0x50000, 0x30000, 0x3c000, 0x48000, 0x60000, 0x80000};

bool key_char(uint8_t c) { return c > 0x20 && c < 0x7f && c != '='; }

// Parse "k=v\0k=v\0\0" starting at p (at most n bytes); returns the number of pairs that look
// like an environment (0 when it does not), filling `vars` when non-null.
size_t parse_vars(const uint8_t* p, size_t n, std::vector<std::pair<std::string, std::string>>* vars) {
  size_t i = 0, count = 0;
  while (i < n && p[i] != 0) {
    size_t k = i;
    while (k < n && key_char(p[k])) ++k;
    if (k == i || k >= n || p[k] != '=') return 0;
    size_t v = k + 1, e = v;
    while (e < n && p[e] != 0) {
      if (p[e] < 0x20 && p[e] != '\t' && p[e] != '\n' && p[e] != '\r') return 0;
      ++e;
    }
    if (e >= n) return 0;
    if (vars) vars->emplace_back(std::string(p + i, p + k), std::string(p + v, p + e));
    ++count;
    i = e + 1;
  }
  return i < n ? count : 0;
}

bool plausible(const uint8_t* p, size_t n) {
  // Cheap pre-check on the first pairs only.
  return n > 8 && key_char(p[0]) && parse_vars(p, std::min<size_t>(n, 4096), nullptr) >= 1;
}

EnvBlock make_block(std::span<const uint8_t> img, uint64_t off, uint64_t size, bool redundant, bool crc_ok,
                    bool show_secrets) {
  EnvBlock b;
  b.offset = off;
  b.size = size;
  b.redundant = redundant;
  b.flags = redundant ? img[off + 4] : 0;
  b.crc_ok = crc_ok;
  const size_t hdr = redundant ? 5 : 4;
  parse_vars(img.data() + off + hdr, size_t(size - hdr), &b.vars);
  if (b.vars.empty()) {  // a bad CRC and damage inside the list: keep what parses, pair by pair
    const uint8_t* p = img.data() + off + hdr;
    size_t n = size_t(size - hdr), i = 0;
    while (i < n && p[i] != 0) {
      size_t e = i;
      while (e < n && p[e] != 0) ++e;
      std::string kv(p + i, p + e);
      size_t eq = kv.find('=');
      if (eq != std::string::npos) b.vars.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
      i = e + 1;
    }
  }
  if (!show_secrets)
    for (auto& [k, v] : b.vars) mask_secrets(k, v);
  return b;
}

}  // namespace

std::optional<EnvBlock> parse_env_at(std::span<const uint8_t> img, uint64_t off, uint64_t max_size, bool show_secrets) {
  if (off + 16 > img.size()) return std::nullopt;
  max_size = std::min<uint64_t>(max_size, img.size() - off);
  const uint8_t* b = img.data() + off;
  const uint32_t stored_le = rd_le32(b), stored_be = rd_be32(b);
  for (bool redundant : {false, true}) {
    const size_t hdr = redundant ? 5 : 4;
    if (!plausible(b + hdr, size_t(max_size - hdr))) continue;
    uint32_t crc = 0;
    uint64_t done = hdr;
    for (uint64_t size : kSizes) {
      if (size > max_size) break;
      crc = crc32(img.subspan(size_t(off + done), size_t(size - done)), crc);
      done = size;
      if (crc == stored_le || crc == stored_be) return make_block(img, off, size, redundant, true, show_secrets);
    }
    // Plausible text but no size matched: a damaged env. Guess the usual 64 KiB (or less).
    uint64_t guess = 0x1000;
    for (uint64_t size : kSizes)
      if (size <= max_size && size <= 0x10000) guess = size;
    return make_block(img, off, guess, redundant, false, show_secrets);
  }
  return std::nullopt;
}

std::vector<EnvBlock> find_envs(std::span<const uint8_t> img, bool show_secrets) {
  std::vector<EnvBlock> out;
  auto covered = [&](uint64_t off) {
    return std::any_of(out.begin(), out.end(),
                       [&](const EnvBlock& e) { return off >= e.offset && off < e.offset + e.size; });
  };
  for (uint64_t off : kKnownOffsets)
    if (!covered(off))
      if (auto e = parse_env_at(img, off, 0x40000, show_secrets)) out.push_back(std::move(*e));
  for (uint64_t off = 0x1000; off + 0x1000 <= img.size(); off += 0x1000) {
    const uint8_t* p = img.data() + off;
    if (!key_char(p[4]) && !key_char(p[5])) continue;  // fast reject
    if (covered(off)) continue;
    auto e = parse_env_at(img, off, 0x40000, show_secrets);
    if (e && e->crc_ok) out.push_back(std::move(*e));
  }
  std::sort(out.begin(), out.end(), [](const EnvBlock& a, const EnvBlock& b) { return a.offset < b.offset; });
  return out;
}

}  // namespace detail
}  // namespace camdump::image
