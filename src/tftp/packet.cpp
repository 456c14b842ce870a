// SPDX-License-Identifier: MIT
// TFTP packet codec (RFC 1350, 2347, 2348, 2349, 7440). See packet.hpp.
#include "tftp/packet.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace camdump::tftp {
namespace {

uint16_t be16(const uint8_t* p) noexcept { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v & 0xff));
}

void put_str(std::vector<uint8_t>& out, std::string_view s) {
  out.insert(out.end(), s.begin(), s.end());
  out.push_back(0);
}

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

/// Reads NUL-terminated strings from a byte range.
class StringReader {
 public:
  explicit StringReader(std::span<const uint8_t> b) : b_(b) {}
  /// The next string (without its NUL), or nullopt when no NUL follows.
  std::optional<std::string_view> next() {
    if (pos_ >= b_.size()) return std::nullopt;
    const uint8_t* start = b_.data() + pos_;
    const void* nul = std::memchr(start, 0, b_.size() - pos_);
    if (!nul) return std::nullopt;
    size_t len = static_cast<size_t>(static_cast<const uint8_t*>(nul) - start);
    pos_ += len + 1;
    return std::string_view(reinterpret_cast<const char*>(start), len);
  }
  bool at_end() const { return pos_ >= b_.size(); }

 private:
  std::span<const uint8_t> b_;
  size_t pos_ = 0;
};

ParseResult refuse(std::string reason) { return ParseResult{std::nullopt, std::move(reason)}; }

void add_option(std::vector<Option>& opts, std::string_view name, std::string_view value) {
  std::string n = lower(name);
  for (const Option& o : opts)
    if (o.name == n) return;  // the first one counts
  opts.push_back(Option{std::move(n), std::string(value)});
}

ParseResult parse_request(std::span<const uint8_t> body, bool write) {
  StringReader r(body);
  auto name = r.next();
  if (!name) return refuse("request: filename not NUL-terminated");
  if (name->empty()) return refuse("request: empty filename");
  auto mode = r.next();
  if (!mode) return refuse("request: mode not NUL-terminated");
  if (mode->empty()) return refuse("request: empty mode");
  Request req;
  req.write = write;
  req.filename = std::string(*name);
  req.mode = lower(*mode);
  while (!r.at_end()) {
    auto key = r.next();
    if (!key) break;  // trailing padding without NUL: ignored
    auto value = r.next();
    if (!value) break;  // incomplete last option: ignored
    if (key->empty()) continue;
    add_option(req.options, *key, *value);
  }
  return ParseResult{Packet{std::move(req)}, {}};
}

ParseResult parse_oack(std::span<const uint8_t> body) {
  StringReader r(body);
  Oack oack;
  while (!r.at_end()) {
    auto key = r.next();
    if (!key) return refuse("OACK: option name not NUL-terminated");
    auto value = r.next();
    if (!value) return refuse("OACK: option without value");
    if (key->empty()) return refuse("OACK: empty option name");
    add_option(oack.options, *key, *value);
  }
  return ParseResult{Packet{std::move(oack)}, {}};
}

}  // namespace

const char* error_code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::NotDefined: return "not defined";
    case ErrorCode::FileNotFound: return "file not found";
    case ErrorCode::AccessViolation: return "access violation";
    case ErrorCode::DiskFull: return "disk full or allocation exceeded";
    case ErrorCode::IllegalOperation: return "illegal TFTP operation";
    case ErrorCode::UnknownTid: return "unknown transfer ID";
    case ErrorCode::FileExists: return "file already exists";
    case ErrorCode::NoSuchUser: return "no such user";
    case ErrorCode::OptionRefused: return "option negotiation refused";
  }
  return "unknown error code";
}

std::optional<Opcode> peek_opcode(std::span<const uint8_t> bytes) noexcept {
  if (bytes.size() < 2) return std::nullopt;
  uint16_t op = be16(bytes.data());
  if (op < 1 || op > 6) return std::nullopt;
  return static_cast<Opcode>(op);
}

ParseResult parse(std::span<const uint8_t> bytes) {
  if (bytes.size() < 2) return refuse("shorter than an opcode");
  uint16_t op = be16(bytes.data());
  auto body = bytes.subspan(2);
  switch (op) {
    case 1: return parse_request(body, false);
    case 2: return parse_request(body, true);
    case 3:
      if (body.size() < 2) return refuse("DATA without block number");
      if (body.size() - 2 > kMaxBlksize) return refuse("DATA larger than the largest block size");
      return ParseResult{Packet{Data{be16(body.data()), body.subspan(2)}}, {}};
    case 4:
      if (body.size() < 2) return refuse("ACK without block number");
      return ParseResult{Packet{Ack{be16(body.data())}}, {}};
    case 5: {
      if (body.size() < 2) return refuse("ERROR without code");
      StringReader r(body.subspan(2));
      auto msg = r.next();
      std::string text;
      if (msg) {
        text = std::string(*msg);
      } else if (body.size() > 2) {
        return refuse("ERROR message not NUL-terminated");
      }  // a bare code without message is accepted (some stacks send it)
      return ParseResult{Packet{ErrorPacket{static_cast<ErrorCode>(be16(body.data())), std::move(text)}}, {}};
    }
    case 6: return parse_oack(body);
    default: return refuse("unknown opcode " + std::to_string(op));
  }
}

std::vector<uint8_t> build_request(const Request& req) {
  std::vector<uint8_t> out;
  out.reserve(4 + req.filename.size() + req.mode.size() + 16 * req.options.size());
  put16(out, static_cast<uint16_t>(req.write ? Opcode::Wrq : Opcode::Rrq));
  put_str(out, req.filename);
  put_str(out, req.mode);
  for (const Option& o : req.options) {
    put_str(out, o.name);
    put_str(out, o.value);
  }
  return out;
}

std::vector<uint8_t> build_rrq(std::string_view filename, const std::vector<Option>& options, std::string_view mode) {
  return build_request(Request{false, std::string(filename), std::string(mode), options});
}

std::vector<uint8_t> build_wrq(std::string_view filename, const std::vector<Option>& options, std::string_view mode) {
  return build_request(Request{true, std::string(filename), std::string(mode), options});
}

void put_data_header(uint8_t* out, uint16_t block) noexcept {
  out[0] = 0;
  out[1] = static_cast<uint8_t>(Opcode::Data);
  out[2] = static_cast<uint8_t>(block >> 8);
  out[3] = static_cast<uint8_t>(block & 0xff);
}

std::vector<uint8_t> build_data(uint16_t block, std::span<const uint8_t> payload) {
  std::vector<uint8_t> out(4 + payload.size());
  put_data_header(out.data(), block);
  if (!payload.empty()) std::memcpy(out.data() + 4, payload.data(), payload.size());
  return out;
}

void put_ack(uint8_t* out, uint16_t block) noexcept {
  out[0] = 0;
  out[1] = static_cast<uint8_t>(Opcode::Ack);
  out[2] = static_cast<uint8_t>(block >> 8);
  out[3] = static_cast<uint8_t>(block & 0xff);
}

std::vector<uint8_t> build_ack(uint16_t block) {
  std::vector<uint8_t> out(4);
  put_ack(out.data(), block);
  return out;
}

std::vector<uint8_t> build_error(ErrorCode code, std::string_view message) {
  std::vector<uint8_t> out;
  out.reserve(5 + message.size());
  put16(out, static_cast<uint16_t>(Opcode::Error));
  put16(out, static_cast<uint16_t>(code));
  // A NUL inside the message would end it early on the wire; cut there.
  put_str(out, message.substr(0, std::min(message.size(), message.find('\0'))));
  return out;
}

std::vector<uint8_t> build_oack(const std::vector<Option>& options) {
  std::vector<uint8_t> out;
  put16(out, static_cast<uint16_t>(Opcode::Oack));
  for (const Option& o : options) {
    put_str(out, o.name);
    put_str(out, o.value);
  }
  return out;
}

std::optional<uint64_t> parse_option_number(std::string_view text) noexcept {
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

Options decode_options(const std::vector<Option>& options) {
  Options o;
  for (const Option& opt : options) {
    auto v = parse_option_number(opt.value);
    if (!v) continue;
    const std::string name = lower(opt.name);
    if (name == "blksize" && *v >= kMinBlksize && *v <= kMaxBlksize) {
      o.blksize = static_cast<uint32_t>(*v);
    } else if (name == "timeout" && *v >= kMinTimeout && *v <= kMaxTimeout) {
      o.timeout = static_cast<uint32_t>(*v);
    } else if (name == "tsize") {
      o.tsize = *v;
    } else if (name == "windowsize" && *v >= 1 && *v <= kMaxWindowsize) {
      o.windowsize = static_cast<uint32_t>(*v);
    }
  }
  return o;
}

std::vector<Option> encode_options(const Options& o) {
  std::vector<Option> out;
  if (o.blksize) out.push_back({"blksize", std::to_string(*o.blksize)});
  if (o.timeout) out.push_back({"timeout", std::to_string(*o.timeout)});
  if (o.tsize) out.push_back({"tsize", std::to_string(*o.tsize)});
  if (o.windowsize) out.push_back({"windowsize", std::to_string(*o.windowsize)});
  return out;
}

}  // namespace camdump::tftp
