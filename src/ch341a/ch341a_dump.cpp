// SPDX-License-Identifier: MIT
#include "ch341a/ch341a_dump.hpp"

#include <fmt/core.h>

#include <chrono>

#include "ch341a/libusb_transport.hpp"
#include "ch341a/sim_spec.hpp"
#include "ch341a/sim_transport.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/size.hpp"
#include "spi/flash_source.hpp"

namespace camdump::ch341a {

std::unique_ptr<Ch341aSession> Ch341aSession::open(const OpenOptions& o) {
  std::unique_ptr<Ch341aSession> s(new Ch341aSession);
  if (!o.sim.empty()) {
    auto t = std::make_unique<SimTransport>(make_emulator(parse_sim_spec(o.sim)));
    s->emu_ = &t->emulator().stats();
    s->usb_ = std::move(t);
  } else {
    std::optional<DeviceAddress> where;
    if (!o.device.empty()) where = parse_device_address(o.device);
    s->usb_ = LibusbTransport::open(where);
  }
  s->describe_ = s->usb_->describe();
  s->master_ = std::make_unique<Ch341aMaster>(*s->usb_, o.in_flight);
  s->master_->init();
  return s;
}

Ch341aSession::~Ch341aSession() { master_.reset(); }

spi::ProbeResult probe_ch341a(Ch341aSession& s, const std::string& chip_name) {
  const spi::ChipInfo* forced = nullptr;
  if (!chip_name.empty()) {
    forced = spi::find_chip_by_name(chip_name);
    if (!forced)
      fail(ErrorKind::Usage, fmt::format("--chip {}: not a part camdump knows", chip_name),
           "leave --chip out to identify the chip by its ID, or give --size for an unknown NOR part");
  }
  return spi::probe_chip(s.master(), forced);
}

std::string format_ranges(const std::vector<spi::ByteRange>& r, size_t max) {
  std::string s;
  for (size_t i = 0; i < r.size() && i < max; ++i)
    s += fmt::format("{}{}-{}", i ? ", " : "", hex(r[i].begin), hex(r[i].end - 1));
  if (r.size() > max) s += fmt::format(" and {} more", r.size() - max);
  return s;
}

DumpSummary dump_ch341a(Ch341aSession& s, const DumpOptions& o, Reporter& rep, const CancelFlag* cancel) {
  auto t0 = std::chrono::steady_clock::now();
  DumpSummary sum;
  sum.probe = probe_ch341a(s, o.chip);
  for (const auto& w : sum.probe.warnings) rep.log(LogLevel::Warn, w);
  if (o.size) sum.probe.size = o.size;
  rep.log(LogLevel::Info, fmt::format("{}: {} {} ({}, ID {})", s.describe(), sum.probe.vendor,
                                      sum.probe.name, format_size(sum.probe.size), spi::id_string(sum.probe.id)));

  std::unique_ptr<spi::SpiNor> nor;
  std::unique_ptr<spi::SpiNand> nand;
  std::unique_ptr<spi::FlashSource> src;
  spi::NandSource* nand_view = nullptr;
  if (sum.probe.kind == spi::ChipKind::Nand) {
    nand = std::make_unique<spi::SpiNand>(s.master(), *sum.probe.chip);
    nand->init();
    auto ns = std::make_unique<spi::NandSource>(*nand, o.nand_oob);
    nand_view = ns.get();
    src = std::move(ns);
  } else {
    nor = std::make_unique<spi::SpiNor>(s.master(), sum.probe.size, sum.probe.flags);
    src = std::make_unique<spi::NorSource>(*nor);
  }
  sum.image_size = src->size();
  if (o.offset >= sum.image_size)
    fail(ErrorKind::Usage, fmt::format("--offset {} is past the end of the chip ({})", hex(o.offset),
                                       format_size(sum.image_size)));

  spi::VerifyOptions vo;
  vo.reads = o.reads;
  vo.offset = o.offset;
  vo.length = o.length;
  AtomicFile out(o.out, AtomicFile::Open::Truncate, AtomicFile::OnAbandon::Keep);
  spi::ReadProgress prog;
  auto wire = [&] { auto b = s.master().stats(); return b.bytes_in + b.bytes_out; };
  const uint64_t end = o.length ? std::min(sum.image_size, o.offset + o.length) : sum.image_size;
  try {
    sum.verify = spi::verified_read(*src, out, vo, rep, cancel, prog, wire);
  } catch (const Error& e) {
    uint64_t have = prog.first_pass_done;
    std::string note = have ? fmt::format("; partial output kept as {}: {} bytes at offset {} read once "
                                          "(unverified), missing {}-{}",
                                          out.part_path().string(), have, hex(o.offset),
                                          hex(o.offset + have), hex(end - 1))
                            : fmt::format("; {} kept but empty: nothing was read", out.part_path().string());
    if (e.kind() == ErrorKind::Cancelled) throw;
    throw Error(e.kind(), e.what() + note, e.hint());
  }
  sum.bus = s.master().stats();
  if (nand_view) {
    sum.bad_blocks.assign(nand_view->bad_blocks().begin(), nand_view->bad_blocks().end());
    sum.ecc_failed_pages.assign(nand_view->ecc_failed().begin(), nand_view->ecc_failed().end());
    sum.ecc_corrected_pages = nand_view->ecc_corrected();
  }
  if (!sum.verify.ok()) {
    fail(ErrorKind::VerifyMismatch,
         fmt::format("reads never agreed at {} (after {} re-reads); {} not written, the last "
                     "reads are in {}",
                     format_ranges(sum.verify.unsettled), sum.verify.rereads, o.out.string(),
                     out.part_path().string()),
         "reseat the clip (pin 1 = red wire), shorten the wires, and in-circuit hold the SoC in reset; "
         "then run again");
  }
  out.commit();
  sum.out = o.out;
  sum.bytes = end - o.offset;
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sum;
}

}  // namespace camdump::ch341a
