// Intake mappings: checked like flows, and the transforms real deliveries need.
#include "connectors/encoding.hpp"
#include "connectors/mapping.hpp"

#include <gtest/gtest.h>

namespace vocflow::connectors {
namespace {

using nlohmann::json;

std::optional<intake_mapping> load(const std::string& text, diagnostics& d) {
  return load_mapping({"m.yaml", text}, d);
}

intake_mapping load_ok(const std::string& text) {
  diagnostics d;
  auto m = load(text, d);
  std::string all;
  for (auto& x : d.items()) all += to_string(x) + "\n";
  EXPECT_TRUE(m && !d.has_errors()) << all;
  return m.value_or(intake_mapping{});
}

mapped_record map_json(const intake_mapping& m, const json& doc,
                       const std::map<std::string, std::string>& headers = {}) {
  auto r = map_record(m, {.doc = &doc, .headers = &headers});
  if (auto* why = std::get_if<std::string>(&r)) {
    ADD_FAILURE() << *why;
    return {};
  }
  return std::get<mapped_record>(r);
}

TEST(Mapping, AnUnknownKeyIsAnErrorAtItsLineAndColumn) {
  diagnostics d;
  auto m = load(
      "kind: intake-mapping\nsource: s\nformat: json\nfields:\n"
      "  external_id: { pointer: /id, otherwize: { pointer: /n } }\n",
      d);
  EXPECT_FALSE(m);
  ASSERT_FALSE(d.items().empty());
  auto text = to_string(d.items().front());
  EXPECT_EQ(text.rfind("m.yaml:5:", 0), 0u) << text;
  EXPECT_NE(text.find("otherwize"), std::string::npos) << text;
}

TEST(Mapping, OtherwiseTakesTheNextRuleWhenTheFirstHasNoValue) {
  auto m = load_ok(R"(kind: intake-mapping
source: mail
format: json
fields:
  external_id: { pointer: /Subject, regex: '\[ref:([^\]\s]+)\]', otherwise: { pointer: /Id } }
  customer: /From
)");
  EXPECT_EQ(map_json(m, {{"Subject", "Re: late [ref:abc-1]"}, {"Id", "x"}, {"From", "a"}})
                .info.external_id,
            "abc-1");
  EXPECT_EQ(
      map_json(m, {{"Subject", "Where is my parcel"}, {"Id", "x"}, {"From", "a"}}).info.external_id,
      "x");
}

TEST(Mapping, IgnoreRulesLeaveTheDeliveryAloneAndSayWhy) {
  auto m = load_ok(R"(kind: intake-mapping
source: s
format: json
event: { pointer: /event, map: { comment: customer_reply, created: open }, default: ignore }
ignore:
  - { when: { pointer: /comment/internal }, is: ["true"], because: an internal note }
  - { when: { pointer: /comment/author }, differs_from: { pointer: /reporter } }
fields:
  external_id: /id
  customer: /reporter
  text: /comment/body
)");
  json by_customer = {
      {"event", "comment"},
      {"id", "7"},
      {"reporter", "u1"},
      {"comment", {{"author", "U1 "}, {"body", "still broken"}, {"internal", false}}}};
  EXPECT_EQ(map_json(m, by_customer).action, "customer_reply");
  auto internal = by_customer;
  internal["comment"]["internal"] = true;
  auto r = map_json(m, internal);
  EXPECT_EQ(r.action, "ignore");
  EXPECT_EQ(r.ignored, "an internal note");
  auto by_agent = by_customer;
  by_agent["comment"]["author"] = "agent-3";
  EXPECT_EQ(map_json(m, by_agent).action, "ignore");
  // An event the mapping does not take, even without the fields a complaint needs.
  EXPECT_EQ(map_json(m, {{"event", "assigned"}}).action, "ignore");
  // A rule whose value is absent never holds: the opening has no comment.
  EXPECT_EQ(map_json(m, {{"event", "created"}, {"id", "7"}, {"reporter", "u1"}}).action, "open");
}

TEST(Mapping, AnEventMappedToNeitherAnActionNorIgnoreIsAnError) {
  diagnostics d;
  EXPECT_FALSE(
      load("kind: intake-mapping\nsource: s\nformat: json\n"
           "event: { pointer: /e, map: { a: customer_replied } }\n"
           "fields: { external_id: /id }\n",
           d));
  ASSERT_FALSE(d.items().empty());
  EXPECT_NE(to_string(d.items().front()).find("customer_replied"), std::string::npos);
}

TEST(Mapping, HtmlKeepsTheTextOfAComment) {
  auto m = load_ok(R"(kind: intake-mapping
source: s
format: json
fields:
  external_id: /id
  customer: /c
  text: { pointer: /body, html: true }
)");
  auto r = map_json(m, {{"id", "1"},
                        {"c", "u"},
                        {"body",
                         "<p>Dear team,</p><p>the <b>app</b> crashes&nbsp;on start &amp; "
                         "shows &#8220;error 7&#8221;.<br>Please help.</p>"}});
  EXPECT_EQ(r.info.text,
            "Dear team,\nthe app crashes on start & shows \xE2\x80\x9C"
            "error 7\xE2\x80\x9D.\nPlease help.");
}

TEST(HtmlText, DropsScriptsAndCommentsAndCollapsesBlankLines) {
  EXPECT_EQ(html_text("<style>p{}</style><!-- x --><div>a</div><div><br></div><div><br></div>"
                      "<div>b</div><script>alert(1)</script>"),
            "a\n\nb");
  EXPECT_EQ(html_text("  plain   text\n with lines "), "plain text with lines");
  EXPECT_EQ(html_text("&lt;not a tag&gt; &unknown; &#x4E2D;&#25991;"),
            "<not a tag> &unknown; 中文");
  EXPECT_EQ(html_text("<p>cut <b"), "cut");
}

TEST(Mapping, BasicCredentialsNeedNoHeaderName) {
  auto m = load_ok(
      "kind: intake-mapping\nsource: mail\nformat: json\nsignature: { scheme: basic }\n"
      "fields: { external_id: /id }\n");
  EXPECT_EQ(m.signature.scheme, "basic");
  EXPECT_EQ(m.signature.header, "authorization");
  diagnostics d;
  EXPECT_FALSE(
      load("kind: intake-mapping\nsource: s\nformat: json\n"
           "signature: { algorithm: sha1 }\nfields: { external_id: /id }\n",
           d));
}

TEST(Mapping, TheReadySourcesLoad) {
  for (auto name : {"zendesk", "zammad", "jira", "mail", "cfpb", "cfpb-2014", "reviews-zh"}) {
    diagnostics d;
    auto file =
        read_source(std::string{VOCFLOW_SOURCE_DIR} + "/examples/intake/" + name + ".yaml", d);
    ASSERT_TRUE(file) << name;
    auto m = load_mapping(*file, d);
    std::string all;
    for (auto& x : d.items()) all += to_string(x) + "\n";
    EXPECT_TRUE(m && !d.has_errors()) << name << ":\n" << all;
  }
}

}  // namespace
}  // namespace vocflow::connectors
