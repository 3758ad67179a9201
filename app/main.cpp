// vocflow: one executable, one subcommand per job.
#include "app/client_commands.hpp"
#include "app/digest_command.hpp"
#include "app/flow_commands.hpp"
#include "app/import_command.hpp"
#include "app/sentiment_command.hpp"
#include "app/server_commands.hpp"
#include "app/what_if_commands.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace {

int run(int argc, char** argv) {
  using namespace vocflow::app;
  CLI::App app{
      "vocflow: closed-loop complaint orchestration. Every complaint becomes a ticket driven "
      "through a YAML workflow: SLA clocks, escalations, hand-offs, parallel tasks, "
      "compensation and confirmation with the customer."};
  app.set_version_flag("--version", "vocflow " VOCFLOW_VERSION);
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
  validate
      ->add_option("--org", vo.organization_file,
                   "Organization file (default: organization.yaml beside the flows)")
      ->check(CLI::ExistingFile);
  validate->add_flag("--werror", vo.warnings_are_errors, "Treat warnings as errors");
  validate->add_flag("-q,--quiet", vo.quiet, "Print problems only, no summary");
  auto* sample =
      validate
          ->add_option("--sample", vo.samples,
                       "Real complaints (an export) to check each flow's match against: a "
                       "warning for every value no complaint of the sample reaches")
          ->check(CLI::ExistingFile);
  validate->add_option("-m,--mapping", vo.mapping, "The intake mapping that reads the sample")
      ->check(CLI::ExistingFile);
  sample->needs("--mapping");
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

  topics_report_options tro;
  auto* topics = app.add_subcommand("topics", "What complaints are about (kind: topics)");
  topics->require_subcommand(1);
  auto* report_topics = topics->add_subcommand(
      "report", "How much each topic catches in an export, and a sample of what nothing catches");
  report_topics->add_option("files", tro.samples, "Export files")
      ->required()
      ->check(CLI::ExistingFile);
  report_topics->add_option("-m,--mapping", tro.mapping, "The intake mapping that reads them")
      ->required()
      ->check(CLI::ExistingFile);
  report_topics->add_option("-t,--topics", tro.topics_file, "The topics file")
      ->required()
      ->check(CLI::ExistingFile);
  report_topics
      ->add_option("--org", tro.organization_file,
                   "Organization file (default: organization.yaml beside the topics)")
      ->check(CLI::ExistingFile);
  report_topics->add_option("--unmatched", tro.unmatched,
                            "How many texts no topic catches to show (default 10)");
  report_topics->callback([&] { code = run_topics_report(tro); });

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
  serve->add_option("--topics", sv.topics_file, "Topics file (overrides flows.topics)");
  serve->add_option("--partitions", sv.partitions, "Partitions (overrides runtime.partitions)");
  serve->add_option("--port", sv.port, "Port (overrides server.port; 0 picks a free one)");
  serve->add_option("--node", sv.node, "This node's name in a cluster (overrides cluster.node)");
  serve
      ->add_option("--nats", sv.nats,
                   "JetStream servers of a cluster, nats://host:port (overrides cluster.nats)")
      ->delimiter(',');
  serve->add_option("--clock", sv.clock,
                    "Start a clock at this time (2026-03-09T09:00:00Z) that moves only when an "
                    "admin says so (POST /v1/clock): demonstrations and browser tests");
  serve->callback([&] { code = run_serve(sv); });

  inspect_options io;
  auto* inspect = app.add_subcommand(
      "inspect",
      "Read a stopped store: counts, due timers, or one ticket's state and full history.");
  inspect->add_option("--data", io.data_dir, "Data folder")->capture_default_str();
  inspect->add_option("-t,--ticket", io.ticket, "Show this ticket and its history");
  inspect->add_flag("--due", io.due, "List the due timers");
  inspect->add_flag("--json", io.json, "JSON output");
  inspect->add_option("--tz", io.tz,
                      "Show times in this time zone (default $VOCFLOW_TZ, else this machine's)");
  inspect->callback([&] { code = run_inspect(io); });

  // The client of a running server.
  client_options co;
  auto client_flags = [&](CLI::App* cmd) {
    cmd->add_option("--url", co.url,
                    "Server URL (default $VOCFLOW_URL, else http://127.0.0.1:8080)");
    cmd->add_option("--token", co.token, "Bearer token (default $VOCFLOW_TOKEN)");
    cmd->add_option("--tz", co.tz,
                    "Show times in this time zone, e.g. Asia/Shanghai (default $VOCFLOW_TZ, else "
                    "each ticket's own: its flow's calendar)");
    cmd->add_flag("--json", co.json, "Print the server's JSON");
  };
  auto* ticket =
      app.add_subcommand("ticket", "Open, show, act on and list tickets of a running server.");
  ticket->require_subcommand(1);
  open_options oo;
  auto* t_open = ticket->add_subcommand("open", "Open a ticket (routed to a flow unless --flow).");
  client_flags(t_open);
  t_open->add_option("--customer", oo.customer, "Who complains")->required();
  t_open->add_option("--channel", oo.channel, "web, phone, app, email, ...");
  t_open->add_option("--category", oo.category);
  t_open->add_option("--product", oo.product);
  t_open->add_option("--severity", oo.severity, "low, normal, high, urgent, critical");
  t_open->add_option("--tier", oo.tier, "Customer tier");
  t_open->add_option("--text", oo.text, "What the customer says");
  t_open->add_option("--tag", oo.tags, "A tag (repeatable)");
  t_open->add_option("--extra", oo.extra, "key=value (repeatable)");
  t_open->add_option("--flow", oo.flow, "Run this flow instead of routing");
  t_open->add_option("--idempotency-key", oo.idempotency_key,
                     "A retry with the same key returns the same ticket");
  t_open->callback([&] { code = ticket_open(co, oo); });
  std::string show_id;
  auto* t_show = ticket->add_subcommand("show", "A ticket, its deadlines and whole history.");
  client_flags(t_show);
  t_show->add_option("id", show_id)->required();
  t_show->callback([&] { code = ticket_show(co, show_id); });
  act_options ao;
  auto* t_act = ticket->add_subcommand("act", "Act on a ticket: respond, hand_off, resolve, ...");
  client_flags(t_act);
  t_act->add_option("id", ao.id)->required();
  t_act->add_option("action", ao.action)->required();
  t_act->add_option("--text", ao.text, "Message, note or reason");
  t_act->add_option("--to", ao.to, "hand_off: the department");
  t_act->add_option("--amount", ao.amount, "Compensation amount");
  t_act->add_option("--request", ao.request, "Compensation request id");
  t_act->add_option("--task", ao.task, "complete_task: the task");
  t_act->add_option("--csat", ao.csat, "feedback: 1-5");
  t_act->add_option("--sentiment", ao.sentiment, "feedback: -1..1");
  t_act->add_flag("--for-customer", ao.for_customer,
                  "Record the customer's answer (confirm, reopen, ...)");
  t_act->callback([&] { code = ticket_act(co, ao); });
  list_options lo;
  auto* t_list = ticket->add_subcommand("list", "A department's queue, or every ticket.");
  client_flags(t_list);
  t_list->add_option("--department", lo.department);
  t_list->add_option("--status", lo.status, "open, resolved, closed");
  t_list->add_option("--breached", lo.breached, "true or false");
  t_list->add_option("--cursor", lo.cursor, "Continue after this ticket");
  t_list->add_option("--limit", lo.limit, "Page size (1-500)");
  t_list->callback([&] { code = ticket_list(co, lo); });

  auto* flow = app.add_subcommand("flow", "Deploy and list the flows of a running server.");
  flow->require_subcommand(1);
  std::string deploy_file;
  auto* f_deploy = flow->add_subcommand(
      "deploy", "Deploy a new flow version; errors come with line and column.");
  client_flags(f_deploy);
  f_deploy->add_option("file", deploy_file)->required()->check(CLI::ExistingFile);
  f_deploy->callback([&] { code = flow_deploy(co, deploy_file); });
  auto* f_list = flow->add_subcommand("list", "Every deployed flow version.");
  client_flags(f_list);
  f_list->callback([&] { code = flow_list(co); });

  report_options ro;
  auto* rep = app.add_subcommand(
      "report", "Closed-loop KPIs of the tickets opened in a period, from a running server.");
  client_flags(rep);
  rep->add_option("--from", ro.from, "First day or time (2026-06-01); default 30 days ago");
  rep->add_option("--to", ro.to, "End, exclusive (2026-07-01); default now");
  rep->add_option("--group-by", ro.group_by, "department, flow, agent or category")
      ->check(CLI::IsMember({"department", "flow", "agent", "category"}));
  rep->add_option("--format", ro.format, "table, json, csv or markdown")
      ->check(CLI::IsMember({"table", "json", "csv", "markdown"}));
  rep->add_option("--fcr-days", ro.fcr_days,
                  "Days without a reopen before a resolution counts as first-contact (default 7)");
  rep->callback([&] { code = report(co, ro); });

  std::string rc_from, rc_to;
  auto* rcl = app.add_subcommand(
      "reclassify",
      "Read the tickets opened in a period again with the topics deployed now (the old reading "
      "stays in each ticket's history).");
  client_flags(rcl);
  rcl->add_option("--from", rc_from, "First day or time (2026-06-01); default 30 days ago");
  rcl->add_option("--to", rc_to, "End, exclusive; default now");
  rcl->callback([&] { code = reclassify(co, rc_from, rc_to); });

  replay_options rpo;
  auto* rpl = app.add_subcommand(
      "replay",
      "What if: the tickets of a flow opened in a period run again under a changed flow or "
      "calendar (the people's actions and their times held fixed; timers as the changed flow "
      "says). The KPIs side by side, the tickets whose outcome changes, the actions the changed "
      "flow refuses. Reads only.");
  client_flags(rpl);
  rpl->add_option("--flow", rpo.flow_file, "The changed flow (YAML)")
      ->required()
      ->check(CLI::ExistingFile);
  rpl->add_option("--org,--organization", rpo.organization_file,
                  "Its organization (new calendars, holidays); default organization.yaml beside "
                  "the flow (with --data) or the server's")
      ->check(CLI::ExistingFile);
  rpl->add_option("--flow-id", rpo.flow_id,
                  "The recorded flow whose tickets are replayed; default the changed flow's id");
  rpl->add_option("--from", rpo.from, "First day or time (2026-06-01); default 30 days ago");
  rpl->add_option("--to", rpo.to, "End, exclusive; default now");
  rpl->add_option("--as-of", rpo.as_of, "With --data: timers fire up to this time; default now");
  rpl->add_option("--format", rpo.format, "table (default), markdown or json")
      ->check(CLI::IsMember({"table", "markdown", "json"}));
  rpl->add_option("--limit", rpo.limit, "Changed tickets and impossible actions listed")
      ->check(CLI::Range(0, 10000));
  rpl->add_option("--data", rpo.data_dir, "A stopped data folder, instead of a running server");
  rpl->callback([&] { code = run_replay(co, rpo); });

  audit_command_options auo;
  auto* aud = app.add_subcommand(
      "audit",
      "Tickets whose KPI figures deserve a second look, each with the events that show it: "
      "clocks paused after the customer answered, closed without confirmation, repeats of closed "
      "complaints, compensation split under a limit, hand-off ping-pong.");
  client_flags(aud);
  aud->add_option("--from", auo.from, "First day or time (2026-06-01); default 30 days ago");
  aud->add_option("--to", auo.to, "End, exclusive; default now");
  aud->add_option("--as-of", auo.as_of, "With --data: the time the audit is made; default now");
  aud->add_option("--kind", auo.kind, "Only these kinds listed (comma-separated)");
  aud->add_option("--format", auo.format, "table (default), markdown or json")
      ->check(CLI::IsMember({"table", "markdown", "json"}));
  aud->add_option("--limit", auo.limit, "Findings listed")->check(CLI::Range(0, 10000));
  aud->add_option("--data", auo.data_dir, "A stopped data folder, instead of a running server");
  aud->add_option("--org,--organization", auo.organization_file,
                  "With --data: the organization the stored flows are checked against")
      ->capture_default_str();
  aud->callback([&] { code = run_audit(co, auo); });

  digest_command_options dgo;
  auto* dig = app.add_subcommand(
      "digest",
      "The weekly digest of praise and pain per department: top pain topics with quotes, top "
      "praise, the week's KPIs against the week before, spikes and problems.");
  client_flags(dig);
  dig->add_option("--week", dgo.week, "ISO week (2026-W48); default the last whole week");
  dig->add_option("--department", dgo.department, "One department; default all");
  dig->add_option("--format", dgo.format, "markdown (default), html or json")
      ->check(CLI::IsMember({"markdown", "html", "json"}));
  dig->add_option("--data", dgo.data_dir, "A stopped data folder, instead of a running server");
  dig->callback([&] { code = run_digest(co, dgo); });

  import_options imo;
  auto* imp = app.add_subcommand(
      "import",
      "Bring exports in as tickets (CSV or JSON Lines; UTF-8, GB18030 or GBK), mapped by an "
      "intake mapping. Each record counts once by its source and id: a second run adds nothing, "
      "an interrupted one resumes. Bad rows go to a rejects file. Exit 3 when rows were "
      "rejected.");
  imp->add_option("files", imo.files, "Export files")->required()->check(CLI::ExistingFile);
  imp->add_option("-m,--mapping", imo.mapping, "Intake mapping (kind: intake-mapping)")
      ->required()
      ->check(CLI::ExistingFile);
  auto* to_data =
      imp->add_option("--data", imo.data_dir, "A stopped data folder, written by this process");
  auto* to_url = imp->add_option(
      "--url", imo.url, "A running server (default $VOCFLOW_URL, else http://127.0.0.1:8080)");
  to_data->excludes(to_url);
  imp->add_option("--token", imo.token, "Bearer token (default $VOCFLOW_TOKEN)");
  bool live_flag = false;
  auto* live = imp->add_flag("--live", live_flag,
                             "Open each complaint now: routed, SLA clocks started (the default)");
  auto* hist = imp->add_flag("--historical", imo.historical,
                             "Record each as it happened: opened at its date, closed as the "
                             "export says, no SLA clocks");
  live->excludes(hist);
  imp->add_flag("--dry-run", imo.dry_run, "Map and check every row; write nothing");
  imp->add_option("--rejects", imo.rejects,
                  "Where rejected rows go (default: the first file + .rejects.csv)");
  imp->add_option("-c,--config", imo.config_file, "With --data: the server configuration")
      ->each([&](const std::string&) { imo.config_given = true; });
  imp->add_option("--flows", imo.flows_dir, "With --data: the flows folder");
  imp->add_option("--topics", imo.topics_file, "With --data: the topics file (kind: topics)");
  imp->callback([&] { code = run_import(imo); });

  sentiment_options so_;
  auto* sen = app.add_subcommand(
      "sentiment", "How customers sound: a score in [-1, 1] per text, Chinese and English");
  sen->require_subcommand(1);
  auto labelled = [&](CLI::App* c) {
    c->add_option("file", so_.file, "Labelled texts: CSV with a header")
        ->required()
        ->check(CLI::ExistingFile);
    c->add_option("--text", so_.text_column, "The column of the text")->required();
    c->add_option("--label", so_.label_column,
                  "The column of the label: 1/pos/positive/true/yes or 0/-1/neg/negative/false/no")
        ->required();
    c->add_option("--encoding", so_.encoding, "utf-8 (default), gb18030 or gbk")
        ->check(CLI::IsMember({"utf-8", "gb18030", "gbk"}));
  };
  auto* train = sen->add_subcommand(
      "train", "Fit a model to labelled texts (character n-grams and the lexicon)");
  labelled(train);
  train->add_option("-o,--out", so_.model, "The model file to write")->required();
  train->callback([&] { code = run_sentiment_train(so_); });
  auto* eval = sen->add_subcommand(
      "eval", "Accuracy and confusion matrix on labelled texts: of a model, or cross-validated");
  labelled(eval);
  auto* model = eval->add_option("--model", so_.model, "The model (default: the lexicon alone)")
                    ->check(CLI::ExistingFile);
  auto* folds = eval->add_option("--folds", so_.folds,
                                 "Train and measure k times on the file itself (k-fold)")
                    ->check(CLI::Range(2, 100));
  auto* by = eval->add_option("--by", so_.by,
                              "Hold each group of this column out in turn: accuracy on domains "
                              "the model never saw");
  model->excludes(folds)->excludes(by);
  folds->excludes(by);
  eval->callback([&] { code = run_sentiment_eval(so_); });
  auto* score = sen->add_subcommand("score", "Score texts given on the command line");
  score->add_option("texts", so_.texts, "Texts")->required();
  score->add_option("--model", so_.model, "The model (default: the lexicon alone)")
      ->check(CLI::ExistingFile);
  score->callback([&] { code = run_sentiment_score(so_); });

  CLI11_PARSE(app, argc, argv);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  // Every command reports its own errors; what escapes one is a fault, said before exiting.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "vocflow: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "vocflow: an unknown error\n";
  }
  return 1;
}
