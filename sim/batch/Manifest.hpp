// A batch manifest (YAML, docs/FORMAT.md "Batch manifests"): scenarios x variants x parameter
// values x seeds, expanded into a fixed, ordered list of runs. The list and the contents of
// the scenario files give the batch its identity (hash), so that an output folder is never
// mixed up with another batch's results.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/batch/RunResult.hpp"
#include "sim/scenario/Variant.hpp"

namespace safetwin {

class Manifest {
  public:
    /// Reads and checks a manifest: every scenario, variant and parameter combination is built
    /// once, so bad input is reported (file:line) before anything runs. Throws InputError.
    static Manifest load(const std::string& path);

    const std::string& file() const { return file_; }
    const std::string& name() const { return name_; }
    /// 16 hex digits of a 64-bit FNV-1a hash of the run list and the scenario files' contents.
    const std::string& hash() const { return hash_; }
    const std::vector<RunSpec>& runs() const { return runs_; }
    /// The scenario of run k (not thread safe: build on one thread).
    Scenario build(size_t k) const;
    /// Variant names of the family of run k, base first (for summaries).
    const ScenarioFamily& familyOf(size_t k) const { return families_[family_[k]]; }
    /// Parameter paths swept, in manifest order.
    const std::vector<std::string>& parameterPaths() const { return paramPaths_; }

  private:
    std::string file_, name_, hash_;
    std::vector<ScenarioFamily> families_;
    std::vector<RunSpec> runs_;
    std::vector<size_t> family_, variant_;                 // per run
    std::vector<std::vector<ParameterValue>> parameters_;  // per run
    std::vector<std::string> paramPaths_;
};

/// A 64-bit FNV-1a hash as 16 hex digits.
std::string fnv1aHex(const std::string& data);

}  // namespace safetwin
