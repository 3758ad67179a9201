// CSV as real exports write it (RFC 4180): fields separated by a delimiter (a comma unless
// said otherwise), quoted fields may hold delimiters, quotes ("") and line breaks, lines end in
// \n or \r\n, and the last line may be short or lack its line break. Used by the file import
// and the benchmarks.
#pragma once

#include "workflows/ticket.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace vocflow::connectors {

class csv_reader {
 public:
  // Reads `text`, which must outlive the reader; a UTF-8 byte-order mark is skipped.
  explicit csv_reader(std::string_view text, char delimiter = ',');
  // The next record; false at the end of the input.
  bool next(std::vector<std::string>& row);
  size_t line() const { return line_; }      // where the last record started (1-based)
  size_t offset() const { return offset_; }  // bytes read so far

 private:
  std::string_view text_;
  char delimiter_;
  size_t offset_ = 0;
  size_t line_ = 0;
  size_t next_line_ = 1;
};

// A CFPB complaint (the columns of ../shared/data/cfpb_complaints_2014.csv) as ticket fields:
// channel = Submitted via, category = Product, product = Sub-product, text = Issue + Sub-issue,
// customer = a hash of ZIP code and Company; the other columns go to `extra`.
ticket_fields cfpb_fields(const std::vector<std::string>& header,
                          const std::vector<std::string>& row);

}  // namespace vocflow::connectors
