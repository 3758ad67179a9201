// `vocflow sentiment`: fit the sentiment model to a company's own labelled texts, measure it,
// score texts (workflows/sentiment.hpp).
#pragma once

#include <string>
#include <vector>

namespace vocflow::app {

struct sentiment_options {
  std::string file;          // labelled texts, CSV with a header
  std::string text_column;   // the text
  std::string label_column;  // positive: 1, pos, positive, true, yes; negative: 0, -1, neg, ...
  std::string encoding = "utf-8";
  std::string model;  // eval/score: the model file (default: the lexicon alone); train: output
  int folds = 0;      // eval: k-fold cross-validation of training on the file itself
  std::string by;     // eval: leave each group of this column out in turn (held-out domains)
  std::vector<std::string> texts;  // score
};
int run_sentiment_train(const sentiment_options& o);
int run_sentiment_eval(const sentiment_options& o);
int run_sentiment_score(const sentiment_options& o);

}  // namespace vocflow::app
