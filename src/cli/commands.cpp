// SPDX-License-Identifier: MIT
#include "cli/commands.hpp"

namespace camdump::cli {

// One line per command (cli/cmd_<verb>.cpp). Keep alphabetical.
void register_combine(Command, Context&);
void register_compare(Command, Context&);
void register_demo(Command, Context&);
void register_dump_ch341a(Command, Context&);
void register_dump_sd(Command, Context&);
void register_dump_shell(Command, Context&);
void register_dump_tftp(Command, Context&);
void register_dump_uart(Command, Context&);
void register_extract(Command, Context&);
void register_hexlog(Command, Context&);
void register_inspect(Command, Context&);
void register_ports(Command, Context&);
void register_probe_ch341a(Command, Context&);
void register_restore_ch341a(Command, Context&);
void register_restore_sd(Command, Context&);
void register_restore_tftp(Command, Context&);
void register_restore_uart(Command, Context&);
void register_script(Command, Context&);
void register_sdcard(Command, Context&);
void register_tftpd(Command, Context&);

std::vector<Register> all_commands() {
  return {
      register_combine,      register_compare,      register_demo,         register_dump_ch341a,    register_dump_sd,
      register_dump_shell,   register_dump_tftp,    register_dump_uart,    register_extract,        register_hexlog,
      register_inspect,      register_ports,        register_probe_ch341a, register_restore_ch341a, register_restore_sd,
      register_restore_tftp, register_restore_uart, register_script,       register_sdcard,         register_tftpd,
  };
}

}  // namespace camdump::cli
