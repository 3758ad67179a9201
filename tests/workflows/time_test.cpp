#include "workflows/time.hpp"

#include <gtest/gtest.h>

namespace vocflow {
namespace {

using namespace std::chrono_literals;

std::string utc(std::string_view text) {
  auto t = parse_utc(text);
  return t ? format_utc(*t) : "rejected";
}

TEST(Time, UtcTimesAreReadWithOrWithoutSecondsAndWithAnyOffset) {
  EXPECT_EQ(utc("2026-03-06T09:50:00Z"), "2026-03-06T09:50:00.000Z");
  EXPECT_EQ(utc("2026-03-06 09:50Z"), "2026-03-06T09:50:00.000Z");
  EXPECT_EQ(utc("2026-03-06T17:50:00+08:00"), "2026-03-06T09:50:00.000Z");
  EXPECT_EQ(utc("2026-03-06T17:50+0800"), "2026-03-06T09:50:00.000Z");
  EXPECT_EQ(utc("2026-03-05T23:20:00-05:30"), "2026-03-06T04:50:00.000Z");
  EXPECT_EQ(utc("2026-12-31T23:59:59.5Z"), "2026-12-31T23:59:59.500Z");
  EXPECT_EQ(utc("2026-12-31T23:59:59.123456789Z"), "2026-12-31T23:59:59.123Z");
  EXPECT_EQ(utc("2024-02-29T00:00:00Z"), "2024-02-29T00:00:00.000Z");
}

TEST(Time, TextThatIsNotAValidTimeIsRejected) {
  for (const char* bad :
       {"", "2026-03-06", "2026-03-06T17:50", "2026-13-01T00:00Z", "2026-02-29T00:00Z",
        "2026-04-31T00:00Z", "2026-03-06T24:00Z", "2026-03-06T23:60Z", "2026-03-06T23:59:60Z",
        "2026-03-06T00:00:+0", "2026-03-06T00:00+24:00", "2026-3-6T00:00Z", "2026-03-06T00:00Zjunk",
        " 2026-03-06T00:00Z"}) {
    EXPECT_EQ(utc(bad), "rejected") << bad;
  }
}

TEST(Time, LocalTimesHaveNoZoneAndDatesHaveNoTime) {
  auto local = parse_local_time("2026-03-06 17:50");
  ASSERT_TRUE(local);
  EXPECT_EQ(local->time_since_epoch(),
            (date::local_days{date::year{2026} / 3 / 6} + 17h + 50min).time_since_epoch());
  auto with_seconds = parse_local_time("2026-03-06T17:50:30.250");
  ASSERT_TRUE(with_seconds);
  EXPECT_EQ(*with_seconds - *local, 30250ms);
  EXPECT_FALSE(parse_local_time("2026-03-06T17:50Z"));
  EXPECT_FALSE(parse_local_time("2026-03-06"));

  EXPECT_EQ(parse_date("2026-10-01"), date::local_days{date::year{2026} / 10 / 1});
  EXPECT_FALSE(parse_date("2026-10-01 00:00"));
  EXPECT_FALSE(parse_date("2026-02-30"));
}

}  // namespace
}  // namespace vocflow
