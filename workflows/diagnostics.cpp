#include "workflows/diagnostics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

namespace vocflow {

std::string to_string(const diagnostic& d) {
  return fmt::format("{}:{}:{}: {}[{}]: {}", d.file, d.pos.line, d.pos.column,
                     d.level == severity::error ? "error" : "warning", d.code, d.message);
}

void diagnostics::error(std::string file, source_pos pos, std::string code, std::string message) {
  items_.push_back({std::move(file), pos, severity::error, std::move(code), std::move(message)});
}

void diagnostics::warning(std::string file, source_pos pos, std::string code, std::string message) {
  items_.push_back({std::move(file), pos, severity::warning, std::move(code), std::move(message)});
}

bool diagnostics::has_errors() const {
  return error_count() > 0;
}

size_t diagnostics::error_count() const {
  return std::count_if(items_.begin(), items_.end(),
                       [](auto& d) { return d.level == severity::error; });
}

void diagnostics::sort() {
  std::stable_sort(items_.begin(), items_.end(), [](auto& a, auto& b) {
    return std::tie(a.file, a.pos.line, a.pos.column) < std::tie(b.file, b.pos.line, b.pos.column);
  });
}

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string suggest(std::string_view word, const std::vector<std::string>& known) {
  std::string best;
  size_t best_distance = 3;
  for (auto& k : known) {
    auto d = edit_distance(word, k);
    if (d < best_distance) best = k, best_distance = d;
  }
  return best;
}

}  // namespace vocflow
