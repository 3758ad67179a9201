#include "workflows/duration.hpp"

#include <gtest/gtest.h>

namespace vocflow {
namespace {

using namespace std::chrono_literals;

TEST(Duration, ParsesEachUnitAndCombinations) {
  EXPECT_EQ(parse_duration("4h"), (duration_spec{0, 4h}));
  EXPECT_EQ(parse_duration("90m"), (duration_spec{0, 90min}));
  EXPECT_EQ(parse_duration("30s"), (duration_spec{0, 30s}));
  EXPECT_EQ(parse_duration("5d"), (duration_spec{5, 0ms}));
  EXPECT_EQ(parse_duration("1d4h30m"), (duration_spec{1, 4h + 30min}));
}

TEST(Duration, RejectsWhatIsNotADuration) {
  for (auto bad : {"", "4", "h", "1dd", "4x", "1.5h", "-4h", "4h1d", "4h4h", " 4h", "4h "})
    EXPECT_FALSE(parse_duration(bad)) << bad;
}

TEST(Duration, PrintsCanonicalForm) {
  EXPECT_EQ(to_string(duration_spec{1, 4h + 30min}), "1d4h30m");
  EXPECT_EQ(to_string(*parse_duration("90m")), "1h30m");
  EXPECT_EQ(format_millis(3h + 50min), "3h50m");
  EXPECT_EQ(format_millis(45min), "45m");
  EXPECT_EQ(format_millis(-40min), "-40m");
  EXPECT_EQ(format_millis(27h + 5min), "27h05m");
}

}  // namespace
}  // namespace vocflow
