// What if, and the KPI audit, on tickets recorded through the real runtime: the recorded
// apparel-returns tickets replayed with a 2h first-response target and a holiday added (the
// replayed breaches are the ones computed by hand; the recorded KPIs do not move), and each
// audit finding made by real commands.
#include "connectors/what_if.hpp"
#include "tests/connectors/api_fixture.hpp"
#include "tests/shell.hpp"
#include "tests/workflows/fixture.hpp"

#include <fmt/format.h>

#include <fstream>

namespace vocflow::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string file_text(const std::string& path) {
  std::ifstream in{path};
  return {std::istreambuf_iterator<char>{in}, {}};
}

void replace(std::string& text, const std::string& from, const std::string& to) {
  auto pos = text.find(from);
  ASSERT_NE(pos, std::string::npos) << from;
  text.replace(pos, from.size(), to);
}

class WhatIfTest : public api_fixture {
 protected:
  const calendar& cal() { return *example_flow("apparel-returns")->cal; }
  time_point at(const std::string& local_time) { return local(cal(), local_time); }

  std::string open(const std::string& customer, const std::string& text,
                   const std::string& flow = "apparel-returns") {
    return open_ticket({{"customer", customer},
                        {"text", text},
                        {"category", "returns"},
                        {"product", "apparel"},
                        {"channel", "web"},
                        {"flow", flow}});
  }
  void act(const std::string& id, json body, const std::string& role = "agent") {
    auto r = call("POST", "/v1/tickets/" + id + "/actions", body.dump(), role);
    EXPECT_EQ(r.status, 200) << body.dump() << ": " << r.body;
  }
  json audit(const std::string& query = "from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z") {
    auto r = call("GET", "/v1/audit?" + query, {}, "ops");
    EXPECT_EQ(r.status, 200) << r.body;
    return json_of(r);
  }
  static std::vector<json> of_kind(const json& report, const std::string& kind) {
    std::vector<json> out;
    for (auto& f : report["findings"])
      if (f["kind"] == kind) out.push_back(f);
    return out;
  }
  static std::vector<std::string> evidence_types(const json& finding) {
    std::vector<std::string> out;
    for (auto& e : finding["evidence"]) out.push_back(e["type"]);
    return out;
  }
};

// cn-business: Monday to Friday 09:00-18:00, Shanghai. The changed calendar adds a holiday on
// Wednesday 2026-03-04; the changed flow answers within 2h instead of 4h.
//
//   ticket  opened (local)   answered        recorded (4h)    replayed (2h, Wed off)
//   A       Mon 09:00        Mon 12:00       met 3h00m        missed 3h00m, breach Mon 11:00
//   B       Mon 09:00        Mon 10:30       met 1h30m        met 1h30m
//   F       Mon 14:00        Mon 16:30       met 2h30m        missed 2h30m, breach Mon 16:00
//   C       Tue 17:00        Wed 10:30       met 2h30m        met 1h00m (Wed is a holiday)
//   D       Wed 09:00        Wed 15:00       missed 6h00m     met 0m (no business time yet)
//   E       Thu 09:00        never           missed, Thu 13:00  missed, breach Thu 11:00
TEST_F(WhatIfTest, ATighterFirstResponseAndAHolidayBreachWhereComputedByHand) {
  set_clock(at("2026-03-02 09:00"));
  auto a = open("C-A", "The jacket runs small");
  auto b = open("C-B", "Wrong colour");
  advance_to(at("2026-03-02 10:30"));
  act(b, {{"action", "respond"}, {"text", "Sorry, a new one is on its way"}});
  act(b, {{"action", "resolve"}, {"text", "replaced"}});
  advance_to(at("2026-03-02 12:00"));
  act(a, {{"action", "respond"}, {"text", "Send it back for a larger size"}});
  act(a, {{"action", "resolve"}, {"text", "exchanged"}});
  advance_to(at("2026-03-02 14:00"));
  auto f = open("C-F", "Zip broke on first wear");
  advance_to(at("2026-03-02 16:30"));
  act(f, {{"action", "respond"}, {"text", "We refund it"}});
  act(f, {{"action", "resolve"}, {"text", "refunded"}});
  advance_to(at("2026-03-03 17:00"));
  auto c = open("C-C", "Parcel arrived wet");
  advance_to(at("2026-03-04 09:00"));
  auto d = open("C-D", "Buttons missing");
  advance_to(at("2026-03-04 10:30"));
  act(c, {{"action", "respond"}, {"text", "We send another"}});
  act(c, {{"action", "resolve"}, {"text", "resent"}});
  advance_to(at("2026-03-04 15:00"));
  act(d, {{"action", "respond"}, {"text", "Buttons are on their way"}});
  act(d, {{"action", "resolve"}, {"text", "buttons sent"}});
  advance_to(at("2026-03-05 09:00"));
  auto e = open("C-E", "Nobody answers me");
  advance_to(at("2026-03-06 12:00"));

  auto kpis_before =
      call("GET", "/v1/kpis?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z", {}, "ops").body;
  auto history_before = call("GET", "/v1/tickets/" + a + "/events").body;

  auto flow_yaml = file_text(example("flows/apparel-returns.yaml"));
  replace(flow_yaml, "within: 4h", "within: 2h");
  replace(flow_yaml, "version: 1", "version: 2");
  auto org_yaml = file_text(example("flows/organization.yaml"));
  replace(org_yaml, "      - 2026-01-01\n", "      - 2026-01-01\n      - 2026-03-04\n");
  json body = {{"flow", flow_yaml}, {"organization", org_yaml}};
  auto r = call("POST", "/v1/replays?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z",
                body.dump(), "owner");
  ASSERT_EQ(r.status, 200) << r.body;
  auto report = json_of(r);

  EXPECT_EQ(report["tickets"], 6);
  EXPECT_EQ(report["flow"], "apparel-returns@2");
  EXPECT_EQ(report["label"], std::string{what_if_label});
  EXPECT_EQ(report["recorded"]["breaches_by_target"]["first_response"], 2);  // D, E
  EXPECT_EQ(report["replayed"]["breaches_by_target"]["first_response"], 3);  // A, F, E
  EXPECT_EQ(report["recorded"]["first_response"]["met"], 4);
  EXPECT_EQ(report["replayed"]["first_response"]["met"], 3);
  EXPECT_EQ(report["recorded"]["warnings_by_target"]["first_response"], 2);  // D, E at 80%
  EXPECT_EQ(report["replayed"]["warnings_by_target"]["first_response"], 3);  // A, F, E
  EXPECT_EQ(report["impossible"]["count"], 0);

  std::map<std::string, std::map<std::string, std::pair<std::string, std::string>>> changed;
  for (auto& t : report["changed"]["tickets"])
    for (auto& x : t["changes"]) changed[t["ticket"]][x["what"]] = {x["recorded"], x["replayed"]};
  using change = std::pair<std::string, std::string>;
  EXPECT_EQ(changed[a]["first response"], (change{"met (3h00m)", "missed (3h00m)"}));
  EXPECT_EQ(changed[f]["first response"], (change{"met (2h30m)", "missed (2h30m)"}));
  EXPECT_EQ(changed[c]["first response"], (change{"met (2h30m)", "met (1h00m)"}));
  EXPECT_EQ(changed[d]["first response"], (change{"missed (6h00m)", "met (0m)"}));
  EXPECT_EQ(changed[a]["breaches"], (change{"0", "1"}));
  EXPECT_EQ(changed[d]["breaches"], (change{"1", "0"}));
  EXPECT_FALSE(changed.contains(b));
  // E missed both ways; its deadline moved from 13:00 to 11:00 on Thursday.
  EXPECT_EQ(changed[e]["first response"],
            (change{"missed (due Thu 2026-03-05 13:00)", "missed (due Thu 2026-03-05 11:00)"}));

  // The recorded history and KPIs are as they were.
  EXPECT_EQ(
      call("GET", "/v1/kpis?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z", {}, "ops").body,
      kpis_before);
  EXPECT_EQ(call("GET", "/v1/tickets/" + a + "/events").body, history_before);

  // Markdown for a page; an agent may not ask; a broken flow says where.
  auto md =
      call("POST", "/v1/replays?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z&format=markdown",
           body.dump(), "ops");
  EXPECT_EQ(md.status, 200);
  EXPECT_NE(md.body.find("| breaches: first_response | 2 | 3 | +1 |"), std::string::npos)
      << md.body;
  EXPECT_EQ(call("POST", "/v1/replays", body.dump(), "agent").status, 403);
  EXPECT_EQ(call("POST", "/v1/replays", "{\"flow\": 3}", "owner").status, 400);
  auto broken = flow_yaml;
  replace(broken, "resolve: confirm", "resolve: nowhere");
  auto bad = call("POST", "/v1/replays", json{{"flow", broken}}.dump(), "owner");
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("flow.yaml:"), std::string::npos) << bad.body;

  // The same from the stopped data folder, by the command line.
  stop();
  auto flow_path = dir_ / "apparel-returns.yaml";
  auto org_path = dir_ / "organization.yaml";
  std::ofstream{flow_path} << flow_yaml;
  std::ofstream{org_path} << org_yaml;
  auto out = shell(fmt::format(
      "{} replay --flow {} --org {} --data {} --from 2026-03-01 --to 2026-04-01 --as-of "
      "2026-03-06T04:00:00Z",
      VOCFLOW_BINARY, flow_path, org_path, (dir_ / "data")));
  EXPECT_EQ(out.code, 0) << out.out;
  EXPECT_NE(out.out.find("breaches: first_response"), std::string::npos) << out.out;
  EXPECT_NE(out.out.find("Outcomes changed on 5 of 6 tickets"), std::string::npos) << out.out;
  start();
}

// The clock waited for the customer while the customer had written in again, as a new
// complaint on another matter: the pause went on until the answer on the ticket itself.
TEST_F(WhatIfTest, AuditFindsAClockPausedAfterTheCustomerAnswered) {
  set_clock(at("2026-03-02 09:00"));
  auto p = open("C-1", "The jacket runs small");
  advance_to(at("2026-03-02 10:00"));
  act(p, {{"action", "ask_customer"}, {"text", "Which size do you usually wear?"}});
  advance_to(at("2026-03-02 11:00"));
  auto q = open("C-1", "Also: where is my refund for the shoes from May?");
  advance_to(at("2026-03-03 15:00"));
  act(p, {{"action", "customer_reply"}, {"text", "M"}}, "agent");
  auto found = of_kind(audit(), "paused_while_customer_answered");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]["ticket"], p);
  EXPECT_EQ(evidence_types(found[0]), (std::vector<std::string>{"paused", "opened", "resumed"}));
  EXPECT_EQ(found[0]["evidence"][1]["ticket"], q);
  // Monday 11:00 to Tuesday 15:00 in business time: 7h + 6h.
  EXPECT_NE(found[0]["summary"].get<std::string>().find("13h00m"), std::string::npos)
      << found[0]["summary"];
}

// Resolved, then the confirmation step timed out: the loop counts as closed without the
// customer saying so. A ticket the customer confirmed is not a finding.
TEST_F(WhatIfTest, AuditFindsATicketClosedWithoutTheCustomersConfirmation) {
  set_clock(at("2026-03-02 09:00"));
  auto silent = open("C-1", "The jacket runs small");
  auto happy = open("C-2", "Wrong colour");
  advance_to(at("2026-03-02 10:00"));
  for (auto& id : {silent, happy}) {
    act(id, {{"action", "respond"}, {"text", "Exchanged"}});
    act(id, {{"action", "resolve"}, {"text", "exchanged"}});
  }
  act(happy, {{"action", "confirm"}, {"on_behalf_of", "customer"}});
  advance_to(at("2026-03-10 09:00"));
  auto report = audit();
  auto found = of_kind(report, "closed_without_confirmation");
  ASSERT_EQ(found.size(), 1u) << report.dump(2);
  EXPECT_EQ(found[0]["ticket"], silent);
  EXPECT_EQ(evidence_types(found[0]),
            (std::vector<std::string>{"resolved", "step_entered", "closed"}));
  EXPECT_EQ(found[0]["evidence"][1]["via"], "timeout");
}

// A complaint closed and confirmed, then the same matter again as a new ticket within the
// 14-day reopen window: the first one still counts as resolved at first contact.
TEST_F(WhatIfTest, AuditFindsANewComplaintRepeatingAClosedOne) {
  set_clock(at("2026-03-02 09:00"));
  auto first = open("C-1", "The jacket runs small, size chart is wrong");
  advance_to(at("2026-03-02 10:00"));
  act(first, {{"action", "respond"}, {"text", "Exchanged"}});
  act(first, {{"action", "resolve"}, {"text", "exchanged"}});
  act(first, {{"action", "confirm"}, {"on_behalf_of", "customer"}});
  advance_to(at("2026-03-09 10:00"));
  auto again = open("C-1", "The jacket runs small again, the size chart is still wrong");
  auto other = open("C-1", "Where is my parcel from the other shop?");
  auto report = audit();
  auto found = of_kind(report, "repeat_of_closed");
  ASSERT_EQ(found.size(), 1u) << report.dump(2);
  EXPECT_EQ(found[0]["ticket"], first);
  EXPECT_EQ(evidence_types(found[0]), (std::vector<std::string>{"closed", "opened"}));
  EXPECT_EQ(found[0]["evidence"][1]["ticket"], again);
  EXPECT_NE(found[0]["summary"].get<std::string>().find("first contact"), std::string::npos);
  (void)other;
}

// Two grants of 40 CNY by agents, each within the agent limit of 50, to one customer on two
// tickets within a day: 80 CNY, above what an agent may grant.
TEST_F(WhatIfTest, AuditFindsCompensationSplitUnderALimit) {
  set_clock(at("2026-03-02 09:00"));
  auto one = open("C-1", "The jacket runs small");
  auto two = open("C-1", "The scarf has a hole");
  auto fine = open("C-2", "Wrong colour");
  advance_to(at("2026-03-02 10:00"));
  act(one, {{"action", "grant_compensation"}, {"amount", "40"}, {"text", "sorry"}});
  advance_to(at("2026-03-02 16:00"));
  act(two, {{"action", "grant_compensation"}, {"amount", "40"}, {"text", "sorry again"}});
  act(fine, {{"action", "grant_compensation"}, {"amount", "40"}, {"text", "sorry"}});
  advance_to(at("2026-03-04 10:00"));
  act(fine, {{"action", "grant_compensation"}, {"amount", "10"}, {"text", "a day later"}});
  auto report = audit();
  auto found = of_kind(report, "split_compensation");
  ASSERT_EQ(found.size(), 1u) << report.dump(2);
  EXPECT_EQ(found[0]["customer"], "C-1");
  EXPECT_EQ(evidence_types(found[0]),
            (std::vector<std::string>{"compensation_granted", "compensation_granted"}));
  EXPECT_EQ(found[0]["evidence"][0]["ticket"], one);
  EXPECT_EQ(found[0]["evidence"][1]["ticket"], two);
  EXPECT_NE(found[0]["summary"].get<std::string>().find("80"), std::string::npos);
}

// Customer service hands a ticket to logistics, which hands it straight back.
TEST_F(WhatIfTest, AuditFindsHandOffPingPong) {
  set_clock(at("2026-03-02 09:00"));
  auto t = open("C-1", "Parcel lost");
  advance_to(at("2026-03-02 10:00"));
  act(t, {{"action", "hand_off"}, {"to", "logistics"}, {"text", "the parcel is lost"}});
  advance_to(at("2026-03-02 11:00"));
  act(t,
      {{"action", "hand_off"}, {"to", "customer_service"}, {"text", "not ours: ask the customer"}});
  auto report = audit("from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z&kind=handoff_ping_pong");
  auto found = of_kind(report, "handoff_ping_pong");
  ASSERT_EQ(found.size(), 1u) << report.dump(2);
  EXPECT_EQ(found[0]["ticket"], t);
  EXPECT_EQ(evidence_types(found[0]), (std::vector<std::string>{"handed_off", "handed_off"}));
  EXPECT_EQ(report["counts"]["handoff_ping_pong"], 1);
  EXPECT_EQ(call("GET", "/v1/audit?kind=nonsense", {}, "ops").status, 400);
  EXPECT_EQ(call("GET", "/v1/audit", {}, "agent").status, 403);

  // The command line reads a stopped data folder the same way.
  stop();
  auto out = shell(fmt::format(
      "{} audit --data {} --from 2026-03-01 --to 2026-04-01 --as-of 2026-03-03T00:00:00Z --org {}",
      VOCFLOW_BINARY, (dir_ / "data"), example("flows/organization.yaml")));
  EXPECT_EQ(out.code, 0) << out.out;
  EXPECT_NE(out.out.find("handoff_ping_pong " + t), std::string::npos) << out.out;
  start();
}

}  // namespace
}  // namespace vocflow::testing
