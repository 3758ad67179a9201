// Which departments a committed ticket concerns, as the bits that let each department's actor
// skip the others' commits: they must cover every department whose queue the ticket is on.
#include "actors/department.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace vocflow::actors {
namespace {

// "d00", "d01", ...: names that sort in the order of their numbers.
std::string fmt_name(int i) {
  return fmt::format("d{:02}", i);
}

organization org_of(std::initializer_list<std::string> names) {
  organization org;
  for (auto& n : names) org.departments[n];
  return org;
}

TEST(DepartmentBits, TheOwnerWhileNotClosedAndEveryTaskOwner) {
  auto org = org_of({"customer_service", "engineering", "finance", "logistics"});
  department_bits bits{org};
  ticket t;
  t.id = "T-1";
  t.owner = "engineering";
  EXPECT_EQ(bits.of(t), department_bits::bit(1));
  t.tasks.push_back({.name = "refund", .owner = "finance"});
  t.tasks.push_back({.name = "ship", .owner = "logistics"});
  EXPECT_EQ(bits.of(t),
            department_bits::bit(1) | department_bits::bit(2) | department_bits::bit(3));
  t.status = ticket_status::closed;  // off the owner's queue, still on the task owners'
  EXPECT_EQ(bits.of(t), department_bits::bit(2) | department_bits::bit(3));
  EXPECT_EQ(bits.of(ticket{}), 0u);
}

TEST(DepartmentBits, TheBitsAgreeWithTheQueuesForEveryDepartment) {
  auto org = org_of({"a", "b", "c"});
  department_bits bits{org};
  ticket t;
  t.id = "T-1";
  t.owner = std::string{"b"};  // (assigning the literal trips GCC 12's -Wrestrict at -O3)
  t.tasks.push_back({.name = "x", .owner = "c"});
  size_t i = 0;
  for (auto& [name, _] : org.departments) {
    queue_entry e;
    EXPECT_EQ(queue_view(t, nullptr, name, e), (bits.of(t) & department_bits::bit(i)) != 0) << name;
    ++i;
  }
}

TEST(DepartmentBits, DepartmentsFromThe64thOnAndUnknownOnesShareTheLastBit) {
  organization org;
  for (int i = 0; i < 70; ++i) org.departments[fmt_name(i)];
  department_bits bits{org};
  ticket t;
  t.id = "T-1";
  t.owner = fmt_name(68);
  EXPECT_EQ(bits.of(t), department_bits::bit(63));
  EXPECT_EQ(department_bits::bit(68), department_bits::bit(63));
  t.owner = "not-in-the-organization";
  EXPECT_EQ(bits.of(t), department_bits::bit(63));
  t.owner = fmt_name(62);
  EXPECT_EQ(bits.of(t), department_bits::bit(62));
}

}  // namespace
}  // namespace vocflow::actors
