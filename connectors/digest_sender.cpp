#include "connectors/digest_sender.hpp"

#include "connectors/http_client.hpp"
#include "connectors/voice_report.hpp"
#include "connectors/webhook.hpp"

#include <date/tz.h>
#include <spdlog/spdlog.h>

namespace vocflow::connectors {
namespace {

using actors::poke_atom;
using actors::wake_atom;
constexpr millis retry_after{10 * 60'000};

struct sender_state {
  static inline const char* name = "vocflow.digest";
  actors::runtime_env env;
  digest_config cfg;
  const date::time_zone* zone = nullptr;
  time_point due;    // the Monday morning whose digest is sent next
  time_point retry;  // after a failed delivery; no_time when none
  uint64_t generation = 0;
};

using self_ptr = notifier_actor::stateful_pointer<sender_state>;

// The week a Monday's digest tells: the ISO week before it.
std::string week_before(time_point monday) {
  return iso_week_of(monday - std::chrono::days{3});
}

bool deliver(sender_state& s) {
  digest_options o;
  o.as_of = s.env.clock();
  o.week = week_before(s.due);
  o.from = *parse_iso_week(o.week);
  o.to = o.from + std::chrono::days{7};
  auto d = read_digest(*s.env.db, s.env.flows->topics(), o);
  if (auto* e = std::get_if<std::string>(&d)) {
    spdlog::error("digest {}: {}", o.week, *e);
    return false;
  }
  http_call c;
  auto slash = s.cfg.url.find('/', 7);
  c.base_url = s.cfg.url.substr(0, slash);
  c.target = slash == std::string::npos ? "/" : s.cfg.url.substr(slash);
  c.method = "POST";
  c.body = render_digest(std::get<digest>(d), s.cfg.format);
  c.content_type = s.cfg.format == "json"   ? "application/json"
                   : s.cfg.format == "html" ? "text/html; charset=utf-8"
                                            : "text/markdown; charset=utf-8";
  c.headers["X-Vocflow-Event"] = "digest";
  c.headers["X-Vocflow-Event-Id"] = "digest:" + o.week;
  if (!s.cfg.secret.empty())
    c.headers["X-Vocflow-Signature"] = webhook_signature(s.cfg.secret, c.body);
  auto r = send(c);
  if (r.status < 200 || r.status >= 300) {
    spdlog::warn("digest {}: {} answered {} {}", o.week, s.cfg.url, r.status, r.error);
    return false;
  }
  if (auto st = s.env.db->put_meta("digest/sent", o.week); !st)
    spdlog::error("digest {}: sent, but cannot record it: {}", o.week, st.message());
  spdlog::info("digest {} sent to {}", o.week, s.cfg.url);
  return true;
}

void schedule(self_ptr self) {
  auto& s = self->state;
  auto at = s.retry != no_time ? s.retry : s.due;
  auto wait = std::max(millis{0}, at - s.env.clock());
  auto real = std::chrono::milliseconds{
      static_cast<int64_t>(static_cast<double>(wait.count()) / std::max(1e-9, s.env.clock_rate))};
  self->delayed_send(self, real, wake_atom::value, ++s.generation);
}

// Sends what is due; returns 1 while a due digest is not delivered.
size_t look(self_ptr self) {
  auto& s = self->state;
  auto now = s.env.clock();
  if (now >= s.due && (s.retry == no_time || now >= s.retry)) {
    if (deliver(s)) {
      s.retry = no_time;
      s.due = next_monday(s.due, s.zone, s.cfg.at);
    } else {
      s.retry = now + retry_after;
    }
  }
  // A Monday passed unsent (vocflow was down the whole week): go on from this week.
  if (s.due + std::chrono::days{7} <= now) {
    s.due = next_monday(now - std::chrono::days{7}, s.zone, s.cfg.at);
    s.retry = no_time;
  }
  schedule(self);
  return s.retry != no_time ? 1 : 0;
}

}  // namespace

time_point next_monday(time_point after, const date::time_zone* zone, millis at) {
  auto local = zone ? date::local_time<millis>{zone->to_local(after).time_since_epoch()}
                    : date::local_time<millis>{after.time_since_epoch()};
  auto day = date::floor<date::days>(local);
  auto monday = day - (date::weekday{day} - date::Monday);
  for (int week = 0;; ++week) {
    auto when = monday + date::days{7 * week} + at;
    auto t = zone ? std::chrono::time_point_cast<millis>(zone->to_sys(when, date::choose::earliest))
                  : time_point{when.time_since_epoch()};
    if (t > after) return t;
  }
}

notifier_actor spawn_digest_sender(actors::runtime& rt, const digest_config& cfg) {
  auto env = rt.env();
  auto impl = [env, cfg](self_ptr self) -> notifier_actor::behavior_type {
    auto& s = self->state;
    s.env = env;
    s.cfg = cfg;
    if (!cfg.calendar.empty()) {
      auto& cals = env.flows->org().calendars;
      if (auto it = cals.find(cfg.calendar); it != cals.end())
        s.zone = it->second->zone();
      else
        spdlog::error("digest: no calendar `{}`; Monday is UTC's", cfg.calendar);
    }
    // The last Monday's digest, unless it was sent; then the next one.
    auto now = env.clock();
    s.due = next_monday(now - std::chrono::days{7}, s.zone, cfg.at);
    std::string sent;
    if (s.due <= now && env.db->meta("digest/sent", sent) && sent == week_before(s.due))
      s.due = next_monday(s.due, s.zone, cfg.at);
    s.retry = no_time;
    schedule(self);
    return {
        [](actors::committed_atom, const actors::commit_batch&) {},
        [=](poke_atom) -> size_t { return look(self); },
        [=](wake_atom, uint64_t generation) {
          if (generation == self->state.generation) look(self);
        },
    };
  };
  return rt.system().spawn<caf::detached>(impl);
}

}  // namespace vocflow::connectors
