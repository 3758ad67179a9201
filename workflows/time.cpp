#include "workflows/time.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <charconv>
#include <regex>

namespace vocflow {
namespace {

// The pieces of an ISO 8601 date or date-time, checked field by field.
struct iso_parts {
  date::local_days day;
  bool has_time = false;
  millis time_of_day{0};
  bool has_zone = false;
  std::chrono::minutes offset{0};  // local minus UTC
};

int to_int(const std::csub_match& m) {
  int v = 0;
  std::from_chars(m.first, m.second, v);
  return v;
}

// Reads the fields with a regular expression and converts them with the date library's civil
// calendar. date::parse is not used here: it reads seconds as a floating-point number and,
// when a format asks for seconds the text does not have, converts an indeterminate value
// (undefined behaviour the sanitizer caught).
std::optional<iso_parts> split_iso(std::string_view text) {
  static const std::regex shape{
      R"((\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2}))?)?)"};
  std::cmatch m;
  if (text.size() > 40 || !std::regex_match(text.begin(), text.end(), m, shape))
    return std::nullopt;
  date::year_month_day ymd{date::year{to_int(m[1])}, date::month(unsigned(to_int(m[2]))),
                           date::day(unsigned(to_int(m[3])))};
  if (!ymd.ok()) return std::nullopt;
  iso_parts p{.day = date::local_days{ymd}};
  if (!m[4].matched) return p;
  int h = to_int(m[4]), min = to_int(m[5]), s = m[6].matched ? to_int(m[6]) : 0;
  if (h > 23 || min > 59 || s > 59) return std::nullopt;
  int ms = 0;
  if (m[7].matched) {  // the first three digits of the fraction; finer digits are dropped
    std::string frac{m[7].first, m[7].second};
    frac.resize(3, '0');
    ms = std::stoi(frac);
  }
  p.has_time = true;
  p.time_of_day =
      std::chrono::hours{h} + std::chrono::minutes{min} + std::chrono::seconds{s} + millis{ms};
  if (!m[8].matched) return p;
  p.has_zone = true;
  if (m[9].matched) {
    int oh = to_int(m[10]), om = to_int(m[11]);
    if (oh > 23 || om > 59) return std::nullopt;
    p.offset = std::chrono::minutes{(*m[9].first == '-' ? -1 : 1) * (oh * 60 + om)};
  }
  return p;
}

}  // namespace

std::string format_utc(time_point t) {
  // Milliseconds always: one format for every time. Written digit by digit: it runs for every
  // time in every answer, and date::format goes through a stream and its locale each time.
  auto day = date::floor<date::days>(t);
  date::year_month_day ymd{day};
  date::hh_mm_ss<millis> tod{t - day};
  return fmt::format(FMT_COMPILE("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z"),
                     static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()), tod.hours().count(), tod.minutes().count(),
                     tod.seconds().count(), tod.subseconds().count());
}

std::optional<time_point> parse_utc(std::string_view text) {
  auto p = split_iso(text);
  if (!p || !p->has_time || !p->has_zone) return std::nullopt;
  return time_point{date::sys_days{p->day.time_since_epoch()} + p->time_of_day - p->offset};
}

std::optional<date::local_time<millis>> parse_local_time(std::string_view text) {
  auto p = split_iso(text);
  if (!p || !p->has_time || p->has_zone) return std::nullopt;
  return date::local_time<millis>{p->day + p->time_of_day};
}

std::optional<date::local_days> parse_date(std::string_view text) {
  auto p = split_iso(text);
  if (!p || p->has_time) return std::nullopt;
  return p->day;
}

}  // namespace vocflow
