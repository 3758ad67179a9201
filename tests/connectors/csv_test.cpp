#include "connectors/csv.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace vocflow::connectors {
namespace {

std::vector<std::vector<std::string>> all(const std::string& text, char delimiter = ',') {
  csv_reader r{text, delimiter};
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> row;
  while (r.next(row)) out.push_back(row);
  return out;
}

TEST(Csv, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  auto rows = all("a,b,c\n1,\"Choice Recovery, Inc.\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\r\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1], (std::vector<std::string>{"1", "Choice Recovery, Inc.", "say \"hi\""}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"2", "two\nlines", ""}));
}

TEST(Csv, SkipsAByteOrderMarkTakesOtherDelimitersAndAShortLastLine) {
  auto rows = all("\xEF\xBB\xBFid;text;n\r\n1;\"a;b\";3\r\n2;\"\"", ';');
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].front(), "id");
  EXPECT_EQ(rows[1], (std::vector<std::string>{"1", "a;b", "3"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"2", ""}));
  EXPECT_TRUE(all("").empty());
  EXPECT_EQ(all("a\n\nb\n").size(), 3u);  // a blank line is a record of one empty field
}

TEST(Csv, ReadsTheWholeCfpbFile) {
  std::ifstream in{std::string{VOCFLOW_SOURCE_DIR} + "/../shared/data/cfpb_complaints_2014.csv"};
  if (!in) GTEST_SKIP() << "the CFPB data is not beside this checkout";
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  csv_reader r{text};
  std::vector<std::string> header, row;
  ASSERT_TRUE(r.next(header));
  size_t rows = 0, full = 0;
  ticket_fields first;
  while (r.next(row)) {
    if (rows == 0) first = cfpb_fields(header, row);
    ++rows;
    full += row.size() == header.size();
  }
  EXPECT_EQ(rows, 8340u);
  EXPECT_EQ(full, 8339u);  // the last row is short
  EXPECT_EQ(first.channel, "Web");
  EXPECT_EQ(first.category, "Debt collection");
  EXPECT_EQ(first.product, "Medical");
  EXPECT_EQ(first.text, "Disclosure verification of debt - Not given enough info to verify debt");
  EXPECT_EQ(first.extra["Company"], "Choice Recovery, Inc.");
}

}  // namespace
}  // namespace vocflow::connectors
