// Software prefetching for actors that handle a batch at a time (a partition's submissions, a
// read model's commits): one pass asks for the memory of every item, the next handles them, so
// that the cache misses of a batch overlap instead of taking turns. Tickets in flight are
// spread over a heap far larger than the caches; most of a command's time was such misses.
#pragma once

#include "workflows/events.hpp"
#include "workflows/ticket.hpp"

#include <cstddef>
#include <string>

namespace vocflow::actors {

inline void prefetch_bytes(const void* p, size_t n) {
  const char* at = static_cast<const char*>(p);
  for (size_t i = 0; i < n; i += 64) __builtin_prefetch(at + i);
}

// A ticket's own lines.
inline void prefetch_state(const ticket* t) {
  if (t) prefetch_bytes(t, sizeof(ticket));
}

// What a ticket points to that a command copies: its clocks, its owner.
// Reads the ticket: call it once prefetch_state() has had time to bring it in.
inline void prefetch_parts(const ticket& t) {
  prefetch_bytes(t.clocks.data(), t.clocks.size() * sizeof(sla_clock));
  prefetch_bytes(t.owner.data(), t.owner.size());
}

// A commit's events, in two stages: the vector (its header lives in the block its shared
// pointer was made in), then, once that is in, the events themselves.
inline void prefetch_events_header(const std::vector<event>* events) {
  if (events) __builtin_prefetch(events);
}
inline void prefetch_events(const std::vector<event>* events) {
  if (events) prefetch_bytes(events->data(), events->size() * sizeof(event));
}

}  // namespace vocflow::actors
