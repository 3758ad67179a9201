// Closed-loop KPIs: a scripted set of tickets through the HTTP API on a virtual clock, then the
// figures from GET /v1/kpis and from `vocflow report` against values worked out by hand.
#include "tests/connectors/api_fixture.hpp"
#include "tests/shell.hpp"

#include <cmath>

namespace vocflow::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// Round the clock (business time = wall time), so every expected figure is plain arithmetic.
constexpr const char* kpi_flow = R"(id: kpi-test
version: 1
title: KPI test flow
calendar: always-utc
sla:
  first_response: 1h
  resolution: 8h
compensation:
  currency: CNY
  limits: { agent: 100 }
  above_limits: finance
reopen: { within: 30d, to: handle }
steps:
  handle:
    owner: customer_service
    on:
      resolve: confirm
      to_billing: billing
  billing:
    owner: billing
    on:
      back: handle
  confirm:
    owner: customer_service
    on:
      confirm: closed
      reopen: handle
  closed: { final: true }
)";

class KpiTest : public api_fixture {
 protected:
  time_point day0 = *parse_utc("2026-06-01T00:00:00Z");

  time_point at(std::chrono::minutes m) { return day0 + m; }

  std::string open(const std::string& category, const std::string& role) {
    return open_ticket({{"customer", "C-" + category},
                        {"channel", "web"},
                        {"category", category},
                        {"text", "scripted"},
                        {"flow", "kpi-test"}},
                       role);
  }

  void act(const std::string& id, json body, const std::string& role) {
    auto r = call("POST", "/v1/tickets/" + id + "/actions", body.dump(), role);
    EXPECT_EQ(r.status, 200) << id << " " << body.dump() << ": " << r.body;
  }
  void as_customer(const std::string& id, json body) {
    body["on_behalf_of"] = "customer";
    act(id, std::move(body), "agent");
  }

  json kpis(const std::string& query) {
    auto r = call("GET", "/v1/kpis?" + query, {}, "ops");
    EXPECT_EQ(r.status, 200) << r.body;
    return json_of(r);
  }

  // Agents A and B: two people, two tokens.
  const std::string A = "agent", B = "as:senior_agent";
  const std::string A_name = "user-agent", B_name = "senior_agent-user";

  // The script (minutes from day 0, UTC, round the clock):
  //   T1 kpi-a  A: open 0, reply 30, resolve 180, confirmed 180       -> cycle 3h, first contact
  //   T2 kpi-a  A: open 0, (first response breached 60), reply 120, to billing 120,
  //                back 240, 30 CNY 240, resolve 360, confirmed 360   -> 6h, two departments
  //   T3 kpi-b  B: open 0, reply 20, resolve 60, confirmed 60, customer reopens 300,
  //                reply 310, resolve 360, confirmed 360             -> 6h, reopened
  //   T4 kpi-b  A: open 60, reply 90, resolve 120, confirmed 180     -> 2h, first contact
  //   T5 kpi-b  B: open 120, never answered: first response breaches at 180, resolution at 600
  //   T6        opened the next day: outside the cohort
  //   Feedback at 420: T1 csat 5 sentiment 0.8, T2 csat 3 sentiment 0.2, T3 csat 4, T4 sentiment
  //   0.5
  void run_script() {
    set_clock(day0);
    auto deployed = call("POST", "/v1/flows?file=kpi-test.yaml", kpi_flow, "owner");
    ASSERT_EQ(deployed.status, 201) << deployed.body;

    t1 = open("kpi-a", A), t2 = open("kpi-a", A), t3 = open("kpi-b", B);
    advance_to(at(20min));
    act(t3, {{"action", "respond"}, {"text", "looking"}}, B);
    advance_to(at(30min));
    act(t1, {{"action", "respond"}, {"text", "looking"}}, A);
    advance_to(at(60min));
    act(t3, {{"action", "resolve"}, {"text", "fixed"}}, B);
    as_customer(t3, {{"action", "confirm"}});
    t4 = open("kpi-b", A);
    advance_to(at(90min));
    act(t4, {{"action", "respond"}, {"text", "looking"}}, A);
    advance_to(at(120min));
    act(t2, {{"action", "respond"}, {"text", "sorry for the wait"}}, A);
    act(t2, {{"action", "to_billing"}, {"text", "needs the ledger"}}, A);
    act(t4, {{"action", "resolve"}, {"text", "fixed"}}, A);
    t5 = open("kpi-b", B);
    advance_to(at(180min));
    act(t1, {{"action", "resolve"}, {"text", "fixed"}}, A);
    as_customer(t1, {{"action", "confirm"}});
    as_customer(t4, {{"action", "confirm"}});
    advance_to(at(240min));
    act(t2, {{"action", "back"}, {"text", "ledger corrected"}}, A);
    act(t2, {{"action", "grant_compensation"}, {"amount", "30"}, {"text", "goodwill"}}, A);
    advance_to(at(300min));
    as_customer(t3, {{"action", "reopen"}, {"text", "broken again"}});
    advance_to(at(310min));
    act(t3, {{"action", "respond"}, {"text", "looking again"}}, B);
    advance_to(at(360min));
    act(t2, {{"action", "resolve"}, {"text", "refunded"}}, A);
    as_customer(t2, {{"action", "confirm"}});
    act(t3, {{"action", "resolve"}, {"text", "fixed for good"}}, B);
    as_customer(t3, {{"action", "confirm"}});
    advance_to(at(420min));
    as_customer(t1, {{"action", "feedback"}, {"csat", 5}, {"sentiment", 0.8}});
    as_customer(t2, {{"action", "feedback"}, {"csat", 3}, {"sentiment", 0.2}});
    as_customer(t3, {{"action", "feedback"}, {"csat", 4}});
    as_customer(t4, {{"action", "feedback"}, {"sentiment", 0.5}});
    advance_to(at(24h + 30min));
    open("kpi-c", A);  // T6
    // Eight days on: every resolution is past the 7-day first-contact window.
    advance_to(day0 + std::chrono::days{8} + 12h);
  }

  std::string t1, t2, t3, t4, t5;
  const std::string cohort = "from=2026-06-01T00:00:00Z&to=2026-06-02T00:00:00Z";
};

constexpr int64_t hour = 3600;

TEST_F(KpiTest, FiguresMatchTheScriptWorkedOutByHand) {
  run_script();
  auto ticket = [&](const std::string& id) { return json_of(call("GET", "/v1/tickets/" + id)); };
  // What each ticket keeps, so the report needs no replay.
  auto k1 = ticket(t1);
  EXPECT_EQ(k1["outcomes"]["first_response"],
            (json{{"met", true}, {"taken_seconds", 30 * 60}, {"margin_seconds", 30 * 60}}));
  EXPECT_EQ(k1["outcomes"]["resolution"]["taken_seconds"], 3 * hour);
  EXPECT_EQ(k1["resolved_by"], A_name);
  auto k2 = ticket(t2);
  EXPECT_EQ(k2["outcomes"]["first_response"]["met"], false);
  EXPECT_EQ(k2["outcomes"]["first_response"]["margin_seconds"], -1 * hour);
  EXPECT_EQ(k2["breaches"], 1);
  EXPECT_EQ(k2["handoffs"], 2);
  EXPECT_TRUE(ticket(t5)["outcomes"]["first_response"].is_null());  // still unanswered
  EXPECT_EQ(ticket(t5)["breaches"], 2);

  auto k = kpis(cohort);
  auto& total = k["total"];
  EXPECT_EQ(total["tickets"], 5);  // T6 opened outside [from, to)
  EXPECT_EQ(total["open"], 1);
  EXPECT_EQ(total["resolved"], 4);
  EXPECT_EQ(total["closed"], 4);
  // First response: T1, T3, T4 in time; T2 late; T5 breached while still unanswered.
  EXPECT_EQ(total["first_response"]["met"], 3);
  EXPECT_EQ(total["first_response"]["missed"], 2);
  EXPECT_DOUBLE_EQ(total["first_response"]["rate"].get<double>(), 0.6);
  // Resolution (8h): T1..T4 in time (T3's second cycle took 1h), T5 breached.
  EXPECT_DOUBLE_EQ(total["resolution"]["rate"].get<double>(), 0.8);
  // First contact: T1 and T4; T2 was handed off, T3 reopened.
  auto& fcr = total["first_contact_resolution"];
  EXPECT_EQ(fcr["first_contact"], 2);
  EXPECT_EQ(fcr["not_first_contact"], 2);
  EXPECT_EQ(fcr["pending"], 0);
  EXPECT_DOUBLE_EQ(fcr["rate"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(total["reopen"]["rate"].get<double>(), 0.25);
  // Cycles 2h, 3h, 6h, 6h: median (nearest rank) 3h, p90 6h; business = wall round the clock.
  EXPECT_EQ(total["cycle"]["closed"], 4);
  EXPECT_EQ(total["cycle"]["business_seconds"]["median"], 3 * hour);
  EXPECT_EQ(total["cycle"]["business_seconds"]["p90"], 6 * hour);
  EXPECT_EQ(total["cycle"]["wall_seconds"]["median"], 3 * hour);
  EXPECT_EQ(total["cross_department_cycle"]["closed"], 1);
  EXPECT_EQ(total["cross_department_cycle"]["business_seconds"]["median"], 6 * hour);
  EXPECT_EQ(total["compensation"]["tickets"], 1);
  EXPECT_EQ(total["compensation"]["granted"],
            (json::array({{{"currency", "CNY"}, {"granted", "30"}}})));
  EXPECT_EQ(total["csat"]["responses"], 3);
  EXPECT_DOUBLE_EQ(total["csat"]["mean"].get<double>(), 4.0);
  EXPECT_EQ(total["sentiment"]["responses"], 3);
  EXPECT_NEAR(total["sentiment"]["mean"].get<double>(), 0.5, 1e-12);
  EXPECT_EQ(total["breaches"], 3);
  EXPECT_FALSE(k.contains("groups"));

  // A 30-day window: T1 and T4 could still be reopened, so they are not settled yet.
  auto late = kpis(cohort + "&fcr_days=30")["total"]["first_contact_resolution"];
  EXPECT_EQ(late["first_contact"], 0);
  EXPECT_EQ(late["pending"], 2);
  EXPECT_DOUBLE_EQ(late["rate"].get<double>(), 0.0);

  // By department: every department a ticket went through is judged by it.
  auto by_dept = kpis(cohort + "&group_by=department")["groups"];
  ASSERT_EQ(by_dept.size(), 2u) << by_dept.dump();
  EXPECT_EQ(by_dept[0]["group"], "billing");
  EXPECT_EQ(by_dept[0]["tickets"], 1);
  EXPECT_DOUBLE_EQ(by_dept[0]["first_response"]["rate"].get<double>(), 0.0);
  EXPECT_EQ(by_dept[1]["group"], "customer_service");
  EXPECT_EQ(by_dept[1]["tickets"], 5);

  // By agent: who resolved it, else who answered first (T5: nobody).
  auto by_agent = kpis(cohort + "&group_by=agent")["groups"];
  ASSERT_EQ(by_agent.size(), 3u) << by_agent.dump();
  EXPECT_EQ(by_agent[0]["group"], "(none)");
  EXPECT_EQ(by_agent[1]["group"], B_name);
  EXPECT_EQ(by_agent[1]["reopen"]["rate"], 1.0);
  EXPECT_EQ(by_agent[2]["group"], A_name);
  EXPECT_EQ(by_agent[2]["tickets"], 3);
  EXPECT_NEAR(by_agent[2]["first_response"]["rate"].get<double>(), 2.0 / 3, 1e-12);
  EXPECT_NEAR(by_agent[2]["first_contact_resolution"]["rate"].get<double>(), 2.0 / 3, 1e-12);

  auto by_category = kpis(cohort + "&group_by=category")["groups"];
  ASSERT_EQ(by_category.size(), 2u);
  EXPECT_EQ(by_category[0]["group"], "kpi-a");
  EXPECT_EQ(by_category[0]["cycle"]["business_seconds"]["median"], 3 * hour);
  EXPECT_EQ(by_category[1]["tickets"], 3);
}

TEST_F(KpiTest, ReportCommandPrintsTheSameFigures) {
  run_script();
  auto report = [&](const std::string& args) {
    return shell(std::string{VOCFLOW_BINARY} +
                 " report --url http://127.0.0.1:" + std::to_string(port_) + " --token " +
                 role_tokens.at("ops") + " --from 2026-06-01 --to 2026-06-02 " + args);
  };
  auto table = report("");
  ASSERT_EQ(table.code, 0) << table.out;
  for (auto needle : {"first response in time", "60.0% (3 of 5)", "50.0% (2 of 4)",
                      "25.0% (1 of 4)", "30 CNY", "4.00 (3 answers)", "+0.50 (3 answers)"})
    EXPECT_NE(table.out.find(needle), std::string::npos) << needle << "\n" << table.out;

  auto csv = report("--group-by department --format csv");
  ASSERT_EQ(csv.code, 0) << csv.out;
  std::istringstream lines{csv.out};
  std::string header, all, billing, service;
  std::getline(lines, header), std::getline(lines, all), std::getline(lines, billing),
      std::getline(lines, service);
  EXPECT_EQ(header.rfind("group,tickets,open,closed,first_response_rate,", 0), 0u) << header;
  EXPECT_EQ(
      all.rfind("all,5,1,4,0.6,0.8,0.5,0.25,10800,21600,10800,21600,1,21600,21600,30 CNY,4.0,", 0),
      0u)
      << csv.out;
  EXPECT_EQ(billing.rfind("billing,1,0,1,0.0,", 0), 0u) << csv.out;
  EXPECT_EQ(service.rfind("customer_service,5,", 0), 0u) << csv.out;

  auto md = report("--group-by flow --format markdown");
  ASSERT_EQ(md.code, 0) << md.out;
  EXPECT_NE(md.out.find("| KPI | all | kpi-test |"), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("| reopen rate | 25.0% (1 of 4) | 25.0% (1 of 4) |"), std::string::npos)
      << md.out;

  auto as_json = report("--format json");
  ASSERT_EQ(as_json.code, 0);
  EXPECT_EQ(json::parse(as_json.out)["total"]["first_response"]["met"], 3);

  auto bad = report("--group-by weekday");
  EXPECT_NE(bad.code, 0);
}

TEST_F(KpiTest, BadParametersAreClearErrors) {
  auto error = [&](const std::string& query) {
    auto r = call("GET", "/v1/kpis?" + query, {}, "ops");
    EXPECT_EQ(r.status, 400) << query;
    return json_of(r)["message"].get<std::string>();
  };
  EXPECT_EQ(error("group_by=weekday"), "`group_by` must be department, flow, agent, category, product, topic or day");
  EXPECT_EQ(error("from=yesterday"), "`from` must be a time like 2026-03-09T04:50:00Z");
  EXPECT_EQ(error("from=2026-06-02T00:00:00Z&to=2026-06-01T00:00:00Z"),
            "`from` must be before `to`");
  EXPECT_EQ(error("fcr_days=-1"), "`fcr_days` must be from 0 to 365");
  EXPECT_EQ(error("period=june"),
            "unknown query parameter `period`; GET /v1/kpis takes from, to, group_by, fcr_days");
  EXPECT_EQ(call("GET", "/v1/kpis", {}, "").status, 401);
  // No tickets: every rate is null, nothing is invented.
  auto empty = kpis("");
  EXPECT_EQ(empty["total"]["tickets"], 0);
  EXPECT_TRUE(empty["total"]["first_response"]["rate"].is_null());
  EXPECT_TRUE(empty["total"]["cycle"]["business_seconds"]["median"].is_null());
}

}  // namespace
}  // namespace vocflow::testing
