// A full disk, as `ulimit -f` makes it: `vocflow serve` gets a file-size limit (prlimit on the
// running process) below what it has written, so every RocksDB write fails with EFBIG.
// Writes must answer 503 with a clear JSON error, reads and the rest of the server go on, and
// once the limit is lifted writes succeed again; a restart finds exactly the acknowledged
// tickets (nothing lost, nothing half-written).
#include "connectors/http_client.hpp"
#include "tests/app/served.hpp"
#include "tests/shell.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>

#include <filesystem>
#include <future>
#include <iostream>

namespace vocflow::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* agent = "dev-agent-li-wei-0001";

connectors::http_result call(const served& s, const std::string& method, const std::string& target,
                             const std::string& body = {}) {
  connectors::http_call c;
  c.base_url = s.url();
  c.method = method;
  c.target = target;
  c.body = body;
  c.token = agent;
  return connectors::send(c);
}

connectors::http_result open_ticket(const served& s, int n, const std::string& key = {}) {
  connectors::http_call c;
  c.base_url = s.url();
  c.method = "POST";
  c.target = "/v1/tickets";
  c.body = json{{"customer", "C-" + std::to_string(n)},
                {"channel", "web"},
                {"category", "billing"},
                {"text", "charged twice for order " + std::to_string(n)}}
               .dump();
  c.token = agent;
  if (!key.empty()) c.headers["Idempotency-Key"] = key;
  return connectors::send(c);
}

bool set_file_limit(pid_t pid, rlim_t soft) {
  rlimit lim{soft, RLIM_INFINITY};
  return prlimit(pid, RLIMIT_FSIZE, &lim, nullptr) == 0;
}

// A value of vocflow_commands_total; 0 when the line is missing.
size_t commands_total(const std::string& metrics, const std::string& result) {
  auto line = "vocflow_commands_total{result=\"" + result + "\"} ";
  auto at = metrics.find(line);
  return at == std::string::npos ? 0 : std::stoul(metrics.substr(at + line.size()));
}

TEST(DiskFull, WritesAnswer503ReadsGoOnAndWritesResumeWhenSpaceReturns) {
  auto dir = fs::temp_directory_path() / ("vocflow-disk-full-" + std::to_string(getpid()));
  fs::remove_all(dir);
  std::vector<std::string> acked;
  {
    served s{dir.string(), true};
    ASSERT_FALSE(s.url().empty()) << s.output();
    for (int i = 0; i < 20; ++i) {
      auto r = open_ticket(s, i);
      ASSERT_EQ(r.status, 201) << r.body;
      acked.push_back(json::parse(r.body)["id"]);
    }

    // Every file is already larger than 4 KB (or will be, once written): no write has room.
    ASSERT_TRUE(set_file_limit(s.pid(), 4096)) << strerror(errno);
    json refusal;
    for (int i = 0; i < 5000 && refusal.is_null(); ++i) {
      auto r = open_ticket(s, 100 + i);
      if (r.status == 201)
        acked.push_back(json::parse(r.body)["id"]);
      else if (r.status == 503)
        refusal = json::parse(r.body, nullptr, false);
      else
        FAIL() << r.status << " " << r.body << r.error << "\n" << s.output();
    }
    ASSERT_TRUE(refusal.is_object()) << "the limit never bit";
    EXPECT_EQ(refusal["error"], "unavailable");
    EXPECT_NE(refusal["message"].get<std::string>().find("File too large"), std::string::npos)
        << refusal.dump();
    RecordProperty("acknowledged_before_the_disk_filled", std::to_string(acked.size()));

    // Writes go on failing cleanly; reads and everything else go on.
    EXPECT_EQ(open_ticket(s, 9000).status, 503);
    // An open retried at once with the same idempotency key often joins the first attempt's
    // group commit and is answered from it: it must fail with it, not report a ticket.
    for (int i = 0; i < 10; ++i) {
      auto key = "retry-" + std::to_string(i);
      auto first = std::async(std::launch::async, [&] { return open_ticket(s, 9100 + i, key); });
      auto second = open_ticket(s, 9100 + i, key);
      EXPECT_EQ(second.status, 503) << second.body;
      EXPECT_EQ(first.get().status, 503);
    }
    EXPECT_EQ(call(s, "POST", "/v1/tickets/" + acked[0] + "/actions",
                   R"({"action":"respond","text":"looking"})")
                  .status,
              503);
    for (auto& id : {acked.front(), acked.back()}) {
      auto r = call(s, "GET", "/v1/tickets/" + id);
      EXPECT_EQ(r.status, 200) << r.body;
    }
    EXPECT_EQ(call(s, "GET", "/v1/tickets?limit=5").status, 200);
    EXPECT_EQ(call(s, "GET", "/healthz").status, 200);
    auto metrics = call(s, "GET", "/metrics");
    EXPECT_EQ(metrics.status, 200);
    EXPECT_EQ(metrics.body.find("vocflow_commit_failures_total 0\n"), std::string::npos);
    // Commands count by what became of them: a command whose write failed is failed, not
    // accepted.
    EXPECT_EQ(commands_total(metrics.body, "accepted"), acked.size()) << metrics.body;
    EXPECT_GE(commands_total(metrics.body, "failed"), 3u) << metrics.body;

    // Space returns: writes are accepted again (the store recovers on the next commit).
    ASSERT_TRUE(set_file_limit(s.pid(), RLIM_INFINITY));
    int refused_after = 0;
    for (int i = 0; i < 50; ++i) {
      auto r = open_ticket(s, 10'000 + i);
      if (r.status == 201)
        acked.push_back(json::parse(r.body)["id"]);
      else
        ++refused_after;
    }
    EXPECT_LE(refused_after, 2) << "writes did not resume";
    auto r = call(s, "POST", "/v1/tickets/" + acked[0] + "/actions",
                  R"({"action":"respond","text":"looking"})");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(s.stop(), 0) << s.output();
    auto log = s.output();
    EXPECT_NE(log.find("store: writes suspended"), std::string::npos) << log;
    EXPECT_NE(log.find("store: writable again"), std::string::npos) << log;
    RecordProperty("refused_after_space_returned", std::to_string(refused_after));
    if (getenv("VOCFLOW_SHOW_LOG")) std::cout << log;
  }

  // Nothing is corrupted: a restart on the same folder finds exactly the acknowledged tickets.
  auto inspect = shell(std::string{VOCFLOW_BINARY} + " inspect --data " + dir.string());
  EXPECT_EQ(inspect.code, 0) << inspect.out;
  EXPECT_NE(inspect.out.find("tickets        " + std::to_string(acked.size()) + "\n"),
            std::string::npos)
      << acked.size() << " acknowledged\n"
      << inspect.out;
  {
    served s{dir.string(), true};
    ASSERT_FALSE(s.url().empty()) << s.output();
    for (auto& id : acked) ASSERT_EQ(call(s, "GET", "/v1/tickets/" + id).status, 200) << id;
    EXPECT_EQ(open_ticket(s, 20'000).status, 201);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vocflow::testing
