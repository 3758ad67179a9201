#include "workflows/calendar.hpp"

#include <date/tz.h>
#include <gtest/gtest.h>

#include <random>

namespace vocflow {
namespace {

using namespace std::chrono_literals;

time_slot slot(int h1, int m1, int h2, int m2) {
  return {h1 * 60 + m1, h2 * 60 + m2};
}

calendar weekdays(const char* zone, std::vector<time_slot> slots) {
  calendar_definition d;
  d.name = "test";
  d.zone = date::locate_zone(zone);
  for (int wd = 1; wd <= 5; ++wd) d.week[wd] = slots;
  return calendar{d};
}

date::local_days day(int y, int m, int d) {
  return date::local_days{date::year{y} / m / d};
}

class CalendarTest : public ::testing::Test {
 protected:
  time_point at(const calendar& c, const char* local) { return *c.parse_local(local); }
  std::string show(const calendar& c, time_point t) { return c.format_local(t); }

  calendar shanghai = weekdays("Asia/Shanghai", {slot(9, 0, 18, 0)});
  calendar new_york = weekdays("America/New_York", {slot(8, 0, 17, 0)});
  calendar with_lunch = weekdays("America/New_York", {slot(8, 0, 12, 0), slot(13, 0, 17, 0)});
};

TEST_F(CalendarTest, FridayEveningInShanghaiIsDueMondayAt1250) {
  auto opened = at(shanghai, "2026-03-06 17:50");  // Friday
  EXPECT_EQ(show(shanghai, shanghai.add_business(opened, 4h)), "Mon 2026-03-09 12:50");
  EXPECT_EQ(shanghai.business_between(opened, at(shanghai, "2026-03-09 12:50")), 4h);
}

TEST_F(CalendarTest, CountsAcrossNightsAndStartsOutsideHoursAtTheNextSlot) {
  EXPECT_EQ(show(shanghai, shanghai.add_business(at(shanghai, "2026-03-10 17:00"), 2h)),
            "Wed 2026-03-11 10:00");
  EXPECT_EQ(show(shanghai, shanghai.add_business(at(shanghai, "2026-03-07 12:00"), 1h)),
            "Mon 2026-03-09 10:00");  // opened on a Saturday
  EXPECT_EQ(
      shanghai.business_between(at(shanghai, "2026-03-06 18:00"), at(shanghai, "2026-03-09 09:00")),
      0ms);
}

TEST_F(CalendarTest, SkipsTheGapBetweenSlots) {
  EXPECT_EQ(show(with_lunch, with_lunch.add_business(at(with_lunch, "2026-11-23 11:30"), 1h)),
            "Mon 2026-11-23 13:30");
  // Exactly the morning's remainder ends at the slot's end, not after lunch.
  EXPECT_EQ(show(with_lunch, with_lunch.add_business(at(with_lunch, "2026-11-23 11:30"), 30min)),
            "Mon 2026-11-23 12:00");
  EXPECT_FALSE(with_lunch.is_working(at(with_lunch, "2026-11-23 12:30")));
  EXPECT_TRUE(with_lunch.is_working(at(with_lunch, "2026-11-23 13:00")));
}

TEST_F(CalendarTest, HolidaysStopTheClockAndWorkdaysRestartIt) {
  calendar_definition d = shanghai.definition();
  for (int i = 1; i <= 7; ++i) d.holidays.insert(day(2026, 10, i));
  d.workdays[day(2026, 10, 10)] = {slot(9, 0, 18, 0)};  // a Saturday worked
  calendar cn{d};
  auto opened = at(cn, "2026-09-30 16:00");
  EXPECT_EQ(show(cn, cn.add_business(opened, 4h)), "Thu 2026-10-08 11:00");
  // Five working days: 8, 9, 10 (Saturday), 12, 13 October.
  EXPECT_EQ(show(cn, cn.add_days(opened, 5)), "Tue 2026-10-13 16:00");
  EXPECT_EQ(cn.span(opened, {5, 0ms}), 45h);
}

TEST_F(CalendarTest, SpringForwardInNewYorkKeepsLocalBusinessHours) {
  auto opened = at(new_york, "2026-03-06 16:00");  // Friday, EST (UTC-5)
  auto due = new_york.add_business(opened, 4h);
  EXPECT_EQ(show(new_york, due), "Mon 2026-03-09 11:00");  // EDT (UTC-4)
  EXPECT_EQ(format_utc(due), "2026-03-09T15:00:00.000Z");  // not 16:00Z
}

TEST_F(CalendarTest, FallBackInNewYorkKeepsLocalBusinessHours) {
  auto opened = at(new_york, "2026-10-30 16:00");  // Friday, EDT
  auto due = new_york.add_business(opened, 4h);
  EXPECT_EQ(show(new_york, due), "Mon 2026-11-02 11:00");
  EXPECT_EQ(format_utc(due), "2026-11-02T16:00:00.000Z");
}

TEST_F(CalendarTest, RoundTheClockCalendarAcrossDst) {
  calendar_definition d;
  d.name = "berlin-24x7";
  d.zone = date::locate_zone("Europe/Berlin");
  d.always = true;
  calendar c{d};
  auto opened = at(c, "2026-03-28 10:00");  // Saturday before the clocks go forward
  EXPECT_EQ(show(c, c.add_business(opened, 24h)), "Sun 2026-03-29 11:00");  // 24 elapsed hours
  EXPECT_EQ(show(c, c.add_days(opened, 1)), "Sun 2026-03-29 10:00");        // one calendar day
  EXPECT_EQ(c.span(opened, {1, 0ms}), 23h);
  // A local time skipped by the change maps to the change itself.
  EXPECT_EQ(show(c, at(c, "2026-03-29 02:30")), "Sun 2026-03-29 03:00");
}

TEST_F(CalendarTest, DaysKeepTheTimeOfDayWithinThatDaysHours) {
  calendar_definition d = shanghai.definition();
  d.week[5] = {slot(9, 0, 15, 0)};  // short Fridays
  calendar c{d};
  EXPECT_EQ(show(c, c.add_days(at(c, "2026-03-10 14:00"), 2)), "Thu 2026-03-12 14:00");
  EXPECT_EQ(show(c, c.add_days(at(c, "2026-03-12 17:00"), 1)), "Fri 2026-03-13 15:00");
  EXPECT_EQ(show(c, c.add_days(at(c, "2026-03-07 11:00"), 1)), "Tue 2026-03-10 09:00");
}

TEST_F(CalendarTest, AddAndBetweenAreInverse) {
  std::mt19937 rng(7);
  auto base = at(with_lunch, "2026-01-01 00:00");
  for (int i = 0; i < 2000; ++i) {
    auto from = base + millis{std::uniform_int_distribution<int64_t>(0, 300LL * 86'400'000)(rng)};
    auto amount = millis{std::uniform_int_distribution<int64_t>(1, 80LL * 3'600'000)(rng)};
    auto due = with_lunch.add_business(from, amount);
    ASSERT_EQ(with_lunch.business_between(from, due), amount) << format_utc(from);
    ASSERT_TRUE(with_lunch.is_working(due - 1ms)) << format_utc(due);
  }
}

TEST_F(CalendarTest, CalendarWithoutWorkingTimeHasNoDeadline) {
  calendar_definition d;
  d.name = "never";
  d.zone = date::locate_zone("UTC");
  calendar c{d};
  EXPECT_EQ(c.add_business(at(c, "2026-01-01 00:00"), 1h), time_point::max());
}

}  // namespace
}  // namespace vocflow
