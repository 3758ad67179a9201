// The weekly digest on real texts: the Chinese reviews imported as history (their dates spread
// over five weeks), read by the example topics; the clothes reviews' pain splits into photo
// mismatch, size, quality and delivery, owned by four departments, each with the customers' own
// words.
#include "connectors/csv.hpp"
#include "tests/shell.hpp"
#include "tests/temp_dir.hpp"
#include "workflows/utf8.hpp"

#include <fmt/format.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>

namespace vocflow {
namespace {

using nlohmann::json;
using testing::shell;

const std::string source = VOCFLOW_SOURCE_DIR;
const std::string data_file = source + "/../shared/data/reviews_zh.csv";

std::string slurp(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, {}};
}

std::string csv_field(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string{"\"\""} : std::string{c};
  return out + "\"";
}

class DigestTest : public ::testing::Test {
 protected:
  // The reviews with a date each: day i % 35 from Monday 2026-10-26 (ISO weeks 44 to 48).
  size_t spread_reviews() {
    auto text = slurp(data_file);
    connectors::csv_reader csv{text};
    std::vector<std::string> row;
    EXPECT_TRUE(csv.next(row));  // cat,label,review
    std::string out = "id,cat,label,review,date\n";
    size_t n = 0;
    while (csv.next(row)) {
      if (row.size() < 3) continue;
      auto day = std::chrono::sys_days{std::chrono::year{2026} / 10 / 26} +
                 std::chrono::days{static_cast<int>(n % 35)};
      std::chrono::year_month_day ymd{day};
      out += fmt::format("{},{},{},{},{:04}-{:02}-{:02}\n", ++n, row[0], row[1], csv_field(row[2]),
                         static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                         static_cast<unsigned>(ymd.day()));
    }
    std::ofstream{dir_ / "reviews.csv", std::ios::binary} << out;
    std::ofstream{dir_ / "reviews.yaml"} << R"(kind: intake-mapping
source: reviews-dated
format: csv
fields:
  external_id: id
  customer: { column: id, hash: true }
  channel: { value: review }
  category: cat
  text: review
  opened_at: { column: date, date: "%Y-%m-%d", zone: Asia/Shanghai }
  closed_at: { column: date, date: "%Y-%m-%d", zone: Asia/Shanghai }
  tags: { column: label, map: { "1": praise, "0": pain } }
)";
    return n;
  }

  std::string vocflow(const std::string& args) {
    auto r = shell(std::string{VOCFLOW_BINARY} + " " + args + " 2>&1");
    EXPECT_EQ(r.code, 0) << r.out;
    return r.out;
  }

  testing::temp_dir dir_;
};

TEST_F(DigestTest, TheClothesPainSplitsIntoFourDepartmentsEachWithTheCustomersWords) {
  if (!std::ifstream{data_file}.good()) GTEST_SKIP() << "the shared data is not beside this checkout";
  auto rows = spread_reviews();
  ASSERT_GT(rows, 28'000u);
  vocflow("import " + dir_ / "reviews.csv" + " --mapping " + dir_ / "reviews.yaml" + " --data " +
          dir_ / "data" + " --flows " + source + "/examples/flows --topics " + source +
          "/examples/topics/topics.yaml --historical");

  auto out = vocflow("digest --week 2026-W48 --format json --data " + dir_ / "data");
  auto d = json::parse(out, nullptr, false);
  ASSERT_FALSE(d.is_discarded()) << out.substr(0, 2000);
  EXPECT_EQ(d["week"], "2026-W48");
  EXPECT_EQ(d["from"], "2026-11-23T00:00:00.000Z");

  auto all_reviews = slurp(data_file);
  const std::map<std::string, std::string> owner_of = {{"apparel/photo-mismatch", "marketing"},
                                                       {"apparel/size", "ecommerce_ops"},
                                                       {"apparel/quality", "quality"},
                                                       {"apparel/delivery", "logistics"}};
  std::set<std::string> found;
  for (auto& x : d["departments"])
    for (auto& p : x["pain"]) {
      std::string topic = p["topic"];
      auto it = owner_of.find(topic);
      if (it == owner_of.end()) continue;
      EXPECT_EQ(x["department"], it->second) << topic;
      found.insert(topic);
      // A week of a fifth of the reviews: tens of them, against about as many the weeks before.
      EXPECT_GT(p["tickets"].get<int>(), 20) << topic;
      EXPECT_GT(p["negative"].get<int>(), 10) << topic;
      ASSERT_TRUE(p["change"].is_number()) << p;
      EXPECT_LT(std::abs(p["change"].get<double>()), 0.5) << p;
      ASSERT_GE(p["quotes"].size(), 2u) << topic;
      for (auto& q : p["quotes"]) {
        std::string text = q["text"];
        EXPECT_LT(q["sentiment"].get<double>(), 0) << text;
        // Verbatim: the customer's own words (cut after 240 bytes).
        auto words = text.substr(0, utf8_boundary(text, std::min<size_t>(text.size(), 45)));
        EXPECT_NE(all_reviews.find(words), std::string::npos) << text;
      }
    }
  EXPECT_EQ(found.size(), 4u) << d.dump(1).substr(0, 3000);
  // Praise too: the most positive words of the week, for the departments that own their topics.
  size_t praise = 0;
  for (auto& x : d["departments"]) praise += x["praise"].size();
  EXPECT_GT(praise, 0u);

  auto md = vocflow("digest --week 2026-W48 --data " + dir_ / "data" + " --department marketing");
  EXPECT_NE(md.find("# Praise and pain, 2026-W48"), std::string::npos) << md;
  EXPECT_NE(md.find("## marketing"), std::string::npos) << md;
  EXPECT_NE(md.find("The goods differ from the photos"), std::string::npos) << md;
  EXPECT_NE(md.find("  > “"), std::string::npos) << md;
  EXPECT_EQ(md.find("## logistics"), std::string::npos) << "one department asked for";
}

TEST_F(DigestTest, AWeekThatIsNoIsoWeekIsAnError) {
  auto r = shell(std::string{VOCFLOW_BINARY} + " digest --week 2026-48 --data " + dir_ / "data" +
                 " 2>&1");
  EXPECT_NE(r.code, 0);
}

}  // namespace
}  // namespace vocflow
