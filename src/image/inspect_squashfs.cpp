// SPDX-License-Identifier: MIT
// squashfs check through libsquashfs (squashfs-tools-ng): superblock (docs/reference/image-formats.md#squashfs),
// bytes_used inside the partition, then every inode and every data/fragment block of every
// regular file is read and decompressed, so a single flipped bit in a compressed block is found
// and located. squashfs has no checksum of its own: a compressed block is checked only by its codec
// (zlib streams end in an Adler-32, xz blocks in a CRC-32; lzo/lz4 have none), and a block stored
// uncompressed (size word bit 24, squashfs_fs.h SQUASHFS_COMPRESSED_BIT_BLOCK) is checked by
// nothing, so those are counted for the verdict. The image is handed to libsquashfs as an in-memory sqfs_file_t (sqfs/io.h).
#include <sqfs/block.h>
#include <sqfs/compressor.h>
#include <sqfs/data_reader.h>
#include <sqfs/dir_reader.h>
#include <sqfs/error.h>
#include <sqfs/frag_table.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/super.h>

#include <cstring>
#include <memory>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "core/size.hpp"
#include "image/inspect_checks.hpp"
#include "image/inspect_util.hpp"

namespace camdump::image::detail {
namespace {

// A read-only sqfs_file_t over a byte range (the partition, so offsets are squashfs-relative).
struct MemFile {
  sqfs_file_t base;
  const uint8_t* data;
  uint64_t size;
};

int mem_read_at(sqfs_file_t* f, sqfs_u64 off, void* buf, size_t len) {
  auto* m = reinterpret_cast<MemFile*>(f);
  if (off > m->size || len > m->size - off) return SQFS_ERROR_OUT_OF_BOUNDS;
  std::memcpy(buf, m->data + off, len);
  return 0;
}
int mem_write_at(sqfs_file_t*, sqfs_u64, const void*, size_t) { return SQFS_ERROR_IO; }
sqfs_u64 mem_size(const sqfs_file_t* f) { return reinterpret_cast<const MemFile*>(f)->size; }
int mem_truncate(sqfs_file_t*, sqfs_u64) { return SQFS_ERROR_IO; }
void mem_destroy(sqfs_object_t*) {}

struct Destroy {
  void operator()(void* p) const { sqfs_destroy(p); }
};
template <class T>
using Obj = std::unique_ptr<T, Destroy>;

const char* err_text(int e) {
  switch (e) {
    case SQFS_ERROR_COMPRESSOR: return "fails to decompress";
    case SQFS_ERROR_CORRUPTED: return "is corrupted";
    case SQFS_ERROR_OUT_OF_BOUNDS: return "points outside the filesystem";
    case SQFS_ERROR_UNSUPPORTED: return "uses an unsupported feature";
    case SQFS_ERROR_ALLOC: return "cannot be read (out of memory)";
    default: return "cannot be read";
  }
}

// Walk the metadata blocks in [from, to) and name the first one that fails to decompress.
std::optional<uint64_t> bad_meta_block(MemFile& f, sqfs_compressor_t* cmp, uint64_t from, uint64_t to) {
  std::vector<uint8_t> out(8192);
  uint64_t pos = from;
  while (pos + 2 <= to && pos + 2 <= f.size) {
    uint16_t h = rd_le16(f.data + pos);
    uint32_t len = h & 0x7fff;
    if (len == 0 || len > 8192 || pos + 2 + len > f.size) return pos;
    if (!(h & 0x8000)) {
      sqfs_s32 r = cmp->do_block(cmp, f.data + pos + 2, len, out.data(), uint32_t(out.size()));
      if (r <= 0) return pos;
    }
    pos += 2 + len;
  }
  return std::nullopt;
}

struct Walker {
  sqfs_data_reader_t* data;
  sqfs_frag_table_t* frags;
  uint64_t base;  // absolute offset of the squashfs in the image
  const std::string& part;
  const CancelFlag* cancel;
  std::vector<Problem>& out;
  SquashfsInfo& info;
  bool ok = true;
  std::set<uint32_t> stored_frags;  // uncompressed fragment blocks counted once

  void file(const sqfs_tree_node_t* n) {
    const sqfs_inode_generic_t* ino = n->inode;
    sqfs_u64 loc = 0, fsize = 0;
    sqfs_inode_get_file_block_start(ino, &loc);
    sqfs_inode_get_file_size(ino, &fsize);
    info.file_bytes += fsize;
    ++info.files;
    const size_t count = sqfs_inode_get_file_block_count(ino);
    for (size_t i = 0; i < count; ++i) {
      check_cancel(cancel);
      const uint32_t sz = ino->extra[i];
      ++info.blocks;
      if ((sz & (1u << 24)) && SQFS_ON_DISK_BLOCK_SIZE(sz)) {  // stored as is: no codec checks it
        ++info.stored_blocks;
        info.stored_bytes += SQFS_ON_DISK_BLOCK_SIZE(sz);
      }
      size_t got = 0;
      sqfs_u8* buf = nullptr;
      int r = sqfs_data_reader_get_block(data, ino, i, &got, &buf);
      sqfs_free(buf);
      if (r != 0) {
        fail_at(base + loc,
                fmt::format("squashfs block at {} {} (file {}, block {})", hex(base + loc), err_text(r), name(n), i));
        return;
      }
      loc += SQFS_ON_DISK_BLOCK_SIZE(sz);
    }
    sqfs_u32 frag_index = 0, frag_off = 0;
    sqfs_inode_get_frag_location(ino, &frag_index, &frag_off);
    if (frag_index != 0xffffffffu && fsize % info.block_size != 0) {
      sqfs_fragment_t fe{};
      if (frags && sqfs_frag_table_lookup(frags, frag_index, &fe) == 0 && (fe.size & (1u << 24)) &&
          stored_frags.insert(frag_index).second) {
        ++info.stored_blocks;
        info.stored_bytes += SQFS_ON_DISK_BLOCK_SIZE(fe.size);
      }
      size_t got = 0;
      sqfs_u8* buf = nullptr;
      int r = sqfs_data_reader_get_fragment(data, ino, &got, &buf);
      sqfs_free(buf);
      if (r != 0) {
        sqfs_fragment_t fr{};
        uint64_t at = base;
        if (frags && sqfs_frag_table_lookup(frags, frag_index, &fr) == 0) at = base + fr.start_offset;
        fail_at(at, fmt::format("squashfs fragment block at {} {} (file {})", hex(at), err_text(r), name(n)));
      }
    }
  }
  static std::string name(const sqfs_tree_node_t* n) {
    char* p = nullptr;
    std::string s = sqfs_tree_node_get_path(n, &p) == 0 && p ? p : "?";
    sqfs_free(p);
    return s;
  }
  void fail_at(uint64_t at, std::string msg) {
    ok = false;
    // One problem per damaged block is enough; many files can share a fragment block.
    for (const auto& p : out)
      if (p.part == part && p.offset == at) return;
    out.push_back({part, at, std::move(msg)});
  }
  void walk(const sqfs_tree_node_t* n) {
    for (; n; n = n->next) {
      const auto t = n->inode->base.type;
      if (t == SQFS_INODE_FILE || t == SQFS_INODE_EXT_FILE) file(n);
      if (t == SQFS_INODE_DIR || t == SQFS_INODE_EXT_DIR) {
        ++info.dirs;
        walk(n->children);
      }
    }
  }
};

// The superblock's fields into `info`; false (with the problem) when it is cut off or claims
// more bytes than the part holds.
bool read_superblock(std::span<const uint8_t> img, uint64_t off, uint64_t end, const std::string& part,
                     SquashfsInfo& info, std::vector<Problem>& out) {
  if (off + 96 > end) {
    out.push_back({part, off, fmt::format("squashfs superblock at {} is cut off", hex(off))});
    return false;
  }
  const uint8_t* sb = img.data() + off;
  info.inodes = rd_le32(sb + 4);
  info.block_size = rd_le32(sb + 12);
  info.compression = rd_le16(sb + 20);
  info.bytes_used = rd_le64(sb + 40);
  if (info.bytes_used > end - off) {
    out.push_back({part, off,
                   fmt::format("squashfs at {} needs {} bytes (bytes_used) but only {} are "
                               "left in the part/image: truncated",
                               hex(off), info.bytes_used, end - off)});
    return false;
  }
  return true;
}

// Every file through libsquashfs (id table, fragment table, the full hierarchy, then the Walker):
// info.read_ok when all of it reads.
void read_tree(MemFile& f, const sqfs_super_t& super, sqfs_compressor_t* cmp, uint64_t off, const std::string& part,
               const CancelFlag* cancel, std::vector<Problem>& out, SquashfsInfo& info) {
  auto meta_problem = [&](const char* what, int r) {
    uint64_t limit = info.bytes_used;
    for (uint64_t t :
         {super.fragment_table_start, super.export_table_start, super.id_table_start, super.xattr_id_table_start})
      if (t > super.directory_table_start && t < limit) limit = t;
    auto bad = bad_meta_block(f, cmp, super.inode_table_start, limit);
    uint64_t at = off + (bad ? *bad : super.inode_table_start);
    out.push_back(
        {part, at,
         bad ? fmt::format("squashfs metadata block at {} {} ({})", hex(at), err_text(SQFS_ERROR_COMPRESSOR), what)
             : fmt::format("squashfs {} at {} {}", what, hex(at), err_text(r))});
  };
  Obj<sqfs_id_table_t> ids(sqfs_id_table_create(0));
  if (!ids) return;
  if (int r = sqfs_id_table_read(ids.get(), &f.base, &super, cmp); r != 0) {
    out.push_back({part, off + super.id_table_start,
                   fmt::format("squashfs id table at {} {}", hex(off + super.id_table_start), err_text(r))});
    return;
  }
  Obj<sqfs_dir_reader_t> dir(sqfs_dir_reader_create(&super, cmp, &f.base, 0));
  Obj<sqfs_data_reader_t> data(sqfs_data_reader_create(&f.base, super.block_size, cmp, 0));
  Obj<sqfs_frag_table_t> frags(sqfs_frag_table_create(0));
  if (!dir || !data || !frags) return;
  if (int r = sqfs_data_reader_load_fragment_table(data.get(), &super); r != 0) {
    meta_problem("fragment table", r);
    return;
  }
  sqfs_frag_table_read(frags.get(), &f.base, &super, cmp);
  sqfs_tree_node_t* root = nullptr;
  if (int r = sqfs_dir_reader_get_full_hierarchy(dir.get(), ids.get(), nullptr, 0, &root); r != 0) {
    meta_problem("inode/directory tables", r);
    return;
  }
  std::unique_ptr<sqfs_tree_node_t, void (*)(sqfs_tree_node_t*)> tree(root, sqfs_dir_tree_destroy);
  Walker w{data.get(), frags.get(), off, part, cancel, out, info};
  w.walk(root);
  info.read_ok = w.ok;
}

}  // namespace

SquashfsInfo check_squashfs(std::span<const uint8_t> img, uint64_t off, uint64_t end, const std::string& part,
                            bool read_files, const CancelFlag* cancel, std::vector<Problem>& out) {
  SquashfsInfo info;
  info.offset = off;
  end = std::min<uint64_t>(end, img.size());
  if (!read_superblock(img, off, end, part, info, out)) return info;
  const uint8_t* sb = img.data() + off;
  MemFile f{};
  f.base.base.destroy = mem_destroy;
  f.base.read_at = mem_read_at;
  f.base.write_at = mem_write_at;
  f.base.get_size = mem_size;
  f.base.truncate = mem_truncate;
  f.data = sb;
  f.size = info.bytes_used;
  sqfs_super_t super{};
  if (int r = sqfs_super_read(&super, &f.base); r != 0) {
    out.push_back({part, off, fmt::format("squashfs superblock at {} is invalid (libsquashfs error {})", hex(off), r)});
    return info;
  }
  sqfs_compressor_config_t cfg{};
  sqfs_compressor_t* raw_cmp = nullptr;
  if (sqfs_compressor_config_init(&cfg, SQFS_COMPRESSOR(super.compression_id), super.block_size,
                                  SQFS_COMP_FLAG_UNCOMPRESS) != 0 ||
      sqfs_compressor_create(&cfg, &raw_cmp) != 0) {
    out.push_back(
        {part, off, fmt::format("squashfs at {}: compressor {} not supported", hex(off), super.compression_id)});
    return info;
  }
  Obj<sqfs_compressor_t> cmp(raw_cmp);
  if ((super.flags & SQFS_FLAG_COMPRESSOR_OPTIONS) && cmp->read_options(cmp.get(), &f.base) != 0) {
    out.push_back({part, off + 96, fmt::format("squashfs compressor options at {} are corrupt", hex(off + 96))});
    return info;
  }
  if (!read_files) {
    info.read_ok = true;
    return info;
  }
  read_tree(f, super, cmp.get(), off, part, cancel, out, info);
  return info;
}

}  // namespace camdump::image::detail
