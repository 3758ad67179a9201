// The API's query pool: queries run on its threads, and no more than its bound are admitted.
#include "connectors/query_pool.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace vocflow::connectors {
namespace {

TEST(QueryPool, AdmitsUpToItsBoundAndRefusesBeyond) {
  query_pool pool{1, 2, 0};
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::promise<std::thread::id> ran;
  ASSERT_TRUE(pool.try_run([gate, &ran] {
    ran.set_value(std::this_thread::get_id());
    gate.wait();
  }));
  ASSERT_TRUE(pool.try_run([gate] { gate.wait(); }));  // waits behind the first
  EXPECT_EQ(pool.admitted(), 2u);
  EXPECT_FALSE(pool.try_run([] {})) << "a third is beyond the bound";
  EXPECT_NE(ran.get_future().get(), std::this_thread::get_id()) << "not on the caller's thread";
  release.set_value();
  for (int i = 0; i < 10'000 && pool.admitted() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(pool.admitted(), 0u);
  std::promise<void> done;
  ASSERT_TRUE(pool.try_run([&] { done.set_value(); })) << "room again once they finished";
  done.get_future().wait();
}

}  // namespace
}  // namespace vocflow::connectors
