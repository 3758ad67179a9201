// `vocflow import`: exports brought in as tickets (connectors/importer.hpp).
#pragma once

#include <string>
#include <vector>

namespace vocflow::app {

struct import_options {
  std::vector<std::string> files;
  std::string mapping;
  std::string data_dir;  // a stopped data folder, written in this process...
  std::string url;       // ...or a running server
  std::string token;     // default $VOCFLOW_TOKEN
  std::string config_file = "config/vocflow.yaml";  // with --data: flows and runtime settings
  bool config_given = false;
  std::string flows_dir;    // with --data: overrides flows.dir
  std::string topics_file;  // with --data: overrides flows.topics
  bool historical = false;
  bool dry_run = false;
  std::string rejects;  // default: <first file>.rejects.csv
};
int run_import(const import_options& o);

}  // namespace vocflow::app
