// Loading and validating flows: every problem at its file:line:column with a stable code.
#include "tests/workflows/fixture.hpp"
#include "workflows/catalog.hpp"

#include <gtest/gtest.h>

namespace vocflow {
namespace {

using testing::with_org;

// A minimal valid flow, to which each test adds one mistake.
const char* base_flow = R"(id: tiny
version: 1
match: { category: tiny }
calendar: cn-business
sla:
  first_response: 4h
steps:
  triage:
    owner: customer_service
    on: { resolve: done }
  done: { final: true }
)";

struct found {
  std::string code;
  int line, column;
  bool operator==(const found&) const = default;
};

std::vector<found> problems(const diagnostics& d, severity level = severity::error) {
  std::vector<found> out;
  for (auto& i : d.items())
    if (i.level == level) out.push_back({i.code, i.pos.line, i.pos.column});
  return out;
}

std::ostream& operator<<(std::ostream& o, const found& f) {
  return o << f.code << "@" << f.line << ":" << f.column;
}

TEST(Catalog, ExamplesLoadWithoutAnyProblem) {
  auto& c = testing::examples();
  EXPECT_EQ(c.flows.size(), 7u);
  EXPECT_EQ(c.org.calendars.size(), 4u);
  EXPECT_TRUE(c.find("apparel-returns"));
}

TEST(Catalog, BaseFlowIsValid) {
  diagnostics d;
  auto c = with_org(base_flow, d);
  EXPECT_TRUE(d.items().empty()) << to_string(d.items().front());
  ASSERT_EQ(c.flows.size(), 1u);
  EXPECT_EQ(c.flows[0]->key(), "tiny@1");
}

TEST(Catalog, ReportsEveryMistakeAtItsLineAndColumn) {
  // A misspelt step, a bad duration, an unknown key and a duplicate key, all in one file.
  const char* yaml = R"(id: tiny
version: 1
match: { category: tiny }
calendar: cn-business
sla:
  first_response: 4hrs
steps:
  triage:
    owner: customer_service
    ownr: marketing
    on: { resolve: doen }
  done: { final: true }
  done: { final: true }
)";
  diagnostics d;
  auto c = with_org(yaml, d);
  EXPECT_TRUE(c.flows.empty());
  auto got = problems(d);
  std::vector<found> want = {{"bad-duration", 6, 19},
                             {"unknown-field", 10, 5},
                             {"unknown-step", 11, 20},
                             {"duplicate-key", 13, 3}};
  EXPECT_EQ(got, want);
  std::string text;
  for (auto& i : d.items()) text += to_string(i) + "\n";
  EXPECT_NE(text.find("flow.yaml:10:5: error[unknown-field]: unknown field `ownr` in step `triage` "
                      "(did you mean `owner`?)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("unknown step `doen` (did you mean `done`?)"), std::string::npos) << text;
}

TEST(Catalog, UnknownDepartmentCalendarAndRole) {
  const char* yaml = R"(id: tiny
version: 1
match: { category: tiny }
calendar: cn-busines
compensation:
  currency: CNY
  limits: { agnet: 50 }
steps:
  triage:
    owner: customer_servce
    on: { resolve: done }
  done: { final: true }
)";
  diagnostics d;
  with_org(yaml, d);
  std::vector<found> want = {
      {"unknown-calendar", 4, 11}, {"unknown-role", 7, 13}, {"unknown-department", 10, 12}};
  EXPECT_EQ(problems(d), want);
}

TEST(Catalog, LimitsMustIncrease) {
  const char* yaml = R"(id: tiny
version: 1
match: { category: tiny }
calendar: cn-business
compensation:
  currency: CNY
  limits: { agent: 50, supervisor: 50, cs_manager: 20 }
steps:
  triage: { owner: customer_service, on: { resolve: done } }
  done: { final: true }
)";
  diagnostics d;
  with_org(yaml, d);
  std::vector<found> want = {{"limits-not-increasing", 7, 24}, {"limits-not-increasing", 7, 40}};
  EXPECT_EQ(problems(d), want);
}

TEST(Catalog, EscalationAfterTheDeadline) {
  const char* yaml = R"(id: tiny
version: 1
match: { category: tiny }
calendar: cn-business
steps:
  triage:
    owner: customer_service
    sla: 2h
    escalate:
      - { at: 50%, notify: [supervisor] }
      - { at: 120%, notify: [cs_manager] }
      - { at: 3h, notify: [cs_manager] }
      - { before: 2h, notify: [cs_manager] }
    on: { resolve: done }
  done: { final: true }
)";
  diagnostics d;
  with_org(yaml, d);
  std::vector<found> want = {{"escalation-after-deadline", 11, 15},
                             {"escalation-after-deadline", 12, 15},
                             {"escalation-before-start", 13, 19}};
  EXPECT_EQ(problems(d), want);
}

TEST(Catalog, WarnsAboutUnreachableStepsAndDeadEnds) {
  const char* yaml = R"(id: tiny
version: 1
match: { category: tiny }
calendar: cn-business
steps:
  triage:
    owner: customer_service
    on: { resolve: done, park: limbo }
  limbo:
    owner: customer_service
  orphan:
    owner: customer_service
    on: { resolve: done }
  done: { final: true }
)";
  diagnostics d;
  auto c = with_org(yaml, d);
  EXPECT_FALSE(d.has_errors());
  EXPECT_EQ(c.flows.size(), 1u);  // warnings do not stop a flow
  std::vector<found> want = {{"no-path-to-final", 9, 3}, {"unreachable-step", 11, 3}};
  EXPECT_EQ(problems(d, severity::warning), want);
}

TEST(Catalog, StructuralMistakes) {
  const char* yaml = R"(id: tiny
version: zero
match: { category: tiny }
calendar: cn-business
sla:
  pause_while: [waiting_for_godot]
  warn_at: 80
steps:
  triage:
    owner: customer_service
    on: { resolve: done, note: done }
  fork:
    parallel:
      a: { owner: marketing }
  done: { final: true, on: { reopen: triage } }
)";
  diagnostics d;
  with_org(yaml, d);
  std::vector<found> want = {{"bad-value", 2, 10},     {"unknown-hold", 6, 17},
                             {"bad-percent", 7, 12},   {"reserved-action", 11, 26},
                             {"missing-field", 12, 3}, {"final-step-exits", 15, 3}};
  EXPECT_EQ(problems(d), want);
}

TEST(Catalog, YamlSyntaxErrorHasAPosition) {
  diagnostics d;
  with_org("id: tiny\nsteps: [a, b\nversion: 1\n", d);
  ASSERT_TRUE(d.has_errors());
  EXPECT_EQ(d.items().front().code, "yaml-syntax");
  EXPECT_EQ(d.items().front().file, "flow.yaml");
  EXPECT_GT(d.items().front().pos.line, 0);
}

// yaml-cpp 0.7 takes minutes and tens of GB on such lines (fuzzing): refused before it runs.
TEST(Catalog, ALineStartingWithACommaIsRefusedAtItsPositionButBlockTextMayHaveOne) {
  diagnostics d;
  with_org("id: tiny\nsteps: [a\n  , b]\nversion: 1\n", d);
  ASSERT_TRUE(d.has_errors());
  EXPECT_EQ(d.items().front().code, "yaml-syntax");
  EXPECT_EQ(d.items().front().pos, (source_pos{3, 3}));
  diagnostics ok;
  with_org("id: tiny\ntitle: |\n  first line\n  , then a comma\nversion: 1\n", ok);
  for (auto& i : ok.items()) EXPECT_NE(i.code, "yaml-syntax") << to_string(i);
}

TEST(Catalog, OrganizationMistakes) {
  const char* org = R"(kind: organization
roles: [agent, agent]
departments:
  sales: {}
calendars:
  bad-zone: { timezone: Mars/Olympus, hours: { mon-fri: ["09:00-18:00"] } }
  bad-hours: { timezone: UTC, hours: { mon-fri: ["18:00-09:00"], funday: [] } }
  overlap: { timezone: UTC, hours: { mon: ["09:00-12:00", "11:00-13:00"] }, holidays: [2026-13-01] }
)";
  diagnostics d;
  testing::load_text({{"org.yaml", org}}, d);
  std::vector<found> want = {{"duplicate-key", 2, 16}, {"unknown-timezone", 6, 25},
                             {"bad-time", 7, 50},      {"bad-value", 7, 66},
                             {"bad-time", 8, 43},      {"bad-date", 8, 88}};
  EXPECT_EQ(problems(d), want);
}

TEST(Catalog, DuplicateFlowVersionsAndDefaults) {
  std::string a = base_flow;
  std::string b = std::string{base_flow} + "default: true\n";
  std::string other = b;
  other.replace(other.find("tiny"), 4, "other");
  diagnostics d;
  testing::load_text({{"organization.yaml",
                       testing::read_all({testing::example("flows/organization.yaml")})[0].text},
                      {"a.yaml", a},
                      {"b.yaml", b},
                      {"c.yaml", other}},
                     d);
  std::vector<std::string> codes;
  for (auto& i : d.items()) codes.push_back(i.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"duplicate-flow"}));
}

TEST(Catalog, DeployingOneFlowAgainstTheOrganization) {
  diagnostics d;
  auto& org = testing::examples().org;
  EXPECT_TRUE(load_flow({"tiny.yaml", base_flow}, org, d));
  diagnostics bad;
  EXPECT_FALSE(load_flow({"tiny.yaml", std::string{base_flow} + "colour: blue\n"}, org, bad));
  ASSERT_EQ(bad.items().size(), 1u);
  EXPECT_EQ(to_string(bad.items()[0]),
            "tiny.yaml:12:1: error[unknown-field]: unknown field `colour` in flow");
}

}  // namespace
}  // namespace vocflow
