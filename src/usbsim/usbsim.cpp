// SPDX-License-Identifier: MIT
// libusb-1.0 entry points, answered by the emulated CH341A (ch341a::Ch341aEmu). LD_PRELOAD this
// into a program that drives a CH341A through libusb: it sees one device 1a86:5512 whose bulk
// endpoints 0x02/0x82 lead to the emulated chip given by CAMDUMP_SIM (same SPEC as --sim).
// Asynchronous transfers complete inside libusb_handle_events*(): OUT first, then IN in
// submission order, as the device would answer them. With CAMDUMP_SIM_STATS=FILE the bus
// counters (transfers, bytes, deepest IN queue, the chip's erase/program counts) are written to
// FILE at libusb_exit(); with save=FILE in CAMDUMP_SIM the flash is written there at libusb_exit()
// (and again when the process ends). Implemented: the calls flashrom (nm -D /usr/sbin/flashrom),
// ch341prog, SNANDer and camdump make, including libusb_kernel_driver_active and the standard
// GET_DESCRIPTOR control request (device, configuration and string descriptors), which every
// real CH341A answers (USB 2.0 spec §9.4.3).
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#pragma GCC visibility push(default)
#include <libusb.h>
#pragma GCC visibility pop

#include "ch341a/protocol.hpp"
#include "ch341a/sim_spec.hpp"
#include "core/error.hpp"

using namespace camdump;
using namespace camdump::ch341a;

// Opaque libusb objects: the addresses are all that programs ever see.
struct libusb_context {
  int dummy;
};
struct libusb_device {
  int dummy;
};
struct libusb_device_handle {
  int dummy;
};

namespace {

libusb_context g_ctx;
libusb_device g_dev;
libusb_device_handle g_handle;
std::unique_ptr<Ch341aEmu> g_emu;
bool g_tried = false;
int g_init_count = 0;
std::deque<libusb_transfer*> g_queue;  // submitted, not completed
std::deque<libusb_transfer*> g_cancelled;

constexpr uint8_t kBus = 1, kAddr = 7;

Ch341aEmu* emu() {
  if (!g_tried) {
    g_tried = true;
    const char* spec = std::getenv("CAMDUMP_SIM");
    if (!spec) {
      std::fprintf(stderr, "libcamdump-usbsim: CAMDUMP_SIM is not set; no CH341A present\n");
      return nullptr;
    }
    try {
      g_emu = make_emulator(parse_sim_spec(spec));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "libcamdump-usbsim: CAMDUMP_SIM: %s\n", e.what());
    }
  }
  return g_emu.get();
}

void write_stats() {
  const char* path = std::getenv("CAMDUMP_SIM_STATS");
  if (!path || !g_emu) return;
  if (FILE* f = std::fopen(path, "w")) {
    const auto& s = g_emu->stats();
    const auto c = g_emu->chip().counters();
    std::fprintf(f,
                 "{\"out_transfers\": %llu, \"in_transfers\": %llu, \"out_bytes\": %llu, "
                 "\"in_bytes\": %llu, \"spi_bytes\": %llu, \"max_in_flight\": %u, "
                 "\"sector_erases\": %llu, \"block_erases\": %llu, \"chip_erases\": %llu, "
                 "\"page_programs\": %llu, \"programmed_bytes\": %llu}\n",
                 (unsigned long long)s.out_transfers, (unsigned long long)s.in_transfers,
                 (unsigned long long)s.out_bytes, (unsigned long long)s.in_bytes, (unsigned long long)s.spi_bytes,
                 s.max_in_flight, (unsigned long long)c.sector_erases, (unsigned long long)c.block_erases,
                 (unsigned long long)c.chip_erases, (unsigned long long)c.page_programs,
                 (unsigned long long)c.programmed_bytes);
    std::fclose(f);
  }
}

libusb_transfer_status to_libusb(UsbStatus s) {
  switch (s) {
    case UsbStatus::Completed: return LIBUSB_TRANSFER_COMPLETED;
    case UsbStatus::TimedOut: return LIBUSB_TRANSFER_TIMED_OUT;
    case UsbStatus::Stall: return LIBUSB_TRANSFER_STALL;
    case UsbStatus::NoDevice: return LIBUSB_TRANSFER_NO_DEVICE;
    case UsbStatus::Overflow: return LIBUSB_TRANSFER_OVERFLOW;
    case UsbStatus::Cancelled: return LIBUSB_TRANSFER_CANCELLED;
    default: return LIBUSB_TRANSFER_ERROR;
  }
}

int to_error(UsbStatus s) {
  switch (s) {
    case UsbStatus::Completed: return 0;
    case UsbStatus::TimedOut: return LIBUSB_ERROR_TIMEOUT;
    case UsbStatus::Stall: return LIBUSB_ERROR_PIPE;
    case UsbStatus::NoDevice: return LIBUSB_ERROR_NO_DEVICE;
    case UsbStatus::Overflow: return LIBUSB_ERROR_OVERFLOW;
    default: return LIBUSB_ERROR_IO;
  }
}

UsbStatus run(libusb_transfer* t, size_t& actual) {
  std::span<uint8_t> buf(t->buffer, size_t(t->length));
  actual = 0;
  if (t->endpoint == kEpOut) {
    UsbStatus st = g_emu->bulk_out(buf);
    if (st == UsbStatus::Completed) actual = buf.size();
    return st;
  }
  if (t->endpoint == kEpIn) return g_emu->bulk_in(buf, actual);
  return UsbStatus::Stall;
}

void complete(libusb_transfer* t, libusb_transfer_status st, int actual) {
  t->status = st;
  t->actual_length = actual;
  if (t->callback) t->callback(t);
}

int process_events() {
  // Take the current queue; callbacks may submit more, which wait for the next call.
  std::deque<libusb_transfer*> cancelled;
  cancelled.swap(g_cancelled);
  for (auto* t : cancelled) complete(t, LIBUSB_TRANSFER_CANCELLED, 0);
  std::deque<libusb_transfer*> work;
  work.swap(g_queue);
  std::deque<libusb_transfer*> ins;
  for (auto* t : work) {
    if (t->endpoint & 0x80) {
      ins.push_back(t);
      continue;
    }
    size_t actual = 0;
    UsbStatus st = run(t, actual);
    complete(t, to_libusb(st), int(actual));
  }
  for (auto* t : ins) {
    size_t actual = 0;
    UsbStatus st = run(t, actual);
    g_emu->in_finished();
    complete(t, to_libusb(st), int(actual));  // TimedOut: the transfer's own timeout ran out
  }
  return 0;
}

}  // namespace

extern "C" {
#pragma GCC visibility push(default)

int libusb_init(libusb_context** ctx) {
  if (ctx) *ctx = &g_ctx;
  ++g_init_count;
  emu();
  return 0;
}

void libusb_exit(libusb_context*) {
  if (g_init_count > 0 && --g_init_count == 0) {
    write_stats();
    if (g_emu && !g_emu->save()) std::fprintf(stderr, "libcamdump-usbsim: could not write save= file\n");
  }
}

int libusb_set_option(libusb_context*, enum libusb_option, ...) { return 0; }
void libusb_set_debug(libusb_context*, int) {}

const char* libusb_error_name(int code) {
  switch (code) {
    case LIBUSB_SUCCESS: return "LIBUSB_SUCCESS";
    case LIBUSB_ERROR_IO: return "LIBUSB_ERROR_IO";
    case LIBUSB_ERROR_INVALID_PARAM: return "LIBUSB_ERROR_INVALID_PARAM";
    case LIBUSB_ERROR_ACCESS: return "LIBUSB_ERROR_ACCESS";
    case LIBUSB_ERROR_NO_DEVICE: return "LIBUSB_ERROR_NO_DEVICE";
    case LIBUSB_ERROR_NOT_FOUND: return "LIBUSB_ERROR_NOT_FOUND";
    case LIBUSB_ERROR_BUSY: return "LIBUSB_ERROR_BUSY";
    case LIBUSB_ERROR_TIMEOUT: return "LIBUSB_ERROR_TIMEOUT";
    case LIBUSB_ERROR_OVERFLOW: return "LIBUSB_ERROR_OVERFLOW";
    case LIBUSB_ERROR_PIPE: return "LIBUSB_ERROR_PIPE";
    case LIBUSB_ERROR_NOT_SUPPORTED: return "LIBUSB_ERROR_NOT_SUPPORTED";
    default: return "LIBUSB_ERROR_OTHER";
  }
}

const char* libusb_strerror(int code) { return libusb_error_name(code); }

ssize_t libusb_get_device_list(libusb_context*, libusb_device*** list) {
  bool present = emu() && emu()->present();
  auto** l = static_cast<libusb_device**>(std::calloc(2, sizeof(libusb_device*)));
  if (present) l[0] = &g_dev;
  *list = l;
  return present ? 1 : 0;
}

void libusb_free_device_list(libusb_device** list, int) { std::free(list); }
libusb_device* libusb_ref_device(libusb_device* d) { return d; }
void libusb_unref_device(libusb_device*) {}
uint8_t libusb_get_bus_number(libusb_device*) { return kBus; }
uint8_t libusb_get_device_address(libusb_device*) { return kAddr; }
libusb_device* libusb_get_device(libusb_device_handle*) { return &g_dev; }

int libusb_get_device_descriptor(libusb_device*, libusb_device_descriptor* d);
int libusb_get_config_descriptor(libusb_device*, uint8_t index, libusb_config_descriptor** config);

int libusb_get_device_descriptor(libusb_device*, libusb_device_descriptor* d) {
  std::memset(d, 0, sizeof(*d));
  d->bLength = LIBUSB_DT_DEVICE_SIZE;
  d->bDescriptorType = LIBUSB_DT_DEVICE;
  d->bcdUSB = 0x0110;
  d->bDeviceClass = 0xFF;
  d->bMaxPacketSize0 = 8;
  d->idVendor = kVid;
  d->idProduct = kPid;
  d->bcdDevice = 0x0304;
  d->iProduct = 2;
  d->bNumConfigurations = 1;
  return 0;
}

int libusb_get_config_descriptor(libusb_device*, uint8_t index, libusb_config_descriptor** config) {
  if (index != 0) return LIBUSB_ERROR_NOT_FOUND;
  static libusb_endpoint_descriptor eps[3] = {};
  const uint8_t addrs[3] = {0x82, 0x02, 0x81};
  const uint16_t sizes[3] = {32, 32, 8};
  for (int i = 0; i < 3; ++i) {
    eps[i].bLength = LIBUSB_DT_ENDPOINT_SIZE;
    eps[i].bDescriptorType = LIBUSB_DT_ENDPOINT;
    eps[i].bEndpointAddress = addrs[i];
    eps[i].bmAttributes = i == 2 ? LIBUSB_TRANSFER_TYPE_INTERRUPT : LIBUSB_TRANSFER_TYPE_BULK;
    eps[i].wMaxPacketSize = sizes[i];
  }
  static libusb_interface_descriptor alt = {};
  alt.bLength = LIBUSB_DT_INTERFACE_SIZE;
  alt.bDescriptorType = LIBUSB_DT_INTERFACE;
  alt.bNumEndpoints = 3;
  alt.bInterfaceClass = 0xFF;
  alt.endpoint = eps;
  static libusb_interface itf = {&alt, 1};
  static libusb_config_descriptor cfg = {};
  cfg.bLength = LIBUSB_DT_CONFIG_SIZE;
  cfg.bDescriptorType = LIBUSB_DT_CONFIG;
  cfg.bNumInterfaces = 1;
  cfg.bConfigurationValue = 1;
  cfg.MaxPower = 49;
  cfg.interface = &itf;
  *config = &cfg;
  return 0;
}

void libusb_free_config_descriptor(libusb_config_descriptor*) {}

int libusb_open(libusb_device*, libusb_device_handle** h) {
  if (!emu() || !emu()->present()) return LIBUSB_ERROR_NO_DEVICE;
  *h = &g_handle;
  return 0;
}

libusb_device_handle* libusb_open_device_with_vid_pid(libusb_context*, uint16_t vid, uint16_t pid) {
  if (vid != kVid || pid != kPid || !emu() || !emu()->present()) return nullptr;
  return &g_handle;
}

void libusb_close(libusb_device_handle*) {}
int libusb_claim_interface(libusb_device_handle*, int n) { return n == 0 ? 0 : LIBUSB_ERROR_NOT_FOUND; }
int libusb_release_interface(libusb_device_handle*, int) { return 0; }
// No kernel driver binds the CH341A's vendor-class interface 0 in parallel mode: report none.
int libusb_kernel_driver_active(libusb_device_handle*, int n) { return n == 0 ? 0 : LIBUSB_ERROR_NOT_FOUND; }
int libusb_detach_kernel_driver(libusb_device_handle*, int) { return LIBUSB_ERROR_NOT_FOUND; }
int libusb_attach_kernel_driver(libusb_device_handle*, int) { return LIBUSB_ERROR_NOT_FOUND; }
int libusb_set_auto_detach_kernel_driver(libusb_device_handle*, int) { return 0; }
int libusb_set_configuration(libusb_device_handle*, int) { return 0; }
int libusb_get_configuration(libusb_device_handle*, int* c) { return *c = 1, 0; }
int libusb_set_interface_alt_setting(libusb_device_handle*, int, int) { return 0; }

int libusb_get_string_descriptor_ascii(libusb_device_handle*, uint8_t index, unsigned char* data, int length) {
  const char* s = index == 2 ? "USB UART-LPT" : "";
  int n = int(std::strlen(s));
  if (n >= length) n = length - 1;
  if (n < 0) return LIBUSB_ERROR_INVALID_PARAM;
  std::memcpy(data, s, size_t(n));
  data[n] = 0;
  return n;
}

// Standard GET_DESCRIPTOR (bmRequestType 0x80, bRequest 6, wValue = type << 8 | index): the
// descriptors above in their wire form (USB 2.0 §9.6). ch341prog reads the device descriptor this
// way for the chip revision. Everything else stalls: the SPI mode uses the bulk endpoints only.
int libusb_control_transfer(libusb_device_handle*, uint8_t request_type, uint8_t request, uint16_t value, uint16_t,
                            unsigned char* data, uint16_t length, unsigned int) {
  if (!emu() || !emu()->present()) return LIBUSB_ERROR_NO_DEVICE;
  if (request_type != 0x80 || request != LIBUSB_REQUEST_GET_DESCRIPTOR) return LIBUSB_ERROR_PIPE;
  std::vector<uint8_t> d;
  const uint8_t type = uint8_t(value >> 8), index = uint8_t(value);
  auto u16 = [&](uint16_t v) { d.push_back(uint8_t(v)), d.push_back(uint8_t(v >> 8)); };
  if (type == LIBUSB_DT_DEVICE) {
    libusb_device_descriptor dd;
    libusb_get_device_descriptor(&g_dev, &dd);
    d = {dd.bLength, dd.bDescriptorType};
    u16(dd.bcdUSB);
    d.insert(d.end(), {dd.bDeviceClass, dd.bDeviceSubClass, dd.bDeviceProtocol, dd.bMaxPacketSize0});
    u16(dd.idVendor), u16(dd.idProduct), u16(dd.bcdDevice);
    d.insert(d.end(), {dd.iManufacturer, dd.iProduct, dd.iSerialNumber, dd.bNumConfigurations});
  } else if (type == LIBUSB_DT_CONFIG && index == 0) {
    libusb_config_descriptor* c = nullptr;
    libusb_get_config_descriptor(&g_dev, 0, &c);
    const libusb_interface_descriptor& a = c->interface[0].altsetting[0];
    d = {c->bLength, c->bDescriptorType, 0, 0, c->bNumInterfaces, c->bConfigurationValue, c->iConfiguration,
         0x80,       c->MaxPower};
    d.insert(d.end(), {a.bLength, a.bDescriptorType, a.bInterfaceNumber, a.bAlternateSetting, a.bNumEndpoints,
                       a.bInterfaceClass, a.bInterfaceSubClass, a.bInterfaceProtocol, a.iInterface});
    for (int i = 0; i < a.bNumEndpoints; ++i) {
      const libusb_endpoint_descriptor& e = a.endpoint[i];
      d.insert(d.end(), {e.bLength, e.bDescriptorType, e.bEndpointAddress, e.bmAttributes});
      u16(e.wMaxPacketSize);
      d.push_back(e.bInterval);
    }
    d[2] = uint8_t(d.size()), d[3] = uint8_t(d.size() >> 8);  // wTotalLength
  } else if (type == LIBUSB_DT_STRING && index == 0) {
    d = {4, LIBUSB_DT_STRING, 0x09, 0x04};  // one language: 0x0409 (US English)
  } else if (type == LIBUSB_DT_STRING && index == 2) {
    const char* s = "USB UART-LPT";
    d = {uint8_t(2 + 2 * std::strlen(s)), LIBUSB_DT_STRING};
    for (const char* p = s; *p; ++p) u16(uint16_t(*p));
  } else {
    return LIBUSB_ERROR_PIPE;
  }
  const size_t n = std::min<size_t>(d.size(), length);
  if (n) std::memcpy(data, d.data(), n);
  return int(n);
}

int libusb_interrupt_transfer(libusb_device_handle*, unsigned char, unsigned char*, int, int* transferred,
                              unsigned int) {
  if (transferred) *transferred = 0;
  return LIBUSB_ERROR_TIMEOUT;
}

int libusb_bulk_transfer(libusb_device_handle*, unsigned char ep, unsigned char* data, int length, int* transferred,
                         unsigned int) {
  if (!g_emu) return LIBUSB_ERROR_NO_DEVICE;
  size_t actual = 0;
  UsbStatus st;
  if (ep == kEpOut) {
    st = g_emu->bulk_out(std::span<const uint8_t>(data, size_t(length)));
    if (st == UsbStatus::Completed) actual = size_t(length);
  } else if (ep == kEpIn) {
    st = g_emu->bulk_in(std::span<uint8_t>(data, size_t(length)), actual);
  } else {
    st = UsbStatus::Stall;
  }
  if (transferred) *transferred = int(actual);
  return to_error(st);
}

libusb_transfer* libusb_alloc_transfer(int iso_packets) {
  size_t sz = sizeof(libusb_transfer) + sizeof(libusb_iso_packet_descriptor) * size_t(iso_packets);
  return static_cast<libusb_transfer*>(std::calloc(1, sz));
}

void libusb_free_transfer(libusb_transfer* t) {
  if (!t) return;
  if ((t->flags & LIBUSB_TRANSFER_FREE_BUFFER) && t->buffer) std::free(t->buffer);
  std::free(t);
}

int libusb_submit_transfer(libusb_transfer* t) {
  if (!g_emu || !g_emu->present()) return LIBUSB_ERROR_NO_DEVICE;
  if (t->type != LIBUSB_TRANSFER_TYPE_BULK) return LIBUSB_ERROR_NOT_SUPPORTED;
  if (t->endpoint & 0x80) g_emu->in_submitted();
  g_queue.push_back(t);
  return 0;
}

int libusb_cancel_transfer(libusb_transfer* t) {
  for (auto it = g_queue.begin(); it != g_queue.end(); ++it)
    if (*it == t) {
      if (t->endpoint & 0x80) g_emu->in_finished();
      g_queue.erase(it);
      g_cancelled.push_back(t);
      return 0;
    }
  return LIBUSB_ERROR_NOT_FOUND;
}

int libusb_handle_events_timeout_completed(libusb_context*, struct timeval*, int*) { return process_events(); }
int libusb_handle_events_timeout(libusb_context*, struct timeval*) { return process_events(); }
int libusb_handle_events(libusb_context*) { return process_events(); }
int libusb_handle_events_completed(libusb_context*, int*) { return process_events(); }

#pragma GCC visibility pop
}  // extern "C"
