#include "config/config.hpp"

#include "workflows/yaml_reader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace vocflow {
namespace {

// A duration in calendar time ("5s", "2m"): days are 24 hours here.
void read_wall(yaml_context& cx, const map_view& m, std::string_view key, millis& out) {
  if (auto v = m.get(key))
    if (auto d = read_duration(cx, *v, key))
      out = std::chrono::duration_cast<millis>(std::chrono::days{d->days}) + d->rest;
}

template <class T>
void read_number(yaml_context& cx, const map_view& m, std::string_view key, T& out, int64_t min,
                 int64_t max) {
  if (auto v = m.get(key))
    if (auto n = read_int(cx, *v, key, min, max)) out = static_cast<T>(*n);
}

void read_server(yaml_context& cx, const YAML::Node& n, server_config& s) {
  map_view m{cx,
             n,
             "server",
             {"host", "port", "threads", "max_body", "max_header", "request_timeout",
              "idle_timeout", "max_connections", "query_threads", "max_queries"}};
  read_text(cx, m, "host", s.host);
  read_number(cx, m, "port", s.port, 0, 65535);
  read_number(cx, m, "threads", s.threads, 1, 256);
  read_number(cx, m, "max_body", s.max_body, 1024, 1LL << 30);
  read_number(cx, m, "max_header", s.max_header, 1024, 1LL << 20);
  read_wall(cx, m, "request_timeout", s.request_timeout);
  read_wall(cx, m, "idle_timeout", s.idle_timeout);
  read_number(cx, m, "max_connections", s.max_connections, 1, 1'000'000);
  read_number(cx, m, "query_threads", s.query_threads, 1, 64);
  read_number(cx, m, "max_queries", s.max_queries, 1, 10'000);
}

bool is_access_role(std::string_view r) {
  return r == "agent" || r == "supervisor" || r == "owner" || r == "ops" || r == "admin";
}

void read_strings(yaml_context& cx, const map_view& m, std::string_view key,
                  std::vector<std::string>& out) {
  auto v = m.get(key);
  if (!v) return;
  if (!v->IsSequence()) {
    cx.error(*v, "bad-type", fmt::format("{} must be a list", key));
    return;
  }
  out.clear();
  for (const auto& item : *v)
    if (auto s = read_string(cx, item, key)) out.push_back(*s);
}

void read_auth(yaml_context& cx, const YAML::Node& n, auth_config& a) {
  map_view m{cx, n, "auth", {"tokens"}};
  auto tokens = m.get("tokens");
  if (!tokens || (tokens->IsSequence() && tokens->size() == 0)) return;
  if (!tokens->IsSequence()) {
    cx.error(*tokens, "bad-type", "auth.tokens must be a list");
    return;
  }
  for (const auto& item : *tokens) {
    map_view t{cx, item, "token", {"token", "name", "role", "acts_as", "departments"}};
    if (!t.ok()) continue;
    api_token tok;
    if (auto v = t.require("token")) {
      if (auto s = read_string(cx, *v, "token")) tok.token = *s;
      if (tok.token.size() < 16)
        cx.error(*v, "bad-value", "a token must be at least 16 characters");
    }
    if (auto v = t.require("name"))
      if (auto s = read_string(cx, *v, "name")) tok.name = *s;
    if (auto v = t.require("role")) {
      if (auto s = read_string(cx, *v, "role")) {
        tok.role = *s;
        if (!is_access_role(*s))
          cx.error(
              *v, "bad-value",
              fmt::format("role must be agent, supervisor, owner, ops or admin, not `{}`", *s));
      }
    }
    tok.acts_as = tok.role;
    if (auto v = t.get("acts_as"))
      if (auto s = read_string(cx, *v, "acts_as")) tok.acts_as = *s;
    read_strings(cx, t, "departments", tok.departments);
    for (auto& other : a.tokens)
      if (other.token == tok.token && !tok.token.empty())
        cx.error(item, "duplicate-key", "this token is given twice");
    a.tokens.push_back(std::move(tok));
  }
}

void read_data(yaml_context& cx, const YAML::Node& n, data_config& d) {
  map_view m{cx, n, "data", {"dir", "durability", "cache_mb"}};
  read_text(cx, m, "dir", d.dir);
  if (auto v = m.get("durability")) {
    if (auto s = read_string(cx, *v, "durability")) {
      if (*s == "fsync" || *s == "os")
        d.fsync = *s == "fsync";
      else
        cx.error(*v, "bad-value", fmt::format("durability must be fsync or os, not `{}`", *s));
    }
  }
  read_number(cx, m, "cache_mb", d.cache_mb, 8, 1 << 20);
}

void read_runtime(yaml_context& cx, const YAML::Node& n, runtime_config& r) {
  map_view m{cx,
             n,
             "runtime",
             {"partitions", "ticket_cache", "timer_batch", "max_batch", "snapshot_every",
              "dedicated_threads", "scheduler_nice", "request_timeout"}};
  read_number(cx, m, "partitions", r.partitions, 0, 1024);
  read_number(cx, m, "ticket_cache", r.ticket_cache, 16, 100'000'000);
  read_number(cx, m, "timer_batch", r.timer_batch, 1, 1'000'000);
  read_number(cx, m, "max_batch", r.max_batch, 1, 1'000'000);
  read_number(cx, m, "snapshot_every", r.snapshot_every, 1, 100'000);
  if (auto v = m.get("dedicated_threads"))
    if (auto b = read_bool(cx, *v, "dedicated_threads")) r.dedicated_threads = *b;
  read_number(cx, m, "scheduler_nice", r.scheduler_nice, 0, 19);
  read_wall(cx, m, "request_timeout", r.request_timeout);
}

void read_cluster(yaml_context& cx, const YAML::Node& n, cluster_config& c) {
  map_view m{cx, n, "cluster", {"node", "nats", "replicas", "lease", "prefix"}};
  read_text(cx, m, "node", c.node);
  read_strings(cx, m, "nats", c.nats);
  read_number(cx, m, "replicas", c.replicas, 1, 5);
  read_wall(cx, m, "lease", c.lease);
  read_text(cx, m, "prefix", c.prefix);
  for (auto& url : c.nats)
    if (url.rfind("nats://", 0) != 0)
      if (auto v = m.get("nats"))
        cx.error(*v, "bad-value", fmt::format("`{}` is not a nats:// address", url));
  if (c.lease < millis{500})
    if (auto v = m.get("lease"))
      cx.error(*v, "bad-value", "a lease shorter than 500ms lapses while it is renewed");
}

void read_webhook(yaml_context& cx, const YAML::Node& item, notify_config& n) {
  map_view m{cx, item, "webhook", {"name", "url", "secret", "events", "to"}};
  if (!m.ok()) return;
  webhook_config w;
  if (auto v = m.require("name")) {
    if (auto s = read_string(cx, *v, "name")) w.name = *s;
    for (auto& other : n.webhooks)
      if (other.name == w.name) cx.error(*v, "duplicate-key", "two webhooks have this name");
  }
  if (auto v = m.require("url")) {
    if (auto s = read_string(cx, *v, "url")) w.url = *s;
    if (w.url.rfind("http://", 0) != 0 || w.url.size() <= 7)
      cx.error(*v, "bad-value",
               w.url.rfind("https://", 0) == 0
                   ? "https webhooks are not supported yet: point the url at a TLS-terminating "
                     "proxy (http://)"
                   : "url must be http://host[:port]/path");
  }
  if (auto v = m.require("secret")) {
    if (auto s = read_string(cx, *v, "secret")) w.secret = *s;
    if (w.secret.size() < 16)
      cx.error(*v, "bad-value", "a webhook secret must be at least 16 characters");
  }
  read_strings(cx, m, "events", w.events);
  if (auto v = m.get("events"))
    for (auto& e : w.events)
      if (std::find(notification_types.begin(), notification_types.end(), e) ==
          notification_types.end())
        cx.error(*v, "bad-value",
                 fmt::format("`{}` is not a notification; they are {}", e,
                             fmt::join(notification_types, ", ")));
  read_strings(cx, m, "to", w.to);
  n.webhooks.push_back(std::move(w));
}

void read_digest(yaml_context& cx, const YAML::Node& node, digest_config& d) {
  map_view m{cx, node, "digest", {"url", "secret", "calendar", "at", "format"}};
  if (!m.ok()) return;
  read_text(cx, m, "url", d.url);
  read_text(cx, m, "secret", d.secret);
  read_text(cx, m, "calendar", d.calendar);
  read_text(cx, m, "format", d.format);
  if (auto v = m.get("url");
      v && !d.url.empty() && (!d.url.starts_with("http://") || d.url.size() <= 7))
    cx.error(*v, "bad-value", "url must be http://host[:port]/path");
  if (auto v = m.get("secret"); v && !d.url.empty() && d.secret.size() < 16)
    cx.error(*v, "bad-value", "a digest secret must be at least 16 characters");
  if (auto v = m.get("format");
      v && d.format != "json" && d.format != "markdown" && d.format != "html")
    cx.error(*v, "bad-value", fmt::format("format is json, markdown or html, not `{}`", d.format));
  if (auto v = m.get("at")) {
    std::string at;
    read_text(cx, m, "at", at);
    int h = -1, mi = -1;
    char tail = 0;
    if (std::sscanf(at.c_str(), "%2d:%2d%c", &h, &mi, &tail) != 2 || h < 0 || h > 23 || mi < 0 ||
        mi > 59)
      cx.error(*v, "bad-value", fmt::format("at is a local time like 09:00, not `{}`", at));
    else
      d.at = millis{(h * 60 + mi) * 60'000};
  }
}

void read_notify(yaml_context& cx, const YAML::Node& node, notify_config& n) {
  map_view m{
      cx, node, "notify", {"webhooks", "timeout", "retry_initial", "retry_max", "give_up_after"}};
  if (auto hooks = m.get("webhooks")) {
    if (!hooks->IsSequence())
      cx.error(*hooks, "bad-type", "notify.webhooks must be a list");
    else
      for (const auto& item : *hooks) read_webhook(cx, item, n);
  }
  read_wall(cx, m, "timeout", n.timeout);
  read_wall(cx, m, "retry_initial", n.retry_initial);
  read_wall(cx, m, "retry_max", n.retry_max);
  read_wall(cx, m, "give_up_after", n.give_up_after);
  if (n.retry_max < n.retry_initial)
    if (auto v = m.get("retry_max"))
      cx.error(*v, "bad-value", "retry_max must not be shorter than retry_initial");
}

void read_intake(yaml_context& cx, const YAML::Node& node, intake_config& in) {
  map_view m{cx, node, "intake", {"sources"}};
  auto sources = m.get("sources");
  if (!sources) return;
  if (!sources->IsSequence())
    return cx.error(*sources, "bad-type", "intake.sources must be a list");
  for (const auto& item : *sources) {
    map_view s{cx, item, "intake source", {"name", "mapping", "secret", "reply"}};
    if (!s.ok()) continue;
    intake_source src;
    if (auto v = s.require("name")) {
      read_text(cx, s, "name", src.name);
      for (auto& other : in.sources)
        if (other.name == src.name) cx.error(*v, "duplicate-key", "two sources have this name");
    }
    if (s.require("mapping")) read_text(cx, s, "mapping", src.mapping);
    if (auto v = s.require("secret")) {
      read_text(cx, s, "secret", src.secret);
      if (src.secret.size() < 16)
        cx.error(*v, "bad-value", "an intake secret must be at least 16 characters");
    }
    if (auto v = s.get("reply")) {
      map_view r{cx, *v, "reply", {"url", "user", "password", "authorization"}};
      read_text(cx, r, "url", src.reply.url);
      read_text(cx, r, "user", src.reply.user);
      read_text(cx, r, "password", src.reply.password);
      read_text(cx, r, "authorization", src.reply.authorization);
      auto& u = src.reply.url;
      if (!u.starts_with("http://") && !u.starts_with("https://"))
        cx.error(*v, "bad-value", "a reply url is http(s)://host[:port][/path]");
      if (!src.reply.authorization.empty() && !src.reply.user.empty())
        cx.error(*v, "bad-value", "a reply authenticates with user and password, or authorization");
    }
    in.sources.push_back(std::move(src));
  }
}

void read_mail(yaml_context& cx, const YAML::Node& n, mail_config& mail) {
  map_view m{cx, n, "mail", {"url", "from", "user", "password", "starttls"}};
  read_text(cx, m, "url", mail.url);
  read_text(cx, m, "from", mail.from);
  read_text(cx, m, "user", mail.user);
  read_text(cx, m, "password", mail.password);
  read_text(cx, m, "starttls", mail.starttls);
  if (auto v = m.get("url"); v && !mail.url.empty() && !mail.url.starts_with("smtp://") &&
                             !mail.url.starts_with("smtps://"))
    cx.error(*v, "bad-value", "the mail url is smtp://host:port or smtps://host:port");
  if (auto v = m.get("starttls");
      v && mail.starttls != "required" && mail.starttls != "optional" && mail.starttls != "never")
    cx.error(*v, "bad-value", "starttls is required, optional or never");
  if (!mail.url.empty() && mail.from.find('@') == std::string::npos)
    cx.error(n, "missing-field", "mail needs `from`: the address replies are sent from");
}

}  // namespace

std::optional<config> load_config(const source_file& file, diagnostics& diags) {
  yaml_context cx{file.path, diags};
  auto parsed = parse_yaml(file.path, file.text, diags);
  if (!parsed) return std::nullopt;
  auto& doc = *parsed;
  config c;
  if (doc.IsNull()) return c;
  map_view m{cx,
             doc,
             "configuration",
             {"server", "auth", "metrics", "notify", "intake", "mail", "data", "runtime", "cluster",
              "flows", "digest", "log"}};
  if (auto v = m.get("metrics")) {
    map_view mv{cx, *v, "metrics", {"scrape_token"}};
    read_text(cx, mv, "scrape_token", c.metrics.scrape_token);
  }
  if (auto v = m.get("server")) read_server(cx, *v, c.server);
  if (auto v = m.get("auth")) read_auth(cx, *v, c.auth);
  if (auto v = m.get("notify")) read_notify(cx, *v, c.notify);
  if (auto v = m.get("digest")) read_digest(cx, *v, c.digest);
  if (auto v = m.get("intake")) read_intake(cx, *v, c.intake);
  if (auto v = m.get("mail")) read_mail(cx, *v, c.mail);
  if (auto v = m.get("data")) read_data(cx, *v, c.data);
  if (auto v = m.get("runtime")) read_runtime(cx, *v, c.runtime);
  if (auto v = m.get("cluster")) read_cluster(cx, *v, c.cluster);
  if (auto v = m.get("flows")) {
    map_view f{cx, *v, "flows", {"dir", "topics", "sentiment_model"}};
    read_text(cx, f, "dir", c.flows.dir);
    read_text(cx, f, "topics", c.flows.topics);
    read_text(cx, f, "sentiment_model", c.flows.sentiment_model);
  }
  if (auto v = m.get("log")) {
    map_view l{cx, *v, "log", {"level"}};
    if (auto x = l.get("level")) {
      if (auto s = read_string(cx, *x, "level")) {
        if (*s == "trace" || *s == "debug" || *s == "info" || *s == "warn" || *s == "error")
          c.log.level = *s;
        else
          cx.error(
              *x, "bad-value",
              fmt::format("log level must be trace, debug, info, warn or error, not `{}`", *s));
      }
    }
  }
  if (diags.has_errors()) return std::nullopt;
  return c;
}

}  // namespace vocflow
