// `safetwin bench batch`: runs per hour of the bundled workshop comparison with 1, 2, ... jobs,
// the parallel efficiency against one job, and the overhead per run of the MPI runner
// (safetwin-mpi beside the safetwin executable, through mpirun on loopback). One JSON object
// per line; figures only, no timed asserts.
#pragma once

#include <vector>

namespace safetwin {

int runBatchBench(const std::vector<int>& jobCounts, bool quick);

}  // namespace safetwin
