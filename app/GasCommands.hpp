// The gas parts of the command line (app/CmdGas.cpp): `bench gas` and the PNG
// maps that `run` writes for scenarios with a `gas:` section.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace safetwin {

class Simulation;

/// `safetwin bench gas [--threads ...] [--quick]`.
int runBenchGas(const std::vector<int>& threads, bool quick);
/// Writes DIR/gas_max_<level>.png (maximum concentration at breathing height) for a gas run;
/// returns the files written (none without gas).
std::vector<std::filesystem::path> writeGasMaps(const Simulation& sim, const std::filesystem::path& dir);

}  // namespace safetwin
