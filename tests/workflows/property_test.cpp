// Property: over 10,000 random command sequences on every example flow, nothing crashes the
// engine; each decision's `next` is exactly its events applied to the ticket; the timers the
// effects arm and cancel are exactly the timers the ticket holds; and replaying the whole
// history rebuilds the live state.
#include "tests/workflows/fixture.hpp"
#include "workflows/engine.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace vocflow {
namespace {

using namespace std::chrono_literals;

constexpr int sequences = 10'000;

std::map<uint64_t, time_point> armed(const ticket& t) {
  std::map<uint64_t, time_point> out;
  for (auto& c : t.clocks)
    if (c.timer) out[c.timer] = c.due;
  return out;
}

class random_sequence {
 public:
  random_sequence(uint64_t seed, const std::vector<std::shared_ptr<const flow>>& flows)
      : rng_(seed), f_(*flows[pick(flows.size())]) {
    now_ = *f_.cal->parse_local("2026-01-05 08:00") + millis{uniform(0, 300LL * 86'400'000)};
  }

  // Runs the sequence; returns how many commands were accepted. Adds the event types it saw.
  int run(std::set<std::string>& seen) {
    command open;
    open.action = "open";
    open.by = {"intake", "system"};
    open.ticket_id = "T-" + std::to_string(uniform(1, 1'000'000));
    open.info = random_fields();
    if (uniform(0, 1)) open.reading = random_reading();
    send(open);
    int n = static_cast<int>(uniform(5, 40));
    for (int i = 0; i < n && !::testing::Test::HasFailure(); ++i) {
      auto dice = uniform(0, 99);
      if (dice < 30) {
        advance();
      } else if (dice < 37) {
        command fire;
        fire.action = "timer";
        fire.by = {"system:timer", "system"};
        fire.timer = timers_.empty() || uniform(0, 1) ? uniform(0, 50) : timers_.begin()->first;
        send(fire);
      } else {
        send(random_command());
      }
    }
    EXPECT_EQ(replay(log_), t_) << "replay differs from live state";
    for (auto& e : log_) seen.emplace(e.type());
    return accepted_;
  }

 private:
  int64_t uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  size_t pick(size_t n) { return static_cast<size_t>(uniform(0, static_cast<int64_t>(n) - 1)); }
  template <class T>
  const T& one_of(const std::vector<T>& v) {
    return v[pick(v.size())];
  }

  ticket_fields random_fields() {
    static const std::vector<std::string> cats = {"returns",  "app", "billing",
                                                  "delivery", "",    "Credit card"};
    static const std::vector<std::string> sev = {"low", "normal", "high", "critical", ""};
    ticket_fields t;
    t.customer = "C-" + std::to_string(uniform(1, 50));
    t.channel = one_of(std::vector<std::string>{"web", "phone", "app"});
    t.category = one_of(cats);
    t.product = one_of(std::vector<std::string>{"apparel", "shoes", "card", ""});
    t.severity = one_of(sev);
    t.text = "complaint text";
    if (uniform(0, 3) == 0) t.tags = {"repeat_caller"};
    return t;
  }

  text_reading random_reading() {
    static const std::vector<std::string> topics = {"apparel/size", "app/crash", "delivery"};
    text_reading r;
    for (auto& t : topics)
      if (uniform(0, 2) == 0) r.topics.push_back(t), r.why.push_back("any \"x\"");
    r.sentiment = static_cast<double>(uniform(-10, 10)) / 10.0;
    r.topics_version = static_cast<int32_t>(uniform(0, 3));
    return r;
  }

  command random_command() {
    std::vector<std::string> actions = allowed_actions(f_, t_, now_);
    for (auto& s : f_.steps)
      for (auto& tr : s.on) actions.push_back(tr.action);
    for (auto a :
         {"bogus", "open", "confirm", "reopen", "feedback", "complete_task", "approve_compensation",
          "supplier_reply", "repeat_contact", "link_problem", "link_complaint", "problem_resolved",
          "reclassify", "customer_reply", "flag_spike"})
      actions.emplace_back(a);
    static const std::vector<std::string> roles = {"agent",      "agent",      "agent",
                                                   "supervisor", "cs_manager", "finance",
                                                   "customer",   "system",     "stranger"};
    static const std::vector<std::string> departments = {"logistics", "engineering", "delivery",
                                                         "sales",     "nowhere",     ""};
    command c;
    c.action = one_of(actions);
    c.by.role = one_of(roles);
    c.by.id = c.by.role + "-" + std::to_string(uniform(1, 3));
    c.text = uniform(0, 4) ? "some words" : "";
    c.to = one_of(departments);
    if (uniform(0, 1)) c.amount = money{uniform(-100, 60'000)};
    if (!t_.tasks.empty() && uniform(0, 3))
      c.task = t_.tasks[pick(t_.tasks.size())].name;
    else if (uniform(0, 1))
      c.task = "no-such-task";
    if (!t_.requests.empty() && uniform(0, 1)) c.request = t_.requests[0].id;
    if (uniform(0, 1)) c.csat = static_cast<int32_t>(uniform(-1, 7));
    if (uniform(0, 1)) c.sentiment = static_cast<double>(uniform(-15, 15)) / 10.0;
    c.customer_granted = money{uniform(0, 120'000)};
    c.other = one_of(std::vector<std::string>{"", "P-1", "T-2", "T-3"});
    c.info = random_fields();
    if (uniform(0, 2)) c.reading = random_reading();
    return c;
  }

  // Time passes; the timers due meanwhile fire at their due times, as the runtime fires them.
  void advance() {
    auto until = now_ + millis{uniform(60'000, 3LL * 86'400'000)};
    while (!timers_.empty()) {
      auto next = std::min_element(timers_.begin(), timers_.end(),
                                   [](auto& a, auto& b) { return a.second < b.second; });
      if (next->second > until) break;
      command fire;
      fire.action = "timer";
      fire.by = {"system:timer", "system"};
      fire.timer = next->first;
      now_ = std::max(now_, next->second);
      auto ok = send(fire);
      ASSERT_TRUE(ok) << "a due timer the effects armed was refused";
    }
    now_ = until;
  }

  bool send(const command& cmd) {
    auto out = decide(f_, t_, cmd, now_);
    auto* d = std::get_if<decision>(&out);
    if (!d) return false;
    ++accepted_;
    ticket folded = t_;
    uint64_t seq = t_.seq;
    for (auto& e : d->events) {
      EXPECT_EQ(e.seq, ++seq);
      EXPECT_EQ(e.at, now_);
      EXPECT_EQ(e.actor, cmd.by.id);
      EXPECT_EQ(e.role, cmd.by.role);
      apply(folded, e);
    }
    EXPECT_EQ(folded, d->next) << "next differs from events applied, action " << cmd.action;
    for (auto& fx : d->effects) {
      if (auto* a = std::get_if<arm_timer>(&fx)) {
        EXPECT_GE(a->due, now_) << "timer armed in the past";
        EXPECT_TRUE(timers_.emplace(a->timer, a->due).second) << "timer id reused";
      }
      if (auto* c = std::get_if<cancel_timer>(&fx)) {
        EXPECT_EQ(timers_.erase(c->timer), 1u);
      }
    }
    EXPECT_EQ(timers_, armed(d->next))
        << "effects and state disagree on timers, action " << cmd.action;
    log_.insert(log_.end(), d->events.begin(), d->events.end());
    t_ = std::move(d->next);
    check_invariants();
    return true;
  }

  void check_invariants() {
    std::set<uint32_t> ids;
    for (auto& c : t_.clocks) {
      EXPECT_TRUE(ids.insert(c.id).second) << "duplicate clock id";
      if (t_.status == ticket_status::closed) {
        EXPECT_TRUE(c.kind == clock_kind::task && c.step.empty())
            << "clock left running on a closed ticket";
      }
    }
    if (t_.status == ticket_status::closed) {
      EXPECT_EQ(t_.holds, 0);
    }
    EXPECT_GE(t_.granted.minor, 0);
    EXPECT_FALSE(t_.step.empty());
    EXPECT_TRUE(f_.find(t_.step));
  }

  std::mt19937_64 rng_;
  const flow& f_;
  time_point now_;
  ticket t_;
  std::vector<event> log_;
  std::map<uint64_t, time_point> timers_;
  int accepted_ = 0;
};

TEST(EngineProperty, RandomSequencesReplayExactlyAndNeverCrash) {
  auto& flows = testing::examples().flows;
  ASSERT_FALSE(flows.empty());
  long accepted = 0;
  std::set<std::string> seen;
  for (int i = 0; i < sequences; ++i) {
    SCOPED_TRACE("sequence seed " + std::to_string(i));
    accepted += random_sequence(static_cast<uint64_t>(i), flows).run(seen);
    if (HasFailure()) break;  // one seed to reproduce is enough
  }
  // The sequences must exercise the engine, not bounce off it: every kind of event happens.
  EXPECT_GT(accepted, sequences * 5);
  std::vector<std::string_view> all;
  [&]<size_t... I>(std::index_sequence<I...>) {
    (all.push_back(std::variant_alternative_t<I, event_body>::type), ...);
  }
  (std::make_index_sequence<std::variant_size_v<event_body>>{});
  for (auto type : all) EXPECT_TRUE(seen.contains(std::string{type})) << type << " never happened";
  RecordProperty("accepted_commands", std::to_string(accepted));
}

}  // namespace
}  // namespace vocflow
