// Problems found in a process owner's files, each at file:line:column with a stable code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vocflow {

struct source_pos {
  int line = 0;  // 1-based; 0 when unknown
  int column = 0;
  bool operator==(const source_pos&) const = default;
};

enum class severity { error, warning };

struct diagnostic {
  std::string file;
  source_pos pos;
  severity level = severity::error;
  std::string code;  // stable, kebab-case: "unknown-step", "bad-duration", ...
  std::string message;
};

// "file:line:column: error[code]: message"
std::string to_string(const diagnostic& d);

class diagnostics {
 public:
  void error(std::string file, source_pos pos, std::string code, std::string message);
  void warning(std::string file, source_pos pos, std::string code, std::string message);

  bool has_errors() const;
  size_t error_count() const;
  const std::vector<diagnostic>& items() const { return items_; }
  // Orders by file, line, column (the order a reader fixes them in).
  void sort();

 private:
  std::vector<diagnostic> items_;
};

// The known word nearest to `word` (edit distance <= 2), or "" when none is that close.
std::string suggest(std::string_view word, const std::vector<std::string>& known);

}  // namespace vocflow
