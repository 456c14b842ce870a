// SPDX-License-Identifier: MIT
// Method choice and the stub-backed chunk reader of the UART dump (see stub_reader.hpp).
#include "dump/stub_reader.hpp"

#include <fmt/format.h>

namespace camdump::dump {

std::optional<UartMethod> parse_uart_method(std::string_view text) {
  if (text == "auto") return UartMethod::Auto;
  if (text == "stub") return UartMethod::Stub;
  if (text == "md") return UartMethod::Md;
  return std::nullopt;
}

MethodChoice choose_uart_method(uboot::UbootSession& s, UartMethod method, const std::optional<std::string>& soc_name) {
  MethodChoice c;
  if (method == UartMethod::Md) {
    c.reason = "md (--method md)";
    return c;
  }
  auto no = [&](const std::string& why) {
    if (method == UartMethod::Stub)
      fail(ErrorKind::Unsupported, "cannot use the binary stub: " + why, "use --method md (or auto)");
    c.reason = "md: " + why;
    return c;
  };
  std::string soc_why;
  if (soc_name) {
    c.soc = uboot::find_soc(*soc_name);
    if (!c.soc) {
      std::string names;
      for (const auto& e : uboot::soc_table()) names += std::string(names.empty() ? "" : ", ") + e.name;
      fail(ErrorKind::Usage, "unknown --soc " + *soc_name, "known: " + names + " (Ingenic: add :uart0/:uart1/:uart2)");
    }
    soc_why = "--soc " + *soc_name;
  } else {
    auto g = uboot::detect_soc(s.device_info());
    if (!g.soc) return no(g.reason);
    c.soc = g.soc;
    soc_why = g.reason;
  }
  if (auto why = uboot::StubLoader::unusable_reason(s.transport(), *c.soc)) return no(*why);
  for (const char* cmd : {"go", "mw", "crc32"})
    if (!s.has_command(cmd)) return no(fmt::format("U-Boot has no `{}` command", cmd));
  c.stub = true;
  c.reason = fmt::format("binary stub: {} ({}){}", c.soc->description, soc_why,
                         c.soc->qemu_verified ? "" : "; UART address not verified on this SoC yet");
  return c;
}

StubChunkReader::StubChunkReader(uboot::UbootSession& s, const uboot::SocEntry& soc, uboot::StubLoaderOptions opt)
    : s_(s), loader_(s, soc, opt) {}

void StubChunkReader::disable(const std::string& why) {
  disabled_ = true;
  reason_ = why;
  s_.reporter().log(LogLevel::Warn, "binary stub: " + why + "; reading the rest with md");
}

std::optional<std::vector<uint8_t>> StubChunkReader::read(uint64_t ram, uint64_t len) {
  if (disabled_) return std::nullopt;
  try {
    auto data = loader_.read(ram, len);
    if (!data) {
      disable(loader_.last_failure());
      return std::nullopt;
    }
    bytes_ += data->size();
    return data;
  } catch (const uboot::ConsoleLost&) {
    loader_.forget_upload();
    throw;  // the dump re-attaches and re-stages; RAM (and the stub) is gone after a reset
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Cancelled) throw;
    disable(e.what());
    return std::nullopt;
  }
}

std::function<std::optional<std::vector<uint8_t>>(uint64_t, uint64_t)> StubChunkReader::hook(
    std::shared_ptr<StubChunkReader> r) {
  return [r](uint64_t ram, uint64_t len) { return r->read(ram, len); };
}

UartMethodHook::UartMethodHook(uboot::UbootSession& s, UartMethod method, std::optional<std::string> soc,
                               uboot::StubLoaderOptions opt)
    : s_(s), method_(method), soc_(std::move(soc)), opt_(opt) {}

std::optional<std::vector<uint8_t>> UartMethodHook::read(uint64_t ram, uint64_t len) {
  if (!decided_) {
    choice_ = choose_uart_method(s_, method_, soc_);
    decided_ = true;
    s_.reporter().log(LogLevel::Info, "method: " + choice_.reason);
    if (choice_.stub) reader_ = std::make_unique<StubChunkReader>(s_, *choice_.soc, opt_);
  }
  if (!reader_) return std::nullopt;
  return reader_->read(ram, len);
}

std::string UartMethodHook::summary() const {
  if (method_ == UartMethod::Md) return "md (--method md)";
  if (!decided_) return "md (every chunk was blank: nothing to transfer)";
  if (!reader_) return choice_.reason;
  std::string s = fmt::format("binary stub on {}: {} bytes through the stub in {} runs, {} frames re-sent",
                              choice_.soc->name, reader_->bytes(), reader_->stats().runs,
                              reader_->stats().resent_frames);
  if (reader_->disabled()) s += "; then md (" + reader_->disabled_reason() + ")";
  return s;
}

std::function<std::optional<std::vector<uint8_t>>(uint64_t, uint64_t)> UartMethodHook::hook(
    std::shared_ptr<UartMethodHook> h) {
  return [h](uint64_t ram, uint64_t len) { return h->read(ram, len); };
}

}  // namespace camdump::dump
