// Outbound webhooks: a real receiver (the Beast server on a free port) that refuses the first
// attempts of every notification, a restart of vocflow in the middle, and a virtual clock that
// the test moves past each retry. Every notification must arrive exactly once per event id.
#include "actors/outbox.hpp"
#include "connectors/webhook.hpp"
#include "tests/connectors/api_fixture.hpp"
#include "tests/connectors/ops_examples.hpp"

#include <mutex>

namespace vocflow::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* hook_flow = R"(id: hook-test
version: 1
title: Webhook test flow
calendar: always-utc
sla:
  first_response:
    within: 1h
    escalate:
      - { at: 100%, notify: [supervisor] }
  resolution: 8h
compensation:
  currency: CNY
  limits: { agent: 100 }
  above_limits: finance
steps:
  handle:
    owner: customer_service
    on:
      resolve: confirm
  confirm:
    owner: customer_service
    on:
      confirm: closed
  closed: { final: true }
)";

constexpr const char* secret = "a-shared-secret-of-the-test";

// Answers 503 to the first `refusals` attempts of each event id, 204 after that.
class receiver {
 public:
  explicit receiver(int refusals)
      : refusals_(refusals), server_([this](auto& req) { return take(req); }) {
    url = server_.url() + "/hooks/vocflow";
  }

  size_t attempted() {
    std::lock_guard lock{mutex_};
    size_t n = 0;
    for (auto& [id, seen] : attempts) n += seen.size();
    return n;
  }

  std::string url;
  std::mutex mutex_;
  std::map<std::string, std::vector<int>> attempts;  // event id -> attempt numbers received
  std::map<std::string, int> accepted;               // event id -> 2xx answers
  std::map<std::string, json> bodies;
  std::vector<std::string> problems;

 private:
  connectors::http_response take(const connectors::http_request& req) {
    std::string id{req["X-Vocflow-Event-Id"]};
    auto body = json::parse(req.body(), nullptr, false);
    std::lock_guard lock{mutex_};
    if (req.method() != boost::beast::http::verb::post || req.target() != "/hooks/vocflow")
      problems.push_back("unexpected request " + std::string{req.target()});
    if (req["X-Vocflow-Signature"] != connectors::webhook_signature(secret, req.body()))
      problems.push_back(id + ": signature does not verify");
    if (body.is_discarded() || body.value("id", "") != id ||
        body.value("type", "") != std::string{req["X-Vocflow-Event"]})
      problems.push_back(id + ": body does not match the headers: " + req.body());
    auto& seen = attempts[id];
    seen.push_back(std::stoi(std::string{req["X-Vocflow-Delivery-Attempt"]}));
    unsigned status = 503;
    if (static_cast<int>(seen.size()) > refusals_) {
      status = 204;
      ++accepted[id];
      bodies[id] = body;
    }
    connectors::http_response res{static_cast<boost::beast::http::status>(status), req.version()};
    res.prepare_payload();
    return res;
  }

  int refusals_;
  loopback_server server_;
};

class WebhookTest : public api_fixture {
 protected:
  void start_with(receiver& r, millis give_up_after = 72h) {
    cfg_.notify.webhooks = {{.name = "pager", .url = r.url, .secret = secret}};
    cfg_.notify.retry_initial = 10s;
    cfg_.notify.retry_max = 1min;
    cfg_.notify.give_up_after = give_up_after;
    api_fixture::SetUp();
    set_clock(day0);
    auto deployed = call("POST", "/v1/flows?file=hook-test.yaml", hook_flow, "owner");
    ASSERT_EQ(deployed.status, 201) << deployed.body;
  }
  void SetUp() override {}  // each test starts once its receiver listens

  std::string open() {
    return open_ticket(
        {{"customer", "C-1"}, {"channel", "web"}, {"text", "late"}, {"flow", "hook-test"}});
  }
  void act(const std::string& id, json body, const std::string& role = "agent") {
    auto r = call("POST", "/v1/tickets/" + id + "/actions", body.dump(), role);
    EXPECT_EQ(r.status, 200) << body.dump() << ": " << r.body;
  }
  // The notifiers would sleep until the next retry in real time: the test moves their clock.
  size_t move_clock(millis by) {
    advance_to(now() + by);
    return deliver();
  }
  // Event ids of the notifications the tickets' histories call for.
  std::set<std::string> expected(const std::vector<std::string>& tickets) {
    std::set<std::string> ids;
    for (auto& t : tickets) {
      auto j = json_of(call("GET", "/v1/tickets/" + t));
      for (auto& e : j["history"])
        if (auto type = e.value("type", "");
            type == "sla_breached" || type == "escalated" || type == "compensation_requested")
          ids.insert(t + ":" + std::to_string(e.value("seq", 0)));
    }
    return ids;
  }
  std::string metrics() { return call("GET", "/metrics", {}, "").body; }

  time_point day0 = *parse_utc("2026-06-01T00:00:00Z");
};

TEST_F(WebhookTest, DeliversEveryNotificationOnceAcrossFailuresAndARestart) {
  receiver r{2};  // attempts 1 and 2 of every notification fail
  start_with(r);
  std::vector<std::string> tickets = {open(), open(), open(), open()};
  advance_to(day0 + 30min);
  act(tickets[0], {{"action", "respond"}, {"text", "on it"}});
  // Every notification at the same time, so that their retries are due together: the three
  // unanswered tickets breach and escalate at 1h, one asks for an approval.
  advance_to(day0 + 1h);
  act(tickets[1], {{"action", "request_compensation"}, {"amount", "500"}, {"text", "broken"}});
  auto ids = expected(tickets);
  ASSERT_EQ(ids.size(), 7u) << "3 breaches, 3 escalations, 1 approval request";

  EXPECT_EQ(deliver(), 7u);
  EXPECT_EQ(r.attempted(), 7u) << "each notification once, refused";
  restart();  // the outbox has them all
  EXPECT_EQ(deliver(), 7u) << "nothing is due before the first retry";
  EXPECT_NE(metrics().find("vocflow_outbox_notifications{channel=\"pager\"} 7"), std::string::npos);
  EXPECT_EQ(move_clock(9s), 7u);
  EXPECT_EQ(r.attempted(), 7u);
  EXPECT_EQ(move_clock(1s), 7u) << "the first retry, refused again";
  EXPECT_EQ(r.attempted(), 14u);
  EXPECT_EQ(move_clock(19s), 7u);
  EXPECT_EQ(move_clock(1s), 0u) << "the second retry after twice the wait, accepted";

  std::lock_guard lock{r.mutex_};
  EXPECT_TRUE(r.problems.empty()) << r.problems.front();
  for (auto& id : ids) {
    EXPECT_EQ(r.accepted[id], 1) << id;
    EXPECT_EQ(r.attempts[id], (std::vector<int>{1, 2, 3})) << id << ": attempts survive a restart";
  }
  for (auto& [id, count] : r.accepted) EXPECT_TRUE(ids.contains(id)) << "unexpected " << id;
  auto m = metrics();
  EXPECT_NE(m.find("vocflow_outbox_deliveries_total{channel=\"pager\",result=\"delivered\"} 7"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("vocflow_outbox_deliveries_total{channel=\"pager\",result=\"failed\"} 7"),
            std::string::npos);

  auto& approval = r.bodies[*std::find_if(ids.begin(), ids.end(), [&](auto& id) {
    return r.bodies[id].value("type", "") == "compensation_requested";
  })];
  EXPECT_EQ(approval["ticket"]["id"], tickets[1]);
  EXPECT_EQ(approval["to"], json::array({"finance"}));
  EXPECT_EQ(approval["ticket"]["flow"], "hook-test");
  EXPECT_EQ(approval["event"]["amount"], "500");
}

TEST_F(WebhookTest, ANotificationNobodyTakesBecomesADeadLetter) {
  receiver r{1'000'000};
  start_with(r, 1h);
  auto t = open();
  advance_to(day0 + 1h);  // breach + escalation
  EXPECT_EQ(deliver(), 2u);
  EXPECT_EQ(r.attempted(), 2u);
  EXPECT_EQ(move_clock(2h), 0u) << "past give_up_after, the second failure is the last";
  EXPECT_EQ(r.attempted(), 4u);
  size_t dead = 0;
  ASSERT_TRUE(rt().env().db->dead_letters("pager", 10, dead));
  EXPECT_EQ(dead, 2u);
  EXPECT_EQ(move_clock(1h), 0u);
  EXPECT_EQ(r.attempted(), 4u) << "a dead letter is not attempted again";
  auto m = metrics();
  EXPECT_NE(m.find("vocflow_outbox_dead_letters{channel=\"pager\"} 2"), std::string::npos);
  // The outbox metrics the dashboard and the alert rules read.
  auto families = exposed_families(m);
  size_t checked = 0;
  for (auto& n : ops_metric_names())
    if (n.rfind("vocflow_outbox_", 0) == 0) {
      ++checked;
      EXPECT_TRUE(families.contains(n)) << n << " is not in /metrics";
    }
  EXPECT_GE(checked, 3u);
}

TEST(Webhook, SignatureIsHmacSha256OfTheBody) {
  // RFC 4231, test case 2.
  EXPECT_EQ(connectors::webhook_signature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Webhook, RetriesBackOffExponentiallyUpToTheMaximum) {
  notify_config cfg;
  cfg.retry_initial = 10s;
  cfg.retry_max = 1min;
  std::vector<millis> delays;
  for (int attempt = 1; attempt <= 5; ++attempt)
    delays.push_back(connectors::retry_delay(cfg, attempt));
  EXPECT_EQ(delays, (std::vector<millis>{10s, 20s, 40s, 60s, 60s}));
}

TEST(Webhook, AWebhookTakesTheTypesAndRecipientsItAskedFor) {
  webhook_config all{.name = "all", .url = "http://x/", .secret = secret};
  webhook_config finance{.name = "finance",
                         .url = "http://x/",
                         .secret = secret,
                         .events = {"compensation_requested", "sla_breached"},
                         .to = {"finance"}};
  notify approval{{"finance"}, "approve", "compensation_requested", 3};
  notify breach{{"customer_service"}, "late", "sla_breached", 4};
  notify warning{{"finance"}, "soon", "sla_warned", 5};
  EXPECT_TRUE(actors::wants(all.subscription(), approval));
  EXPECT_TRUE(actors::wants(all.subscription(), breach));
  EXPECT_FALSE(actors::wants(all.subscription(), warning)) << "not among the default types";
  EXPECT_TRUE(actors::wants(finance.subscription(), approval));
  EXPECT_FALSE(actors::wants(finance.subscription(), breach)) << "for another department";

  ticket t;
  t.id = "T-1", t.flow = "f", t.step = "handle", t.owner = "customer_service";
  std::vector<event> events = {{.seq = 3, .at = *parse_utc("2026-06-01T08:00:00Z")}};
  auto rows = actors::outbox_rows({all.subscription(), finance.subscription()}, t, nullptr, events,
                                  approval, *parse_utc("2026-06-01T08:00:01Z"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].channel, "all");
  EXPECT_EQ(rows[1].channel, "finance");
  EXPECT_EQ(rows[0].body, rows[1].body) << "the same bytes for every channel";
  auto body = json::parse(rows[0].body);
  EXPECT_EQ(body["id"], "T-1:3");
  EXPECT_EQ(body["at"], "2026-06-01T08:00:00.000Z");
  // The ticket as every client sees it (workflows/ticket_view.hpp).
  EXPECT_EQ(body["ticket"], to_json(project(t)));
}

}  // namespace
}  // namespace vocflow::testing
