// The typed interfaces of vocflow's actors: who sends what, and what comes back.
#pragma once

#include "actors/messages.hpp"

namespace vocflow::actors {

// Anyone who wants every commit of every partition (department queues, metrics, live feeds).
using subscriber_actor = caf::typed_actor<caf::reacts_to<committed_atom, commit_batch>>;

// Owns the tickets whose id hashes to it. Every command for a ticket goes through its
// partition, in order: decide -> one RocksDB write per group of commands -> publish to the
// subscribers -> reply. Published first, so that a client that has its reply and then reads a
// read model (a queue, the metrics) finds its command there.
//   submit: from the API, connectors, tests. Replies once the outcome is durable (or failed).
//           A gateway with many commands for this partition sends them as one vector and gets
//           their results in the same order: one message instead of one per command.
//   fetch:  a ticket's state and whole history.
//   fire:   due timers from this partition's timer service; answered with `fired` to it.
//   subscribe: a subscriber gets (committed, commit_batch) after each write.
//   flush:  sent to itself; closes the current group commit.
//   drain:  finish what is queued, write it, then stop (SIGTERM).
//   poke:   passed on to its timer service (the wall clock jumped).
// In a replicated cluster (replica.hpp), also:
//   own / lose: from the lease keeper: this node writes the partition now / no longer.
//   apply:  a group of the partition's stream (seq, unix ms, bytes), from its follower.
//   forward: commands another node forwarded (bytes, reply subject), while it writes.
//   answer / retry / expire: the answer to commands it forwarded (token, bytes, no
//           responders), a new attempt, the caller's deadline.
using partition_actor =
    caf::typed_actor<caf::replies_to<submit_atom, submission>::with<command_result>,
                     caf::replies_to<submit_atom, submissions>::with<command_results>,
                     caf::replies_to<fetch_atom, std::string>::with<ticket_record>,
                     caf::reacts_to<fire_atom, due_batch>,
                     caf::reacts_to<subscribe_atom, subscriber_actor>, caf::reacts_to<flush_atom>,
                     caf::replies_to<drain_atom>::with<bool>, caf::reacts_to<poke_atom>,
                     caf::reacts_to<own_atom>, caf::reacts_to<lose_atom>,
                     caf::reacts_to<apply_atom, uint64_t, int64_t, shared_bytes>,
                     caf::reacts_to<forward_atom, shared_bytes, std::string>,
                     caf::reacts_to<answer_atom, uint64_t, shared_bytes, bool>,
                     caf::reacts_to<retry_atom, uint64_t>, caf::reacts_to<expire_atom, uint64_t>>;

// One per partition: one wake-up for the earliest due row of its partition's due index.
//   armed: from the partition, a timer was armed at that time (maybe earlier than the wake-up).
//   fired: from the partition, a batch was handled (count, written); the next pass may start.
//   wake:  to itself (generation token: a stale wake-up is ignored).
//   poke:  look now (the wall clock jumped: tests, benchmarks).
using timer_actor =
    caf::typed_actor<caf::reacts_to<armed_atom, time_point>,
                     caf::reacts_to<fired_atom, size_t, bool>, caf::reacts_to<wake_atom, uint64_t>,
                     caf::reacts_to<poke_atom>>;

// A department's live queue, a read model of committed tickets.
using department_actor =
    subscriber_actor::extend<caf::replies_to<queue_atom, queue_query>::with<queue_page>>;

// Deploys flow versions at run time and lists them.
using registry_actor =
    caf::typed_actor<caf::replies_to<deploy_atom, std::string, std::string>::with<deploy_result>,
                     caf::replies_to<check_atom, std::string, std::string>::with<deploy_result>,
                     caf::replies_to<list_atom>::with<std::vector<flow_info>>>;

}  // namespace vocflow::actors
