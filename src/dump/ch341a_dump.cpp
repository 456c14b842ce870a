// SPDX-License-Identifier: MIT
#include "dump/ch341a_dump.hpp"

#include <fmt/core.h>

#include <chrono>
#include <optional>

#include "ch341a/libusb_transport.hpp"
#include "ch341a/sim_spec.hpp"
#include "ch341a/sim_transport.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/file_util.hpp"
#include "core/size.hpp"
#include "dump/resume_state.hpp"
#include "spi/flash_source.hpp"

namespace camdump::ch341a {

std::unique_ptr<Ch341aSession> Ch341aSession::open(const OpenOptions& o) {
  std::unique_ptr<Ch341aSession> s(new Ch341aSession);
  if (!o.sim.empty()) {
    auto t = std::make_unique<SimTransport>(make_emulator(parse_sim_spec(o.sim)));
    s->emu_ = &t->emulator();
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

namespace {

// OUT.part.state (dump/resume_state.hpp, kind "ch341a-read"): which chip, layout and range the first
// read in OUT.part belongs to, and how many bytes of it were written (and fsync'ed) before the stop.
// Those bytes are not trusted as they are: the later passes compare them with the chip.
struct ReadState {
  std::string id, layout;
  uint64_t image_size = 0, offset = 0, end = 0, first_pass_done = 0;

  dump::ResumeState to_state() const {
    dump::ResumeState st("ch341a-read");
    st.set("id", id);
    st.set("layout", layout);
    st.set_number("image_size", image_size);
    st.set_number("offset", offset);
    st.set_number("end", end);
    st.set_number("first_pass_done", first_pass_done);
    return st;
  }
  static ReadState from(const dump::ResumeState& st) {
    ReadState r;
    r.id = st.get("id");
    r.layout = st.get("layout");
    r.image_size = st.number("image_size");
    r.offset = st.number("offset");
    r.end = st.number("end");
    r.first_pass_done = st.number("first_pass_done");
    if (r.end < r.offset || r.first_pass_done > r.end - r.offset) st.refuse("its range does not hold its first read");
    return r;
  }
};

}  // namespace

std::filesystem::path chip_record_path(const std::filesystem::path& image) {
  return std::filesystem::path(image.string() + ".chip");
}

void write_chip_record(const std::filesystem::path& image, const ChipRecord& r) {
  dump::ResumeState st("chip");
  st.set("id", r.id);
  st.set("name", r.name);
  st.set("layout", r.layout);
  st.set_number("size", r.size);
  st.set_number("offset", r.offset);
  st.set_number("length", r.length);
  st.save(chip_record_path(image));
}

std::optional<ChipRecord> read_chip_record(const std::filesystem::path& image) {
  const auto st = dump::ResumeState::load(chip_record_path(image), "chip");
  if (!st) return std::nullopt;
  return ChipRecord{std::string(st->get("id")), std::string(st->get("name")), std::string(st->get("layout")),
                    st->number("size"),         st->number("offset"),         st->number("length")};
}

std::string format_ranges(const std::vector<spi::ByteRange>& r, size_t max) {
  std::string s;
  for (size_t i = 0; i < r.size() && i < max; ++i)
    s += fmt::format("{}{}-{}", i ? ", " : "", hex(r[i].begin), hex(r[i].end - 1));
  if (r.size() > max) s += fmt::format(" and {} more", r.size() - max);
  return s;
}

namespace {

// The chip behind the programmer as a FlashSource (NOR bytes, or NAND data / data+OOB pages).
struct Flash {
  std::unique_ptr<spi::SpiNor> nor;
  std::unique_ptr<spi::SpiNand> nand;
  std::unique_ptr<spi::FlashSource> src;
  spi::NandSource* nand_view = nullptr;
};

Flash open_flash(Ch341aSession& s, const spi::ProbeResult& probe, bool nand_oob) {
  Flash f;
  if (probe.kind == spi::ChipKind::Nand) {
    f.nand = std::make_unique<spi::SpiNand>(s.master(), *probe.chip);
    f.nand->init();
    auto ns = std::make_unique<spi::NandSource>(*f.nand, nand_oob);
    f.nand_view = ns.get();
    f.src = std::move(ns);
  } else {
    f.nor = std::make_unique<spi::SpiNor>(s.master(), probe.size, probe.flags);
    f.src = std::make_unique<spi::NorSource>(*f.nor);
  }
  return f;
}

// --resume: the bytes of the first read OUT.part holds for this chip, layout and range (0: start
// over). Another chip or range is Error(Usage); a damaged state file Error(Corrupt).
uint64_t resumable_bytes(const std::filesystem::path& out, const ReadState& want, Reporter& rep) {
  const auto state_path = state_path_for(out);
  const auto part = part_path_for(out);
  std::optional<ReadState> saved;
  if (std::filesystem::exists(part))
    if (auto st = dump::ResumeState::load(state_path, "ch341a-read")) saved = ReadState::from(*st);
  if (!saved) {
    rep.log(LogLevel::Warn, fmt::format("nothing to resume ({} or {} missing): starting from the beginning",
                                        state_path.string(), part.string()));
    return 0;
  }
  if (saved->id != want.id || saved->layout != want.layout || saved->image_size != want.image_size)
    fail(ErrorKind::Usage,
         fmt::format("{} belongs to another chip or layout ({}, {}, {} bytes), not this {} ({}, {} bytes)",
                     part.string(), saved->id, saved->layout, saved->image_size, want.id, want.layout, want.image_size),
         "drop --resume to start over, or write to another -o");
  if (saved->offset != want.offset || saved->end != want.end)
    fail(ErrorKind::Usage,
         fmt::format("{} holds the range {}-{}, not {}-{}", part.string(), hex(saved->offset), hex(saved->end - 1),
                     hex(want.offset), hex(want.end - 1)),
         fmt::format("use --offset {} --length {}, or drop --resume", hex(saved->offset), saved->end - saved->offset));
  return std::min<uint64_t>(saved->first_pass_done, std::filesystem::file_size(part));  // never more than it holds
}

// After a failed or interrupted read: record how far the first read got (after making those bytes
// durable) and say what OUT.part holds. If saving fails too, the first error is the one to
// report, without a --resume that could not work.
std::string save_interrupted(AtomicFile& out, ReadState state, uint64_t have) {
  const std::string part = out.part_path().string();
  if (!have) return fmt::format("; {} kept but empty: nothing was read", part);
  state.first_pass_done = have;
  try {
    out.sync();
    state.to_state().save(state_path_for(out.path()));
  } catch (const Error&) {
    return fmt::format("; partial output kept as {}: {} bytes at offset {} read once (unverified)", part, have,
                       hex(state.offset));
  }
  if (have < state.end - state.offset)
    return fmt::format(
        "; partial output kept as {}: {} bytes at offset {} read once (unverified), missing "
        "{}-{}; run again with --resume to continue",
        part, have, hex(state.offset), hex(state.offset + have), hex(state.end - 1));
  return fmt::format(
      "; {} holds the whole first read (unverified); run again with --resume to verify it without "
      "reading it anew",
      part);
}

spi::ProbeResult probe_and_log(Ch341aSession& s, const DumpOptions& o, Reporter& rep) {
  spi::ProbeResult p = probe_ch341a(s, o.chip);
  for (const auto& w : p.warnings) rep.log(LogLevel::Warn, w);
  if (o.size) p.size = o.size;
  rep.log(LogLevel::Info, fmt::format("{}: {} {} ({}, ID {})", s.describe(), p.vendor, p.name, format_size(p.size),
                                      spi::id_string(p.id)));
  return p;
}

// The state of this dump: chip, layout and range (a length past the end is cut to the chip, as
// before; one that would wrap is refused).
ReadState read_state_for(const DumpOptions& o, const DumpSummary& sum, const Flash& f) {
  if (o.offset >= sum.image_size)
    fail(ErrorKind::Usage,
         fmt::format("--offset {} is past the end of the chip ({})", hex(o.offset), format_size(sum.image_size)));
  ReadState st;
  st.id = spi::id_string(sum.probe.id);
  st.layout = f.nand_view ? (o.nand_oob ? "data+oob" : "data") : "bytes";
  st.image_size = sum.image_size;
  st.offset = o.offset;
  st.end = o.length ? o.offset + checked_range(o.offset, std::min(o.length, sum.image_size - o.offset), sum.image_size,
                                               "--offset/--length")
                                     .length
                    : sum.image_size;
  return st;
}

void finish_summary(DumpSummary& sum, Ch341aSession& s, const Flash& f, const AtomicFile& out,
                    const std::filesystem::path& dest) {
  sum.bus = s.master().stats();
  if (f.nand_view) {
    sum.bad_blocks.assign(f.nand_view->bad_blocks().begin(), f.nand_view->bad_blocks().end());
    sum.ecc_failed_pages.assign(f.nand_view->ecc_failed().begin(), f.nand_view->ecc_failed().end());
    sum.ecc_corrected_pages = f.nand_view->ecc_corrected();
  }
  if (!sum.verify.ok())
    fail(ErrorKind::VerifyMismatch,
         fmt::format("reads never agreed at {} (after {} re-reads); {} not written, the last reads are in {}",
                     format_ranges(sum.verify.unsettled), sum.verify.rereads, dest.string(), out.part_path().string()),
         "reseat the clip (pin 1 = red wire), shorten the wires, and in-circuit hold the SoC in reset; "
         "then run again");
}

}  // namespace

DumpSummary dump_ch341a(Ch341aSession& s, const DumpOptions& o, Reporter& rep, const CancelFlag* cancel) {
  auto t0 = std::chrono::steady_clock::now();
  DumpSummary sum;
  sum.probe = probe_and_log(s, o, rep);
  const Flash flash = open_flash(s, sum.probe, o.nand_oob);
  sum.image_size = flash.src->size();
  const ReadState state = read_state_for(o, sum, flash);
  spi::VerifyOptions vo;
  vo.reads = o.reads;
  vo.offset = o.offset;
  vo.length = o.length;
  if (o.resume) vo.resume_bytes = resumable_bytes(o.out, state, rep);
  const bool resuming = vo.resume_bytes > 0;
  AtomicFile out(o.out, resuming ? AtomicFile::Open::Resume : AtomicFile::Open::Truncate, AtomicFile::OnAbandon::Keep);
  std::error_code ec;
  if (resuming)
    rep.log(LogLevel::Info, fmt::format("resuming: {} of the first read taken from {}", format_size(vo.resume_bytes),
                                        out.part_path().string()));
  else std::filesystem::remove(state_path_for(o.out), ec);
  spi::ReadProgress prog;
  auto wire = [&] {
    auto b = s.master().stats();
    return b.bytes_in + b.bytes_out;
  };
  try {
    sum.verify = spi::verified_read(*flash.src, out, vo, rep, cancel, prog, wire);
  } catch (const Error& e) {
    throw Error(e.kind(), e.what() + save_interrupted(out, state, prog.first_pass_done), e.hint());
  }
  sum.resumed = resuming;
  std::filesystem::remove(state_path_for(o.out), ec);
  finish_summary(sum, s, flash, out, o.out);
  out.commit();
  // Best effort: the dump is good without it; a restore then cannot check the chip.
  try {
    write_chip_record(o.out, {state.id, sum.probe.name, state.layout, sum.image_size, o.offset, state.end - o.offset});
  } catch (const Error& e) {
    rep.log(LogLevel::Warn, fmt::format("could not record the chip next to the dump: {}", e.what()));
  }
  sum.out = o.out;
  sum.bytes = state.end - o.offset;
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sum;
}

}  // namespace camdump::ch341a
