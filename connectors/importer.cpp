#include "connectors/importer.hpp"

#include "connectors/csv.hpp"
#include "connectors/encoding.hpp"
#include "connectors/gateway.hpp"
#include "connectors/http_client.hpp"
#include "workflows/json_codec.hpp"

#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>

namespace vocflow::connectors {
namespace {

using kind = import_result::kind;

class local_sink final : public import_sink {
 public:
  explicit local_sink(actors::runtime& rt) : gateway_(rt) {}

  std::vector<import_result> send(const std::vector<mapped_record>& batch,
                                  import_mode mode) override {
    std::vector<import_result> out(batch.size());
    std::mutex lock;
    std::condition_variable done;
    size_t left = batch.size();
    for (size_t i = 0; i < batch.size(); ++i)
      gateway_.submit(intake_command(batch[i], mode), [&, i](reply<actors::command_result> r) {
        import_result x =
            r.value ? import_result_of(*r.value) : import_result{kind::failed, "", r.error};
        std::lock_guard g{lock};
        out[i] = std::move(x);
        if (--left == 0) done.notify_one();
      });
    std::unique_lock g{lock};
    done.wait(g, [&] { return left == 0; });
    return out;
  }

 private:
  gateway gateway_;
};

class remote_sink final : public import_sink {
 public:
  remote_sink(std::string url, std::string token)
      : url_(std::move(url)), token_(std::move(token)) {}

  std::vector<import_result> send(const std::vector<mapped_record>& batch,
                                  import_mode mode) override {
    http_call call;
    call.base_url = url_;
    call.method = "POST";
    call.target = std::string{"/v1/tickets:batch?mode="} +
                  (mode == import_mode::live ? "live" : "historical");
    call.token = token_;
    call.content_type = "application/x-ndjson";
    call.timeout = std::chrono::seconds{60};
    for (auto& r : batch) call.body += json_text(to_json(r)) + "\n";
    auto res = connectors::send(call);
    std::vector<import_result> out(batch.size(), {kind::failed, "", ""});
    if (res.status != 200) {
      auto why = res.status == 0 ? "no answer from " + url_ + ": " + res.error
                                 : fmt::format("HTTP {}: {}", res.status, res.body);
      for (auto& x : out) x.why = why;
      return out;
    }
    std::istringstream lines{res.body};
    std::string line;
    size_t i = 0;
    while (i < out.size() && std::getline(lines, line)) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object()) break;
      auto result = j.value("result", "");
      out[i].id = j.value("id", "");
      out[i].why = j.contains("error") ? j["error"].value("message", "") : "";
      out[i].result = result == "imported"   ? kind::imported
                      : result == "already"  ? kind::already
                      : result == "rejected" ? kind::rejected
                                             : kind::failed;
      ++i;
    }
    for (; i < out.size(); ++i) out[i].why = "the server's answer ended early";
    return out;
  }

 private:
  std::string url_, token_;
};

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string{s};
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// One record read from a file, mapped or refused.
struct pending {
  size_t line;
  mapped_record rec;
};

class importer {
 public:
  importer(const intake_mapping& m, const import_options& o, import_sink* sink)
      : m_(m), o_(o), sink_(sink), start_(std::chrono::steady_clock::now()) {
    if (!o.rejects_path.empty()) {
      rejects_.open(o.rejects_path, std::ios::trunc);
      rejects_ << "file,line,reason\n";
    }
  }

  import_summary run(const std::vector<std::string>& files) {
    std::vector<std::string> texts;
    for (auto& f : files) {
      std::ifstream in{f, std::ios::binary};
      if (!in) return stop(fmt::format("cannot read {}", f));
      std::string bytes{std::istreambuf_iterator<char>{in}, {}};
      if (in.bad()) return stop(fmt::format("cannot read {}", f));
      std::string error;
      auto text = to_utf8(bytes, m_.encoding, error);
      if (!error.empty()) return stop(fmt::format("{}: {}", f, error));
      progress_.total_bytes += bytes.size();
      texts.push_back(std::move(text));
    }
    for (size_t i = 0; i < files.size() && s_.error.empty(); ++i) {
      file_ = files[i];
      if (m_.format == record_format::csv)
        read_csv(texts[i]);
      else
        read_lines(texts[i]);
      flush();
      base_bytes_ += texts[i].size();
    }
    s_.seconds = elapsed();
    return s_;
  }

 private:
  void read_csv(const std::string& text) {
    csv_reader r{text, m_.delimiter};
    std::vector<std::string> header, row;
    if (!r.next(header)) return;
    std::unordered_map<std::string, size_t> columns;
    for (size_t i = 0; i < header.size(); ++i) columns.emplace(header[i], i);
    if (auto missing = missing_columns(m_, columns); !missing.empty()) {
      s_.error = fmt::format("{}: the header has no column {} (the mapping {} reads it)", file_,
                             missing, m_.file);
      return;
    }
    while (s_.error.empty() && r.next(row)) {
      if (row.size() == 1 && row.front().empty()) continue;  // a blank line
      take(r.line(), map_record(m_, {.row = &row, .columns = &columns, .line = r.line()}),
           r.offset());
    }
  }

  void read_lines(const std::string& text) {
    size_t at = 0, line = 0;
    while (s_.error.empty() && at < text.size()) {
      auto end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      std::string_view l{text.data() + at, end - at};
      ++line;
      at = end + 1;
      if (l.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      auto doc = nlohmann::json::parse(l, nullptr, false);
      if (!doc.is_object()) {
        ++s_.rows;
        reject(line, "not a JSON object");
        continue;
      }
      take(line, map_record(m_, {.doc = &doc, .line = line}), std::min(at, text.size()));
    }
  }

  void take(size_t line, std::variant<mapped_record, std::string> mapped, size_t offset) {
    ++s_.rows;
    progress_.bytes = base_bytes_ + offset;
    if (auto* why = std::get_if<std::string>(&mapped)) return reject(line, *why);
    auto& rec = std::get<mapped_record>(mapped);
    if (rec.action == "ignore") {
      ++s_.ignored;
      return;
    }
    if (o_.mode == import_mode::historical && rec.opened_at == no_time)
      return reject(line, "opened_at: missing (a historical import needs each complaint's time)");
    batch_bytes_ += rec.info.text.size() + 256;
    batch_.push_back({line, std::move(rec)});
    if (batch_.size() >= o_.batch_rows || batch_bytes_ >= o_.batch_bytes) flush();
  }

  void flush() {
    if (batch_.empty()) return;
    if (o_.dry_run || !sink_) {
      s_.imported += batch_.size();
    } else {
      std::vector<mapped_record> recs;
      recs.reserve(batch_.size());
      for (auto& p : batch_) recs.push_back(std::move(p.rec));
      auto results = sink_->send(recs, o_.mode);
      for (size_t i = 0; i < batch_.size(); ++i) {
        auto& r = results[i];
        switch (r.result) {
          case kind::imported:
            ++s_.imported;
            break;
          case kind::already:
            ++s_.already;
            break;
          case kind::rejected:
            reject(batch_[i].line, r.why);
            break;
          case kind::failed:
            if (s_.error.empty())
              s_.error = fmt::format("{}:{}: {} (run the import again to go on from there)", file_,
                                     batch_[i].line, r.why);
            break;
        }
      }
    }
    batch_.clear();
    batch_bytes_ = 0;
    progress_.rows = s_.rows;
    progress_.seconds = elapsed();
    if (o_.on_progress) o_.on_progress(progress_);
  }

  void reject(size_t line, const std::string& why) {
    ++s_.rejected;
    if (rejects_.is_open())
      rejects_ << csv_field(file_) << ',' << line << ',' << csv_field(why) << '\n';
  }

  import_summary stop(std::string why) {
    s_.error = std::move(why);
    return s_;
  }

  double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

  const intake_mapping& m_;
  const import_options& o_;
  import_sink* sink_;
  std::chrono::steady_clock::time_point start_;
  std::ofstream rejects_;
  std::string file_;
  std::vector<pending> batch_;
  size_t batch_bytes_ = 0, base_bytes_ = 0;
  import_summary s_;
  import_progress progress_;
};

}  // namespace

std::unique_ptr<import_sink> runtime_sink(actors::runtime& rt) {
  return std::make_unique<local_sink>(rt);
}

std::unique_ptr<import_sink> http_sink(std::string base_url, std::string token) {
  return std::make_unique<remote_sink>(std::move(base_url), std::move(token));
}

import_result import_result_of(const actors::command_result& r) {
  using rk = actors::command_result::kind;
  std::string id = r.state ? r.state->id : "";
  switch (r.result) {
    case rk::accepted:
      return {r.replayed ? kind::already : kind::imported, id, ""};
    case rk::rejected:
      if (r.why.code == reject_code::key_reused)
        return {kind::rejected, id, "already imported with other content: " + r.why.message};
      return {kind::rejected, id, r.why.message};
    case rk::failed:
      return {kind::failed, id, r.failure};
  }
  return {kind::failed, id, "unknown result"};
}

import_summary run_import(const intake_mapping& m, const std::vector<std::string>& files,
                          const import_options& o, import_sink* sink) {
  return importer{m, o, sink}.run(files);
}

}  // namespace vocflow::connectors
