// Loading what process owners write: organization documents (roles, departments, business
// calendars) and flow documents, checked together. Every problem is reported, each at its
// file:line:column; a catalog is usable only when there are no errors.
#pragma once

#include "workflows/diagnostics.hpp"
#include "workflows/model.hpp"
#include "workflows/topics.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vocflow {

struct source_file {
  std::string path;  // as shown in diagnostics
  std::string text;
};

struct catalog {
  organization org;
  std::vector<std::shared_ptr<const flow>> flows;  // every loaded version
  std::shared_ptr<const topic_set> topics;         // the newest version loaded; null when none

  // The flow with that id at `version`, or its newest version when version is 0.
  std::shared_ptr<const flow> find(std::string_view id, int32_t version = 0) const;
};

// Loads every document of every file (a file may hold several, separated by ---). A document
// with `kind: organization` declares roles, departments and calendars; `kind: topics` what
// complaints are about (workflows/topics.hpp); any other is a flow.
// Flows are checked against the organization of the same load.
catalog load_catalog(const std::vector<source_file>& files, diagnostics& diags);

// Loads one flow against an existing organization (deploying a new version at run time).
// nullptr when it has errors; warnings are reported too.
[[nodiscard]] std::shared_ptr<const flow> load_flow(const source_file& file,
                                                    const organization& org, diagnostics& diags);

// Loads one topics document against an organization and the flows deployed (a spike's problem
// flow must be one of them). nullptr when it has errors.
[[nodiscard]] std::shared_ptr<const topic_set> load_topics(const source_file& file,
                                                           const organization& org,
                                                           const std::vector<std::string>& flow_ids,
                                                           diagnostics& diags);

// Reads a file from disk; reports io-error and returns nullopt when it cannot.
[[nodiscard]] std::optional<source_file> read_source(const std::string& path, diagnostics& diags);

// The files a command line names, plus the organization file beside each flow when none of
// the named files declares an organization: `organization.yaml` in the flow's folder.
std::vector<std::string> with_organization(std::vector<std::string> paths);

}  // namespace vocflow
