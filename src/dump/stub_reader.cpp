// SPDX-License-Identifier: MIT
// Method choice and the stub-backed chunk reader of the UART dump (see stub_reader.hpp).
#include "dump/stub_reader.hpp"

#include <fmt/format.h>

#include "core/size.hpp"

namespace camdump::dump {

std::optional<UartMethod> parse_uart_method(std::string_view text) {
  if (text == "auto") return UartMethod::Auto;
  if (text == "stub") return UartMethod::Stub;
  if (text == "md") return UartMethod::Md;
  return std::nullopt;
}

std::optional<FastBaud> parse_fast_baud(std::string_view text) {
  if (text == "auto") return FastBaud{FastBaud::Mode::Auto, 0};
  if (text == "off") return FastBaud{FastBaud::Mode::Off, 0};
  auto v = parse_number(text);
  if (!v || *v < 1200 || *v > 4000000) return std::nullopt;
  return FastBaud{FastBaud::Mode::Rate, static_cast<uint32_t>(*v)};
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
      fail(ErrorKind::Usage, "unknown --soc " + *soc_name,
           "known: " + names + " (Ingenic: add :uartN for another UART the SoC has, e.g. t31:uart0, t41:uart4)");
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
                         c.soc->qemu_verified ? ""
                         : c.soc->sources_checked ? "; UART address checked against the vendor's sources, untested on hardware"
                                                  : "; UART address not verified on this SoC yet");
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
    // Frames kept failing at a fast rate: the same chunk again one rate step lower.
    while (!data && loader_.failed_at_fast_rate() && loader_.step_down(loader_.last_failure()))
      data = loader_.read(ram, len);
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
                               uboot::StubLoaderOptions opt, FastBaud fast)
    : s_(s), method_(method), soc_(std::move(soc)), opt_(opt), fast_(fast) {}

std::optional<std::vector<uint8_t>> UartMethodHook::read(uint64_t ram, uint64_t len) {
  if (!decided_) {
    choice_ = choose_uart_method(s_, method_, soc_);
    decided_ = true;
    s_.reporter().log(LogLevel::Info, "method: " + choice_.reason);
    if (choice_.stub) {
      // ARM: the stub runs anywhere; put it 1 MiB into the board's RAM, below the staging buffer
      // (dram_start + 6 MiB by default) and far below U-Boot at the top of RAM.
      auto o = opt_;
      if (!o.load_addr && choice_.soc->arch == uboot::CpuArch::Armv7 && s_.device_info().dram_start)
        o.load_addr = static_cast<uint32_t>(*s_.device_info().dram_start + 0x100000);
      reader_ = std::make_unique<StubChunkReader>(s_, *choice_.soc, o);
      std::vector<uint32_t> ladder;
      const auto cur = s_.transport().baud();
      if (fast_.mode == FastBaud::Mode::Auto) ladder.assign(std::begin(uboot::kFastRates), std::end(uboot::kFastRates));
      if (fast_.mode == FastBaud::Mode::Rate && cur != fast_.rate) {  // U-Boot did not switch: the stub does
        ladder.push_back(fast_.rate);
        for (uint32_t r : uboot::kFastRates)
          if (r < fast_.rate) ladder.push_back(r);
      }
      reader_->loader().set_rates(ladder);
    }
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
  std::string rates;
  for (auto it = reader_->loader().rate_bytes().rbegin(); it != reader_->loader().rate_bytes().rend(); ++it)
    rates += fmt::format("{}{} at {} baud", rates.empty() ? "" : ", ", format_size(it->second), it->first);
  if (!rates.empty()) s += " (" + rates + ")";
  if (reader_->disabled()) s += "; then md (" + reader_->disabled_reason() + ")";
  return s;
}

std::string UartMethodHook::method_name() const { return reader_ && reader_->bytes() ? "stub" : "md"; }

std::map<uint32_t, uint64_t> UartMethodHook::stub_rate_bytes() const {
  return reader_ ? reader_->loader().rate_bytes() : std::map<uint32_t, uint64_t>{};
}

std::string UartMethodHook::rate_note() const {
  std::string s;
  if (reader_)
    for (const auto& n : reader_->loader().rate_notes()) s += (s.empty() ? "" : "; ") + n;
  return s;
}

std::function<std::optional<std::vector<uint8_t>>(uint64_t, uint64_t)> UartMethodHook::hook(
    std::shared_ptr<UartMethodHook> h) {
  return [h](uint64_t ram, uint64_t len) { return h->read(ram, len); };
}

}  // namespace camdump::dump
