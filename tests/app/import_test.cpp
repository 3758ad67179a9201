// `vocflow import` on real exports: the CFPB complaints and the Chinese reviews, whole; a
// second run; a run killed in the middle and resumed; a GBK file; a file with broken rows.
#include "connectors/csv.hpp"
#include "storage/store.hpp"
#include "tests/shell.hpp"
#include "tests/temp_dir.hpp"

#include <gtest/gtest.h>
#include <iconv.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <regex>

namespace vocflow {
namespace {

using testing::shell;

const std::string data_dir = std::string{VOCFLOW_SOURCE_DIR} + "/../shared/data/";
const std::string intake = std::string{VOCFLOW_SOURCE_DIR} + "/examples/intake/";
const std::string flows = std::string{VOCFLOW_SOURCE_DIR} + "/examples/flows";

std::string slurp(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, {}};
}

class ImportTest : public ::testing::Test {
 protected:
  static bool have_data() { return std::ifstream{data_dir + "reviews_zh.csv"}.good(); }

  testing::shell_result import(const std::string& file, const std::string& mapping,
                               const std::string& more = "--historical") {
    return shell(std::string{VOCFLOW_BINARY} + " import " + file + " --mapping " + mapping +
                 " --data " + dir_ / "data" + " --flows " + flows + " " + more);
  }

  // Every ticket in the data folder, by its external id.
  std::map<std::string, ticket> tickets() {
    storage::status st;
    auto db = storage::store::open({.path = dir_ / "data"}, st);
    EXPECT_TRUE(db) << st.message();
    std::map<std::string, ticket> out;
    if (!db) return out;
    auto read = db->for_each_ticket([&](const ticket& t) {
      EXPECT_TRUE(out.emplace(t.info->external_id, t).second)
          << "two tickets for " << t.info->external_id;
      return true;
    });
    EXPECT_TRUE(read) << read.message();
    return out;
  }

  testing::temp_dir dir_;
};

TEST_F(ImportTest, TheWholeCfpbExportAsHistoryThenASecondRunAddsNothing) {
  if (!have_data()) GTEST_SKIP() << "the shared data is not beside this checkout";
  auto first = import(data_dir + "cfpb_complaints_2014.csv", intake + "cfpb-2014.yaml");
  ASSERT_EQ(first.code, 0) << first.out;
  EXPECT_NE(first.out.find("8340 rows in"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("8340 imported, 0 already there, 0 rejected"), std::string::npos);

  auto all = tickets();
  ASSERT_EQ(all.size(), 8340u);
  auto& t = all.at("1114245");
  EXPECT_EQ(t.info->source, "cfpb");
  EXPECT_EQ(t.info->category, "Debt collection");
  EXPECT_EQ(t.info->product, "Medical");
  EXPECT_EQ(t.info->channel, "web");
  EXPECT_EQ(t.info->text, "Disclosure verification of debt - Not given enough info to verify debt");
  EXPECT_EQ(t.info->extra.at("Company"), "Choice Recovery, Inc.");
  EXPECT_EQ(t.info->extra.at("State"), "FL");
  EXPECT_TRUE(std::regex_match(t.info->customer, std::regex{"C-[0-9a-f]{16}"})) << t.info->customer;
  EXPECT_TRUE(t.historical);
  EXPECT_EQ(format_utc(t.opened_at), "2014-11-13T05:00:00.000Z");  // midnight in New York
  EXPECT_EQ(t.status, ticket_status::closed);
  EXPECT_TRUE(t.clocks.empty());
  EXPECT_EQ(all.at("1114488").status, ticket_status::open);  // "In progress"
  size_t open = 0, by_phone = 0;
  for (auto& [_, x] : all) {
    open += x.status == ticket_status::open;
    by_phone += x.info->channel == "phone";
    EXPECT_TRUE(x.historical);
  }
  EXPECT_EQ(open, 1759u);  // the rows whose company response is "In progress"
  EXPECT_GT(by_phone, 0u);

  auto again = import(data_dir + "cfpb_complaints_2014.csv", intake + "cfpb-2014.yaml");
  ASSERT_EQ(again.code, 0) << again.out;
  EXPECT_NE(again.out.find("0 imported, 8340 already there, 0 rejected"), std::string::npos)
      << again.out;
  EXPECT_EQ(tickets().size(), 8340u);
}

TEST_F(ImportTest, ChineseReviewsArriveByteForByte) {
  if (!have_data()) GTEST_SKIP() << "the shared data is not beside this checkout";
  auto r = import(data_dir + "reviews_zh.csv", intake + "reviews-zh.yaml");
  ASSERT_EQ(r.code, 0) << r.out;
  auto text = slurp(data_dir + "reviews_zh.csv");
  connectors::csv_reader csv{text};
  std::vector<std::string> row;
  ASSERT_TRUE(csv.next(row));
  std::map<std::string, std::string> expected;  // line -> review
  while (csv.next(row)) expected[std::to_string(csv.line())] = row.at(2);
  ASSERT_EQ(expected.size(), 28923u);
  auto all = tickets();
  ASSERT_EQ(all.size(), expected.size());
  size_t same = 0, praise = 0;
  for (auto& [line, review] : expected) {
    auto& t = all.at(line);
    auto want = review;
    while (!want.empty() && (want.back() == ' ' || want.back() == '\r')) want.pop_back();
    while (!want.empty() && want.front() == ' ') want.erase(0, 1);
    same += t.info->text == want;
    praise += t.info->tags == std::vector<std::string>{"praise"};
  }
  EXPECT_EQ(same, expected.size());
  EXPECT_EQ(praise, 14'628u);  // labelled 1 (the sum of the six categories is 28,923)
  EXPECT_EQ(all.at("2").info->text, "很不错。。。。。。很好的平板");
  EXPECT_EQ(all.at("2").info->category, "平板");
}

TEST_F(ImportTest, AnImportKilledInTheMiddleResumesWithNoRowTwiceAndNoneLost) {
  if (!have_data()) GTEST_SKIP() << "the shared data is not beside this checkout";
  // The progress lines (not a terminal: one per tenth) tell when it is under way.
  auto cmd = "sh -c 'echo $$; exec " + std::string{VOCFLOW_BINARY} + " import " + data_dir +
             "reviews_zh.csv --mapping " + intake + "reviews-zh.yaml --data " + dir_ / "data" +
             " --flows " + flows + " --historical' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_TRUE(p);
  char line[512];
  ASSERT_TRUE(fgets(line, sizeof line, p));
  pid_t pid = std::stoi(line);
  bool killed = false;
  while (fgets(line, sizeof line, p))
    if (std::string_view{line}.find("rows/s") != std::string_view::npos) {
      kill(pid, SIGKILL);
      killed = true;
      break;
    }
  pclose(p);
  ASSERT_TRUE(killed);

  auto resumed = import(data_dir + "reviews_zh.csv", intake + "reviews-zh.yaml");
  ASSERT_EQ(resumed.code, 0) << resumed.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(resumed.out, m,
                                std::regex{R"((\d+) imported, (\d+) already there, 0 rejected)"}))
      << resumed.out;
  EXPECT_GT(std::stoul(m[2]), 0u) << "killed before anything was written: " << resumed.out;
  EXPECT_GT(std::stoul(m[1]), 0u) << "killed after the end: " << resumed.out;
  EXPECT_EQ(std::stoul(m[1]) + std::stoul(m[2]), 28923u);
  EXPECT_EQ(tickets().size(), 28923u);  // tickets() fails on a ticket twice
}

// Chinese exports are often in GBK: converted on the way in.
TEST_F(ImportTest, AGbkFileIsConvertedOnTheWayIn) {
  if (!have_data()) GTEST_SKIP() << "the shared data is not beside this checkout";
  auto utf8 = slurp(data_dir + "reviews_zh.csv");
  connectors::csv_reader csv{utf8};
  std::vector<std::string> row;
  ASSERT_TRUE(csv.next(row));
  std::string out = "id,cat,review\r\n";
  std::vector<std::string> reviews;
  iconv_t cd = iconv_open("GBK", "UTF-8");
  while (reviews.size() < 300 && csv.next(row)) {
    std::string line =
        std::to_string(reviews.size() + 1) + "," + row[0] + ",\"" + row[2] + "\"\r\n";
    std::string gbk(line.size() * 2, '\0');
    char* in = line.data();
    char* to = gbk.data();
    size_t in_left = line.size(), to_left = gbk.size();
    if (iconv(cd, &in, &in_left, &to, &to_left) == static_cast<size_t>(-1)) continue;
    out.append(gbk.data(), gbk.size() - to_left);
    reviews.push_back(row[2]);
  }
  iconv_close(cd);
  ASSERT_GT(reviews.size(), 250u);
  ASSERT_NE(out, utf8.substr(0, out.size()));
  std::ofstream{dir_ / "gbk.csv", std::ios::binary} << out;
  std::ofstream{dir_ / "gbk.yaml"} << R"(kind: intake-mapping
source: shop
encoding: gbk
fields:
  external_id: id
  customer: { column: id, hash: true }
  category: cat
  text: review
  opened_at: { value: "2024-03-01", date: "%Y-%m-%d", zone: Asia/Shanghai }
)";
  auto r = import(dir_ / "gbk.csv", dir_ / "gbk.yaml");
  ASSERT_EQ(r.code, 0) << r.out;
  auto all = tickets();
  ASSERT_EQ(all.size(), reviews.size());
  for (size_t i = 0; i < reviews.size(); ++i)
    EXPECT_EQ(all.at(std::to_string(i + 1)).info->text, reviews[i]) << "row " << i + 1;
}

TEST_F(ImportTest, BrokenRowsGoToTheRejectsFileAndNeverStopTheOthers) {
  std::ofstream{dir_ / "broken.csv", std::ios::binary}
      << "id,who,when,text\n"
      << "1,ann,2024-05-01,fine\n"
      << ",bob,2024-05-01,no id\n"
      << "3,cy,yesterday,a date that is not one\n"
      << "4,\xff\xfe,2024-05-02,not UTF-8\n"
      << "5,dee,2024-05-03,\"a quoted\ntext, over two lines\"\n"
      << "6,,2024-05-03,nobody\n"
      << "7,eve,2024-05-04";  // short, and no line break at the end
  std::ofstream{dir_ / "broken.yaml"} << R"(kind: intake-mapping
source: shop
fields:
  external_id: id
  customer: who
  text: text
  opened_at: { column: when, date: "%Y-%m-%d", zone: Europe/Berlin }
)";
  auto r = import(dir_ / "broken.csv", dir_ / "broken.yaml",
                  "--historical --rejects " + dir_ / "rejects.csv");
  EXPECT_EQ(r.code, 3) << r.out;  // done, with rejected rows
  EXPECT_NE(r.out.find("7 rows in"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3 imported, 0 already there, 4 rejected"), std::string::npos) << r.out;
  auto rejects = slurp(dir_ / "rejects.csv");
  auto file = dir_ / "broken.csv";
  EXPECT_EQ(rejects, "file,line,reason\n" + file + ",3,external_id: missing\n" + file +
                         ",4,opened_at: `yesterday` is not a time of the form `%Y-%m-%d`\n" + file +
                         ",5,customer: not UTF-8 (is the file in another encoding? say "
                         "`encoding:`)\n" +
                         file + ",8,customer: missing (who complains)\n");
  auto all = tickets();
  EXPECT_EQ(all.size(), 3u);
  EXPECT_EQ(all.at("5").info->text, "a quoted\ntext, over two lines");
  EXPECT_EQ(all.at("7").info->text, "");

  // A mapping with a mistake is refused at its line and column, before anything is read.
  std::ofstream{dir_ / "bad.yaml"} << "kind: intake-mapping\nsource: shop\nfields:\n"
                                      "  external_id: id\n  custmer: who\n";
  auto bad = import(dir_ / "broken.csv", dir_ / "bad.yaml");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.out.find(dir_ / "bad.yaml" + ":5:3: error[unknown-field]: unknown field `custmer`"),
            std::string::npos)
      << bad.out;
}

}  // namespace
}  // namespace vocflow
