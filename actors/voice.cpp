#include "actors/voice.hpp"

#include "actors/replica.hpp"

#include "actors/runtime.hpp"
#include "workflows/overloaded.hpp"
#include "workflows/voice.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace vocflow::actors {
namespace {

using json = nlohmann::json;
constexpr int64_t hour_ms = 3'600'000, day_ms = 86'400'000;

int64_t bucket_of(time_point at, bool hourly) {
  auto ms = to_ms(at), len = hourly ? hour_ms : day_ms;
  return ms - ((ms % len) + len) % len;
}

// One topic's bucket in one partition.
struct tally {
  std::set<std::string> customers;
  std::vector<std::string> tickets;
  double sentiment = 0;
};
using topic_buckets = std::map<std::string, std::map<int64_t, tally>, std::less<>>;

struct partition_counts {
  topic_buckets hours, days;
};

struct index_entry {
  std::string ticket;
  std::vector<std::string> topics;
  std::string text;
  time_point opened;
};

struct voice_state {
  static inline const char* name = "vocflow.voice";
  runtime_env env;
  std::function<partition_actor(const std::string&)> partition_for;
  std::vector<partition_counts> counts;  // by partition
  // Merged distinct customers of past buckets, dropped when a partition's bucket changes.
  std::map<std::tuple<std::string, int64_t, bool>, int> merged;
  std::map<std::string, std::vector<index_entry>, std::less<>> by_customer;  // customer or contact
  std::map<std::string, problem_info> problems;                              // by ticket
  std::map<std::string, std::string, std::less<>> open_problem;              // topic -> ticket
  std::set<std::string> told;  // problems whose complaints were told they are resolved
  std::vector<spike_record> spikes;
  std::vector<marker> markers;
  uint64_t marker_seq = 0;
};

using self_ptr = voice_actor::stateful_pointer<voice_state>;

topic_buckets& buckets(voice_state& s, const std::string& ticket, bool hourly) {
  auto& p = s.counts[partition_of(ticket, static_cast<uint32_t>(s.counts.size()))];
  return hourly ? p.hours : p.days;
}

void count(voice_state& s, const std::string& ticket, const std::string& customer,
           const std::vector<std::string>& topics, time_point at, double sentiment) {
  for (bool hourly : {false, true})
    for (auto& topic : topics) {
      auto b = bucket_of(at, hourly);
      auto& t = buckets(s, ticket, hourly)[topic][b];
      t.customers.insert(customer.empty() ? ticket : customer);
      t.tickets.push_back(ticket);
      t.sentiment += sentiment;
      s.merged.erase({topic, b, hourly});
    }
}

// Distinct customers of a topic's bucket, over every partition.
int customers(voice_state& s, const std::string& topic, int64_t b, bool hourly) {
  auto key = std::make_tuple(topic, b, hourly);
  if (auto it = s.merged.find(key); it != s.merged.end()) return it->second;
  std::set<std::string_view> all;
  size_t parts = 0;
  const std::set<std::string>* only = nullptr;
  for (auto& p : s.counts) {
    auto& tb = hourly ? p.hours : p.days;
    auto t = tb.find(topic);
    if (t == tb.end()) continue;
    auto x = t->second.find(b);
    if (x == t->second.end()) continue;
    ++parts;
    only = &x->second.customers;
    all.insert(x->second.customers.begin(), x->second.customers.end());
  }
  int n = parts == 1 ? static_cast<int>(only->size()) : static_cast<int>(all.size());
  s.merged[key] = n;
  return n;
}

json to_json(const spike_record& r) {
  return {{"topic", r.topic},         {"hourly", r.hourly}, {"bucket", to_ms(r.bucket)},
          {"at", to_ms(r.at)},        {"count", r.count},   {"mean", r.mean},
          {"deviation", r.deviation}, {"score", r.score},   {"why", r.why},
          {"problem", r.problem}};
}

spike_record spike_from(const json& j) {
  spike_record r;
  r.topic = j.value("topic", "");
  r.hourly = j.value("hourly", false);
  r.bucket = from_ms(j.value("bucket", int64_t{0}));
  r.at = from_ms(j.value("at", int64_t{0}));
  r.count = j.value("count", 0);
  r.mean = j.value("mean", 0.0);
  r.deviation = j.value("deviation", 0.0);
  r.score = j.value("score", 0.0);
  r.why = j.value("why", "");
  r.problem = j.value("problem", "");
  return r;
}

std::string be_ms(time_point at) {
  return fmt::format("{:016x}", static_cast<uint64_t>(to_ms(at)));
}

void send_command(self_ptr self, submission sub) {
  // In a cluster every node's voice hears every commit; one node, the leader, acts on them.
  if (auto& c = self->state.env.cluster; c && !c->leads()) return;
  auto part = self->state.partition_for(sub.ticket_id);
  auto what = fmt::format("{} on {}", sub.cmd.action, sub.ticket_id);
  self->request(part, self->state.env.cfg.request_timeout, submit_atom::value, std::move(sub))
      .then(
          [what](command_result& r) {
            if (r.result == command_result::kind::failed)
              spdlog::error("voice: {} failed: {}", what, r.failure);
          },
          [self, what](caf::error& e) {
            spdlog::error("voice: {} failed: {}", what, self->system().render(e));
          });
}

submission system_command(const std::string& ticket, std::string action, std::string other,
                          std::string text) {
  submission sub;
  sub.ticket_id = ticket;
  sub.cmd.action = std::move(action);
  sub.cmd.by = {"system:voice", std::string{system_role}};
  sub.cmd.other = std::move(other);
  sub.cmd.text = std::move(text);
  return sub;
}

// Links a complaint and a problem, each side by a command to its partition.
void link(self_ptr self, const std::string& complaint, const std::string& problem,
          const std::string& topic) {
  send_command(self, system_command(complaint, "link_problem", problem, topic));
  send_command(self, system_command(problem, "link_complaint", complaint, {}));
}

// Opens a problem for a spike and links the complaints of its bucket.
void open_problem(self_ptr self, spike_record& spike, const topic_set& topics) {
  auto& s = self->state;
  auto& flow_id = topics.spikes.problem_flow;
  if (flow_id.empty()) return;
  auto key = fmt::format("spike:{}:{}", spike.topic, to_ms(spike.bucket));
  submission sub;
  sub.ticket_id = runtime::ticket_id_for_key(key);
  sub.idempotency_key = key;
  sub.flow_id = flow_id;
  sub.cmd.action = "open";
  sub.cmd.by = {"system:voice", std::string{system_role}};
  ticket_fields f;
  f.channel = "vocflow";
  f.category = "problem";
  auto* t = topics.find(spike.topic);
  f.text =
      fmt::format("Spike of {}: {}", t && !t->title.empty() ? t->title : spike.topic, spike.why);
  f.extra[std::string{problem_attribute}] = spike.topic;
  if (t && !t->owner.name.empty()) f.extra["topic_owner"] = t->owner.name;
  sub.cmd.info = std::move(f);
  spike.problem = sub.ticket_id;
  s.open_problem[spike.topic] = sub.ticket_id;
  s.problems[sub.ticket_id] = {sub.ticket_id, spike.topic, spike.at, "open", {}, {}};
  auto problem = sub.ticket_id;
  send_command(self, std::move(sub));
  send_command(self, system_command(problem, "flag_spike", spike.topic, spike.why));
  std::set<std::string> seen;
  for (auto& p : s.counts) {
    auto& tb = spike.hourly ? p.hours : p.days;
    auto it = tb.find(spike.topic);
    if (it == tb.end()) continue;
    auto b = it->second.find(to_ms(spike.bucket));
    if (b == it->second.end()) continue;
    for (auto& complaint : b->second.tickets)
      if (seen.insert(complaint).second) link(self, complaint, spike.problem, spike.topic);
  }
}

// Whether the topic's count at `at` is a spike; flags it once (not again while its problem is
// open, nor within the rule's gap after the last one).
void detect(self_ptr self, const std::string& topic, time_point at) {
  auto& s = self->state;
  auto topics = s.env.flows->topics();
  if (!topics) return;
  auto& rule = topics->spikes;
  bool hourly = rule.hourly;
  auto len = hourly ? hour_ms : day_ms;
  auto b = bucket_of(at, hourly);
  if (customers(s, topic, b, hourly) < rule.min_count) return;
  if (s.open_problem.contains(topic)) return;
  for (auto& x : s.spikes)
    if (x.topic == topic && x.hourly == hourly &&
        to_ms(x.bucket) >= b - static_cast<int64_t>(rule.gap) * len)
      return;
  size_t week = hourly ? 168 : 7;
  size_t span = std::max<size_t>(static_cast<size_t>(rule.baseline + rule.gap) + 1,
                                 rule.seasonal ? week * static_cast<size_t>(rule.baseline) + 1 : 0);
  // History starts where vocflow's does: days before any complaint are no baseline of zeros
  // (a first busy day is no spike).
  auto first = b;
  for (auto& p : s.counts)
    for (auto& [_, by_bucket] : hourly ? p.hours : p.days)
      if (!by_bucket.empty()) first = std::min(first, by_bucket.begin()->first);
  std::vector<int> history;
  history.reserve(span);
  for (size_t i = span; i-- > 0;)
    if (auto at = b - static_cast<int64_t>(i) * len; at >= first)
      history.push_back(customers(s, topic, at, hourly));
  auto v = detect_spike(history, rule, week);
  if (!v.spike) return;
  spike_record r{topic, hourly, from_ms(b), at, v.count, v.mean, v.deviation, v.score, v.why, {}};
  open_problem(self, r, *topics);
  spdlog::warn("spike of {} on {}: {}{}", topic, format_utc(r.bucket), r.why,
               r.problem.empty() ? "" : "; problem " + r.problem);
  if (auto st =
          s.env.db->put_meta(fmt::format("spike/{}/{}", be_ms(r.at), topic), to_json(r).dump());
      !st)
    spdlog::error("voice: cannot store the spike of {}: {}", topic, st.message());
  s.env.stats->spike(topic);
  s.spikes.push_back(std::move(r));
}

void index_add(voice_state& s, const ticket& t) {
  index_entry e{t.id, t.topics, t.info->text.substr(0, 2000), t.opened_at};
  for (auto* key : {&t.info->customer, &t.info->contact})
    if (!key->empty()) s.by_customer[*key].push_back(e);
}

void index_update(voice_state& s, const ticket& t, bool remove) {
  for (auto* key : {&t.info->customer, &t.info->contact}) {
    if (key->empty()) continue;
    auto it = s.by_customer.find(*key);
    if (it == s.by_customer.end()) continue;
    auto& list = it->second;
    if (remove) {
      std::erase_if(list, [&](auto& e) { return e.ticket == t.id; });
      if (list.empty()) s.by_customer.erase(it);
    } else {
      for (auto& e : list)
        if (e.ticket == t.id) e.topics = t.topics;
    }
  }
}

std::string status_of(const ticket& t) {
  return std::string{to_string(t.status)};
}

void fold(self_ptr self, const committed_ticket& c) {
  auto& s = self->state;
  auto& t = *c.state;
  auto* topic_of_problem = problem_topic(*t.info);
  bool is_problem = topic_of_problem != nullptr;
  for (auto& e : *c.events) {
    std::visit(overloaded{
                   [&](const ev::opened& x) {
                     if (!x.historical && !is_problem) index_add(s, t);
                   },
                   [&](const ev::classified& x) {
                     if (is_problem) return;
                     if (x.of == "opened" || x.of == "repeat_contact")
                       count(s, t.id, t.info->customer, x.topics, e.at, x.sentiment);
                     index_update(s, t, t.status == ticket_status::closed);
                     if (t.historical) return;
                     for (auto& topic : x.topics) {
                       if (auto p = s.open_problem.find(topic);
                           p != s.open_problem.end() && t.problem.empty())
                         link(self, t.id, p->second, topic);
                       if (x.of == "opened" || x.of == "repeat_contact") detect(self, topic, e.at);
                     }
                   },
                   [&](const ev::closed&) { index_update(s, t, true); },
                   [&](const ev::reopened&) {
                     if (!is_problem && !t.historical) index_add(s, t);
                   },
                   [&](const ev::resolved& x) {
                     if (!is_problem || !s.told.insert(t.id).second) return;
                     for (auto& complaint : t.linked)
                       send_command(self,
                                    system_command(complaint, "problem_resolved", t.id, x.text));
                     s.open_problem.erase(*topic_of_problem);
                   },
                   [&](const auto&) {},
               },
               e.body);
  }
  if (is_problem) {
    auto& p = s.problems[t.id];
    p.ticket = t.id;
    p.topic = *topic_of_problem;
    p.opened = t.opened_at;
    p.status = status_of(t);
    p.owner = t.owner;
    p.linked = t.linked;
    if (t.status == ticket_status::open) s.open_problem[p.topic] = t.id;
  }
}

repeat_match find_repeat(self_ptr self, const ticket_fields& f) {
  auto& s = self->state;
  auto topics = s.env.flows->topics();
  repeat_settings rules = topics ? topics->repeats : repeat_settings{};
  if (!rules.enabled) return {};
  std::vector<std::string> mine;
  if (topics)
    for (auto& h : classify(*topics, f)) mine.push_back(h.topic);
  auto now = s.env.clock();
  auto window = std::chrono::days{rules.within.days} + rules.within.rest;
  repeat_match best;
  time_point newest{};
  for (auto* key : {&f.customer, &f.contact}) {
    if (key->empty()) continue;
    auto it = s.by_customer.find(*key);
    if (it == s.by_customer.end()) continue;
    for (auto& e : it->second) {
      if (now - e.opened > window || e.opened < newest) continue;
      std::string reason;
      for (auto& topic : mine)
        if (std::find(e.topics.begin(), e.topics.end(), topic) != e.topics.end()) {
          reason = "topic " + topic;
          break;
        }
      if (reason.empty())
        if (auto sim = text_similarity(f.text, e.text); sim >= rules.similarity)
          reason = fmt::format("similar text {:.2f}", sim);
      if (reason.empty()) continue;
      best = {e.ticket, fmt::format("same {} {}, {}", key == &f.customer ? "customer" : "contact",
                                    *key, reason)};
      newest = e.opened;
    }
  }
  return best;
}

topic_series series(self_ptr self, const series_query& q) {
  auto& s = self->state;
  topic_series out;
  out.topic = q.topic;
  out.hourly = q.hourly;
  auto len = q.hourly ? hour_ms : day_ms;
  std::vector<std::string> topics;
  if (!q.topic.empty()) {
    topics.push_back(q.topic);
  } else {
    std::set<std::string> all;
    for (auto& p : s.counts)
      for (auto& [topic, _] : q.hourly ? p.hours : p.days) all.insert(topic);
    topics.assign(all.begin(), all.end());
  }
  for (auto b = bucket_of(q.from, q.hourly); b < to_ms(q.to); b += len) {
    series_point pt;
    pt.bucket = from_ms(b);
    double sentiment = 0;
    for (auto& topic : topics) {
      pt.customers += customers(s, topic, b, q.hourly);
      for (auto& p : s.counts) {
        auto& tb = q.hourly ? p.hours : p.days;
        auto t = tb.find(topic);
        if (t == tb.end()) continue;
        auto x = t->second.find(b);
        if (x == t->second.end()) continue;
        pt.tickets += static_cast<int>(x->second.tickets.size());
        sentiment += x->second.sentiment;
      }
    }
    if (pt.tickets) pt.sentiment = sentiment / pt.tickets;
    out.points.push_back(pt);
  }
  for (auto& m : s.markers)
    if (m.at >= q.from && m.at < q.to && (m.topic.empty() || q.topic.empty() || m.topic == q.topic))
      out.markers.push_back(m);
  for (auto& x : s.spikes)
    if (x.bucket >= from_ms(bucket_of(q.from, x.hourly)) && x.bucket < q.to &&
        (q.topic.empty() || x.topic == q.topic))
      out.spikes.push_back(x);
  return out;
}

std::vector<topic_summary> summaries(self_ptr self) {
  auto& s = self->state;
  std::vector<topic_summary> out;
  auto topics = s.env.flows->topics();
  if (!topics) return out;
  auto now = s.env.clock();
  for (auto& t : topics->topics) {
    topic_summary x{t.id, t.title, t.owner.name, 0, 0, {}};
    // Distinct customers of the hours of the last day and of the days of the last week.
    std::set<std::string_view> day, week;
    auto since_day = to_ms(now) - day_ms, since_week = to_ms(now) - 7 * day_ms;
    for (auto& p : s.counts) {
      if (auto it = p.hours.find(t.id); it != p.hours.end())
        for (auto b = it->second.lower_bound(bucket_of(from_ms(since_day), true));
             b != it->second.end(); ++b)
          day.insert(b->second.customers.begin(), b->second.customers.end());
      if (auto it = p.days.find(t.id); it != p.days.end())
        for (auto b = it->second.lower_bound(bucket_of(from_ms(since_week), false));
             b != it->second.end(); ++b)
          week.insert(b->second.customers.begin(), b->second.customers.end());
    }
    x.customers_day = static_cast<int>(day.size());
    x.customers_week = static_cast<int>(week.size());
    if (auto p = s.open_problem.find(t.id); p != s.open_problem.end()) x.problem = p->second;
    out.push_back(std::move(x));
  }
  return out;
}

std::string add_marker(self_ptr self, marker m) {
  auto& s = self->state;
  m.id = fmt::format("M-{}-{}", to_ms(m.at), ++s.marker_seq);
  json j = {{"id", m.id}, {"at", to_ms(m.at)}, {"text", m.text}, {"topic", m.topic}};
  if (auto st = s.env.db->put_meta(fmt::format("marker/{}/{}", be_ms(m.at), m.id), j.dump()); !st)
    return "storage: cannot store the marker: " + st.message();
  s.markers.push_back(std::move(m));
  std::sort(s.markers.begin(), s.markers.end(), [](auto& a, auto& b) { return a.at < b.at; });
  return {};
}

void load_stored(voice_state& s) {
  auto read = [&](const std::string& prefix, auto&& each) {
    auto st = s.env.db->for_each_meta(prefix, [&](std::string_view, std::string_view value) {
      auto j = json::parse(value, nullptr, false);
      if (!j.is_discarded()) each(j);
      return true;
    });
    if (!st) spdlog::error("voice: cannot read the stored {}: {}", prefix, st.message());
  };
  read("spike/", [&](const json& j) { s.spikes.push_back(spike_from(j)); });
  read("marker/", [&](const json& j) {
    s.markers.push_back({j.value("id", ""), from_ms(j.value("at", int64_t{0})), j.value("text", ""),
                         j.value("topic", "")});
  });
  s.marker_seq = s.markers.size();
}

voice_actor::behavior_type voice_behavior(self_ptr self, runtime_env env, voice_seed seed,
                                          std::function<partition_actor(const std::string&)> pf) {
  auto& s = self->state;
  s.env = std::move(env);
  s.partition_for = std::move(pf);
  s.counts.resize(std::max<uint32_t>(1, s.env.partitions));
  for (auto& t : seed.tickets) {
    if (!t.problem_topic.empty()) {
      s.problems[t.id] = {t.id, t.problem_topic, t.opened, t.status, t.owner, t.linked};
      if (t.status == "open") s.open_problem[t.problem_topic] = t.id;
      if (t.status != "open") s.told.insert(t.id);
      continue;
    }
    count(s, t.id, t.customer, t.topics, t.opened, t.sentiment);
    if (t.open && !t.historical) {
      index_entry e{t.id, t.topics, t.text, t.opened};
      for (auto* key : {&t.customer, &t.contact})
        if (!key->empty()) s.by_customer[*key].push_back(e);
    }
  }
  load_stored(s);
  return {
      [=](committed_atom, const commit_batch& batch) {
        for (auto& c : *batch) fold(self, c);
      },
      [=](repeat_atom, const ticket_fields& f) { return find_repeat(self, f); },
      [=](series_atom, const series_query& q) { return series(self, q); },
      [=](topics_atom) { return summaries(self); },
      [=](spikes_atom, time_point from, time_point to) {
        std::vector<spike_record> out;
        for (auto& x : self->state.spikes)
          if (x.at >= from && x.at < to) out.push_back(x);
        return out;
      },
      [=](problems_atom) {
        std::vector<problem_info> out;
        for (auto& [_, p] : self->state.problems) out.push_back(p);
        return out;
      },
      [=](marker_atom, marker& m) { return add_marker(self, std::move(m)); },
  };
}

}  // namespace

void voice_seed::add(const ticket& t) {
  auto* problem = problem_topic(*t.info);
  bool indexed = t.status != ticket_status::closed && !t.historical;
  if (t.topics.empty() && !problem && !indexed) return;  // nothing the voice keeps of it
  entry e;
  e.id = t.id;
  e.customer = t.info->customer;
  e.contact = t.info->contact;
  if (indexed) e.text = t.info->text.substr(0, 2000);
  e.topics = t.topics;
  e.opened = t.opened_at;
  e.open = t.status != ticket_status::closed;
  e.historical = t.historical;
  if (problem) e.problem_topic = *problem;
  e.status = std::string{to_string(t.status)};
  e.owner = t.owner;
  e.linked = t.linked;
  e.sentiment = t.sentiment_before;
  e.has_sentiment = t.has_before;
  tickets.push_back(std::move(e));
}

voice_actor spawn_voice(caf::actor_system& sys, runtime_env env, voice_seed seed,
                        std::function<partition_actor(const std::string&)> partition_for) {
  return sys.spawn(voice_behavior, std::move(env), std::move(seed), std::move(partition_for));
}

}  // namespace vocflow::actors
