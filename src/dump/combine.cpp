// SPDX-License-Identifier: MIT
// Partition-copy ordering, checking and joining (see combine.hpp).
#include "dump/combine.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "core/crc32.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/output_path.hpp"
#include "core/size.hpp"
#include "core/errno_text.hpp"

namespace camdump::dump {
namespace {

constexpr size_t kBlock = 1u << 20;

std::string label(const MtdPart& p) { return fmt::format("mtd{} ({})", p.index, p.name); }

class Reader {
 public:
  explicit Reader(const std::filesystem::path& p) : path_(p) {
    fd_ = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      fail_errno(errno, "cannot open " + p.string());
    }
  }
  ~Reader() { ::close(fd_); }
  void read_at(uint64_t off, uint8_t* buf, size_t n) {
    size_t got = 0;
    while (got < n) {
      ssize_t k = ::pread(fd_, buf + got, n - got, static_cast<off_t>(off + got));
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0)
        fail(ErrorKind::Io,
             fmt::format("cannot read {}: {}", path_.string(), k < 0 ? errno_text(errno) : "file shrank"));
      got += static_cast<size_t>(k);
    }
  }

 private:
  std::filesystem::path path_;
  int fd_;
};

}  // namespace

std::optional<unsigned> mtd_number(const std::filesystem::path& p) {
  std::string s = p.filename().string();
  auto digits_at = [&](size_t i) -> std::optional<unsigned> {
    size_t j = i;
    unsigned v = 0;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9' && j - i < 6) v = v * 10 + static_cast<unsigned>(s[j++] - '0');
    if (j == i) return std::nullopt;
    return v;
  };
  size_t m = s.find("mtd");
  while (m != std::string::npos) {
    if (auto v = digits_at(m + 3)) return v;
    m = s.find("mtd", m + 3);
  }
  // Otherwise the last run of digits in the stem.
  std::string stem = p.stem().string();
  for (size_t i = stem.size(); i-- > 0;) {
    if (stem[i] >= '0' && stem[i] <= '9') {
      size_t b = i;
      while (b > 0 && stem[b - 1] >= '0' && stem[b - 1] <= '9') --b;
      s = stem;
      return digits_at(b);
    }
  }
  return std::nullopt;
}

namespace {

// The files as given, with their sizes and mtd numbers; a missing or non-regular file is an error.
std::vector<CombineInput> stat_inputs(const std::vector<std::filesystem::path>& files) {
  std::vector<CombineInput> inputs;
  for (const auto& f : files) {
    struct stat st {};
    if (::stat(f.c_str(), &st) != 0) {
      fail_errno(errno, "cannot read " + f.string());
    }
    if (!S_ISREG(st.st_mode))
      fail(ErrorKind::Usage,
           fmt::format("{} is a {}: combine joins partition copies (regular files)", f.string(),
                       file_type_name(st.st_mode)),
           "copy the partition to a file first (cat /dev/mtdN > mtdN.bin on the camera)");
    inputs.push_back({f, static_cast<uint64_t>(st.st_size), mtd_number(f)});
  }
  return inputs;
}

// Without a layout every file needs its mtd number, and the numbers run 0, 1, 2 ... without a gap.
void sort_by_mtd_number(std::vector<CombineInput>& inputs) {
  for (const auto& in : inputs)
    if (!in.mtd)
      fail(ErrorKind::Usage, fmt::format("cannot tell which partition {} is", in.path.string()),
           "name the files mtd0.bin, mtd1.bin ... or pass --proc-mtd / --mtdparts");
  std::stable_sort(inputs.begin(), inputs.end(),
                   [](const CombineInput& a, const CombineInput& b) { return *a.mtd < *b.mtd; });
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (i && *inputs[i].mtd == *inputs[i - 1].mtd)
      fail(ErrorKind::Usage, fmt::format("two files for mtd{}: {} and {}", *inputs[i].mtd, inputs[i - 1].path.string(),
                                         inputs[i].path.string()));
    if (*inputs[i].mtd != inputs.front().mtd.value() + i)
      fail(ErrorKind::Usage,
           fmt::format("mtd{} is missing (have mtd{} and mtd{})", *inputs[i - 1].mtd + 1, *inputs[i - 1].mtd,
                       *inputs[i].mtd),
           "copy every /dev/mtdN, or pass --proc-mtd to check the list");
  }
  if (*inputs.front().mtd != 0)
    fail(ErrorKind::Usage, fmt::format("mtd0 is missing (first file is mtd{})", *inputs.front().mtd));
}

CombinePlan plan_without_layout(CombinePlan plan) {
  sort_by_mtd_number(plan.inputs);
  // Without a layout, a file as large as all others together is taken for a whole-chip copy.
  MtdLayout guess;
  for (const auto& in : plan.inputs) guess.parts.push_back({*in.mtd, in.path.filename().string(), in.size});
  if (auto wc = guess.whole_chip(); wc && plan.inputs.size() > 2) {
    plan.whole_chip = *wc;
    guess.assign_offsets();
    for (size_t i = 0; i < plan.inputs.size(); ++i)
      if (i != *wc) plan.slices.push_back({i, *guess.parts[i].offset});
    plan.total = plan.inputs[*wc].size;
    plan.notes.push_back(
        fmt::format("{} is as large as all other parts together: taken as the whole chip; the "
                    "others are checked against it",
                    plan.inputs[*wc].path.string()));
    return plan;
  }
  for (size_t i = 0; i < plan.inputs.size(); ++i) {
    plan.concat.push_back(i);
    plan.total += plan.inputs[i].size;
  }
  plan.notes.push_back("no layout given: joined in mtd number order; pass --proc-mtd or --mtdparts to check sizes");
  return plan;
}

// Which layout partition each file is (by its mtd number, else by the partition's name).
std::map<size_t, size_t> match_parts(const std::vector<CombineInput>& inputs, const MtdLayout& layout) {
  std::map<size_t, size_t> input_of_part;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto& in = inputs[i];
    std::optional<size_t> part;
    if (in.mtd) {
      for (size_t k = 0; k < layout.parts.size(); ++k)
        if (layout.parts[k].index == *in.mtd) part = k;
      if (!part)
        fail(ErrorKind::Usage, fmt::format("{}: the layout has no mtd{} (it lists {} partitions)", in.path.string(),
                                           *in.mtd, layout.parts.size()));
    } else {
      const std::string stem = in.path.stem().string();
      for (size_t k = 0; k < layout.parts.size() && !part; ++k)
        if (stem == layout.parts[k].name) part = k;
      if (!part)
        fail(ErrorKind::Usage, fmt::format("{}: no partition of that number or name in the layout", in.path.string()));
    }
    if (auto it = input_of_part.find(*part); it != input_of_part.end())
      fail(ErrorKind::Usage, fmt::format("two files for {}: {} and {}", label(layout.parts[*part]),
                                         inputs[it->second].path.string(), in.path.string()));
    input_of_part[*part] = i;
  }
  return input_of_part;
}

// Offsets and sizes of every partition; a fill-up ("-") part without a known device size takes
// its file's size. Every file must be exactly its partition's size.
void place_parts(MtdLayout& layout, const std::vector<CombineInput>& inputs,
                 const std::map<size_t, size_t>& input_of_part) {
  for (size_t k = 0; k < layout.parts.size(); ++k)
    if (layout.parts[k].fill && layout.parts[k].size == 0) {
      auto it = input_of_part.find(k);
      if (it == input_of_part.end())
        fail(ErrorKind::Usage, fmt::format("{} is missing and its size ('-') is unknown", label(layout.parts[k])));
      layout.resolve_fill(layout.parts[k].offset.value_or(0) + inputs[it->second].size);
    }
  layout.assign_offsets();
  std::map<size_t, size_t> part_of_input;  // in file order, so the first short file is named
  for (const auto& [k, i] : input_of_part) part_of_input[i] = k;
  for (const auto& [i, k] : part_of_input)
    if (inputs[i].size != layout.parts[k].size)
      fail(ErrorKind::Corrupt,
           fmt::format("{} is {} bytes but {} is {} bytes", inputs[i].path.string(), inputs[i].size,
                       label(layout.parts[k]), layout.parts[k].size),
           "a short copy means the read stopped early; copy the partition again");
}

// The partitions that tile the chip, checked for holes and against the device size; returns the end.
uint64_t check_tiling(const MtdLayout& layout, const std::vector<size_t>& tiles,
                      const std::map<size_t, size_t>& input_of_part) {
  uint64_t pos = 0;
  for (size_t k : tiles) {
    if (!input_of_part.count(k))
      fail(ErrorKind::Usage, fmt::format("{} is missing", label(layout.parts[k])),
           fmt::format("copy /dev/mtd{} too", layout.parts[k].index));
    if (*layout.parts[k].offset != pos)
      fail(ErrorKind::Corrupt, fmt::format("the layout has a hole at {} before {}", hex(pos), label(layout.parts[k])));
    pos = layout.parts[k].end();
  }
  if (layout.device_size && pos != *layout.device_size)
    fail(ErrorKind::Corrupt,
         fmt::format("the partitions add up to {} bytes, the chip has {}", pos, *layout.device_size));
  return pos;
}

CombinePlan plan_with_layout(CombinePlan plan, MtdLayout L) {
  const std::map<size_t, size_t> input_of_part = match_parts(plan.inputs, L);
  place_parts(L, plan.inputs, input_of_part);

  std::vector<CombineInput> ordered;  // inputs re-indexed in partition order
  std::vector<size_t> order;
  order.reserve(input_of_part.size());
  ordered.reserve(input_of_part.size());
  for (const auto& [k, i] : input_of_part) order.push_back(i);
  for (size_t i : order) ordered.push_back(plan.inputs[i]);
  auto new_index = [&](size_t part) {
    return static_cast<size_t>(std::find(order.begin(), order.end(), input_of_part.at(part)) - order.begin());
  };

  if (auto wc = L.whole_chip(); wc && input_of_part.count(*wc)) {
    plan.inputs = ordered;
    plan.whole_chip = new_index(*wc);
    for (const auto& [k, i] : input_of_part)
      if (k != *wc) plan.slices.push_back({new_index(k), *L.parts[k].offset});
    plan.total = L.parts[*wc].size;
    plan.notes.push_back(
        fmt::format("{} covers the whole chip: it is the image; the other {} part(s) are checked "
                    "against it",
                    label(L.parts[*wc]), plan.slices.size()));
    return plan;
  }
  const auto tiles = L.tiling();
  plan.total = check_tiling(L, tiles, input_of_part);
  plan.inputs = ordered;
  for (size_t k : tiles) plan.concat.push_back(new_index(k));
  for (const auto& [k, i] : input_of_part)
    if (std::find(tiles.begin(), tiles.end(), k) == tiles.end()) {
      plan.notes.push_back(fmt::format("{} overlaps other partitions: not appended", label(L.parts[k])));
    }
  plan.notes.push_back(fmt::format("{} partitions joined in offset order", tiles.size()));
  return plan;
}

}  // namespace

CombinePlan plan_combine(const std::vector<std::filesystem::path>& files, const MtdLayout* layout) {
  if (files.empty()) fail(ErrorKind::Usage, "no partition files given");
  CombinePlan plan;
  plan.inputs = stat_inputs(files);
  return layout ? plan_with_layout(std::move(plan), *layout) : plan_without_layout(std::move(plan));
}

bool is_flash_size(uint64_t bytes) {
  return bytes >= (512u << 10) && bytes <= (1ull << 30) && (bytes & (bytes - 1)) == 0;
}

std::optional<std::string> size_problem_without_layout(const CombinePlan& plan) {
  if (plan.whole_chip) return std::nullopt;  // the sizes were checked against the whole-chip copy
  for (size_t i : plan.concat)
    if (plan.inputs[i].size % kMinEraseBlock)
      return fmt::format(
          "{} is {} bytes, not a multiple of the {} KiB erase block: it looks short (a read that "
          "stopped early), and every partition after it would be shifted",
          plan.inputs[i].path.string(), plan.inputs[i].size, kMinEraseBlock >> 10);
  if (is_flash_size(plan.total)) return std::nullopt;
  uint64_t next = 512u << 10;
  while (next < plan.total && next < (1ull << 30)) next <<= 1;
  return fmt::format(
      "the parts add up to {} bytes ({}), not a flash size{}: a part is short or missing", plan.total,
      format_size(plan.total),
      next > plan.total ? fmt::format(" ({} less than {})", format_size(next - plan.total), format_size(next)) : "");
}

CombineResult run_combine(const CombinePlan& plan, AtomicFile& out, const CancelFlag* cancel) {
  std::vector<uint8_t> a(kBlock), b(kBlock);
  CombineResult r;
  Digest sha(Digest::Algo::Sha256), md5(Digest::Algo::Md5);
  auto emit = [&](std::span<const uint8_t> s) {
    check_cancel(cancel);
    out.write(s);
    sha.update(s);
    md5.update(s);
    r.crc32 = crc32(s, r.crc32);
    r.size += s.size();
  };
  if (plan.whole_chip) {
    Reader whole(plan.inputs[*plan.whole_chip].path);
    for (const auto& [i, off] : plan.slices) {
      Reader part(plan.inputs[i].path);
      for (uint64_t pos = 0; pos < plan.inputs[i].size; pos += kBlock) {
        size_t n = static_cast<size_t>(std::min<uint64_t>(kBlock, plan.inputs[i].size - pos));
        check_cancel(cancel);
        part.read_at(pos, a.data(), n);
        whole.read_at(off + pos, b.data(), n);
        if (std::memcmp(a.data(), b.data(), n) != 0) {
          size_t k = 0;
          while (a[k] == b[k]) ++k;
          fail(ErrorKind::VerifyMismatch,
               fmt::format("{} differs from the whole-chip copy {} at chip offset {}", plan.inputs[i].path.string(),
                           plan.inputs[*plan.whole_chip].path.string(), hex(off + pos + k)),
               "the copies were read at different times or one read is bad; copy both again");
        }
      }
    }
    for (uint64_t pos = 0; pos < plan.total; pos += kBlock) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(kBlock, plan.total - pos));
      whole.read_at(pos, a.data(), n);
      emit({a.data(), n});
    }
  } else {
    for (size_t i : plan.concat) {
      Reader part(plan.inputs[i].path);
      for (uint64_t pos = 0; pos < plan.inputs[i].size; pos += kBlock) {
        size_t n = static_cast<size_t>(std::min<uint64_t>(kBlock, plan.inputs[i].size - pos));
        part.read_at(pos, a.data(), n);
        emit({a.data(), n});
      }
    }
  }
  r.sha256 = sha.hex_final();
  r.md5 = md5.hex_final();
  return r;
}

}  // namespace camdump::dump
