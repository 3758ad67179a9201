#include "workflows/voice.hpp"

#include "workflows/utf8.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace vocflow {

text_reading read_text(const topic_set* topics, const sentiment_model& model,
                       const ticket_fields& complaint, std::string_view text) {
  text_reading out;
  out.sentiment = model.score(text);
  if (!topics) return out;
  out.topics_version = topics->version;
  std::vector<topic_hit> hits;
  if (complaint.text == text) {
    hits = classify(*topics, complaint);
  } else {
    auto copy = complaint;
    copy.text = text;
    hits = classify(*topics, copy);
  }
  for (auto& h : hits) {
    out.topics.push_back(std::move(h.topic));
    out.why.push_back(std::move(h.why));
  }
  return out;
}

namespace {

// The code points of a text's letters and digits, ASCII lower-cased.
std::vector<char32_t> letters(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    auto c = decode_utf8(s, i);
    if (!c.size) {
      ++i;
      continue;
    }
    i += c.size;
    auto cp = c.cp;
    if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
    bool ascii_word = (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9');
    // Above ASCII: CJK and other scripts' letters; punctuation blocks are left out.
    bool other = cp >= 0x80 && !(cp >= 0x2000 && cp <= 0x206F) && !(cp >= 0x3000 && cp <= 0x303F) &&
                 !(cp >= 0xFF00 && cp <= 0xFF0F) && !(cp >= 0xFF1A && cp <= 0xFF20);
    if (ascii_word || other) out.push_back(cp);
  }
  return out;
}

std::vector<uint64_t> bigrams(std::string_view s) {
  auto l = letters(s);
  std::vector<uint64_t> out;
  for (size_t i = 0; i + 1 < l.size(); ++i)
    out.push_back((static_cast<uint64_t>(l[i]) << 32) | l[i + 1]);
  if (l.size() == 1) out.push_back(l[0]);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

struct stats {
  double mean = 0, sd = 0;
};

stats mean_sd(const std::vector<int>& v) {
  stats s;
  if (v.empty()) return s;
  for (int x : v) s.mean += x;
  s.mean /= static_cast<double>(v.size());
  if (v.size() > 1) {
    double sum = 0;
    for (int x : v) sum += (x - s.mean) * (x - s.mean);
    s.sd = std::sqrt(sum / static_cast<double>(v.size() - 1));
  }
  return s;
}

double floored(const stats& s) {
  return std::max({s.sd, std::sqrt(s.mean), 1.0});
}

}  // namespace

double text_similarity(std::string_view a, std::string_view b) {
  auto x = bigrams(a), y = bigrams(b);
  if (x.empty() || y.empty()) return 0;
  std::vector<uint64_t> both;
  std::set_intersection(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(both));
  auto unite = x.size() + y.size() - both.size();
  return static_cast<double>(both.size()) / static_cast<double>(unite);
}

spike_verdict detect_spike(std::span<const int> history, const spike_settings& s, size_t week) {
  spike_verdict v;
  if (history.empty()) return v;
  auto n = history.size();
  v.count = history.back();
  auto need = static_cast<size_t>(s.baseline + s.gap) + 1;
  if (n < need) {
    v.why = fmt::format("{} buckets of history; the rule needs {}", n - 1, need - 1);
    return v;
  }
  std::vector<int> base(history.end() - static_cast<std::ptrdiff_t>(need),
                        history.end() - static_cast<std::ptrdiff_t>(s.gap) - 1);
  auto st = mean_sd(base);
  v.mean = st.mean;
  v.deviation = floored(st);
  v.score = (v.count - v.mean) / v.deviation;
  bool c2 = v.score > s.threshold;
  bool seasonal_ok = true;
  if (s.seasonal && week > 0 && n > 4 * week) {
    std::vector<int> same;
    for (size_t k = 1; k * week < n && same.size() < static_cast<size_t>(s.baseline); ++k)
      same.push_back(history[n - 1 - k * week]);
    auto ss = mean_sd(same);
    v.seasonal = true;
    v.seasonal_mean = ss.mean;
    v.seasonal_score = (v.count - ss.mean) / floored(ss);
    seasonal_ok = v.seasonal_score > s.threshold;
  }
  v.spike = c2 && seasonal_ok && v.count >= s.min_count;
  v.why = fmt::format("{} customers against {:.1f} ± {:.1f} (score {:.1f}, threshold {})", v.count,
                      v.mean, v.deviation, v.score, s.threshold);
  if (v.seasonal)
    v.why += fmt::format("; the same bucket of earlier weeks: {:.1f} (score {:.1f})",
                         v.seasonal_mean, v.seasonal_score);
  if (v.count < s.min_count) v.why += fmt::format("; below the minimum of {}", s.min_count);
  return v;
}

}  // namespace vocflow
