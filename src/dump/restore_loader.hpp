// SPDX-License-Identifier: MIT
// The three ways a U-Boot restore puts the image's bytes into the camera's RAM (RestoreLoader,
// uboot_restore.hpp): `tftpboot ADDR IP:NAME` from camdump's built-in TFTP server, serving a
// private read-only directory (restore_loader_tftp.cpp); YMODEM to `loady ADDR` over the console
// itself (uboot/ymodem.hpp; works on every U-Boot that has loady, the stock Ingenic 2013.07 too);
// `mmc read ADDR BLK CNT` from an SD card that `camdump sdcard` prepared (image at block 16).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "dump/uboot_restore.hpp"
#include "tftp/server.hpp"
#include "uboot/stub_loader.hpp"
#include "uboot/ymodem.hpp"

namespace camdump::dump {

struct TftpLoaderOptions {
  std::string server_ip;                 ///< this PC as the camera reaches it (setenv serverip)
  std::optional<std::string> camera_ip;  ///< setenv ipaddr (else the camera's own)
  std::optional<std::string> netmask;
  std::string listen = "0.0.0.0:69";  ///< where the built-in server listens
};

class TftpbootLoader : public RestoreLoader {
 public:
  TftpbootLoader(TftpLoaderOptions o, const CancelFlag* cancel);
  ~TftpbootLoader() override;
  std::string name() const override { return "tftpboot"; }
  void prepare(uboot::UbootSession& s) override;
  void load(uboot::UbootSession& s, uint64_t ram, uint64_t flash_off, std::span<const uint8_t> data) override;

 private:
  void start();
  TftpLoaderOptions o_;
  const CancelFlag* cancel_;
  uint16_t port_ = 69;
  std::filesystem::path dir_;
  Reporter quiet_;  ///< the server thread logs nowhere (the engine reports what matters)
  std::unique_ptr<tftp::Server> server_;
  std::thread thread_;
  uint64_t serial_ = 0;
};

class YmodemLoader : public RestoreLoader {
 public:
  explicit YmodemLoader(uboot::ymodem::SendOptions o = {}) : o_(std::move(o)) {}
  std::string name() const override { return "loady"; }
  void prepare(uboot::UbootSession& s) override;
  void load(uboot::UbootSession& s, uint64_t ram, uint64_t flash_off, std::span<const uint8_t> data) override;
  uint64_t blocks = 0, resent = 0;

 private:
  uboot::ymodem::SendOptions o_;
};

/// `restore uart --method stub|auto`: the binary stub's receive mode (uboot/stub_upload.hpp) when
/// the SoC, the transport and U-Boot allow it (choose_uart_method, as `dump uart` decides), YMODEM
/// to loady otherwise and for any unit the stub could not deliver. A re-attach (camera reboot)
/// makes the stub be uploaded again.
class StubRestoreLoader : public RestoreLoader {
 public:
  StubRestoreLoader(bool required, std::optional<std::string> soc);
  ~StubRestoreLoader() override;
  std::string name() const override { return stub_ ? "stub" : "loady"; }
  void prepare(uboot::UbootSession& s) override;
  void load(uboot::UbootSession& s, uint64_t ram, uint64_t flash_off, std::span<const uint8_t> data) override;
  std::string reason;  ///< why the stub (or not)
  uint64_t stub_bytes = 0, fallbacks = 0;

 private:
  bool required_;
  std::optional<std::string> soc_;
  bool chosen_ = false;
  std::unique_ptr<uboot::StubLoader> stub_;
  YmodemLoader ymodem_;
};

/// The card holds the whole-flash image from 512-byte block `first_block` (16: `camdump sdcard`).
class MmcLoader : public RestoreLoader {
 public:
  MmcLoader(unsigned device_number, uint64_t first_block = 16) : dev_(device_number), first_(first_block) {}
  std::string name() const override { return "mmc read"; }
  void prepare(uboot::UbootSession& s) override;
  void load(uboot::UbootSession& s, uint64_t ram, uint64_t flash_off, std::span<const uint8_t> data) override;

 private:
  unsigned dev_;
  uint64_t first_;
};

}  // namespace camdump::dump
