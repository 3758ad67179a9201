// vocflow: one executable, one subcommand per job.
#include <CLI/CLI.hpp>

#include "app/flow_commands.hpp"
#include "app/server_commands.hpp"

int main(int argc, char** argv) {
  using namespace vocflow::app;
  CLI::App app{
      "vocflow: closed-loop complaint orchestration. Every complaint becomes a ticket driven "
      "through a YAML workflow: SLA clocks, escalations, hand-offs, parallel tasks, "
      "compensation and confirmation with the customer."};
  app.require_subcommand(1);
  int code = 0;

  validate_options vo;
  auto* validate = app.add_subcommand(
      "validate",
      "Check flow and organization files; print every problem as file:line:column. "
      "Exit 1 on errors. organization.yaml beside the flows is read when not named.");
  validate->add_option("files", vo.files, "Flow and organization YAML files")
      ->required()
      ->check(CLI::ExistingFile);
  validate->add_flag("--werror", vo.warnings_are_errors, "Treat warnings as errors");
  validate->add_flag("-q,--quiet", vo.quiet, "Print problems only, no summary");
  validate->callback([&] { code = run_validate(vo); });

  simulate_options so;
  auto* simulate = app.add_subcommand(
      "simulate",
      "Run a scenario through a flow with a virtual clock and print the timeline: every event "
      "with wall and business time, deadlines, warnings, escalations, breaches. Exit 1 when an "
      "expectation of the scenario fails.");
  simulate->add_option("flow", so.flow_file, "Flow YAML file")
      ->required()
      ->check(CLI::ExistingFile);
  simulate->add_option("-s,--scenario", so.scenario_file, "Scenario YAML file")
      ->required()
      ->check(CLI::ExistingFile);
  simulate->add_option("--org", so.organization_file,
                       "Organization file (default: organization.yaml beside the flow)");
  simulate->add_flag("--json", so.json, "Print the timeline as JSON");
  simulate->callback([&] { code = run_simulate(so); });

  graph_options go;
  auto* graph = app.add_subcommand(
      "graph", "Draw a flow: steps, owners, SLAs, parallel branches, escalation levels.");
  graph->add_option("flow", go.flow_file, "Flow YAML file")->required()->check(CLI::ExistingFile);
  graph->add_option("-f,--format", go.format, "dot (Graphviz) or mermaid")
      ->check(CLI::IsMember({"dot", "mermaid"}));
  graph->add_option("-o,--output", go.output, "Write to this file instead of stdout");
  graph->add_option("--org", go.organization_file,
                    "Organization file (default: organization.yaml beside the flow)");
  graph->callback([&] { code = run_graph(go); });

  serve_options sv;
  auto* serve = app.add_subcommand(
      "serve",
      "Run the orchestrator: tickets, SLA timers and escalations, durable in RocksDB. Embedded "
      "defaults: data in ./vocflow-data, flows from examples/flows, config/vocflow.yaml when "
      "present. SIGTERM or Ctrl-C drains (every queued command is written) and exits.");
  serve->add_option("-c,--config", sv.config_file, "Configuration file")
      ->each([&](const std::string&) { sv.config_given = true; });
  serve->add_option("--data", sv.data_dir, "Data folder (overrides data.dir)");
  serve->add_option("--flows", sv.flows_dir, "Flows folder (overrides flows.dir)");
  serve->add_option("--partitions", sv.partitions, "Partitions (overrides runtime.partitions)");
  serve->add_option("--port", sv.port, "Port (overrides server.port; 0 picks a free one)");
  serve->callback([&] { code = run_serve(sv); });

  inspect_options io;
  auto* inspect = app.add_subcommand(
      "inspect",
      "Read a stopped store: counts, due timers, or one ticket's state and full history.");
  inspect->add_option("--data", io.data_dir, "Data folder")->capture_default_str();
  inspect->add_option("-t,--ticket", io.ticket, "Show this ticket and its history");
  inspect->add_flag("--due", io.due, "List the due timers");
  inspect->add_flag("--json", io.json, "JSON output");
  inspect->callback([&] { code = run_inspect(io); });

  CLI11_PARSE(app, argc, argv);
  return code;
}
