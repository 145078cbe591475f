// `safetwin bench import`: per model in shared/data/bim, the time to import it and to build
// the walkable grid the crowd uses, and the peak memory, one JSON object per line.
#pragma once

#include <string>

namespace safetwin {

/// `dir` empty: $SAFETWIN_DATA/bim, else shared/data/bim beside the checkout. Each model is
/// imported in a child process so that its peak memory is its own. Returns 0, or 2 if there
/// is no model to import.
int runImportBench(const std::string& dir, bool quick);

}  // namespace safetwin
