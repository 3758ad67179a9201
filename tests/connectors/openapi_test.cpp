// The OpenAPI document and the server agree, both ways: the routes (methods, paths, the roles
// that may call them, the query parameters they take), the built-in actions
// (workflows/actions.hpp) and the view of a ticket (workflows/ticket_view.hpp).
#include "connectors/api.hpp"
#include "workflows/actions.hpp"
#include "workflows/ticket_view.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

namespace vocflow::connectors {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

std::set<std::string> strings(const YAML::Node& list) {
  std::set<std::string> out;
  for (auto x : list) out.insert(x.as<std::string>());
  return out;
}

template <class T>
std::set<std::string> field_names() {
  std::set<std::string> out;
  T value;
  T::fields(value, [&](std::string_view name, auto&) { out.emplace(name); });
  return out;
}

std::set<std::string> property_names(const YAML::Node& schema) {
  std::set<std::string> out;
  for (auto p : schema["properties"]) out.insert(p.first.as<std::string>());
  return out;
}

class OpenApi : public ::testing::Test {
 protected:
  YAML::Node doc_ = YAML::Load(openapi_document());
  YAML::Node schemas_ = doc_["components"]["schemas"];
  YAML::Node operation(const route& r) { return doc_["paths"][r.path][lower(r.method)]; }
};

TEST_F(OpenApi, EveryServedRouteIsDocumentedAndViceVersa) {
  ASSERT_EQ(doc_["openapi"].as<std::string>(), "3.0.3");
  std::set<std::pair<std::string, std::string>> documented, served;
  for (auto path : doc_["paths"])
    for (auto op : path.second) {
      auto method = op.first.as<std::string>();
      std::transform(method.begin(), method.end(), method.begin(), ::toupper);
      documented.emplace(method, path.first.as<std::string>());
    }
  for (auto& r : api::routes()) served.emplace(r.method, r.path);
  EXPECT_EQ(documented, served);
}

TEST_F(OpenApi, EachRouteDocumentsItsRolesAndItsQueryParameters) {
  for (auto& r : api::routes()) {
    auto op = operation(r);
    ASSERT_TRUE(op) << r.method << " " << r.path;
    bool open = op["security"] && op["security"].size() == 0;
    EXPECT_EQ(open, r.roles.empty()) << r.method << " " << r.path;
    ASSERT_TRUE(op["x-roles"]) << r.method << " " << r.path << ": no x-roles";
    EXPECT_EQ(strings(op["x-roles"]), std::set<std::string>(r.roles.begin(), r.roles.end()))
        << r.method << " " << r.path;
    std::set<std::string> documented;
    for (auto p : op["parameters"])
      if (p["in"] && p["in"].as<std::string>() == "query")
        documented.insert(p["name"].as<std::string>());
    EXPECT_EQ(documented, std::set<std::string>(r.query.begin(), r.query.end()))
        << r.method << " " << r.path;
  }
}

// Every action a client may send is described as the engine's table says, and only those.
TEST_F(OpenApi, TheActionsAreTheEnginesBuiltInActions) {
  auto action = schemas_["Action"];
  auto described = action["x-actions"];
  ASSERT_TRUE(described);
  auto fields = property_names(action);
  std::set<std::string> expected, listed;
  for (auto& a : known_actions()) {
    auto who = a.takers & (takers::staff | takers::customer);
    if (!who || a.id == action::open) continue;  // not an action on a ticket (open, timer)
    expected.emplace(a.name);
    auto d = described[std::string{a.name}];
    ASSERT_TRUE(d) << a.name << " is not in x-actions";
    std::set<std::string> takers_, takes, needs;
    for (auto n : taker_names(who)) takers_.emplace(n);
    for (auto n : input_names(a.takes)) takes.emplace(n);
    for (auto n : input_names(a.needs)) needs.emplace(n);
    EXPECT_EQ(strings(d["who"]), takers_) << a.name;
    EXPECT_EQ(d["after_close"].as<bool>(), a.after_close) << a.name;
    EXPECT_EQ(strings(d["takes"]), takes) << a.name;
    EXPECT_EQ(strings(d["needs"]), needs) << a.name;
    for (auto& t : takes) EXPECT_TRUE(fields.contains(t)) << a.name << " takes " << t;
  }
  for (auto x : described) listed.insert(x.first.as<std::string>());
  EXPECT_EQ(listed, expected);
}

// A field of the ticket's view or detail is documented where clients look for it.
TEST_F(OpenApi, TheTicketIsDocumentedAsClientsSeeIt) {
  EXPECT_EQ(property_names(schemas_["TicketView"]), field_names<ticket_view>());
  auto detail = field_names<ticket_detail>();
  detail.insert("history");
  EXPECT_EQ(property_names(schemas_["Ticket"]["allOf"][1]), detail);
  EXPECT_EQ(property_names(schemas_["Deadline"]), field_names<deadline_view>());
}

}  // namespace
}  // namespace vocflow::connectors
