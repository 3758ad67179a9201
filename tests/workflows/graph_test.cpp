// Every example flow draws, and Graphviz renders the drawing.
#include "tests/shell.hpp"
#include "tests/workflows/fixture.hpp"
#include "workflows/graph.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace vocflow {
namespace {

// Runs `dot -Tsvg` on `text`; returns its exit status and output.
std::pair<int, std::string> render(const std::string& text, const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / "vocflow-graph-test";
  std::filesystem::create_directories(dir);
  auto in = dir / (name + ".dot");
  std::ofstream{in} << text;
  auto r = testing::shell("dot -Tsvg '" + in.string() + "'");
  return {r.code, r.out};
}

TEST(Graph, EveryExampleRendersWithDot) {
  for (auto& f : testing::examples().flows) {
    auto [status, svg] = render(to_dot(*f), f->id);
    EXPECT_EQ(status, 0) << f->id << ": " << svg;
    EXPECT_NE(svg.find("<svg"), std::string::npos) << f->id;
    for (auto& s : f->steps)
      EXPECT_NE(svg.find(s.name), std::string::npos) << f->id << " " << s.name;
  }
}

TEST(Graph, DotShowsOwnersSlasBranchesAndEscalations) {
  auto dot = to_dot(*testing::example_flow("apparel-returns"));
  for (auto needle : {"owner: customer_service", "SLA 1d", "50%: notify supervisor",
                      "cluster_fix_causes", "\"fix_causes.photos\"", "fix_causes.join",
                      "timeout 3d", "reopen within 14d", "doublecircle", "agent up to 50"})
    EXPECT_NE(dot.find(needle), std::string::npos) << needle;
}

TEST(Graph, MermaidHasEveryStepAndBranch) {
  auto m = to_mermaid(*testing::example_flow("apparel-returns"));
  EXPECT_EQ(m.find("---\ntitle:"), 0u);
  for (auto needle :
       {"flowchart LR", "s_triage[", "s_fix_causes_s_size_chart[", "s_fix_causes_join{{join}}",
        "s_triage -- investigate --> s_fix_causes", "s_closed((\"closed\"))"})
    EXPECT_NE(m.find(needle), std::string::npos) << needle;
}

}  // namespace
}  // namespace vocflow
