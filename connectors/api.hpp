// The HTTP API of vocflow: service agents act on tickets, process owners deploy flows, ops read.
// Routes, access roles, and the handlers that turn requests into runtime calls. Every error is
// JSON: {"error": code, "message": ...}. Described in openapi.yaml (served at /v1/openapi.yaml).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/runtime.hpp"
#include "config/config.hpp"
#include "connectors/gateway.hpp"
#include "connectors/http_server.hpp"

namespace vocflow::connectors {

struct route_info {
  std::string method;
  std::string path;                // with {placeholders}
  std::vector<std::string> roles;  // access roles allowed; empty: no token needed
};

// Who is calling: resolved from the bearer token.
struct caller {
  std::string name;
  std::string role;     // access role
  std::string acts_as;  // role in the workflows
};

class api {
 public:
  api(actors::runtime& rt, const config& cfg);

  void handle(http_request&& req, responder respond);

  // Readiness for /readyz: false while starting and draining.
  void set_ready(bool ready) { ready_ = ready; }

  static const std::vector<route_info>& routes();

  // Extra routes served by other parts (metrics, live feeds): same auth and logging.
  using route_handler =
      std::function<void(const http_request&, const caller&,
                         const std::map<std::string, std::string>& query, responder)>;
  void add_route(route_info info, route_handler handler);

 private:
  struct context;
  void dispatch(context& cx);
  void open_ticket(context& cx);
  void get_ticket(context& cx);
  void act(context& cx);
  void list_tickets(context& cx);
  void list_flows(context& cx);
  void metrics(context& cx);
  void deploy(context& cx);
  void graph(context& cx);

  actors::runtime& rt_;
  gateway gateway_;
  config cfg_;
  std::map<std::string, caller> tokens_;
  std::vector<std::pair<route_info, route_handler>> extra_;
  std::atomic<bool> ready_{false};
};

// The OpenAPI document (openapi.yaml), compiled in.
const std::string& openapi_document();

}  // namespace vocflow::connectors
