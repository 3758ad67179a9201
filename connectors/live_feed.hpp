// The live feed: committed events pushed to every open Server-Sent Events stream that asked for
// their type (GET /v1/events/stream?type=sla_breached,escalated). Streams that went away are
// dropped at the next event.
#pragma once

#include "actors/interfaces.hpp"
#include "connectors/http_server.hpp"
#include "workflows/ticket_view.hpp"

#include <memory>
#include <set>

namespace vocflow::connectors {

using watch_atom = caf::atom_constant<caf::atom("watch")>;

struct watcher {
  std::shared_ptr<stream_sink> sink;
  std::set<std::string> types;  // empty: every type
};

//   committed: from every partition.
//   watch:     a new stream and the event types it wants.
using feed_actor =
    actors::subscriber_actor::extend<caf::reacts_to<watch_atom, std::shared_ptr<watcher>>>;

feed_actor spawn_feed(caf::actor_system& sys);

// One event as a Server-Sent Event: "id: T-1:7\nevent: sla_breached\ndata: {...}\n\n", the
// data being the event's JSON with the ticket's view after it ("ticket": {...}).
std::string sse_message(const ticket_view& ticket, const event& e);

}  // namespace vocflow::connectors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<vocflow::connectors::watcher>)
