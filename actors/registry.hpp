// The flow registry: deploys new flow versions at run time, checked against the organization
// (errors with line and column), stored, then published to the partitions. Tickets already
// running stay on their version; new tickets take the newest.
#pragma once

#include "actors/env.hpp"
#include "actors/interfaces.hpp"

namespace vocflow::actors {

registry_actor spawn_registry(caf::actor_system& sys, const runtime_env& env);

// The same deploy, without an actor (the registry calls it; so can a test). With `check`,
// only what deploying would say: the diagnostics, and ok when it would deploy; nothing stored.
enum class deploy_mode : uint8_t { deploy, check };
deploy_result deploy_flow(flow_library& library, storage::store& db, const std::string& yaml,
                          const std::string& name, deploy_mode mode = deploy_mode::deploy);

}  // namespace vocflow::actors
