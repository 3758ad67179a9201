#include "actors/partition.hpp"

#include "actors/department.hpp"
#include "actors/outbox.hpp"
#include "actors/pending_grants.hpp"
#include "actors/replica.hpp"
#include "actors/scheduler.hpp"
#include "actors/string_hash.hpp"
#include "actors/ticket_cache.hpp"
#include "actors/timer_service.hpp"
#include "workflows/actions.hpp"
#include "workflows/voice.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>
#include <unordered_map>
#include <unordered_set>
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

  // ---- in a replicated cluster (env.cluster; replica.hpp) ----
  enum class mode : uint8_t {
    single,       // a node on its own: this partition writes, nothing else does
    follower,     // another node writes; this one reads the stream and forwards commands
    taking_over,  // the lease is this node's: reading the stream up to its end first
    writer,       // appends each group to the stream before writing it here
  };
  mode role = mode::single;
  uint64_t applied = 0;       // the stream's sequence this replica has read (and written) up to
  uint64_t take_over_at = 0;  // taking over once `applied` reaches it
  std::unique_ptr<storage::jetstream_subscription> following, serving;
  std::vector<std::string> touched;  // tickets of the group being built, for the followers
  // Commands other nodes forwarded, answered after their group (reply subject, results).
  std::vector<std::pair<std::string, command_results>> forwarded;
  // Commands this node forwarded to the writer, until answered (and read that far).
  struct pending_forward {
    std::optional<reply_promise> one;
    std::optional<batch_promise> many;
    std::shared_ptr<const std::string> request;
    std::optional<forwarded_answer> answer;
  };
  std::unordered_map<uint64_t, pending_forward> pending;
  uint64_t next_token = 0;
  bool resync = false;  // the stream has a group this store failed to write: restart

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
storage::status append_and_write(self_ptr self);

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
  if (s.env.cluster) s.touched.push_back(id);
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
    st = s.env.cluster ? append_and_write(self) : s.env.db->write(*s.batch);
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
  for (auto& [reply, rs] : s.forwarded) {
    forwarded_answer a;
    if (st.kind() == storage::status::code::conflict) {
      a.refused = st.message();  // the caller asks the new writer
    } else {
      for (auto& r : rs) settle(r);
      a.seq = s.applied;
      a.results = std::move(rs);
    }
    if (auto sent = s.env.cluster->js().publish(reply, encode_answer(a)); !sent)
      spdlog::warn("partition {}: cannot answer a forwarded command: {}", s.index, sent.message());
  }
  s.forwarded.clear();
  s.touched.clear();
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
  if (s.resync) self->quit(caf::exit_reason::unknown);  // restarted: reads the stream again
}

// ---- a replicated cluster ----

void become_follower(self_ptr self) {
  auto& s = self->state;
  if (s.role == partition_state::mode::follower) return;
  bool wrote = s.role == partition_state::mode::writer;
  s.role = partition_state::mode::follower;
  s.serving.reset();
  if (s.timers) {
    self->unlink_from(s.timers);
    caf::anon_send_exit(s.timers, caf::exit_reason::user_shutdown);
    s.timers = timer_actor{};
  }
  s.cache = ticket_cache{s.env.cfg.ticket_cache};  // read from the store while following
  if (wrote) spdlog::info("partition {}: following (another node writes it)", s.index);
}

void follow_from(self_ptr self, uint64_t seq) {
  auto& s = self->state;
  auto& link = *s.env.cluster;
  storage::status st;
  s.following.reset();
  s.following = link.js().follow(
      link.stream(s.index), link.log_subject(s.index), seq,
      [me = caf::actor_cast<partition_actor>(self)](uint64_t at, int64_t ms,
                                                    std::string_view data) {
        caf::anon_send(me, apply_atom::value, at, ms, std::make_shared<const std::string>(data));
      },
      st);
  if (!s.following) {
    spdlog::error("partition {}: cannot follow its stream: {}", s.index, st.message());
    self->delayed_send(self, std::chrono::seconds(1), retry_atom::value, uint64_t{0});
  }
}

// The lease is this node's: once it has read the stream to its end, a marker appended after
// what it read makes it the writer (and fences whoever wrote before).
void take_over(self_ptr self) {
  auto& s = self->state;
  auto& link = *s.env.cluster;
  uint64_t last = 0;
  if (auto st = link.js().last_seq(link.stream(s.index), last); !st) {
    spdlog::warn("partition {}: {}", s.index, st.message());
    return;  // the keeper says `own` again
  }
  if (s.applied < last) {
    s.role = partition_state::mode::taking_over;
    s.take_over_at = last;
    return;
  }
  uint64_t seq = 0;
  auto st = link.js().append(link.log_subject(s.index), encode_group({}, {}), s.applied,
                             link.append_id(s.index), seq);
  if (!st) {
    spdlog::warn("partition {}: taking over: {}", s.index, st.message());
    return;
  }
  auto marker = s.env.db->batch();
  marker.meta(cluster_link::position_key(s.index), std::to_string(seq));
  if (auto w = s.env.db->write(marker, false); !w) {
    spdlog::error("partition {}: {}", s.index, w.message());
    return;  // the marker comes back through the stream and is written then
  }
  s.applied = seq;
  s.role = partition_state::mode::writer;
  s.cache = ticket_cache{s.env.cfg.ticket_cache};
  s.serving = link.js().serve(
      link.command_subject(s.index), {},
      [me = caf::actor_cast<partition_actor>(self)](std::string_view data, std::string_view reply) {
        caf::anon_send(me, forward_atom::value, std::make_shared<const std::string>(data),
                       std::string{reply});
      },
      st);
  if (!s.serving) spdlog::error("partition {}: cannot take commands: {}", s.index, st.message());
  s.timers = self->spawn<caf::linked>(timer_service, s.env, s.index,
                                      caf::actor_cast<partition_actor>(self));
  spdlog::info("partition {}: written by node {} from sequence {}", s.index, link.node(), seq);
}

// Appends the group to the partition's stream, then writes it here. A group this node may no
// longer append (another node took the partition) is written nowhere.
storage::status append_and_write(self_ptr self) {
  auto& s = self->state;
  auto& link = *s.env.cluster;
  if (s.role != partition_state::mode::writer)
    return {storage::status::code::conflict,
            fmt::format("node {} does not write partition {} now: nothing was stored; send it "
                        "again",
                        link.node(), s.index)};
  // Each ticket once (commands of one group may take turns on tickets): a follower shows the
  // read models each ticket's change once.
  std::vector<std::string> tickets;
  std::unordered_set<std::string_view> seen;
  for (auto& t : s.touched)
    if (seen.insert(t).second) tickets.push_back(t);
  auto data = encode_group(tickets, s.batch->encoded());
  auto id = link.append_id(s.index);
  auto give_up = std::chrono::steady_clock::now() + s.env.cfg.request_timeout / 2;
  storage::status st;
  uint64_t seq = 0;
  // Sent again, with the same id, until a quorum answers: stored once whatever happened.
  while (!(st = link.js().append(link.log_subject(s.index), data, s.applied, id, seq)) &&
         st.kind() == storage::status::code::unavailable &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // no server answered at all
  }
  if (!st) {
    if (st.kind() == storage::status::code::conflict) {
      become_follower(self);
      link.resign(s.index);
      return {storage::status::code::conflict,
              fmt::format("partition {} is written by another node now: nothing was stored; "
                          "send it again",
                          s.index)};
    }
    // Perhaps stored: if it was, it comes back through the stream, from another writer's
    // point of view, and is written then.
    become_follower(self);
    link.resign(s.index);
    return {storage::status::code::unavailable,
            fmt::format("the replicated log did not answer: {} (the outcome is unknown)",
                        st.message())};
  }
  s.applied = seq;
  // Not synced: the stream holds it on a quorum, and the position rides in the same batch, so
  // a store that loses its last writes (a power cut) reads them from the stream again.
  s.batch->meta(cluster_link::position_key(s.index), std::to_string(seq));
  if (auto local = s.env.db->write(*s.batch, false); !local) {
    // Stored in the cluster, not here: answered as stored, and this partition restarts to
    // read the stream again.
    spdlog::error("partition {}: group {} is in the stream but not in this store: {}", s.index, seq,
                  local.message());
    s.resync = true;
  }
  return {};
}

// A forwarded command's answer, to its caller.
void deliver_answer(partition_state::pending_forward& p) {
  if (p.one) p.one->deliver(std::move(p.answer->results.front()));
  if (p.many) p.many->deliver(std::move(p.answer->results));
}

// A group of the stream, read by a follower: written here and shown to the read models.
void apply(self_ptr self, uint64_t seq, const std::string& data) {
  auto& s = self->state;
  if (seq <= s.applied) return;  // this node's own group, or one seen already
  if (seq != s.applied + 1) {
    spdlog::warn("partition {}: stream jumped from {} to {}; reading again", s.index, s.applied,
                 seq);
    follow_from(self, s.applied + 1);
    return;
  }
  if (s.role == partition_state::mode::writer) {
    // Another node wrote: this one is not the writer any more. Whatever it was building was
    // decided on what it knew and is not stored.
    spdlog::warn("partition {}: another node appended group {}", s.index, seq);
    become_follower(self);
    s.env.cluster->resign(s.index);
    flush(self);
  }
  log_group g;
  if (!decode_group(data, g)) {
    spdlog::error("partition {}: group {} cannot be read; stopping", s.index, seq);
    self->quit(caf::exit_reason::unknown);
    return;
  }
  std::vector<std::shared_ptr<const ticket>> before;
  for (auto& id : g.tickets) {
    ticket t;
    auto st = s.env.db->load(id, t);
    before.push_back(st || st.is_not_found() ? std::make_shared<const ticket>(std::move(t))
                                             : s.none);
  }
  auto w = g.batch.empty() ? s.env.db->batch() : s.env.db->batch_from(g.batch);
  w.meta(cluster_link::position_key(s.index), std::to_string(seq));
  if (auto st = s.env.db->write(w, false); !st) {  // not synced, as the writer's

    spdlog::error("partition {}: cannot write group {}: {}", s.index, seq, st.message());
    (void)s.env.db->resume();
    self->delayed_send(self, std::chrono::seconds(1), retry_atom::value, uint64_t{0});
    return;
  }
  s.applied = seq;
  if (!g.tickets.empty() && !s.subscribers.empty()) {
    std::vector<committed_ticket> commits;
    for (size_t i = 0; i < g.tickets.size(); ++i) {
      ticket now;
      std::vector<event> history;
      if (!s.env.db->load(g.tickets[i], now) || !s.env.db->history(g.tickets[i], history)) continue;
      auto from = before[i]->seq;
      std::erase_if(history, [from](const event& e) { return e.seq <= from; });
      auto state = std::make_shared<const ticket>(std::move(now));
      const flow* f = s.env.flows->find(state->flow, state->version).get();
      auto bits = s.departments->of(*before[i]) | s.departments->of(*state);
      commits.push_back({state, std::make_shared<const std::vector<event>>(std::move(history)),
                         before[i], f, bits});
    }
    auto batch = std::make_shared<const std::vector<committed_ticket>>(std::move(commits));
    for (auto& sub : s.subscribers) self->send(sub, committed_atom::value, batch);
  }
  // Answers to forwarded commands that waited for this replica to read their group.
  for (auto it = s.pending.begin(); it != s.pending.end();) {
    if (auto& p = it->second; p.answer && p.answer->seq <= s.applied) {
      deliver_answer(p);
      it = s.pending.erase(it);
    } else {
      ++it;
    }
  }
  if (s.role == partition_state::mode::taking_over && s.applied >= s.take_over_at) take_over(self);
}

void send_forward(self_ptr self, uint64_t token) {
  auto& s = self->state;
  auto it = s.pending.find(token);
  if (it == s.pending.end()) return;
  auto& link = *s.env.cluster;
  if (auto st = link.js().publish(link.command_subject(s.index), *it->second.request,
                                  link.reply_subject(s.index, token));
      !st)
    self->delayed_send(self, std::chrono::milliseconds(100), retry_atom::value, token);
}

// Commands for a partition another node writes go to that node.
void forward(self_ptr self, const submissions& subs, partition_state::pending_forward p) {
  auto& s = self->state;
  auto token = ++s.next_token;
  p.request = std::make_shared<const std::string>(encode_submissions(subs));
  s.pending.emplace(token, std::move(p));
  self->delayed_send(self, s.env.cfg.request_timeout, expire_atom::value, token);
  send_forward(self, token);
}

void settle_forward(self_ptr self, uint64_t token, const std::string& failure) {
  auto& s = self->state;
  auto it = s.pending.find(token);
  if (it == s.pending.end()) return;
  auto& p = it->second;
  if (p.answer) {  // answered, not read that far here yet: the answer stands
    deliver_answer(p);
  } else {
    if (p.one) p.one->deliver(failed(failure));
    if (p.many) {
      auto n = submissions{};
      command_results rs;
      decode_submissions(*p.request, n) ? rs.assign(n.size(), failed(failure))
                                        : rs.assign(1, failed(failure));
      p.many->deliver(std::move(rs));
    }
  }
  s.pending.erase(it);
}

bool forwards(self_ptr self) {
  auto r = self->state.role;
  return r == partition_state::mode::follower || r == partition_state::mode::taking_over;
}

partition_actor::behavior_type partition_behavior(self_ptr self, runtime_env env, uint16_t index,
                                                  std::vector<subscriber_actor> subscribers) {
  self->state.env = env;
  self->state.index = index;
  self->state.subscribers = std::move(subscribers);
  self->state.cache = ticket_cache{env.cfg.ticket_cache};
  self->state.departments.emplace(env.flows->org());
  if (env.cluster) {
    // A follower until the lease keeper says otherwise, from where this store left off.
    self->state.role = partition_state::mode::follower;
    std::string at;
    if (env.db->meta(cluster_link::position_key(index), at)) self->state.applied = std::stoull(at);
    follow_from(self, self->state.applied + 1);
  } else {
    self->state.timers =
        self->spawn<caf::linked>(timer_service, env, index, caf::actor_cast<partition_actor>(self));
  }
  return {
      [=](submit_atom, submission& sub) -> caf::result<command_result> {
        auto rp = self->make_response_promise<command_result>();
        if (forwards(self)) {
          forward(self, {sub}, {.one = rp, .many = {}, .request = {}, .answer = {}});
          return rp;
        }
        finish(self, rp, handle(self, sub));
        schedule_flush(self);
        return rp;
      },
      [=](submit_atom, submissions& subs) -> caf::result<command_results> {
        auto rp = self->make_response_promise<command_results>();
        if (forwards(self)) {
          forward(self, subs, {.one = {}, .many = rp, .request = {}, .answer = {}});
          return rp;
        }
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
        if (forwards(self)) return;  // a timer service of before: another node fires now
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
      [=](own_atom) {
        if (self->state.role == partition_state::mode::follower) take_over(self);
      },
      [=](lose_atom) {
        flush(self);  // what was decided as the writer, while it may still append
        become_follower(self);
      },
      [=](apply_atom, uint64_t seq, int64_t, const shared_bytes& data) { apply(self, seq, *data); },
      [=](forward_atom, const shared_bytes& data, const std::string& reply) {
        auto& s = self->state;
        submissions subs;
        forwarded_answer refusal;
        if (s.role != partition_state::mode::writer)
          refusal.refused =
              fmt::format("node {} does not write partition {}", s.env.cluster->node(), s.index);
        else if (!decode_submissions(*data, subs))
          refusal.refused = "the forwarded commands cannot be read";
        if (!refusal.refused.empty()) {
          (void)s.env.cluster->js().publish(reply, encode_answer(refusal));
          return;
        }
        command_results results;
        results.reserve(subs.size());
        for (auto& sub : subs) results.push_back(handle(self, sub));
        s.forwarded.emplace_back(reply, std::move(results));
        schedule_flush(self);
      },
      [=](answer_atom, uint64_t token, const shared_bytes& data, bool no_responders) {
        auto& s = self->state;
        auto it = s.pending.find(token);
        if (it == s.pending.end()) return;
        forwarded_answer a;
        if (no_responders || !decode_answer(*data, *s.env.flows, a) || !a.refused.empty()) {
          // Nobody writes the partition this moment (a takeover): asked again shortly.
          self->delayed_send(self, std::chrono::milliseconds(50), retry_atom::value, token);
          return;
        }
        if (a.results.empty()) a.results.push_back(failed("the writer answered nothing"));
        it->second.answer = std::move(a);
        if (it->second.answer->seq <= s.applied) settle_forward(self, token, {});
      },
      [=](retry_atom, uint64_t token) {
        if (token == 0) {  // the stream could not be followed or written: again
          follow_from(self, self->state.applied + 1);
          return;
        }
        send_forward(self, token);
      },
      [=](expire_atom, uint64_t token) {
        settle_forward(self, token,
                       fmt::format("no node that writes partition {} answered within {}ms: "
                                   "nothing is known to be stored",
                                   self->state.index, self->state.env.cfg.request_timeout.count()));
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
