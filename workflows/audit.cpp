#include "workflows/audit.hpp"

#include "workflows/actions.hpp"
#include "workflows/voice.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace vocflow {
namespace {

const std::string paused_kind = "paused_while_customer_answered";
const std::string unconfirmed_kind = "closed_without_confirmation";
const std::string repeat_kind = "repeat_of_closed";
const std::string split_kind = "split_compensation";
const std::string ping_pong_kind = "handoff_ping_pong";

const std::string waiting_customer{to_string(hold::customer)};

// What the audit keeps of a ticket for the findings that look across tickets.
struct digest {
  std::string id, customer;
  const flow* f = nullptr;
  bool in_period = false;
  bool historical = false;
  time_point opened;
  shared_value<ticket_fields> info;
  std::vector<std::string> topics;
  bool first_contact = false;  // resolved without a second reply, hand-off, reopen or contact
  // The events read across tickets: the opening, the customer's messages, the waits for the
  // customer, direct grants and closings.
  std::vector<event> kept;
};

bool kept_type(const event& e) {
  if (auto* p = std::get_if<ev::paused>(&e.body)) return p->hold == waiting_customer;
  if (auto* r = std::get_if<ev::resumed>(&e.body)) return r->hold == waiting_customer;
  if (auto* g = std::get_if<ev::compensation_granted>(&e.body)) return g->request.empty();
  return std::holds_alternative<ev::opened>(e.body) ||
         std::holds_alternative<ev::customer_replied>(e.body) ||
         std::holds_alternative<ev::repeat_contact>(e.body) ||
         std::holds_alternative<ev::closed>(e.body);
}

// The customer got in touch: opened a complaint, answered, or came back on the same matter.
bool is_contact(const event& e) {
  if (auto* o = std::get_if<ev::opened>(&e.body)) return !o->historical;
  return std::holds_alternative<ev::customer_replied>(e.body) ||
         std::holds_alternative<ev::repeat_contact>(e.body);
}

bool asks_confirmation(const flow& f) {
  for (auto& s : f.steps)
    for (auto& tr : s.on)
      if (action_of(tr.action).id == action::confirm) return true;
  return false;
}

std::string local(const flow* f, time_point t) {
  return f ? f->cal->format_local(t) : format_utc(t);
}

std::string business(const flow* f, time_point a, time_point b) {
  return format_millis(f ? f->cal->business_between(a, b)
                         : std::chrono::duration_cast<millis>(b - a));
}

}  // namespace

const std::vector<std::string>& audit_kinds() {
  static const std::vector<std::string> kinds = {paused_kind, unconfirmed_kind, repeat_kind,
                                                 split_kind, ping_pong_kind};
  return kinds;
}

struct audit_builder::state {
  audit_options o;
  int64_t tickets = 0;
  std::vector<audit_finding> findings;
  std::vector<digest> digests;
  std::map<std::string, std::vector<size_t>> by_customer;  // digests, in the order added

  void found(audit_finding f) { findings.push_back(std::move(f)); }

  // Closed while the flow asks the customer to confirm, without a confirmation since the last
  // resolution: how it closed (a timeout, a transition) and by whom.
  void unconfirmed(const digest& d, const std::vector<event>& h) {
    if (!d.f || d.historical || !asks_confirmation(*d.f)) return;
    bool confirmed = false;
    const event* resolved = nullptr;
    const event* entered = nullptr;
    for (auto& e : h) {
      if (std::holds_alternative<ev::resolved>(e.body)) resolved = &e, confirmed = false;
      if (std::holds_alternative<ev::confirmed>(e.body)) confirmed = true;
      if (std::holds_alternative<ev::reopened>(e.body)) confirmed = false, resolved = nullptr;
      if (std::holds_alternative<ev::step_entered>(e.body)) entered = &e;
      auto* c = std::get_if<ev::closed>(&e.body);
      if (!c || confirmed) continue;
      auto& via = entered ? std::get<ev::step_entered>(entered->body).via : std::string{};
      std::string how =
          via == "timeout"
              ? fmt::format("the step waiting for the customer timed out ({})", c->reason)
              : fmt::format("{} ({}) took `{}`", e.actor, e.role, via.empty() ? "?" : via);
      audit_finding f{unconfirmed_kind,
                      d.id,
                      d.customer,
                      e.at,
                      fmt::format("closed at {} without the customer's confirmation, which flow "
                                  "`{}` asks for: {}",
                                  local(d.f, e.at), d.f->id, how),
                      {}};
      if (resolved) f.evidence.push_back({d.id, *resolved});
      if (entered) f.evidence.push_back({d.id, *entered});
      f.evidence.push_back({d.id, e});
      found(std::move(f));
      resolved = nullptr;
    }
  }

  // Handed back to the department it came from, one of the two moves a person's hand-off (not
  // the flow's own step-to-step ownership).
  void ping_pong(const digest& d, const std::vector<event>& h) {
    const event* previous = nullptr;
    for (auto& e : h) {
      auto* now = std::get_if<ev::handed_off>(&e.body);
      if (!now) continue;
      if (previous) {
        auto& before = std::get<ev::handed_off>(previous->body);
        bool by_person = !before.reason.starts_with("step `") || !now->reason.starts_with("step `");
        if (before.to == now->from && now->to == before.from && by_person)
          found({ping_pong_kind,
                 d.id,
                 d.customer,
                 e.at,
                 fmt::format("handed {} -> {} -> {}: \"{}\", then \"{}\"", before.from, before.to,
                             now->to, before.reason, now->reason),
                 {{d.id, *previous}, {d.id, e}}});
      }
      previous = &e;
    }
  }

  // The clock waited for the customer while the customer had already got in touch: the pause
  // went on after a message on this ticket or a new complaint of the same customer.
  void paused_while_answered(const digest& d) {
    if (!d.in_period || d.customer.empty()) return;
    if (d.f && !(d.f->pause_mask & static_cast<uint8_t>(hold::customer))) return;
    const event* paused = nullptr;
    auto check = [&](const event& p, time_point until, const event* ended) {
      const event* contact = nullptr;
      std::string where;
      for (auto i : by_customer[d.customer]) {
        auto& other = digests[i];
        for (auto& e : other.kept)
          if (is_contact(e) && e.at > p.at && e.at < until && (!contact || e.at < contact->at)) {
            contact = &e;
            where = other.id;
          }
      }
      if (!contact) return;
      audit_finding f{
          paused_kind,
          d.id,
          d.customer,
          contact->at,
          fmt::format("the SLA clocks waited for the customer from {}; the customer got in touch "
                      "at {} ({} on {}), and they went on waiting until {}: {} of business time "
                      "not counted",
                      local(d.f, p.at), local(d.f, contact->at), contact->type(), where,
                      ended ? local(d.f, until) : "now", business(d.f, contact->at, until)),
          {{d.id, p}, {where, *contact}}};
      if (ended) f.evidence.push_back({d.id, *ended});
      found(std::move(f));
    };
    for (auto& e : d.kept) {
      if (std::holds_alternative<ev::paused>(e.body)) {
        if (!paused) paused = &e;
      } else if (paused && (std::holds_alternative<ev::resumed>(e.body) ||
                            std::holds_alternative<ev::closed>(e.body))) {
        check(*paused, e.at, &e);
        paused = nullptr;
      }
    }
    if (paused) check(*paused, o.as_of, nullptr);
  }

  // A complaint opened in the period on the same matter as one of the customer's that closed
  // within its flow's reopen window before.
  void repeat_of_closed(const digest& d) {
    if (!d.in_period || d.customer.empty() || !o.repeats.enabled) return;
    for (auto i : by_customer[d.customer]) {
      auto& a = digests[i];
      if (a.id == d.id || !a.f || !a.f->reopen) continue;
      auto window = std::chrono::days{a.f->reopen->within.days} + a.f->reopen->within.rest;
      const event* closed = nullptr;
      for (auto& e : a.kept)
        if (std::holds_alternative<ev::closed>(e.body) && e.at <= d.opened) closed = &e;
      if (!closed || d.opened - closed->at > window) continue;
      std::string reason;
      for (auto& topic : d.topics)
        if (std::find(a.topics.begin(), a.topics.end(), topic) != a.topics.end()) {
          reason = "topic " + topic;
          break;
        }
      if (reason.empty())
        if (auto sim = text_similarity(d.info->text, a.info->text); sim >= o.repeats.similarity)
          reason = fmt::format("similar text {:.2f}", sim);
      if (reason.empty()) continue;
      const event* opened = nullptr;
      for (auto& e : d.kept)
        if (std::holds_alternative<ev::opened>(e.body)) opened = &e;
      if (!opened) continue;
      found(
          {repeat_kind,
           a.id,
           d.customer,
           d.opened,
           fmt::format("{} was closed at {}; {} days later the customer complained again on "
                       "the same matter ({}) as a new ticket {}, within the {} reopen window{}",
                       a.id, local(a.f, closed->at),
                       std::chrono::duration_cast<std::chrono::days>(d.opened - closed->at).count(),
                       reason, d.id, to_string(a.f->reopen->within),
                       a.first_contact ? "; it still counts as resolved at first contact" : ""),
           {{a.id, *closed}, {d.id, *opened}}});
    }
  }

  struct grant {
    const digest* d;
    const event* e;
  };

  // Grants by one role that each stay within its limit and together exceed it within a window:
  // `scope` is a ticket or a customer.
  void splits(const std::vector<grant>& grants, const std::string& scope) {
    std::map<std::string, std::vector<grant>> by_role;
    for (auto& g : grants) by_role[g.e->role].push_back(g);
    for (auto& [role, list] : by_role) {
      std::sort(list.begin(), list.end(), [](auto& a, auto& b) { return a.e->at < b.e->at; });
      for (size_t i = 0; i < list.size();) {
        auto* f = list[i].d->f;
        auto* limit = f ? f->compensation.limit_for(role) : nullptr;
        if (!limit) {
          ++i;
          continue;
        }
        money sum;
        size_t j = i;
        for (; j < list.size() && list[j].e->at - list[i].e->at < o.split_window; ++j)
          sum += std::get<ev::compensation_granted>(list[j].e->body).amount;
        bool ours = std::any_of(list.begin() + static_cast<std::ptrdiff_t>(i),
                                list.begin() + static_cast<std::ptrdiff_t>(j),
                                [](auto& g) { return g.d->in_period; });
        if (j - i < 2 || sum <= limit->limit || !ours) {
          ++i;
          continue;
        }
        std::vector<std::string> tickets;
        audit_finding out{split_kind, list[i].d->id, list[i].d->customer, list[j - 1].e->at, "",
                          {}};
        for (size_t k = i; k < j; ++k) {
          out.evidence.push_back({list[k].d->id, *list[k].e});
          if (std::find(tickets.begin(), tickets.end(), list[k].d->id) == tickets.end())
            tickets.push_back(list[k].d->id);
        }
        out.summary = fmt::format(
            "{} grants by {} within {}h on {} add up to {} {}, above the {} limit of {} that each "
            "stayed within (tickets {})",
            j - i, role, o.split_window.count(), scope, to_string(sum), f->compensation.currency,
            role, to_string(limit->limit), fmt::join(tickets, ", "));
        found(std::move(out));
        i = j;
      }
    }
  }

  std::vector<grant> grants_of(const digest& d) const {
    std::vector<grant> out;
    for (auto& e : d.kept)
      if (std::holds_alternative<ev::compensation_granted>(e.body)) out.push_back({&d, &e});
    return out;
  }
};

audit_builder::audit_builder(audit_options o) : s_(std::make_unique<state>()) {
  s_->o = std::move(o);
}
audit_builder::~audit_builder() = default;
audit_builder::audit_builder(audit_builder&&) noexcept = default;

void audit_builder::add(const flow* f, const ticket& t, const std::vector<event>& history) {
  auto& s = *s_;
  digest d;
  d.id = t.id;
  d.customer = t.info->customer;
  d.f = f;
  d.historical = t.historical;
  d.opened = t.opened_at;
  d.in_period = t.opened_at >= s.o.from && t.opened_at < s.o.to;
  d.info = t.info;
  d.topics = t.topics;
  d.first_contact = t.resolved_at != no_time && t.reopens == 0 && t.interactions <= 1 &&
                    t.handoffs == 0 && t.contacts <= 1;
  for (auto& e : history)
    if (kept_type(e)) d.kept.push_back(e);
  if (d.in_period) {
    ++s.tickets;
    s.unconfirmed(d, history);
    s.ping_pong(d, history);
  }
  if (!d.customer.empty()) s.by_customer[d.customer].push_back(s.digests.size());
  s.digests.push_back(std::move(d));
}

audit_report audit_builder::finish() && {
  auto& s = *s_;
  for (auto& d : s.digests) {
    s.paused_while_answered(d);
    s.repeat_of_closed(d);
    if (d.in_period) s.splits(s.grants_of(d), "ticket " + d.id);
  }
  for (auto& [customer, list] : s.by_customer) {
    std::vector<state::grant> grants;
    std::vector<std::string> tickets;
    for (auto i : list) {
      auto mine = s.grants_of(s.digests[i]);
      if (!mine.empty()) tickets.push_back(s.digests[i].id);
      grants.insert(grants.end(), mine.begin(), mine.end());
    }
    if (tickets.size() > 1) s.splits(grants, "customer " + customer);
  }
  audit_report r;
  r.options = s.o;
  r.tickets = s.tickets;
  for (auto& k : audit_kinds()) r.counts[k] = 0;
  std::stable_sort(s.findings.begin(), s.findings.end(),
                   [](auto& a, auto& b) { return a.at < b.at; });
  for (auto& f : s.findings) {
    ++r.counts[f.kind];
    ++r.total;
    bool listed = s.o.kinds.empty() || s.o.kinds.contains(f.kind);
    if (listed && r.findings.size() < s.o.list_limit) r.findings.push_back(std::move(f));
  }
  return r;
}

}  // namespace vocflow
