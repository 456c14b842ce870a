// SPDX-License-Identifier: MIT
// Fuzz the TFTP packet parser (tftp/packet.hpp): any datagram must parse or be refused with a
// reason, never crash; a parsed packet must build back to bytes that parse to the same packet.
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "tftp/packet.hpp"

using namespace camdump::tftp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = parse(std::span<const uint8_t>(data, size));
  if (r.packet.has_value() == !r.reason.empty()) std::abort();
  if (!r) return 0;
  std::vector<uint8_t> again;
  if (auto* q = std::get_if<Request>(&*r.packet)) again = build_request(*q);
  else if (auto* d = std::get_if<Data>(&*r.packet)) again = build_data(d->block, d->payload);
  else if (auto* a = std::get_if<Ack>(&*r.packet)) again = build_ack(a->block);
  else if (auto* e = std::get_if<ErrorPacket>(&*r.packet)) again = build_error(e->code, e->message);
  else if (auto* o = std::get_if<Oack>(&*r.packet)) again = build_oack(o->options);
  auto r2 = parse(again);
  if (!r2 || r2.packet->index() != r.packet->index()) std::abort();
  if (auto* q = std::get_if<Request>(&*r.packet)) {
    auto& q2 = std::get<Request>(*r2.packet);
    if (q2.filename != q->filename || q2.mode != q->mode || q2.options != q->options) std::abort();
  }
  (void)decode_options(std::holds_alternative<Oack>(*r.packet)      ? std::get<Oack>(*r.packet).options
                       : std::holds_alternative<Request>(*r.packet) ? std::get<Request>(*r.packet).options
                                                                    : std::vector<Option>{});
  return 0;
}
