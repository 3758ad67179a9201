// What the actors say to each other. These structs never leave the process (the store and any
// future wire use storage/codec.hpp), so they are whitelisted for CAF instead of inspected.
#pragma once

#include "storage/store.hpp"
#include "workflows/diagnostics.hpp"
#include "workflows/engine.hpp"
#include "workflows/queue_filter.hpp"

#include <caf/all.hpp>

#include <memory>
#include <string>
#include <vector>

namespace vocflow::actors {

using submit_atom = caf::atom_constant<caf::atom("submit")>;
using fetch_atom = caf::atom_constant<caf::atom("fetch")>;
using fire_atom = caf::atom_constant<caf::atom("fire")>;
using fired_atom = caf::atom_constant<caf::atom("fired")>;
using armed_atom = caf::atom_constant<caf::atom("armed")>;
using wake_atom = caf::atom_constant<caf::atom("wake")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using committed_atom = caf::atom_constant<caf::atom("committed")>;
using deploy_atom = caf::atom_constant<caf::atom("deploy")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using check_atom = caf::atom_constant<caf::atom("check")>;
using queue_atom = caf::atom_constant<caf::atom("queue")>;
using drain_atom = caf::atom_constant<caf::atom("drain")>;
using poke_atom = caf::atom_constant<caf::atom("poke")>;
// A replicated cluster's (replica.hpp).
using own_atom = caf::atom_constant<caf::atom("own")>;
using lose_atom = caf::atom_constant<caf::atom("lose")>;
using apply_atom = caf::atom_constant<caf::atom("apply")>;
using forward_atom = caf::atom_constant<caf::atom("forward")>;
using answer_atom = caf::atom_constant<caf::atom("answer")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using expire_atom = caf::atom_constant<caf::atom("expire")>;
using shared_bytes = std::shared_ptr<const std::string>;

// A command for one ticket. For open, `ticket_id` is the new id (derived from the idempotency
// key when there is one) and `flow_id` may name the flow instead of routing.
struct submission {
  std::string ticket_id;
  command cmd;
  std::string idempotency_key;
  // Of the request an open comes from (e.g. a hash of its body): a retry under the same key with
  // another fingerprint is a different request, refused. 0 when there is none to compare.
  uint64_t request_fingerprint = 0;
  std::string flow_id;
};

struct command_result {
  enum class kind : uint8_t {
    accepted,  // durable: the events are committed
    rejected,  // the engine refused it; `why` says why
    failed,    // it could not be made durable (a failing disk, an internal error)
  };
  kind result = kind::accepted;
  rejection why{reject_code::invalid_argument, {}, {}};
  std::string failure;
  std::shared_ptr<const ticket> state;  // after the command (accepted, or a replayed open)
  std::shared_ptr<const std::vector<event>> events;  // what the command did
  bool replayed = false;  // an open retried with the same idempotency key: nothing new
  // What it was decided with: the ticket's flow and the time, so that a view of the answer
  // shows the actions the ticket takes as of the decision (project(*state, flow, decided_at)).
  // The flow library keeps every version for its life: the pointer stays valid with it.
  const vocflow::flow* flow = nullptr;
  time_point decided_at;
};

using submissions = std::vector<submission>;
using command_results = std::vector<command_result>;

// A ticket as stored: its state and its whole history (fetch).
struct ticket_record {
  bool found = false;
  ticket state;
  std::vector<event> history;
  std::string failure;  // reading failed
};

// Committed by a partition: published to subscribers after the write. `before` is the state
// the command started from (a ticket that does not exist() for an opening), so that a read
// model can tell what changed without keeping a copy of every ticket.
struct committed_ticket {
  std::shared_ptr<const ticket> state;
  std::shared_ptr<const std::vector<event>> events;
  std::shared_ptr<const ticket> before;
  const vocflow::flow* flow = nullptr;  // the ticket's (kept by the flow library for its life)
  // The departments whose queues it is on, before or after (department_bits): each
  // department's actor passes over the others' commits without reading their tickets.
  uint64_t departments = ~uint64_t{0};
};
using commit_batch = std::shared_ptr<const std::vector<committed_ticket>>;

// Due timers read by a timer service for its partition.
using due_batch = std::vector<storage::due_timer>;

// One line of a department's queue: where the ticket stands, and what it asks of the
// department.
struct queue_entry {
  ticket_view view;
  std::vector<std::string> tasks;  // open tasks this department owns on the ticket
  bool owned = false;              // the department owns the ticket itself
};

struct queue_query {
  ticket_filter filter;
  queue_order order = queue_order::urgency;
  std::string cursor;  // where the previous page ended: a ticket id, or an urgency cursor
  size_t limit = 50;
};

struct queue_page {
  std::vector<queue_entry> entries;
  std::string next_cursor;  // "" when this is the last page
  size_t total = 0;         // entries in the queue matching the query
};

struct flow_info {
  std::string id;
  int32_t version = 0;
  std::string title;
  bool is_default = false;
  bool newest = false;
  std::string source;
};

struct deploy_result {
  bool ok = false;
  bool unchanged = false;  // the same source was already deployed under that id@version
  std::string key;         // id@version
  std::vector<diagnostic> diagnostics;
};

}  // namespace vocflow::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(vocflow::actors::submission)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(vocflow::actors::command_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(vocflow::actors::submissions)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(vocflow::actors::command_results)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(vocflow::actors::ticket_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(vocflow::actors::commit_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(vocflow::actors::due_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(vocflow::actors::queue_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(vocflow::actors::queue_page)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(vocflow::actors::deploy_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<vocflow::actors::flow_info>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(vocflow::time_point)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(vocflow::actors::shared_bytes)
