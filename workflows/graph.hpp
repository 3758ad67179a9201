// Drawings of a flow for process owners: steps with their owners and SLAs, transitions,
// parallel branches, timeouts, reopening and escalation levels.
#pragma once

#include "workflows/model.hpp"

#include <string>

namespace vocflow {

std::string to_dot(const flow& f);      // Graphviz: render with `dot -Tsvg`
std::string to_mermaid(const flow& f);  // Mermaid flowchart, for Markdown pages

}  // namespace vocflow
