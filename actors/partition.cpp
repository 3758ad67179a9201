#include "actors/partition.hpp"

#include "actors/department.hpp"
#include "actors/outbox.hpp"
#include "actors/pending_grants.hpp"
#include "actors/scheduler.hpp"
#include "actors/string_hash.hpp"
#include "actors/ticket_cache.hpp"
#include "actors/timer_service.hpp"
#include "workflows/actions.hpp"
#include "workflows/voice.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_map>
#include <utility>

namespace vocflow::actors {
namespace {

using reply_promise = caf::typed_response_promise<command_result>;
using batch_promise = caf::typed_response_promise<command_results>;

command_result rejected(rejection why) {
  command_result r;
  r.result = command_result::kind::rejected;
  r.why = std::move(why);
  return r;
}

command_result failed(std::string why) {
  command_result r;
  r.result = command_result::kind::failed;
  r.failure = std::move(why);
  return r;
}

struct partition_state {
  static inline const char* name = "vocflow.partition";

  runtime_env env;
  uint16_t index = 0;
  timer_actor timers;
  std::vector<subscriber_actor> subscribers;
  ticket_cache cache;
  std::optional<department_bits> departments;  // of the organization the partition started with

  // The group commit being built: every command queued before the flush message joins it.
  std::optional<storage::write_set> batch;
  struct known_key {
    std::string ticket;
    uint64_t fingerprint = 0;
  };
  std::unordered_map<std::string, known_key> new_keys;  // by idempotency key
  // Compensation granted by the group being built, by customer: pending in env.grants until
  // the group is written (or fails, or the partition goes down with it).
  std::unordered_map<std::string, money, string_hash, std::equal_to<>> granting;
  std::vector<std::pair<reply_promise, command_result>> replies;
  std::vector<std::pair<batch_promise, command_results>> batch_replies;
  std::vector<committed_ticket> published;
  std::optional<time_point> earliest_armed;
  // The flows deployed, as last fetched from the library (again only after a deploy).
  std::shared_ptr<const flow_library::flow_list> flows;
  uint64_t flows_generation = 0;
  // The state of a ticket that does not exist (this partition's own: its reference count is
  // not shared with the other partitions).
  std::shared_ptr<const ticket> none = std::make_shared<const ticket>();
  size_t timer_rows = 0;
  bool timer_pass = false;  // a pass of the timer service is part of this batch
  bool flush_scheduled = false;
  bool written = false;  // the group's write succeeded; its replies are not all sent yet

  void release_grants() {
    for (auto& [customer, amount] : granting) env.grants->release(customer, amount);
    granting.clear();
  }
  // Whether `r` is stored only if this group is: accepted, and not a retried open answered
  // from an earlier group (one answered from an open of this very group shares its fate).
  bool rides_on_group(const command_result& r) const {
    if (r.result != command_result::kind::accepted) return false;
    return !r.replayed || (r.state && std::any_of(new_keys.begin(), new_keys.end(), [&](auto& k) {
                             return k.second.ticket == r.state->id;
                           }));
  }
  // A partition that fails goes with the group it was building: its callers learn it now,
  // not at their timeout (CAF 0.17 sends nothing for a promise that is dropped), and what it
  // granted is pending no more. Should it fail between a group's write and its replies, those
  // get their results as decided: they are stored.
  ~partition_state() {
    auto settle = [this](command_result& r) {
      if (!written && rides_on_group(r))
        r = failed("the partition stopped before the command was written: nothing of it is stored");
    };
    for (auto& [rp, r] : replies) {
      if (!rp.pending()) continue;
      settle(r);
      rp.deliver(std::move(r));
    }
    for (auto& [rp, rs] : batch_replies) {
      if (!rp.pending()) continue;
      for (auto& r : rs) settle(r);
      rp.deliver(std::move(rs));
    }
    if (env.grants) release_grants();  // in the ledger if written, else never granted
  }
};

using self_ptr = partition_actor::stateful_pointer<partition_state>;

// The staged-or-committed state of a ticket, with its cache entry; an empty state and no entry
// when there is none. A storage failure other than not_found is reported through `failure`.
std::pair<cached_ticket, ticket_cache::entry*> lookup(self_ptr self, const std::string& id,
                                                      std::string& failure) {
  auto& s = self->state;
  if (auto* e = s.cache.find(id)) return {e->current(), e};
  ticket loaded;  // shared only when there is one (an open's new id is almost never there)
  cached_ticket c;
  auto st = s.env.db->load(id, loaded, &c.snapshot_seq);
  if (st) {
    c.state = std::make_shared<const ticket>(std::move(loaded));
    return {c, &s.cache.insert(id, c)};
  }
  if (!st.is_not_found())
    failure = fmt::format("storage: cannot read ticket {}: {}", id, st.message());
  return {{s.none, 0}, nullptr};
}

const flow_library::flow_list& deployed(self_ptr self) {
  auto& s = self->state;
  if (auto g = s.env.flows->generation(); !s.flows || g != s.flows_generation) {
    s.flows = s.env.flows->all();
    s.flows_generation = g;
  }
  return *s.flows;
}

storage::write_set& batch_of(self_ptr self) {
  auto& s = self->state;
  if (!s.batch) s.batch.emplace(s.env.db->batch());
  return *s.batch;
}

void flush(self_ptr self);

void schedule_flush(self_ptr self) {
  auto& s = self->state;
  if (s.batch && s.batch->operations() >= s.env.cfg.max_batch) {
    flush(self);
    return;
  }
  if (!s.flush_scheduled) {
    s.flush_scheduled = true;
    self->send(self, flush_atom::value);  // behind every command already in the mailbox
  }
}

void finish(self_ptr self, reply_promise rp, command_result r) {
  self->state.replies.emplace_back(std::move(rp), std::move(r));
}

// Decides one command and adds its outcome to the group commit. Returns the result to reply
// with once the group is written.
command_result handle(self_ptr self, submission& sub) {
  auto& s = self->state;
  const auto& id = sub.ticket_id;
  auto now = s.env.clock();
  std::string failure;
  // An open, or a complaint recorded from history: both make a new ticket.
  bool opening = sub.cmd.action == "open" || sub.cmd.action == "record";

  // A key marks a request that must count once, however often it is sent: an open retried, a
  // delivery of an inbound webhook replayed.
  if (!sub.idempotency_key.empty()) {
    // A key this group is writing, else one written before. A key that cannot be read is an
    // error: taken for a new one, the complaint would be opened a second time.
    partition_state::known_key known;
    if (auto it = s.new_keys.find(sub.idempotency_key); it != s.new_keys.end())
      known = it->second;
    else if (auto st = s.env.db->idempotent(sub.idempotency_key, known.ticket, known.fingerprint);
             !st && !st.is_not_found())
      return failed("storage: cannot read the idempotency key: " + st.message());
    // The same key for another request: a client's mistake, not a retry (the IETF
    // Idempotency-Key draft answers it 422).
    if (!known.ticket.empty() && known.fingerprint && sub.request_fingerprint &&
        known.fingerprint != sub.request_fingerprint)
      return rejected({reject_code::key_reused,
                       fmt::format("the idempotency key `{}` was used for another request (ticket "
                                   "{}); use a new key for a new request",
                                   sub.idempotency_key, known.ticket),
                       {}});
    if (!known.ticket.empty()) {
      command_result r;
      r.state = lookup(self, known.ticket, failure).first.state;
      if (!failure.empty()) return failed(failure);
      r.replayed = true;
      r.flow = flow_library::find_in(deployed(self), r.state->flow, r.state->version);
      r.decided_at = now;
      return r;
    }
  }
  auto [entry, cached] = lookup(self, id, failure);
  if (!failure.empty()) return failed(failure);
  const ticket& current = *entry.state;

  auto& cmd = sub.cmd;  // the message's own copy: completed in place rather than copied
  // What the customer's text says: read here, with the topics and model deployed now, and
  // recorded by the engine (classified), so that a replay never reads it again.
  switch (action_of(cmd.action).id) {
    case action::open:
    case action::record:
      cmd.reading = read_text(s.env.flows->topics().get(), s.env.flows->sentiment(), *cmd.info,
                              cmd.info->text);
      break;
    case action::repeat_contact:
      cmd.reading =
          read_text(s.env.flows->topics().get(), s.env.flows->sentiment(), *cmd.info, cmd.text);
      break;
    case action::customer_reply:
      if (current.exists() && !cmd.text.empty())
        cmd.reading = read_text(s.env.flows->topics().get(), s.env.flows->sentiment(),
                                *current.info, cmd.text);
      break;
    case action::reclassify:
      if (current.exists())
        cmd.reading = read_text(s.env.flows->topics().get(), s.env.flows->sentiment(),
                                *current.info, current.info->text);
      break;
    default:
      break;
  }

  const flow* f = nullptr;  // kept alive by the partition's copy of the deployed flows
  if (opening) {
    if (!sub.flow_id.empty()) {
      f = flow_library::newest_in(deployed(self), sub.flow_id);
      if (!f)
        return rejected({reject_code::invalid_argument,
                         fmt::format("no flow `{}` is deployed", sub.flow_id),
                         {}});
    } else if (auto r = route(deployed(self), *cmd.info, &cmd.reading->topics)) {
      f = r->chosen.get();
    } else {
      return rejected({reject_code::invalid_argument,
                       "no flow takes this ticket and no flow is the default",
                       {}});
    }
  } else {
    if (!current.exists())
      return rejected({reject_code::not_found, fmt::format("no ticket {}", id), {}});
    f = flow_library::find_in(deployed(self), current.flow, current.version);
    if (!f)
      return failed(fmt::format("flow {}@{} of ticket {} is not deployed", current.flow,
                                current.version, id));
  }

  cmd.ticket_id = id;
  // Held until this command's grants are pending: no other partition decides on the customer's
  // cap in between (pending_grants.hpp).
  std::optional<pending_grants::hold> cap;
  if (f->compensation.per_customer && action_of(cmd.action).capped) {
    auto& period = f->compensation.per_customer->period;
    auto since = now - std::chrono::days{period.days} - period.rest;
    cap.emplace(s.env.grants->lock(current.info->customer));
    money granted;
    if (auto st = s.env.db->granted_since(current.info->customer, since, granted); !st)
      return failed("storage: cannot read what the customer was granted: " + st.message());
    cmd.customer_granted = cap->pending() + granted;
  }

  // Notifications only for outbound channels; queues follow the committed tickets, not enqueue
  // effects.
  auto out = decide(*f, current, cmd, now, {.notify = !s.env.channels.empty(), .enqueue = false});
  if (auto* r = std::get_if<rejection>(&out)) return rejected(std::move(*r));
  auto& d = std::get<decision>(out);

  auto& b = batch_of(self);
  b.events(id, d.events);
  auto next = std::make_shared<const ticket>(std::move(d.next));
  // A snapshot when the ticket opens, closes, or has gone `snapshot_every` events without one.
  if (!current.exists() || next->status == ticket_status::closed ||
      next->seq - entry.snapshot_seq >= s.env.cfg.snapshot_every) {
    b.snapshot(*next);
    entry.snapshot_seq = next->seq;
  }
  for (auto& fx : d.effects) {
    if (auto* a = std::get_if<arm_timer>(&fx)) {
      b.arm(s.index, id, a->timer, a->due);
      if (!s.earliest_armed || a->due < *s.earliest_armed) s.earliest_armed = a->due;
    } else if (auto* c = std::get_if<cancel_timer>(&fx)) {
      b.disarm(s.index, id, c->timer, c->due);
    } else if (auto* n = std::get_if<notify>(&fx); n && !s.env.channels.empty()) {
      for (auto& row : outbox_rows(s.env.channels, *next, f, d.events, *n, now)) b.outbox(row);
    }
  }
  // What is said to the customer goes back through the channel the complaint came from.
  if (!s.env.channels.empty())
    for (auto& row : reply_rows(s.env.channels, *next, d.events, now)) b.outbox(row);
  for (auto& e : d.events) {
    if (auto* g = std::get_if<ev::compensation_granted>(&e.body)) {
      b.grant(next->info->customer, e.at, id, e.seq, g->amount);
      s.granting[next->info->customer] += g->amount;
      if (cap)
        cap->add(g->amount);
      else
        s.env.grants->add(next->info->customer, g->amount);
    }
    // SLA warnings, breaches and escalations also go to the alert log (GET /v1/breaches).
    auto* br = std::get_if<ev::sla_breached>(&e.body);
    if (br || std::holds_alternative<ev::sla_warned>(e.body) ||
        std::holds_alternative<ev::escalated>(e.body))
      b.alert({id, next->flow, br ? br->owner : next->owner, e, next->assignee,
               next->info->category, next->info->product, next->topics, next->step});
  }
  if (!current.exists()) b.opened(id, next->opened_at);
  if (!sub.idempotency_key.empty()) {
    b.idempotency(sub.idempotency_key, id, sub.request_fingerprint);
    s.new_keys[sub.idempotency_key] = {id, sub.request_fingerprint};
  }
  auto events = std::make_shared<const std::vector<event>>(std::move(d.events));
  s.published.push_back(
      {next, events, entry.state, f, s.departments->of(*entry.state) | s.departments->of(*next)});
  if (cached)
    s.cache.stage(*cached, {next, entry.snapshot_seq});
  else
    s.cache.stage(id, {next, entry.snapshot_seq});
  command_result r;
  r.state = std::move(next);
  r.events = std::move(events);
  r.flow = f;
  r.decided_at = now;
  return r;
}

void flush(self_ptr self) {
  auto& s = self->state;
  s.flush_scheduled = false;
  storage::status st;
  auto& stats = *s.env.stats;
  if (s.batch && !s.batch->empty()) {
    auto started = std::chrono::steady_clock::now();
    st = s.env.db->write(*s.batch);
    stats.commit_seconds.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    stats.commit_commands.observe(static_cast<double>(s.published.size()));
    (st ? stats.commits : stats.commit_failures)++;
    s.written = static_cast<bool>(st);
  }
  stats.backlog[s.index] = static_cast<int64_t>(self->mailbox().size());
  if (st) {
    s.cache.commit();
    // Published before the replies: whoever sees a reply and then reads a queue, the metrics or
    // a live feed finds the command there (the read models' mailboxes have it first).
    if (!s.published.empty()) {
      auto n = s.published.size();
      auto batch = std::make_shared<const std::vector<committed_ticket>>(std::move(s.published));
      for (auto& sub : s.subscribers) self->send(sub, committed_atom::value, batch);
      s.published.clear();
      s.published.reserve(n);  // the next group is about as large
    }
    if (s.earliest_armed) self->send(s.timers, armed_atom::value, *s.earliest_armed);
  } else {
    spdlog::error("partition {}: a group commit failed: {}", s.index, st.message());
  }
  // What each command's result is now that the group is written or not; counted as such, in
  // the shared counters once per group.
  struct {
    uint64_t accepted = 0, rejected = 0, failed = 0;
  } tally;
  auto settle = [&](command_result& r) {
    if (!st && s.rides_on_group(r)) r = failed("storage: " + st.message());
    ++(r.result == command_result::kind::accepted   ? tally.accepted
       : r.result == command_result::kind::rejected ? tally.rejected
                                                    : tally.failed);
  };
  for (auto& [rp, r] : s.replies) {
    settle(r);
    rp.deliver(std::move(r));
  }
  for (auto& [rp, rs] : s.batch_replies) {
    for (auto& r : rs) settle(r);
    rp.deliver(std::move(rs));
  }
  stats.accepted += tally.accepted;
  stats.rejected += tally.rejected;
  stats.failed += tally.failed;
  if (!st)
    if (auto again = s.env.db->resume(); !again)
      spdlog::warn("partition {}: store not writable yet: {}", s.index, again.message());
  if (s.timer_pass) self->send(s.timers, fired_atom::value, s.timer_rows, static_cast<bool>(st));
  s.cache.discard();              // what the group commit did not write (after commit(): nothing)
  if (s.batch) s.batch->clear();  // kept for the next group, with its memory
  s.new_keys.clear();
  s.release_grants();  // in the ledger now, or never
  s.replies.clear();
  s.batch_replies.clear();
  s.published.clear();
  s.earliest_armed.reset();
  s.timer_rows = 0;
  s.timer_pass = false;
  s.written = false;
}

partition_actor::behavior_type partition_behavior(self_ptr self, runtime_env env, uint16_t index,
                                                  std::vector<subscriber_actor> subscribers) {
  self->state.env = env;
  self->state.index = index;
  self->state.subscribers = std::move(subscribers);
  self->state.cache = ticket_cache{env.cfg.ticket_cache};
  self->state.departments.emplace(env.flows->org());
  self->state.timers =
      self->spawn<caf::linked>(timer_service, env, index, caf::actor_cast<partition_actor>(self));
  return {
      [=](submit_atom, submission& sub) -> caf::result<command_result> {
        auto rp = self->make_response_promise<command_result>();
        finish(self, rp, handle(self, sub));
        schedule_flush(self);
        return rp;
      },
      [=](submit_atom, submissions& subs) -> caf::result<command_results> {
        auto rp = self->make_response_promise<command_results>();
        command_results results;
        results.reserve(subs.size());
        // Memory first, for the whole batch, so that its cache misses overlap.
        self->state.cache.prefetch(
            subs, [](const submission& s) -> auto& { return s.ticket_id; });
        for (auto& sub : subs) results.push_back(handle(self, sub));
        self->state.batch_replies.emplace_back(rp, std::move(results));
        schedule_flush(self);
        return rp;
      },
      [=](fetch_atom, const std::string& id) -> ticket_record {
        ticket_record v;
        auto& s = self->state;
        if (auto* t = s.cache.find(id)) {
          // Durable states only: none yet while the ticket's opening is being written.
          if (t->committed.state) v.state = *t->committed.state;
        } else {
          auto st = s.env.db->load(id, v.state);
          if (!st && st.kind() != storage::status::code::not_found) v.failure = st.message();
        }
        v.found = v.state.exists();
        if (v.found)
          if (auto st = s.env.db->history(id, v.history); !st) v.failure = st.message();
        return v;
      },
      [=](fire_atom, const due_batch& rows) {
        auto& s = self->state;
        s.timer_pass = true;
        s.timer_rows += rows.size();
        auto now = s.env.clock();
        for (auto& row : rows) {
          s.env.stats->timer_lateness_seconds.observe(
              std::max(0.0, std::chrono::duration<double>(now - row.due).count()));
          submission sub;
          sub.ticket_id = row.ticket;
          sub.cmd.action = "timer";
          sub.cmd.by = {std::string{timer_actor_id}, std::string{system_role}};
          sub.cmd.timer = row.timer;
          auto r = handle(self, sub);
          // A row whose timer is gone (cancelled or re-armed meanwhile) must not come back.
          if (r.result == command_result::kind::rejected)
            batch_of(self).disarm(s.index, row.ticket, row.timer, row.due);
        }
        if (rows.empty())
          self->send(s.timers, fired_atom::value, size_t{0}, true);
        else
          schedule_flush(self);
      },
      [=](subscribe_atom, subscriber_actor sub) {
        auto& subs = self->state.subscribers;
        if (std::find(subs.begin(), subs.end(), sub) == subs.end()) subs.push_back(std::move(sub));
      },
      [=](flush_atom) { flush(self); },
      [=](poke_atom) { self->send(self->state.timers, poke_atom::value); },
      [=](drain_atom) -> bool {
        flush(self);
        self->quit(caf::exit_reason::user_shutdown);  // takes the linked timer service along
        return true;
      },
  };
}

}  // namespace

uint32_t partition_of(std::string_view ticket_id, uint32_t partitions) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : ticket_id) h = (h ^ c) * 1099511628211ull;
  return static_cast<uint32_t>(h % std::max<uint32_t>(1, partitions));
}

partition_actor spawn_partition(caf::actor_system& sys, runtime_env env, uint16_t index,
                                std::vector<subscriber_actor> subscribers) {
  auto cfg = env.cfg;  // env itself moves into the actor
  return spawn_on_reply_path(sys, cfg, partition_behavior, std::move(env), index,
                             std::move(subscribers));
}

}  // namespace vocflow::actors
