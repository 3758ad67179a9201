// GCC 12 reports a false maybe-uninitialized inside date::parse at -O2 and above; the pragma
// must come before date.h is included to cover it.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "workflows/time.hpp"

#include <date/date.h>

#include <regex>
#include <sstream>

namespace vocflow {
namespace {

// Parses all of `text` with the first of `formats` that fits.
template <class T>
std::optional<T> parse_with(std::string_view text, std::initializer_list<const char*> formats) {
  // Only the shapes of ISO 8601 dates and times: date::parse reads seconds as a floating-point
  // number, and text like "00:00:+0" makes that NaN, whose conversion is undefined (fuzzing).
  static const std::regex shape{
      R"(\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?)"};
  if (text.size() > 40 || !std::regex_match(text.begin(), text.end(), shape)) return std::nullopt;
  std::string s{text};
  if (s.size() > 10 && s[10] == ' ') s[10] = 'T';
  for (const char* fmt : formats) {
    std::istringstream in{s};
    T value{};
    in >> date::parse(fmt, value);
    if (!in.fail() && in.peek() == std::char_traits<char>::eof()) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string format_utc(time_point t) {
  auto ms = to_ms(t) % 1000;
  if (ms == 0) return date::format("%FT%TZ", std::chrono::floor<std::chrono::seconds>(t));
  return date::format("%FT%TZ", t);
}

std::optional<time_point> parse_utc(std::string_view text) {
  return parse_with<time_point>(text, {"%FT%T%Ez", "%FT%TZ", "%FT%R%Ez", "%FT%RZ"});
}

std::optional<date::local_time<millis>> parse_local_time(std::string_view text) {
  return parse_with<date::local_time<millis>>(text, {"%FT%T", "%FT%R"});
}

std::optional<date::local_days> parse_date(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  return parse_with<date::local_days>(text, {"%F"});
}

}  // namespace vocflow
