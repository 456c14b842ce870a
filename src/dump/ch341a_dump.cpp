// SPDX-License-Identifier: MIT
#include "dump/ch341a_dump.hpp"

#include <fmt/core.h>

#include <charconv>
#include <chrono>
#include <optional>
#include <sstream>

#include "ch341a/libusb_transport.hpp"
#include "ch341a/sim_spec.hpp"
#include "ch341a/sim_transport.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/file_util.hpp"
#include "core/size.hpp"
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

// OUT.part.state, one "key value" per line: which chip, layout and range the first read in
// OUT.part belongs to, and how many bytes of it were written (and fsync'ed) before the stop.
struct ResumeState {
  std::string id, layout;
  uint64_t image_size = 0, offset = 0, end = 0, first_pass_done = 0;

  std::string text() const {
    return fmt::format("camdump-ch341a-resume 1\nid {}\nlayout {}\nimage_size {}\noffset {}\nend {}\n"
                       "first_pass_done {}\n",
                       id, layout, image_size, offset, end, first_pass_done);
  }
  static std::optional<ResumeState> parse(const std::string& t) {
    ResumeState st;
    std::istringstream in(t);
    std::string line;
    if (!std::getline(in, line) || line != "camdump-ch341a-resume 1") return std::nullopt;
    unsigned seen = 0;
    while (std::getline(in, line)) {
      const size_t sp = line.find(' ');
      if (sp == std::string::npos) return std::nullopt;
      const std::string key = line.substr(0, sp), value = line.substr(sp + 1);
      auto number = [&](uint64_t& v, unsigned bit) {
        const char* e = value.data() + value.size();
        if (std::from_chars(value.data(), e, v).ptr == e && !value.empty()) seen |= bit;
      };
      if (key == "id") st.id = value, seen |= 1;
      else if (key == "layout") st.layout = value, seen |= 2;
      else if (key == "image_size") number(st.image_size, 4);
      else if (key == "offset") number(st.offset, 8);
      else if (key == "end") number(st.end, 16);
      else if (key == "first_pass_done") number(st.first_pass_done, 32);
      else return std::nullopt;
    }
    return seen == 63 ? std::optional<ResumeState>(st) : std::nullopt;
  }
};

}  // namespace

std::filesystem::path chip_record_path(const std::filesystem::path& image) {
  return std::filesystem::path(image.string() + ".chip");
}

void write_chip_record(const std::filesystem::path& image, const ChipRecord& r) {
  const std::string t = fmt::format("camdump-chip 1\nid {}\nname {}\nlayout {}\nsize {}\noffset {}\nlength {}\n", r.id,
                                    r.name, r.layout, r.size, r.offset, r.length);
  write_file_atomic(chip_record_path(image), std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(t.data()), t.size()));
}

std::optional<ChipRecord> read_chip_record(const std::filesystem::path& image) {
  std::error_code ec;
  const auto p = chip_record_path(image);
  if (!std::filesystem::exists(p, ec)) return std::nullopt;
  const auto raw = read_file(p);
  std::istringstream in(std::string(raw.begin(), raw.end()));
  std::string line;
  if (!std::getline(in, line) || line != "camdump-chip 1") return std::nullopt;
  ChipRecord r;
  unsigned seen = 0;
  while (std::getline(in, line)) {
    const size_t sp = line.find(' ');
    if (sp == std::string::npos) return std::nullopt;
    const std::string k = line.substr(0, sp), v = line.substr(sp + 1);
    auto number = [&](uint64_t& out, unsigned bit) {
      const char* e = v.data() + v.size();
      if (!v.empty() && std::from_chars(v.data(), e, out).ptr == e) seen |= bit;
    };
    if (k == "id") r.id = v, seen |= 1;
    else if (k == "name") r.name = v, seen |= 2;
    else if (k == "layout") r.layout = v, seen |= 4;
    else if (k == "size") number(r.size, 8);
    else if (k == "offset") number(r.offset, 16);
    else if (k == "length") number(r.length, 32);
  }
  return seen == 63 ? std::optional<ChipRecord>(r) : std::nullopt;
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
  // A length past the end is cut to the chip (as before); one that would wrap is refused.
  const uint64_t end = o.length ? o.offset + checked_range(o.offset, std::min(o.length, sum.image_size - o.offset),
                                                           sum.image_size, "--offset/--length").length
                                : sum.image_size;
  ResumeState state;
  state.id = spi::id_string(sum.probe.id);
  state.layout = nand_view ? (o.nand_oob ? "data+oob" : "data") : "bytes";
  state.image_size = sum.image_size;
  state.offset = o.offset;
  state.end = end;
  const auto state_path = state_path_for(o.out);
  const auto part = part_path_for(o.out);
  bool resuming = false;
  if (o.resume) {
    std::optional<ResumeState> saved;
    if (std::filesystem::exists(state_path) && std::filesystem::exists(part)) {
      const auto raw = read_file(state_path);
      saved = ResumeState::parse(std::string(raw.begin(), raw.end()));
    }
    if (!saved) {
      rep.log(LogLevel::Warn, fmt::format("nothing to resume ({} missing or unreadable): starting from the beginning",
                                          state_path.string()));
    } else if (saved->id != state.id || saved->layout != state.layout || saved->image_size != state.image_size) {
      fail(ErrorKind::Usage,
           fmt::format("{} belongs to another chip or layout ({}, {}, {} bytes), not this {} ({}, {} bytes)",
                       part.string(), saved->id, saved->layout, saved->image_size, state.id, state.layout,
                       state.image_size),
           "drop --resume to start over, or write to another -o");
    } else if (saved->offset != state.offset || saved->end != state.end) {
      fail(ErrorKind::Usage,
           fmt::format("{} holds the range {}-{}, not {}-{}", part.string(), hex(saved->offset), hex(saved->end - 1),
                       hex(state.offset), hex(state.end - 1)),
           fmt::format("use --offset {} --length {}, or drop --resume", hex(saved->offset), saved->end - saved->offset));
    } else {
      // Never trust more than the file holds.
      vo.resume_bytes = std::min<uint64_t>(saved->first_pass_done, std::filesystem::file_size(part));
      resuming = vo.resume_bytes > 0;
    }
  }
  AtomicFile out(o.out, resuming ? AtomicFile::Open::Resume : AtomicFile::Open::Truncate, AtomicFile::OnAbandon::Keep);
  std::error_code ec;
  if (!resuming) std::filesystem::remove(state_path, ec);
  if (resuming)
    rep.log(LogLevel::Info, fmt::format("resuming: {} of the first read taken from {}", format_size(vo.resume_bytes),
                                        part.string()));
  spi::ReadProgress prog;
  auto wire = [&] { auto b = s.master().stats(); return b.bytes_in + b.bytes_out; };
  try {
    sum.verify = spi::verified_read(*src, out, vo, rep, cancel, prog, wire);
  } catch (const Error& e) {
    uint64_t have = prog.first_pass_done;
    std::string note;
    bool state_saved = false;
    if (have) {
      // Record how far the first read got, after making those bytes durable. (If that fails too,
      // the first error is the one to report, without a --resume that could not work.)
      state.first_pass_done = have;
      try {
        out.sync();
        const std::string t = state.text();
        write_file_atomic(state_path, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(t.data()), t.size()));
        state_saved = true;
      } catch (const Error&) {
      }
    }
    if (state_saved) {
      note = have < end - o.offset
                 ? fmt::format("; partial output kept as {}: {} bytes at offset {} read once (unverified), missing "
                               "{}-{}; run again with --resume to continue",
                               part.string(), have, hex(o.offset), hex(o.offset + have), hex(end - 1))
                 : fmt::format("; {} holds the whole first read (unverified); run again with --resume to verify "
                               "it without reading it anew",
                               part.string());
    } else if (have) {
      note = fmt::format("; partial output kept as {}: {} bytes at offset {} read once (unverified)", part.string(),
                         have, hex(o.offset));
    } else {
      note = fmt::format("; {} kept but empty: nothing was read", part.string());
    }
    throw Error(e.kind(), e.what() + note, e.hint());
  }
  sum.resumed = resuming;
  std::filesystem::remove(state_path, ec);
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
  // Best effort: the dump is good without it; a restore then cannot check the chip.
  try {
    write_chip_record(o.out, {state.id, sum.probe.name, state.layout, sum.image_size, o.offset, end - o.offset});
  } catch (const Error& e) {
    rep.log(LogLevel::Warn, fmt::format("could not record the chip next to the dump: {}", e.what()));
  }
  sum.out = o.out;
  sum.bytes = end - o.offset;
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sum;
}

}  // namespace camdump::ch341a
