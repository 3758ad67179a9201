// Strict reading of YAML documents written by people: every mapping key must be known (a
// misspelt key is an error, with a suggestion), duplicate keys are errors, and every value is
// checked for its type. Each problem is reported at its line and column; reading goes on so
// that one run reports every error.
#pragma once

#include "workflows/diagnostics.hpp"
#include "workflows/duration.hpp"
#include "workflows/money.hpp"

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vocflow {

// A name written in a file, kept with its position so that a later check can point at it.
struct named_ref {
  std::string name;
  source_pos pos;
  bool operator==(const named_ref& o) const { return name == o.name; }
};

// Parses one YAML document; nullopt, with a yaml-syntax error at its line and column, when it
// is not YAML.
[[nodiscard]] std::optional<YAML::Node> parse_yaml(const std::string& path, const std::string& text,
                                                   diagnostics& diags);

class yaml_context {
 public:
  yaml_context(std::string file, diagnostics& diags) : file_(std::move(file)), diags_(diags) {}

  const std::string& file() const { return file_; }
  diagnostics& diags() { return diags_; }
  static source_pos pos(const YAML::Node& n);

  void error(const YAML::Node& at, std::string code, std::string message);
  void error(source_pos at, std::string code, std::string message);
  void warning(source_pos at, std::string code, std::string message);

 private:
  std::string file_;
  diagnostics& diags_;
};

// A mapping read strictly. With `known` keys, any other key is an unknown-field error; without
// (free-key mappings such as steps), every key is accepted. Duplicate keys are errors.
class map_view {
 public:
  using entry = std::pair<YAML::Node, YAML::Node>;

  map_view(yaml_context& cx, const YAML::Node& node, std::string_view what,
           std::vector<std::string> known = {});

  bool ok() const { return ok_; }
  // The value of `key`, or nullopt when absent.
  std::optional<YAML::Node> get(std::string_view key) const;
  // The value of a required key; reports missing-field at the mapping when absent.
  std::optional<YAML::Node> require(std::string_view key) const;
  // Every (key, value) in file order, duplicates removed.
  const std::vector<entry>& entries() const { return entries_; }

 private:
  yaml_context& cx_;
  YAML::Node node_;
  std::string what_;
  bool ok_ = false;
  std::vector<entry> entries_;
};

// Typed scalar reads; each reports a typed error at the node and returns nullopt on failure.
[[nodiscard]] std::optional<std::string> read_string(yaml_context& cx, const YAML::Node& n,
                                                     std::string_view what);
[[nodiscard]] std::optional<named_ref> read_name(yaml_context& cx, const YAML::Node& n,
                                                 std::string_view what);
[[nodiscard]] std::optional<int64_t> read_int(yaml_context& cx, const YAML::Node& n,
                                              std::string_view what, int64_t min, int64_t max);
[[nodiscard]] std::optional<bool> read_bool(yaml_context& cx, const YAML::Node& n,
                                            std::string_view what);
[[nodiscard]] std::optional<duration_spec> read_duration(yaml_context& cx, const YAML::Node& n,
                                                         std::string_view what);
// "80%" -> 80.0 within (0, max_percent].
[[nodiscard]] std::optional<double> read_percent(yaml_context& cx, const YAML::Node& n,
                                                 std::string_view what, double max_percent = 100);
[[nodiscard]] std::optional<money> read_money(yaml_context& cx, const YAML::Node& n,
                                              std::string_view what);
// The string at `key` of `m` into `out`, when it is there (reported when it is not a string).
void read_text(yaml_context& cx, const map_view& m, std::string_view key, std::string& out);
// A scalar or a list of scalars: `notify: cs_supervisor` or `notify: [a, b]`.
std::vector<named_ref> read_names(yaml_context& cx, const YAML::Node& n, std::string_view what);

}  // namespace vocflow
