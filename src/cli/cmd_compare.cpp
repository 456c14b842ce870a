// SPDX-License-Identifier: MIT
// `camdump compare FILE FILE... [--vote OUT]`: are these dumps the same? Where do they differ?
#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "core/atomic_file.hpp"
#include "core/output_path.hpp"
#include "core/size.hpp"
#include "dump/compare.hpp"

namespace camdump::cli {
namespace {

struct CompareArgs {
  std::vector<std::string> files;
  std::string vote;
  bool json = false, force = false;
};

std::string names(const std::vector<unsigned>& g, const std::vector<std::string>& files) {
  std::string s;
  for (unsigned i : g) s += (s.empty() ? "" : " = ") + files[i];
  return s;
}

std::string describe(const dump::DiffRange& r, const std::vector<std::string>& files) {
  std::string s = fmt::format("{}..{} ({}):", hex(r.offset, 8), hex(r.offset + r.size - 1, 8),
                              r.size == 1 ? std::string("1 byte") : fmt::format("{} bytes", r.size));
  size_t in_groups = 0;
  for (const auto& g : r.groups) {
    s += " [" + names(g, files) + "]";
    in_groups += g.size();
  }
  if (in_groups < files.size()) s += " [others end before this]";
  return s;
}

nlohmann::json range_json(const dump::DiffRange& r, const std::vector<std::string>& files) {
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& g : r.groups) {
    nlohmann::json names = nlohmann::json::array();
    for (unsigned i : g) names.push_back(files[i]);
    groups.push_back(names);
  }
  return {{"offset", hex(r.offset, 8)}, {"size", r.size}, {"agreeing", groups}};
}

void run(const CompareArgs& a, Context& ctx) {
  std::vector<std::filesystem::path> paths(a.files.begin(), a.files.end());
  std::unique_ptr<AtomicFile> vote;
  if (!a.vote.empty()) {
    if (a.files.size() < 3) fail(ErrorKind::Usage, "--vote needs at least three files");
    check_output_path(a.vote, {.force = a.force, .option = "--vote"});
    vote = std::make_unique<AtomicFile>(a.vote);
  }
  dump::CompareOptions o;
  o.vote_out = vote.get();
  o.reporter = &ctx.reporter;
  o.cancel = ctx.cancel;
  const dump::CompareResult r = dump::compare_files(paths, o);
  const bool vote_ok = vote && r.undecided_bytes == 0;
  if (vote) {
    if (vote_ok) vote->commit();
    else vote->discard();
  }
  ctx.exit_code = vote ? (vote_ok ? 0 : 1) : (r.identical ? 0 : 1);
  if (a.json) {
    nlohmann::json j;
    j["identical"] = r.identical;
    j["files"] = nlohmann::json::array();
    for (const auto& f : r.files)
      j["files"].push_back({{"path", f.path.string()},
                            {"size", f.size},
                            {"md5", f.md5},
                            {"sha256", f.sha256},
                            {"crc32", crc_hex(f.crc32)}});
    j["sizes_differ"] = r.sizes_differ;
    j["differing_bytes"] = r.differing_bytes;
    j["ranges"] = nlohmann::json::array();
    for (const auto& d : r.ranges) j["ranges"].push_back(range_json(d, a.files));
    j["ranges_not_listed"] = r.ranges_dropped;
    if (vote) {
      j["vote"] = {{"output", a.vote}, {"written", vote_ok}, {"undecided_bytes", r.undecided_bytes}};
      j["vote"]["undecided"] = nlohmann::json::array();
      for (const auto& d : r.undecided) j["vote"]["undecided"].push_back(range_json(d, a.files));
    }
    fmt::print("{}\n", j.dump(2));
    return;
  }
  for (const auto& f : r.files)
    fmt::print("{}  {} bytes  md5 {}  sha256 {}  crc32 {}\n", f.path.string(), f.size, f.md5, f.sha256,
               crc_hex(f.crc32));
  if (r.sizes_differ) fmt::print("sizes differ\n");
  for (const auto& d : r.ranges) fmt::print("differs {}\n", describe(d, a.files));
  if (r.ranges_dropped) fmt::print("... and {} more differing ranges\n", r.ranges_dropped);
  if (vote) {
    for (const auto& d : r.undecided) fmt::print("no majority {}\n", describe(d, a.files));
    if (vote_ok)
      fmt::print("vote: every byte settled by a majority ({} bytes out-voted); wrote {}\n", r.differing_bytes, a.vote);
    else fmt::print("vote: {} byte(s) without a majority; {} not written\n", r.undecided_bytes, a.vote);
    return;
  }
  if (r.identical) fmt::print("identical: {} files, {} bytes\n", r.files.size(), r.files.front().size);
  else fmt::print("differ: {} byte(s) in {} range(s)\n", r.differing_bytes, r.ranges.size() + r.ranges_dropped);
}

}  // namespace

void register_compare(Command app, Context& ctx) {
  auto a = std::make_shared<CompareArgs>();
  Command c =
      app.subcommand("compare",
                     "Compare dumps: size, MD5, SHA-256 and CRC-32 of each, then 'identical' or the differing byte\n"
                     "ranges (merged, with which files agree). Exit 1 if they differ. With three or more files,\n"
                     "--vote OUT writes the byte-wise majority; then the exit code says whether every byte had a\n"
                     "majority (0) or not (1, OUT not written).");
  c.option("FILE", a->files, "Two or more dump files").required().expected(2, 200);
  c.option("--vote", a->vote, "Write the byte-wise majority of 3+ equal-sized files to OUT (mode 0600)");
  c.flag("--force", a->force, "With --vote: replace an existing OUT");
  c.flag("--json", a->json, "Print the result as JSON on stdout");
  c.on_run([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
