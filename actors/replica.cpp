#include "actors/replica.hpp"

#include "actors/flow_library.hpp"
#include "storage/codec.hpp"
#include "storage/record.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <map>
#include <random>

namespace vocflow::actors {
namespace {

constexpr uint64_t wire_version = 1;

// Optional fields travel as a flag and the value.
template <class T>
void put_optional(storage::writer& w, const std::optional<T>& v) {
  w.value(v.has_value());
  if (v) w.value(*v);
}
template <class T>
void get_optional(storage::reader& r, std::optional<T>& v) {
  bool has = false;
  r.value(has);
  if (!has) return v.reset();
  T x{};
  r.value(x);
  v = std::move(x);
}

void put_submission(storage::writer& w, const submission& s) {
  auto& c = s.cmd;
  w.value(s.ticket_id), w.value(s.idempotency_key), w.value(s.request_fingerprint);
  w.value(s.flow_id);
  w.value(c.action), w.value(c.by.id), w.value(c.by.role), w.value(c.ticket_id);
  w.value(*c.info);
  w.value(c.text), w.value(c.to), w.value(c.request), w.value(c.task), w.value(c.timer);
  w.value(c.other);
  put_optional(w, c.amount);
  put_optional(w, c.csat);
  put_optional(w, c.sentiment);
  w.value(c.past.has_value());
  if (c.past) w.value(c.past->opened), w.value(c.past->closed), w.value(c.past->outcome);
}

void get_submission(storage::reader& r, submission& s) {
  auto& c = s.cmd;
  r.value(s.ticket_id), r.value(s.idempotency_key), r.value(s.request_fingerprint);
  r.value(s.flow_id);
  r.value(c.action), r.value(c.by.id), r.value(c.by.role), r.value(c.ticket_id);
  ticket_fields f;
  r.value(f);
  c.info = std::move(f);
  r.value(c.text), r.value(c.to), r.value(c.request), r.value(c.task), r.value(c.timer);
  r.value(c.other);
  get_optional(r, c.amount);
  get_optional(r, c.csat);
  get_optional(r, c.sentiment);
  bool has_past = false;
  r.value(has_past);
  if (has_past) {
    past_record p;
    r.value(p.opened), r.value(p.closed), r.value(p.outcome);
    c.past = std::move(p);
  }
}

}  // namespace

// ---- wire ----

std::string encode_group(const std::vector<std::string>& tickets, std::string_view batch) {
  std::string out;
  {
    storage::writer w{out};
    w.varint(wire_version);
    w.value(tickets);
    w.bytes(batch);
  }
  return out;
}

bool decode_group(std::string_view data, log_group& out) {
  out = {};
  if (data.empty()) return true;  // the stream's first message
  storage::reader r{data};
  if (r.varint() != wire_version) return false;
  r.value(out.tickets);
  out.batch = r.bytes();
  return r.ok();
}

std::string encode_submissions(const submissions& subs) {
  std::string out;
  {
    storage::writer w{out};
    w.varint(wire_version);
    w.varint(subs.size());
    for (auto& s : subs) put_submission(w, s);
  }
  return out;
}

bool decode_submissions(std::string_view data, submissions& out) {
  storage::reader r{data};
  if (r.varint() != wire_version) return false;
  auto n = r.varint();
  if (!r.ok() || n > data.size()) return false;
  out.resize(n);
  for (auto& s : out) get_submission(r, s);
  return r.ok();
}

std::string encode_answer(const forwarded_answer& a) {
  std::string out, scratch;
  {
    storage::writer w{out};
    w.varint(wire_version);
    w.value(a.refused);
    w.varint(a.seq);
    w.varint(a.results.size());
    for (auto& x : a.results) {
      w.value(x.result), w.value(x.why.code), w.value(x.why.message), w.value(x.why.allowed);
      w.value(x.failure), w.value(x.replayed), w.value(x.decided_at);
      scratch.clear();
      if (x.state) storage::encode_ticket(scratch, *x.state);
      w.bytes(scratch);
      scratch.clear();
      if (x.events) storage::encode_events(scratch, x.events->data(), x.events->size());
      w.bytes(scratch);
    }
  }
  return out;
}

bool decode_answer(std::string_view data, const flow_library& flows, forwarded_answer& out) {
  storage::reader r{data};
  if (r.varint() != wire_version) return false;
  r.value(out.refused);
  out.seq = r.varint();
  auto n = r.varint();
  if (!r.ok() || n > data.size()) return false;
  out.results.resize(n);
  for (auto& x : out.results) {
    r.value(x.result), r.value(x.why.code), r.value(x.why.message), r.value(x.why.allowed);
    r.value(x.failure), r.value(x.replayed), r.value(x.decided_at);
    if (auto state = r.bytes(); !state.empty()) {
      auto t = storage::decode_ticket(state);
      if (!t) return false;
      x.state = std::make_shared<const ticket>(std::move(*t));
      x.flow = flows.find(x.state->flow, x.state->version).get();
    }
    if (auto events = r.bytes(); !events.empty()) {
      std::vector<event> es;
      if (!storage::decode_events(events, es)) return false;
      x.events = std::make_shared<const std::vector<event>>(std::move(es));
    }
  }
  return r.ok();
}

// ---- the link ----

std::shared_ptr<cluster_link> cluster_link::connect(const cluster_config& cfg, uint32_t partitions,
                                                    std::string& error) {
  std::shared_ptr<cluster_link> l{new cluster_link};
  l->cfg_ = cfg;
  if (l->cfg_.node.empty()) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    l->cfg_.node = host;
  }
  l->partitions_ = partitions;
  l->nonce_ = std::random_device{}();
  l->held_ = std::make_unique<std::atomic<bool>[]>(partitions);
  l->resign_ = std::make_unique<std::atomic<bool>[]>(partitions);
  l->revision_.assign(partitions, 0);
  l->renewed_.assign(partitions, {});
  l->unheld_rounds_.assign(partitions, 0);
  l->owners_.assign(partitions, "");
  l->js_ =
      storage::jetstream::connect({.servers = cfg.nats,
                                   .name = l->cfg_.node,
                                   .timeout = std::max(std::chrono::milliseconds{1000}, cfg.lease),
                                   .replicas = cfg.replicas},
                                  error);
  if (!l->js_) return nullptr;
  // A cluster that is starting too has no JetStream leader yet for a while: asked again.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  auto again = [&](auto&& step) {
    for (;;) {
      auto st = step();
      if (st || st.kind() != storage::status::code::unavailable ||
          std::chrono::steady_clock::now() >= give_up)
        return st;
      spdlog::info("cluster: {}; asking again", st.message());
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  };
  for (uint32_t p = 0; p < partitions; ++p) {
    if (auto st = again([&] { return l->js_->ensure_stream(l->stream(p), l->log_subject(p)); });
        !st) {
      error = st.message();
      return nullptr;
    }
  }
  if (auto st = again([&] { return l->js_->open_bucket(cfg.prefix + "-leases", cfg.lease); });
      !st) {
    error = st.message();
    return nullptr;
  }
  l->inbox_ = l->js_->inbox();
  return l;
}

cluster_link::~cluster_link() {
  stop();
}

std::string cluster_link::stream(uint32_t p) const {
  std::string name = cfg_.prefix;
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
    return std::isalnum(c) ? static_cast<char>(std::toupper(c)) : '_';
  });
  return fmt::format("{}_P{}", name, p);
}
std::string cluster_link::log_subject(uint32_t p) const {
  return fmt::format("{}.log.{}", cfg_.prefix, p);
}
std::string cluster_link::command_subject(uint32_t p) const {
  return fmt::format("{}.cmd.{}", cfg_.prefix, p);
}
std::string cluster_link::reply_subject(uint32_t p, uint64_t token) const {
  return fmt::format("{}.{}-{}", inbox_, p, token);
}
std::string cluster_link::append_id(uint32_t p) {
  return fmt::format("{}.{:x}.{}.{}", cfg_.node, nonce_, p, appends_++);
}
std::string cluster_link::position_key(uint32_t p) {
  return fmt::format("log/{}", p);
}

void cluster_link::start(std::function<partition_actor(uint32_t)> partition) {
  partition_ = std::move(partition);
  storage::status st;
  replies_ = js_->replies(
      inbox_,
      [this](std::string_view token, std::string_view data, bool no_responders) {
        auto dash = token.find('-');
        if (dash == std::string_view::npos) return;
        auto p = static_cast<uint32_t>(std::stoul(std::string{token.substr(0, dash)}));
        auto n = std::stoull(std::string{token.substr(dash + 1)});
        if (p >= partitions_) return;
        caf::anon_send(partition_(p), answer_atom::value, static_cast<uint64_t>(n),
                       std::make_shared<const std::string>(data), no_responders);
      },
      st);
  if (!replies_) spdlog::error("cluster: cannot receive answers: {}", st.message());
  keeper_ = std::thread([this] { keep(); });
}

void cluster_link::stop() {
  if (stopping_.exchange(true)) return;
  if (keeper_.joinable()) keeper_.join();
  // Released, so that another node takes over at once rather than after the lease lapses.
  for (uint32_t p = 0; p < partitions_; ++p)
    if (held_[p].exchange(false))
      if (auto st = js_->remove(fmt::format("p{}", p)); !st)
        spdlog::warn("cluster: {}", st.message());
  replies_.reset();
}

size_t cluster_link::owned() const {
  size_t n = 0;
  for (uint32_t p = 0; p < partitions_; ++p) n += held_[p].load();
  return n;
}

std::vector<std::string> cluster_link::owners() const {
  std::lock_guard lock{owners_lock_};
  return owners_;
}

void cluster_link::resign(uint32_t p) {
  if (p < partitions_) resign_[p] = true;
}

void cluster_link::renew_or_take(uint32_t p, size_t fewest, bool& changed) {
  auto key = fmt::format("p{}", p);
  auto now = std::chrono::steady_clock::now();
  auto tell_lost = [&] {
    held_[p] = false;
    changed = true;
    caf::anon_send(partition_(p), lose_atom::value);
  };
  if (held_[p]) {
    if (resign_[p].exchange(false)) {
      tell_lost();
      return;
    }
    uint64_t rev = 0;
    auto st = js_->update(key, cfg_.node, revision_[p], rev);
    if (st) {
      revision_[p] = rev;
      renewed_[p] = now;
      caf::anon_send(partition_(p), own_atom::value);  // again: a restarted partition learns it
    } else if (st.kind() == storage::status::code::conflict || now - renewed_[p] >= cfg_.lease) {
      spdlog::warn("cluster: node {} lost partition {}: {}", cfg_.node, p, st.message());
      tell_lost();
    }
    return;
  }
  resign_[p] = false;
  std::string holder;
  uint64_t rev = 0;
  auto st = js_->get(key, holder, rev);
  if (st) {
    unheld_rounds_[p] = 0;
    std::lock_guard lock{owners_lock_};
    owners_[p] = holder;
    return;
  }
  if (!st.is_not_found()) return;
  {
    std::lock_guard lock{owners_lock_};
    owners_[p].clear();
  }
  // The least loaded nodes take it first; one nobody took for a few rounds goes to anyone.
  if (owned() > fewest && ++unheld_rounds_[p] < 3) return;
  if (auto taken = js_->create(key, cfg_.node, rev); !taken) return;
  unheld_rounds_[p] = 0;
  revision_[p] = rev;
  renewed_[p] = now;
  held_[p] = true;
  changed = true;
  {
    std::lock_guard lock{owners_lock_};
    owners_[p] = cfg_.node;
  }
  spdlog::info("cluster: node {} writes partition {}", cfg_.node, p);
  caf::anon_send(partition_(p), own_atom::value);
}

void cluster_link::keep() {
  auto period = std::max(std::chrono::milliseconds{50}, cfg_.lease / 6);
  auto heartbeat = "node." + cfg_.node;
  uint64_t beat_rev = 0;
  std::vector<std::string> beating;  // "node.<name>" of every node alive
  int round = 0;
  while (!stopping_) {
    auto started = std::chrono::steady_clock::now();
    // This node's heartbeat, and every few rounds how many nodes beat: each takes its share.
    uint64_t rev = 0;
    bool beat = (beat_rev && js_->update(heartbeat, cfg_.node, beat_rev, rev)) ||
                js_->create(heartbeat, cfg_.node, rev);
    beat_rev = beat ? rev : 0;
    if (round++ % 4 == 0 && !js_->keys("node.", beating)) beating.clear();
    // How many partitions the least loaded node alive writes (this one counts).
    std::map<std::string, size_t> load{{cfg_.node, 0}};
    for (auto& b : beating) load[b.substr(5)];
    for (auto& w : owners())
      if (auto it = load.find(w); it != load.end()) ++it->second;
    size_t fewest = SIZE_MAX;
    for (auto& [_, n] : load) fewest = std::min(fewest, n);
    bool changed = false;
    for (uint32_t p = 0; p < partitions_ && !stopping_; ++p) renew_or_take(p, fewest, changed);
    // A node that joined gets partitions: one handed back per round while this node writes
    // two more than the least loaded, the highest first (partition 0, the leader's, stays),
    // once every node has had a few rounds to start.
    if (!changed && round > 8 && owned() >= fewest + 2)
      for (uint32_t p = partitions_; p-- > 1;)
        if (held_[p]) {
          spdlog::info("cluster: node {} hands partition {} over", cfg_.node, p);
          held_[p] = false;
          caf::anon_send(partition_(p), lose_atom::value);
          if (auto st = js_->remove(fmt::format("p{}", p)); !st)
            spdlog::warn("cluster: {}", st.message());
          break;
        }
    auto spent = std::chrono::steady_clock::now() - started;
    if (spent < period) std::this_thread::sleep_for(period - spent);
  }
}

}  // namespace vocflow::actors
