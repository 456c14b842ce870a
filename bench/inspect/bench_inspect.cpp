// SPDX-License-Identifier: MIT
// Benchmark: `camdump inspect` against `binwalk` (signature scan, Debian package) on the same
// 16 MiB flash image, measured side by side in one run (wall time, best of N runs each).
// camdump checks more (the SPL CRC7, CRCs of every uImage/env/JFFS2 node/UBI header and static
// volume, the U-Boot lzop and kernel lzma/xz/gzip payloads decoded to their end, a full squashfs
// read); binwalk only matches signatures. Give IMAGE to time a real dump or a test fixture (e.g.
// the build tree's tests/image-fixtures-v4/thingino16.bin with an LZO U-Boot, nand16.bin with UBI). Usage: bench_inspect [IMAGE] [--runs N]  (default: a synthetic Thingino
// 16 MiB image written to a temporary file).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "core/atomic_file.hpp"
#include "image/synth.hpp"

extern char** environ;

namespace {

// Runs argv with stdout/stderr to /dev/null; returns wall seconds, or -1 when it cannot run.
double time_run(const std::vector<std::string>& argv, int* status_out = nullptr) {
  std::vector<char*> a;
  for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
  a.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  const auto t0 = std::chrono::steady_clock::now();
  pid_t pid;
  if (posix_spawnp(&pid, a[0], &fa, nullptr, a.data(), environ) != 0) return -1;
  int st = 0;
  waitpid(pid, &st, 0);
  posix_spawn_file_actions_destroy(&fa);
  if (status_out) *status_out = st;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string image;
  int runs = 3;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::atoi(argv[++i]);
    else image = argv[i];
  }
  std::filesystem::path tmp;
  if (image.empty()) {
    tmp = std::filesystem::temp_directory_path() / fmt::format("bench-inspect-{}.bin", getpid());
    camdump::write_file_atomic(tmp, camdump::image::make_thingino_image({}));
    image = tmp.string();
  }
  const std::string camdump_bin = CAMDUMP_BINARY_DIR "/camdump";
  double best_c = 1e9, best_b = 1e9;
  int st = 0;
  for (int i = 0; i < runs; ++i) {
    best_c = std::min(best_c, time_run({camdump_bin, "inspect", image}, &st));
    best_b = std::min(best_b, time_run({"binwalk", "--signature", "--quiet", image}));
  }
  if (!tmp.empty()) std::filesystem::remove(tmp);
  const bool ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
  fmt::print("image:            {} ({} MiB)\n", tmp.empty() ? image : "synthetic Thingino 16 MiB",
             std::filesystem::exists(image) ? std::filesystem::file_size(image) >> 20 : 16);
  fmt::print(
      "camdump inspect:  {:8.3f} s  (verdict {}: SPL CRC7, env CRC, uImage CRCs + payloads decoded, full "
      "squashfs read, JFFS2/UBI CRCs)\n",
      best_c, ok ? "OK" : "PROBLEMS");
  if (best_b < 0) {
    fmt::print("binwalk:          not installed (apt install binwalk)\n");
    return 0;
  }
  fmt::print("binwalk -B:       {:8.3f} s  (signature scan only)\n", best_b);
  fmt::print("ratio:            camdump is {:.1f}x faster (best of {} runs each)\n", best_b / best_c, runs);
  return 0;
}
