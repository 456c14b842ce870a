// SPDX-License-Identifier: MIT
// The JSON document `camdump inspect --json` prints (docs/inspect-json.md), built from the
// InspectReport: one function per section so each reads as the part of the document it makes.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "image/inspect.hpp"

namespace camdump::cli {

/// The whole document for the image at `path`.
nlohmann::json inspect_report_json(const image::InspectReport& r, const std::string& path);

}  // namespace camdump::cli
