// What a day's work asks of the API (the web console's needs): queues most urgent first with
// filters, words and pages; claiming and assigning; who am I; a customer's view; breaches that
// say why; KPIs by product, topic and day that count what happened in the period; checking a
// flow without deploying it; a flow's steps with their counts, drawn as SVG; the hand-moved clock.
#include "tests/connectors/api_fixture.hpp"

#include <fstream>

namespace vocflow::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// Round the clock, so that deadlines are plain arithmetic.
constexpr const char* desk_flow = R"(id: desk
version: 1
title: Desk
calendar: always-utc
sla:
  first_response: 1h
  resolution: 8h
compensation:
  currency: CNY
  limits: { agent: 100 }
  above_limits: finance
steps:
  handle:
    owner: customer_service
    on:
      resolve: closed
  closed: { final: true }
)";

class ConsoleApiTest : public api_fixture {
 protected:
  time_point day0 = *parse_utc("2026-06-01T00:00:00Z");

  void SetUp() override {
    api_fixture::SetUp();
    set_clock(day0);
    auto deployed = call("POST", "/v1/flows?file=desk.yaml", desk_flow, "owner");
    ASSERT_EQ(deployed.status, 201) << deployed.body;
  }

  std::string open(const std::string& customer, const std::string& text, json extra = {}) {
    json body = {{"customer", customer}, {"text", text}, {"flow", "desk"}, {"channel", "web"}};
    for (auto& [k, v] : extra.items()) body[k] = v;
    return open_ticket(body);
  }
  json queue(const std::string& query, const std::string& role = "agent") {
    auto r = call("GET", "/v1/tickets?department=customer_service&" + query, {}, role);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return json_of(r);
  }
  static std::vector<std::string> ids(const json& page) {
    std::vector<std::string> out;
    for (auto& e : page["items"]) out.push_back(e["id"]);
    return out;
  }
  json act(const std::string& id, const json& body, const std::string& role = "agent") {
    auto r = call("POST", "/v1/tickets/" + id + "/actions", body.dump(), role);
    EXPECT_EQ(r.status, 200) << body.dump() << ": " << r.body;
    return json_of(r);
  }
};

TEST_F(ConsoleApiTest, QueueComesMostUrgentFirstFilteredSearchedAndPaged) {
  auto late = open("C-1", "Order never arrived", {{"category", "delivery"}, {"product", "shoes"}});
  advance_to(day0 + 10min);
  auto urgent = open("C-2", "App crashes at login", {{"severity", "urgent"}, {"category", "app"}});
  auto plain = open("C-3", "尺码偏小，想换大一号", {{"category", "returns"}, {"channel", "phone"}});
  advance_to(day0 + 30min);
  auto newer = open("C-4", "Wrong colour delivered", {{"category", "delivery"}});
  // The first ticket's first response breaches at 1h: it is late, so it comes first.
  advance_to(day0 + 61min);
  EXPECT_EQ(ids(queue("limit=10")), (std::vector<std::string>{late, urgent, plain, newer}));
  // Urgent and normal with the same deadline: urgent first (opened together).
  auto page = queue("limit=10");
  EXPECT_EQ(page["total"], 4);
  auto& row = page["items"][0];
  EXPECT_EQ(row["customer"], "C-1");
  EXPECT_EQ(row["subject"], "Order never arrived");
  EXPECT_EQ(row["category"], "delivery");
  EXPECT_EQ(row["owner"], "customer_service");
  EXPECT_TRUE(row["breached"].get<bool>());
  EXPECT_FALSE(row["next_deadline"].is_null());

  // Filters and words.
  EXPECT_EQ(ids(queue("category=delivery")), (std::vector<std::string>{late, newer}));
  EXPECT_EQ(ids(queue("customer=C-3")), std::vector<std::string>{plain});
  EXPECT_EQ(ids(queue("channel=phone")), std::vector<std::string>{plain});
  EXPECT_EQ(ids(queue("product=shoes")), std::vector<std::string>{late});
  EXPECT_EQ(ids(queue("q=CRASHES%20login")), std::vector<std::string>{urgent});
  EXPECT_EQ(ids(queue("q=" + std::string{"%E5%B0%BA%E7%A0%81"})), std::vector<std::string>{plain});
  EXPECT_EQ(ids(queue("q=crashes%20nowhere")), std::vector<std::string>{});
  EXPECT_EQ(ids(queue("breached=true")), std::vector<std::string>{late});
  EXPECT_EQ(ids(queue("priority=urgent")), std::vector<std::string>{urgent});
  EXPECT_TRUE(page["items"][1]["warned"].is_boolean());

  // Pages of one, from the cursor: each ticket once, in the same order.
  std::vector<std::string> seen;
  std::string cursor;
  for (int i = 0; i < 6; ++i) {
    auto p = queue("limit=1" + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (auto& id : ids(p)) seen.push_back(id);
    if (p["next_cursor"].is_null()) break;
    cursor = p["next_cursor"];
  }
  EXPECT_EQ(seen, (std::vector<std::string>{late, urgent, plain, newer}));
  // A ticket opened between two pages that sorts after the cursor shows up on a later page.
  EXPECT_EQ(call("GET", "/v1/tickets?department=customer_service&cursor=garbage").status, 400);
  EXPECT_EQ(call("GET", "/v1/tickets?sort=urgency").status, 400);  // needs a department
  EXPECT_EQ(ids(queue("sort=id")).front(), late);
}

TEST_F(ConsoleApiTest, AnAgentClaimsOrIsAssignedAndMineFiltersOnThePerson) {
  auto a = open("C-1", "Parcel lost");
  auto b = open("C-2", "Parcel late");
  auto claimed = act(a, {{"action", "assign"}});
  EXPECT_EQ(claimed["ticket"]["assignee"], "user-agent");
  EXPECT_EQ(claimed["events"][0]["type"], "assigned");
  act(b, {{"action", "assign"}, {"to", "li.wei"}}, "supervisor");
  EXPECT_EQ(ids(queue("assignee=me")), std::vector<std::string>{a});
  EXPECT_EQ(ids(queue("assignee=li.wei")), std::vector<std::string>{b});
  EXPECT_EQ(ids(queue("assignee=-")), std::vector<std::string>{});
  // Taking it twice says so.
  auto again = call("POST", "/v1/tickets/" + a + "/actions", R"({"action":"assign"})");
  EXPECT_EQ(again.status, 422);
  EXPECT_NE(json_of(again)["message"].get<std::string>().find("has the ticket already"),
            std::string::npos);
  auto t = json_of(call("GET", "/v1/tickets/" + a));
  EXPECT_EQ(t["assignee"], "user-agent");
  EXPECT_EQ(t["assigned_role"], "");
  // The ticket tells the caller their compensation limit and where a hand-off may go.
  EXPECT_EQ(t["you"]["compensation"]["limit"], "100");
  EXPECT_EQ(t["you"]["compensation"]["approver"], "finance");
  EXPECT_FALSE(t["you"]["hand_off_to"].empty());
}

TEST_F(ConsoleApiTest, WhoAmITheClockAndACustomersViewAcrossChannels) {
  auto me = json_of(call("GET", "/v1/me"));
  EXPECT_EQ(me["name"], "user-agent");
  EXPECT_EQ(me["role"], "agent");
  EXPECT_FALSE(me["departments"].empty());  // the token names none: every department
  EXPECT_EQ(me["clock"]["now"], format_utc(day0));
  // The fixture's clock is not one POST /v1/clock moves.
  EXPECT_EQ(call("POST", "/v1/clock", R"({"advance":"1h"})", "admin").status, 409);
  EXPECT_EQ(call("POST", "/v1/clock", R"({"advance":"1h"})", "agent").status, 403);

  auto web = open("C-77", "Screen flickers");
  advance_to(day0 + 2h);
  auto phone = open("C-77", "Refund never came", {{"channel", "phone"}});
  open("C-78", "Someone else");
  auto view = json_of(call("GET", "/v1/customers/C-77"));
  ASSERT_EQ(view["tickets"].size(), 2u);
  ASSERT_EQ(view["contacts"].size(), 2u);
  EXPECT_EQ(view["contacts"][0]["ticket"], web);
  EXPECT_EQ(view["contacts"][0]["channel"], "web");
  EXPECT_EQ(view["contacts"][1]["ticket"], phone);
  EXPECT_EQ(view["contacts"][1]["channel"], "phone");
  EXPECT_EQ(json_of(call("GET", "/v1/customers/C-nobody"))["tickets"].size(), 0u);
}

TEST_F(ConsoleApiTest, BreachesSayWhyAndKpisCountWhatHappenedInThePeriod) {
  auto a = open("C-1", "Broken zip", {{"category", "returns"}, {"product", "jeans"}});
  act(a, {{"action", "assign"}});
  // Opened on day 0, breached on day 0 (1h); the period of day 1 counts nothing of it, while
  // a ticket opened on day 0 and breached on day 1 counts in day 1's period.
  advance_to(day0 + 23h + 30min);
  auto b = open("C-2", "Late parcel", {{"category", "delivery"}, {"product", "shoes"}});
  advance_to(day0 + 25h);
  auto alerts = json_of(call("GET", "/v1/breaches?since=2026-06-01T00:00:00Z&type=sla_breached"));
  ASSERT_GE(alerts["items"].size(), 2u);
  auto& first = alerts["items"][0];
  EXPECT_EQ(first["ticket"], a);
  EXPECT_EQ(first["step"], "handle");
  EXPECT_EQ(first["department"], "customer_service");
  EXPECT_EQ(first["assignee"], "user-agent");
  EXPECT_EQ(first["category"], "returns");
  EXPECT_EQ(first["product"], "jeans");

  auto day1 = json_of(
      call("GET", "/v1/kpis?from=2026-06-02T00:00:00Z&to=2026-06-03T00:00:00Z&group_by=product", {},
           "ops"));
  EXPECT_EQ(day1["total"]["tickets"], 0);  // none opened that day...
  // ...but b's first response breached at 00:30 on day 1.
  EXPECT_EQ(day1["total"]["in_period"]["breaches"], 1);
  ASSERT_EQ(day1["groups"].size(), 1u);
  EXPECT_EQ(day1["groups"][0]["group"], "shoes");
  auto by_day = json_of(call(
      "GET", "/v1/kpis?from=2026-06-01T00:00:00Z&to=2026-06-03T00:00:00Z&group_by=day", {}, "ops"));
  std::map<std::string, json> days;
  for (auto& g : by_day["groups"]) days[g["group"]] = g;
  EXPECT_EQ(days["2026-06-01"]["tickets"], 2);
  EXPECT_EQ(days["2026-06-02"]["in_period"]["breaches"], 1);
  EXPECT_EQ(call("GET", "/v1/kpis?group_by=topic", {}, "ops").status, 200);
  (void)b;
}

TEST_F(ConsoleApiTest, AFlowIsCheckedWithoutDeployingAndDrawnWithItsStepCounts) {
  auto broken = std::string{desk_flow};
  broken.replace(broken.find("owner: customer_service"), 23, "owner: nowhere");
  broken.replace(broken.find("version: 1"), 10, "version: 2");
  auto r = call("POST", "/v1/flows:validate?file=desk.yaml", broken, "owner");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = json_of(r);
  EXPECT_FALSE(j["ok"].get<bool>());
  json error;
  for (auto& d : j["diagnostics"])
    if (d["severity"] == "error") error = d;
  ASSERT_FALSE(error.is_null()) << j.dump();
  EXPECT_EQ(error["line"], 14);
  EXPECT_EQ(error["column"], 12);
  EXPECT_EQ(error["code"], "unknown-department");
  EXPECT_EQ(error["file"], "desk.yaml");
  auto fixed = std::string{desk_flow};
  fixed.replace(fixed.find("version: 1"), 10, "version: 2");
  EXPECT_TRUE(json_of(call("POST", "/v1/flows:validate", fixed, "agent"))["ok"].get<bool>());
  // Nothing was deployed.
  auto flows = json_of(call("GET", "/v1/flows"));
  for (auto& f : flows["flows"])
    if (f["id"] == "desk") {
      EXPECT_EQ(f["version"], 1);
    }

  open("C-1", "One");
  open("C-2", "Two");
  advance_to(day0 + 2h);
  auto steps = json_of(call("GET", "/v1/flows/desk/steps"));
  ASSERT_EQ(steps["steps"].size(), 1u);
  EXPECT_EQ(steps["steps"][0]["step"], "handle");
  EXPECT_EQ(steps["steps"][0]["open"], 2);
  EXPECT_EQ(steps["steps"][0]["breached"], 2);
  EXPECT_EQ(call("GET", "/v1/flows/nope/steps").status, 404);
  auto text = call("GET", "/v1/flows/desk/source");
  EXPECT_EQ(text.body, desk_flow);
  EXPECT_EQ(call("GET", "/v1/flows/desk/source?version=9").status, 404);
  auto svg = call("GET", "/v1/flows/desk/graph?format=svg");
  ASSERT_EQ(svg.status, 200) << svg.body;
  EXPECT_EQ(svg.content_type, "image/svg+xml");
  EXPECT_NE(svg.body.find("<svg"), std::string::npos);
  EXPECT_NE(svg.body.find("handle"), std::string::npos);
}

TEST_F(ConsoleApiTest, AScenarioRunsUnderTheDeployedFlowOrTheOneSentWithIt) {
  std::ifstream in{std::string{VOCFLOW_SOURCE_DIR} + "/examples/scenarios/apparel-returns.yaml"};
  std::string scenario{std::istreambuf_iterator<char>{in}, {}};
  auto r = call("POST", "/v1/flows:simulate", json{{"scenario", scenario}}.dump(), "owner");
  ASSERT_EQ(r.status, 200) << r.body;
  auto run = json_of(r);
  EXPECT_EQ(run["flow"], "apparel-returns@1");
  EXPECT_FALSE(run["timeline"].empty());
  auto broken = call("POST", "/v1/flows:simulate",
                     json{{"scenario", scenario}, {"flow", "id: x\nsteps: 3\n"}}.dump(), "owner");
  EXPECT_EQ(broken.status, 422);
  EXPECT_FALSE(json_of(broken)["diagnostics"].empty());
  EXPECT_EQ(call("POST", "/v1/flows:simulate", R"({"flow": 3})", "owner").status, 400);
}

}  // namespace
}  // namespace vocflow::testing
