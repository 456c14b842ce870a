// SPDX-License-Identifier: MIT
// Transcript-writing Transport decorator.
#include "io/logging_transport.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "core/error.hpp"

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
    fail(e == EACCES ? ErrorKind::Permission : ErrorKind::Io,
         "cannot open log file " + path + ": " + std::strerror(e), "choose a writable path for --log");
  }
  std::time_t now = std::time(nullptr);
  char when[64];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&now));
  std::fprintf(file_, "# camdump transcript: %s, opened %s\n", inner_->describe().c_str(), when);
  std::fflush(file_);
}

LoggingTransport::~LoggingTransport() {
  if (!file_) return;
  end_record();
  std::fprintf(file_, "# closed after %llu bytes received, %llu sent\n",
               static_cast<unsigned long long>(rx_bytes()), static_cast<unsigned long long>(tx_bytes()));
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
  for (uint8_t b : data) {
    if (dir_ != dir || rec_len_ >= kMaxRecord) {
      if (dir_ != 0) out += "\"\n";
      double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      char head[48];
      std::snprintf(head, sizeof head, "+%.3f %s \"", t, dir == 'R' ? "RX" : "TX");
      out += head;
      dir_ = dir;
      rec_len_ = 0;
    }
    append_escaped(out, b);
    ++rec_len_;
    if (b == '\n') {
      out += "\"\n";
      dir_ = 0;
      rec_len_ = 0;
    }
  }
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
  record('R', buf.first(n));
  return n;
}

void LoggingTransport::do_write(std::span<const uint8_t> data) {
  if (elide_.empty() && t_secret_label) elide_ = *t_secret_label;
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
