// Time as values: the engine never reads a clock; every instant is passed in.
#pragma once

#include <date/date.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vocflow {

using millis = std::chrono::milliseconds;
using time_point = std::chrono::sys_time<millis>;

inline constexpr time_point no_time{};  // "not set": the epoch is never a real ticket time

inline int64_t to_ms(time_point t) {
  return t.time_since_epoch().count();
}
inline time_point from_ms(int64_t ms) {
  return time_point{millis{ms}};
}

// RFC 3339 in UTC, always with milliseconds: 2026-03-06T09:50:00.000Z. Every time vocflow
// writes for programs has this one format.
std::string format_utc(time_point t);

// Accepts "2026-03-06T09:50:00Z", "2026-03-06T17:50:00+08:00" and the same with a space
// instead of 'T' or without seconds. Returns nullopt if the text is not such a time.
[[nodiscard]] std::optional<time_point> parse_utc(std::string_view text);

// Local wall time without a zone: "2026-03-06 17:50", "2026-03-06T17:50:30".
[[nodiscard]] std::optional<date::local_time<millis>> parse_local_time(std::string_view text);

// A calendar date: "2026-10-01".
[[nodiscard]] std::optional<date::local_days> parse_date(std::string_view text);

}  // namespace vocflow
