// SPDX-License-Identifier: MIT
// camdump's binary stub (src/stub, issue 8) inside the virtual camera: a `go` handler that
// recognises an uploaded stub image (code bytes identical to the embedded one, parameter block
// with the magic) at its entry address and then behaves like stub.c: hello, CRC-checked frames of
// the range (blank frames short), the end packet, re-requests until 'Q' or silence. The sim's
// noise option damages its output like any console output, so re-requests get exercised.
#pragma once
#include "sim/sim_camera.hpp"

namespace camdump::sim {

enum class SimStubMode {
  Normal,
  Silent,  ///< a stub that never answers (wrong UART address, dead CPU): returns rc 2 once the
           ///< host has been silent for a while, like stub.c's idle timeout
};

/// The stub as a `go` handler (what install_sim_stub adds).
GoHandler sim_stub_handler(SimStubMode mode = SimStubMode::Normal);
/// Lets this camera run the stub at `go` (replaces an earlier install on the same camera only).
void install_sim_stub(SimCamera& cam, SimStubMode mode = SimStubMode::Normal);
void uninstall_sim_stub(SimCamera& cam);
/// A camera's programs with the stub, for open_sim / SimTransport (every `sim:` port of the CLI).
GoPrograms with_sim_stub(SimStubMode mode = SimStubMode::Normal);

}  // namespace camdump::sim
