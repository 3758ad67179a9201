// Inbound webhooks over a real server: a ticket system's deliveries, signed as it signs them.
#include "tests/connectors/api_fixture.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <fstream>

namespace vocflow {
namespace {

const std::string samples = std::string{VOCFLOW_SOURCE_DIR} + "/examples/intake/";
const std::string secret = "zendesk-secret-0123456789";

std::string slurp(const std::string& path) {
  std::ifstream in{path};
  return {std::istreambuf_iterator<char>{in}, {}};
}

// As Zendesk signs: base64(HMAC-SHA256(secret, timestamp + body)).
std::string zendesk_signature(const std::string& timestamp, const std::string& body) {
  auto text = timestamp + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &size);
  std::string b64(64, '\0');
  auto n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), mac, static_cast<int>(size));
  return b64.substr(0, static_cast<size_t>(n));
}

class IntakeWebhookTest : public testing::api_fixture {
 protected:
  void SetUp() override {
    cfg_.intake.sources = {{"zendesk", samples + "zendesk.yaml", secret}};
    api_fixture::SetUp();
  }
  connectors::http_result deliver(const std::string& body, std::string signature = {}) {
    std::string ts = "2026-12-05T03:00:00Z";
    if (signature.empty()) signature = zendesk_signature(ts, body);
    return call("POST", "/v1/intake/zendesk", body, "",
                {{"X-Zendesk-Webhook-Signature", signature},
                 {"X-Zendesk-Webhook-Signature-Timestamp", ts}});
  }
};

TEST_F(IntakeWebhookTest, ZendeskDeliveriesOpenAndActOnOneTicketOnce) {
  auto created = deliver(slurp(samples + "zendesk/created.json"));
  ASSERT_EQ(created.status, 201) << created.body;
  auto id = json_of(created)["id"].get<std::string>();
  auto t = json_of(call("GET", "/v1/tickets/" + id));
  EXPECT_EQ(t["source"], "zendesk");
  EXPECT_EQ(t["external_id"], "35436");
  EXPECT_EQ(t["channel"], "web");
  EXPECT_EQ(t["priority"], "high");
  EXPECT_EQ(t["fields"]["contact"], "jane.doe@example.com");
  EXPECT_EQ(t["history"][0]["actor"], "intake:zendesk");

  // The same delivery again: nothing new.
  auto again = deliver(slurp(samples + "zendesk/created.json"));
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json_of(again)["id"], id);

  // The customer's reply is an action on that ticket, once however often it is delivered.
  auto reply = deliver(slurp(samples + "zendesk/reply.json"));
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(json_of(reply)["id"], id);
  EXPECT_EQ(deliver(slurp(samples + "zendesk/reply.json")).status, 200);
  auto history = json_of(call("GET", "/v1/tickets/" + id))["history"];
  size_t replies = 0;
  for (auto& e : history)
    if (e["type"] == "customer_replied") {
      ++replies;
      EXPECT_EQ(e["text"], "It is a Pixel 7 with Android 14.");
      EXPECT_EQ(e["role"], "customer");
    }
  EXPECT_EQ(replies, 1u);

  // A reopen of a ticket that is still open is refused as the engine says, naming what it takes.
  auto reopen = deliver(slurp(samples + "zendesk/reopen.json"));
  EXPECT_EQ(reopen.status, 409) << reopen.body;

  // A wrong signature: refused, nothing written.
  auto forged = slurp(samples + "zendesk/created.json");
  forged.replace(forged.find("35436"), 5, "99999");
  auto bad = deliver(forged, zendesk_signature("2026-12-05T03:00:00Z", "something else"));
  EXPECT_EQ(bad.status, 401) << bad.body;
  EXPECT_EQ(json_of(bad)["error"], "bad_signature");
  auto unsigned_ = call("POST", "/v1/intake/zendesk", forged, "");
  EXPECT_EQ(unsigned_.status, 401);

  // Malformed: not JSON, or a field the mapping needs missing.
  EXPECT_EQ(deliver("{not json").status, 400);
  auto missing = deliver(R"({"event": "created", "ticket": {"subject": "no id"}})");
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_EQ(json_of(missing)["field"], "external_id") << missing.body;
  EXPECT_EQ(call("POST", "/v1/intake/nosuch", "{}", "").status, 404);
  auto list = json_of(call("GET", "/v1/tickets"));
  EXPECT_EQ(list["items"].size(), 1u);
}

}  // namespace
}  // namespace vocflow
