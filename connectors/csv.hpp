// RFC 4180 CSV: fields separated by commas, quoted fields may hold commas, quotes ("") and
// line breaks. Used by the file-import connector and the benchmarks.
#pragma once

#include "workflows/ticket.hpp"

#include <istream>
#include <string>
#include <vector>

namespace vocflow::connectors {

class csv_reader {
 public:
  explicit csv_reader(std::istream& in) : in_(in) {}
  // The next record; false at the end of the input.
  bool next(std::vector<std::string>& row);
  size_t line() const { return line_; }  // where the last record started (1-based)

 private:
  std::istream& in_;
  size_t line_ = 0;
  size_t next_line_ = 1;
};

// A CFPB complaint (the columns of ../shared/data/cfpb_complaints_2014.csv) as ticket fields:
// channel = Submitted via, category = Product, product = Sub-product, text = Issue + Sub-issue,
// customer = a hash of ZIP code and Company; the other columns go to `extra`.
ticket_fields cfpb_fields(const std::vector<std::string>& header,
                          const std::vector<std::string>& row);

}  // namespace vocflow::connectors
