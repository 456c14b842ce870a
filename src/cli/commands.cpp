// SPDX-License-Identifier: MIT
#include "cli/commands.hpp"

namespace camdump::cli {

// One line per command (cli/cmd_<verb>.cpp). Keep alphabetical.
void register_combine(CLI::App&, Context&);
void register_compare(CLI::App&, Context&);
void register_demo(CLI::App&, Context&);
void register_dump_ch341a(CLI::App&, Context&);
void register_dump_sd(CLI::App&, Context&);
void register_dump_shell(CLI::App&, Context&);
void register_dump_tftp(CLI::App&, Context&);
void register_dump_uart(CLI::App&, Context&);
void register_extract(CLI::App&, Context&);
void register_hexlog(CLI::App&, Context&);
void register_inspect(CLI::App&, Context&);
void register_ports(CLI::App&, Context&);
void register_probe_ch341a(CLI::App&, Context&);
void register_restore_ch341a(CLI::App&, Context&);
void register_restore_sd(CLI::App&, Context&);
void register_restore_tftp(CLI::App&, Context&);
void register_restore_uart(CLI::App&, Context&);
void register_script(CLI::App&, Context&);
void register_sdcard(CLI::App&, Context&);
void register_tftpd(CLI::App&, Context&);

std::vector<Register> all_commands() {
  return {
      register_combine,      register_compare,      register_demo,         register_dump_ch341a,    register_dump_sd,
      register_dump_shell,   register_dump_tftp,    register_dump_uart,    register_extract,        register_hexlog,
      register_inspect,      register_ports,        register_probe_ch341a, register_restore_ch341a, register_restore_sd,
      register_restore_tftp, register_restore_uart, register_script,       register_sdcard,         register_tftpd,
  };
}

}  // namespace camdump::cli
