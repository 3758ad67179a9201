// The value encoding of what vocflow stores: events and ticket snapshots. Our own format with
// a version byte (not CAF's wire format, which changes between CAF versions).
//
//   value   := version:u8 record*
//   record  := length:varint body            (a reader skips what it does not know)
//   body    := fields in declaration order   (a reader keeps defaults for missing trailing ones)
//
// Integers are zig-zag varints, strings length-prefixed, doubles 8 bytes little-endian.
// Appending a field to a struct stays readable both ways; anything else needs a new version.
#pragma once

#include "workflows/events.hpp"
#include "workflows/ticket.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vocflow::storage {

inline constexpr uint8_t format_version = 1;

// Several events (the events of one command) in one value, appended to `out`.
void encode_events(std::string& out, const event* first, size_t count);
inline std::string encode_events(const event* first, size_t count) {
  std::string out;
  encode_events(out, first, count);
  return out;
}
inline std::string encode_events(const std::vector<event>& es) {
  return encode_events(es.data(), es.size());
}
// Appends the decoded events to `out`; false when the value is not a valid encoding.
[[nodiscard]] bool decode_events(std::string_view value, std::vector<event>& out);

// A snapshot, appended to `out`.
void encode_ticket(std::string& out, const ticket& t);
inline std::string encode_ticket(const ticket& t) {
  std::string out;
  encode_ticket(out, t);
  return out;
}
[[nodiscard]] std::optional<ticket> decode_ticket(std::string_view value);

}  // namespace vocflow::storage
