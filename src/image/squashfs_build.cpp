// SPDX-License-Identifier: MIT
// SquashFS writer for synthetic images (see squashfs_build.hpp), on libsquashfs's writer API
// (squashfs-tools-ng 1.2, include/sqfs/*.h) in the order its own gensquashfs uses: superblock
// placeholder, compressor options, data blocks and fragments (sqfs_block_processor), inode table
// (sqfs_meta_writer), directory table (sqfs_dir_writer), fragment and id tables, final superblock.
// The image is assembled in memory (an sqfs_file_t over a byte vector) with one worker thread, so
// the same entries always give the same bytes. Inodes are numbered in post-order (children first,
// root last) as mksquashfs numbers them; the root's parent is inode count + 1, as mksquashfs writes.
#include "image/squashfs_build.hpp"

#include <sqfs/block.h>
#include <sqfs/block_processor.h>
#include <sqfs/block_writer.h>
#include <sqfs/compressor.h>
#include <sqfs/dir_writer.h>
#include <sqfs/error.h>
#include <sqfs/frag_table.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/meta_writer.h>
#include <sqfs/super.h>
#include <sys/stat.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>

#include "core/error.hpp"

namespace camdump::image {
namespace {

constexpr uint32_t kBlockSize = 128 * 1024;
constexpr size_t kDeviceBlock = 4096;  // the image is padded to this, as mksquashfs pads it
constexpr uint32_t kNoXattr = 0xffffffffu;

void check(int rc, const char* what) {
  if (rc < 0) fail(ErrorKind::Unsupported, std::string("synthetic squashfs: libsquashfs ") + what + " failed");
}
template <class T>
T* check_ptr(T* p, const char* what) {
  if (!p) fail(ErrorKind::Unsupported, std::string("synthetic squashfs: libsquashfs ") + what + " failed");
  return p;
}

struct SqfsDestroy {
  void operator()(void* p) const { sqfs_destroy(p); }
};
template <class T>
using SqfsPtr = std::unique_ptr<T, SqfsDestroy>;
struct SqfsFree {
  void operator()(void* p) const { sqfs_free(p); }
};
using InodePtr = std::unique_ptr<sqfs_inode_generic_t, SqfsFree>;

// The output "file": libsquashfs writes through this interface (sqfs/io.h); the base must come
// first so a sqfs_file_t* is a MemFile*. Owned by build_squashfs, so destroy does nothing.
struct MemFile {
  sqfs_file_t file{};
  std::vector<uint8_t> bytes;

  MemFile() {
    file.base.destroy = [](sqfs_object_t*) {};
    file.read_at = [](sqfs_file_t* f, sqfs_u64 off, void* buf, size_t n) {
      auto& b = reinterpret_cast<MemFile*>(f)->bytes;
      if (off > b.size() || n > b.size() - off) return static_cast<int>(SQFS_ERROR_OUT_OF_BOUNDS);
      std::memcpy(buf, b.data() + off, n);
      return 0;
    };
    file.write_at = [](sqfs_file_t* f, sqfs_u64 off, const void* buf, size_t n) {
      auto& b = reinterpret_cast<MemFile*>(f)->bytes;
      if (b.size() < off + n) b.resize(off + n);
      if (n) std::memcpy(b.data() + off, buf, n);
      return 0;
    };
    file.get_size = [](const sqfs_file_t* f) -> sqfs_u64 { return reinterpret_cast<const MemFile*>(f)->bytes.size(); };
    file.truncate = [](sqfs_file_t* f, sqfs_u64 size) {
      reinterpret_cast<MemFile*>(f)->bytes.resize(size);
      return 0;
    };
  }
};

struct Node {
  bool dir = true;
  uint16_t mode = 0755;
  const std::vector<uint8_t>* data = nullptr;
  std::map<std::string, std::unique_ptr<Node>> children;  // byte order, as squashfs requires
  uint32_t ino = 0, parent_ino = 0;
  uint64_t inode_ref = 0;                      // (metadata block << 16) | offset in the inode table
  sqfs_inode_generic_t* file_inode = nullptr;  // filled in by the block processor
  InodePtr owned;                              // takes file_inode once the processor is done

  uint16_t full_mode() const { return static_cast<uint16_t>((dir ? S_IFDIR : S_IFREG) | (mode & 07777)); }
};

// The tree the entries describe; parents of a path are created as directories (0755).
void insert(Node& root, const SquashEntry& e) {
  Node* cur = &root;
  size_t start = 0;
  while (start < e.path.size()) {
    const size_t slash = e.path.find('/', start);
    const bool last = slash == std::string::npos;
    std::string name = e.path.substr(start, last ? std::string::npos : slash - start);
    start = last ? e.path.size() : slash + 1;
    if (name.empty()) continue;
    auto& slot = cur->children[name];
    if (!slot) slot = std::make_unique<Node>();
    if (last) {
      slot->dir = e.directory;
      slot->mode = e.mode;
      slot->data = e.directory ? nullptr : &e.data;
    }
    cur = slot.get();
  }
}

void postorder(Node& n, std::vector<Node*>& out) {
  for (auto& [name, c] : n.children) postorder(*c, out);
  out.push_back(&n);
}

// Everything libsquashfs needs to write one image, created in gensquashfs's order.
struct Writer {
  MemFile out;
  sqfs_super_t super{};
  SqfsPtr<sqfs_compressor_t> cmp;
  SqfsPtr<sqfs_block_writer_t> blocks;
  SqfsPtr<sqfs_frag_table_t> frags;
  SqfsPtr<sqfs_block_processor_t> proc;
  SqfsPtr<sqfs_id_table_t> ids;
  SqfsPtr<sqfs_meta_writer_t> inodes, dirs;
  SqfsPtr<sqfs_dir_writer_t> dirw;

  Writer(uint32_t mkfs_time, int level) {
    sqfs_compressor_config_t cfg;
    check(sqfs_compressor_config_init(&cfg, SQFS_COMP_GZIP, kBlockSize, 0), "compressor config");
    cfg.level = static_cast<sqfs_u32>(level);
    sqfs_compressor_t* c = nullptr;
    check(sqfs_compressor_create(&cfg, &c), "zlib compressor");
    cmp.reset(c);
    check(sqfs_super_init(&super, kBlockSize, mkfs_time, SQFS_COMP_GZIP), "superblock");
    check(sqfs_super_write(&super, &out.file), "superblock");
    const int opt = cmp->write_options(cmp.get(), &out.file);  // > 0: an options block was written
    check(opt, "compressor options");
    if (opt > 0) super.flags |= SQFS_FLAG_COMPRESSOR_OPTIONS;
    blocks.reset(check_ptr(sqfs_block_writer_create(&out.file, kDeviceBlock, 0), "block writer"));
    frags.reset(check_ptr(sqfs_frag_table_create(0), "fragment table"));
    sqfs_block_processor_desc_t desc{};
    desc.size = sizeof(desc);
    desc.max_block_size = kBlockSize;
    desc.num_workers = 1;  // one worker: blocks are written in submission order (same bytes every run)
    desc.max_backlog = 8;
    desc.cmp = cmp.get();
    desc.wr = blocks.get();
    desc.tbl = frags.get();
    sqfs_block_processor_t* p = nullptr;
    check(sqfs_block_processor_create_ex(&desc, &p), "block processor");
    proc.reset(p);
    ids.reset(check_ptr(sqfs_id_table_create(0), "id table"));
    inodes.reset(check_ptr(sqfs_meta_writer_create(&out.file, cmp.get(), 0), "inode writer"));
    dirs.reset(
        check_ptr(sqfs_meta_writer_create(&out.file, cmp.get(), SQFS_META_WRITER_KEEP_IN_MEMORY), "directory writer"));
    dirw.reset(check_ptr(sqfs_dir_writer_create(dirs.get(), 0), "directory writer"));
  }
};

// File contents: whole blocks, the tail in a fragment; zlib where it shrinks, raw where not.
void write_data(Writer& w, const std::vector<Node*>& order) {
  for (Node* n : order) {
    if (n->dir) continue;
    check(sqfs_block_processor_begin_file(w.proc.get(), &n->file_inode, nullptr, 0), "begin file");
    if (!n->data->empty()) check(sqfs_block_processor_append(w.proc.get(), n->data->data(), n->data->size()), "append");
    check(sqfs_block_processor_end_file(w.proc.get()), "end file");
  }
  check(sqfs_block_processor_finish(w.proc.get()), "finish data");
  for (Node* n : order)
    if (!n->dir) n->owned.reset(n->file_inode);
}

// A directory's listing goes to the directory table; its inode comes back for the inode table.
InodePtr directory_inode(Writer& w, const Node& n) {
  check(sqfs_dir_writer_begin(w.dirw.get(), 0), "begin directory");
  uint32_t subdirs = 0;
  for (const auto& [name, c] : n.children) {
    check(sqfs_dir_writer_add_entry(w.dirw.get(), name.c_str(), c->ino, c->inode_ref, c->full_mode()), "dir entry");
    subdirs += c->dir;
  }
  check(sqfs_dir_writer_end(w.dirw.get()), "end directory");
  return InodePtr(
      check_ptr(sqfs_dir_writer_create_inode(w.dirw.get(), 2 + subdirs, kNoXattr, n.parent_ino), "dir inode"));
}

// Inodes in post-order, so every child's reference is known when its directory is listed.
void write_inodes(Writer& w, const std::vector<Node*>& order, uint32_t mkfs_time) {
  for (Node* n : order) {
    InodePtr inode = n->dir ? directory_inode(w, *n) : std::move(n->owned);
    inode->base.mode = n->full_mode();
    inode->base.mod_time = mkfs_time;
    inode->base.inode_number = n->ino;
    check(sqfs_id_table_id_to_index(w.ids.get(), 0, &inode->base.uid_idx), "uid");
    check(sqfs_id_table_id_to_index(w.ids.get(), 0, &inode->base.gid_idx), "gid");
    sqfs_u64 block = 0;
    sqfs_u32 offset = 0;
    sqfs_meta_writer_get_position(w.inodes.get(), &block, &offset);
    n->inode_ref = (block << 16) | offset;
    check(sqfs_meta_writer_write_inode(w.inodes.get(), inode.get()), "write inode");
  }
}

// Directory table, fragment and id tables, then the superblock that points at them all.
void write_tables(Writer& w, const Node& root) {
  auto& f = w.out.file;
  check(sqfs_meta_writer_flush(w.inodes.get()), "flush inodes");
  check(sqfs_meta_writer_flush(w.dirs.get()), "flush directories");
  w.super.root_inode_ref = root.inode_ref;
  w.super.directory_table_start = f.get_size(&f);
  check(sqfs_meta_write_write_to_file(w.dirs.get()), "write directories");
  check(sqfs_frag_table_write(w.frags.get(), &f, &w.super, w.cmp.get()), "fragment table");
  check(sqfs_id_table_write(w.ids.get(), &f, &w.super, w.cmp.get()), "id table");
  w.super.flags |= SQFS_FLAG_NO_XATTRS;
  w.super.bytes_used = f.get_size(&f);
  check(sqfs_super_write(&w.super, &f), "superblock");
}

}  // namespace

std::vector<uint8_t> build_squashfs(const std::vector<SquashEntry>& entries, uint32_t mkfs_time, int level) {
  Node root;
  for (const auto& e : entries) insert(root, e);
  std::vector<Node*> order;
  postorder(root, order);
  uint32_t next_ino = 1;
  for (Node* n : order) n->ino = next_ino++;
  for (Node* n : order)
    for (auto& [name, c] : n->children) c->parent_ino = n->ino;
  root.parent_ino = next_ino;

  Writer w(mkfs_time, level);
  write_data(w, order);
  w.super.inode_count = static_cast<uint32_t>(order.size());
  w.super.inode_table_start = w.out.bytes.size();
  write_inodes(w, order, mkfs_time);
  write_tables(w, root);
  auto img = std::move(w.out.bytes);
  img.resize((img.size() + kDeviceBlock - 1) / kDeviceBlock * kDeviceBlock, 0);
  return img;
}

}  // namespace camdump::image
