// safetwin verify crowd|gas [--only NAME] [--details] [--list]
// Runs a verification suite and prints one line per check: name, measured figure, criterion,
// PASS/FAIL; then "N passed, M failed". Exit code 1 if any check failed, 2 if --only names
// no check.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "app/Commands.hpp"
#include "scenes/InputError.hpp"
#include "sim/gas/GasVerification.hpp"
#include "sim/verify/CrowdVerification.hpp"

namespace safetwin {

namespace {

std::string formatMeasured(double v, const std::string& unit) {
    char buf[64];
    if (std::abs(v) < 1e9 && v == std::round(v))
        std::snprintf(buf, sizeof buf, "%.0f", v);
    else if (std::abs(v) < 0.01)
        std::snprintf(buf, sizeof buf, "%.2e", v);  // round-off sized errors
    else
        std::snprintf(buf, sizeof buf, std::abs(v) < 1.0 ? "%.3f" : "%.2f", v);
    return std::string(buf) + (unit.empty() ? "" : " " + unit);
}

}  // namespace

CommandFn addVerifyCommand(CLI::App& app) {
    struct Options {
        std::string suite;
        std::string only;
        bool details = false;
        bool list = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "verify", "Run a verification suite against published criteria (crowd: RiMEA, flows; gas)");
    cmd->add_option("suite", o->suite, "which suite: crowd or gas")
        ->required()
        ->check(CLI::IsMember({"crowd", "gas"}));
    cmd->add_option("--only", o->only,
                    "run only the check of this name, or those whose names begin with it");
    cmd->add_flag("--details", o->details, "print what else each check measured, under its line");
    cmd->add_flag("--list", o->list, "list the checks (and criteria) without running them");
    return [o]() {
        // Column widths: names are known before running; the crowd suite's criteria too.
        std::vector<VerificationInfo> selected;
        if (o->suite == "crowd") {
            selected = selectCrowdVerifications(o->only);
        } else {
            for (const std::string& name : gasCheckNames())
                if (name.rfind(o->only, 0) == 0) selected.push_back({name, "", ""});
            if (selected.empty())
                throw InputError("no gas check is named '" + o->only + "' or begins with it");
        }
        size_t wName = 4, wCrit = o->suite == "crowd" ? 9 : 60;
        for (const VerificationInfo& v : selected) {
            wName = std::max(wName, v.name.size());
            wCrit = std::max(wCrit, v.criterion.size());
        }
        if (o->list) {
            for (const VerificationInfo& v : selected) {
                if (v.criterion.empty())
                    std::printf("%s\n", v.name.c_str());
                else
                    std::printf("%-*s  %s [%s]\n", int(wName), v.name.c_str(), v.criterion.c_str(),
                                v.unit.c_str());
            }
            return 0;
        }
        const int wMeasured = 18;
        std::printf("%-*s  %*s  %-*s  %s\n", int(wName), "name", wMeasured, "measured", int(wCrit),
                    "criterion", "result");
        std::fflush(stdout);
        int passed = 0, failed = 0;
        auto row = [&](const std::string& name, double measured, const std::string& unit,
                       const std::string& criterion, bool pass, const std::string& detail) {
            std::printf("%-*s  %*s  %-*s  %s\n", int(wName), name.c_str(), wMeasured,
                        formatMeasured(measured, unit).c_str(), int(wCrit), criterion.c_str(),
                        pass ? "PASS" : "FAIL");
            if (o->details) std::printf("    %s\n", detail.c_str());
            std::fflush(stdout);
            (pass ? passed : failed)++;
        };
        if (o->suite == "crowd") {
            verifyCrowd(o->only, [&](const VerificationResult& r) {
                row(r.name, r.measured, r.unit, r.criterion, r.pass, r.detail);
            });
        } else {
            verifyGas(o->only, [&](const GasCheck& r) {
                row(r.name, r.measured, r.unit, r.criterion, r.pass, r.detail);
            });
        }
        std::printf("%d passed, %d failed\n", passed, failed);
        return failed == 0 ? 0 : 1;
    };
}

}  // namespace safetwin
