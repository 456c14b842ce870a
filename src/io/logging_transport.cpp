// SPDX-License-Identifier: MIT
// Transcript-writing Transport decorator.
#include "io/logging_transport.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "core/error.hpp"
#include "core/errno_text.hpp"

namespace camdump::io {
namespace {
constexpr size_t kMaxRecord = 256;
// Set by write_secret() for the duration of one write: decorators between the caller and the
// transcript (the CLI's progress tap, ...) forward the write on the same thread.
thread_local const std::string* t_secret_label = nullptr;

void append_escaped(std::string& out, uint8_t b) {
  static const char* hex = "0123456789abcdef";
  switch (b) {
    case '\\': out += "\\\\"; break;
    case '"': out += "\\\""; break;
    case '\r': out += "\\r"; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    default:
      if (b >= 0x20 && b < 0x7f) {
        out += static_cast<char>(b);
      } else {
        out += "\\x";
        out += hex[b >> 4];
        out += hex[b & 15];
      }
  }
}
}  // namespace

std::string escape_transcript(std::span<const uint8_t> data) {
  std::string s;
  for (uint8_t b : data) append_escaped(s, b);
  return s;
}

LoggingTransport::LoggingTransport(std::unique_ptr<Transport> inner, const std::string& path)
    : inner_(std::move(inner)) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0 || !(file_ = ::fdopen(fd, "a"))) {
    int e = errno;
    if (fd >= 0) ::close(fd);
    fail(e == EACCES ? ErrorKind::Permission : ErrorKind::Io, "cannot open log file " + path + ": " + errno_text(e),
         "choose a writable path for --log");
  }
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  char when[64];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", ::gmtime_r(&now, &utc));
  std::fprintf(file_, "# camdump transcript: %s, opened %s\n", inner_->describe().c_str(), when);
  std::fflush(file_);
}

LoggingTransport::~LoggingTransport() {
  if (!file_) return;
  if (!rx_hold_.empty()) record_rx({}, true);
  std::fill(secret_.begin(), secret_.end(), '\0');
  end_record();
  std::fprintf(file_, "# closed after %llu bytes received, %llu sent\n", static_cast<unsigned long long>(rx_bytes()),
               static_cast<unsigned long long>(tx_bytes()));
  std::fclose(file_);
}

void LoggingTransport::end_record() {
  if (dir_ == 0) return;
  std::fputs("\"\n", file_);
  dir_ = 0;
  rec_len_ = 0;
}

void LoggingTransport::note(const std::string& text) {
  end_record();
  std::fprintf(file_, "# %s\n", text.c_str());
  std::fflush(file_);
}

void LoggingTransport::record(char dir, std::span<const uint8_t> data) {
  std::string out;
  out.reserve(data.size() + 32);
  for (uint8_t b : data) put(out, dir, b, nullptr);
  std::fwrite(out.data(), 1, out.size(), file_);
}

// One byte (or, with `marker`, a text written as is) into the open record of direction `dir`.
void LoggingTransport::put(std::string& out, char dir, uint8_t b, const char* marker) {
  if (dir_ != dir || rec_len_ >= kMaxRecord) {
    if (dir_ != 0) out += "\"\n";
    double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    char head[48];
    std::snprintf(head, sizeof head, "+%.3f %s \"", t, dir == 'R' ? "RX" : "TX");
    out += head;
    dir_ = dir;
    rec_len_ = 0;
  }
  if (marker) {
    out += marker;
    ++rec_len_;
    return;
  }
  append_escaped(out, b);
  ++rec_len_;
  if (b == '\n') {
    out += "\"\n";
    dir_ = 0;
    rec_len_ = 0;
  }
}

// A camera may echo the password back (a console login whose terminal echo is on): received bytes
// are held while they could still be the start of the secret, and every whole copy of it is
// recorded as <password elided>. `all`: flush what is held (a held prefix is masked too).
void LoggingTransport::record_rx(std::span<const uint8_t> data, bool all) {
  if (secret_.empty()) {
    record('R', data);
    return;
  }
  rx_hold_.append(reinterpret_cast<const char*>(data.data()), data.size());
  std::string out;
  size_t i = 0;
  const std::string marker = "<" + secret_label_ + " elided>";
  while (i < rx_hold_.size()) {
    if (rx_hold_.compare(i, secret_.size(), secret_) == 0) {
      put(out, 'R', 0, marker.c_str());
      i += secret_.size();
      continue;
    }
    const size_t left = rx_hold_.size() - i;
    if (left < secret_.size() && secret_.compare(0, left, rx_hold_, i, left) == 0) {
      if (!all) break;  // maybe the start of an echo: wait for more
      put(out, 'R', 0, marker.c_str());
      i = rx_hold_.size();
      break;
    }
    put(out, 'R', static_cast<uint8_t>(rx_hold_[i]), nullptr);
    ++i;
  }
  rx_hold_.erase(0, i);
  std::fwrite(out.data(), 1, out.size(), file_);
}

bool LoggingTransport::set_baud(uint32_t baud) {
  bool ok = inner_->set_baud(baud);
  note("set_baud " + std::to_string(baud) + (ok ? " ok" : " refused"));
  return ok;
}

size_t LoggingTransport::do_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) {
  size_t n;
  try {
    n = inner_->read(buf, timeout);
  } catch (const std::exception& e) {
    note(std::string("read error: ") + e.what());
    throw;
  }
  if (n == 0) {
    std::fflush(file_);  // idle: make the transcript current
    return 0;
  }
  record_rx(buf.first(n), false);
  return n;
}

void LoggingTransport::do_write(std::span<const uint8_t> data) {
  if (!rx_hold_.empty()) record_rx({}, true);
  if (elide_.empty() && t_secret_label) elide_ = *t_secret_label;
  if (!elide_.empty()) {  // remember the secret (without its line end) to elide its echo
    std::string sec(reinterpret_cast<const char*>(data.data()), data.size());
    while (!sec.empty() && (sec.back() == '\r' || sec.back() == '\n')) sec.pop_back();
    if (!sec.empty()) {
      std::fill(secret_.begin(), secret_.end(), '\0');
      secret_ = std::move(sec);
      secret_label_ = elide_;
    }
  }
  if (elide_.empty()) {
    record('T', data);
  } else {
    end_record();
    double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::fprintf(file_, "+%.3f TX <%s elided>\n", t, elide_.c_str());
  }
  std::fflush(file_);
  if (t_secret_label) elide_.clear();
  inner_->write(data);
}

void LoggingTransport::write_elided(std::span<const uint8_t> data, std::string_view label) {
  elide_ = label.empty() ? "secret" : std::string(label);
  try {
    write(data);
  } catch (...) {
    elide_.clear();
    throw;
  }
  elide_.clear();
}

void write_secret(Transport& t, std::span<const uint8_t> data, std::string_view label) {
  const std::string l = label.empty() ? "secret" : std::string(label);
  struct Reset {
    ~Reset() { t_secret_label = nullptr; }
  } reset;
  t_secret_label = &l;
  t.write(data);
}

}  // namespace camdump::io
