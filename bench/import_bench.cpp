// The import: the CFPB export, repeated with new ids up to --rows, mapped by
// examples/intake/cfpb-2014.yaml and brought in (1) historically into a node in this process and
// (2) live through a running node's batch endpoint over loopback, both with fsync.
//   import_bench [--rows N] [--partitions P] [--data PATH]
#include "app/node.hpp"
#include "bench_common.hpp"
#include "connectors/importer.hpp"
#include "tests/temp_dir.hpp"

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <iostream>

using namespace vocflow;

namespace {

// The export's rows repeated with fresh complaint ids until there are `rows`.
std::string repeated_export(const std::string& path, size_t rows) {
  std::ifstream in{path, std::ios::binary};
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  connectors::csv_reader r{text};
  std::vector<std::string> header, row;
  std::vector<std::vector<std::string>> all;
  r.next(header);
  while (r.next(row)) all.push_back(row);
  std::string out = text.substr(0, text.find('\n') + 1);
  for (size_t i = 0; i < rows && !all.empty(); ++i) {
    auto x = all[i % all.size()];
    x[0] = std::to_string(10'000'000 + i);
    for (size_t k = 0; k < x.size(); ++k) {
      if (k) out += ',';
      bool quote = x[k].find_first_of(",\"\n") != std::string::npos;
      if (quote) out += '"';
      for (char c : x[k]) out += c == '"' ? std::string{"\"\""} : std::string(1, c);
      if (quote) out += '"';
    }
    out += '\n';
  }
  return out;
}

std::unique_ptr<node> start(const std::string& data, uint32_t partitions, bool http) {
  config c;
  c.data.dir = data;
  c.flows.dir = std::string{VOCFLOW_SOURCE_DIR} + "/examples/flows";
  c.runtime.partitions = partitions;
  c.server.port = 0;
  c.server.max_body = 4 << 20;
  c.auth.tokens = {{"bench-token", "bench", "admin", "admin"}};
  std::string error;
  auto n = node::start({.cfg = c, .http = http, .api = http, .notifiers = false}, error);
  if (!n) std::cerr << error << "\n";
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  size_t rows = 200'000;
  uint32_t partitions = 0;
  size_t batch = connectors::import_options{}.batch_rows;
  std::string csv = bench::cfpb_csv;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--rows")) rows = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--partitions")) partitions = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--data")) csv = argv[i + 1];
    if (!std::strcmp(argv[i], "--batch")) batch = std::stoul(argv[i + 1]);
  }
  testing::temp_dir dir;
  auto file = dir / "export.csv";
  std::ofstream{file, std::ios::binary} << repeated_export(csv, rows);
  diagnostics d;
  auto src = read_source(std::string{VOCFLOW_SOURCE_DIR} + "/examples/intake/cfpb-2014.yaml", d);
  auto mapping = src ? connectors::load_mapping(*src, d) : std::nullopt;
  if (!mapping) return 1;

  std::cout << fmt::format("machine: {} cores, {}\ncommit: {}\nrows: {} (CFPB 2014, repeated)\n",
                           std::thread::hardware_concurrency(), bench::cpu_model(),
                           bench::git_commit(), rows);
  auto run = [&](const char* what, connectors::import_sink& sink, connectors::import_mode mode) {
    connectors::import_options o;
    o.mode = mode;
    o.batch_rows = batch;
    auto s = connectors::run_import(*mapping, {file}, o, &sink);
    if (!s.error.empty() || s.imported != rows) {
      std::cerr << what << ": " << s.error << " (" << s.imported << " imported)\n";
      return false;
    }
    std::cout << fmt::format("{:<40} {:>9.0f} rows/s  ({} rows in {:.2f} s)\n", what,
                             s.rows / s.seconds, s.rows, s.seconds);
    return true;
  };
  {
    auto n = start(dir / "historical", partitions, false);
    if (!n) return 1;
    auto sink = connectors::runtime_sink(n->runtime());
    if (!run("historical, in process (fsync)", *sink, connectors::import_mode::historical))
      return 1;
  }
  {
    auto n = start(dir / "live", partitions, true);
    if (!n) return 1;
    auto sink = connectors::http_sink(n->url(), "bench-token");
    if (!run("live, POST /v1/tickets:batch (fsync)", *sink, connectors::import_mode::live))
      return 1;
  }
  std::cout << fmt::format("peak RSS: {} MB\n", bench::peak_rss_mb());
  return 0;
}
