// Calling actors from I/O threads without blocking them (the CAF notes' idiom D): a one-shot
// actor sends the request with a finite timeout and hands the answer, or the error, to a
// callback, which runs on a CAF worker thread (post back to your own executor from there).
#pragma once

#include <caf/all.hpp>

#include <functional>
#include <string>

namespace vocflow::connectors {

template <class Result>
struct reply {
  std::optional<Result> value;
  std::string error;  // set when there is no value (timeout, actor gone)
};

template <class Result, class Handle, class... Ts>
void ask(caf::actor_system& sys, const Handle& dest, std::chrono::milliseconds timeout,
         std::function<void(reply<Result>)> done, Ts... args) {
  sys.spawn([=](caf::event_based_actor* self) {
    self->request(dest, timeout, args...)
        .then(
            [=](Result& r) {
              done({std::move(r), {}});
            },
            [=](caf::error& e) {
              done({std::nullopt, self->system().render(e)});
            });
  });
}

}  // namespace vocflow::connectors
