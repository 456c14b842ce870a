// SPDX-License-Identifier: MIT
// `camdump combine PART... -o OUT`: join mtdN copies into one image, in partition order.
#include <fmt/core.h>

#include "cli/command.hpp"
#include "cli/commands.hpp"
#include "core/atomic_file.hpp"
#include "core/file_util.hpp"
#include "core/mtd_layout.hpp"
#include "core/output_path.hpp"
#include "core/size.hpp"
#include "dump/combine.hpp"

namespace camdump::cli {
namespace {

struct CombineArgs {
  std::vector<std::string> parts;
  std::string out, proc_mtd, mtdparts, flash_size;
  bool force = false;
};

constexpr uint64_t kMaxLayoutText = 1u << 20;  // /proc/mtd or a printenv: a few KiB

void run(const CombineArgs& a, Context& ctx) {
  check_output_path(a.out, {.force = a.force});
  if (!a.proc_mtd.empty() && !a.mtdparts.empty())
    fail(ErrorKind::Usage, "give either --proc-mtd or --mtdparts, not both");
  std::optional<MtdLayout> layout;
  std::optional<uint64_t> flash;
  if (!a.flash_size.empty()) flash = size_arg("--flash-size", a.flash_size);
  if (!a.proc_mtd.empty()) {
    auto bytes = read_file(a.proc_mtd, kMaxLayoutText);
    layout = parse_proc_mtd(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    if (flash) layout->device_size = flash;
  } else if (!a.mtdparts.empty()) {
    std::string text = a.mtdparts;
    if (std::filesystem::is_regular_file(text)) {  // a file holding the cmdline / printenv output
      auto bytes = read_file(text, kMaxLayoutText);
      text.assign(bytes.begin(), bytes.end());
    }
    layout = parse_mtdparts(text, flash);
  }
  std::vector<std::filesystem::path> files(a.parts.begin(), a.parts.end());
  const dump::CombinePlan plan = dump::plan_combine(files, layout ? &*layout : nullptr);
  for (const auto& n : plan.notes) ctx.reporter.log(LogLevel::Info, n);
  if (flash && plan.total != *flash)
    fail(ErrorKind::Corrupt, fmt::format("the parts add up to {} bytes, --flash-size is {}", plan.total, *flash));
  if (!layout && !flash)
    if (auto problem = dump::size_problem_without_layout(plan)) {
      if (!a.force)
        fail(
            ErrorKind::Corrupt, *problem,
            "copy that partition again, or pass --proc-mtd/--mtdparts to check every size (--force joins them anyway)");
      ctx.reporter.log(LogLevel::Warn, *problem + " (joined anyway: --force)");
    }
  AtomicFile out(a.out);
  const dump::CombineResult r = dump::run_combine(plan, out, ctx.cancel);
  out.commit();
  if (plan.whole_chip) {
    fmt::print("whole chip: {}\n", plan.inputs[*plan.whole_chip].path.string());
    for (const auto& [i, off] : plan.slices)
      fmt::print("  checked {} at {}: equal\n", plan.inputs[i].path.string(), hex(off, 8));
  } else {
    uint64_t pos = 0;
    for (size_t i : plan.concat) {
      fmt::print("{} {}  {}\n", hex(pos, 8), plan.inputs[i].path.string(), format_size(plan.inputs[i].size));
      pos += plan.inputs[i].size;
    }
  }
  fmt::print("wrote {}: {} ({} bytes), crc32 {}, md5 {}, sha256 {}\n", a.out, format_size(r.size), r.size,
             crc_hex(r.crc32), r.md5, r.sha256);
}

}  // namespace

void register_combine(Command app, Context& ctx) {
  auto a = std::make_shared<CombineArgs>();
  Command c = add_command(
      app, "combine",
      "Join partition copies (mtd0.bin ... mtdN.bin) into one flash image in partition order (mtd10\n"
      "after mtd9, not glob order). With /proc/mtd text or an mtdparts= string, every size and name is\n"
      "checked, missing or duplicate parts are refused, and an overlapping whole-chip partition\n"
      "(e.g. 8M@0(all)) becomes the image instead of doubling it (the other parts are checked against it).");
  c.option("PART", a->parts, "Partition copies; the mtd number is taken from the name (mtd3.bin, mtd3_app.bin)")
      .required();
  c.option("-o,--output", a->out, "Output image (written as OUT.part, renamed when complete, mode 0600)").required();
  c.option("--proc-mtd", a->proc_mtd, "File with the camera's 'cat /proc/mtd' output");
  c.option("--mtdparts", a->mtdparts, "The mtdparts= string (from /proc/cmdline or printenv), or a file containing it");
  c.option("--flash-size", a->flash_size, "Chip size: resolves a '-' partition and checks the total (16M, ...)");
  c.flag("--force", a->force,
         "Replace an existing OUT; without a layout, also join parts whose sizes do not add up to a flash size "
         "(normally refused: a short part would shift every later partition)");
  c.on_run([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
