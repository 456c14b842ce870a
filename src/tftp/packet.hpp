// SPDX-License-Identifier: MIT
// TFTP packets as bytes, both ways: RFC 1350 (RRQ, WRQ, DATA, ACK, ERROR) and RFC 2347 OACK with
// the options camdump negotiates: blksize (RFC 2348, 8..65464), timeout and tsize (RFC 2349),
// windowsize (RFC 7440, 1..65535). A pure codec: no sockets, no files. parse() never throws on
// garbage; it returns the packet or the reason it was refused. Used by the server (tftp/server),
// the virtual camera's `tftpput` (sim/) and the tests. Facts: docs/reference/tftp.md.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace camdump::tftp {

inline constexpr uint16_t kWellKnownPort = 69;                 ///< U-Boot WELL_KNOWN_PORT
inline constexpr uint32_t kDefaultBlksize = 512;               ///< RFC 1350
inline constexpr uint32_t kMinBlksize = 8;                     ///< RFC 2348
inline constexpr uint32_t kMaxBlksize = 65464;                 ///< RFC 2348
inline constexpr uint32_t kUbootBlksize = 1468;                ///< U-Boot CONFIG_TFTP_BLOCKSIZE default
inline constexpr uint32_t kMinTimeout = 1, kMaxTimeout = 255;  ///< RFC 2349, seconds
inline constexpr uint32_t kMaxWindowsize = 65535;              ///< RFC 7440
inline constexpr size_t kMaxPacket = 4 + kMaxBlksize;          ///< largest DATA packet

enum class Opcode : uint16_t { Rrq = 1, Wrq = 2, Data = 3, Ack = 4, Error = 5, Oack = 6 };

/// RFC 1350 error codes (+ 8 from RFC 2347). U-Boot stops on 1 and 2 and restarts on the others.
enum class ErrorCode : uint16_t {
  NotDefined = 0,
  FileNotFound = 1,
  AccessViolation = 2,
  DiskFull = 3,
  IllegalOperation = 4,
  UnknownTid = 5,
  FileExists = 6,
  NoSuchUser = 7,
  OptionRefused = 8,
};
const char* error_code_name(ErrorCode code) noexcept;

/// One option as it travels: name (lowercased when parsed; options are case-insensitive) and value.
struct Option {
  std::string name;
  std::string value;
  bool operator==(const Option&) const = default;
};

/// RRQ (write = false) or WRQ (write = true).
struct Request {
  bool write = false;
  std::string filename;
  std::string mode;  ///< lowercased: "octet", "netascii" (or "mail")
  std::vector<Option> options;
};
/// DATA. `payload` points into the buffer given to parse(); copy it before that buffer changes.
struct Data {
  uint16_t block = 0;
  std::span<const uint8_t> payload;
};
struct Ack {
  uint16_t block = 0;
};
struct ErrorPacket {
  ErrorCode code = ErrorCode::NotDefined;  ///< unknown numbers are kept as they came
  std::string message;
};
struct Oack {
  std::vector<Option> options;
};

using Packet = std::variant<Request, Data, Ack, ErrorPacket, Oack>;

/// What parse() gives: a packet, or the reason the bytes are not one.
struct ParseResult {
  std::optional<Packet> packet;
  std::string reason;  ///< empty on success
  explicit operator bool() const { return packet.has_value(); }
};

/// Decode one UDP payload. Never throws on malformed input (only std::bad_alloc is possible).
/// Refused: shorter than 4 bytes, unknown opcode, a request whose filename or mode is empty or not
/// NUL-terminated, an ERROR without a NUL-terminated message, an OACK option without value.
/// Tolerated (as common clients and servers do): an incomplete last option of a request (ignored),
/// a repeated option name (the first one counts), bytes after an ERROR message's NUL.
ParseResult parse(std::span<const uint8_t> bytes);

/// Opcode of a datagram without full parsing (nullopt when shorter than 2 bytes or unknown).
std::optional<Opcode> peek_opcode(std::span<const uint8_t> bytes) noexcept;

// ---- building ------------------------------------------------------------------------------
std::vector<uint8_t> build_request(const Request& req);
std::vector<uint8_t> build_rrq(std::string_view filename, const std::vector<Option>& options = {},
                               std::string_view mode = "octet");
std::vector<uint8_t> build_wrq(std::string_view filename, const std::vector<Option>& options = {},
                               std::string_view mode = "octet");
std::vector<uint8_t> build_data(uint16_t block, std::span<const uint8_t> payload);
/// Write the 4-byte DATA header into `out` (the hot path builds DATA in place).
void put_data_header(uint8_t* out, uint16_t block) noexcept;
std::vector<uint8_t> build_ack(uint16_t block);
/// Write a 4-byte ACK into `out`.
void put_ack(uint8_t* out, uint16_t block) noexcept;
std::vector<uint8_t> build_error(ErrorCode code, std::string_view message);
std::vector<uint8_t> build_oack(const std::vector<Option>& options);

// ---- options ---------------------------------------------------------------------------------
/// The options of a request or OACK that camdump understands, as numbers. Values outside the RFC
/// ranges (or not numbers) are left unset, which makes a server ignore them (RFC 2347 §"Negotiation").
struct Options {
  std::optional<uint32_t> blksize;     ///< RFC 2348, 8..65464
  std::optional<uint32_t> timeout;     ///< RFC 2349, 1..255 seconds
  std::optional<uint64_t> tsize;       ///< RFC 2349, bytes (0 in an RRQ asks for the size)
  std::optional<uint32_t> windowsize;  ///< RFC 7440, 1..65535
  bool operator==(const Options&) const = default;
};
Options decode_options(const std::vector<Option>& options);
/// The same options as name/value pairs in the order blksize, timeout, tsize, windowsize.
std::vector<Option> encode_options(const Options& options);

/// Decimal option value -> number; nullopt on anything else (sign, hex, spaces, overflow, empty).
std::optional<uint64_t> parse_option_number(std::string_view text) noexcept;

}  // namespace camdump::tftp
