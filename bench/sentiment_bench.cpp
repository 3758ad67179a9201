// Sentiment: what scoring one customer text costs, and how well the model does on domains it
// never saw. The texts are ../shared/data/reviews_zh.csv (six product categories).
//   sentiment_bench [--rounds N] [--min-texts N]
// Prints the cost per text of the trained model and of the lexicon alone (every text scored N
// times, single thread), and the accuracy of a model trained on five categories and measured
// on the sixth, for each category in turn, beside a naive Bayes over character unigrams and
// bigrams measured the same way (the reference the model has to beat).
#include "bench_common.hpp"
#include "workflows/sentiment.hpp"
#include "workflows/utf8.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <iostream>
#include <map>
#include <unordered_map>

using namespace vocflow;

namespace {

struct review {
  std::string cat, text;
  bool positive = false;
};

std::vector<review> load(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  connectors::csv_reader r{text};
  std::vector<std::string> row;
  std::vector<review> out;
  r.next(row);
  while (r.next(row))
    if (row.size() >= 3 && !row[2].empty() && (row[1] == "0" || row[1] == "1"))
      out.push_back({row[0], row[2], row[1] == "1"});
  return out;
}

// The reference: multinomial naive Bayes over character unigrams and bigrams, add-one smoothing.
class naive_bayes {
 public:
  explicit naive_bayes(const std::vector<const review*>& train) {
    for (auto* r : train) {
      ++docs_[r->positive];
      for (auto& g : grams(r->text)) {
        ++counts_[r->positive][g];
        ++total_[r->positive];
        vocabulary_[g] = true;
      }
    }
  }
  bool positive(const std::string& text) const {
    double s[2];
    for (int y = 0; y < 2; ++y) {
      s[y] = std::log(static_cast<double>(docs_[y]));
      for (auto& g : grams(text)) {
        auto it = counts_[y].find(g);
        double c = it == counts_[y].end() ? 0 : static_cast<double>(it->second);
        s[y] += std::log((c + 1) / static_cast<double>(total_[y] + vocabulary_.size()));
      }
    }
    return s[1] > s[0];
  }

 private:
  static std::vector<std::string> grams(const std::string& text) {
    std::vector<std::string> chars, out;
    for (size_t i = 0; i < text.size();) {
      size_t n = std::max<size_t>(1, decode_utf8(text, i).size);
      chars.push_back(text.substr(i, n));
      i += n;
    }
    for (size_t i = 0; i < chars.size(); ++i) {
      out.push_back(chars[i]);
      if (i + 1 < chars.size()) out.push_back(chars[i] + chars[i + 1]);
    }
    return out;
  }
  size_t docs_[2] = {0, 0}, total_[2] = {0, 0};
  std::unordered_map<std::string, size_t> counts_[2];
  std::unordered_map<std::string, bool> vocabulary_;
};

}  // namespace

int main(int argc, char** argv) {
  int rounds = 20;
  training_options options;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--min-texts") == 0)
      options.min_texts = static_cast<size_t>(std::atoi(argv[i + 1]));
  }
  auto reviews = load(std::string{VOCFLOW_SOURCE_DIR} + "/../shared/data/reviews_zh.csv");
  if (reviews.empty()) {
    std::cerr << "sentiment_bench: ../shared/data/reviews_zh.csv is not beside the checkout\n";
    return 1;
  }
  size_t chars = 0;
  for (auto& r : reviews)
    for (char c : r.text) chars += !utf8_continuation(c);
  std::cout << fmt::format(
      "machine: {} cores, {}\ncommit: {}\ntexts: {} (mean {:.1f} characters)\n",
      std::thread::hardware_concurrency(), bench::cpu_model(), bench::git_commit(), reviews.size(),
      static_cast<double>(chars) / static_cast<double>(reviews.size()));

  // Held-out domains: each category measured by models trained on the other five.
  std::map<std::string, std::vector<const review*>> by_cat;
  for (auto& r : reviews) by_cat[r.cat].push_back(&r);
  double model_sum = 0, bayes_sum = 0;
  std::cout << fmt::format("{:<12}{:>8}{:>10}{:>14}\n", "held out", "texts", "model",
                           "naive Bayes");
  for (auto& [cat, held] : by_cat) {
    std::vector<labelled_text> train;
    std::vector<const review*> train_refs;
    for (auto& r : reviews)
      if (r.cat != cat) train.push_back({r.text, r.positive}), train_refs.push_back(&r);
    auto m = sentiment_model::train(train, default_lexicon(), options);
    naive_bayes nb{train_refs};
    size_t right = 0, nb_right = 0;
    for (auto* r : held) {
      right += (m.score(r->text) > 0) == r->positive;
      nb_right += nb.positive(r->text) == r->positive;
    }
    double a = static_cast<double>(right) / static_cast<double>(held.size());
    double b = static_cast<double>(nb_right) / static_cast<double>(held.size());
    model_sum += a;
    bayes_sum += b;
    std::cout << fmt::format("{:<12}{:>8}{:>10.3f}{:>14.3f}\n", cat, held.size(), a, b);
  }
  auto k = static_cast<double>(by_cat.size());
  std::cout << fmt::format("{:<12}{:>8}{:>10.3f}{:>14.3f}  (mean of the held-out categories)\n",
                           "mean", "", model_sum / k, bayes_sum / k);

  // Cost per text, single thread: the model trained on everything, and the lexicon alone.
  std::vector<labelled_text> all;
  for (auto& r : reviews) all.push_back({r.text, r.positive});
  auto started = std::chrono::steady_clock::now();
  auto model = sentiment_model::train(all, default_lexicon(), options);
  double train_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  sentiment_model lexicon;
  auto per_text = [&](const sentiment_model& m) {
    double sink = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (int round = 0; round < rounds; ++round)
      for (auto& r : reviews) sink += m.score(r.text);
    auto s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (sink == 12345.678) std::cout << "";  // keeps the scores
    return s * 1e6 / static_cast<double>(reviews.size() * static_cast<size_t>(rounds));
  };
  std::cout << fmt::format("training on all {} texts: {:.2f} s, {} n-grams kept\n", reviews.size(),
                           train_s, model.weights());
  std::cout << fmt::format("cost per text, trained model: {:.2f} us\n", per_text(model));
  std::cout << fmt::format("cost per text, lexicon alone: {:.2f} us\n", per_text(lexicon));
  std::cout << fmt::format("peak RSS {} MB\n", bench::peak_rss_mb());
  return 0;
}
