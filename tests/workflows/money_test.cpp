#include "workflows/money.hpp"

#include <gtest/gtest.h>

namespace vocflow {
namespace {

TEST(Money, ParsesWholeAndDecimalAmounts) {
  EXPECT_EQ(parse_money("50"), money{5000});
  EXPECT_EQ(parse_money("49.9"), money{4990});
  EXPECT_EQ(parse_money("49.99"), money{4999});
  EXPECT_EQ(parse_money("0.05"), money{5});
}

TEST(Money, RejectsAnythingElse) {
  for (auto bad : {"", "-5", "1.234", "1.", ".5", "5 CNY", "1e3", "abc"})
    EXPECT_FALSE(parse_money(bad)) << bad;
}

TEST(Money, PrintsWithoutNeedlessDecimals) {
  EXPECT_EQ(to_string(money{5000}), "50");
  EXPECT_EQ(to_string(money{4990}), "49.90");
  EXPECT_EQ(to_string(money{5000} + money{1}), "50.01");
}

}  // namespace
}  // namespace vocflow
