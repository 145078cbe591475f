// `safetwin bench gas`: the gas benchmark of issue 4. One JSON object per line per case:
//   wind solve     {"case":"wind_solve", cells, threads, seconds, iterations, max_divergence}
//   transport      {"case":"transport_cloud_third" | "transport_cloud_everywhere", cells, threads,
//                   steps, seconds, cell_updates_per_s, stream_gb_s, effective_gb_s}
// on a grid of about 4 million 1 m cells (256 x 160 x 100) with a block town of 60 buildings,
// beside a STREAM-like triad a = b + s c on arrays far larger than the caches (same threads).
#pragma once

#include <vector>

namespace safetwin {

/// Runs the cases on each thread count; `quick` uses a 64 x 40 x 25 grid. Returns 0.
int runGasBench(const std::vector<int>& threads, bool quick);

}  // namespace safetwin
