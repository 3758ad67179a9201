// Requests read strictly, as clients and connectors send them (connectors/intake.hpp).
#include "connectors/intake.hpp"

#include <gtest/gtest.h>

namespace vocflow::connectors {
namespace {

body_error open_error(const std::string& body) {
  auto r = parse_open(body);
  EXPECT_TRUE(std::holds_alternative<body_error>(r)) << body;
  return std::holds_alternative<body_error>(r) ? std::get<body_error>(r) : body_error{};
}

TEST(Intake, ARealComplaintNarrativeFits) {
  // The longest CFPB narratives run past 30,000 characters; 21,928 is one of the sample's.
  std::string text(21'928, 'x');
  auto r = parse_open(R"({"customer":"C-1","text":")" + text + R"("})");
  ASSERT_TRUE(std::holds_alternative<open_request>(r));
  EXPECT_EQ(std::get<open_request>(r).info.text.size(), text.size());
  // Characters, not bytes: 60,000 Chinese characters (180,000 bytes) are within the limit.
  std::string chinese;
  for (int i = 0; i < 60'000; ++i) chinese += "\xe5\xa5\xbd";  // 好
  EXPECT_TRUE(std::holds_alternative<open_request>(
      parse_open(R"({"customer":"C-1","text":")" + chinese + R"("})")));
  auto e = open_error(R"({"customer":"C-1","text":")" + std::string(max_text + 1, 'x') + R"("})");
  EXPECT_EQ(e.field, "text");
  EXPECT_EQ(e.message, "`text` is longer than 100000 characters");
}

TEST(Intake, ADuplicateKeyIsRefusedNotSilentlyOverwritten) {
  auto e = open_error(R"({"customer":"C-1","severity":"low","severity":"urgent"})");
  EXPECT_EQ(e.code, "malformed_json");
  EXPECT_EQ(e.field, "severity");
  // The same key in two different objects is no duplicate.
  EXPECT_TRUE(std::holds_alternative<open_request>(
      parse_open(R"({"customer":"C-1","extra":{"customer":"x"}})")));
  auto nested = open_error(R"({"customer":"C-1","extra":{"a":"1","a":"2"}})");
  EXPECT_EQ(nested.field, "a");
}

TEST(Intake, AParseErrorSaysWhereInPlainWords) {
  auto e = open_error(R"({"customer": nope})");
  EXPECT_EQ(e.code, "malformed_json");
  EXPECT_EQ(e.message.find("json.exception"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("line 1, column"), std::string::npos) << e.message;
}

TEST(Intake, TheSameRequestHasTheSameFingerprintHoweverItIsWritten) {
  auto a = std::get<open_request>(parse_open(R"({"customer":"C-1","text":"late"})"));
  auto b = std::get<open_request>(parse_open("{ \"text\" : \"late\",\n \"customer\":\"C-1\" }"));
  auto c = std::get<open_request>(parse_open(R"({"customer":"C-1","text":"later"})"));
  EXPECT_EQ(a.fingerprint, b.fingerprint);
  EXPECT_NE(a.fingerprint, c.fingerprint);
}

TEST(Intake, AnActionTakesOnlyWhatItsRowSays) {
  auto r = parse_action(R"({"action":"hand_off","to":"logistics"})");
  ASSERT_TRUE(std::holds_alternative<body_error>(r));
  EXPECT_EQ(std::get<body_error>(r).message, "`hand_off` needs `text`");
  r = parse_action(R"({"action":"note","text":"x","csat":3})");
  ASSERT_TRUE(std::holds_alternative<body_error>(r));
  EXPECT_EQ(std::get<body_error>(r).field, "csat");
  // A transition of a flow takes text.
  EXPECT_TRUE(std::holds_alternative<action_request>(
      parse_action(R"({"action":"escalate_to_engineering","text":"seen on Android"})")));
}

TEST(Intake, StaffRecordTheCustomersAnswerAsTheCustomers) {
  auto r =
      std::get<action_request>(parse_action(R"({"action":"confirm","on_behalf_of":"customer"})"));
  auto sub = action_command({"li.wei", "agent", "agent"}, "T-1", r);
  EXPECT_EQ(sub.cmd.by.role, "customer");
  EXPECT_EQ(sub.cmd.by.id, "customer (recorded by li.wei)");
}

}  // namespace
}  // namespace vocflow::connectors
