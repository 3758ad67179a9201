// How a customer sounds: a score in [-1, 1] for a text in Chinese or English, with no neural
// network and no network access. Two parts, both in one model file the owner can replace:
//
//  - a lexicon of positive and negative words and phrases, with negators ("不", "没有", "not")
//    that flip the next sentiment word within a few characters and intensifiers ("非常",
//    "very") that scale it; matched greedily, longest entry first, without word segmentation
//    (English entries only on word boundaries). It carries the general words of praise and
//    pain into domains the model never saw;
//  - a logistic regression over the text's character 1- to 3-grams (binary, scaled to unit
//    length) and the lexicon's positive and negative sums, trained on labelled texts.
//
// score = 2 * sigmoid(bias + weights . features) - 1.
//
// The file is text, one item per line:
//   vocflow-sentiment 1
//   ngrams 1 3
//   bias -0.21
//   lexicon + 好 满意 great        (positive words; - negative; ! negators; * word:factor)
//   w 好用 0.8312                  (a character n-gram and its weight; __pos, __neg: the lexicon's)
#pragma once

#include "workflows/diagnostics.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vocflow {

struct sentiment_lexicon {
  std::vector<std::string> positive, negative, negators;
  std::vector<std::pair<std::string, double>> intensifiers;
};

// The lexicon shipped with vocflow: general words of praise and pain in Chinese and English.
const sentiment_lexicon& default_lexicon();

// What the lexicon finds in a text: the sums of positive and negative words (after negators and
// intensifiers).
struct lexicon_hits {
  double positive = 0, negative = 0;
};

struct labelled_text {
  std::string text;
  bool positive = false;
};

struct training_options {
  int epochs = 4;
  double learning_rate = 0.5;
  double l2 = 1e-5;
  uint64_t seed = 1;     // the order texts are seen in: training is deterministic
  size_t min_texts = 3;  // an n-gram in fewer texts is no feature (nor in the model file)
};

class sentiment_model {
 public:
  sentiment_model();  // the lexicon alone, untrained
  ~sentiment_model();
  sentiment_model(sentiment_model&&) noexcept;
  sentiment_model& operator=(sentiment_model&&) noexcept;

  // Fits a model to labelled texts, over `lexicon`.
  static sentiment_model train(const std::vector<labelled_text>& data,
                               const sentiment_lexicon& lexicon = default_lexicon(),
                               const training_options& o = {});
  // Reads a model file; nullopt with the problem at its line when it is not one.
  static std::optional<sentiment_model> parse(std::string_view file_text, const std::string& path,
                                              diagnostics& d);
  std::string serialize() const;

  // In [-1, 1]: below 0 negative, above 0 positive.
  double score(std::string_view text) const;
  lexicon_hits lexicon_of(std::string_view text) const;
  size_t weights() const;  // n-grams in the model

 private:
  struct impl;
  std::unique_ptr<impl> p_;
};

}  // namespace vocflow
