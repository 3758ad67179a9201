// Inbound webhooks over a real server: each ready source's sample deliveries (examples/intake/),
// signed as that system signs them — opened once, the customer's reply and the reopen as
// actions on the same ticket, replays changing nothing, forged and malformed deliveries
// refused with nothing written.
#include "tests/connectors/api_fixture.hpp"
#include "tests/connectors/intake_sources.hpp"

#include <gtest/gtest.h>

namespace vocflow::testing {
namespace {

using nlohmann::json;

class IntakeWebhookTest : public api_fixture, public ::testing::WithParamInterface<source_case> {
 protected:
  void SetUp() override {
    for (auto& s : sources())
      cfg_.intake.sources.push_back({s.name, samples + s.name + ".yaml", s.secret});
    api_fixture::SetUp();
  }
  connectors::http_result post(const std::string& sample, const std::string& body,
                               const std::string& key) {
    auto& s = GetParam();
    return call("POST", "/v1/intake/" + s.name, body, "", s.sign(sample, body, key));
  }
  connectors::http_result deliver(const std::string& sample) {
    return post(sample, slurp(samples + GetParam().name + "/" + sample + ".json"),
                GetParam().secret);
  }
  size_t count(const json& history, const std::string& type) {
    size_t n = 0;
    for (auto& e : history) n += e["type"] == type;
    return n;
  }
};

TEST_P(IntakeWebhookTest, SamplesOpenAndActOnOneTicketOnce) {
  auto& s = GetParam();
  auto created = deliver("created");
  ASSERT_EQ(created.status, 201) << created.body;
  auto id = json_of(created)["id"].get<std::string>();
  auto t = json_of(call("GET", "/v1/tickets/" + id));
  EXPECT_EQ(t["source"], s.name);
  EXPECT_EQ(t["external_id"], s.external_id);
  EXPECT_EQ(t["fields"]["contact"], s.contact);
  EXPECT_EQ(t["fields"]["text"], s.opening_text);
  EXPECT_EQ(t["history"][0]["actor"], "intake:" + s.name);

  // The same delivery again: nothing new.
  auto again = deliver("created");
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json_of(again)["id"], id);

  // The customer's reply is an action on that ticket, once however often it is delivered.
  auto reply = deliver("reply");
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(json_of(reply)["id"], id);
  EXPECT_EQ(deliver("reply").status, 200);
  auto history = json_of(call("GET", "/v1/tickets/" + id))["history"];
  ASSERT_EQ(count(history, "customer_replied"), 1u);
  for (auto& e : history)
    if (e["type"] == "customer_replied") {
      EXPECT_EQ(e["text"], s.reply_text);
      EXPECT_EQ(e["role"], "customer");
    }

  if (s.reopens) {
    // A reopen of a ticket still being handled is refused as the engine says.
    EXPECT_EQ(deliver("reopen").status, 409);
    auto resolved = call("POST", "/v1/tickets/" + id + "/actions",
                         R"({"action": "resolve", "text": "Fixed in 4.2.1."})");
    ASSERT_EQ(resolved.status, 200) << resolved.body;
    auto reopened = deliver("reopen");
    ASSERT_EQ(reopened.status, 201) << reopened.body;
    EXPECT_EQ(deliver("reopen").status, 200);
    auto after = json_of(call("GET", "/v1/tickets/" + id));
    EXPECT_EQ(count(after["history"], "reopened"), 1u);
    EXPECT_EQ(after["step"], "handle");
  }

  // A wrong secret, or none: refused, nothing written.
  auto forged = slurp(samples + s.name + "/created.json");
  forged.replace(forged.find(s.external_id), s.external_id.size(), "99999");
  auto bad = post("created", forged, "not-the-secret-0123456789");
  EXPECT_EQ(bad.status, 401) << bad.body;
  EXPECT_EQ(json_of(bad)["error"], "bad_signature");
  EXPECT_EQ(call("POST", "/v1/intake/" + s.name, forged, "").status, 401);

  // Malformed though signed: not JSON, or without the complaint's id.
  auto garbled = post("created", "{not json", s.secret);
  EXPECT_EQ(garbled.status, 400) << garbled.body;
  EXPECT_EQ(json_of(garbled)["error"], "malformed_json");
  auto doc = json::parse(slurp(samples + s.name + "/created.json"));
  for (auto p : {"/ticket/id", "/issue/key", "/MessageID"})
    if (doc.contains(json::json_pointer{p})) doc[json::json_pointer{p}] = "";
  auto missing = post("created", doc.dump(), s.secret);
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_EQ(json_of(missing)["field"], "external_id") << missing.body;

  auto list = json_of(call("GET", "/v1/tickets"));
  EXPECT_EQ(list["items"].size(), 1u) << list.dump();
}

INSTANTIATE_TEST_SUITE_P(ReadySources, IntakeWebhookTest, ::testing::ValuesIn(sources()),
                         [](const auto& info) { return info.param.name; });

using IntakeWebhookLeftAlone = IntakeWebhookTest;

// What is not the customer's words is acknowledged and changes nothing: an agent's comment in
// Jira (vocflow's own replies come back this way), an event no trigger maps.
TEST_P(IntakeWebhookLeftAlone, DeliveriesThatAreNotTheCustomersAreAcknowledged) {
  auto& s = GetParam();
  auto created = deliver("created");
  ASSERT_EQ(created.status, 201) << created.body;
  auto id = json_of(created)["id"].get<std::string>();
  std::string sample = s.name == "jira" ? "agent-comment" : "unmapped";
  auto body = s.name == "jira" ? slurp(samples + "jira/agent-comment.json")
                               : slurp(samples + "zammad/reply.json");
  if (s.name == "zammad") {  // an agent's public answer, sent to the same trigger
    auto doc = json::parse(body);
    doc["article"]["sender"] = "Agent";
    body = doc.dump();
    sample = "reply";
  }
  auto r = post(sample, body, s.secret);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json_of(r)["result"], "ignored");
  EXPECT_FALSE(json_of(r)["why"].get<std::string>().empty());
  auto history = json_of(call("GET", "/v1/tickets/" + id))["history"];
  EXPECT_EQ(count(history, "customer_replied"), 0u) << history.dump();
}

INSTANTIATE_TEST_SUITE_P(AgentsWords, IntakeWebhookLeftAlone,
                         ::testing::Values(sources()[1], sources()[2]),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace vocflow::testing
