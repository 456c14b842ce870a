// SPDX-License-Identifier: MIT
// bench_synth_image OUT [MiB] [SEED]: write camdump's synthetic Thingino-like flash image (every
// part valid, so `camdump inspect` passes it) for the restore benchmark.
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "image/synth.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_synth_image OUT [MiB] [SEED]\n");
    return 2;
  }
  camdump::image::SynthOptions o;
  if (argc > 2) o.flash_size = std::strtoull(argv[2], nullptr, 10) << 20;
  if (argc > 3) o.seed = uint32_t(std::strtoul(argv[3], nullptr, 10));
  const auto img = camdump::image::make_thingino_image(o);
  std::ofstream f(argv[1], std::ios::binary);
  f.write(reinterpret_cast<const char*>(img.data()), std::streamsize(img.size()));
  return f ? 0 : 1;
}
