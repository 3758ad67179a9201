#include "connectors/voice_report.hpp"

#include "workflows/catalog.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace vocflow::connectors {

std::variant<digest, std::string> read_digest(const storage::store& db,
                                              std::shared_ptr<const topic_set> topics,
                                              digest_options o) {
  digest_builder b{std::move(topics), o};
  storage::status failed;
  auto since = o.from - std::chrono::days{7 * o.weeks_before};
  auto st = db.for_each_opened(since, o.to, [&](const std::string& id) {
    ticket t;
    if (auto got = db.load(id, t); !got) return failed = got, false;
    b.add(t, {});
    if (auto* p = problem_topic(*t.info))
      b.add(digest_item{"problem", *p, t.id, t.info->text, std::string{to_string(t.status)},
                        t.opened_at});
    return true;
  });
  if (!st) return "cannot read the tickets: " + st.message();
  if (!failed) return "cannot read a ticket: " + failed.message();
  auto spikes = db.for_each_meta("spike/", [&](std::string_view, std::string_view value) {
    auto j = nlohmann::json::parse(value, nullptr, false);
    if (j.is_discarded()) return true;
    auto at = from_ms(j.value("at", int64_t{0}));
    if (at >= o.from && at < o.to)
      b.add(digest_item{"spike", j.value("topic", ""), j.value("problem", ""), j.value("why", ""),
                        "", at});
    return true;
  });
  if (!spikes) return "cannot read the spikes: " + spikes.message();
  return std::move(b).finish();
}

std::variant<std::shared_ptr<const topic_set>, std::string> stored_topics(
    const storage::store& db) {
  int32_t newest = 0;
  std::string source;
  auto st = db.for_each_flow([&](const std::string& id, int32_t version, const std::string& text) {
    if (id == ":topics" && version > newest) newest = version, source = text;
  });
  if (!st) return "cannot read the deployed topics: " + st.message();
  if (source.empty()) return std::shared_ptr<const topic_set>{};
  diagnostics d;
  auto cat = load_catalog({{fmt::format("stored:topics@{}", newest), source}}, d);
  if (!cat.topics) return "the deployed topics do not load";
  return cat.topics;
}

std::string render_digest(const digest& d, const std::string& format) {
  if (format == "markdown") return to_markdown(d);
  if (format == "html") return to_html(d);
  return to_json(d).dump(2) + "\n";
}

}  // namespace vocflow::connectors
