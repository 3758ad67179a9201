#include "workflows/sentiment.hpp"

#include "workflows/utf8.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <random>
#include <sstream>

namespace vocflow {
namespace {

// The lexicon shipped with vocflow, in the model file's own lines. General words of praise and
// pain as customers write them, in any domain: goods, service, delivery, apps, food, rooms.
constexpr std::string_view shipped_lexicon = R"(
lexicon + 好 很好 不错 满意 喜欢 推荐 值得 漂亮 舒服 赞 棒 完美 实惠 划算 物美价廉 好评 正品
lexicon + 新鲜 好吃 好喝 清晰 流畅 方便 给力 超值 惊喜 耐用 合身 柔软 干净 热情 周到 及时 感谢
lexicon + 谢谢 信赖 放心 精致 好看 美观 快捷 迅速 便宜 优惠 支持 满分 五星 回购 还会再来 还会买
lexicon + 挺好 可以 安全 稳定 结实 大气 时尚 舒适 细心 耐心 专业 爽 香 美味 可口 正宗 省心 静音
lexicon + 很快 神速 一流 优秀 喜爱 爱了 开心 高兴 愉快 贴心 性价比高 安静 宽敞 温馨 亲切 靠谱
lexicon + 好用 实用 顺畅 及时 解决了 认真 负责 诚信 良心 nice good great excellent love like
lexicon + perfect amazing awesome happy satisfied recommend thanks thank helpful fast quick quickly
lexicon + promptly solved
lexicon + friendly easy smooth reliable resolved fixed wonderful fantastic pleased polite
lexicon - 差 很差 不好 失望 垃圾 退货 退款 慢 坏 破 假 骗 烂 糟糕 后悔 投诉 难吃 难喝 过期 变质
lexicon - 异味 臭 脏 贵 不值 卡 死机 发热 发烫 掉色 起球 色差 不合适 不理 上当 坑 恶心 差评
lexicon - 别买 千万别 问题 故障 毛病 噪音 漏水 破损 瑕疵 缺货 延迟 敷衍 不行 无语 郁闷 生气
lexicon - 气人 坑爹 忽悠 欺骗 虚假 山寨 劣质 粗糙 换货 返修 维修 不满 不舒服 太慢 没收到 少了
lexicon - 漏发 错发 发错 不符 与描述不符 线头 开线 缩水 褪色 刺鼻 难闻 浪费 可惜 遗憾 麻烦
lexicon - 折腾 无法 崩溃 闪退 黑屏 耗电 发霉 坏了 碎了 烂了 抵制 无良 缺德 不靠谱 再也不 不会再
lexicon - 永不 远离 黑心 吵 隔音差 凉了 冷了 太咸 太油 分量少 盗版 过敏 假货 骗子 态度差 不负责
lexicon - bad terrible awful worst broken refund slow disappointed disappointing poor rude waste
lexicon - useless crash crashes crashed scam fake late never wrong missing dirty expensive angry
lexicon - horrible problem issue fail failed failure error complaint cancel damaged unacceptable
lexicon - crashing freezes freezing frozen stuck lost unhappy delayed overcharged ridiculous
lexicon - annoying annoyed frustrated frustrating lousy defective faulty
lexicon ! 不 没 没有 别 无 非 未 不太 不是 不够 并不 毫不 从不 不怎么 not no never don't didn't
lexicon ! isn't wasn't doesn't can't won't hardly
lexicon * 很:1.5 非常:2 太:1.8 特别:1.8 超:1.8 十分:1.8 极:2 极其:2 相当:1.5 挺:1.3 比较:0.8
lexicon * 有点:0.6 有些:0.6 稍微:0.6 超级:2 真:1.5 真的:1.5 最:2 very:1.5 really:1.5 so:1.5
lexicon * extremely:2 super:1.8 quite:1.2 totally:1.8 slightly:0.6 somewhat:0.7
)";

constexpr int negation_reach = 3;         // units (a CJK character, an ASCII word) a negator covers
constexpr int intensifier_reach = 2;      // and an intensifier
constexpr double negated_positive = 0.8;  // "不太好" is less negative than "差" is

bool ascii_letter(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '\'';
}

bool pause(char32_t c) {  // where a negation or an intensifier stops reaching
  switch (c) {
    case U'，':
    case U'。':
    case U'！':
    case U'？':
    case U'；':
    case U'、':
    case U'…':
    case ',':
    case '.':
    case '!':
    case '?':
    case ';':
      return true;
    default:
      return false;
  }
}

// A text as code points, normalised (ASCII lower-cased, full-width ASCII made ASCII, runs of
// white space one space), with the UTF-8 of the normalised text and each code point's offset.
struct normalised {
  std::vector<char32_t> cps;
  std::string utf8;
  std::vector<uint32_t> at;  // byte offset of code point i in utf8; at[size] = utf8.size()
};

// `trim`: white space at the ends dropped (texts); kept as is (the n-grams of a model file).
void normalise(std::string_view s, normalised& n, bool trim = true) {
  n.cps.clear();
  n.utf8.clear();
  n.at.clear();
  bool space = trim;  // at the start: no space
  for (size_t i = 0; i < s.size();) {
    auto [c, size] = decode_utf8(s, i);
    if (size == 0) {  // a byte that is not UTF-8: skipped
      ++i;
      continue;
    }
    i += size;
    if (c >= 0xFF01 && c <= 0xFF5E && c != U'，' && c != U'！' && c != U'？' && c != U'；')
      c -= 0xFEE0;  // full-width ASCII
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    bool white = c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0x3000 || c == 0xA0;
    if (white) {
      if (space && trim) continue;
      c = ' ';
    }
    space = white;
    n.at.push_back(static_cast<uint32_t>(n.utf8.size()));
    n.cps.push_back(c);
    append_utf8(n.utf8, c);
  }
  if (trim && !n.cps.empty() && n.cps.back() == ' ') {
    n.cps.pop_back();
    n.at.pop_back();
    n.utf8.pop_back();
  }
  n.at.push_back(static_cast<uint32_t>(n.utf8.size()));
}

uint64_t gram_hash(const char32_t* c, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL ^ n;
  for (size_t i = 0; i < n; ++i) {
    h ^= c[i];
    h *= 0x100000001b3ULL;
    h ^= h >> 29;
  }
  return h;
}

constexpr uint64_t pos_feature = 1, neg_feature = 2;  // the lexicon's sums (never a gram hash)

struct transparent_hash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct lexicon_entry {
  enum class kind : uint8_t { positive, negative, negator, intensifier } how;
  double value = 1;
};

// The factor of an intensifier entry `word:factor` (a number in (0, 10]); nullopt when it is
// not one.
std::optional<double> intensifier_factor(const std::string& entry) {
  auto colon = entry.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  auto number = entry.substr(colon + 1);
  char* rest = nullptr;
  double f = std::strtod(number.c_str(), &rest);
  if (number.empty() || *rest != '\0' || !(f > 0 && f <= 10)) return std::nullopt;
  return f;
}

sentiment_lexicon parse_lexicon_lines(std::string_view text) {
  sentiment_lexicon out;
  std::istringstream in{std::string{text}};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words{line};
    std::string head, sign, w;
    if (!(words >> head >> sign) || head != "lexicon") continue;
    while (words >> w) {
      if (sign == "+") out.positive.push_back(w);
      if (sign == "-") out.negative.push_back(w);
      if (sign == "!") out.negators.push_back(w);
      if (sign == "*") {
        if (auto f = intensifier_factor(w))
          out.intensifiers.emplace_back(w.substr(0, w.rfind(':')), *f);
      }
    }
  }
  return out;
}

}  // namespace

const sentiment_lexicon& default_lexicon() {
  static const sentiment_lexicon lex = parse_lexicon_lines(shipped_lexicon);
  return lex;
}

struct sentiment_model::impl {
  int lo = 1, hi = 3;
  double bias = 0;
  std::unordered_map<uint64_t, float> w;
  std::unordered_map<uint64_t, std::string> names;  // kept for serialize()
  sentiment_lexicon lexicon;
  std::unordered_map<std::string, lexicon_entry, transparent_hash, std::equal_to<>> entries;
  // The longest entry (in code points) that starts with each code point; 0: none starts so.
  std::unordered_map<char32_t, uint8_t> longest_from;

  void set_lexicon(sentiment_lexicon l) {
    lexicon = std::move(l);
    entries.clear();
    longest_from.clear();
    auto add = [&](const std::string& word, lexicon_entry e) {
      normalised n;
      normalise(word, n);
      if (n.cps.empty() || n.cps.size() > 255) return;
      auto& l = longest_from[n.cps.front()];
      l = std::max(l, static_cast<uint8_t>(n.cps.size()));
      entries.try_emplace(n.utf8, e);
    };
    using k = lexicon_entry::kind;
    for (auto& x : lexicon.positive) add(x, {k::positive, 1});
    for (auto& x : lexicon.negative) add(x, {k::negative, 1});
    for (auto& x : lexicon.negators) add(x, {k::negator, 0});
    for (auto& [x, f] : lexicon.intensifiers) add(x, {k::intensifier, f});
  }

  lexicon_hits hits(const normalised& n) const {
    lexicon_hits out;
    int negated = 0, boosted = 0;  // units left in reach
    double boost = 1;
    size_t i = 0;
    // A unit: a character that is not an ASCII letter or a space (CJK), or an English word.
    auto unit_at = [&](size_t k) {
      if (n.cps[k] == ' ') return 0;
      return !ascii_letter(n.cps[k]) || k == 0 || !ascii_letter(n.cps[k - 1]) ? 1 : 0;
    };
    while (i < n.cps.size()) {
      if (pause(n.cps[i])) {
        negated = boosted = 0;
        ++i;
        continue;
      }
      const lexicon_entry* e = nullptr;
      size_t len = 0;
      auto from = longest_from.find(n.cps[i]);
      size_t longest = from == longest_from.end() ? 0 : from->second;
      for (size_t l = std::min(longest, n.cps.size() - i); l > 0 && !e; --l) {
        bool word = ascii_letter(n.cps[i]);
        if (word && ((i > 0 && ascii_letter(n.cps[i - 1])) ||
                     (i + l < n.cps.size() && ascii_letter(n.cps[i + l]))))
          continue;  // English entries only on word boundaries
        auto it = entries.find(std::string_view{n.utf8}.substr(n.at[i], n.at[i + l] - n.at[i]));
        if (it != entries.end()) e = &it->second, len = l;
      }
      if (!e) {
        int u = unit_at(i);
        negated = std::max(0, negated - u);
        boosted = std::max(0, boosted - u);
        ++i;
        continue;
      }
      using k = lexicon_entry::kind;
      if (e->how == k::negator) {
        negated = negation_reach + 1;
      } else if (e->how == k::intensifier) {
        boost = e->value;
        boosted = intensifier_reach + 1;
      } else {
        double v = e->value * (boosted > 0 ? boost : 1.0);
        bool flip = negated > 0;
        bool positive = (e->how == k::positive) != flip;
        if (positive)
          out.positive += v;
        else
          out.negative += flip ? v * negated_positive : v;
        negated = boosted = 0;
      }
      i += len;
      int u = 1;
      negated = std::max(0, negated - u);
      boosted = std::max(0, boosted - u);
    }
    return out;
  }

  // The text's features (sorted, unique) and the value each has.
  void features(const normalised& n, std::vector<uint64_t>& out, double& value,
                lexicon_hits& lex) const {
    out.clear();
    for (int len = lo; len <= hi; ++len)
      for (size_t i = 0; i + static_cast<size_t>(len) <= n.cps.size(); ++i)
        out.push_back(gram_hash(n.cps.data() + i, static_cast<size_t>(len)));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    value = out.empty() ? 0 : 1 / std::sqrt(static_cast<double>(out.size()));
    lex = hits(n);
  }

  double margin(std::string_view text) const {
    thread_local normalised n;
    thread_local std::vector<uint64_t> f;
    normalise(text, n);
    double v = 0;
    lexicon_hits lex;
    features(n, f, v, lex);
    double z = bias;
    for (auto h : f)
      if (auto it = w.find(h); it != w.end()) z += it->second * v;
    if (auto it = w.find(pos_feature); it != w.end()) z += it->second * std::log1p(lex.positive);
    if (auto it = w.find(neg_feature); it != w.end()) z += it->second * std::log1p(lex.negative);
    return z;
  }
};

sentiment_model::sentiment_model() : p_(std::make_unique<impl>()) {
  p_->set_lexicon(default_lexicon());
  // Untrained: the lexicon alone decides.
  p_->w[pos_feature] = 1.5;
  p_->w[neg_feature] = -1.5;
}
sentiment_model::~sentiment_model() = default;
sentiment_model::sentiment_model(sentiment_model&&) noexcept = default;
sentiment_model& sentiment_model::operator=(sentiment_model&&) noexcept = default;

double sentiment_model::score(std::string_view text) const {
  auto z = std::clamp(p_->margin(text), -30.0, 30.0);
  return 2 / (1 + std::exp(-z)) - 1;
}

lexicon_hits sentiment_model::lexicon_of(std::string_view text) const {
  normalised n;
  normalise(text, n);
  return p_->hits(n);
}

size_t sentiment_model::weights() const {
  return p_->names.size();
}

sentiment_model sentiment_model::train(const std::vector<labelled_text>& data,
                                       const sentiment_lexicon& lexicon,
                                       const training_options& o) {
  sentiment_model m;
  auto& p = *m.p_;
  p.set_lexicon(lexicon);
  p.w.clear();
  struct example {
    std::vector<uint64_t> f;
    double value = 0, pos = 0, neg = 0;
    bool positive = false;
  };
  std::vector<example> xs;
  xs.reserve(data.size());
  normalised n;
  std::unordered_map<uint64_t, size_t> in_texts;  // how many texts each n-gram is in
  for (auto& d : data) {
    example x;
    lexicon_hits lex;
    normalise(d.text, n);
    p.features(n, x.f, x.value, lex);
    x.pos = std::log1p(lex.positive);
    x.neg = std::log1p(lex.negative);
    x.positive = d.positive;
    for (auto h : x.f) ++in_texts[h];
    xs.push_back(std::move(x));
  }
  // Only n-grams in at least min_texts texts are features; a text's value stays 1/sqrt of all
  // its n-grams, as when it is scored.
  for (auto& x : xs) std::erase_if(x.f, [&](uint64_t h) { return in_texts[h] < o.min_texts; });
  for (auto& d : data) {
    normalise(d.text, n);
    for (int len = p.lo; len <= p.hi; ++len)
      for (size_t i = 0; i + static_cast<size_t>(len) <= n.cps.size(); ++i) {
        auto h = gram_hash(n.cps.data() + i, static_cast<size_t>(len));
        if (in_texts[h] >= o.min_texts && !p.names.contains(h))
          p.names.emplace(h, n.utf8.substr(n.at[i], n.at[i + static_cast<size_t>(len)] - n.at[i]));
      }
  }
  // Logistic regression by AdaGrad, L2-regularised, in a fixed order per epoch.
  std::unordered_map<uint64_t, std::pair<double, double>> state;  // weight, squared gradients
  state.reserve(p.names.size() + 2);
  double bias = 0, bias_g2 = 1e-8;
  std::vector<size_t> order(xs.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng{o.seed};
  auto step = [&](std::pair<double, double>& s, double grad) {
    grad += o.l2 * s.first;
    s.second += grad * grad;
    s.first -= o.learning_rate * grad / std::sqrt(s.second);
  };
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    for (auto k : order) {
      auto& x = xs[k];
      double z = bias;
      for (auto h : x.f)
        if (auto it = state.find(h); it != state.end()) z += it->second.first * x.value;
      auto& sp = state.try_emplace(pos_feature, 0.0, 1e-8).first->second;
      auto& sn = state.try_emplace(neg_feature, 0.0, 1e-8).first->second;
      z += sp.first * x.pos + sn.first * x.neg;
      double err = 1 / (1 + std::exp(-std::clamp(z, -30.0, 30.0))) - (x.positive ? 1 : 0);
      for (auto h : x.f) step(state.try_emplace(h, 0.0, 1e-8).first->second, err * x.value);
      step(sp, err * x.pos);
      step(sn, err * x.neg);
      bias_g2 += err * err;
      bias -= o.learning_rate * err / std::sqrt(bias_g2);
    }
  }
  p.bias = bias;
  for (auto& [h, s] : state) p.w[h] = static_cast<float>(s.first);
  for (auto it = p.names.begin(); it != p.names.end();)
    it = p.w.contains(it->first) ? std::next(it) : p.names.erase(it);
  return m;
}

std::string sentiment_model::serialize() const {
  auto& p = *p_;
  std::string out =
      fmt::format("vocflow-sentiment 1\nngrams {} {}\nbias {:.6g}\n", p.lo, p.hi, p.bias);
  auto words = [&](char sign, const std::vector<std::string>& list) {
    for (size_t i = 0; i < list.size(); i += 16) {
      out += fmt::format("lexicon {}", sign);
      for (size_t k = i; k < list.size() && k < i + 16; ++k) out += " " + list[k];
      out += "\n";
    }
  };
  words('+', p.lexicon.positive);
  words('-', p.lexicon.negative);
  words('!', p.lexicon.negators);
  std::vector<std::string> factors;
  for (auto& [x, f] : p.lexicon.intensifiers) factors.push_back(fmt::format("{}:{}", x, f));
  words('*', factors);
  out += fmt::format("w __pos {:.6g}\nw __neg {:.6g}\n", p.w.at(pos_feature), p.w.at(neg_feature));
  std::vector<std::pair<std::string, float>> grams;
  grams.reserve(p.names.size());
  for (auto& [h, name] : p.names) grams.emplace_back(name, p.w.at(h));
  std::sort(grams.begin(), grams.end());
  for (auto& [name, weight] : grams) out += fmt::format("w {} {:.4g}\n", name, weight);
  return out;
}

std::optional<sentiment_model> sentiment_model::parse(std::string_view text,
                                                      const std::string& path, diagnostics& d) {
  sentiment_model m;
  auto& p = *m.p_;
  p.w.clear();
  size_t line_no = 0;
  std::string lexicon_lines;
  bool header = false, bad = false;
  auto fail = [&](const std::string& why) {
    d.error(path, {static_cast<int>(line_no), 1}, "bad-model", why);
    bad = true;
  };
  while (!text.empty() && !bad) {
    auto end = text.find('\n');
    auto line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    if (!header) {
      if (line != "vocflow-sentiment 1")
        fail("not a vocflow sentiment model (its first line is `vocflow-sentiment 1`)");
      header = true;
      continue;
    }
    if (line.starts_with("lexicon ")) {
      std::istringstream words{std::string{line.substr(8)}};
      std::string sign, w;
      words >> sign;
      if (sign != "+" && sign != "-" && sign != "!" && sign != "*") {
        fail("a lexicon line is `lexicon + words`, `- words`, `! negators` or `* word:factor`");
        continue;
      }
      while (sign == "*" && words >> w)
        if (!intensifier_factor(w)) fail(fmt::format("`{}` is not word:factor (0 to 10)", w));
      lexicon_lines += std::string{line} + "\n";
    } else if (line.starts_with("ngrams ")) {
      if (std::sscanf(std::string{line}.c_str(), "ngrams %d %d", &p.lo, &p.hi) != 2 || p.lo < 1 ||
          p.hi < p.lo || p.hi > 5)
        fail("ngrams takes the shortest and the longest n-gram, 1 to 5");
    } else if (line.starts_with("bias ")) {
      p.bias = std::strtod(std::string{line.substr(5)}.c_str(), nullptr);
    } else if (line.starts_with("w ")) {
      auto space = line.rfind(' ');
      auto name = line.substr(2, space > 2 ? space - 2 : 0);
      auto value = std::string{line.substr(space + 1)};
      char* rest = nullptr;
      float weight = std::strtof(value.c_str(), &rest);
      if (name.empty() || rest == value.c_str() || *rest != '\0') {
        fail("a weight is `w <n-gram> <number>`");
        continue;
      }
      if (name == "__pos" || name == "__neg") {
        p.w[name == "__pos" ? pos_feature : neg_feature] = weight;
        continue;
      }
      normalised n;
      normalise(name, n, false);
      auto h = gram_hash(n.cps.data(), n.cps.size());
      p.w[h] = weight;
      p.names[h] = n.utf8;
    } else {
      fail(fmt::format("`{}` is not a line of a sentiment model (ngrams, bias, lexicon, w)",
                       line.substr(0, 40)));
    }
  }
  if (!header && !bad) fail("empty: not a sentiment model");
  if (bad) return std::nullopt;
  p.set_lexicon(parse_lexicon_lines(lexicon_lines));
  p.w.try_emplace(pos_feature, 0.0F);
  p.w.try_emplace(neg_feature, 0.0F);
  return m;
}

}  // namespace vocflow
