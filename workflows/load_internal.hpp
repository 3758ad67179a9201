// Internals of the loader, shared by its .cpp files only.
#pragma once

#include "workflows/catalog.hpp"
#include "workflows/yaml_reader.hpp"

namespace vocflow::detail {

// Adds the roles, departments and calendars of one organization document to `org`.
void read_organization(yaml_context& cx, const YAML::Node& doc, organization& org);

// Reads one flow document; structural errors are reported, references are not checked yet.
std::shared_ptr<flow> read_flow(yaml_context& cx, const YAML::Node& doc);

// A `match:` of fields (a flow's, a topic's): each field one value or a list of values
// (equal, {prefix}, {contains}, {regex}); unknown fields are errors with a suggestion.
void read_match(yaml_context& cx, const YAML::Node& n, match_rule& out);

// Checks a flow's references against the organization and its own steps, resolves its
// calendar, and warns about unreachable steps and steps with no way to a final step.
void check_flow(yaml_context& cx, flow& f, const organization& org);

}  // namespace vocflow::detail
