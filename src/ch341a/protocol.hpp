// SPDX-License-Identifier: MIT
// The CH341A's SPI-mode wire protocol as a pure codec (no USB here): command bytes, pin values,
// bit reversal, and the packetising of one SPI frame into the OUT stream and back out of the IN
// stream. Facts: docs/reference/ch341a.md (flashrom programmers/ch341a_spi.c, SNANDer).
//
// One frame on the wire = a 32-byte CS "pluck" packet (AB: CS high, high, high, low, END; zero
// padded) followed by 0xA8 packets of ≤31 bytes each, bit-reversed (the chip shifts LSB first).
// The device answers each 0xA8 packet with exactly as many bytes as it clocked.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace camdump::ch341a {

inline constexpr uint16_t kVid = 0x1A86, kPid = 0x5512, kPidSerial = 0x5523;
inline constexpr uint8_t kEpOut = 0x02, kEpIn = 0x82;
inline constexpr size_t kPacket = 32;                         ///< wMaxPacketSize of EP 0x02 / 0x82
inline constexpr size_t kPayload = 31;                        ///< SPI bytes behind one 0xA8
inline constexpr size_t kMaxTransaction = size_t{16} * 1024;  ///< larger ones overrun 1 s on real boards
inline constexpr unsigned kTimeoutMs = 1000;                  ///< flashrom USB_TIMEOUT

inline constexpr uint8_t kCmdSpiStream = 0xA8, kCmdI2cStream = 0xAA, kCmdUioStream = 0xAB;
inline constexpr uint8_t kI2cSet = 0x60, kI2cEnd = 0x00, kSpeed100k = 0x01;
inline constexpr uint8_t kUioIn = 0x00, kUioDir = 0x40, kUioOut = 0x80, kUioUs = 0xC0, kUioEnd = 0x20;
/// D0 = CS0, D3 = SCK, D5 = MOSI; 0x37: all CS high, SCK low, DOUT high; 0x36: CS0 asserted.
inline constexpr uint8_t kPinsIdle = 0x37, kPinsSelect = 0x36;

/// Bit reversal of one byte (0x9F <-> 0xF9).
uint8_t reverse_byte(uint8_t b) noexcept;

/// `AA 61 00`: stream mode, single SPI, 100 kHz I2C setting (as flashrom).
std::vector<uint8_t> config_stream_packet();
/// Pins on: `AB B7 7F 20` (CS high, D0..D5 outputs); off: `AB B7 40 20` (all inputs).
std::vector<uint8_t> enable_pins_packet(bool on);

/// Bytes of the OUT stream for a frame clocking `n` bytes (pluck packet + 0xA8 packets).
size_t frame_out_size(size_t n) noexcept;
/// Largest `write.size() + read_len` one frame may clock within kMaxTransaction.
size_t max_frame_bytes() noexcept;
/// Append the OUT stream of one frame: `write` then `read_len` 0xFF filler bytes.
/// Returns the IN length (write.size() + read_len).
size_t encode_frame(std::span<const uint8_t> write, size_t read_len, std::vector<uint8_t>& out);
/// Take the frame's IN stream and produce the read bytes (drop `write_len`, reverse the rest).
void decode_frame(std::span<const uint8_t> in, size_t write_len, std::span<uint8_t> read);

}  // namespace camdump::ch341a
