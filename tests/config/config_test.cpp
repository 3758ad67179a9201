#include "config/config.hpp"
#include "tests/workflows/fixture.hpp"

#include <gtest/gtest.h>

namespace vocflow {
namespace {

using namespace std::chrono_literals;

std::optional<config> parse(const std::string& text, diagnostics& d) {
  return load_config({"c.yaml", text}, d);
}

TEST(Config, TheShippedFileHoldsExactlyTheDefaults) {
  diagnostics d;
  auto c = load_config(testing::read_all({testing::source_dir() + "/config/vocflow.yaml"})[0], d);
  ASSERT_TRUE(c) << to_string(d.items().front());
  config defaults;
  EXPECT_EQ(c->data.dir, defaults.data.dir);
  EXPECT_EQ(c->data.fsync, defaults.data.fsync);
  EXPECT_EQ(c->data.cache_mb, defaults.data.cache_mb);
  EXPECT_EQ(c->runtime.partitions, defaults.runtime.partitions);
  EXPECT_EQ(c->runtime.ticket_cache, defaults.runtime.ticket_cache);
  EXPECT_EQ(c->runtime.timer_batch, defaults.runtime.timer_batch);
  EXPECT_EQ(c->runtime.max_batch, defaults.runtime.max_batch);
  EXPECT_EQ(c->runtime.snapshot_every, defaults.runtime.snapshot_every);
  EXPECT_EQ(c->runtime.dedicated_threads, defaults.runtime.dedicated_threads);
  EXPECT_EQ(c->runtime.scheduler_nice, defaults.runtime.scheduler_nice);
  EXPECT_EQ(c->runtime.request_timeout, defaults.runtime.request_timeout);
  EXPECT_EQ(c->flows.dir, defaults.flows.dir);
  EXPECT_EQ(c->log.level, defaults.log.level);
  EXPECT_EQ(c->server.host, defaults.server.host);
  EXPECT_EQ(c->server.port, defaults.server.port);
  EXPECT_EQ(c->server.threads, defaults.server.threads);
  EXPECT_EQ(c->server.max_body, defaults.server.max_body);
  EXPECT_EQ(c->server.max_header, defaults.server.max_header);
  EXPECT_EQ(c->server.request_timeout, defaults.server.request_timeout);
  EXPECT_EQ(c->server.idle_timeout, defaults.server.idle_timeout);
  EXPECT_EQ(c->server.max_connections, defaults.server.max_connections);
  EXPECT_EQ(c->metrics.scrape_token, defaults.metrics.scrape_token);
  EXPECT_TRUE(c->notify.webhooks.empty());
  EXPECT_EQ(c->notify.timeout, defaults.notify.timeout);
  EXPECT_EQ(c->notify.retry_initial, defaults.notify.retry_initial);
  EXPECT_EQ(c->notify.retry_max, defaults.notify.retry_max);
  EXPECT_EQ(c->notify.give_up_after, defaults.notify.give_up_after);
  EXPECT_TRUE(c->intake.sources.empty());
  EXPECT_EQ(c->mail.url, defaults.mail.url);
  EXPECT_EQ(c->mail.from, defaults.mail.from);
  EXPECT_EQ(c->mail.starttls, defaults.mail.starttls);
  // The only difference: local-trial tokens, each marked `dev-` (refused off loopback).
  EXPECT_TRUE(defaults.auth.tokens.empty());
  ASSERT_FALSE(c->auth.tokens.empty());
  for (auto& t : c->auth.tokens) EXPECT_EQ(t.token.rfind("dev-", 0), 0u) << t.name;
}

TEST(Config, TokensNeedANameAKnownRoleAndLength) {
  diagnostics d;
  auto c = parse(
      "auth:\n  tokens:\n    - { token: short, name: a, role: agent }\n    - { token: "
      "0123456789abcdef, name: b, role: boss }\n",
      d);
  EXPECT_FALSE(c);
  std::vector<std::string> codes;
  for (auto& i : d.items()) codes.push_back(i.code + "@" + std::to_string(i.pos.line));
  EXPECT_EQ(codes, (std::vector<std::string>{"bad-value@3", "bad-value@4"}));
}

TEST(Config, WebhooksNeedAUniqueNameAnHttpUrlASecretAndKnownEvents) {
  diagnostics d;
  auto ok = parse(
      "notify:\n  webhooks:\n    - { name: esc, url: \"http://127.0.0.1:9/x\", secret: "
      "0123456789abcdef, to: [supervisor] }\n  retry_initial: 2s\n",
      d);
  ASSERT_TRUE(ok) << (d.items().empty() ? "" : to_string(d.items().front()));
  ASSERT_EQ(ok->notify.webhooks.size(), 1u);
  EXPECT_EQ(ok->notify.webhooks[0].events,
            (std::vector<std::string>{"escalated", "sla_breached", "compensation_requested"}));
  EXPECT_EQ(ok->notify.webhooks[0].to, (std::vector<std::string>{"supervisor"}));
  EXPECT_EQ(ok->notify.retry_initial, millis{2000});

  diagnostics bad;
  EXPECT_FALSE(
      parse("notify:\n  webhooks:\n"
            "    - { name: a, url: \"https://x/y\", secret: 0123456789abcdef }\n"
            "    - { name: a, url: \"http://x/y\", secret: short }\n"
            "    - { name: b, url: \"http://x/y\", secret: 0123456789abcdef, events: "
            "[breach] }\n",
            bad));
  std::vector<std::string> found;
  for (auto& i : bad.items())
    found.push_back(std::to_string(i.pos.line) + ":" + std::to_string(i.pos.column) + " " +
                    i.message);
  EXPECT_EQ(found, (std::vector<std::string>{
                       "3:23 https webhooks are not supported yet: point the url at a "
                       "TLS-terminating proxy (http://)",
                       "4:15 two webhooks have this name",
                       "4:45 a webhook secret must be at least 16 characters",
                       "5:71 `breach` is not a notification; they are sla_warned, sla_breached, "
                       "escalated, handed_off, compensation_requested, task_opened, "
                       "problem_resolved, spike_flagged"}));
}

TEST(Config, RepliesNeedAnHttpTargetAndMailAnSmtpServerAndASender) {
  diagnostics d;
  auto ok = parse(
      "intake:\n  sources:\n    - name: zd\n      mapping: m.yaml\n"
      "      secret: 0123456789abcdef\n"
      "      reply: { url: \"https://acme.zendesk.com\", user: a/token, password: t }\n"
      "mail: { url: \"smtp://127.0.0.1:25\", from: \"Care <care@acme.example>\", "
      "starttls: optional }\n",
      d);
  ASSERT_TRUE(ok) << (d.items().empty() ? "" : to_string(d.items().front()));
  EXPECT_EQ(ok->intake.sources.at(0).reply.url, "https://acme.zendesk.com");
  EXPECT_EQ(ok->mail.starttls, "optional");

  diagnostics bad;
  EXPECT_FALSE(
      parse("intake:\n  sources:\n    - name: zd\n      mapping: m.yaml\n"
            "      secret: 0123456789abcdef\n"
            "      reply: { url: \"ftp://x\", authorization: \"Token token=1\", user: u }\n"
            "mail: { url: \"http://mail\", starttls: maybe }\n",
            bad));
  std::vector<std::string> found;
  for (auto& i : bad.items()) found.push_back(std::to_string(i.pos.line) + " " + i.message);
  EXPECT_EQ(found, (std::vector<std::string>{
                       "6 a reply url is http(s)://host[:port][/path]",
                       "6 a reply authenticates with user and password, or authorization",
                       "7 the mail url is smtp://host:port or smtps://host:port",
                       "7 starttls is required, optional or never",
                       "7 mail needs `from`: the address replies are sent from"}));
}

TEST(Config, AnEmptyFileMeansEveryDefault) {
  diagnostics d;
  auto c = parse("", d);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->data.fsync);
}

TEST(Config, ValuesAreRead) {
  diagnostics d;
  auto c = parse(
      "data: { dir: /srv/vf, durability: os }\n"
      "runtime: { partitions: 8, request_timeout: 2m, dedicated_threads: false, "
      "scheduler_nice: 3 }\n",
      d);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->data.dir, "/srv/vf");
  EXPECT_FALSE(c->data.fsync);
  EXPECT_EQ(c->runtime.partitions, 8u);
  EXPECT_FALSE(c->runtime.dedicated_threads);
  EXPECT_EQ(c->runtime.scheduler_nice, 3u);
  EXPECT_EQ(c->runtime.request_timeout, 2min);
}

TEST(Config, UnknownKeysAndBadValuesAreErrorsAtTheirPosition) {
  diagnostics d;
  auto c = parse(
      "data:\n  durabilty: os\nruntime:\n  partitions: -1\n  scheduler_nice: 20\n"
      "log: { level: loud }\n",
      d);
  EXPECT_FALSE(c);
  std::vector<std::string> got;
  for (auto& i : d.items()) got.push_back(to_string(i));
  EXPECT_EQ(got, (std::vector<std::string>{"c.yaml:2:3: error[unknown-field]: unknown field "
                                           "`durabilty` in data (did you mean `durability`?)",
                                           "c.yaml:4:15: error[bad-value]: partitions must be a "
                                           "whole number from 0 to 1024, not `-1`",
                                           "c.yaml:5:19: error[bad-value]: scheduler_nice must "
                                           "be a whole number from 0 to 19, not `20`",
                                           "c.yaml:6:15: error[bad-value]: log level must be "
                                           "trace, debug, info, warn or error, not `loud`"}));
}

}  // namespace
}  // namespace vocflow
