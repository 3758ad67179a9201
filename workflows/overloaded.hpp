// Visiting a variant with one lambda per alternative: std::visit(overloaded{...}, v).
#pragma once

namespace vocflow {

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
// Spelled out for compilers without aggregate deduction (clang 14, the fuzz build).
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

}  // namespace vocflow
