// SPDX-License-Identifier: MIT
#include "support/busybox_root.hpp"

#include <fmt/core.h>

#include <fstream>

namespace camdump::test {
namespace fs = std::filesystem;

namespace {

void put(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

}  // namespace

BusyboxRoot::BusyboxRoot(const std::vector<uint8_t>& image, const BusyboxRootOptions& opt) : login_(opt.login) {
  const fs::path root = tmp_.path();
  fs::create_directories(root / "bin");
  fs::copy_file("/bin/busybox", root / "bin/busybox");
  // Links for every applet: without /proc/self/exe (no procfs in the chroot) busybox's shell
  // cannot run its applets by itself, just as on a camera whose /bin holds the links.
  {
    const auto listing = root / "tmp/applets";
    fs::create_directories(root / "tmp");
    Process list = Process::spawn({"/bin/busybox", "--list"}, {.stdout_file = listing.string()});
    list.wait_exit(std::chrono::seconds(10));
    const std::string names = test::read_file(listing);
    size_t pos = 0;
    while (pos < names.size()) {
      size_t nl = names.find('\n', pos);
      if (nl == std::string::npos) nl = names.size();
      std::string n = names.substr(pos, nl - pos);
      pos = nl + 1;
      if (!n.empty() && n != "busybox" && !fs::exists(root / "bin" / n))
        fs::create_symlink("busybox", root / "bin" / n);
    }
  }
  for (const char* d : {"proc", "dev", "tmp", "etc", "mnt"}) fs::create_directories(root / d);

  std::string mtd = "dev:    size   erasesize  name\n";
  for (size_t i = 0; i < opt.parts.size(); ++i) {
    const auto& p = opt.parts[i];
    mtd += fmt::format("mtd{}: {:08x} {:08x} \"{}\"\n", i, p.size, 0x10000, p.name);
    std::ofstream f(root / fmt::format("dev/mtd{}", i), std::ios::binary);
    f.write(reinterpret_cast<const char*>(image.data() + p.offset), static_cast<std::streamsize>(p.size));
  }
  put(root / "proc/mtd", mtd);
  put(root / "proc/cmdline", "console=ttyS1,115200n8 mem=64M rootfstype=squashfs root=/dev/mtdblock4 " +
                                 (opt.mtdparts.empty() ? std::string() : "mtdparts=" + opt.mtdparts) + "\n");
  std::string mounts = "/dev/root / squashfs ro,relatime 0 0\nproc /proc proc rw 0 0\n";
  if (opt.sd_card) {
    fs::create_directories(root / "mnt/mmcblk0p1");
    mounts += "/dev/mmcblk0p1 /mnt/mmcblk0p1 vfat rw,relatime 0 0\n";
  }
  put(root / "proc/mounts", mounts);

  // The shell reads $ENV at start: applets to hide become functions that fail like a missing
  // command (busybox runs its own applets before PATH, so removing links would not hide them).
  std::string env = "PS1='[root@cam ~]# '\n";
  for (const auto& h : opt.hide) env += fmt::format("{0}() {{ echo \"sh: {0}: not found\" >&2; return 127; }}\n", h);
  put(root / "etc/shrc", env);
  put(root / "bin/login-sim",
      "#!/bin/sh\n"
      "stty sane 2>/dev/null  # as getty leaves a console: cooked, CR read as NL\n"
      "while true; do\n"
      "  printf 'cam login: '; read u\n"
      "  printf 'Password: '; read p\n"
      "  if [ \"$u\" = root ] && [ \"$p\" = secret ]; then exec /bin/sh -i; fi\n"
      "  echo 'Login incorrect'\n"
      "done\n");
  fs::permissions(root / "bin/login-sim", fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
}

std::string BusyboxRoot::port() const {
  std::string shell = login_ ? "/bin/login-sim" : "/bin/sh -i";
  return fmt::format("exec:chroot {} /bin/busybox env -i PATH=/bin HOME=/ ENV=/etc/shrc {}", tmp_.path().string(),
                     shell);
}

}  // namespace camdump::test
