#include "tests/workflows/fixture.hpp"
#include "workflows/routing.hpp"

#include <gtest/gtest.h>

namespace vocflow {
namespace {

std::string all(const diagnostics& d) {
  std::string out;
  for (auto& x : d.items()) out += to_string(x) + "\n";
  return out;
}

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

// Real exports name a category many ways ("Credit card or prepaid card"), pad values with
// spaces and vary the case: matches take prefixes, substrings and regular expressions.
TEST(Routing, MatchesTakePrefixesSubstringsAndRegularExpressionsOnTrimmedValues) {
  EXPECT_EQ(routed({.category = "Credit card or prepaid card"}), "billing-dispute");
  EXPECT_EQ(routed({.category = "  credit CARD  "}), "billing-dispute");
  EXPECT_EQ(routed({.category = "Checking or savings account"}), "billing-dispute");
  EXPECT_EQ(routed({.category = "Debt collection"}), "general-complaint");

  diagnostics d;
  auto c = testing::with_org(R"yaml(id: patterns
version: 1
title: patterns
calendar: us-eastern
match:
  product: { contains: "prepaid" }
  text: [ { regex: "^(app|application) (crash|freez)" }, "refund" ]
  extra.State: [NY, NJ]
  source: cfpb
steps:
  triage: { owner: customer_service, on: { resolve: done } }
  done: { final: true }
)yaml",
                             d);
  ASSERT_FALSE(d.has_errors()) << all(d);
  auto& f = *c.flows.front();
  ticket_fields t{.product = "General-purpose PREPAID card", .text = "App crashes at login"};
  t.source = "cfpb";
  t.extra["State"] = " ny";
  EXPECT_TRUE(match(f, t));
  t.text = "refund ";
  EXPECT_TRUE(match(f, t));
  t.text = "my app crashes";  // the expression is anchored
  EXPECT_FALSE(match(f, t));
  t.text = "refund";
  t.extra["State"] = "CA";
  EXPECT_FALSE(match(f, t));
  EXPECT_EQ(describe_match(f.match),
            "extra.State=NY|NJ product=contains:prepaid source=cfpb "
            "text=/^(app|application) (crash|freez)/|refund");
}

TEST(Routing, ABadPatternIsAnErrorAtItsLineAndColumn) {
  diagnostics d;
  testing::with_org(R"yaml(id: bad
version: 1
title: bad
calendar: us-eastern
match:
  text: { regex: "(unclosed" }
  produkt: x
  channel: { starts: web }
steps:
  triage: { owner: customer_service, on: { resolve: done } }
  done: { final: true }
)yaml",
                    d);
  auto text = all(d);
  EXPECT_NE(
      text.find("flow.yaml:6:18: error[invalid-regex]: `(unclosed` is not a regular expression"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(
          "flow.yaml:7:3: error[unknown-field]: unknown field `produkt` in match (did you mean "
          "`product`?)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("flow.yaml:8:14: error[unknown-field]: unknown field `starts`"),
            std::string::npos)
      << text;
  EXPECT_EQ(d.error_count(), 3u) << text;
}

}  // namespace
}  // namespace vocflow
