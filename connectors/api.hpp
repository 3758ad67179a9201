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
  ~api();

  void handle(http_request&& req, responder respond, stream_opener open_stream = {});

  // Readiness for /readyz: false while starting and draining.
  void set_ready(bool ready) { ready_ = ready; }

  static const std::vector<route_info>& routes();

 private:
  struct context;
  void dispatch(context& cx);
  void open_ticket(context& cx);
  void get_ticket(context& cx);
  void act(context& cx);
  void list_tickets(context& cx);
  void list_flows(context& cx);
  void metrics(context& cx);
  void breaches(context& cx);
  void kpis(context& cx);
  void stream(context& cx);
  void deploy(context& cx);
  void graph(context& cx);

  actors::runtime& rt_;
  gateway gateway_;
  caf::actor feed_;  // the live feed of Server-Sent Events
  config cfg_;
  std::map<std::string, caller> tokens_;
  std::atomic<bool> ready_{false};
};

// The OpenAPI document (openapi.yaml), compiled in.
const std::string& openapi_document();

}  // namespace vocflow::connectors
