// The crowd verification suite: RiMEA test cases 1-7 and 9-13, the fundamental diagram, the
// bottleneck flow band and run-to-run determinism, each measured by running the model and
// compared with a published criterion (REFERENCES.md, "Crowd movement"). Run it with
// `safetwin verify crowd` or ctest (tests/sim/verify).
//
// The geometries are bundled scenario files, scenarios/rimea/*.yaml and
// scenarios/verify/*.yaml, read from the source tree (SAFETWIN_SOURCE_DIR at build time) or
// from $SAFETWIN_HOME when that is set. Each file states its layout and criterion.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace safetwin {

struct VerificationResult {
    std::string name;       // e.g. "rimea01_corridor"
    double measured = 0.0;  // the figure the criterion is applied to
    std::string unit;       // of `measured`, e.g. "s", "m/s", "%", "persons"
    std::string criterion;  // human-readable, e.g. "26-34 s (RiMEA 1)"
    bool pass = false;
    std::string detail;  // what else was measured, and the run time of the check
};

/// A verification's name, unit and criterion, known before it runs.
struct VerificationInfo {
    std::string name;
    std::string unit;
    std::string criterion;
};

/// All crowd verifications, in the order they run.
std::vector<VerificationInfo> crowdVerifications();

/// The names `only` selects: all if empty, the one of that name, or else all names that
/// begin with it ("bottleneck" selects the five widths). Throws InputError if none does.
std::vector<VerificationInfo> selectCrowdVerifications(const std::string& only);

/// Runs the selected verifications and returns their results in order.
std::vector<VerificationResult> verifyCrowd(const std::string& only = "");

/// As above, calling `onResult` as soon as each verification has finished.
std::vector<VerificationResult> verifyCrowd(
    const std::string& only, const std::function<void(const VerificationResult&)>& onResult);

/// Folder the bundled scenarios are read from: $SAFETWIN_HOME if set, else the source tree.
std::string verificationHome();

}  // namespace safetwin
