#include "actors/metrics.hpp"

#include "actors/prefetch.hpp"
#include "actors/string_hash.hpp"
#include "workflows/overloaded.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <unordered_map>
#include <unordered_set>

namespace vocflow::actors {
namespace {

using labels = std::vector<std::string>;
using label_values = std::initializer_list<std::string_view>;

// Label sets hashed, looked up by views: folding an event allocates nothing once its label set
// has been seen, and finds it in a probe rather than a search comparing label strings at each
// level (this runs for most events of every commit). Exposition sorts them (see sorted()).
struct labels_hash {
  using is_transparent = void;
  template <class Range>
  size_t operator()(const Range& r) const {
    size_t h = r.size();
    for (std::string_view v : r) h = h * 1099511628211ull ^ std::hash<std::string_view>{}(v);
    return h;
  }
};

struct labels_equal {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](std::string_view x, std::string_view y) { return x == y; });
  }
};

template <class T>
using by_labels = std::unordered_map<labels, T, labels_hash, labels_equal>;

template <class T>
T& entry(by_labels<T>& values, label_values l) {
  auto it = values.find(l);
  if (it == values.end()) it = values.emplace(labels(l.begin(), l.end()), T{}).first;
  return it->second;
}

// A family's series in label order, as the exposition lists them.
template <class T>
std::vector<const typename by_labels<T>::value_type*> sorted(const by_labels<T>& values) {
  std::vector<const typename by_labels<T>::value_type*> out;
  out.reserve(values.size());
  for (auto& v : values) out.push_back(&v);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->first < b->first; });
  return out;
}

// A labelled counter or gauge family.
struct family {
  std::string name, help, type;
  std::vector<std::string> label_names;
  by_labels<double> values;

  void add(label_values l, double v = 1) { entry(values, l) += v; }
};

std::string escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"')
      out += '\\', out += c;
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string label_text(const std::vector<std::string>& names, const labels& values) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ',';
    out += fmt::format("{}=\"{}\"", names[i], escape(values[i]));
  }
  return out;
}

void header(std::string& out, const std::string& name, const std::string& help,
            const std::string& type) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void render(std::string& out, const family& f) {
  header(out, f.name, f.help, f.type);
  for (auto* series : sorted(f.values)) {
    auto& [l, v] = *series;
    auto lt = label_text(f.label_names, l);
    out += fmt::format("{}{} {}\n", f.name, lt.empty() ? "" : "{" + lt + "}", v);
  }
}

// Histograms by label set.
struct histogram_family {
  std::string name, help;
  std::vector<std::string> label_names;
  std::vector<double> bounds;
  by_labels<std::unique_ptr<histogram>> values;

  void observe(label_values l, double v) {
    auto& h = entry(values, l);
    if (!h) h = std::make_unique<histogram>(bounds);
    h->observe(v);
  }
};

const std::vector<double> business_buckets = {
    60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 345600, 604800, 1209600, 2592000};

struct metrics_state {
  static inline const char* name = "vocflow.metrics";
  runtime_env env;
  open_gauges open;
  // label -> values admitted
  using value_set = std::unordered_set<std::string, string_hash, std::equal_to<>>;
  std::unordered_map<std::string, value_set, string_hash, std::equal_to<>> seen;

  family opened{"vocflow_tickets_opened_total",
                "Tickets opened.",
                "counter",
                {"flow", "channel", "category"},
                {}};
  family closed{"vocflow_tickets_closed_total",
                "Tickets closed (confirmed, or closed after no answer).",
                "counter",
                {"flow", "channel", "category"},
                {}};
  family reopened{"vocflow_tickets_reopened_total",
                  "Tickets reopened.",
                  "counter",
                  {"flow", "channel", "category"},
                  {}};
  family warnings{"vocflow_sla_warnings_total",
                  "SLA warnings.",
                  "counter",
                  {"flow", "department", "target"},
                  {}};
  family breaches{"vocflow_sla_breaches_total",
                  "SLA breaches.",
                  "counter",
                  {"flow", "department", "target"},
                  {}};
  family escalations{"vocflow_escalations_total",
                     "Escalation levels fired.",
                     "counter",
                     {"flow", "target", "level"},
                     {}};
  family handoffs{"vocflow_handoffs_total",
                  "Hand-offs between departments.",
                  "counter",
                  {"flow", "from", "to"},
                  {}};
  family compensation{
      "vocflow_compensation_granted_total",
      "Compensation granted, in units of the currency (e.g. CNY), by the granting role.",
      "counter",
      {"currency", "role"},
      {}};
  histogram_family cycle{
      "vocflow_closed_loop_cycle_seconds",
      "From opening to closing (customer confirmed or no answer), in business or wall time.",
      {"flow", "clock"},
      business_buckets,
      {}};
  histogram_family first_response{"vocflow_first_response_seconds",
                                  "Business time to the first response.",
                                  {"flow"},
                                  business_buckets,
                                  {}};
  family topics{"vocflow_topic_complaints_total",
                "Complaints (and repeat contacts) by topic, as classified when they came in.",
                "counter",
                {"topic"},
                {}};
  histogram_family post_interaction{
      "vocflow_post_interaction_sentiment",
      "At close: how the customer sounds after our interaction minus before (-2..2), by the "
      "department that owned the ticket.",
      {"department"},
      {-1, -0.5, -0.25, 0, 0.25, 0.5, 1, 2},
      {}};
  histogram_family cross_department{
      "vocflow_cross_department_cycle_seconds",
      "Business time from opening to closing of tickets that involved more than one "
      "department.",
      {"flow"},
      business_buckets,
      {}};
};

using self_ptr = metrics_actor::stateful_pointer<metrics_state>;

// A free-form label value, or "other" once the label has 64 distinct values.
std::string_view bounded(metrics_state& s, std::string_view label, const std::string& value) {
  auto known = s.seen.find(label);
  if (known == s.seen.end())
    known = s.seen.emplace(std::string{label}, metrics_state::value_set{}).first;
  auto& values = known->second;
  if (auto it = values.find(value); it != values.end()) return *it;
  if (values.size() >= 64) return "other";
  return *values.insert(value).first;
}

double seconds(millis m) {
  return static_cast<double>(m.count()) / 1000.0;
}

void fold(self_ptr self, const committed_ticket& c) {
  auto& s = self->state;
  auto& t = *c.state;
  // The labels of the ticket counters (channel and category bounded).
  auto count_ticket = [&](family& f) {
    f.add(
        {t.flow, bounded(s, "channel", t.info->channel), bounded(s, "category", t.info->category)});
  };
  for (auto& e : *c.events) {
    std::visit(overloaded{
                   [&](const ev::opened&) { count_ticket(s.opened); },
                   [&](const ev::reopened&) { count_ticket(s.reopened); },
                   [&](const ev::classified& x) {
                     // A customer's complaint; a problem's own text is no customer's.
                     if (x.of != "opened" && x.of != "repeat_contact") return;
                     if (problem_topic(*t.info)) return;
                     for (auto& topic : x.topics) s.topics.add({bounded(s, "topic", topic)});
                   },
                   [&](const ev::closed& x) {
                     count_ticket(s.closed);
                     if (t.has_before && t.has_after)
                       s.post_interaction.observe({t.owner},
                                                  t.sentiment_after - t.sentiment_before);
                     s.cycle.observe({t.flow, "wall"}, seconds(e.at - t.opened_at));
                     s.cycle.observe({t.flow, "business"}, seconds(x.business));
                     if (t.departments->size() > 1)
                       s.cross_department.observe({t.flow}, seconds(x.business));
                   },
                   [&](const ev::sla_warned& x) {
                     s.warnings.add({t.flow, t.owner, to_string(x.kind)});
                   },
                   [&](const ev::sla_breached& x) {
                     s.breaches.add({t.flow, x.owner, to_string(x.kind)});
                   },
                   [&](const ev::escalated& x) {
                     s.escalations.add({t.flow, to_string(x.kind), std::to_string(x.level)});
                   },
                   [&](const ev::handed_off& x) {
                     s.handoffs.add({t.flow, x.from, x.to});
                   },
                   [&](const ev::clock_stopped& x) {
                     if (x.kind == clock_kind::first_response)
                       s.first_response.observe({t.flow}, seconds(x.taken));
                   },
                   [&](const ev::compensation_granted& x) {
                     if (auto f = s.env.flows->find(t.flow, t.version))
                       s.compensation.add({f->compensation.currency, e.role},
                                          static_cast<double>(x.amount.minor) / 100);
                   },
                   [&](const auto&) {},
               },
               e.body);
  }
  s.open.move(*c.before, t);
}

std::string exposition(self_ptr self) {
  auto& s = self->state;
  std::string out;
  out.reserve(16 << 10);
  for (auto* f : {&s.opened, &s.closed, &s.reopened, &s.warnings, &s.breaches, &s.escalations,
                  &s.handoffs, &s.compensation, &s.topics})
    render(out, *f);

  family open{"vocflow_tickets_open",
              "Open tickets by owning department and step.",
              "gauge",
              {"department", "step"},
              {}};
  family approvals{"vocflow_approvals_pending",
                   "Compensation requests waiting for an approver.",
                   "gauge",
                   {},
                   {}};
  approvals.values[{}] = static_cast<double>(s.open.pending_approvals);
  for (auto& [owner, steps] : s.open.by_owner_step)
    for (auto& [step, n] : steps) open.add({owner, step}, static_cast<double>(n));
  render(out, open);
  render(out, approvals);
  family problems{"vocflow_problems_open",
                  "Problems (tickets opened by a spike of a topic) not resolved yet.",
                  "gauge",
                  {},
                  {}};
  problems.values[{}] = static_cast<double>(s.open.problems);
  render(out, problems);
  family spikes{
      "vocflow_topic_spikes_total", "Spikes flagged, by topic.", "counter", {"topic"}, {}};
  for (auto& [topic, n] : s.env.stats->spikes())
    spikes.add({bounded(s, "topic", topic)}, static_cast<double>(n));
  render(out, spikes);

  for (auto* h : {&s.cycle, &s.first_response, &s.cross_department, &s.post_interaction}) {
    header(out, h->name, h->help, "histogram");
    for (auto* series : sorted(h->values))
      series->second->render(out, h->name, label_text(h->label_names, series->first));
  }

  auto& st = *s.env.stats;
  header(out, "vocflow_commands_total",
         "Commands by outcome: accepted (durable), rejected, failed (not durable).", "counter");
  out += fmt::format("vocflow_commands_total{{result=\"accepted\"}} {}\n", st.accepted.load());
  out += fmt::format("vocflow_commands_total{{result=\"rejected\"}} {}\n", st.rejected.load());
  out += fmt::format("vocflow_commands_total{{result=\"failed\"}} {}\n", st.failed.load());
  header(out, "vocflow_commit_failures_total", "Group commits that could not be written.",
         "counter");
  out += fmt::format("vocflow_commit_failures_total {}\n", st.commit_failures.load());
  header(out, "vocflow_commit_duration_seconds",
         "One group commit: the RocksDB write, fsync included.", "histogram");
  st.commit_seconds.render(out, "vocflow_commit_duration_seconds");
  header(out, "vocflow_commit_commands", "Commands written by one group commit.", "histogram");
  st.commit_commands.render(out, "vocflow_commit_commands");
  header(out, "vocflow_timer_lateness_seconds", "How long after its due time a timer was handled.",
         "histogram");
  st.timer_lateness_seconds.render(out, "vocflow_timer_lateness_seconds");
  header(out, "vocflow_timer_read_failures_total",
         "Passes of a timer service that could not read the due index (tried again later).",
         "counter");
  out += fmt::format("vocflow_timer_read_failures_total {}\n", st.timer_read_failures.load());
  header(out, "vocflow_partition_backlog_messages",
         "Messages waiting in a partition's mailbox at its last commit.", "gauge");
  for (size_t i = 0; i < st.backlog.size(); ++i)
    out += fmt::format("vocflow_partition_backlog_messages{{partition=\"{}\"}} {}\n", i,
                       st.backlog[i].load());

  if (!st.channels.empty()) {
    auto per_channel = [&](const char* name, const char* help, const char* type, auto value) {
      header(out, name, help, type);
      for (auto& c : st.channels)
        out += fmt::format("{}{{channel=\"{}\"}} {}\n", name, c->name, value(*c));
    };
    header(out, "vocflow_outbox_deliveries_total",
           "Delivery attempts of the outbound channels' notifications: delivered (the receiver "
           "took it), failed (to be retried), given_up (now a dead letter).",
           "counter");
    for (auto& c : st.channels)
      for (auto [result, n] :
           {std::pair{"delivered", c->delivered.load()}, std::pair{"failed", c->failed.load()},
            std::pair{"given_up", c->given_up.load()}})
        out += fmt::format("vocflow_outbox_deliveries_total{{channel=\"{}\",result=\"{}\"}} {}\n",
                           c->name, result, n);
    per_channel("vocflow_outbox_notifications",
                "Notifications waiting in a channel's outbox (delivery or retry).", "gauge",
                [](const channel_stats& c) { return c.backlog.load(); });
    per_channel("vocflow_outbox_dead_letters", "Notifications a channel gave up on, kept.", "gauge",
                [](const channel_stats& c) { return c.dead_letters.load(); });
    header(out, "vocflow_outbox_attempt_duration_seconds",
           "One delivery attempt of an outbound channel.", "histogram");
    for (auto& c : st.channels)
      c->attempt_seconds.render(out, "vocflow_outbox_attempt_duration_seconds",
                                fmt::format("channel=\"{}\"", c->name));
  }

  long pages = 0, resident = 0;
  if (std::ifstream statm{"/proc/self/statm"}; statm >> pages >> resident) {
    header(out, "process_resident_memory_bytes", "Resident memory size in bytes.", "gauge");
    out += fmt::format("process_resident_memory_bytes {}\n", resident * sysconf(_SC_PAGESIZE));
  }
  return out;
}

}  // namespace

namespace {

// Whether a ticket counts in the gauges: it exists and is not closed.
bool counted(const ticket& t) {
  return t.exists() && t.status != ticket_status::closed;
}

}  // namespace

// A problem (a spike's ticket) not resolved yet.
bool open_problem(const ticket& t) {
  return t.exists() && t.status == ticket_status::open && problem_topic(*t.info);
}

void open_gauges::count(const ticket& t, int sign) {
  if (open_problem(t)) problems += sign;
  if (!counted(t)) return;
  by_owner_step[t.owner][t.step] += sign;
  auto& at = by_flow_step[t.flow][t.step];
  at.first += sign;
  if (t.breaches > 0) at.second += sign;
  pending_approvals += sign * static_cast<int64_t>(t.requests.size());
}

void open_gauges::move(const ticket& before, const ticket& after) {
  if (counted(before) == counted(after) && before.owner == after.owner &&
      before.step == after.step && before.requests.size() == after.requests.size() &&
      before.flow == after.flow && (before.breaches > 0) == (after.breaches > 0) &&
      open_problem(before) == open_problem(after))
    return;
  count(before, -1);
  count(after, +1);
}

metrics_actor spawn_metrics(caf::actor_system& sys, runtime_env env, open_gauges seed) {
  return sys.spawn([env = std::move(env),
                    seed = std::move(seed)](self_ptr self) mutable -> metrics_actor::behavior_type {
    self->state.env = std::move(env);
    self->state.open = std::move(seed);
    return {
        [=](committed_atom, const commit_batch& batch) {
          for (auto& c : *batch) {
            prefetch_state(c.state.get()), prefetch_state(c.before.get());
            prefetch_events_header(c.events.get());
          }
          for (auto& c : *batch) prefetch_events(c.events.get());
          for (auto& c : *batch) fold(self, c);
        },
        [=](metrics_atom) { return exposition(self); },
        [=](steps_atom, const std::string& flow) {
          std::vector<step_count> out;
          auto& flows = self->state.open.by_flow_step;
          if (auto it = flows.find(flow); it != flows.end())
            for (auto& [step, n] : it->second)
              if (n.first > 0) out.push_back({step, n.first, n.second});
          return out;
        },
    };
  });
}

}  // namespace vocflow::actors
