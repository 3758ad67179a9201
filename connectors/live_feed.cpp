#include "connectors/live_feed.hpp"

#include "workflows/json_codec.hpp"
#include "workflows/ticket_view.hpp"

#include <fmt/format.h>

namespace vocflow::connectors {
namespace {

struct feed_state {
  static inline const char* name = "vocflow.feed";
  std::vector<std::shared_ptr<watcher>> watchers;
};

}  // namespace

std::string sse_message(const ticket_view& ticket, const event& e) {
  auto j = to_json(e);
  j["ticket"] = to_json(ticket);
  return fmt::format("id: {}:{}\nevent: {}\ndata: {}\n\n", ticket.id, e.seq, e.type(),
                     json_text(j));
}

feed_actor spawn_feed(caf::actor_system& sys) {
  return sys.spawn([](feed_actor::stateful_pointer<feed_state> self) -> feed_actor::behavior_type {
    return {
        [=](actors::committed_atom, const actors::commit_batch& batch) {
          auto& ws = self->state.watchers;
          std::erase_if(ws, [](auto& w) { return !w->sink->open(); });
          if (ws.empty()) return;
          for (auto& c : *batch) {
            std::optional<ticket_view> view;  // projected once, if an event is wanted
            for (auto& e : *c.events) {
              std::string type{e.type()};
              std::string message;
              for (auto& w : ws) {
                if (!w->types.empty() && !w->types.contains(type)) continue;
                if (!view) view = project(*c.state, c.flow);
                if (message.empty()) message = sse_message(*view, e);
                w->sink->send(message);
              }
            }
          }
        },
        [=](watch_atom, std::shared_ptr<watcher> w) {
          // Greeted only once registered: whatever is committed after the client has read
          // the greeting reaches this mailbox after this message, and so the stream.
          w->sink->send(": vocflow live feed\n\n");
          self->state.watchers.push_back(std::move(w));
        },
    };
  });
}

}  // namespace vocflow::connectors
