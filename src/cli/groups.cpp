// SPDX-License-Identifier: MIT
#include "cli/groups.hpp"

namespace camdump::cli {

Command dump_group(Command app) {
  return app.group("dump",
                   "Dump a camera's flash by one of the routes (uart, tftp, shell, sd, ch341a); "
                   "every route verifies against a checksum from the device");
}

Command probe_group(Command app) { return app.group("probe", "Identify a flash chip through a programmer (ch341a)"); }

Command restore_group(Command app) {
  return app.group("restore",
                   "Write a verified dump back to the flash (ch341a): only what differs, boot region last, "
                   "backup first, every unit read back");
}

}  // namespace camdump::cli
