// Hearing the complaints together: what one text says (topics and sentiment), whether two texts
// say the same thing, and whether a topic's count is a spike. Pure and deterministic: no clock,
// no store; the server, `vocflow simulate` and the tests run the same code.
#pragma once

#include "workflows/engine.hpp"
#include "workflows/sentiment.hpp"
#include "workflows/topics.hpp"

#include <span>
#include <string>
#include <string_view>

namespace vocflow {

// The topics (with why) and the sentiment of a customer's text. `complaint` gives the fields
// topic rules may match; its text is `text`. No topics without a topic set.
text_reading read_text(const topic_set* topics, const sentiment_model& model,
                       const ticket_fields& complaint, std::string_view text);

// How alike two texts are: the Jaccard index of their sets of character bigrams (letters and
// digits only, ASCII lower-cased; Chinese needs no word segmentation), in [0, 1].
double text_similarity(std::string_view a, std::string_view b);

// Whether a count is a spike against its own history, after the EARS C2 rule: the mean and
// standard deviation of `baseline` earlier buckets, leaving `gap` buckets out just before the
// current one. The deviation is floored at max(1, sqrt(mean)) (a Poisson count's), so that a
// flat history never makes one more complaint a spike; fewer than `min_count` is never one. With
// `seasonal` and at least 4 weeks of history it must also stand out against the same bucket of
// the earlier weeks (a Monday against Mondays), so that a weekly rhythm raises no alarm.
struct spike_verdict {
  bool spike = false;
  int count = 0;
  double mean = 0, deviation = 0, score = 0;  // score: (count - mean) / deviation
  double seasonal_mean = 0, seasonal_score = 0;
  bool seasonal = false;  // the weekly comparison was made
  std::string why;        // "38 customers against 4.1 ± 2.0 (score 16.9 > 3)"
};

// `history`: the counts of consecutive buckets, oldest first, the current one last. `week`: how
// many buckets make a week (7 for days, 168 for hours).
spike_verdict detect_spike(std::span<const int> history, const spike_settings& s, size_t week);

}  // namespace vocflow
