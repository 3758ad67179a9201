#include "tests/connectors/api_fixture.hpp"

#include "actors/flow_library.hpp"
#include "tests/workflows/fixture.hpp"

namespace vocflow::testing {

using namespace std::chrono_literals;

void api_fixture::SetUp() {
  cfg_.server.host = "127.0.0.1";
  cfg_.server.port = 0;
  cfg_.server.threads = 2;
  cfg_.server.max_body = 8192;
  cfg_.server.max_header = 4096;
  cfg_.server.request_timeout = 400ms;
  cfg_.server.idle_timeout = 5s;
  cfg_.server.max_connections = 32;
  for (auto& [role, token] : role_tokens) {
    if (role.rfind("as:", 0) == 0)
      cfg_.auth.tokens.push_back({token, role.substr(3) + "-user", "agent", role.substr(3)});
    else
      cfg_.auth.tokens.push_back({token, "user-" + role, role == "finance" ? "agent" : role, role});
  }
  cfg_.runtime.partitions = 2;
  start();
}

void api_fixture::start() {
  auto c = cfg_;
  c.data.dir = dir_ / "data";
  c.data.cache_mb = 8;
  c.flows.dir = example("flows");
  std::string error;
  node_ = node::start({.cfg = c, .clock = [this] { return now(); }}, error);
  ASSERT_TRUE(node_) << error;
  port_ = node_->port();
}

void api_fixture::TearDown() {
  stop();
}

void api_fixture::stop() {
  node_.reset();
}

connectors::http_result api_fixture::call(const std::string& method, const std::string& target,
                                          const std::string& body, const std::string& role,
                                          std::map<std::string, std::string> headers) {
  connectors::http_call c;
  c.base_url = "http://127.0.0.1:" + std::to_string(port_);
  c.method = method;
  c.target = target;
  c.body = body;
  c.headers = std::move(headers);
  if (!role.empty()) c.token = role_tokens.at(role);
  auto r = connectors::send(c);
  EXPECT_TRUE(r.error.empty()) << r.error;
  return r;
}

std::optional<time_point> api_fixture::earliest_due(uint16_t partition) {
  std::optional<time_point> due;
  auto st = rt().env().db->earliest_due(partition, std::nullopt, due);
  EXPECT_TRUE(st) << st.message();
  return due;
}

void api_fixture::advance_to(time_point t) {
  for (int steps = 0;; ++steps) {
    std::optional<time_point> next;
    for (uint16_t i = 0; i < rt().partitions(); ++i)
      if (auto due = earliest_due(i); due && (!next || *due < *next)) next = due;
    if (!next || *next > t) break;
    if (steps > 10'000) {
      ADD_FAILURE() << "a timer due at " << format_utc(*next) << " does not fire";
      return;
    }
    if (*next > now()) set_clock(*next);
    settle();
  }
  if (t > now()) set_clock(t);
  settle();
}

void api_fixture::settle() {
  caf::scoped_actor self{node_->system()};
  // Bounded by real time, not by a number of rounds: the timer services run on the scheduler's
  // workers, below the partitions' priority (actors/scheduler.hpp), and under a sanitizer on a
  // busy machine a thousand quick rounds could pass before a worker took its turn.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < give_up) {
    rt().poke_timers();
    // A round trip through every partition's mailbox: what the timer services sent is handled.
    for (auto& p : rt().all_partitions())
      self->request(p, std::chrono::seconds(10), actors::fetch_atom::value, std::string{"-"})
          .receive([](actors::ticket_record&) {}, [](caf::error&) {});
    // And one through the workers' (the registry runs there, as the timer services do): this
    // thread waits instead of spinning while they catch up.
    self->request(rt().registry(), std::chrono::seconds(10), actors::list_atom::value)
        .receive([](std::vector<actors::flow_info>&) {}, [](caf::error&) {});
    bool due = false;
    for (uint16_t i = 0; i < rt().partitions(); ++i) {
      std::vector<storage::due_timer> rows;
      EXPECT_TRUE(rt().env().db->due(i, now(), 1, rows));
      due |= !rows.empty();
    }
    if (!due) return;
  }
  std::vector<storage::due_timer> rows;
  for (uint16_t i = 0; i < rt().partitions(); ++i)
    EXPECT_TRUE(rt().env().db->due(i, now(), 5, rows));
  ADD_FAILURE() << "timers did not settle at " << format_utc(now()) << ", e.g. " << rows.size()
                << " rows, first "
                << (rows.empty() ? "" : rows[0].ticket + " due " + format_utc(rows[0].due));
}

nlohmann::json api_fixture::json_of(const connectors::http_result& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.body;
  return j;
}

std::string api_fixture::open_ticket(const nlohmann::json& body, const std::string& role) {
  auto r = call("POST", "/v1/tickets", body.dump(), role);
  EXPECT_EQ(r.status, 201) << r.body;
  return json_of(r).value("id", "");
}

loopback_server::loopback_server(handler handle) {
  server_config cfg;
  cfg.host = "127.0.0.1";
  cfg.port = 0;
  cfg.threads = 1;
  server_ = std::make_unique<connectors::http_server>(
      cfg,
      [handle = std::move(handle)](connectors::http_request&& req, connectors::responder respond,
                                   connectors::stream_opener) { respond(handle(req)); });
  std::string error;
  auto port = server_->start(error);
  EXPECT_TRUE(port) << error;
  url_ = "http://127.0.0.1:" + std::to_string(port.value_or(0));
}

loopback_server::~loopback_server() {
  server_->stop();
}

size_t api_fixture::deliver() {
  caf::scoped_actor self{node_->system()};
  size_t left = 0;
  for (auto& n : node_->notifiers())
    self->request(n, 30s, actors::poke_atom::value)
        .receive([&](size_t k) { left += k; },
                 [&](caf::error& e) { ADD_FAILURE() << node_->system().render(e); });
  return left;
}

}  // namespace vocflow::testing
