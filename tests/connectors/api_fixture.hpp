// API tests: a real node (real actors, real RocksDB in a temporary folder, the real Beast
// server on a free loopback port), called over real sockets.
#pragma once

#include "app/node.hpp"
#include "connectors/http_client.hpp"
#include "connectors/http_server.hpp"
#include "tests/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>

namespace vocflow::testing {

// Tokens by access role, and "as:<role>" tokens acting as every role of the example
// organization (access role agent).
inline const std::map<std::string, std::string> role_tokens = [] {
  std::map<std::string, std::string> m = {
      {"agent", "test-agent-token-000001"}, {"supervisor", "test-supervisor-token-01"},
      {"owner", "test-owner-token-000001"}, {"ops", "test-ops-token-00000001"},
      {"admin", "test-admin-token-000001"}, {"finance", "test-finance-token-00001"}};
  for (auto r : {"agent", "senior_agent", "supervisor", "cs_manager", "finance", "engineering_lead",
                 "delivery_lead", "sales_manager", "quality_lead"})
    m[std::string{"as:"} + r] = std::string{"test-acting-as-"} + r + "-0000";
  return m;
}();

// A real HTTP server on a free loopback port, for a test's receivers: `handle` answers each
// request (on the server's one thread). Stops when destroyed.
class loopback_server {
 public:
  using handler = std::function<connectors::http_response(const connectors::http_request&)>;
  explicit loopback_server(handler handle);
  ~loopback_server();
  loopback_server(const loopback_server&) = delete;
  loopback_server& operator=(const loopback_server&) = delete;
  // http://127.0.0.1:PORT
  const std::string& url() const { return url_; }

 private:
  std::string url_;
  std::unique_ptr<connectors::http_server> server_;
};

class api_fixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Starts the runtime (and cfg_.notify's webhooks) and the server on the fixture's folder.
  void start();
  // Stops them as `vocflow serve` does on SIGTERM; the folder stays.
  void stop();
  // A restart of vocflow on the same folder (the port changes).
  void restart() {
    stop();
    start();
  }

  connectors::http_result call(const std::string& method, const std::string& target,
                               const std::string& body = {}, const std::string& role = "agent",
                               std::map<std::string, std::string> headers = {});
  nlohmann::json json_of(const connectors::http_result& r);
  // Opens a ticket and returns its id.
  std::string open_ticket(const nlohmann::json& body, const std::string& role = "agent");

  // The server's wall clock: virtual, it moves only when the test moves it.
  time_point now() const { return from_ms(now_ms_.load()); }
  // Sets the wall clock (before anything happened, to replay scenarios of another date).
  void set_clock(time_point t) { now_ms_ = to_ms(t); }
  // Moves the wall clock to `t` (never back), stopping at every due timer on the way so that
  // each fires at its own due time; waits for the partitions to handle them (no sleeping:
  // mailbox round trips until nothing is due).
  void advance_to(time_point t);
  void settle();
  // Lets the notifiers of the outbound channels attempt what is due now and waits for them (a
  // round trip through each one's mailbox, after the passes that commits started). Returns what
  // the outboxes still hold.
  size_t deliver();
  // A partition's earliest due timer (a failed read fails the test).
  std::optional<time_point> earliest_due(uint16_t partition);

  actors::runtime& rt() { return node_->runtime(); }

  std::atomic<int64_t> now_ms_{
      to_ms(std::chrono::time_point_cast<millis>(std::chrono::system_clock::now()))};
  uint16_t port_ = 0;
  config cfg_;
  temp_dir dir_;
  std::unique_ptr<node> node_;
};

}  // namespace vocflow::testing
