#include "connectors/csv.hpp"

#include <fmt/format.h>

namespace vocflow::connectors {

bool csv_reader::next(std::vector<std::string>& row) {
  row.clear();
  line_ = next_line_;
  std::string field;
  bool quoted = false, any = false;
  int c;
  while ((c = in_.get()) != EOF) {
    any = true;
    if (quoted) {
      if (c == '"') {
        if (in_.peek() == '"') {
          field.push_back('"');
          in_.get();
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++next_line_;
        field.push_back(static_cast<char>(c));
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      ++next_line_;
      break;
    } else if (c != '\r') {
      field.push_back(static_cast<char>(c));
    }
  }
  if (!any) return false;
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
