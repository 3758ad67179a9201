#include "connectors/csv.hpp"

#include <fmt/format.h>

namespace vocflow::connectors {

csv_reader::csv_reader(std::string_view text, char delimiter) : text_(text), delimiter_(delimiter) {
  if (text_.starts_with("\xEF\xBB\xBF")) offset_ = 3;
}

bool csv_reader::next(std::vector<std::string>& row) {
  row.clear();
  line_ = next_line_;
  if (offset_ >= text_.size()) return false;
  std::string field;
  bool quoted = false;
  size_t i = offset_;
  for (; i < text_.size(); ++i) {
    char c = text_[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text_.size() && text_[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++next_line_;
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == delimiter_) {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      ++next_line_;
      ++i;
      break;
    } else if (c != '\r') {
      field.push_back(c);
    }
  }
  offset_ = i;
  row.push_back(std::move(field));
  return true;
}

ticket_fields cfpb_fields(const std::vector<std::string>& header,
                          const std::vector<std::string>& row) {
  auto col = [&](std::string_view name) -> std::string {
    for (size_t i = 0; i < header.size() && i < row.size(); ++i)
      if (header[i] == name) return row[i];
    return {};
  };
  ticket_fields t;
  t.channel = col("Submitted via");
  t.category = col("Product");
  t.product = col("Sub-product");
  auto issue = col("Issue"), sub = col("Sub-issue");
  t.text = sub.empty() ? issue : issue + " - " + sub;
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : col("ZIP code") + "|" + col("Company")) h = (h ^ c) * 1099511628211ull;
  t.customer = fmt::format("C-{:016x}", h);
  for (auto key : {"Complaint ID", "State", "Company", "Date received"})
    if (auto v = col(key); !v.empty()) t.extra[key] = v;
  return t;
}

}  // namespace vocflow::connectors
