// API tests: a real runtime (real actors, real RocksDB in a temporary folder) behind the real
// Beast server on a free loopback port, called over real sockets.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>

#include "actors/runtime.hpp"
#include "connectors/api.hpp"
#include "connectors/http_client.hpp"
#include "connectors/http_server.hpp"
#include "tests/temp_dir.hpp"

namespace vocflow::testing {

inline const std::map<std::string, std::string> role_tokens = {
    {"agent", "test-agent-token-000001"}, {"supervisor", "test-supervisor-token-01"},
    {"owner", "test-owner-token-000001"}, {"ops", "test-ops-token-00000001"},
    {"admin", "test-admin-token-000001"}, {"finance", "test-finance-token-00001"}};

class api_fixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  connectors::http_result call(const std::string& method, const std::string& target,
                               const std::string& body = {}, const std::string& role = "agent",
                               std::map<std::string, std::string> headers = {});
  nlohmann::json json_of(const connectors::http_result& r);
  // Opens a ticket and returns its id.
  std::string open_ticket(const nlohmann::json& body, const std::string& role = "agent");

  uint16_t port_ = 0;
  config cfg_;
  temp_dir dir_;
  std::unique_ptr<caf::actor_system_config> caf_cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  std::unique_ptr<actors::runtime> rt_;
  std::unique_ptr<connectors::api> api_;
  std::unique_ptr<connectors::http_server> server_;
};

}  // namespace vocflow::testing
