// A partition actor: owns the tickets whose id hashes to `index` (see env.hpp). Spawns and
// links its own timer service. See interfaces.hpp for its messages.
#pragma once

#include "actors/env.hpp"
#include "actors/interfaces.hpp"

namespace vocflow::actors {

// `subscribers` get its commits from the first one on (a subscription sent later could reach
// it after the first commands). On a thread of its own with env.cfg.dedicated_threads.
partition_actor spawn_partition(caf::actor_system& sys, runtime_env env, uint16_t index,
                                std::vector<subscriber_actor> subscribers = {});

}  // namespace vocflow::actors
