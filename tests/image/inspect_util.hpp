// SPDX-License-Identifier: MIT
// Looking things up in an inspect report, for the image tests.
#pragma once
#include <string>

#include "image/inspect.hpp"

namespace camdump::test {

/// Every problem, one line each (for a failing assertion's message).
inline std::string all_problems(const image::InspectReport& r) {
  std::string s;
  for (const auto& p : r.problems) s += p.text() + "\n";
  return s;
}

/// The first problem of `part` whose message contains `needle`, or nullptr.
inline const image::Problem* find_problem(const image::InspectReport& r, const std::string& part,
                                          const std::string& needle) {
  for (const auto& p : r.problems)
    if (p.part == part && p.message.find(needle) != std::string::npos) return &p;
  return nullptr;
}

/// The part named `name`, or nullptr.
inline const image::PartReport* part(const image::InspectReport& r, const std::string& name) {
  for (const auto& p : r.parts)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace camdump::test
