// The baseline of the cluster benchmark (bench/cluster_bench.py): raw JetStream publishes on
// the same servers, with nothing of vocflow in between. A file-backed stream with 3 replicas,
// messages of the size vocflow's commands take in its streams, as many in flight as the
// cluster benchmark has connections (each acknowledged by a quorum, as vocflow's are).
//
//   jetstream_bench --nats URL[,URL...] --messages N --size BYTES --inflight W
//   jetstream_bench --nats URL[,URL...] --streams PREFIX COUNT   bytes and messages of
//                                                                 PREFIX0..PREFIX<COUNT-1>
#include "bench/bench_common.hpp"

#include <nats/nats.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace {

using steady = std::chrono::steady_clock;

int fail(const char* what, natsStatus s) {
  return std::fprintf(stderr, "%s: %s\n", what, natsStatus_GetText(s)), 1;
}

int stream_totals(jsCtx* js, const std::string& prefix, int count) {
  uint64_t bytes = 0, msgs = 0;
  for (int i = 0; i < count; ++i) {
    jsStreamInfo* si = nullptr;
    jsErrCode code{};
    auto name = prefix + std::to_string(i);
    if (auto s = js_GetStreamInfo(&si, js, name.c_str(), nullptr, &code); s != NATS_OK)
      return fail(name.c_str(), s);
    bytes += si->State.Bytes;
    msgs += si->State.Msgs;
    jsStreamInfo_Destroy(si);
  }
  std::printf("streams %llu bytes %llu messages\n", static_cast<unsigned long long>(bytes),
              static_cast<unsigned long long>(msgs));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string servers, prefix;
  int count = 0;
  size_t messages = 100'000, size = 400, inflight = 64;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--nats" && i + 1 < argc)
      servers = argv[++i];
    else if (a == "--messages" && i + 1 < argc)
      messages = std::stoul(argv[++i]);
    else if (a == "--size" && i + 1 < argc)
      size = std::stoul(argv[++i]);
    else if (a == "--inflight" && i + 1 < argc)
      inflight = std::stoul(argv[++i]);
    else if (a == "--streams" && i + 2 < argc)
      prefix = argv[++i], count = std::stoi(argv[++i]);
    else
      return std::fprintf(stderr, "usage: see the top of jetstream_bench.cpp\n"), 2;
  }
  natsConnection* nc = nullptr;
  if (auto s = natsConnection_ConnectTo(&nc, servers.c_str()); s != NATS_OK)
    return fail("connect", s);
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.PublishAsync.MaxPending = static_cast<int64_t>(inflight);
  jo.Wait = 10'000;
  jsCtx* js = nullptr;
  if (auto s = natsConnection_JetStream(&js, nc, &jo); s != NATS_OK) return fail("jetstream", s);
  if (!prefix.empty()) return stream_totals(js, prefix, count);

  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = "RAWBENCH";
  const char* subjects[] = {"rawbench"};
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  cfg.Replicas = 3;
  jsErrCode code{};
  js_DeleteStream(js, "RAWBENCH", nullptr, &code);
  if (auto s = js_AddStream(nullptr, js, &cfg, nullptr, &code); s != NATS_OK)
    return fail("stream", s);

  std::string payload(size, 'x');
  auto started = steady::now();
  for (size_t i = 0; i < messages; ++i)
    if (auto s = js_PublishAsync(js, "rawbench", payload.data(), static_cast<int>(size), nullptr);
        s != NATS_OK)
      return fail("publish", s);
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = 60'000;
  if (auto s = js_PublishAsyncComplete(js, &po); s != NATS_OK) return fail("complete", s);
  double seconds = std::chrono::duration<double>(steady::now() - started).count();
  std::printf("raw async %zu messages of %zu bytes, %zu in flight, 3 replicas: %.0f messages/s\n",
              messages, size, inflight, static_cast<double>(messages) / seconds);

  // One at a time, each waiting for its quorum: the latency floor of an append.
  std::vector<uint32_t> micros;
  size_t sync_messages = std::min<size_t>(messages / 10, 5000);
  started = steady::now();
  for (size_t i = 0; i < sync_messages; ++i) {
    auto t = steady::now();
    jsPubAck* ack = nullptr;
    if (auto s = js_Publish(&ack, js, "rawbench", payload.data(), static_cast<int>(size), nullptr,
                            &code);
        s != NATS_OK)
      return fail("publish", s);
    jsPubAck_Destroy(ack);
    micros.push_back(static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - t).count()));
  }
  seconds = std::chrono::duration<double>(steady::now() - started).count();
  std::printf("raw sync %zu messages: %.0f messages/s, p50 %.2f ms, p99 %.2f ms\n", sync_messages,
              static_cast<double>(sync_messages) / seconds,
              vocflow::bench::percentile(micros, 0.5) / 1000,
              vocflow::bench::percentile(micros, 0.99) / 1000);
  js_DeleteStream(js, "RAWBENCH", nullptr, &code);
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  return 0;
}
