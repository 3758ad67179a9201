#include "tests/workflows/fixture.hpp"
#include "workflows/routing.hpp"

#include <gtest/gtest.h>

namespace vocflow {
namespace {

std::string routed(ticket_fields t) {
  auto r = route(testing::examples().flows, t);
  return r ? r->chosen->id : "";
}

TEST(Routing, MostSpecificMatchWinsAndCaseDoesNotMatter) {
  EXPECT_EQ(routed({.category = "Returns", .product = "Apparel"}), "apparel-returns");
  EXPECT_EQ(routed({.category = "app", .severity = "high"}), "app-crash");
  EXPECT_EQ(routed({.category = "Credit card"}), "billing-dispute");
  EXPECT_EQ(routed({.category = "delivery", .tags = {"promised_by_sales"}}), "sales-overpromise");
  EXPECT_EQ(routed({.category = "account", .tags = {"repeat_caller"}}), "repeat-caller");
}

TEST(Routing, EverythingElseGoesToTheDefaultFlow) {
  EXPECT_EQ(routed({.category = "app", .severity = "low"}), "general-complaint");
  EXPECT_EQ(routed({.category = "delivery"}), "general-complaint");
  EXPECT_EQ(routed({}), "general-complaint");
  auto r = route(testing::examples().flows, {});
  EXPECT_EQ(r->reason, "default flow");
}

}  // namespace
}  // namespace vocflow
