#include "connectors/gateway.hpp"

namespace vocflow::connectors {
namespace {

using enqueue_atom = caf::atom_constant<caf::atom("gwenqueue")>;
using send_atom = caf::atom_constant<caf::atom("gwsend")>;

struct pending {
  actors::submission sub;
  gateway::callback done;
};

struct gateway_state {
  static inline const char* name = "vocflow.gateway";
  actors::runtime* rt = nullptr;
  std::vector<std::vector<pending>> queued;  // per partition
  bool send_scheduled = false;
};

void send_batches(caf::stateful_actor<gateway_state>* self) {
  auto& s = self->state;
  s.send_scheduled = false;
  auto partitions = s.rt->all_partitions();
  for (size_t p = 0; p < s.queued.size(); ++p) {
    if (s.queued[p].empty()) continue;
    actors::submissions subs;
    auto callbacks = std::make_shared<std::vector<gateway::callback>>();
    for (auto& q : s.queued[p]) {
      subs.push_back(std::move(q.sub));
      callbacks->push_back(std::move(q.done));
    }
    s.queued[p].clear();
    self->request(partitions[p], s.rt->env().cfg.request_timeout, actors::submit_atom::value,
                  std::move(subs))
        .then(
            [callbacks](actors::command_results& rs) {
              for (size_t i = 0; i < callbacks->size(); ++i)
                (*callbacks)[i](i < rs.size()
                                    ? reply<actors::command_result>{std::move(rs[i]), {}}
                                    : reply<actors::command_result>{std::nullopt, "no result"});
            },
            [self, callbacks](caf::error& e) {
              auto why = self->system().render(e);
              for (auto& cb : *callbacks) cb({std::nullopt, why});
            });
  }
}

void queue(caf::stateful_actor<gateway_state>* self, pending p) {
  auto& s = self->state;
  auto idx = actors::partition_of(p.sub.ticket_id, s.rt->partitions());
  s.queued[idx].push_back(std::move(p));
  if (!s.send_scheduled) {
    s.send_scheduled = true;
    self->send(self, send_atom::value);  // behind every command already queued here
  }
}

// The open becomes a repeat contact on the matching ticket: the new message, its channel (in
// its fields) and why it matched. Taken by the system, on behalf of whoever sent the complaint.
void as_repeat(actors::submission& sub, const actors::repeat_match& m) {
  sub.ticket_id = m.ticket;
  sub.cmd.action = "repeat_contact";
  sub.cmd.text = sub.cmd.info->text;
  sub.cmd.other = m.reason;
  sub.cmd.by.role = std::string{system_role};
}

}  // namespace
}  // namespace vocflow::connectors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<vocflow::connectors::pending>)

namespace vocflow::connectors {

gateway::gateway(actors::runtime& rt) : sys_{rt.system()} {
  // The actor is initialized when first scheduled, possibly after the runtime has gone (an
  // exit message during shutdown): its initialization must not touch the runtime.
  auto partitions = rt.partitions();
  auto behavior = [&rt, partitions](caf::stateful_actor<gateway_state>* self) -> caf::behavior {
    self->state.rt = &rt;
    self->state.queued.resize(partitions);
    return {
        [=](enqueue_atom, std::shared_ptr<pending>& p) {
          auto& s = self->state;
          // A new complaint of a customer who has an open ticket on the same matter is a
          // repeat contact on that ticket, not a ticket of its own.
          auto& cmd = p->sub.cmd;
          if (cmd.action == "open" && p->sub.flow_id.empty() &&
              !(cmd.info->customer.empty() && cmd.info->contact.empty())) {
            self->request(s.rt->voice(), s.rt->env().cfg.request_timeout,
                          actors::repeat_atom::value, *cmd.info)
                .then(
                    [=](actors::repeat_match& m) {
                      if (!m.ticket.empty()) as_repeat(p->sub, m);
                      queue(self, std::move(*p));
                    },
                    [=](caf::error&) { queue(self, std::move(*p)); });
            return;
          }
          queue(self, std::move(*p));
        },
        [=](send_atom) { send_batches(self); },
    };
  };
  // Every command and every reply of the API passes here.
  actor_ = actors::spawn_on_reply_path(rt.system(), rt.env().cfg, behavior);
}

gateway::~gateway() {
  caf::scoped_actor self{sys_};
  self->send_exit(actor_, caf::exit_reason::user_shutdown);
  self->wait_for(actor_);
}

void gateway::submit(actors::submission sub, callback done) {
  caf::anon_send(actor_, enqueue_atom::value,
                 std::make_shared<pending>(pending{std::move(sub), std::move(done)}));
}

}  // namespace vocflow::connectors
