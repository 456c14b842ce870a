// SPDX-License-Identifier: MIT
// Join partition copies (mtd0.bin ... mtdN.bin from the Linux-shell route) into one flash image:
// in partition order, not glob order (mtd10 after mtd9). With a layout (/proc/mtd or mtdparts=)
// every size and name is checked, missing and duplicate parts are refused, and an overlapping
// whole-chip partition ("8M@0(all)") is used as the image instead of being appended to it.
// Facts: docs/reference/field-behaviour.md#shell, docs/reference/mtd-and-layouts.md.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/mtd_layout.hpp"

namespace camdump::dump {

struct CombineInput {
  std::filesystem::path path;
  uint64_t size = 0;
  std::optional<unsigned> mtd;  ///< N from "mtdN" in the file name (or the last number in it)
};

struct CombinePlan {
  std::vector<CombineInput> inputs;                 ///< all files, in partition order
  std::vector<size_t> concat;                       ///< indexes into inputs to concatenate, in offset order
  std::optional<size_t> whole_chip;                 ///< index into inputs of a whole-chip copy used as the image
  std::vector<std::pair<size_t, uint64_t>> slices;  ///< (input, offset in the chip) checked against whole_chip
  uint64_t total = 0;                               ///< output size
  std::vector<std::string> notes;                   ///< what was decided and why (for the user)
};

/// The number a partition file carries: "mtd3.bin" -> 3, "mtd10_rootfs.bin" -> 10, "part7" -> 7.
std::optional<unsigned> mtd_number(const std::filesystem::path& p);

/// Order and check the files. `layout` (optional) comes from /proc/mtd or mtdparts=. Files are
/// matched to partitions by mtd number, else by partition name in the file name.
/// Throws Error(Usage) for missing/duplicate/unknown parts or inputs that are not regular files
/// (a device or FIFO could be endless), and Error(Corrupt) for size mismatches.
CombinePlan plan_combine(const std::vector<std::filesystem::path>& files, const MtdLayout* layout);

/// Smallest erase unit of SPI NOR (4 KiB sectors); Linux MTD partitions are multiples of the
/// erase size (drivers/mtd/mtdpart.c marks misaligned ones read-only), so a copy of one is too.
inline constexpr uint64_t kMinEraseBlock = 4096;

/// For a plan made without a layout: why its sizes do not look like a whole flash (a part that is
/// not a multiple of kMinEraseBlock, naming it; or a total that is no flash size, with the gap
/// to the next one), or nothing when they do. A short or missing copy would otherwise shift every
/// later partition in the image.
std::optional<std::string> size_problem_without_layout(const CombinePlan& plan);

/// Flash sizes people dump: powers of two from 512 KiB (small SPI NOR) to 1 GiB (SPI NAND).
bool is_flash_size(uint64_t bytes);

struct CombineResult {
  uint64_t size = 0;
  std::string sha256, md5;
  uint32_t crc32 = 0;
};

/// Write the planned image to `out` (not committed). With a whole-chip copy, first checks that
/// every other part equals its slice of it (Error(VerifyMismatch) naming the part otherwise).
/// Stops with Error(Cancelled) at the next MiB once `cancel` is set.
CombineResult run_combine(const CombinePlan& plan, AtomicFile& out, const CancelFlag* cancel = nullptr);

}  // namespace camdump::dump
