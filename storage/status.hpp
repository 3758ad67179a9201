// Errors from storage, as values. rocksdb::Status is converted in one place (store.cpp);
// "not found" is never an empty value but a status of its own. A status cannot be ignored
// ([[nodiscard]]): the compiler points at every call whose failure would go unseen.
#pragma once

#include <string>
#include <utility>

namespace vocflow::storage {

class [[nodiscard]] status {
 public:
  enum class code : uint8_t {
    ok,
    not_found,
    io_error,    // the disk failed a read or write
    no_space,    // the disk is full (or the process's file-size limit was reached)
    corruption,  // stored bytes cannot be decoded
    busy,        // the store is read-only or recovering
    invalid,     // a caller's mistake
    conflict,    // a replicated log or lease moved on under the caller (another node wrote)
    unavailable, // the replicated log did not answer in time (no quorum, no server)
  };

  status() = default;
  status(code c, std::string message) : code_(c), message_(std::move(message)) {}
  static status ok() { return {}; }

  bool is_ok() const { return code_ == code::ok; }
  bool is_not_found() const { return code_ == code::not_found; }
  explicit operator bool() const { return is_ok(); }
  code kind() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  code code_ = code::ok;
  std::string message_;
};

}  // namespace vocflow::storage
