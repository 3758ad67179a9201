// Internals of decide(): one decider per command. It works on a copy of the ticket, applying
// each event as it emits it, so later rules see the state earlier events made; the timers to
// arm and cancel are the difference between the clocks before and after.
#pragma once

#include "workflows/actions.hpp"
#include "workflows/engine.hpp"
#include "workflows/sla.hpp"

#include <optional>

namespace vocflow::detail {

class decider {
 public:
  decider(const flow& f, const ticket& t, const command& cmd, time_point now, wanted_effects wanted)
      : f_(f), before_(t), t_(t), cmd_(cmd), now_(now), at_(now), wanted_(wanted) {}

  outcome run();

 private:
  // Emitting and rejecting.
  template <class E>
  void emit(E body) {
    event e{t_.seq + 1, at_, cmd_.by.id, cmd_.by.role, std::move(body)};
    apply(t_, e);
    events_.push_back(std::move(e));
  }
  void reject(reject_code code, std::string message, std::vector<std::string> allowed = {});
  bool rejected() const { return rejection_.has_value(); }
  void notify_to(std::vector<std::string> to, std::string subject, std::string_view type);
  // Whether notifications are wanted: test it before building one (its subject is formatted).
  bool notifying() const { return wanted_.notify; }
  void enqueue_on(const std::string& department);
  // Who the command's author is, as a bit of `takers`.
  uint8_t taker() const;

  // Actions (decide.cpp).
  void forbid(const action_info& info);
  void dispatch(const action_info& info);
  bool open_ticket(bool historical);
  void open();
  void record();
  void respond(bool ask);
  void customer_reply();
  void supplier(bool waiting);
  void add_note();
  void assign();
  void hand_off();
  void complete_task();
  void give_feedback();
  void reopen_closed();
  void take(const transition& tr);
  void enter(const std::string& target, const std::string& via);
  void close(std::string reason);
  void reopen_cycle();
  void set_hold(hold h, bool on, std::string text);
  // A classified event for the command's reading of the customer's text, when it has one.
  void read_text(std::string_view of);
  void repeat_contact();
  void link(action id);
  // Emits an escalation level's effects (reassign, priority, notify) as `e`.
  void escalate(const escalation_level& lvl, ev::escalated e, std::string subject);

  // Clocks (decide_sla.cpp).
  void timer_fired();
  void start_clock(clock_kind kind, std::string step, std::string name,
                   const duration_spec& within);
  void stop_clock(uint32_t clock);
  void pause_clocks();
  void resume_clocks();
  millis consumed(const sla_clock& c) const;
  // The timer for the first threshold not in `fired`: {0, {}} when none is left.
  std::pair<uint64_t, time_point> next_timer(const sla_clock& c, uint32_t fired) const;
  void fire(const sla_clock& c, const threshold& th, uint32_t index, uint64_t timer,
            time_point due);

  // Compensation (decide_compensation.cpp).
  // False, with the command rejected, unless the flow grants compensation and an amount is given.
  bool compensation_asked();
  void grant();
  void request_compensation();
  void decide_request(bool approve);
  void check_root_cause();
  std::string approver_for(money cumulative, bool over_customer_cap) const;

  const flow& f_;
  const ticket& before_;
  ticket t_;
  const command& cmd_;
  const action_info* info_ = nullptr;  // the command's action, once run() looked it up
  time_point now_;
  time_point at_;  // when the events emitted happen: now, but for a complaint from history
  wanted_effects wanted_;
  std::vector<event> events_;
  std::vector<effect> effects_;
  std::optional<rejection> rejection_;
};

// Whether a clock kind stops while the ticket waits in a pause_while state.
inline bool pausable(clock_kind k) {
  return k == clock_kind::first_response || k == clock_kind::resolution || k == clock_kind::step;
}

// "50 CNY"
std::string format_amount(const flow& f, money m);

}  // namespace vocflow::detail
