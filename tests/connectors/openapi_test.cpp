// The OpenAPI document and the server agree: every route served is documented, and every
// documented path and method is served.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <set>

#include "connectors/api.hpp"

namespace vocflow::connectors {
namespace {

TEST(OpenApi, EveryServedRouteIsDocumentedAndViceVersa) {
  auto doc = YAML::Load(openapi_document());
  ASSERT_EQ(doc["openapi"].as<std::string>(), "3.0.3");
  std::set<std::pair<std::string, std::string>> documented, served;
  for (auto path : doc["paths"])
    for (auto op : path.second) {
      auto method = op.first.as<std::string>();
      std::transform(method.begin(), method.end(), method.begin(), ::toupper);
      documented.emplace(method, path.first.as<std::string>());
    }
  for (auto& r : api::routes()) served.emplace(r.method, r.path);
  EXPECT_EQ(documented, served);
}

TEST(OpenApi, PublicRoutesAreDocumentedWithoutSecurity) {
  auto doc = YAML::Load(openapi_document());
  for (auto& r : api::routes()) {
    auto method = r.method;
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    auto op = doc["paths"][r.path][method];
    bool open = op["security"] && op["security"].size() == 0;
    EXPECT_EQ(open, r.roles.empty()) << r.method << " " << r.path;
  }
}

}  // namespace
}  // namespace vocflow::connectors
