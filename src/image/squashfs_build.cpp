// SPDX-License-Identifier: MIT
// Minimal SquashFS 4.0 writer (see squashfs_build.hpp). Layout as mksquashfs writes it:
// superblock, data blocks, inode table, directory table, id table. Inodes are numbered in
// post-order (children first, root last) like mksquashfs. Metadata blocks are stored
// uncompressed (header bit 15), so every metadata position is known before anything is written.
#include "image/squashfs_build.hpp"

#include <zlib.h>

#include <map>
#include <memory>

#include "core/error.hpp"

namespace camdump::image {
namespace {

constexpr uint32_t kBlockSize = 128 * 1024;
constexpr uint32_t kMetaSize = 8192;
constexpr uint64_t kNone = ~0ull;

struct Node {
  bool dir = true;
  uint16_t mode = 0755;
  const std::vector<uint8_t>* data = nullptr;
  std::map<std::string, std::unique_ptr<Node>> children;  // byte order, as squashfs requires
  uint32_t ino = 0, parent_ino = 0;
  uint64_t inode_pos = 0;  // position in the uncompressed inode stream
  uint64_t dir_pos = 0;    // position of the listing in the uncompressed directory stream
  uint32_t dir_size = 0;   // listing bytes
  uint64_t blocks_start = 0;
  std::vector<uint32_t> block_sizes;
};

void put16(std::vector<uint8_t>& v, uint16_t x) {
  v.push_back(x & 0xff);
  v.push_back(x >> 8);
}
void put32(std::vector<uint8_t>& v, uint32_t x) {
  for (int i = 0; i < 4; ++i) v.push_back(x >> (8 * i));
}
void put64(std::vector<uint8_t>& v, uint64_t x) {
  for (int i = 0; i < 8; ++i) v.push_back(x >> (8 * i));
}
void set32(std::vector<uint8_t>& v, size_t at, uint32_t x) {
  for (int i = 0; i < 4; ++i) v[at + i] = x >> (8 * i);
}
void set64(std::vector<uint8_t>& v, size_t at, uint64_t x) {
  for (int i = 0; i < 8; ++i) v[at + i] = x >> (8 * i);
}
void set16(std::vector<uint8_t>& v, size_t at, uint16_t x) {
  v[at] = x & 0xff;
  v[at + 1] = x >> 8;
}

// Metadata reference of an uncompressed-stream position: (block start on disk << 16) | offset.
uint64_t meta_block_disk(uint64_t pos) { return (pos / kMetaSize) * (kMetaSize + 2); }
uint64_t meta_ref(uint64_t pos) { return (meta_block_disk(pos) << 16) | (pos % kMetaSize); }

void postorder(Node& n, std::vector<Node*>& out) {
  for (auto& [name, c] : n.children) postorder(*c, out);
  out.push_back(&n);
}

uint32_t inode_size(const Node& n) { return n.dir ? 32 : 32 + 4 * uint32_t(n.block_sizes.size()); }

void append_meta(std::vector<uint8_t>& img, const std::vector<uint8_t>& stream) {
  for (size_t at = 0; at < stream.size() || at == 0; at += kMetaSize) {
    size_t len = std::min<size_t>(kMetaSize, stream.size() - at);
    put16(img, uint16_t(0x8000 | len));
    img.insert(img.end(), stream.begin() + at, stream.begin() + at + len);
    if (stream.empty()) break;
  }
}

}  // namespace

std::vector<uint8_t> build_squashfs(const std::vector<SquashEntry>& entries, uint32_t mkfs_time, int level) {
  Node root;
  for (const auto& e : entries) {
    Node* cur = &root;
    size_t start = 0;
    while (start < e.path.size()) {
      size_t slash = e.path.find('/', start);
      bool last = slash == std::string::npos;
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
  std::vector<Node*> order;
  postorder(root, order);
  uint32_t next_ino = 1;
  for (Node* n : order) n->ino = next_ino++;
  for (Node* n : order)
    for (auto& [name, c] : n->children) c->parent_ino = n->ino;
  root.parent_ino = next_ino;

  std::vector<uint8_t> img(96, 0);
  // Data blocks, file by file.
  std::vector<uint8_t> zbuf(compressBound(kBlockSize));
  for (Node* n : order) {
    if (n->dir) continue;
    n->blocks_start = img.size();
    const auto& d = *n->data;
    for (size_t at = 0; at < d.size(); at += kBlockSize) {
      size_t len = std::min<size_t>(kBlockSize, d.size() - at);
      uLongf zlen = zbuf.size();
      if (compress2(zbuf.data(), &zlen, d.data() + at, len, level) == Z_OK && zlen < len) {
        img.insert(img.end(), zbuf.begin(), zbuf.begin() + zlen);
        n->block_sizes.push_back(uint32_t(zlen));
      } else {
        img.insert(img.end(), d.begin() + at, d.begin() + at + len);
        n->block_sizes.push_back(uint32_t(len) | (1u << 24));  // stored uncompressed
      }
    }
  }
  // Inode positions (sizes are known), then directory listings, then the inodes themselves.
  uint64_t pos = 0;
  for (Node* n : order) {
    n->inode_pos = pos;
    pos += inode_size(*n);
  }
  std::vector<uint8_t> dirs;
  for (Node* n : order) {
    if (!n->dir) continue;
    n->dir_pos = dirs.size();
    auto it = n->children.begin();
    while (it != n->children.end()) {
      // One header per run of entries whose inodes share a metadata block (max 256).
      uint64_t block = meta_block_disk(it->second->inode_pos);
      auto run_end = it;
      size_t count = 0;
      while (run_end != n->children.end() && count < 256 && meta_block_disk(run_end->second->inode_pos) == block) {
        ++run_end;
        ++count;
      }
      uint32_t base = it->second->ino;
      put32(dirs, uint32_t(count - 1));
      put32(dirs, uint32_t(block));
      put32(dirs, base);
      for (; it != run_end; ++it) {
        const Node& c = *it->second;
        put16(dirs, uint16_t(c.inode_pos % kMetaSize));
        put16(dirs, uint16_t(int16_t(int32_t(c.ino) - int32_t(base))));
        put16(dirs, c.dir ? 1 : 2);
        put16(dirs, uint16_t(it->first.size() - 1));
        dirs.insert(dirs.end(), it->first.begin(), it->first.end());
      }
    }
    n->dir_size = uint32_t(dirs.size() - n->dir_pos);
  }
  std::vector<uint8_t> inodes;
  for (Node* n : order) {
    put16(inodes, n->dir ? 1 : 2);
    put16(inodes, n->mode);
    put16(inodes, 0);  // uid index
    put16(inodes, 0);  // gid index
    put32(inodes, mkfs_time);
    put32(inodes, n->ino);
    if (n->dir) {
      uint32_t subdirs = 0;
      for (auto& [name, c] : n->children) subdirs += c->dir;
      put32(inodes, uint32_t(meta_block_disk(n->dir_pos)));
      put32(inodes, 2 + subdirs);
      if (n->dir_size + 3 > 0xffff) fail(ErrorKind::Unsupported, "synthetic squashfs: directory too large");
      put16(inodes, uint16_t(n->dir_size + 3));  // +3: the kernel counts "." and ".."
      put16(inodes, uint16_t(n->dir_pos % kMetaSize));
      put32(inodes, n->parent_ino);
    } else {
      put32(inodes, uint32_t(n->blocks_start));
      put32(inodes, 0xffffffffu);  // no fragment
      put32(inodes, 0);
      put32(inodes, uint32_t(n->data->size()));
      for (uint32_t b : n->block_sizes) put32(inodes, b);
    }
  }
  uint64_t inode_table = img.size();
  append_meta(img, inodes);
  uint64_t dir_table = img.size();
  append_meta(img, dirs);
  uint64_t id_meta = img.size();
  std::vector<uint8_t> ids;
  put32(ids, 0);
  append_meta(img, ids);
  uint64_t id_table = img.size();
  put64(img, id_meta);
  uint64_t bytes_used = img.size();

  set32(img, 0, 0x73717368);              // "hsqs"
  set32(img, 4, uint32_t(order.size()));  // inodes
  set32(img, 8, mkfs_time);
  set32(img, 12, kBlockSize);
  set32(img, 16, 0);                                  // fragments
  set16(img, 20, 1);                                  // zlib
  set16(img, 22, 17);                                 // block_log
  set16(img, 24, 0x0001 | 0x0010 | 0x0200 | 0x0800);  // uncompressed inodes/ids, no fragments/xattrs
  set16(img, 26, 1);                                  // no_ids
  set16(img, 28, 4);
  set16(img, 30, 0);
  set64(img, 32, meta_ref(root.inode_pos));
  set64(img, 40, bytes_used);
  set64(img, 48, id_table);
  set64(img, 56, kNone);  // xattr id table
  set64(img, 64, inode_table);
  set64(img, 72, dir_table);
  set64(img, 80, kNone);  // fragment table
  set64(img, 88, kNone);  // export table
  img.resize((img.size() + 4095) / 4096 * 4096, 0);
  return img;
}

}  // namespace camdump::image
