// SPDX-License-Identifier: MIT
// The stub loader of `restore uart` (see restore_loader.hpp): the binary stub's receive mode where
// it can run, YMODEM to loady otherwise.
#include <fmt/core.h>

#include "core/size.hpp"
#include "dump/restore_loader.hpp"
#include "dump/stub_reader.hpp"
#include "uboot/soc_table.hpp"
#include "uboot/stub_upload.hpp"

namespace camdump::dump {

StubRestoreLoader::StubRestoreLoader(bool required, std::optional<std::string> soc)
    : required_(required), soc_(std::move(soc)) {}

StubRestoreLoader::~StubRestoreLoader() = default;

void StubRestoreLoader::prepare(uboot::UbootSession& s) {
  if (!chosen_) {
    chosen_ = true;
    auto c = choose_uart_method(s, required_ ? UartMethod::Stub : UartMethod::Auto, soc_);
    reason = c.reason;
    if (c.stub) {
      stub_ = std::make_unique<uboot::StubLoader>(s, *c.soc);
      // As `dump uart --fast-baud auto`: the fastest rate the SoC makes exactly and the adapter
      // accepts (tcp:/exec: accept none and stay at U-Boot's rate), proven by the stub's sync.
      stub_->set_rates({std::begin(uboot::kFastRates), std::end(uboot::kFastRates)});
    }
    s.reporter().log(LogLevel::Info, "restore uart: " + (c.stub ? reason : reason + "; using loady"));
  }
  if (stub_) stub_->forget_upload();  // after a (re)attach RAM may have been lost
  ymodem_.prepare(s);
}

void StubRestoreLoader::load(uboot::UbootSession& s, uint64_t ram, uint64_t flash_off, std::span<const uint8_t> data) {
  if (stub_) {
    auto r = uboot::stub_upload(*stub_, ram, data);
    wire_chars += r.wire_chars;
    if (r.ok) {
      payload += data.size();
      stub_bytes += data.size();
      return;
    }
    ++fallbacks;
    s.reporter().log(LogLevel::Warn, fmt::format("stub: {}+{} not delivered ({}); sending it by loady", hex(flash_off),
                                                 hex(data.size()), r.failure));
  }
  const uint64_t w0 = ymodem_.wire_chars;
  ymodem_.load(s, ram, flash_off, data);
  wire_chars += ymodem_.wire_chars - w0;
  payload += data.size();
}

}  // namespace camdump::dump
