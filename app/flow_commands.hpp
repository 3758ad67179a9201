// Process owners' commands: validate, simulate and draw flows. They read files, run the pure
// engine and print; they return the process exit code.
#pragma once

#include <string>
#include <vector>

namespace vocflow::app {

struct validate_options {
  std::vector<std::string> files;
  std::string organization_file;  // default: organization.yaml beside the flows
  bool warnings_are_errors = false;
  bool quiet = false;  // only problems, no summary
  // Real complaints to check the flows' `match` rules against, read by an intake mapping.
  std::vector<std::string> samples;
  std::string mapping;
};
int run_validate(const validate_options& o);

struct simulate_options {
  std::string flow_file;
  std::string scenario_file;
  std::string organization_file;  // default: organization.yaml beside the flow
  bool json = false;
};
int run_simulate(const simulate_options& o);

struct graph_options {
  std::string flow_file;
  std::string organization_file;
  std::string format = "dot";  // dot | mermaid
  std::string output;          // default: stdout
};
int run_graph(const graph_options& o);

// How much each topic of a topics file catches in an export, and what nothing catches.
struct topics_report_options {
  std::vector<std::string> samples;
  std::string mapping;
  std::string topics_file;
  std::string organization_file;  // default: organization.yaml beside the topics file
  size_t unmatched = 10;          // how many texts no topic catches are shown
};
int run_topics_report(const topics_report_options& o);

}  // namespace vocflow::app
