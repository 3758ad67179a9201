// The vocflow executable as process owners use it: validate, simulate and graph.
#include "tests/app/served.hpp"
#include "tests/shell.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace {

namespace fs = std::filesystem;

using result = vocflow::testing::shell_result;
using vocflow::testing::shell;

result run(const std::string& args) {
  return shell(std::string{VOCFLOW_BINARY} + " " + args);
}

std::string src(const std::string& rel) {
  return std::string{VOCFLOW_SOURCE_DIR} + "/" + rel;
}

std::string read(const std::string& path) {
  std::ifstream in{path};
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Cli, HelpExplainsEachSubcommand) {
  auto r = run("--help");
  EXPECT_EQ(r.code, 0);
  for (auto word : {"validate", "simulate", "graph"})
    EXPECT_NE(r.out.find(word), std::string::npos);
  auto v = run("--version");
  EXPECT_EQ(v.code, 0);
  EXPECT_TRUE(std::regex_search(v.out, std::regex{R"(^vocflow \d+\.\d+\.\d+)"})) << v.out;
}

// The README's tour shows these commands with their output: they must hold.
TEST(Cli, TheReadmesValidateExamplesHold) {
  auto readme = read(src("README.md"));
  auto broken = run("validate --org " + src("examples/flows/organization.yaml") + " " +
                    src("examples/broken/apparel-returns.yaml"));
  EXPECT_EQ(broken.code, 1);
  std::istringstream lines{broken.out};
  std::string line;
  int errors = 0;
  while (std::getline(lines, line)) {
    auto at = line.find("examples/broken/");
    if (at == std::string::npos) continue;
    ++errors;
    EXPECT_NE(readme.find(line.substr(at)), std::string::npos) << "not in the README: " << line;
  }
  EXPECT_EQ(errors, 4) << broken.out;
  auto alone = fs::temp_directory_path() / "vocflow-no-org";
  fs::create_directories(alone);
  fs::copy_file(src("examples/flows/apparel-returns.yaml"), alone / "apparel-returns.yaml",
                fs::copy_options::overwrite_existing);
  auto no_org = run("validate " + (alone / "apparel-returns.yaml").string());
  EXPECT_EQ(no_org.code, 1);
  EXPECT_NE(no_org.out.find("error[no-organization]"), std::string::npos) << no_org.out;
  EXPECT_NE(no_org.out.find("1 error(s)"), std::string::npos) << "one error, not one per name";
}

// The README shows examples/session.sh as it is.
TEST(Cli, TheReadmeShowsTheSessionScript) {
  auto readme = read(src("README.md"));
  std::istringstream script{read(src("examples/session.sh"))};
  std::string line;
  bool body = false;
  while (std::getline(script, line)) {
    body |= line.rfind("echo \"== ", 0) == 0;
    if (body && !line.empty()) {
      EXPECT_NE(readme.find(line), std::string::npos) << "the README lacks: " << line;
    }
  }
  EXPECT_TRUE(body);
}

TEST(Cli, ExamplesValidate) {
  auto r = run(src("examples/flows/*.yaml"));
  r = run("validate " + src("examples/flows/*.yaml"));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("0 error(s), 0 warning(s)"), std::string::npos) << r.out;
}

// Real exports name things their own way: a match value no complaint of a sample reaches is a
// warning at its line and column, with what the sample has instead.
TEST(Cli, ValidateWithASampleWarnsOfMatchesNoComplaintReaches) {
  auto dir = fs::temp_directory_path() / "vocflow-cli-sample";
  fs::create_directories(dir);
  auto sample = dir / "complaints.csv";
  std::ofstream{sample}
      << "Date received,Product,Sub-product,Issue,Sub-issue,Consumer complaint narrative,"
         "Company public response,Company,State,ZIP code,Tags,Consumer consent provided?,"
         "Submitted via,Date sent to company,Company response to consumer,Timely response?,"
         "Consumer disputed?,Complaint ID\n"
         "2020/3/18,Credit card or prepaid card,General-purpose credit card,Fees,,,,Bank A,CA,"
         "90001,,,Web,2020/3/18,Closed with explanation,Yes,N/A,1\n"
         "2020/3/19,  Debt collection ,Medical debt,Threats,,,,Agency B,NY,10001,,,Phone,"
         "2020/3/19,In progress,Yes,N/A,2\n";
  auto r = run("validate " + src("examples/flows/*.yaml") + " --sample " + sample.string() +
               " --mapping " + src("examples/intake/cfpb.yaml"));
  EXPECT_EQ(r.code, 0) << r.out;
  // billing-dispute.yaml lists `billing` (line 11, column 14): no complaint of the sample has it.
  EXPECT_NE(r.out.find("billing-dispute.yaml:11:14: warning[unreached-match]: category `billing` "
                       "matches no complaint of complaints.csv (2 complaints); the most common "
                       "there: Credit card or prepaid card (1), Debt collection (1)"),
            std::string::npos)
      << r.out;
  // `prefix: Credit card` reaches one: no warning for it, and the billing flow takes it.
  EXPECT_EQ(r.out.find("`prefix:Credit card`"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1  routed to billing-dispute"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1  routed to general-complaint"), std::string::npos) << r.out;
  EXPECT_EQ(run("validate --werror " + src("examples/flows/*.yaml") + " --sample " +
                sample.string() + " -m " + src("examples/intake/cfpb.yaml"))
                .code,
            1);
  // A sample needs its mapping.
  EXPECT_NE(run("validate " + src("examples/flows/*.yaml") + " --sample " + sample.string()).code,
            0);
}

// The owner sees how much each topic catches in real words, and what nothing catches.
TEST(Cli, TopicsReportCountsEachTopicAndShowsWhatNothingCatches) {
  auto dir = fs::temp_directory_path() / "vocflow-cli-topics";
  fs::create_directories(dir);
  auto sample = dir / "reviews.csv";
  std::ofstream{sample} << "cat,label,review\n"
                           "衣服,0,和图片色差太大，尺码也偏小\n"
                           "衣服,0,快递太慢了\n"
                           "衣服,1,尺码标准，很喜欢\n"
                           "平板,0,用了两天就死机\n"
                           "平板,0,扔垃圾桶了\n";
  auto r =
      run("topics report " + sample.string() + " -m " + src("examples/intake/reviews-zh.yaml") +
          " -t " + src("examples/topics/topics.yaml") + " --org " +
          src("examples/flows/organization.yaml"));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("5 complaints: 3 (60.0%) with a topic, 2 (40.0%) with none"),
            std::string::npos)
      << r.out;
  std::regex size_line{R"(apparel/size +ecommerce_ops +1 +20\.0%  any "尺码")"};
  std::regex group_line{R"(apparel +- +2 +40\.0%  \(its topics together\))"};
  EXPECT_TRUE(std::regex_search(r.out, group_line)) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, size_line)) << r.out;
  std::regex crash_line{R"(device/crash +engineering +1 +20\.0%  any "死机")"};
  EXPECT_TRUE(std::regex_search(r.out, crash_line)) << r.out;
  EXPECT_NE(r.out.find("[平板] 扔垃圾桶了"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[衣服] 尺码标准，很喜欢"), std::string::npos) << r.out;
}

TEST(Cli, ABrokenCopyNamesEachMistakeAtItsLineAndColumn) {
  auto dir = fs::temp_directory_path() / "vocflow-cli-test";
  fs::create_directories(dir);
  fs::copy_file(src("examples/flows/organization.yaml"), dir / "organization.yaml",
                fs::copy_options::overwrite_existing);
  auto text = read(src("examples/flows/apparel-returns.yaml"));
  auto replace = [&](const std::string& from, const std::string& to) {
    auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  };
  replace("investigate: fix_causes", "investigate: fix_cuases");            // misspelt step
  replace("    sla: 1d\n", "    sla: 1dd\n");                               // bad duration
  replace("    title: Tell the customer", "    titel: Tell the customer");  // unknown key
  replace("  closed: { final: true }", "  closed: { final: true }\n  closed: { final: true }");
  auto bad = dir / "apparel-returns.yaml";
  std::ofstream{bad} << text;

  auto r = run("validate " + bad.string());
  EXPECT_EQ(r.code, 1) << r.out;
  for (auto code : {"unknown-step", "bad-duration", "unknown-field", "duplicate-key"}) {
    std::regex line(bad.string() + ":[0-9]+:[0-9]+: error\\[" + code + "\\]");
    EXPECT_TRUE(std::regex_search(r.out, line)) << code << " missing in:\n" << r.out;
  }
}

TEST(Cli, SimulatePrintsTheTimelineAndFailsOnBrokenExpectations) {
  auto r = run("simulate " + src("examples/flows/apparel-returns.yaml") + " --scenario " +
               src("examples/scenarios/apparel-returns.yaml"));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("Mon 2026-03-09 12:50       4h00m  BREACH: SLA first response"),
            std::string::npos)
      << r.out;
  auto json = run("simulate " + src("examples/flows/apparel-returns.yaml") + " --json -s " +
                  src("examples/scenarios/apparel-returns.yaml"));
  EXPECT_EQ(json.code, 0);
  EXPECT_NE(json.out.find("\"business_ms\""), std::string::npos);

  auto dir = fs::temp_directory_path() / "vocflow-cli-test";
  fs::create_directories(dir);
  auto s = dir / "wrong.yaml";
  std::ofstream{s}
      << "start: 2026-11-13 11:00\nticket: { category: x }\nexpect:\n  - { event: closed }\n";
  auto failed =
      run("simulate " + src("examples/flows/general-complaint.yaml") + " -s " + s.string());
  EXPECT_EQ(failed.code, 1);
  EXPECT_NE(failed.out.find("FAIL"), std::string::npos);
}

TEST(Cli, GraphPipesIntoDot) {
  auto r = run("graph " + src("examples/flows/app-crash.yaml") + " --format dot | dot -Tsvg");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("<svg"), std::string::npos);
  auto m = run("graph " + src("examples/flows/app-crash.yaml") + " -f mermaid");
  EXPECT_NE(m.out.find("flowchart LR"), std::string::npos);
}

using vocflow::testing::served;

TEST(Cli, ServeStartsDrainsOnSigtermAndInspectReadsTheStore) {
  served s{"vocflow-serve-test-"};
  ASSERT_FALSE(s.url().empty());
  EXPECT_EQ(s.stop(), 0) << s.output();
  EXPECT_NE(s.output().find("deployed general-complaint@1"), std::string::npos) << s.output();
  EXPECT_NE(s.output().find("SIGTERM: draining"), std::string::npos) << s.output();
  EXPECT_NE(s.output().find("stopped cleanly"), std::string::npos) << s.output();
  auto r = run("inspect --data " + s.dir());
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("flow versions  7"), std::string::npos) << r.out;
}

TEST(Cli, TheReadmeSessionOpensActsAndShowsHistory) {
  served s{"vocflow-readme-test-"};
  ASSERT_FALSE(s.url().empty());
  auto r = shell("cd " + src("") + " && VOCFLOW_URL=" + s.url() + " VOCFLOW_BIN=" + VOCFLOW_BINARY +
                 " ./examples/session.sh");
  EXPECT_EQ(r.code, 0) << r.out;
  for (auto needle :
       {"\"created\":true", "responded", "handed_off", "from=customer_service", "to=engineering",
        "\"error\":\"action_not_allowed\"", "history", "maria (supervisor)"})
    EXPECT_NE(r.out.find(needle), std::string::npos) << needle << "\n" << r.out;
  EXPECT_EQ(s.stop(), 0);
}

TEST(Cli, ClientListsQueuesDeploysFlowsAndReportsErrors) {
  served s{"vocflow-client-test-"};
  ASSERT_FALSE(s.url().empty());
  auto cli = [&](const std::string& args, const std::string& token = "dev-agent-li-wei-0001") {
    return run(args + " --url " + s.url() + " --token " + token);
  };
  auto opened = cli("ticket open --customer C-7 --category app --severity high --text Crash");
  EXPECT_EQ(opened.code, 0) << opened.out;
  static const std::regex id_re{"opened (T-[0-9A-Z]+)"};
  std::smatch m;
  ASSERT_TRUE(std::regex_search(opened.out, m, id_re)) << opened.out;
  std::string id = m[1];
  auto listed = cli("ticket list --department customer_service");
  EXPECT_EQ(listed.code, 0);
  EXPECT_NE(listed.out.find(id), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("1 in this queue"), std::string::npos) << listed.out;
  auto wrong = cli("ticket act " + id + " fix_released");
  EXPECT_EQ(wrong.code, 1);
  EXPECT_NE(wrong.out.find("error 409 action_not_allowed"), std::string::npos) << wrong.out;
  EXPECT_NE(wrong.out.find("[allowed: respond"), std::string::npos) << wrong.out;
  auto as_json = cli("ticket show " + id + " --json");
  EXPECT_NE(as_json.out.find("\"history\":["), std::string::npos);
  // Times in the ticket's own zone (app-crash runs on the US Eastern calendar), or in the one
  // asked for; deadlines say how far off they are.
  auto shown = cli("ticket show " + id);
  EXPECT_TRUE(std::regex_search(shown.out,
                                std::regex{R"(due \w{3} \d{4}-\d\d-\d\d \d\d:\d\d E[SD]T \(in )"}))
      << shown.out;
  auto in_shanghai = cli("ticket show " + id + " --tz Asia/Shanghai");
  EXPECT_NE(in_shanghai.out.find(" CST (in "), std::string::npos) << in_shanghai.out;
  EXPECT_FALSE(std::regex_search(in_shanghai.out, std::regex{R"(\d\d:\d\d:\d\d\.\d{3}Z)"}))
      << "no UTC time left: " << in_shanghai.out;
  auto nowhere = cli("ticket show " + id + " --tz Mars/Olympus");
  EXPECT_EQ(nowhere.code, 2);
  EXPECT_NE(nowhere.out.find("unknown time zone `Mars/Olympus`"), std::string::npos);
  auto no_token = run("ticket show " + id + " --url " + s.url() + " --token ''");
  EXPECT_NE(no_token.out.find("VOCFLOW_TOKEN"), std::string::npos) << no_token.out;
  auto flows = cli("flow list");
  EXPECT_NE(flows.out.find("general-complaint"), std::string::npos) << flows.out;
  auto dir = fs::temp_directory_path() / "vocflow-cli-test";
  fs::create_directories(dir);
  std::ofstream{dir / "broken.yaml"}
      << "id: broken\nversion: 1\ncalendar: cn-business\nsteps:\n  a: { owner: nobody }\n";
  auto refused = cli("flow deploy " + (dir / "broken.yaml").string(), "dev-owner-ana-00000001");
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.out.find("broken.yaml:5:15: error[unknown-department]: owner of step `a`: "
                             "`nobody` is not a department"),
            std::string::npos)
      << refused.out;
  auto not_owner = cli("flow deploy " + (dir / "broken.yaml").string());
  EXPECT_NE(not_owner.out.find("error 403 forbidden"), std::string::npos) << not_owner.out;
  auto down = run("flow list --url http://127.0.0.1:1 --token x");
  EXPECT_EQ(down.code, 2);
  EXPECT_NE(down.out.find("cannot reach vocflow at http://127.0.0.1:1"), std::string::npos)
      << down.out;
  EXPECT_EQ(s.stop(), 0);
}

// A port another process holds is found before anything is written: no data folder made, no
// flow deployed into it.
TEST(Cli, ServeRefusesATakenPortBeforeTouchingTheData) {
  served first{"vocflow-port-test-"};
  ASSERT_FALSE(first.url().empty());
  auto port = first.url().substr(first.url().rfind(':') + 1);
  auto data = fs::temp_directory_path() / ("vocflow-port-second-" + std::to_string(getpid()));
  fs::remove_all(data);
  auto second = shell("cd " + src("") + " && " + VOCFLOW_BINARY + " serve --port " + port +
                      " --data " + data.string());
  EXPECT_EQ(second.code, 1) << second.out;
  EXPECT_NE(second.out.find("cannot listen on 127.0.0.1:" + port), std::string::npos) << second.out;
  EXPECT_EQ(second.out.find("deployed"), std::string::npos) << second.out;
  EXPECT_FALSE(fs::exists(data)) << "the data folder was made before the port was known taken";
  EXPECT_EQ(first.stop(), 0);
}

TEST(Cli, ServeRefusesABrokenConfigAtItsPosition) {
  auto dir = fs::temp_directory_path() / "vocflow-cli-test";
  fs::create_directories(dir);
  auto cfg = dir / "bad.yaml";
  std::ofstream{cfg} << "data:\n  durabilty: os\n";
  auto r = run("serve --config " + cfg.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find(cfg.string() + ":2:3: error[unknown-field]"), std::string::npos) << r.out;
}

}  // namespace
