// Replies that reach the customer: complaints opened from each ready source (Zendesk, Zammad,
// Jira Service Management through their webhooks, and an inbound e-mail), an agent's answer,
// and the answer arriving where the customer is — a real HTTP receiver standing in for the
// ticket systems' REST APIs, and a real SMTP server (Debian's python3-aiosmtpd, on loopback)
// for the mail — once each, with a restart of vocflow between the action and the delivery.
#include "connectors/reply.hpp"
#include "tests/connectors/api_fixture.hpp"
#include "tests/connectors/intake_sources.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <thread>

extern char** environ;

namespace vocflow::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Stands in for the ticket systems' REST APIs: records every call; refuses (503) while
// `refusing`, else answers `status`.
class api_receiver {
 public:
  struct call {
    std::string method, target, authorization, idempotency_key;
    json body;
  };

  api_receiver() : server_([this](auto& req) { return take(req); }) { url = server_.url(); }

  // The calls taken (answered 2xx) whose target starts with `prefix`.
  std::vector<call> taken(const std::string& prefix) {
    std::lock_guard lock{mutex_};
    std::vector<call> out;
    for (auto& c : taken_)
      if (c.target.starts_with(prefix)) out.push_back(c);
    return out;
  }
  size_t attempts() {
    std::lock_guard lock{mutex_};
    return attempts_;
  }

  std::string url;
  std::atomic<bool> refusing{false};
  std::atomic<unsigned> status{201};

 private:
  connectors::http_response take(const connectors::http_request& req) {
    std::lock_guard lock{mutex_};
    ++attempts_;
    unsigned answer = refusing ? 503 : status.load();
    if (answer < 300)
      taken_.push_back({std::string{req.method_string()}, std::string{req.target()},
                        std::string{req["Authorization"]}, std::string{req["Idempotency-Key"]},
                        json::parse(req.body(), nullptr, false)});
    connectors::http_response res{static_cast<boost::beast::http::status>(answer), req.version()};
    res.set(boost::beast::http::field::content_type, "application/json");
    res.body() = R"({"ok": true})";
    res.prepare_payload();
    return res;
  }

  std::mutex mutex_;
  std::vector<call> taken_;
  size_t attempts_ = 0;
  loopback_server server_;  // last: it calls take() from its thread
};

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

bool listening(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

// A real SMTP server: aiosmtpd with its Mailbox handler, each message a file in a Maildir.
class smtp_server {
 public:
  explicit smtp_server(fs::path maildir) : maildir_(std::move(maildir)), port_(free_port()) {}
  ~smtp_server() { stop(); }

  void start() {
    std::vector<std::string> args = {"/usr/bin/python3",
                                     "-m",
                                     "aiosmtpd",
                                     "-n",
                                     "-l",
                                     fmt::format("127.0.0.1:{}", port_),
                                     "-c",
                                     "aiosmtpd.handlers.Mailbox",
                                     maildir_.string()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ASSERT_EQ(posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ), 0)
        << "cannot run /usr/bin/python3 (Debian's python3-aiosmtpd is a test dependency)";
    // Until the process listens (a process starting, not a timer: there is nothing to advance).
    for (int i = 0; i < 500 && !listening(port_); ++i) std::this_thread::sleep_for(20ms);
    ASSERT_TRUE(listening(port_)) << "aiosmtpd did not start (apt-get install python3-aiosmtpd)";
  }
  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = 0;
  }
  std::string url() const { return fmt::format("smtp://127.0.0.1:{}", port_); }
  // The messages received, as written.
  std::vector<std::string> messages() const {
    std::vector<std::string> out;
    if (!fs::exists(maildir_ / "new")) return out;
    for (auto& f : fs::directory_iterator{maildir_ / "new"}) out.push_back(slurp(f.path()));
    return out;
  }

 private:
  fs::path maildir_;
  int port_;
  pid_t pid_ = 0;
};

// A header of an e-mail as written ("" when absent).
std::string header(const std::string& mail, const std::string& name) {
  auto at = mail.find("\n" + name + ": ");
  if (at == std::string::npos) return {};
  at += name.size() + 3;
  return mail.substr(at, mail.find_first_of("\r\n", at) - at);
}

// The text of a base64 body.
std::string body_text(const std::string& mail) {
  auto at = mail.find("\r\n\r\n");
  if (at == std::string::npos) at = mail.find("\n\n");
  std::string b64;
  for (char c : mail.substr(at))
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=') b64 += c;
  return connectors::from_base64(b64).value_or("(not base64)");
}

class ReplyTest : public api_fixture {
 protected:
  void SetUp() override {
    for (auto& s : sources()) {
      intake_source src{s.name, samples + s.name + ".yaml", s.secret, {}};
      src.reply.url = receiver_.url + "/" + s.name;
      if (s.name == "zammad")
        src.reply.authorization = "Token token=zammad-access-token";
      else
        src.reply.user = "agent@acme.example/token", src.reply.password = s.name + "-api-token";
      cfg_.intake.sources.push_back(src);
    }
    cfg_.mail = {.url = smtp_.url(),
                 .from = "Acme Care <care@acme.example>",
                 .user = "",
                 .password = "",
                 .starttls = "never"};
    cfg_.notify.retry_initial = 10s;
    cfg_.notify.retry_max = 1min;
    api_fixture::SetUp();
    set_clock(*parse_utc("2026-12-01T09:00:00Z"));
  }

  std::string open_from(const source_case& s) {
    auto body = slurp(samples + s.name + "/created.json");
    auto r = call("POST", "/v1/intake/" + s.name, body, "", s.sign("created", body, s.secret));
    EXPECT_EQ(r.status, 201) << r.body;
    return json_of(r).value("id", "");
  }
  void act(const std::string& id, const json& body) {
    auto r = call("POST", "/v1/tickets/" + id + "/actions", body.dump());
    EXPECT_EQ(r.status, 200) << body.dump() << ": " << r.body;
  }
  std::string basic(const std::string& user, const std::string& password) {
    return "Basic " + base64(user + ":" + password);
  }

  api_receiver receiver_;
  temp_dir mail_dir_;
  smtp_server smtp_{mail_dir_ / "maildir"};
};

TEST_F(ReplyTest, AnAnswerReachesEachCustomerOnceAcrossARestartBeforeItsDelivery) {
  const std::string answer = "We are sorry — a replacement is on its way. 我们会尽快处理。";
  receiver_.refusing = true;  // the ticket systems are down; the mail server is not running
  std::map<std::string, std::string> ticket;
  for (auto& s : sources()) {
    ticket[s.name] = open_from(s);
    act(ticket[s.name], {{"action", "respond"}, {"text", answer + " (" + s.name + ")"}});
  }
  EXPECT_EQ(deliver(), 4u);  // attempted, refused, kept
  EXPECT_EQ(receiver_.attempts(), 3u);
  EXPECT_TRUE(receiver_.taken("/").empty());

  // vocflow restarts between the action and the delivery; the receivers come back.
  restart();
  receiver_.refusing = false;
  smtp_.start();
  advance_to(now() + 1min);
  EXPECT_EQ(deliver(), 0u);

  auto seq_of_response = [&](const std::string& id) {
    auto t = json_of(call("GET", "/v1/tickets/" + id));
    for (auto& e : t["history"])
      if (e["type"] == "responded") return id + ":" + std::to_string(e["seq"].get<int>());
    return std::string{};
  };
  auto zendesk = receiver_.taken("/zendesk/");
  ASSERT_EQ(zendesk.size(), 1u);
  EXPECT_EQ(zendesk[0].method, "PUT");
  EXPECT_EQ(zendesk[0].target, "/zendesk/api/v2/tickets/35436.json");
  EXPECT_EQ(zendesk[0].authorization, basic("agent@acme.example/token", "zendesk-api-token"));
  EXPECT_EQ(zendesk[0].body["ticket"]["comment"]["body"], answer + " (zendesk)");
  EXPECT_EQ(zendesk[0].body["ticket"]["comment"]["public"], true);
  EXPECT_EQ(zendesk[0].idempotency_key, "vocflow-" + seq_of_response(ticket["zendesk"]));

  auto zammad = receiver_.taken("/zammad/");
  ASSERT_EQ(zammad.size(), 1u);
  EXPECT_EQ(zammad[0].method, "POST");
  EXPECT_EQ(zammad[0].target, "/zammad/api/v1/ticket_articles");
  EXPECT_EQ(zammad[0].authorization, "Token token=zammad-access-token");
  EXPECT_EQ(zammad[0].body["ticket_id"], "81");
  EXPECT_EQ(zammad[0].body["to"], "emily.adams@example.com");
  EXPECT_EQ(zammad[0].body["subject"], "App crashes after the update");
  EXPECT_EQ(zammad[0].body["body"], answer + " (zammad)");
  EXPECT_EQ(zammad[0].body["internal"], false);

  auto jira = receiver_.taken("/jira/");
  ASSERT_EQ(jira.size(), 1u);
  EXPECT_EQ(jira[0].target, "/jira/rest/servicedeskapi/request/SUP-42/comment");
  EXPECT_EQ(jira[0].authorization, basic("agent@acme.example/token", "jira-api-token"));
  EXPECT_EQ(jira[0].body, (json{{"body", answer + " (jira)"}, {"public", true}}));

  auto mails = smtp_.messages();
  ASSERT_EQ(mails.size(), 1u);
  auto& mail = mails[0];
  EXPECT_EQ(header(mail, "To"), "<jane.doe@example.com>");
  EXPECT_EQ(header(mail, "From"), "Acme Care <care@acme.example>");
  EXPECT_EQ(
      header(mail, "Subject"),
      "Re: Toaster stopped working after two weeks [ref:73e6d360-66eb-11e1-8e72-a8904824019b]");
  auto id = seq_of_response(ticket["mail"]);
  std::replace(id.begin(), id.end(), ':', '.');
  EXPECT_EQ(header(mail, "Message-ID"), "<" + id + "@acme.example>");
  EXPECT_EQ(body_text(mail), answer + " (mail)");

  // Another restart: nothing is sent twice.
  restart();
  advance_to(now() + 1h);
  EXPECT_EQ(deliver(), 0u);
  EXPECT_EQ(receiver_.taken("/").size(), 3u);
  EXPECT_EQ(smtp_.messages().size(), 1u);

  // The customer answers the mail: it comes back in through the intake, on the same complaint.
  auto mail_source = sources()[3];
  auto reply = slurp(samples + "mail/reply.json");
  auto back = call("POST", "/v1/intake/mail", reply, "",
                   mail_source.sign("reply", reply, mail_source.secret));
  ASSERT_EQ(back.status, 201) << back.body;
  EXPECT_EQ(json_of(back)["id"], ticket["mail"]);

  // The resolution goes out too; the customer's own reply never does.
  act(ticket["jira"], {{"action", "resolve"}, {"text", "Refunded: 89.90 EUR."}});
  EXPECT_EQ(deliver(), 0u);
  jira = receiver_.taken("/jira/");
  ASSERT_EQ(jira.size(), 2u);
  EXPECT_EQ(jira[1].body["body"], "Refunded: 89.90 EUR.");
  EXPECT_EQ(smtp_.messages().size(), 1u);
}

TEST_F(ReplyTest, ARefusalThatTryingAgainCannotMendIsADeadLetterAtOnce) {
  receiver_.status = 404;  // the ticket was deleted in Zammad
  auto id = open_from(sources()[1]);
  act(id, {{"action", "respond"}, {"text", "On it."}});
  EXPECT_EQ(deliver(), 0u);
  EXPECT_EQ(receiver_.attempts(), 1u);
  auto metrics = call("GET", "/metrics", {}, "").body;
  EXPECT_NE(metrics.find("vocflow_outbox_dead_letters{channel=\"reply:zammad\"} 1"),
            std::string::npos)
      << metrics;
  // Not attempted again, however long one waits.
  advance_to(now() + 1h);
  EXPECT_EQ(deliver(), 0u);
  EXPECT_EQ(receiver_.attempts(), 1u);
}

// Tickets carry their mapping's source, whatever the configuration names the source: the
// channel back goes by the mapping's, and two sources of one mapping do not both reply.
TEST(ReplyChannels, GoByTheMappingsSourceOncePerSource) {
  intake_config in;
  in.sources = {{"helpdesk",
                 samples + "zendesk.yaml",
                 "zendesk-secret-0123456789",
                 {.url = "https://acme.zendesk.com"}},
                {"helpdesk-eu",
                 samples + "zendesk.yaml",
                 "zendesk-secret-0123456789",
                 {.url = "https://acme-eu.zendesk.com"}},
                {"mail", samples + "mail.yaml", "mail-secret-0123456789", {}}};
  std::string error;
  auto loaded = connectors::load_sources(in, error);
  ASSERT_TRUE(loaded) << error;
  config c;
  std::vector<std::string> unreplied;
  auto channels = connectors::make_channels(c, *loaded, unreplied);
  ASSERT_EQ(channels.size(), 1u);
  EXPECT_EQ(channels[0]->name(), "reply:zendesk");
  EXPECT_EQ(channels[0]->subscription().source, "zendesk");
  EXPECT_EQ(unreplied,
            (std::vector<std::string>{
                "intake source `helpdesk-eu`: another source already replies to the complaints "
                "of `zendesk`",
                "intake source `mail` replies by e-mail: no mail.url"}));
}

TEST(ReplyTemplate, FillsValuesAndAttributesEscapedAndLeavesJsonBracesAlone) {
  json row = {
      {"text", "say \"hi\"\n"}, {"external_id", "SUP 42"}, {"attributes", {{"subject", "Late"}}}};
  auto json_escape = [](std::string_view v) {
    auto q = json(std::string{v}).dump();
    return q.substr(1, q.size() - 2);
  };
  EXPECT_EQ(connectors::fill_template(R"({"body": "{text}", "s": "{subject}", "x": "{nothing}"})",
                                      row, json_escape),
            R"({"body": "say \"hi\"\n", "s": "Late", "x": ""})");
}

TEST(ReplyMail, ANonAsciiSubjectIsEncodedAndTheBodyIsBase64) {
  json row = {{"id", "T-1:7"}, {"at", "2026-12-01T09:30:00Z"}, {"text", "好的"}, {"ticket", "T-1"}};
  auto m = connectors::reply_mail(row, "Care <care@acme.example>", "a@b.example",
                                  "回复: 订单\r\nBcc: x@evil.example");
  EXPECT_NE(m.find("Subject: =?UTF-8?B?"), std::string::npos) << m;
  EXPECT_EQ(m.find("\nBcc:"), std::string::npos) << m;
  EXPECT_NE(m.find("Date: Tue, 01 Dec 2026 09:30:00 +0000\r\n"), std::string::npos) << m;
  EXPECT_NE(m.find("Message-ID: <T-1.7@acme.example>\r\n"), std::string::npos) << m;
  EXPECT_EQ(body_text(m), "好的");
}

}  // namespace
}  // namespace vocflow::testing
