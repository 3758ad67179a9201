// Server configuration: the schema, its defaults and loading. Unknown keys are errors, reported
// at file:line:column before anything starts. config/vocflow.yaml documents every key with its
// default; a test keeps that file and these defaults equal.
#pragma once

#include "workflows/catalog.hpp"
#include "workflows/diagnostics.hpp"
#include "workflows/time.hpp"

#include <optional>
#include <string>
#include <vector>

namespace vocflow {

struct data_config {
  std::string dir = "./vocflow-data";  // the RocksDB folder. Default: ./vocflow-data
  bool fsync = true;                   // durability: fsync (true) or os (false). Default: fsync
  size_t cache_mb = 256;               // RocksDB block cache. Default: 256
};

struct runtime_config {
  uint32_t partitions = 0;        // ticket partitions; 0 = one per core. Default: 0
  size_t ticket_cache = 100'000;  // tickets kept in memory per partition. Default: 100000
  size_t timer_batch = 256;       // due timers with a partition, unwritten, at most. Default: 256
  size_t max_batch = 4096;        // commands in one group commit at most. Default: 4096
  size_t snapshot_every = 32;     // events between two snapshots of a ticket. Default: 32
  bool dedicated_threads = true;  // partitions on threads of their own. Default: true
  // Added to the nice value of the actor scheduler's workers when partitions have threads of
  // their own, so that the commit path runs first when cores are short; 0 to 19. Default: 10
  uint32_t scheduler_nice = 10;
  millis request_timeout{5000};  // every request between actors. Default: 5s
};

// A replicated cluster (empty `nats`: one node on its own, the default). Each partition's
// committed groups go to a JetStream stream; a node writes a partition while it holds its lease.
struct cluster_config {
  std::string node;               // this node's name, unique in the cluster. Default: the host name
  std::vector<std::string> nats;  // nats://host:port of the JetStream servers. Default: none
  int32_t replicas = 3;           // copies of each stream and of the leases. Default: 3
  millis lease{3000};             // a lease not renewed for this long lapses. Default: 3s
  std::string prefix = "vocflow";  // of the streams, subjects and bucket. Default: vocflow

  bool enabled() const { return !nats.empty(); }
};

struct server_config {
  std::string host = "127.0.0.1";  // listen address. Default: 127.0.0.1 (loopback only)
  uint16_t port = 8080;            // Default: 8080
  uint32_t threads = 2;            // I/O threads. Default: 2
  size_t max_body = 1 << 20;       // bytes of a request body. Default: 1 MB
  size_t max_header = 16 << 10;    // bytes of a request's headers. Default: 16 KB
  millis request_timeout{10'000};  // to receive a whole request. Default: 10s
  millis idle_timeout{60'000};     // a kept-alive connection without a request. Default: 60s
  size_t max_connections = 1024;   // more are answered 503 and closed. Default: 1024
  // Queries that read many rows (ticket lists, breaches, KPIs, graphs) run on threads of their
  // own, at the scheduler's lower priority. Default: 2
  uint32_t query_threads = 2;
  size_t max_queries = 16;  // running or waiting at once; more are answered 503. Default: 16
};

// Who may call the API: each bearer token has a name (shown in histories and logs) and an
// access role; `acts_as` is the role the workflow engine sees (compensation limits, approvals).
struct api_token {
  std::string token;
  std::string name;
  std::string role;     // agent, supervisor, owner, ops or admin
  std::string acts_as;  // default: the access role
  // The departments whose queues are this person's (the console opens on them). Default:
  // none named (every department).
  std::vector<std::string> departments;
};

struct auth_config {
  std::vector<api_token> tokens;
};

struct metrics_config {
  // When set, GET /metrics needs `Authorization: Bearer <scrape_token>`. Default: "" (open,
  // like every Prometheus exporter; the server binds to loopback).
  std::string scrape_token;
};

// What an outbound channel receives of the notifications the flows raise (escalations,
// breaches, approval requests, ...): the same for every kind of channel.
struct channel_subscription {
  std::string name;  // the channel's, unique; its outbox, metrics and logs go by it
  // Notification types; default: escalated, sla_breached, compensation_requested.
  std::vector<std::string> events = {"escalated", "sla_breached", "compensation_requested"};
  std::vector<std::string> to;  // roles or departments; empty: every recipient
  // A channel back to an intake source: it carries what is said to the customers of that
  // source's complaints (the events in `customer_messages`), not notifications.
  std::string source;
};

// The events that tell the customer something: what reply channels carry.
inline const std::vector<std::string> customer_messages = {"responded", "asked_customer",
                                                           "resolved", "problem_resolved"};

// An outbound webhook: the notifications it subscribes to, POSTed as JSON and signed with
// the secret.
struct webhook_config {
  std::string name;    // unique among the channels; in metrics and logs
  std::string url;     // http://host[:port]/path
  std::string secret;  // X-Vocflow-Signature: sha256=<hex HMAC-SHA256(secret, body)>
  // Notification types; default: escalated, sla_breached, compensation_requested.
  std::vector<std::string> events = {"escalated", "sla_breached", "compensation_requested"};
  std::vector<std::string> to;  // roles or departments; empty: every recipient

  channel_subscription subscription() const { return {name, events, to}; }
};

// The notification types a flow raises (and a webhook may ask for).
inline const std::vector<std::string> notification_types = {
    "sla_warned",  "sla_breached",     "escalated",    "handed_off", "compensation_requested",
    "task_opened", "problem_resolved", "spike_flagged"};

struct notify_config {
  std::vector<webhook_config> webhooks;  // Default: none
  millis timeout{5000};                  // one delivery attempt. Default: 5s
  millis retry_initial{10'000};          // the first retry; doubles each time. Default: 10s
  millis retry_max{600'000};             // at most this between attempts. Default: 10m
  millis give_up_after{3 * 86'400'000};  // then it becomes a dead letter. Default: 3d
};

// A system whose webhooks bring complaints in (POST /v1/intake/{name}): how its deliveries map
// to tickets and actions (an intake mapping, format json), and the secret they are signed with.
// Where replies to a source's complaints are posted (its REST API, as the mapping's `reply`
// says): the base URL and the credentials.
struct reply_target {
  std::string url;             // https://acme.zendesk.com
  std::string user, password;  // HTTP Basic (Zendesk: "agent@acme.example/token" and a token)
  std::string authorization;   // or the whole Authorization header ("Token token=...")
};

struct intake_source {
  std::string name;     // the path's {name}; unique
  std::string mapping;  // the intake mapping's file
  std::string secret;   // checked as the mapping's `signature` says
  reply_target reply;   // url "" when no replies go back to it
};

// The SMTP server that carries replies by e-mail (sources whose mapping says `email: true`).
struct mail_config {
  std::string url;   // smtp://host:587, or smtps://host:465; "" when vocflow sends no mail
  std::string from;  // "Acme Care <care@acme.example>"
  std::string user, password;
  std::string starttls = "required";  // required, optional (when the server offers it), never
};

struct intake_config {
  std::vector<intake_source> sources;  // Default: none
};

struct flows_config {
  std::string dir = "examples/flows";  // flows and organization.yaml. Default: examples/flows
  // What complaints are about (kind: topics), deployed at start like a flow; "" for a topics
  // document in `dir`, if any. Default: ""
  std::string topics;
  // The sentiment model file (vocflow sentiment train); "" for the built-in lexicon. Default: ""
  std::string sentiment_model;
};

// The weekly digest of praise and pain (GET /v1/digest), POSTed to a webhook every Monday
// morning in the organization's time.
struct digest_config {
  std::string url;     // http://host[:port]/path; "" sends none. Default: ""
  std::string secret;  // signs it as the webhooks are (X-Vocflow-Signature). Default: ""
  std::string
      calendar;  // a calendar of the organization: its zone's Monday; "" for UTC. Default: ""
  millis at{9 * 3'600'000};     // the local time on Monday. Default: 09:00
  std::string format = "json";  // json, markdown or html. Default: json
};

struct log_config {
  std::string level = "info";  // trace, debug, info, warn, error. Default: info
};

struct config {
  server_config server;
  auth_config auth;
  metrics_config metrics;
  notify_config notify;
  intake_config intake;
  mail_config mail;
  data_config data;
  runtime_config runtime;
  cluster_config cluster;
  flows_config flows;
  digest_config digest;
  log_config log;
};

// Reads a configuration; every key is optional and falls back to its default.
[[nodiscard]] std::optional<config> load_config(const source_file& file, diagnostics& diags);

}  // namespace vocflow
