// The output folder of a batch: batch.json (which batch it holds), runs/<key>.json (one file per
// finished run, written atomically: temporary file, fsync, rename), and the merged results.csv,
// results.json and summary.json. A kill -9 loses at most the runs in flight; a restart skips the
// runs whose files exist. A full disk stops the batch with a clear error and never leaves a
// half-written file under a result's name.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/batch/Manifest.hpp"
#include "sim/batch/RunResult.hpp"

namespace safetwin {

/// Writes `content` to `path` atomically and durably (temporary file in the same folder, fsync,
/// rename). Throws std::runtime_error naming the file and the cause ("no space left on device")
/// and removes the temporary file; an earlier file at `path` is kept.
void writeFileDurable(const std::filesystem::path& path, const std::string& content);

class BatchStore {
  public:
    /// Opens (or creates) `dir` for `manifest`. A folder holding another batch (another hash),
    /// or a non-empty folder that holds no batch, is an InputError.
    BatchStore(std::filesystem::path dir, const Manifest& manifest);

    const std::filesystem::path& dir() const { return dir_; }
    std::filesystem::path runFile(const RunSpec& spec) const;
    /// The stored result of a run, if its file exists and reads back. A run file that does not
    /// parse (which atomic writes prevent) is moved aside as <key>.json.bad and run again.
    std::optional<RunResult> load(const RunSpec& spec) const;
    void save(const RunResult& r) const;
    /// results.csv (one row per run, in manifest order), results.json and summary.json (per
    /// scenario and parameter set: the variants compared over seeds). Runs missing from `all`
    /// are listed as "missing".
    void writeMerged(const Manifest& manifest,
                     const std::vector<std::optional<RunResult>>& all) const;

  private:
    std::filesystem::path dir_;
};

/// results.csv content for `runs` (shared with the MPI runner's equivalence check).
std::string resultsCsv(const Manifest& manifest, const std::vector<std::optional<RunResult>>& runs);

}  // namespace safetwin
