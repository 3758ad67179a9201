// What ops watch: the live event stream, the breach log, and the metrics, checked with Debian's
// promtool and scraped by a real Prometheus, after the example scenarios ran through the API.
#include "connectors/asio.hpp"
#include "tests/connectors/api_fixture.hpp"
#include "tests/connectors/ops_examples.hpp"
#include "tests/shell.hpp"
#include "tests/workflows/fixture.hpp"
#include "workflows/scenario.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

namespace vocflow::testing {
namespace {

using nlohmann::json;

class OpsTest : public api_fixture {
 protected:
  // Every example scenario through the HTTP API, all in one timeline; returns the ticket ids.
  std::vector<std::string> run_example_scenarios() {
    struct step {
      time_point at;
      size_t scenario;
      const scenario_action* action;  // nullptr: open
    };
    std::vector<scenario> scenarios;
    for (auto& e : std::filesystem::directory_iterator(example("scenarios"))) {
      auto text = read_all({e.path().string()})[0];
      // The scenario's `flow:` line; without one it is the default flow's.
      std::smatch m;
      std::regex flow_line{"\\nflow: ([a-z-]+)"};
      std::string id =
          std::regex_search(text.text, m, flow_line) ? std::string{m[1]} : "general-complaint";
      auto f = examples().find(id);
      if (!f) {
        ADD_FAILURE() << e.path() << ": no flow " << id;
        continue;
      }
      diagnostics d;
      auto s = load_scenario(text, *f, d);
      EXPECT_TRUE(s) << e.path();
      if (s) scenarios.push_back(std::move(*s)), scenarios.back().flow_id = id;
    }
    std::vector<step> steps;
    for (size_t i = 0; i < scenarios.size(); ++i) {
      steps.push_back({scenarios[i].start, i, nullptr});
      for (auto& a : scenarios[i].actions) steps.push_back({a.at, i, &a});
    }
    std::stable_sort(steps.begin(), steps.end(), [](auto& a, auto& b) { return a.at < b.at; });
    set_clock(steps.front().at);
    std::vector<std::string> ids(scenarios.size());
    for (auto& st : steps) {
      advance_to(st.at);
      auto& s = scenarios[st.scenario];
      if (!st.action) {
        auto& f = s.info;
        json body = {{"customer", f.customer}, {"channel", f.channel},   {"category", f.category},
                     {"product", f.product},   {"severity", f.severity}, {"text", f.text},
                     {"tags", f.tags},         {"flow", s.flow_id}};
        ids[st.scenario] = open_ticket(body);
        continue;
      }
      auto& c = st.action->cmd;
      json body = {{"action", c.action}};
      if (!c.text.empty()) body["text"] = c.text;
      if (!c.to.empty()) body["to"] = c.to;
      if (!c.task.empty()) body["task"] = c.task;
      if (!c.request.empty()) body["request"] = c.request;
      if (c.amount) body["amount"] = to_string(*c.amount);
      if (c.csat) body["csat"] = *c.csat;
      if (c.sentiment) body["sentiment"] = *c.sentiment;
      std::string role = "as:" + c.by.role;
      if (c.by.role == "customer") body["on_behalf_of"] = "customer", role = "agent";
      auto r = call("POST", "/v1/tickets/" + ids[st.scenario] + "/actions", body.dump(), role);
      if (st.action->expect_rejection.empty())
        EXPECT_EQ(r.status, 200) << s.file << " " << c.action << ": " << r.body;
      else
        EXPECT_GE(r.status, 400) << s.file << " " << c.action;
    }
    advance_to(steps.back().at + std::chrono::days{30});  // every timeout and timer runs out
    return ids;
  }

  double metric(const std::string& text, const std::string& series) {
    double sum = 0;
    std::istringstream in{text};
    std::string line;
    while (std::getline(in, line))
      if (line.rfind(series, 0) == 0 && (line[series.size()] == '{' || line[series.size()] == ' '))
        sum += std::stod(line.substr(line.rfind(' ') + 1));
    return sum;
  }
};

TEST_F(OpsTest, TheMetricsOfTheExampleScenariosPassPromtool) {
  auto ids = run_example_scenarios();
  ASSERT_EQ(ids.size(), 7u);
  auto r = call("GET", "/metrics", {}, "");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  auto file = dir_ / "metrics.txt";
  std::ofstream{file} << r.body;
  auto [code, out] = shell("promtool check metrics < " + file);
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(out, "") << out;
  EXPECT_EQ(metric(r.body, "vocflow_tickets_opened_total"), 7);
  EXPECT_EQ(metric(r.body, "vocflow_tickets_closed_total"), 8);  // the repeat caller closes twice
  EXPECT_EQ(metric(r.body, "vocflow_tickets_reopened_total"), 1);
  EXPECT_GE(metric(r.body, "vocflow_sla_breaches_total"), 7);
  EXPECT_GE(metric(r.body, "vocflow_escalations_total"), 8);
  EXPECT_EQ(metric(r.body, "vocflow_compensation_granted_total"), 200);  // 30 CNY + 20 and 150 USD
  EXPECT_EQ(metric(r.body, "vocflow_tickets_open"), 0);
  EXPECT_EQ(metric(r.body, "vocflow_closed_loop_cycle_seconds_count"), 16);  // business and wall
  EXPECT_NE(r.body.find("vocflow_handoffs_total{flow=\"app-crash\",from=\"customer_service\",to="
                        "\"engineering\"} 1"),
            std::string::npos);
  EXPECT_GT(metric(r.body, "vocflow_timer_lateness_seconds_count"), 0);
  EXPECT_GT(metric(r.body, "vocflow_commit_duration_seconds_count"), 0);
}

// The open-ticket gauges follow every command (each commit moves a ticket out of where it was
// and into where it is), start again from the snapshots after a restart, and agree with the
// tickets themselves.
TEST_F(OpsTest, OpenTicketGaugesFollowEveryCommandAndSurviveARestart) {
  const json billing = {{"customer", "C-3003"}, {"category", "Credit card"}, {"text", "Twice"}};
  const json crash = {{"customer", "C-2002"}, {"category", "app"}, {"severity", "high"}};
  std::vector<std::string> ids;
  // A customer each: one customer's same complaint again would be a repeat contact.
  auto of = [](json body, int i) {
    body["customer"] = body["customer"].get<std::string>() + "-" + std::to_string(i);
    return body;
  };
  for (int i = 0; i < 3; ++i) ids.push_back(open_ticket(of(billing, i)));
  for (int i = 0; i < 2; ++i) ids.push_back(open_ticket(of(crash, i)));
  auto act = [&](const std::string& id, const std::string& body, const std::string& role) {
    auto r = call("POST", "/v1/tickets/" + id + "/actions", body, role);
    EXPECT_EQ(r.status, 200) << body << ": " << r.body;
  };
  act(ids[0], R"({"action":"request_compensation","amount":"80","text":"double charge"})", "agent");
  act(ids[1], R"({"action":"request_compensation","amount":"90","text":"fees"})", "agent");
  act(ids[3], R"({"action":"respond","text":"Which phone?"})", "agent");
  act(ids[3], R"({"action":"escalate_to_engineering","text":"reproduced"})", "agent");

  // What the tickets say, and what /metrics says.
  using counts = std::map<std::pair<std::string, std::string>, double>;
  auto expected = [&] {
    counts c;
    for (auto& id : ids) {
      auto t = json_of(call("GET", "/v1/tickets/" + id, {}, "ops"));
      if (t["status"] != "closed") c[{t["owner"], t["step"]}] += 1;
    }
    return c;
  };
  auto measured = [&](double& approvals) {
    auto text = call("GET", "/metrics", {}, "").body;
    counts c;
    std::regex line{"vocflow_tickets_open\\{department=\"([^\"]*)\",step=\"([^\"]*)\"\\} (.+)"};
    std::istringstream in{text};
    for (std::string l; std::getline(in, l);)
      if (std::smatch m; std::regex_match(l, m, line) && std::stod(m[3]) != 0)
        c[{m[1], m[2]}] = std::stod(m[3]);
    approvals = metric(text, "vocflow_approvals_pending");
    return c;
  };
  auto before = expected();
  ASSERT_GE(before.size(), 2u);  // the escalated ticket left customer service's triage
  double approvals = 0;
  EXPECT_EQ(measured(approvals), before);
  EXPECT_EQ(approvals, 2);

  restart();
  EXPECT_EQ(measured(approvals), before);
  EXPECT_EQ(approvals, 2);

  act(ids[0], R"({"action":"approve_compensation"})", "finance");
  act(ids[2], R"({"action":"respond","text":"Refunded"})", "agent");
  auto after = expected();
  EXPECT_EQ(measured(approvals), after);
  EXPECT_EQ(approvals, 1);
}

TEST_F(OpsTest, BreachesAreListedSinceATime) {
  set_clock(*parse_utc("2026-03-06T09:50:00Z"));  // Friday 17:50 in Shanghai
  auto t0 = now();
  auto id = open_ticket({{"customer", "C-1"}, {"category", "returns"}, {"product", "apparel"}});
  advance_to(*parse_utc("2026-03-09T06:00:00Z"));  // Monday 14:00 in Shanghai
  auto r = call("GET", "/v1/breaches?since=" + format_utc(t0), {}, "ops");
  ASSERT_EQ(r.status, 200) << r.body;
  auto items = json_of(r)["items"];
  ASSERT_GE(items.size(), 3u);  // warning, breach and escalation of the first response, ...
  bool breach = false;
  for (auto& i : items)
    if (i["type"] == "sla_breached" && i["name"] == "first_response") {
      breach = true;
      EXPECT_EQ(i["ticket"], id);
      EXPECT_EQ(i["flow"], "apparel-returns");
      EXPECT_EQ(i["department"], "customer_service");
      EXPECT_EQ(i["at"], "2026-03-09T04:50:00.000Z");  // Monday 12:50 in Shanghai
      EXPECT_EQ(i["id"], id + ":" + std::to_string(i["seq"].get<int>()));
    }
  EXPECT_TRUE(breach) << r.body;
  auto only = json_of(
      call("GET", "/v1/breaches?type=sla_breached&since=" + format_utc(t0), {}, "ops"))["items"];
  for (auto& i : only) EXPECT_EQ(i["type"], "sla_breached");
  auto paged = json_of(call("GET", "/v1/breaches?limit=1&since=" + format_utc(t0), {}, "ops"));
  EXPECT_EQ(paged["items"].size(), 1u);
  EXPECT_FALSE(paged["next_since"].is_null());
  EXPECT_TRUE(
      json_of(call("GET", "/v1/breaches?since=2030-01-01T00:00:00Z", {}, "ops"))["items"].empty());
  EXPECT_EQ(call("GET", "/v1/breaches?since=yesterday", {}, "ops").status, 400);
  EXPECT_EQ(call("GET", "/v1/breaches?type=fire", {}, "ops").status, 400);
  EXPECT_EQ(call("GET", "/v1/breaches", {}, "").status, 401);
}

TEST_F(OpsTest, TheEventStreamPushesEventsAsTheyHappen) {
  namespace asio = boost::asio;
  asio::io_context ioc;
  auto stream = [&](const std::string& token, const std::string& query) {
    auto s = std::make_unique<asio::ip::tcp::socket>(ioc);
    s->connect({asio::ip::make_address("127.0.0.1"), port_});
    timeval tv{10, 0};
    setsockopt(s->native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    auto req = "GET /v1/events/stream" + query + " HTTP/1.1\r\nHost: x\r\n" +
               (token.empty() ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n";
    asio::write(*s, asio::buffer(req));
    return s;
  };
  // Reads until `needle` has arrived (or the socket times out after 10 s).
  auto read_until = [](asio::ip::tcp::socket& s, std::string& got, const std::string& needle) {
    char buf[4096];
    boost::system::error_code ec;
    while (got.find(needle) == std::string::npos) {
      auto n = s.read_some(asio::buffer(buf), ec);
      if (ec) return false;
      got.append(buf, n);
    }
    return true;
  };
  auto live = stream(role_tokens.at("ops"), "?type=opened,handed_off");
  std::string got;
  ASSERT_TRUE(read_until(*live, got, ": vocflow live feed")) << got;
  EXPECT_NE(got.find("Content-Type: text/event-stream"), std::string::npos) << got;
  auto id = open_ticket({{"customer", "C-9"}, {"category", "app"}, {"severity", "high"}});
  ASSERT_EQ(
      call("POST", "/v1/tickets/" + id + "/actions", R"({"action":"escalate_to_engineering"})")
          .status,
      200);
  ASSERT_TRUE(read_until(*live, got, "event: handed_off")) << got;
  EXPECT_NE(got.find("id: " + id + ":1\nevent: opened\ndata: {"), std::string::npos) << got;
  EXPECT_EQ(got.find("event: step_entered"), std::string::npos) << "an event type not asked for";

  for (auto role : {"agent", "supervisor", "owner", "admin"}) {
    auto s = stream(role_tokens.at(role), "");
    std::string head;
    EXPECT_TRUE(read_until(*s, head, ": vocflow live feed")) << role << ": " << head;
  }
  std::string refused;
  auto anonymous = stream("", "");
  read_until(*anonymous, refused, "\r\n\r\n");
  EXPECT_NE(refused.find("401"), std::string::npos) << refused;
  EXPECT_EQ(call("GET", "/v1/events/stream?type=explosion", {}, "ops").status, 400);
  live.reset();  // the server notices the stream is gone and goes on serving
  EXPECT_EQ(call("GET", "/healthz", {}, "").status, 200);
}

TEST_F(OpsTest, PrometheusScrapesVocflowAndReturnsTheBreachCount) {
  if (shell("command -v prometheus").code != 0)
    GTEST_FAIL() << "Debian's prometheus is not installed";
  run_example_scenarios();
  auto expected = metric(call("GET", "/metrics", {}, "").body, "vocflow_sla_breaches_total");
  ASSERT_GT(expected, 0);
  // A free loopback port for Prometheus.
  uint16_t prom_port = 0;
  {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor a{ioc, {boost::asio::ip::make_address("127.0.0.1"), 0}};
    prom_port = a.local_endpoint().port();
  }
  // The shipped scrape config and rules, pointed at this server and scraping every second.
  auto cfg = dir_ / "prometheus.yml";
  {
    std::ifstream shipped{ops_file("prometheus.yml")};
    std::string text{std::istreambuf_iterator<char>{shipped}, {}};
    text = std::regex_replace(text, std::regex{"127\\.0\\.0\\.1:8080"},
                              "127.0.0.1:" + std::to_string(port_));
    text = std::regex_replace(text, std::regex{"_interval: 15s"}, "_interval: 1s");
    std::ofstream{cfg} << text;
    std::filesystem::copy_file(ops_file("rules.yml"), dir_ / "rules.yml");
  }
  pid_t pid = fork();
  if (pid == 0) {
    auto listen = "--web.listen-address=127.0.0.1:" + std::to_string(prom_port);
    auto storage = "--storage.tsdb.path=" + dir_ / "tsdb";
    auto config = "--config.file=" + cfg;
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1), dup2(devnull, 2);
    execlp("prometheus", "prometheus", config.c_str(), storage.c_str(), listen.c_str(),
           "--log.level=error", nullptr);
    _exit(127);
  }
  // Ask Prometheus until its scrape shows the count (it scrapes every second).
  double seen = -1;
  connectors::http_call q;
  q.base_url = "http://127.0.0.1:" + std::to_string(prom_port);
  q.target = "/api/v1/query?query=sum(vocflow_sla_breaches_total)";
  q.timeout = std::chrono::milliseconds(2000);
  for (int attempt = 0; attempt < 300 && seen != expected; ++attempt) {
    auto r = connectors::send(q);
    auto j = json::parse(r.body, nullptr, false);
    if (r.status == 200 && j.is_object() && !j["data"]["result"].empty())
      seen = std::stod(j["data"]["result"][0]["value"][1].get<std::string>());
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // Prometheus is starting
  }
  EXPECT_EQ(seen, expected);

  // Every expression of the dashboard and the rules evaluates on what Prometheus scraped.
  for (auto& e : ops_expressions()) {
    q.target = "/api/v1/query" + connectors::query_string({{"query", e}});
    auto r = connectors::send(q);
    EXPECT_EQ(r.status, 200) << e << ": " << r.body;
    EXPECT_NE(r.body.find("\"status\":\"success\""), std::string::npos) << e << ": " << r.body;
  }
  q.target = "/api/v1/rules";
  auto rules = json::parse(connectors::send(q).body, nullptr, false);
  size_t loaded = 0;
  for (auto& g : rules["data"]["groups"]) loaded += g["rules"].size();
  EXPECT_EQ(loaded, 14u) << "the shipped rules, loaded through the shipped config";
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
}

TEST_F(OpsTest, TheDashboardAndRulesReadMetricsVocflowExposes) {
  run_example_scenarios();
  auto families = exposed_families(call("GET", "/metrics", {}, "").body);
  auto names = ops_metric_names();
  EXPECT_GE(names.size(), 15u);
  for (auto& n : names) {
    if (n.rfind("vocflow_outbox_", 0) == 0) continue;  // those need a channel: webhook_test.cpp
    EXPECT_TRUE(families.contains(n)) << n << " is not in /metrics";
  }
}

}  // namespace
}  // namespace vocflow::testing
