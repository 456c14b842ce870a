// SPDX-License-Identifier: MIT
// camdump's binary stub (src/stub, issue 8) inside the virtual camera: a `go` handler that
// recognises an uploaded stub image (code bytes identical to the embedded one, parameter block
// with the magic) at its entry address and then behaves like stub.c: hello, CRC-checked frames of
// the range (blank frames short), the end packet, re-requests until 'Q' or silence. The sim's
// noise option damages its output like any console output, so re-requests get exercised.
#pragma once

namespace camdump::sim {

enum class SimStubMode {
  Normal,
  Silent,  ///< a stub that never answers (wrong UART address, dead CPU): returns rc 2 once the
           ///< host has been silent for a while, like stub.c's idle timeout
};

/// Registers the handler (idempotent). Call before `go` is sent to a sim: camera.
void install_sim_stub(SimStubMode mode = SimStubMode::Normal);
/// Removes it again (tests).
void uninstall_sim_stub();

}  // namespace camdump::sim
