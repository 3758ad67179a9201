// Sentiment: the lexicon's negators and intensifiers in Chinese and English, a model trained
// on labelled texts, and its file read back exactly.
#include "workflows/sentiment.hpp"

#include <gtest/gtest.h>

namespace vocflow {
namespace {

TEST(Sentiment, TheLexiconAloneHearsPraiseAndPainInChineseAndEnglish) {
  sentiment_model m;
  EXPECT_GT(m.score("质量很好，物流也快，非常满意"), 0.5);
  EXPECT_LT(m.score("质量太差了，再也不买了，退货！"), -0.5);
  EXPECT_GT(m.score("Great service, thank you, very helpful."), 0.5);
  EXPECT_LT(m.score("The app crashes every time. Terrible, I want a refund."), -0.5);
  EXPECT_EQ(m.score(""), 0);
}

TEST(Sentiment, ANegatorFlipsTheNextSentimentWordUntilAPause) {
  sentiment_model m;
  auto h = m.lexicon_of("不满意");  // 不 + 满意: the praise negated
  EXPECT_EQ(h.positive, 0);
  EXPECT_GT(h.negative, 0);
  h = m.lexicon_of("不，满意");  // a pause stops the negation
  EXPECT_GT(h.positive, 0);
  EXPECT_EQ(h.negative, 0);
  h = m.lexicon_of("not good at all");
  EXPECT_EQ(h.positive, 0);
  EXPECT_GT(h.negative, 0);
  EXPECT_LT(m.score("I was not happy"), 0);
  // English words only on word boundaries: "goodbye" is not "good", "nothing" not "no".
  EXPECT_EQ(m.lexicon_of("goodbye").positive, 0);
  EXPECT_GT(m.lexicon_of("nothing good").positive, 0);
}

TEST(Sentiment, AnIntensifierScalesTheNextWord) {
  sentiment_model m;
  EXPECT_GT(m.lexicon_of("非常好").positive, m.lexicon_of("好").positive);
  EXPECT_LT(m.lexicon_of("有点慢").negative, m.lexicon_of("慢").negative);
  EXPECT_GT(m.lexicon_of("very slow").negative, m.lexicon_of("slow").negative);
}

TEST(Sentiment, TrainingLearnsWordsTheLexiconDoesNotHave) {
  // "灵敏" (responsive) and "发黄" (yellowed) are in no lexicon line.
  std::vector<labelled_text> data;
  for (int i = 0; i < 40; ++i) {
    data.push_back({"屏幕灵敏" + std::to_string(i), true});
    data.push_back({"屏幕发黄" + std::to_string(i), false});
  }
  auto m = sentiment_model::train(data);
  EXPECT_GT(m.score("触摸灵敏"), 0);
  EXPECT_LT(m.score("边缘发黄"), 0);
  EXPECT_GT(m.weights(), 0u);
}

TEST(Sentiment, AModelFileReadsBackToTheSameScores) {
  std::vector<labelled_text> data = {{"物流很快 服务好", true},   {"包装破损 客服不理", false},
                                     {"fast and friendly", true}, {"slow and rude", false},
                                     {"颜色正 合身", true},       {"掉色 起球", false}};
  auto m = sentiment_model::train(data);
  diagnostics d;
  auto back = sentiment_model::parse(m.serialize(), "m.model", d);
  ASSERT_TRUE(back) << (d.items().empty() ? "" : to_string(d.items().front()));
  for (auto t : {"物流很快", "客服不理 掉色", "slow but friendly", " 合身 ", "无关的话"})
    EXPECT_NEAR(back->score(t), m.score(t), 1e-3) << t;
  EXPECT_EQ(back->serialize(), m.serialize());
}

TEST(Sentiment, ABrokenModelFileSaysWhere) {
  diagnostics d;
  EXPECT_FALSE(sentiment_model::parse("vocflow-sentiment 1\nbias 0\nw 好\n", "m.model", d));
  ASSERT_EQ(d.items().size(), 1u);
  EXPECT_EQ(d.items()[0].pos.line, 3);
  diagnostics d3;  // a bad intensifier factor is an error at its line, never a crash
  EXPECT_FALSE(sentiment_model::parse("vocflow-sentiment 1\nlexicon * 很:x\n", "m.model", d3));
  ASSERT_EQ(d3.items().size(), 1u);
  EXPECT_EQ(d3.items()[0].pos.line, 2);
  diagnostics d2;
  EXPECT_FALSE(sentiment_model::parse("hello\n", "m.model", d2));
  EXPECT_NE(to_string(d2.items().at(0)).find("m.model:1:1"), std::string::npos);
}

}  // namespace
}  // namespace vocflow
