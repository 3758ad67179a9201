// Which outbound channels a notification goes to, and what they receive. The partition writes
// the rows in the same batch as the events, so a notification exists exactly when its event
// does; each channel's notifier (connectors/notifier.hpp) delivers its own rows.
#pragma once

#include "config/config.hpp"
#include "storage/store.hpp"
#include "workflows/engine.hpp"

#include <vector>

namespace vocflow::actors {

// A channel wants a notification when it asks for its type and (if it names recipients)
// shares one of them.
bool wants(const channel_subscription& c, const notify& n);

// The outbox rows for one notification raised by a command: one per channel that wants it,
// due now. `events` are the command's events (one of them is the notification's); `f` is the
// ticket's flow. The body, the same for every channel:
//   {"id": "<ticket>:<seq>", "type", "subject", "to", "at", "event", "ticket": <its view>}
std::vector<storage::outbox_entry> outbox_rows(const std::vector<channel_subscription>& channels,
                                               const ticket& t, const flow* f,
                                               const std::vector<event>& events, const notify& n,
                                               time_point now);

// The outbox rows of what a command says to the customer (the events named in
// customer_messages) for the channels back to the ticket's intake source: one row per event
// and channel, due now. None for a ticket recorded from history or with no external id. The
// body:
//   {"id": "<ticket>:<seq>", "type", "at", "text", "ticket", "source", "external_id",
//    "contact", "attributes": {...}}
std::vector<storage::outbox_entry> reply_rows(const std::vector<channel_subscription>& channels,
                                              const ticket& t, const std::vector<event>& events,
                                              time_point now);

}  // namespace vocflow::actors
