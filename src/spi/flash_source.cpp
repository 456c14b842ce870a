// SPDX-License-Identifier: MIT
#include "spi/flash_source.hpp"

#include <cstring>

namespace camdump::spi {

NandSource::NandSource(SpiNand& nand, bool with_oob)
    : nand_(nand),
      stride_(with_oob ? nand.page_size() + nand.oob_size() : nand.page_size()),
      buf_(nand.page_size() + nand.oob_size()) {}

void NandSource::read(uint64_t off, std::span<uint8_t> out) {
  while (!out.empty()) {
    uint32_t page = uint32_t(off / stride_);
    EccState ecc = nand_.read_page(page, buf_);
    if (ecc == EccState::Failed) ecc_failed_.insert(page);
    else ecc_failed_.erase(page);
    if (ecc == EccState::Corrected) corrected_.insert(page);
    uint32_t ppb = nand_.chip().pages_per_block;
    if (page % ppb == 0) {  // factory mark: first OOB byte of the block's first page
      if (buf_[nand_.page_size()] != 0xFF) bad_blocks_.insert(page / ppb);
      else bad_blocks_.erase(page / ppb);
    }
    std::memcpy(out.data(), buf_.data(), stride_);
    out = out.subspan(stride_);
    off += stride_;
  }
}

}  // namespace camdump::spi
