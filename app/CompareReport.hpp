// report.html of `safetwin compare`: one self-contained page (inline CSS and SVG, no scripts,
// no network) with the ranking and verdicts, agents remaining over time (median and 5-95 %
// band), the distribution of evacuation times, exit usage, and the density maps of the variants
// side by side on their plans. The plots are SVG written here (see the README for why).
#pragma once

#include <string>
#include <vector>

#include "sim/batch/Statistics.hpp"
#include "sim/scenario/Scenario.hpp"

namespace safetwin {

struct ReportInput {
    const Comparison* comparison = nullptr;
    std::vector<const Scene*> scenes;  // one per variant, in the comparison's order
    int seeds = 0;
    std::string scenario_file;
};

std::string compareReportHtml(const ReportInput& in);

}  // namespace safetwin
