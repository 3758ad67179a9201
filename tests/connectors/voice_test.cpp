// Hearing the complaints together, through the real server on a virtual clock: repeat contacts
// across channels, spikes that open problems (and no spike without a jump), markers beside the
// counts, and the problem's resolution told to every linked complaint.
#include "connectors/webhook.hpp"
#include "tests/connectors/api_fixture.hpp"
#include "tests/shell.hpp"
#include "tests/workflows/fixture.hpp"

#include <fmt/format.h>

#include <mutex>
#include <random>

namespace vocflow::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class VoiceTest : public api_fixture {
 protected:
  void SetUp() override {
    cfg_.flows.topics = example("topics/topics.yaml");
    api_fixture::SetUp();
  }

  // Waits until what the voice decided (links, problems, tellings) is committed and folded.
  void sync() {
    caf::scoped_actor self{node_->system()};
    for (int round = 0; round < 4; ++round) {
      self->request(rt().voice(), 10s, actors::problems_atom::value)
          .receive([](std::vector<actors::problem_info>&) {}, [](caf::error&) {});
      for (auto& p : rt().all_partitions())
        self->request(p, 10s, actors::fetch_atom::value, std::string{"-"})
            .receive([](actors::ticket_record&) {}, [](caf::error&) {});
    }
  }

  json ticket(const std::string& id) { return json_of(call("GET", "/v1/tickets/" + id)); }

  std::vector<json> events_of(const std::string& id, const std::string& type) {
    std::vector<json> out;
    auto t = ticket(id);
    for (auto& e : t["history"])
      if (e["type"] == type) out.push_back(e);
    return out;
  }

  json post(const std::string& target, const json& body, const std::string& role = "agent") {
    auto r = call("POST", target, body.dump(), role);
    EXPECT_LT(r.status, 300) << target << ": " << r.body;
    return json_of(r);
  }
};

// Monday 2026-06-01, 10:00 in New York (the default flow's calendar): business hours.
const time_point monday = *parse_utc("2026-06-01T14:00:00Z");

TEST_F(VoiceTest, AThirdContactThroughAnotherChannelLinksToTheFirstAndEscalates) {
  set_clock(monday);
  auto first = open_ticket({{"customer", "C-77"},
                            {"channel", "web"},
                            {"category", "phones"},
                            {"text", "The screen of my new phone is cracked, 屏幕有划痕"}});
  auto again = [&](const std::string& channel, const std::string& text) {
    auto r = call(
        "POST", "/v1/tickets",
        json{{"customer", "C-77"}, {"channel", channel}, {"category", "phones"}, {"text", text}}
            .dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return json_of(r);
  };
  set_clock(monday + 2h);
  auto second = again("phone", "Calling again about the cracked screen, nobody answered me");
  EXPECT_EQ(second["id"], first);
  EXPECT_EQ(second["created"], false);
  EXPECT_EQ(second["repeat_contact"]["count"], 2);
  EXPECT_NE(second["repeat_contact"]["reason"].get<std::string>().find("device/screen"),
            std::string::npos)
      << second;
  set_clock(monday + 4h);
  auto third = again("web", "Third time: the touch screen still does not work");
  EXPECT_EQ(third["id"], first);
  EXPECT_EQ(third["repeat_contact"]["count"], 3);

  auto repeats = events_of(first, "repeat_contact");
  ASSERT_EQ(repeats.size(), 2u);
  EXPECT_EQ(repeats[0]["channel"], "phone");
  EXPECT_EQ(repeats[1]["channel"], "web");
  // The flow escalates on the third contact, as it says: a supervisor, the manager told, the
  // priority raised.
  auto escalations = events_of(first, "escalated");
  ASSERT_EQ(escalations.size(), 1u);
  EXPECT_EQ(escalations[0]["name"], "repeat_contact");
  EXPECT_EQ(escalations[0]["reassign_role"], "supervisor");
  EXPECT_EQ(escalations[0]["notify"], json::array({"cs_manager"}));
  auto t = ticket(first);
  EXPECT_EQ(t["assigned_role"], "supervisor");
  EXPECT_EQ(t["priority"], "high");

  // Not a repeat: another customer with the same words, the same customer on another matter.
  EXPECT_NE(open_ticket({{"customer", "C-78"},
                         {"channel", "web"},
                         {"category", "phones"},
                         {"text", "The screen of my new phone is cracked, 屏幕有划痕"}}),
            first);
  auto battery = open_ticket({{"customer", "C-77"},
                              {"channel", "web"},
                              {"category", "phones"},
                              {"text", "电池发烫, the battery overheats when charging"}});
  EXPECT_NE(battery, first);

  // First-contact resolution counts the repeat contacts: one answer and a resolution do not
  // make the thrice-contacted ticket first-contact; the battery ticket, answered once, is.
  for (auto& id : {first, battery}) {
    post("/v1/tickets/" + id + "/actions", {{"action", "respond"}, {"text", "Replaced."}});
    post("/v1/tickets/" + id + "/actions", {{"action", "resolve"}, {"text", "Replaced."}});
  }
  auto k = json_of(call("GET", "/v1/kpis?from=2026-06-01T00:00:00Z&fcr_days=0"));
  EXPECT_EQ(k["total"]["first_contact_resolution"]["not_first_contact"], 1) << k;
  EXPECT_EQ(k["total"]["first_contact_resolution"]["first_contact"], 1) << k;
}

// Weeks of ordinary crash and battery complaints, a marker, then (or not) a jump in crashes.
class SpikeTest : public VoiceTest {
 protected:
  // Ops' webhook: spikes and what problems tell their complaints.
  void SetUp() override {
    cfg_.notify.webhooks = {{.name = "ops",
                             .url = hooks_.url() + "/hooks",
                             .secret = "a-shared-secret-of-the-test",
                             .events = {"spike_flagged", "problem_resolved"}}};
    VoiceTest::SetUp();
  }

  std::map<std::string, int> delivered() {
    std::lock_guard lock{mutex_};
    return delivered_;
  }

  // Each day 3-6 customers complain of crashes and of the battery, at random times of the day.
  void ordinary_weeks(int days) {
    std::mt19937 rng{7};
    for (int d = 0; d < days; ++d) {
      auto day = start + std::chrono::days{d};
      for (auto topic : {"crash", "battery"}) {
        int n = std::uniform_int_distribution<int>{3, 6}(rng);
        for (int i = 0; i < n; ++i) {
          advance_to(std::max(now(), day + std::chrono::minutes{60 + 100 * i + (rng() % 50)}));
          complain(topic);
        }
      }
    }
    advance_to(start + std::chrono::days{days});
  }

  std::string complain(const std::string& topic) {
    ++complained_[topic];
    auto text = topic == "crash" ? "The app crashes on start, 一打开就闪退"
                                 : "Battery drains fast, 耗电太快";
    return open_ticket({{"customer", "C-" + std::to_string(++customers_)},
                        {"channel", customers_ % 2 ? "app" : "web"},
                        {"category", "app"},
                        {"text", text}});
  }

  json spikes() { return json_of(call("GET", "/v1/spikes?from=2026-01-01T00:00:00Z", {}, "ops")); }

  time_point start = *parse_utc("2026-05-04T00:00:00Z");
  int customers_ = 0;
  std::map<std::string, int> complained_;
  std::mutex mutex_;
  std::map<std::string, int> delivered_;  // by notification type
  loopback_server hooks_{[this](const connectors::http_request& req) {
    std::lock_guard lock{mutex_};
    ++delivered_[std::string{req["X-Vocflow-Event"]}];
    connectors::http_response res{boost::beast::http::status::no_content, req.version()};
    res.prepare_payload();
    return res;
  }};
};

TEST_F(SpikeTest, AJumpAfterAMarkerIsFlaggedOnceOpensAProblemAndItsResolutionReachesEveryone) {
  set_clock(start);
  ordinary_weeks(28);
  EXPECT_EQ(spikes()["items"].size(), 0u) << spikes();

  // The update ships; crashes jump the same day.
  auto release = start + std::chrono::days{28} + 9h;
  advance_to(release);
  auto m = call("POST", "/v1/markers",
                json{{"text", "app 5.2 released"}, {"topic", "device/crash"}}.dump(), "ops");
  ASSERT_EQ(m.status, 201) << m.body;
  std::vector<std::string> jump;
  for (int i = 0; i < 30; ++i) {
    advance_to(release + std::chrono::minutes{10 * (i + 1)});
    jump.push_back(complain("crash"));
    if (i % 10 == 9) sync();
  }
  sync();

  auto flagged = spikes()["items"];
  ASSERT_EQ(flagged.size(), 1u) << flagged;
  EXPECT_EQ(flagged[0]["topic"], "device/crash");
  EXPECT_EQ(flagged[0]["bucket"], "day");
  std::string problem = flagged[0]["problem"];
  ASSERT_FALSE(problem.empty());

  // The problem links every crash complaint of the day: those before the flag and those after.
  auto problems = json_of(call("GET", "/v1/problems?status=open", {}, "ops"))["items"];
  ASSERT_EQ(problems.size(), 1u) << problems;
  EXPECT_EQ(problems[0]["ticket"], problem);
  std::set<std::string> linked;
  for (auto& x : problems[0]["linked"]) linked.insert(x.get<std::string>());
  for (auto& id : jump) {
    EXPECT_TRUE(linked.contains(id)) << id << " is not linked";
    EXPECT_EQ(ticket(id)["problem"], problem) << id;
  }
  auto p = ticket(problem);
  EXPECT_EQ(p["flow"], "problem");
  EXPECT_EQ(p["owner"], "quality");
  auto flag = events_of(problem, "spike_flagged");
  ASSERT_EQ(flag.size(), 1u);
  EXPECT_EQ(flag[0]["topic"], "device/crash");
  EXPECT_EQ(deliver(), 0u);
  EXPECT_EQ(delivered()["spike_flagged"], 1);

  // The series shows the jump, the marker and the spike in one look.
  auto series = json_of(call("GET",
                             "/v1/topics/device%2Fcrash/series?from=2026-05-25T00:00:00Z&to="
                             "2026-06-02T00:00:00Z",
                             {}, "ops"));
  ASSERT_EQ(series["points"].size(), 8u) << series;
  EXPECT_GE(series["points"][7]["customers"].get<int>(), 30);
  EXPECT_LE(series["points"][6]["customers"].get<int>(), 6);
  ASSERT_EQ(series["markers"].size(), 1u);
  EXPECT_EQ(series["markers"][0]["text"], "app 5.2 released");
  EXPECT_EQ(series["spikes"].size(), 1u);
  auto topics = json_of(call("GET", "/v1/topics", {}, "ops"));
  bool shown = false;
  for (auto& t : topics["items"])
    if (t["id"] == "device/crash") shown = t["open_problem"] == problem;
  EXPECT_TRUE(shown) << topics;
  auto metrics = call("GET", "/metrics").body;
  EXPECT_NE(metrics.find("vocflow_topic_spikes_total{topic=\"device/crash\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("vocflow_problems_open 1"), std::string::npos);
  // Every crash complaint counted under its topic; the problem's own text is no complaint.
  EXPECT_NE(metrics.find(fmt::format("vocflow_topic_complaints_total{{topic=\"device/crash\"}} {}",
                                     complained_["crash"])),
            std::string::npos)
      << metrics;

  // Quality finds the cause; resolving the problem tells every linked complaint, whose flow
  // moves it to the customer's confirmation.
  post("/v1/tickets/" + problem + "/actions",
       {{"action", "resolve"}, {"text", "Fixed in app 5.2.1"}}, "supervisor");
  sync();
  for (auto& id : jump) {
    auto told = events_of(id, "problem_resolved");
    ASSERT_EQ(told.size(), 1u) << id;
    EXPECT_EQ(told[0]["problem"], problem);
    EXPECT_EQ(told[0]["text"], "Fixed in app 5.2.1");
    EXPECT_EQ(ticket(id)["step"], "confirm") << id;
  }
  EXPECT_NE(call("GET", "/metrics").body.find("vocflow_problems_open 0"), std::string::npos);
  // Each complaint's owner hears of it (the webhook), as its customer does through the
  // complaint's reply channel.
  EXPECT_EQ(deliver(), 0u);
  EXPECT_EQ(delivered()["problem_resolved"], static_cast<int>(jump.size()));
  // Still flagged once: the resolution opened no second problem.
  EXPECT_EQ(spikes()["items"].size(), 1u);
}

// The days before vocflow's first complaint are no history of zeros: a first busy day is no spike.
TEST_F(SpikeTest, AFirstBusyDayIsNoSpike) {
  set_clock(start);
  for (int i = 0; i < 12; ++i) {
    advance_to(start + std::chrono::minutes{30 * (i + 1)});
    complain("crash");
  }
  sync();
  EXPECT_EQ(spikes()["items"].size(), 0u) << spikes();
}

TEST_F(SpikeTest, TheSameTrafficWithoutTheJumpFlagsNothing) {
  set_clock(start);
  ordinary_weeks(35);
  sync();
  EXPECT_EQ(spikes()["items"].size(), 0u) << spikes();
  EXPECT_EQ(json_of(call("GET", "/v1/problems", {}, "ops"))["items"].size(), 0u);
}

// A changed topics file is a new version; reading history again keeps the old reading.
TEST_F(VoiceTest, NewTopicsAreDeployedAsAVersionAndHistoryIsReadAgain) {
  set_clock(monday);
  auto id = open_ticket({{"customer", "C-9"},
                         {"channel", "app"},
                         {"category", "app"},
                         {"text", "It keeps logging me out"}});
  EXPECT_EQ(ticket(id)["topics"], json::array());
  auto v2 = R"(kind: topics
version: 2
topics:
  app/login:
    title: Logged out, cannot log in
    owner: engineering
    any: [logging me out, logged out, 登录不了]
)";
  auto r = call("POST", "/v1/flows", v2, "owner");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json_of(call("GET", "/v1/topics"))["version"], 2);
  // An older or equal version is refused, at its place.
  EXPECT_EQ(call("POST", "/v1/flows", v2, "owner").status, 200) << "the same text again";
  EXPECT_EQ(call("POST", "/v1/reclassify", {}, "agent").status, 403);
  auto done = json_of(call("POST", "/v1/reclassify?from=2026-06-01T00:00:00Z", {}, "owner"));
  EXPECT_EQ(done["reclassified"], 1) << done;
  EXPECT_EQ(ticket(id)["topics"], json::array({"app/login"}));
  auto readings = events_of(id, "classified");
  ASSERT_EQ(readings.size(), 2u);
  EXPECT_EQ(readings[0]["topics"], json::array());
  EXPECT_EQ(readings[0]["topics_version"], 1);
  EXPECT_EQ(readings[1]["of"], "reclassified");
  EXPECT_EQ(readings[1]["topics_version"], 2);
  EXPECT_EQ(readings[1]["why"], json::array({"any \"logging me out\""}));
  // The new version serves after a restart too; the command line reads history again.
  restart();
  EXPECT_EQ(json_of(call("GET", "/v1/topics"))["version"], 2);
  auto cli = shell(std::string{VOCFLOW_BINARY} +
                   " reclassify --url http://127.0.0.1:" + std::to_string(port_) + " --token " +
                   role_tokens.at("owner") + " --from 2026-06-01 2>&1");
  EXPECT_EQ(cli.code, 0) << cli.out;
  EXPECT_NE(cli.out.find("1 tickets read again: 1 reclassified"), std::string::npos) << cli.out;
  EXPECT_EQ(events_of(id, "classified").size(), 3u);
}

// The digest on Monday mornings, Shanghai time: last week's, signed, once.
class DigestWebhookTest : public VoiceTest {
 protected:
  void SetUp() override {
    cfg_.digest = {.url = hooks_.url() + "/digest",
                   .secret = "a-shared-secret-of-the-test",
                   .calendar = "cn-business",
                   .at = 9h,
                   .format = "json"};
    set_clock(*parse_utc("2026-06-03T02:00:00Z"));  // a Wednesday: last Monday's is due
    VoiceTest::SetUp();
  }
  std::vector<json> received() {
    std::lock_guard lock{mutex_};
    return received_;
  }
  std::mutex mutex_;
  std::vector<json> received_;
  loopback_server hooks_{[this](const connectors::http_request& req) {
    std::lock_guard lock{mutex_};
    auto body = json::parse(req.body(), nullptr, false);
    body["signed"] = req["X-Vocflow-Signature"] ==
                     connectors::webhook_signature("a-shared-secret-of-the-test", req.body());
    body["event"] = std::string{req["X-Vocflow-Event"]};
    received_.push_back(std::move(body));
    connectors::http_response res{boost::beast::http::status::no_content, req.version()};
    res.prepare_payload();
    return res;
  }};
};

TEST_F(DigestWebhookTest, EveryMondayMorningLastWeeksDigestIsPostedOnce) {
  EXPECT_EQ(deliver(), 0u);
  auto got = received();
  ASSERT_EQ(got.size(), 1u) << "last Monday's digest, missed: sent at start";
  EXPECT_EQ(got[0]["week"], "2026-W22");
  EXPECT_EQ(got[0]["signed"], true);
  EXPECT_EQ(got[0]["event"], "digest");

  open_ticket({{"customer", "C-1"},
               {"channel", "web"},
               {"category", "phones"},
               {"text", "屏幕有坏点, a dead pixel on the screen"}});
  // Monday 2026-06-08, 08:59 in Shanghai: not yet; 09:00: this week's.
  advance_to(*parse_utc("2026-06-08T00:59:00Z"));
  EXPECT_EQ(deliver(), 0u);
  EXPECT_EQ(received().size(), 1u);
  advance_to(*parse_utc("2026-06-08T01:00:00Z"));
  EXPECT_EQ(deliver(), 0u);
  got = received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1]["week"], "2026-W23");
  bool screen = false;
  for (auto& d : got[1]["departments"])
    for (auto& p : d["pain"])
      screen |= p["topic"] == "device/screen" && d["department"] == "quality";
  EXPECT_TRUE(screen) << got[1].dump();
  // Once: not again on Tuesday, nor after a restart.
  advance_to(*parse_utc("2026-06-09T03:00:00Z"));
  EXPECT_EQ(deliver(), 0u);
  restart();
  EXPECT_EQ(deliver(), 0u);
  EXPECT_EQ(received().size(), 2u);
}

TEST_F(VoiceTest, AMarkerNeedsTextAndAKnownTopic) {
  auto r = call("POST", "/v1/markers", R"({"topic":"device/crash"})", "ops");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json_of(r)["field"], "text");
  r = call("POST", "/v1/markers", R"({"text":"x","topic":"device/crashes"})", "ops");
  EXPECT_EQ(r.status, 400);
  r = call("POST", "/v1/markers", R"({"text":"x","at":"yesterday"})", "ops");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(call("POST", "/v1/markers", R"({"text":"x"})", "agent").status, 403);
  EXPECT_EQ(call("GET", "/v1/topics/nope/series", {}, "ops").status, 404);
  EXPECT_EQ(call("GET", "/v1/topics/device%2Fcrash/series?bucket=week", {}, "ops").status, 400);
}

}  // namespace
}  // namespace vocflow::testing
