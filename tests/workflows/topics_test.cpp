// Topics: written by the process owner, checked like flows, and what they find in real words.
#include "tests/workflows/fixture.hpp"
#include "workflows/catalog.hpp"
#include "workflows/topics.hpp"

#include <gtest/gtest.h>

namespace vocflow {
namespace {

constexpr const char* org = R"(kind: organization
roles: { agent: {} }
departments:
  marketing: { title: Marketing }
  logistics: { title: Logistics }
  ecommerce_ops: { title: E-commerce operations }
calendars:
  always: { timezone: UTC, hours: { mon-sun: ["00:00-24:00"] } }
)";

constexpr const char* topics = R"(kind: topics
version: 2
topics:
  apparel:
    match: { category: [衣服, clothes] }
  apparel/size:
    owner: ecommerce_ops
    any: [偏小, 尺码, too small]
    none: [尺码标准]
  apparel/photo-mismatch:
    owner: marketing
    regex: ['(色差|和图片不)']
  apparel/delivery:
    owner: logistics
    all: [快递, 慢]
  channel/app:
    match: { channel: app }
)";

catalog load(const std::string& topics_text, diagnostics& d) {
  return load_catalog({{"org.yaml", org}, {"topics.yaml", topics_text}}, d);
}

std::vector<std::string> topics_of(const catalog& c, const std::string& category,
                                   const std::string& text, const std::string& channel = "web") {
  ticket_fields t;
  t.category = category;
  t.channel = channel;
  t.text = text;
  std::vector<std::string> out;
  for (auto& h : classify(*c.topics, t)) out.push_back(h.topic);
  return out;
}

TEST(Topics, ChinesePhrasesMatchWithoutSegmentationAndEnglishOnWordBoundaries) {
  diagnostics d;
  auto c = load(topics, d);
  ASSERT_TRUE(c.topics) << (d.items().empty() ? "" : to_string(d.items().front()));
  EXPECT_EQ(c.topics->version, 2);
  EXPECT_EQ(topics_of(c, "衣服", "裤子偏小了一码，色差也大"),
            (std::vector<std::string>{"apparel/size", "apparel/photo-mismatch"}));
  EXPECT_EQ(topics_of(c, "clothes", "The jacket is Too Small."),
            (std::vector<std::string>{"apparel/size"}));
  EXPECT_TRUE(topics_of(c, "clothes", "too smaller").empty());  // not on a word boundary
}

TEST(Topics, ExclusionsAllRulesAndTheParentsFieldsDecide) {
  diagnostics d;
  auto c = load(topics, d);
  ASSERT_TRUE(c.topics);
  EXPECT_TRUE(topics_of(c, "衣服", "尺码标准，很喜欢").empty());  // excluded
  EXPECT_TRUE(topics_of(c, "衣服", "快递很快").empty());          // not all of them
  EXPECT_EQ(topics_of(c, "衣服", "快递太慢"), (std::vector<std::string>{"apparel/delivery"}));
  EXPECT_TRUE(topics_of(c, "平板", "屏幕偏小").empty());  // not clothes
  EXPECT_EQ(topics_of(c, "平板", "ok", "app"), (std::vector<std::string>{"channel/app"}));
  // The parent with only fields groups its children: it is no topic of its own.
  EXPECT_TRUE(topics_of(c, "衣服", "很好").empty());
}

TEST(Topics, EachHitSaysWhichRuleMatchedWhichWords) {
  diagnostics d;
  auto c = load(topics, d);
  ASSERT_TRUE(c.topics);
  ticket_fields t;
  t.category = "衣服";
  t.text = "和图片不一样，尺码也偏小";
  auto hits = classify(*c.topics, t);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].why, "any \"偏小\"");
  EXPECT_EQ(hits[1].why, "regex /(色差|和图片不)/ \"和图片不\"");
}

TEST(Topics, MistakesAreErrorsAtTheirLineWithASuggestion) {
  diagnostics d;
  auto c = load(R"(kind: topics
version: 1
topics:
  Apparel Size:
    any: [x]
  apparel/size:
    owner: ecommerce_opps
    anny: [偏小]
  apparel/photo:
    owner: marketing
  apparel/regex:
    regex: ['(unclosed']
)",
                d);
  EXPECT_FALSE(c.topics);
  std::vector<std::string> found;
  for (auto& i : d.items()) found.push_back(std::to_string(i.pos.line) + " " + i.code);
  EXPECT_EQ(found, (std::vector<std::string>{"4 bad-name", "6 no-rule", "7 unknown-department",
                                             "8 unknown-field", "9 no-rule", "12 invalid-regex"}));
  for (auto& i : d.items()) {
    if (i.code == "unknown-department" || i.code == "unknown-field") {
      EXPECT_NE(i.message.find("did you mean"), std::string::npos) << i.message;
    }
  }
}

TEST(Topics, TheExampleTopicsHoldWithTheExampleOrganization) {
  diagnostics d;
  auto files = testing::read_all({testing::source_dir() + "/examples/flows/organization.yaml",
                                  testing::source_dir() + "/examples/topics/topics.yaml"});
  auto c = load_catalog(files, d);
  EXPECT_FALSE(d.has_errors()) << (d.items().empty() ? "" : to_string(d.items().front()));
  ASSERT_TRUE(c.topics);
  for (auto& t : c.topics->topics) {  // every topic but the groups names who owns its cause
    if (!t.parent().empty()) {
      EXPECT_FALSE(t.owner.name.empty()) << t.id;
    }
  }
}

}  // namespace
}  // namespace vocflow
