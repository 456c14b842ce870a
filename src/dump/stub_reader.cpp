// SPDX-License-Identifier: MIT
// Method choice and the stub-backed chunk reader of the UART dump (see stub_reader.hpp).
#include "dump/stub_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "core/crc32.hpp"
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
  c.reason =
      fmt::format("binary stub: {} ({}){}", c.soc->description, soc_why,
                  c.soc->qemu_verified     ? ""
                  : c.soc->sources_checked ? "; UART address checked against the vendor's sources, untested on hardware"
                                           : "; UART address not verified on this SoC yet");
  return c;
}

StubChunkReader::StubChunkReader(uboot::UbootSession& s, const uboot::SocEntry& soc, uboot::StubLoaderOptions opt)
    : s_(s), soc_(soc), opt_(opt), frame_(opt.frame_size) {
  loaders_.push_back(std::make_unique<uboot::StubLoader>(s_, soc_, opt_));
  loader_ = loaders_.back().get();
}

void StubChunkReader::set_rates(const std::vector<uint32_t>& ladder) {
  ladder_ = ladder;
  loader_->set_rates(ladder);
}

void StubChunkReader::sum_stats() {
  stats_ = {};
  for (const auto& l : loaders_) {
    const auto& t = l->stats();
    stats_.runs += t.runs;
    stats_.frames += t.frames;
    stats_.blank_frames += t.blank_frames;
    stats_.resent_frames += t.resent_frames;
    stats_.bad_packets += t.bad_packets;
    stats_.junk_bytes += t.junk_bytes;
    stats_.upload_words += t.upload_words;
    stats_.rate_fallbacks += t.rate_fallbacks;
    stats_.step_downs += t.step_downs;
  }
}

std::map<uint32_t, uint64_t> StubChunkReader::rate_bytes() const {
  std::map<uint32_t, uint64_t> m;
  for (const auto& l : loaders_)
    for (const auto& [rate, n] : l->rate_bytes()) m[rate] += n;
  return m;
}

std::vector<std::string> StubChunkReader::notes() const {
  std::vector<std::string> all;
  auto add = [&](const std::string& n) {
    if (std::find(all.begin(), all.end(), n) == all.end()) all.push_back(n);
  };
  size_t own = 0;
  for (size_t i = 0; i < loaders_.size(); ++i) {
    for (const auto& n : loaders_[i]->rate_notes()) add(n);
    if (own < own_notes_.size() && i + 1 < loaders_.size()) add(own_notes_[own++]);
  }
  for (; own < own_notes_.size(); ++own) add(own_notes_[own]);
  return all;
}

// The rates still in use carry over (the new loader asks the adapter again, which costs nothing on
// the wire); the stub on the device gets the new frame_size word with one mw.l, checked by crc32,
// so upload() finds it in place. If that check fails, upload() writes the whole stub again.
void StubChunkReader::use_frames(uint32_t size, const std::string& why) {
  const auto next = loader_->next_rate();
  std::vector<uint32_t> rest;
  if (next)
    for (uint32_t r : ladder_)
      if (r <= *next) rest.push_back(r);
  auto o = opt_;
  o.frame_size = size;
  auto fresh = std::make_unique<uboot::StubLoader>(s_, soc_, o);
  fresh->set_rates(rest);
  const auto& was = loader_->image();
  const auto& now = fresh->image();
  const uint32_t want = crc32(now);
  for (int attempt = 0; attempt < 3 && was.size() == now.size(); ++attempt) {
    for (size_t off = 0; off + 4 <= now.size(); off += 4) {
      if (std::memcmp(was.data() + off, now.data() + off, 4) == 0) continue;
      uint32_t w;
      std::memcpy(&w, now.data() + off, 4);  // both targets are little-endian, like the host
      s_.run(fmt::format("mw.l {:x} {:08x}", fresh->load_addr() + off, w));
    }
    if (s_.crc32(fresh->load_addr(), now.size()) == want) break;
  }
  const std::string n = fmt::format("{}: frames of {} bytes from here on (were {})", why, size, frame_);
  own_notes_.push_back(n);
  s_.reporter().log(LogLevel::Info, "stub frames: " + n);
  frame_ = size;
  loaders_.push_back(std::move(fresh));
  loader_ = loaders_.back().get();
}

void StubChunkReader::disable(const std::string& why) {
  disabled_ = true;
  reason_ = why;
  s_.reporter().log(LogLevel::Warn, "binary stub: " + why + "; reading the rest with md");
}

std::optional<std::vector<uint8_t>> StubChunkReader::read(uint64_t ram, uint64_t len) {
  if (disabled_) return std::nullopt;
  try {
    for (;;) {
      const uint64_t resent0 = loader_->stats().resent_frames, frames0 = loader_->stats().frames;
      auto data = loader_->read(ram, len);
      const uint64_t resent = loader_->stats().resent_frames - resent0;
      const uint64_t frames = loader_->stats().frames - frames0;
      sum_stats();
      if (data) {
        bytes_ += data->size();
        // It arrived, but only after more re-sent frames than frames: smaller ones from now on.
        if (resent > frames && frame_ > kMinFrame)
          use_frames(std::max(kMinFrame, frame_ / 4), fmt::format("{} frames re-sent for {}", resent, frames));
        return data;
      }
      const std::string why = loader_->last_failure();
      if (resent && frame_ > kMinFrame) {  // frames kept failing: smaller ones, same rate
        use_frames(std::max(kMinFrame, frame_ / 4), why);
        continue;
      }
      // Small frames fail too at a fast rate: one rate step lower, with the first frame size.
      if (loader_->failed_at_fast_rate() && loader_->step_down(why)) {
        if (frame_ != opt_.frame_size) use_frames(opt_.frame_size, "new rate");
        continue;
      }
      disable(why);
      return std::nullopt;
    }
  } catch (const uboot::ConsoleLost&) {
    loader_->forget_upload();
    sum_stats();
    throw;  // the dump re-attaches and re-stages; RAM (and the stub) is gone after a reset
  } catch (const Error& e) {
    sum_stats();
    if (e.kind() == ErrorKind::Cancelled) throw;
    disable(e.what());
    return std::nullopt;
  }
}

std::function<std::optional<std::vector<uint8_t>>(uint64_t, uint64_t)> StubChunkReader::hook(
    std::shared_ptr<StubChunkReader> r) {
  return [r = std::move(r)](uint64_t ram, uint64_t len) { return r->read(ram, len); };
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
      reader_->set_rates(ladder);
    }
  }
  if (!reader_) return std::nullopt;
  return reader_->read(ram, len);
}

std::string UartMethodHook::summary() const {
  if (method_ == UartMethod::Md) return "md (--method md)";
  if (!decided_) return "md (every chunk was blank: nothing to transfer)";
  if (!reader_) return choice_.reason;
  std::string s =
      fmt::format("binary stub on {}: {} bytes through the stub in {} runs, {} frames re-sent", choice_.soc->name,
                  reader_->bytes(), reader_->stats().runs, reader_->stats().resent_frames);
  std::string rates;
  const auto by_rate = reader_->rate_bytes();
  for (auto it = by_rate.rbegin(); it != by_rate.rend(); ++it)
    rates += fmt::format("{}{} at {}", rates.empty() ? "" : ", ", format_size(it->second),
                         // 0: a port that carries no line rate (tcp:, exec:): the stub kept the console's.
                         it->first ? fmt::format("{} baud", it->first) : std::string("the console's rate"));
  if (!rates.empty()) s += " (" + rates + ")";
  if (reader_->frame_size() != opt_.frame_size)
    s += fmt::format("; frames of {} bytes on the noisy line", reader_->frame_size());
  if (reader_->disabled()) s += "; then md (" + reader_->disabled_reason() + ")";
  return s;
}

std::string UartMethodHook::method_name() const { return reader_ && reader_->bytes() ? "stub" : "md"; }

std::map<uint32_t, uint64_t> UartMethodHook::stub_rate_bytes() const {
  return reader_ ? reader_->rate_bytes() : std::map<uint32_t, uint64_t>{};
}

std::string UartMethodHook::rate_note() const {
  std::string s;
  if (reader_)
    for (const auto& n : reader_->notes()) s += (s.empty() ? "" : "; ") + n;
  return s;
}

std::function<std::optional<std::vector<uint8_t>>(uint64_t, uint64_t)> UartMethodHook::hook(
    std::shared_ptr<UartMethodHook> h) {
  return [h = std::move(h)](uint64_t ram, uint64_t len) { return h->read(ram, len); };
}

}  // namespace camdump::dump
