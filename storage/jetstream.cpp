#include "storage/jetstream.hpp"

#include <fmt/format.h>
#include <nats/nats.h>

#include <atomic>

namespace vocflow::storage {
namespace {

status unavailable_or(natsStatus s, jsErrCode code, std::string_view what) {
  auto text = fmt::format("{}: {}{}", what, natsStatus_GetText(s),
                          code ? fmt::format(" (JetStream error {})", static_cast<int>(code)) : "");
  if (code == JSStreamWrongLastSequenceErr) return {status::code::conflict, text};
  if (s == NATS_NOT_FOUND) return {status::code::not_found, text};
  return {status::code::unavailable, text};
}

status failed(natsStatus s, std::string_view what) {
  auto st = unavailable_or(s, static_cast<jsErrCode>(0), what);
  if (s == NATS_ERR) {  // the client's own words say more
    natsStatus last = NATS_OK;
    if (const char* text = nats_GetLastError(&last); text && *text)
      return {st.kind(), fmt::format("{}: {}", what, text)};
  }
  return st;
}

// A callback's closure, freed by the client once the subscription is done with it.
template <class F>
struct closure {
  F call;
  static void done(void* self) { delete static_cast<closure*>(self); }
};

template <class F>
std::unique_ptr<jetstream_subscription> finish_subscription(natsStatus s, natsSubscription* sub,
                                                            closure<F>* c, status& st,
                                                            std::string_view what) {
  if (s != NATS_OK) {
    delete c;
    st = failed(s, what);
    return nullptr;
  }
  if (natsSubscription_SetOnCompleteCB(sub, &closure<F>::done, c) != NATS_OK) {
    // Only after the subscription closed: nothing calls it any more.
    delete c;
  }
  st = {};
  return std::make_unique<jetstream_subscription>(sub);
}

}  // namespace

struct jetstream::handles {
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  kvStore* kv = nullptr;
};

jetstream::jetstream(jetstream_options options)
    : options_(std::move(options)), h_(std::make_unique<handles>()) {}

jetstream_subscription::~jetstream_subscription() {
  auto* sub = static_cast<natsSubscription*>(sub_);
  natsSubscription_Unsubscribe(sub);
  natsSubscription_Destroy(sub);
}

std::shared_ptr<jetstream> jetstream::connect(const jetstream_options& options,
                                              std::string& error) {
  std::shared_ptr<jetstream> j{new jetstream(options)};
  natsOptions* opts = nullptr;
  std::vector<const char*> servers;
  for (auto& s : options.servers) servers.push_back(s.c_str());
  auto s = natsOptions_Create(&opts);
  if (s == NATS_OK)
    s = natsOptions_SetServers(opts, servers.data(), static_cast<int>(servers.size()));
  if (s == NATS_OK) s = natsOptions_SetName(opts, options.name.c_str());
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts, options.timeout.count());
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);  // for ever
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 100);
  if (s == NATS_OK) s = natsConnection_Connect(&j->h_->nc, opts);
  natsOptions_Destroy(opts);
  if (s == NATS_OK) {
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = options.timeout.count();
    s = natsConnection_JetStream(&j->h_->js, j->h_->nc, &jo);
  }
  if (s != NATS_OK) {
    error = fmt::format("cannot connect to NATS at {}: {}", fmt::join(options.servers, ","),
                        natsStatus_GetText(s));
    return nullptr;
  }
  return j;
}

jetstream::~jetstream() {
  if (h_->kv) kvStore_Destroy(h_->kv);
  if (h_->js) jsCtx_Destroy(h_->js);
  if (h_->nc) {
    natsConnection_Close(h_->nc);
    natsConnection_Destroy(h_->nc);
  }
}

status jetstream::ensure_stream(const std::string& stream, const std::string& subject) {
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = stream.c_str();
  const char* subjects[] = {subject.c_str()};
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  cfg.Replicas = options_.replicas;
  // Appends retried after a lost answer are recognised for this long.
  cfg.Duplicates =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::minutes{2}).count();
  jsStreamInfo* info = nullptr;
  jsErrCode code{};
  auto s = js_AddStream(&info, h_->js, &cfg, nullptr, &code);
  if (s != NATS_OK && code == JSStreamNameExistErr) {
    s = js_GetStreamInfo(&info, h_->js, stream.c_str(), nullptr, &code);
    if (s == NATS_OK && info->Config->Replicas != options_.replicas) {
      auto have = info->Config->Replicas;
      jsStreamInfo_Destroy(info);
      return {status::code::invalid,
              fmt::format("stream {} has {} replicas, the configuration says {}", stream, have,
                          options_.replicas)};
    }
  }
  uint64_t last = info ? info->State.LastSeq : 0;
  if (info) jsStreamInfo_Destroy(info);
  if (s != NATS_OK) return unavailable_or(s, code, "creating stream " + stream);
  if (last > 0) return {};
  // An empty first message, once however many nodes start together: every later append
  // expects a last sequence of at least 1, which the client always sends (it takes 0 for "no
  // expectation").
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MsgId = "vocflow-stream-start";
  jsPubAck* ack = nullptr;
  s = js_Publish(&ack, h_->js, subject.c_str(), "", 0, &po, &code);
  if (ack) jsPubAck_Destroy(ack);
  if (s != NATS_OK) return unavailable_or(s, code, "starting stream " + stream);
  return {};
}

status jetstream::last_seq(const std::string& stream, uint64_t& out) {
  jsStreamInfo* info = nullptr;
  jsErrCode code{};
  auto s = js_GetStreamInfo(&info, h_->js, stream.c_str(), nullptr, &code);
  if (s != NATS_OK) return unavailable_or(s, code, "reading stream " + stream);
  out = info->State.LastSeq;
  jsStreamInfo_Destroy(info);
  return {};
}

status jetstream::append(const std::string& subject, std::string_view data, uint64_t expect_last,
                         const std::string& msg_id, uint64_t& seq) {
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = options_.timeout.count();
  po.ExpectLastSeq = expect_last;
  po.MsgId = msg_id.c_str();
  jsPubAck* ack = nullptr;
  jsErrCode code{};
  auto s = js_Publish(&ack, h_->js, subject.c_str(), data.data(), static_cast<int>(data.size()),
                      &po, &code);
  if (s != NATS_OK) return unavailable_or(s, code, "appending to " + subject);
  seq = ack->Sequence;
  jsPubAck_Destroy(ack);  // a retried append (Duplicate): `seq` is where the first one went
  return {};
}

status jetstream::read(const std::string& stream, uint64_t seq, std::string& data) {
  natsMsg* msg = nullptr;
  jsErrCode code{};
  auto s = js_GetMsg(&msg, h_->js, stream.c_str(), seq, nullptr, &code);
  if (s != NATS_OK) return unavailable_or(s, code, fmt::format("reading {}#{}", stream, seq));
  data.assign(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
  natsMsg_Destroy(msg);
  return {};
}

std::unique_ptr<jetstream_subscription> jetstream::follow(const std::string& stream,
                                                          const std::string& subject, uint64_t from,
                                                          message_visitor on, status& st) {
  using C = closure<message_visitor>;
  auto* c = new C{std::move(on)};
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = stream.c_str();
  so.Ordered = true;
  so.Config.DeliverPolicy = js_DeliverByStartSequence;
  so.Config.OptStartSeq = std::max<uint64_t>(1, from);
  natsSubscription* sub = nullptr;
  jsErrCode code{};
  auto handler = [](natsConnection*, natsSubscription*, natsMsg* msg, void* self) {
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
      std::string_view data{natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg))};
      static_cast<C*>(self)->call(meta->Sequence.Stream, meta->Timestamp / 1'000'000, data);
      jsMsgMetaData_Destroy(meta);
    }
    natsMsg_Destroy(msg);
  };
  auto s = js_Subscribe(&sub, h_->js, subject.c_str(), handler, c, nullptr, &so, &code);
  return finish_subscription(s, sub, c, st, "following " + subject);
}

status jetstream::open_bucket(const std::string& bucket, std::chrono::milliseconds ttl) {
  kvConfig cfg;
  kvConfig_Init(&cfg);
  cfg.Bucket = bucket.c_str();
  cfg.History = 1;
  cfg.TTL = std::chrono::duration_cast<std::chrono::nanoseconds>(ttl).count();
  cfg.StorageType = js_FileStorage;
  cfg.Replicas = options_.replicas;
  auto s = js_CreateKeyValue(&h_->kv, h_->js, &cfg);
  if (s != NATS_OK && js_KeyValue(&h_->kv, h_->js, bucket.c_str()) != NATS_OK)
    return failed(s == NATS_NOT_FOUND ? NATS_TIMEOUT : s, "opening the bucket " + bucket);
  return {};
}

namespace {
// The client says "wrong last sequence" for a create or update that lost the race.
status lease_error(natsStatus s, std::string_view what) {
  if (s == NATS_TIMEOUT || s == NATS_CONNECTION_CLOSED || s == NATS_NO_RESPONDERS ||
      s == NATS_NO_SERVER)
    return failed(s, what);
  return {status::code::conflict, fmt::format("{}: {}", what, nats_GetLastError(nullptr))};
}
}  // namespace

status jetstream::create(const std::string& key, const std::string& value, uint64_t& revision) {
  auto s =
      kvStore_Create(&revision, h_->kv, key.c_str(), value.data(), static_cast<int>(value.size()));
  if (s != NATS_OK) return lease_error(s, "taking " + key);
  return {};
}

status jetstream::update(const std::string& key, const std::string& value, uint64_t last,
                         uint64_t& revision) {
  auto s = kvStore_Update(&revision, h_->kv, key.c_str(), value.data(),
                          static_cast<int>(value.size()), last);
  if (s != NATS_OK) return lease_error(s, "renewing " + key);
  return {};
}

status jetstream::get(const std::string& key, std::string& value, uint64_t& revision) {
  kvEntry* e = nullptr;
  auto s = kvStore_Get(&e, h_->kv, key.c_str());
  if (s == NATS_NOT_FOUND) return {status::code::not_found, key + " is not held"};
  if (s != NATS_OK) return failed(s, "reading " + key);
  value.assign(static_cast<const char*>(kvEntry_Value(e)),
               static_cast<size_t>(kvEntry_ValueLen(e)));
  revision = kvEntry_Revision(e);
  kvEntry_Destroy(e);
  return {};
}

status jetstream::remove(const std::string& key) {
  auto s = kvStore_Delete(h_->kv, key.c_str());
  if (s != NATS_OK) return failed(s, "releasing " + key);
  return {};
}

status jetstream::keys(const std::string& prefix, std::vector<std::string>& out) {
  kvKeysList list{};
  auto s = kvStore_Keys(&list, h_->kv, nullptr);
  out.clear();
  if (s == NATS_NOT_FOUND) return {};  // an empty bucket
  if (s != NATS_OK) return failed(s, "listing the bucket");
  for (int i = 0; i < list.Count; ++i)
    if (std::string_view{list.Keys[i]}.substr(0, prefix.size()) == prefix)
      out.emplace_back(list.Keys[i]);
  kvKeysList_Destroy(&list);
  return {};
}

std::unique_ptr<jetstream_subscription> jetstream::serve(const std::string& subject,
                                                         const std::string& queue,
                                                         request_visitor on, status& st) {
  using C = closure<request_visitor>;
  auto* c = new C{std::move(on)};
  auto handler = [](natsConnection*, natsSubscription*, natsMsg* msg, void* self) {
    std::string_view data{natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg))};
    const char* reply = natsMsg_GetReply(msg);
    static_cast<C*>(self)->call(data, reply ? std::string_view{reply} : std::string_view{});
    natsMsg_Destroy(msg);
  };
  natsSubscription* sub = nullptr;
  auto s = queue.empty() ? natsConnection_Subscribe(&sub, h_->nc, subject.c_str(), handler, c)
                         : natsConnection_QueueSubscribe(&sub, h_->nc, subject.c_str(),
                                                         queue.c_str(), handler, c);
  if (s == NATS_OK) s = natsConnection_Flush(h_->nc);  // the server has it before we say so
  return finish_subscription(s, sub, c, st, "serving " + subject);
}

status jetstream::publish(const std::string& subject, std::string_view data,
                          const std::string& reply) {
  auto s = reply.empty()
               ? natsConnection_Publish(h_->nc, subject.c_str(), data.data(),
                                        static_cast<int>(data.size()))
               : natsConnection_PublishRequest(h_->nc, subject.c_str(), reply.c_str(), data.data(),
                                               static_cast<int>(data.size()));
  if (s != NATS_OK) return failed(s, "publishing to " + subject);
  return {};
}

std::unique_ptr<jetstream_subscription> jetstream::replies(const std::string& prefix,
                                                           reply_visitor on, status& st) {
  using C = closure<reply_visitor>;
  auto* c = new C{std::move(on)};
  auto handler = [](natsConnection*, natsSubscription*, natsMsg* msg, void* self) {
    std::string_view subject{natsMsg_GetSubject(msg)};
    auto dot = subject.rfind('.');
    auto token = dot == std::string_view::npos ? subject : subject.substr(dot + 1);
    std::string_view data{natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg))};
    static_cast<C*>(self)->call(token, data, natsMsg_IsNoResponders(msg));
    natsMsg_Destroy(msg);
  };
  natsSubscription* sub = nullptr;
  auto s = natsConnection_Subscribe(&sub, h_->nc, (prefix + ".*").c_str(), handler, c);
  if (s == NATS_OK) s = natsConnection_Flush(h_->nc);
  return finish_subscription(s, sub, c, st, "subscribing to " + prefix);
}

std::string jetstream::inbox() const {
  static std::atomic<uint64_t> next{0};
  natsInbox* box = nullptr;
  std::string out;
  if (natsInbox_Create(&box) == NATS_OK) {
    out = box;
    natsInbox_Destroy(box);
  } else {
    out = fmt::format("_INBOX.{}.{}", options_.name, next++);
  }
  return out;
}

}  // namespace vocflow::storage
