#include "app/sentiment_command.hpp"

#include "connectors/csv.hpp"
#include "connectors/encoding.hpp"
#include "workflows/routing.hpp"
#include "workflows/sentiment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>

namespace vocflow::app {
namespace {

struct labelled_file {
  std::vector<labelled_text> texts;
  std::vector<std::string> groups;  // the --by column's value of each text
  size_t unlabelled = 0;
};

std::optional<bool> label_of(std::string_view v) {
  auto s = ascii_lower(trim(v));
  if (s == "1" || s == "pos" || s == "positive" || s == "true" || s == "yes" || s == "+1")
    return true;
  if (s == "0" || s == "-1" || s == "neg" || s == "negative" || s == "false" || s == "no")
    return false;
  return std::nullopt;
}

std::optional<labelled_file> read_labelled(const sentiment_options& o) {
  std::ifstream in{o.file, std::ios::binary};
  std::string bytes{std::istreambuf_iterator<char>{in}, {}};
  if (!in && !in.eof()) {
    std::cerr << "vocflow sentiment: cannot read " << o.file << "\n";
    return std::nullopt;
  }
  std::string error;
  auto text = connectors::to_utf8(bytes, o.encoding, error);
  if (!error.empty()) {
    std::cerr << "vocflow sentiment: " << o.file << ": " << error << "\n";
    return std::nullopt;
  }
  connectors::csv_reader r{text};
  std::vector<std::string> header, row;
  if (!r.next(header)) {
    std::cerr << "vocflow sentiment: " << o.file << " is empty\n";
    return std::nullopt;
  }
  auto column = [&](const std::string& name) -> std::optional<size_t> {
    auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) {
      std::cerr << fmt::format("vocflow sentiment: {} has no column `{}` (it has: {})\n", o.file,
                               name, fmt::join(header, ", "));
      return std::nullopt;
    }
    return static_cast<size_t>(it - header.begin());
  };
  auto t = column(o.text_column), l = column(o.label_column);
  if (!t || !l) return std::nullopt;
  size_t g = std::string::npos;  // the --by column
  if (!o.by.empty()) {
    auto by = column(o.by);
    if (!by) return std::nullopt;
    g = *by;
  }
  labelled_file out;
  while (r.next(row)) {
    auto positive = *l < row.size() ? label_of(row[*l]) : std::nullopt;
    if (!positive || *t >= row.size() || row[*t].empty()) {
      ++out.unlabelled;
      continue;
    }
    out.texts.push_back({row[*t], *positive});
    if (g != std::string::npos) out.groups.push_back(g < row.size() ? row[g] : "");
  }
  if (out.texts.empty()) {
    std::cerr << "vocflow sentiment: " << o.file << " has no labelled text\n";
    return std::nullopt;
  }
  return out;
}

std::optional<sentiment_model> load_model(const std::string& path) {
  if (path.empty()) return sentiment_model{};
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    std::cerr << "vocflow sentiment: cannot read " << path << "\n";
    return std::nullopt;
  }
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  diagnostics d;
  auto m = sentiment_model::parse(text, path, d);
  for (auto& x : d.items()) std::cerr << to_string(x) << "\n";
  return m;
}

// Counts of [truth][prediction], negative 0, positive 1.
struct confusion {
  size_t n[2][2] = {{0, 0}, {0, 0}};
  void add(const sentiment_model& m, const labelled_text& t) {
    ++n[t.positive][m.score(t.text) > 0];
  }
  size_t total() const { return n[0][0] + n[0][1] + n[1][0] + n[1][1]; }
  double accuracy() const {
    return total() ? static_cast<double>(n[0][0] + n[1][1]) / static_cast<double>(total()) : 0;
  }
};

void print(const confusion& c, const std::string& what) {
  std::cout << fmt::format("accuracy {:.3f} ({} texts{})\n", c.accuracy(), c.total(), what);
  std::cout << fmt::format("{:>18}{:>10}{:>10}\n", "predicted:", "negative", "positive");
  std::cout << fmt::format("{:>18}{:>10}{:>10}\n", "negative", c.n[0][0], c.n[0][1]);
  std::cout << fmt::format("{:>18}{:>10}{:>10}\n", "positive", c.n[1][0], c.n[1][1]);
}

}  // namespace

int run_sentiment_train(const sentiment_options& o) {
  auto data = read_labelled(o);
  if (!data) return 1;
  auto started = std::chrono::steady_clock::now();
  auto m = sentiment_model::train(data->texts);
  std::ofstream out{o.model, std::ios::trunc};
  out << m.serialize();
  out.close();
  if (!out) {
    std::cerr << "vocflow sentiment: cannot write " << o.model << "\n";
    return 1;
  }
  std::cout << fmt::format(
      "trained on {} texts ({} without a label skipped) in {:.1f} s: {} n-grams, written to "
      "{}\n",
      data->texts.size(), data->unlabelled,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
      m.weights(), o.model);
  return 0;
}

int run_sentiment_eval(const sentiment_options& o) {
  auto data = read_labelled(o);
  if (!data) return 1;
  auto& texts = data->texts;
  confusion all;
  if (!o.by.empty()) {
    // Each group held out in turn: trained on the others, measured on it.
    std::map<std::string, std::vector<size_t>> groups;
    for (size_t i = 0; i < texts.size(); ++i) groups[data->groups[i]].push_back(i);
    double sum = 0;
    for (auto& [name, members] : groups) {
      std::vector<labelled_text> train;
      for (size_t i = 0; i < texts.size(); ++i)
        if (data->groups[i] != name) train.push_back(texts[i]);
      auto m = sentiment_model::train(train);
      confusion c;
      for (auto i : members) c.add(m, texts[i]), all.add(m, texts[i]);
      sum += c.accuracy();
      std::cout << fmt::format("  {:<20} {:>7} texts  accuracy {:.3f}\n", name, c.total(),
                               c.accuracy());
    }
    std::cout << fmt::format("mean over {} held-out groups {:.3f}\n", groups.size(),
                             sum / static_cast<double>(groups.size()));
    print(all, ", each group measured by a model that never saw it");
    return 0;
  }
  if (o.folds > 1) {
    for (int f = 0; f < o.folds; ++f) {
      std::vector<labelled_text> train;
      for (size_t i = 0; i < texts.size(); ++i)
        if (static_cast<int>(i % static_cast<size_t>(o.folds)) != f) train.push_back(texts[i]);
      auto m = sentiment_model::train(train);
      for (size_t i = static_cast<size_t>(f); i < texts.size(); i += static_cast<size_t>(o.folds))
        all.add(m, texts[i]);
    }
    print(all, fmt::format(", {}-fold cross-validated", o.folds));
    return 0;
  }
  auto m = load_model(o.model);
  if (!m) return 1;
  for (auto& t : texts) all.add(*m, t);
  print(all, o.model.empty() ? ", the lexicon alone" : ", model " + o.model);
  return 0;
}

int run_sentiment_score(const sentiment_options& o) {
  auto m = load_model(o.model);
  if (!m) return 1;
  for (auto& t : o.texts) std::cout << fmt::format("{:+.3f}  {}\n", m->score(t), t);
  return 0;
}

}  // namespace vocflow::app
