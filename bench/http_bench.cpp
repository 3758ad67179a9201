// The lifecycle workload (../shared/bench/WORKLOAD.md) over HTTP: the real vocflow server
// (Beast, the runtime, RocksDB with fsync) on loopback, driven by 64 keep-alive connections;
// every tenth ticket waits after `open` until its 1h first-response SLA escalates it (the wall
// clock jumps). Two runs: at full speed (the peak), then paced at half the peak, where p50/p99
// latency are measured from each request's scheduled send time. In the same process, a Beast
// hello-world server with as many I/O threads, driven by the same client: the baseline.
//
//   http_bench [--tickets N] [--connections C]
//   http_bench --target HOST:PORT [--target ...] --token T --admin-token A [...]
// With targets, the same workload goes to running `vocflow serve --clock` nodes instead (the
// connections spread over them; a cluster's nodes, bench/cluster_bench.py): the admin token
// moves their clocks past the first-response SLA, and the withheld tickets go on once a GET
// shows them escalated. No baseline then (the caller runs its own).
#include "app/node.hpp"
#include "bench/bench_common.hpp"
#include "connectors/asio.hpp"
#include "tests/temp_dir.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <caf/all.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

using namespace vocflow;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

namespace {

std::string token = "bench-agent-token-0001";

// The tickets of one run, shared by the connections.
struct workload {
  size_t tickets = 0;
  bool lifecycle = true;  // false: GET /hello, `tickets` times
  std::atomic<size_t> next{0}, finished{0}, parked{0};
  std::mutex lock;
  std::set<std::string> parked_ids;                      // withheld, waiting for escalation
  std::deque<std::pair<std::string, size_t>> resumable;  // escalated: (id, index)
  std::condition_variable phase1_done;
  std::vector<uint32_t> latencies;  // microseconds, merged at the end
  std::atomic<size_t> failures{0};
};

bool withheld(size_t index) {
  return index % 10 == 9;
}

// Each ticket of the workload is its own customer's: the same customer's same complaint while the
// first is open would be a repeat contact on it (CFPB rows share ZIP and company), not a ticket.
std::string open_body(const ticket_fields& f, size_t ticket) {
  nlohmann::json j = {{"customer", fmt::format("{}-{}", f.customer, ticket)},
                      {"channel", f.channel},
                      {"category", f.category},
                      {"product", f.product},
                      {"text", f.text}};
  return j.dump();
}

// One keep-alive connection driving tickets one command at a time.
class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(asio::io_context& ioc, tcp::endpoint ep, workload& w,
             const std::vector<ticket_fields>& fields,
             std::optional<std::chrono::microseconds> pace)
      : socket_(ioc), timer_(ioc), ep_(ep), w_(w), fields_(fields), pace_(pace) {}

  void start() {
    socket_.async_connect(ep_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->fail("connect: " + ec.message());
      self->socket_.set_option(tcp::no_delay(true));
      self->scheduled_ = steady::now();
      self->next();
    });
  }
  std::vector<uint32_t> latencies;

 private:
  void fail(const std::string& why) {
    if (w_.failures++ < 3) std::fprintf(stderr, "connection: %s\n", why.c_str());
  }

  // Picks the next request; false when this connection has nothing to do for now.
  bool produce() {
    if (!w_.lifecycle) {
      if (w_.next++ >= w_.tickets) return false;
      req_ = {http::verb::get, "/hello", 11};
      return true;
    }
    if (id_.empty() || step_ == 0) {
      if (!id_.empty() || step_ != 0) return false;
      std::unique_lock lock{w_.lock};
      if (!w_.resumable.empty()) {
        std::tie(id_, index_) = w_.resumable.front();
        w_.resumable.pop_front();
        step_ = 1;
      } else {
        lock.unlock();
        index_ = w_.next++;
        if (index_ >= w_.tickets) return false;
        step_ = 0;
      }
    }
    req_ = {http::verb::post, step_ == 0 ? "/v1/tickets" : "/v1/tickets/" + id_ + "/actions", 11};
    req_.set(http::field::authorization, "Bearer " + token);
    req_.set(http::field::content_type, "application/json");
    switch (step_) {
      case 0:
        req_.body() = open_body(fields_[index_ % fields_.size()], index_);
        break;
      case 1:
        req_.body() = R"({"action":"respond","text":"We are on it"})";
        break;
      case 2:
        req_.body() = R"({"action":"hand_off","to":"logistics","text":"Parcel lost in transit"})";
        break;
      case 3:
        req_.body() = R"({"action":"resolve","text":"Refund sent"})";
        break;
      default:
        req_.body() = R"({"action":"confirm","on_behalf_of":"customer"})";
        break;
    }
    req_.prepare_payload();
    return true;
  }

  void consume(const http::response<http::string_body>& res) {
    if (!w_.lifecycle) return;
    if (res.result_int() >= 300) {
      fail(std::to_string(res.result_int()) + " " + res.body());
      step_ = 5;
    } else if (step_ == 0) {
      auto at = res.body().find("\"id\":\"");
      id_ = res.body().substr(at + 6, res.body().find('"', at + 6) - at - 6);
    }
    ++step_;
    if (step_ == 1 && withheld(index_)) {
      {
        std::lock_guard lock{w_.lock};
        w_.parked_ids.insert(id_);
      }
      ++w_.parked;
      id_.clear(), step_ = 0;
    } else if (step_ >= 5) {
      ++w_.finished;
      id_.clear(), step_ = 0;
    }
    if (w_.next >= w_.tickets && w_.finished + w_.parked >= w_.tickets) w_.phase1_done.notify_all();
  }

  void next() {
    if (w_.finished >= (w_.lifecycle ? w_.tickets : 0) && w_.lifecycle) return;
    if (!produce()) {
      if (!w_.lifecycle) return;
      // Nothing now (escalations still to come): look again shortly.
      idle_ = true;
      timer_.expires_after(1ms);
      timer_.async_wait([self = shared_from_this()](beast::error_code) { self->next(); });
      return;
    }
    if (idle_) {
      scheduled_ = steady::now();  // a connection back from idling is not late
      idle_ = false;
    }
    if (pace_) {
      scheduled_ += *pace_;
      timer_.expires_at(scheduled_);
      timer_.async_wait([self = shared_from_this()](beast::error_code) { self->send(); });
    } else {
      scheduled_ = steady::now();
      send();
    }
  }

  void send() {
    auto start = pace_ ? scheduled_ : steady::now();  // paced: from when it should have gone
    http::async_write(
        socket_, req_, [self = shared_from_this(), start](beast::error_code ec, size_t) {
          if (ec) return self->fail("write: " + ec.message());
          self->res_ = {};
          http::async_read(
              self->socket_, self->buffer_, self->res_,
              [self, start](beast::error_code ec, size_t) {
                if (ec) return self->fail("read: " + ec.message());
                self->latencies.push_back(static_cast<uint32_t>(
                    std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - start)
                        .count()));
                self->consume(self->res_);
                self->next();
              });
        });
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  tcp::endpoint ep_;
  workload& w_;
  const std::vector<ticket_fields>& fields_;
  std::optional<std::chrono::microseconds> pace_;
  steady::time_point scheduled_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  std::string id_;
  size_t index_ = 0;
  int step_ = 0;
  bool idle_ = false;
};

struct run_result {
  double seconds = 0;
  std::vector<uint32_t> latencies;
  size_t failures = 0;
};

// Drives `w` with `connections` connections from `threads` client threads. `between` runs on
// the main thread once phase 1 is done (all tickets opened, all but the withheld finished).
run_result drive(const std::vector<tcp::endpoint>& targets, workload& w, size_t connections,
                 const std::vector<ticket_fields>& fields,
                 std::optional<std::chrono::microseconds> pace,
                 const std::function<void()>& between) {
  asio::io_context ioc;
  std::vector<std::shared_ptr<connection>> conns;
  for (size_t i = 0; i < connections; ++i) {
    conns.push_back(
        std::make_shared<connection>(ioc, targets[i % targets.size()], w, fields, pace));
    conns.back()->start();
  }
  auto start = steady::now();
  std::thread client{[&] { ioc.run(); }};
  if (w.lifecycle) {
    std::unique_lock lock{w.lock};
    w.phase1_done.wait(lock,
                       [&] { return w.next >= w.tickets && w.finished + w.parked >= w.tickets; });
    lock.unlock();
    if (between) between();
  }
  client.join();
  run_result r;
  r.seconds = std::chrono::duration<double>(steady::now() - start).count();
  for (auto& c : conns)
    r.latencies.insert(r.latencies.end(), c->latencies.begin(), c->latencies.end());
  r.failures = w.failures;
  return r;
}

tcp::endpoint loopback(uint16_t port) {
  return {asio::ip::make_address("127.0.0.1"), port};
}

// One request on a connection of its own: (status, body); status 0 when it failed.
std::pair<int, std::string> call(const tcp::endpoint& ep, http::verb verb,
                                 const std::string& target, const std::string& bearer,
                                 const std::string& body = {}) {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::error_code ec;
  stream.connect(ep, ec);
  if (ec) return {0, ec.message()};
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::authorization, "Bearer " + bearer);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  http::write(stream, req, ec);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  if (!ec) http::read(stream, buf, res, ec);
  if (ec) return {0, ec.message()};
  return {res.result_int(), res.body()};
}

// Running nodes on clocks moved by hand: an hour and a minute later, every withheld ticket
// escalates (on whichever node writes it); each goes back to the connections once it has.
void escalate_remote(const std::vector<tcp::endpoint>& targets, const std::string& admin,
                     workload& w) {
  for (auto& t : targets)
    if (auto [code, body] = call(t, http::verb::post, "/v1/clock", admin, R"({"advance":"61m"})");
        code != 200)
      std::fprintf(stderr, "moving a clock: %d %s\n", code, body.c_str());
  auto give_up = steady::now() + 120s;
  for (size_t round = 0; steady::now() < give_up; ++round) {
    std::vector<std::string> waiting;
    {
      std::lock_guard lock{w.lock};
      waiting.assign(w.parked_ids.begin(), w.parked_ids.end());
    }
    if (waiting.empty()) return;
    for (auto& id : waiting) {
      auto [code, body] =
          call(targets[round % targets.size()], http::verb::get, "/v1/tickets/" + id, token);
      if (code != 200 || body.find(R"("type":"escalated")") == std::string::npos) continue;
      std::lock_guard lock{w.lock};
      if (w.parked_ids.erase(id)) w.resumable.emplace_back(id, 0);
    }
    std::this_thread::sleep_for(50ms);
  }
  std::fprintf(stderr, "withheld tickets never escalated\n");
}

// The workload against running nodes (see the top of this file).
int run_remote(const std::vector<tcp::endpoint>& targets, const std::string& admin, size_t tickets,
               size_t connections, const std::vector<ticket_fields>& fields) {
  workload peak;
  peak.tickets = tickets;
  auto p = drive(targets, peak, connections, fields, std::nullopt,
                 [&] { escalate_remote(targets, admin, peak); });
  double peak_rate = static_cast<double>(tickets * 5) / p.seconds;
  workload half;
  half.tickets = tickets / 2;
  auto interval = std::chrono::microseconds{
      static_cast<int64_t>(1e6 * static_cast<double>(connections) / (peak_rate / 2))};
  auto h = drive(targets, half, connections, fields, interval,
                 [&] { escalate_remote(targets, admin, half); });
  double half_rate = static_cast<double>(half.tickets * 5) / h.seconds;
  std::printf("targets      %zu nodes, %zu keep-alive connections spread over them\n",
              targets.size(), connections);
  std::printf(
      "peak         %zu tickets in %.2f s: %.0f commands/s, %.0f tickets/s (p50 %.2f ms, p99 %.2f "
      "ms)\n",
      tickets, p.seconds, peak_rate, static_cast<double>(tickets) / p.seconds,
      bench::percentile(p.latencies, 0.5) / 1000, bench::percentile(p.latencies, 0.99) / 1000);
  std::printf(
      "half load    %zu tickets paced at %.0f commands/s (achieved %.0f): p50 %.2f ms, p99 %.2f "
      "ms\n",
      half.tickets, peak_rate / 2, half_rate, bench::percentile(h.latencies, 0.5) / 1000,
      bench::percentile(h.latencies, 0.99) / 1000);
  std::printf("failures     %zu\n", p.failures + h.failures);
  return p.failures + h.failures ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  size_t tickets = 20'000, connections = 64;
  std::vector<tcp::endpoint> targets;
  std::string admin;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--tickets" && i + 1 < argc) {
      tickets = std::stoul(argv[++i]);
    } else if (a == "--connections" && i + 1 < argc) {
      connections = std::stoul(argv[++i]);
    } else if (a == "--target" && i + 1 < argc) {
      std::string t = argv[++i];
      auto colon = t.rfind(':');
      targets.emplace_back(asio::ip::make_address(t.substr(0, colon)),
                           static_cast<uint16_t>(std::stoul(t.substr(colon + 1))));
    } else if (a == "--token" && i + 1 < argc) {
      token = argv[++i];
    } else if (a == "--admin-token" && i + 1 < argc) {
      admin = argv[++i];
    } else {
      return std::fprintf(stderr,
                          "usage: http_bench [--tickets N] [--connections C] [--target HOST:PORT "
                          "... --token T --admin-token A]\n"),
             2;
    }
  }
  spdlog::set_level(spdlog::level::warn);
  auto fields = bench::complaints(bench::cfpb_csv);
  if (fields.empty())
    return std::fprintf(stderr, "cannot read the CFPB complaints at %s\n", bench::cfpb_csv), 1;
  if (!targets.empty()) return run_remote(targets, admin, tickets, connections, fields);

  // The vocflow server, as `vocflow serve` runs it, with a wall clock the benchmark can move.
  testing::temp_dir dir;
  std::atomic<int64_t> offset_ms{0};
  node_options no;
  no.cfg.server.port = 0;
  no.cfg.auth.tokens.push_back({token, "bench", "agent", "agent"});
  no.cfg.data.dir = dir / "data";
  no.cfg.flows.dir = VOCFLOW_SOURCE_DIR "/bench/flows";
  no.clock = [&] {
    return std::chrono::time_point_cast<millis>(std::chrono::system_clock::now()) +
           millis{offset_ms.load()};
  };
  std::string error;
  auto n = node::start(std::move(no), error);
  if (!n) return std::fprintf(stderr, "%s\n", error.c_str()), 1;
  auto port = std::optional<uint16_t>{n->port()};
  auto& sys = n->system();
  auto* rt = &n->runtime();
  auto cfg = n->cfg();

  // Escalated tickets go back to the connections.
  std::atomic<workload*> current{nullptr};  // set by this thread, read by the watcher's
  auto watcher =
      sys.spawn([&](actors::subscriber_actor::pointer) -> actors::subscriber_actor::behavior_type {
        return {[&](actors::committed_atom, const actors::commit_batch& batch) {
          auto* w = current.load();
          for (auto& c : *batch)
            for (auto& e : *c.events)
              if (std::holds_alternative<ev::escalated>(e.body) && w) {
                // Only tickets a connection set aside; others escalated while in flight go on.
                std::lock_guard lock{w->lock};
                if (w->parked_ids.erase(c.state->id)) w->resumable.emplace_back(c.state->id, 0);
              }
        }};
      });
  rt->subscribe(watcher);
  auto escalate = [&] {
    offset_ms += 3'660'000;  // an hour and a minute: every withheld first response is due
    rt->poke_timers();
  };

  workload peak;
  peak.tickets = tickets;
  current = &peak;
  auto p = drive({loopback(*port)}, peak, connections, fields, std::nullopt, escalate);
  double peak_rate = static_cast<double>(tickets * 5) / p.seconds;

  workload half;
  half.tickets = tickets / 2;
  current = &half;
  auto interval = std::chrono::microseconds{
      static_cast<int64_t>(1e6 * static_cast<double>(connections) / (peak_rate / 2))};
  auto h = drive({loopback(*port)}, half, connections, fields, interval, escalate);
  double half_rate = static_cast<double>(half.tickets * 5) / h.seconds;

  caf::anon_send_exit(watcher, caf::exit_reason::user_shutdown);
  n->stop();

  // The baseline: a Beast hello-world server with as many I/O threads, the same client.
  server_config hello_cfg = cfg.server;
  connectors::http_server hello{hello_cfg, [](connectors::http_request&&, connectors::responder r,
                                              connectors::stream_opener) {
                                  connectors::http_response res{http::status::ok, 11};
                                  res.set(http::field::content_type, "text/plain");
                                  res.body() = "hello";
                                  res.prepare_payload();
                                  r(std::move(res));
                                }};
  auto hello_port = hello.start(error);
  workload hw;
  hw.lifecycle = false;
  hw.tickets = tickets * 5;
  auto b = drive({loopback(*hello_port)}, hw, connections, fields, std::nullopt, {});
  double hello_rate = static_cast<double>(hw.tickets) / b.seconds;
  hello.stop();

  bench::print_machine();
  std::printf(
      "workload     lifecycle over HTTP, %zu keep-alive connections, fsync, every 10th ticket "
      "escalated by its 1h timer\n",
      connections);
  std::printf(
      "peak         %zu tickets in %.2f s: %.0f commands/s, %.0f tickets/s (p50 %.2f ms, p99 %.2f "
      "ms)\n",
      tickets, p.seconds, peak_rate, static_cast<double>(tickets) / p.seconds,
      bench::percentile(p.latencies, 0.5) / 1000, bench::percentile(p.latencies, 0.99) / 1000);
  std::printf(
      "half load    %zu tickets paced at %.0f commands/s (achieved %.0f): p50 %.2f ms, p99 %.2f "
      "ms\n",
      half.tickets, peak_rate / 2, half_rate, bench::percentile(h.latencies, 0.5) / 1000,
      bench::percentile(h.latencies, 0.99) / 1000);
  std::printf("baseline     Beast hello-world, same client and connections: %.0f requests/s\n",
              hello_rate);
  std::printf("ratio        vocflow commands/s / hello requests/s = %.2f\n",
              peak_rate / hello_rate);
  std::printf("failures     %zu\n", p.failures + h.failures + b.failures);
  std::printf("peak RSS     %ld MB\n", bench::peak_rss_mb());
  return p.failures + h.failures ? 1 : 0;
}
