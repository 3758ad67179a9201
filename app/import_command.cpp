#include "app/import_command.hpp"

#include "app/node.hpp"
#include "connectors/importer.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

namespace vocflow::app {
namespace {

std::string clock_text(double seconds) {
  auto s = std::lround(seconds);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                   : fmt::format("{}:{:02}", s / 60, s % 60);
}

// On a terminal, a bar redrawn in place: share of the bytes read, rows, rows/s, time left.
// Otherwise a plain line per tenth of the way.
class progress_report {
 public:
  progress_report() : tty_(isatty(STDERR_FILENO)) {}

  void operator()(const connectors::import_progress& p) {
    double share =
        p.total_bytes ? static_cast<double>(p.bytes) / static_cast<double>(p.total_bytes) : 1;
    double rate = p.seconds > 0 ? static_cast<double>(p.rows) / p.seconds : 0;
    double left = share > 0 ? p.seconds / share - p.seconds : 0;
    if (tty_) {
      int filled = static_cast<int>(share * 30);
      std::fprintf(stderr, "\r[%s%s] %3d%%  %zu rows  %.0f rows/s  %s left ",
                   std::string(filled, '#').c_str(), std::string(30 - filled, '.').c_str(),
                   static_cast<int>(share * 100), p.rows, rate, clock_text(left).c_str());
      std::fflush(stderr);
    } else if (static_cast<int>(share * 10) > tenth_ || share >= 1) {
      tenth_ = static_cast<int>(share * 10);
      std::cerr << fmt::format("{:3}%  {} rows  {:.0f} rows/s  {} left\n",
                               static_cast<int>(share * 100), p.rows, rate, clock_text(left));
    }
  }
  void end() const {
    if (tty_) std::fputc('\n', stderr);
  }

 private:
  bool tty_;
  int tenth_ = -1;
};

}  // namespace

int run_import(const import_options& o) {
  diagnostics d;
  std::optional<connectors::intake_mapping> m;
  if (auto src = read_source(o.mapping, d)) m = connectors::load_mapping(*src, d);
  for (auto& x : d.items()) std::cerr << to_string(x) << "\n";
  if (!m) return 1;
  if (m->format == connectors::record_format::json) {
    std::cerr << o.mapping << ": format json is for webhook deliveries; files are csv or jsonl\n";
    return 1;
  }

  connectors::import_options io;
  io.mode = o.historical ? connectors::import_mode::historical : connectors::import_mode::live;
  io.dry_run = o.dry_run;
  io.rejects_path = o.rejects.empty() ? o.files.front() + ".rejects.csv" : o.rejects;
  progress_report bar;
  io.on_progress = [&](const connectors::import_progress& p) { bar(p); };

  std::unique_ptr<node> local;
  std::unique_ptr<connectors::import_sink> sink;
  if (!o.dry_run && !o.data_dir.empty()) {
    config c;
    if (o.config_given || std::filesystem::exists(o.config_file)) {
      std::optional<config> loaded;
      if (auto src = read_source(o.config_file, d)) loaded = load_config(*src, d);
      for (auto& x : d.items()) std::cerr << to_string(x) << "\n";
      if (!loaded) return 1;
      c = *loaded;
    }
    c.data.dir = o.data_dir;
    if (!o.flows_dir.empty()) c.flows.dir = o.flows_dir;
    if (!o.topics_file.empty()) c.flows.topics = o.topics_file;
    spdlog::set_level(spdlog::level::warn);
    std::string error;
    local = node::start({.cfg = c, .http = false, .api = false, .notifiers = false}, error);
    if (!local) {
      std::cerr << "vocflow import: " << error << "\n";
      return 1;
    }
    sink = connectors::runtime_sink(local->runtime());
  } else if (!o.dry_run) {
    auto* env_url = std::getenv("VOCFLOW_URL");
    auto* env_token = std::getenv("VOCFLOW_TOKEN");
    std::string url = !o.url.empty() ? o.url : env_url ? env_url : "http://127.0.0.1:8080";
    std::string token = !o.token.empty() ? o.token : env_token ? env_token : "";
    sink = connectors::http_sink(url, token);
  }

  auto s = connectors::run_import(*m, o.files, io, sink.get());
  bar.end();
  sink.reset();
  if (local) local->stop();
  std::cout << fmt::format(
      "{} rows in {:.1f} s: {} imported, {} already there, {} rejected{}{}\n", s.rows, s.seconds,
      s.imported, s.already, s.rejected,
      s.ignored ? fmt::format(", {} left alone by the mapping", s.ignored) : "",
      o.dry_run ? " (dry run: nothing written)" : "");
  if (s.rejected)
    std::cout << "rejected rows, with their line and reason: " << io.rejects_path << "\n";
  if (!s.error.empty()) {
    std::cerr << "vocflow import: stopped: " << s.error << "\n";
    return 1;
  }
  return s.rejected ? 3 : 0;
}

}  // namespace vocflow::app
