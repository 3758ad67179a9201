// Fuzz target: any bytes as an HTTP request to the API, parsed by Beast with the server's limits
// and handled by the real API of a real node (RocksDB in a temporary folder, CAF actors), as
// `vocflow serve` does with the default configuration. Every request that parses must get
// an answer with a status code, and every error answer must be JSON.
#include "app/node.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <caf/all.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>

namespace {

namespace http = boost::beast::http;
using namespace vocflow;

// The node `vocflow serve` runs on the default configuration, without its HTTP server: each
// request goes to the API in process.
struct server {
  config cfg;
  std::unique_ptr<node> n;

  server() {
    diagnostics diags;
    auto file = read_source(std::string{VOCFLOW_SOURCE_DIR} + "/config/vocflow.yaml", diags);
    auto c = file ? load_config(*file, diags) : std::nullopt;
    if (!c) std::abort();
    cfg = *c;
    auto dir =
        std::filesystem::temp_directory_path() / ("vocflow-fuzz-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    cfg.data.dir = dir.string();
    cfg.data.fsync = false;
    cfg.data.cache_mb = 8;
    cfg.flows.dir = std::string{VOCFLOW_SOURCE_DIR} + "/examples/flows";
    cfg.flows.topics = std::string{VOCFLOW_SOURCE_DIR} + "/examples/topics/topics.yaml";
    cfg.runtime.partitions = 2;
    std::string error;
    n = node::start({.cfg = cfg, .http = false}, error);
    if (!n) std::abort();
  }
};

server& the_server() {
  static auto* s = new server;  // for the whole run, never torn down: the process just ends
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);
  the_server();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& s = the_server();
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(s.cfg.server.max_header));
  parser.body_limit(s.cfg.server.max_body);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_done()) return 0;  // the server answers these itself (400, 413, 431)

  std::promise<connectors::http_response> answer;
  auto future = answer.get_future();
  bool streamed = false;
  s.n->api().handle(
      parser.release(), [&answer](connectors::http_response r) { answer.set_value(std::move(r)); },
      [&](connectors::http_response) -> std::shared_ptr<connectors::stream_sink> {
        streamed = true;
        answer.set_value({http::status::ok, 11});
        return nullptr;  // the client went away at once
      });
  if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) std::abort();
  auto res = future.get();
  auto code = res.result_int();
  if (code < 200 || code > 599) std::abort();
  if (code >= 400 && !streamed) {
    auto j = nlohmann::json::parse(res.body(), nullptr, false);
    if (!j.is_object() || !j.contains("error") || !j.contains("message")) std::abort();
  }
  return 0;
}
