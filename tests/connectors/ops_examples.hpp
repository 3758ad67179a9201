// The ready-made ops files (examples/ops/): the PromQL of the Grafana dashboard and of the alert
// rules, so that tests can run each against a real Prometheus and check the metrics they name.
#pragma once

#include "tests/workflows/fixture.hpp"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace vocflow::testing {

inline std::string ops_file(const std::string& name) {
  return example("ops/" + name);
}

// Every expression of the dashboard's panels (Grafana variables replaced by what "All" and a
// 1-minute rate interval give) and of rules.yml.
inline std::vector<std::string> ops_expressions() {
  std::vector<std::string> out;
  std::ifstream in{ops_file("grafana-dashboard.json")};
  auto dash = nlohmann::json::parse(in);
  for (auto& p : dash["panels"])
    for (auto& t : p.value("targets", nlohmann::json::array())) {
      auto e = t["expr"].get<std::string>();
      e = std::regex_replace(e, std::regex{R"(\$__rate_interval)"}, "1m");
      e = std::regex_replace(e, std::regex{R"(\$(flow|department))"}, ".*");
      out.push_back(e);
    }
  for (auto g : YAML::LoadFile(ops_file("rules.yml"))["groups"])
    for (auto r : g["rules"]) out.push_back(r["expr"].as<std::string>());
  return out;
}

// The metric families the expressions read (histogram series as their family).
inline std::set<std::string> ops_metric_names() {
  std::set<std::string> names;
  std::regex metric{R"(\b(vocflow|process)_[a-z_]+)"};
  for (auto& e : ops_expressions())
    for (std::sregex_iterator it{e.begin(), e.end(), metric}, end; it != end; ++it)
      names.insert(std::regex_replace(it->str(), std::regex{"_(bucket|sum|count)$"}, ""));
  return names;
}

// The families a /metrics answer declares (its "# TYPE name kind" lines).
inline std::set<std::string> exposed_families(const std::string& exposition) {
  std::set<std::string> out;
  std::regex type{R"(^# TYPE (\S+) )", std::regex::multiline};
  for (std::sregex_iterator it{exposition.begin(), exposition.end(), type}, end; it != end; ++it)
    out.insert((*it)[1]);
  return out;
}

}  // namespace vocflow::testing
