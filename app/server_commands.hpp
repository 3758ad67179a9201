// Ops' commands: run the orchestrator, and look into a stopped store.
#pragma once

#include <string>
#include <vector>

namespace vocflow::app {

struct serve_options {
  std::string config_file = "config/vocflow.yaml";  // used when it exists
  bool config_given = false;                        // then it must exist
  std::string data_dir;                             // overrides data.dir
  std::string flows_dir;                            // overrides flows.dir
  std::string topics_file;                          // overrides flows.topics
  int partitions = -1;                              // overrides runtime.partitions
  int port = -1;                                    // overrides server.port
  std::string node;                                 // overrides cluster.node
  std::vector<std::string> nats;                    // overrides cluster.nats
  // Run on a clock that starts at this time and moves only by POST /v1/clock (demonstrations,
  // browser tests); "" for the system clock.
  std::string clock;
};
int run_serve(const serve_options& o);

struct inspect_options {
  std::string data_dir = "./vocflow-data";
  std::string ticket;  // show this ticket's state and history
  std::string tz;      // times in this zone; default: $VOCFLOW_TZ, else this machine's
  bool due = false;    // list due timers
  bool json = false;
};
int run_inspect(const inspect_options& o);

}  // namespace vocflow::app
