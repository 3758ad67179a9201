// A partition actor: owns the tickets whose id hashes to `index` (see env.hpp). Spawns and
// links its own timer service. See interfaces.hpp for its messages.
#pragma once

#include "actors/env.hpp"
#include "actors/interfaces.hpp"

namespace vocflow::actors {

partition_actor spawn_partition(caf::actor_system& sys, runtime_env env, uint16_t index,
                                bool detached);

}  // namespace vocflow::actors
